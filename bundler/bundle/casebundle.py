"""A bundle derived from a case folder's records, when the folder has no bundle.yaml.

Sections follow the review's own order (domain brief, "The review, step by step"):

* A  Scheme-level review: site visit notes and photographs (paras 87-88), then the
     referral process documents (paras 89-93);
* B  Provider information received against para 85, one document per file received;
* C, D, ...  one section per resident, titled by the pseudonymous reference only (R01...):
     consent form, licence or tenancy, assessments, referral, support plan and its reviews,
     interview notes (paras 94-100);
* last  Findings and correspondence: files the findings and recommendations rest on that
     are not already in the bundle, disputes, referrals to other agencies, follow-up visit
     files, and the letters to the provider that ``letters.yaml`` records as sent, in date order.

A file already placed in an earlier section is not repeated. Within each section documents
run in date order (their own date, else the date received; undated ones last). A document
described in the records' ``documents`` catalogue (case.yaml, or the resident's file) carries
its own title and dates; a provider's or referral-process document the catalogue does not
describe, the title it gives itself (``evidence.owntitle``), never the request's wording;
others are titled by what the records say they are (a resident's file is never read for a
title: it could name them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from bundler.bundle.spec import BundleSpec, DocumentSpec, LoadedSpec, SectionSpec
from bundler.case.models import (
    DocumentRecord,
    InformationItem,
    LetterRegister,
    SendMethod,
    cited_file,
)
from bundler.errors import BundlerError, CaseIncomplete

_TITLE_LIMIT = 240
_SENT_BY = {SendMethod.EMAIL: "by e-mail", SendMethod.POST: "by post", SendMethod.HAND: "by hand",
            SendMethod.OTHER: ""}


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
    catalogue: dict[str, DocumentRecord] = {entry.file: entry for entry in case.documents}
    for resident in loaded.residents.values():
        catalogue.update((entry.file, entry) for entry in resident.documents)
    placed = _Placed(case_dir, catalogue)
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
        for hazard in visit.hazards:
            inspection = hazard.inspection
            for path in inspection.files if inspection is not None else []:
                _add(scheme_docs, placed, path, f"Hazard inspection, {where} (para 88)",
                     inspection.date if inspection is not None else None)
    if case.referral_review is not None:
        for number, path in enumerate(case.referral_review.documents, start=1):
            _add(scheme_docs, placed, path, f"Referral process document {number} (paras 89-93)",
                 None, read_title=True)
    sections.append(("Scheme-level review", scheme_docs))

    provider_docs: list[DocumentSpec] = []
    if case.information_request is not None:
        by_file: dict[str, list[InformationItem]] = {}
        for entry in case.information_request.items:
            for path in entry.files:
                by_file.setdefault(path, []).append(entry)
        for path, entries in by_file.items():
            letters = sorted({str(e.item.value).split("_")[0] for e in entries})
            title = f"Received for para 85({', '.join(letters)}): {PurePosixPath(path).name}"
            dates = [e.received_date for e in entries if e.received_date]
            _add(provider_docs, placed, path, _clip(title), None,
                 min(dates) if dates else None, read_title=True)
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
                     "Evidence relied on in the findings (para 110)", None)
    for rec in case.recommendations:
        for cited in rec.evidence:
            _add(closing, placed, cited_file(cited),
                 f"Evidence relied on in recommendation {rec.id}", None)
        if rec.dispute is not None:
            for path in rec.dispute.files:
                _add(closing, placed, path, f"Dispute of recommendation {rec.id} (para 144)",
                     rec.dispute.date)
        for path in rec.evidence_of_completion:
            _add(closing, placed, path, f"Evidence that recommendation {rec.id} was completed",
                 rec.completed_on)
    for referral in case.referrals:
        replies = [r for r in (referral.response, referral.outcome) if r is not None]
        for path, when in [(f, referral.date) for f in referral.files] + [
            (f, reply.date) for reply in replies for f in reply.files
        ]:
            _add(closing, placed, path, f"Referral {referral.id} to {referral.agency_text}", when)
    for follow_up in case.follow_up_visits:
        for path in follow_up.files:
            _add(closing, placed, path, "Follow-up visit record (para 119)", follow_up.done_date)
    for path, title, when in _sent_letters(case_dir, loaded.letters):
        _add(closing, placed, path, title, when)
    sections.append(("Findings and correspondence", closing))

    kept = [(title, _in_date_order(docs)) for title, docs in sections if docs]
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


class _Placed:
    """The files already placed, and the catalogue's own titles and dates."""

    def __init__(self, case_dir: Path, catalogue: dict[str, DocumentRecord]) -> None:
        self.case_dir = case_dir
        self.catalogue = catalogue
        self.files: set[str] = set()


def _add(docs: list[DocumentSpec], placed: _Placed, path: str, title: str,
         when: dt.date | None, received: dt.date | None = None, *,
         read_title: bool = False) -> None:
    """Place ``path`` once, with the catalogue's title and dates where it has an entry;
    else, when the records only say why a provider's or scheme-level file is here
    (``read_title``: the request's item it answers), with the title it gives itself."""
    if path in placed.files:
        return
    placed.files.add(path)
    own = placed.catalogue.get(path)
    if own is not None:
        title, when, received = own.title, own.date or when, own.received or received
    elif read_title:
        title = _own_title(placed.case_dir, path) or title
    docs.append(DocumentSpec(file=path, title=title, date=when, received=received))


def _own_title(case_dir: Path, name: str) -> str | None:
    """The title the file gives itself; None for a file the build will refuse (missing,
    outside the case folder, not what its name says)."""
    from bundler.evidence import identify
    from bundler.evidence.owntitle import document_title

    path = case_dir / name
    try:
        if not path.resolve().is_relative_to(case_dir.resolve()):
            return None
        media_type = identify(path, name).media_type
    except (BundlerError, OSError):
        return None
    return document_title(path, media_type)


def _in_date_order(docs: Sequence[DocumentSpec]) -> list[DocumentSpec]:
    """The documents by their own date, else the date received; undated ones last, each
    group in the records' order (the index says so)."""
    order = {id(doc): position for position, doc in enumerate(docs)}

    def key(doc: DocumentSpec) -> tuple[bool, dt.date, int]:
        when = doc.date or doc.received
        return (when is None, when or dt.date.min, order[id(doc)])

    return sorted(docs, key=key)


def _clip(text: str) -> str:
    return text if len(text) <= _TITLE_LIMIT else text[: _TITLE_LIMIT - 1].rstrip() + "\u2026"


def _sent_letters(case_dir: Path, register: LetterRegister) -> list[tuple[str, str, dt.date]]:
    """(file, title, date) of each letter to the provider that letters.yaml records as sent,
    in date order: the PDF where one was made. Letters to residents are left out: they carry
    the resident's name, which never goes into a bundle (case model, Correspondence)."""
    from bundler.letters.context import uk_date

    found = []
    for letter in register.sent_letters():
        if letter.recipient != "provider" or letter.sent is None:
            continue
        inside = [f.file for f in letter.files if not Path(f.file).is_absolute()
                  and (case_dir / f.file).is_file()]
        if not inside:
            continue
        chosen = next((f for f in inside if f.lower().endswith(".pdf")), inside[0])
        how = _SENT_BY[letter.sent.method]
        title = (f"Letter: {letter.kind.heading} (sent {uk_date(letter.sent.date)}"
                 f"{' ' + how if how else ''})")  # its own date is in the index's date column
        found.append((chosen, title, letter.date))
    return found


def _section_label(index: int) -> str:
    """A, B, ..., Z, AA, AB, ... (a bundle may hold many residents)."""
    label = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        label = chr(ord("A") + remainder) + label
    return label
