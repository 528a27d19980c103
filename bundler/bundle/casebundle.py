"""A bundle derived from a case folder's records, when the folder has no bundle.yaml.

Sections follow the review's own order (domain brief, "The review, step by step"):

* A  Scheme-level review: site visit notes and photographs (paras 87-88), then the
     referral process documents (paras 89-93);
* B  Provider information received against para 85, one document per file received, titled
     by the para 85 items it answers;
* C, D, ...  one section per resident, titled by the pseudonymous reference only (R01...):
     consent form, licence or tenancy, assessments, referral, support plan and its reviews,
     interview notes (paras 94-100);
* last  Findings and correspondence: files the findings and recommendations rest on that
     are not already in the bundle, follow-up visit files, and the letters in ``out/letters/``.

A file already placed in an earlier section is not repeated.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bundler.bundle.spec import BundleSpec, DocumentSpec, LoadedSpec, SectionSpec
from bundler.case.models import InformationItem, cited_file
from bundler.errors import CaseIncomplete

_LETTER_SUFFIXES = (".pdf", ".docx", ".odt", ".doc", ".rtf", ".txt", ".eml")
_TITLE_LIMIT = 240


def case_people(case_dir: Path) -> tuple[str | None, str | None]:
    """The authority's name and the lead officer, for the cover."""
    from bundler.case.validate import load_valid_case

    case = load_valid_case(case_dir).case
    return case.review.authority.name, case.review.lead_officer


def derive_case_spec(case_dir: Path) -> tuple[LoadedSpec, str | None, str | None]:
    """A bundle spec built from the case records; (spec, authority, lead officer)."""
    from bundler.case.validate import load_valid_case

    loaded = load_valid_case(case_dir)
    case = loaded.case
    placed: set[str] = set()
    sections: list[tuple[str, list[DocumentSpec]]] = []

    scheme_names = {scheme.id: scheme.name for scheme in case.schemes}
    scheme_docs: list[DocumentSpec] = []
    for visit in sorted(case.site_visits, key=lambda v: v.date):
        where = scheme_names.get(visit.scheme, visit.scheme)
        if visit.notes_file:
            _add(scheme_docs, placed, visit.notes_file, f"Site visit notes, {where}", visit.date)
        for number, photo in enumerate(visit.photos, start=1):
            _add(scheme_docs, placed, photo,
                 f"Site visit photograph {number} of {len(visit.photos)}, {where}", visit.date)
    if case.referral_review is not None:
        for number, path in enumerate(case.referral_review.documents, start=1):
            _add(scheme_docs, placed, path, f"Referral process document {number} (paras 89-93)",
                 None)
    sections.append(("Scheme-level review", scheme_docs))

    provider_docs: list[DocumentSpec] = []
    if case.information_request is not None:
        by_file: dict[str, list[InformationItem]] = {}
        for entry in case.information_request.items:
            for path in entry.files:
                by_file.setdefault(path, []).append(entry)
        for path, entries in by_file.items():
            letters = sorted({str(e.item.value).split("_")[0] for e in entries})
            words = "; ".join(dict.fromkeys(e.item.plain_words for e in entries))
            title = f"Para 85({', '.join(letters)}): {words}"
            dates = [e.received_date for e in entries if e.received_date]
            _add(provider_docs, placed, path, _clip(title), min(dates) if dates else None)
    sections.append(("Provider information received against para 85", provider_docs))

    for reference in sorted(loaded.residents):
        resident = loaded.residents[reference]
        docs: list[DocumentSpec] = []
        if resident.consent.form_file:
            _add(docs, placed, resident.consent.form_file, "Consent form (para 97)",
                 resident.consent.date)
        evidence = resident.evidence
        if evidence.occupancy_agreement is not None:
            agreement = evidence.occupancy_agreement
            _add(docs, placed, agreement.file,
                 f"{str(agreement.kind.value).capitalize()} agreement", agreement.start_date)
        for assessment in sorted(evidence.assessments, key=lambda a: a.date):
            _add(docs, placed, assessment.file,
                 f"{str(assessment.kind.value).capitalize()} assessment", assessment.date)
        if evidence.referral is not None:
            _add(docs, placed, evidence.referral.file,
                 f"Referral from {evidence.referral.referred_by}", evidence.referral.date)
        if evidence.support_plan is not None:
            plan = evidence.support_plan
            _add(docs, placed, plan.file, "Support plan", plan.start_date)
            for review in plan.reviews:
                _add(docs, placed, review.file, "Support plan review", review.date)
        if resident.interview is not None and resident.interview.notes_file:
            _add(docs, placed, resident.interview.notes_file, "Interview notes",
                 resident.interview.date)
        sections.append((f"Resident {reference}", docs))

    closing: list[DocumentSpec] = []
    if case.findings is not None:
        for answer in case.findings.answers:
            for cited in answer.evidence:
                _add(closing, placed, cited_file(cited),
                     "Evidence relied on in the findings (para 110)", case.findings.date)
    for rec in case.recommendations:
        for path in rec.evidence_of_completion:
            _add(closing, placed, path, f"Evidence that recommendation {rec.id} was completed",
                 rec.completed_on)
    for follow_up in case.follow_up_visits:
        for path in follow_up.files:
            _add(closing, placed, path, "Follow-up visit record (para 119)", follow_up.done_date)
    for path in _letters(case_dir):
        _add(closing, placed, path, f"Letter: {Path(path).stem.replace('-', ' ')}", None)
    sections.append(("Findings and correspondence", closing))

    kept = [(title, docs) for title, docs in sections if docs]
    if not kept:
        raise CaseIncomplete(f"{case_dir}: the case records name no evidence files to bundle")
    spec = BundleSpec(
        reference=case.review.reference,
        title=f"{', '.join(s.name for s in case.schemes)}: supported housing review evidence",
        authority=case.review.authority.name,
        officer=case.review.lead_officer,
        sections=[
            SectionSpec(label=_section_label(index), title=title, documents=docs)
            for index, (title, docs) in enumerate(kept)
        ],
    )
    return (LoadedSpec(spec=spec, folder=case_dir, shown=f"{case_dir} (case records)"),
            case.review.authority.name, case.review.lead_officer)


def _add(docs: list[DocumentSpec], placed: set[str], path: str, title: str,
         when: object) -> None:
    if path in placed:
        return
    placed.add(path)
    docs.append(DocumentSpec(file=path, title=title, date=when))


def _clip(text: str) -> str:
    return text if len(text) <= _TITLE_LIMIT else text[: _TITLE_LIMIT - 1].rstrip() + "\u2026"


def _letters(case_dir: Path) -> Iterable[str]:
    """Letters to the provider in out/letters/: one file per letter (the PDF when there is
    one). Letters to residents are left out: they carry the resident's name, which never
    goes into a bundle (case model, Correspondence)."""
    from bundler.letters.context import LetterKind

    folder = case_dir / "out" / "letters"
    if not folder.is_dir():
        return []
    resident_kinds = tuple(f"{kind.value}-" for kind in LetterKind if kind.for_residents)
    by_stem: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or path.name.startswith(".") or suffix not in _LETTER_SUFFIXES:
            continue
        if path.stem.startswith(resident_kinds):
            continue
        chosen = by_stem.get(path.stem)
        if chosen is None or (suffix == ".pdf" and chosen.suffix.lower() != ".pdf"):
            by_stem[path.stem] = path
    return [by_stem[stem].relative_to(case_dir).as_posix() for stem in sorted(by_stem)]


def _section_label(index: int) -> str:
    """A, B, ..., Z, AA, AB, ... (a bundle may hold many residents)."""
    label = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        label = chr(ord("A") + remainder) + label
    return label
