"""The edition of a case-derived bundle for one audience: consent decides (para 97).

For each document the case records say whose it is and what kind of data it holds (a
resident's consent form, licence, assessments, referral, support plan and reviews are their
*records*; their interview notes are their *interview*); everything else is scheme-level
evidence. ``bundler.case.consent.may_disclose`` then answers, on the bundle's date, whether
that resident's data of that kind may go to the audience, from their consent statement by
statement, any withdrawal, and any recorded legal basis (which the redaction log cites).

* A resident's document their consent does not cover leaves a placeholder (reason NC, and
  the decision in words: "R03 did not agree to use_in_proceedings").
* A resident who may not be identified to the audience has their name (in full and each part
  of it), their room and their Housing Benefit claim reference removed from every document.
* For the provider and the parties to an appeal, room numbers, dates of birth, National
  Insurance numbers, telephone numbers and e-mail addresses are removed from residents'
  records too (not the appellant's own; scheme evidence keeps its contact details), except
  the names and contact details of the council's officers, the organisations' contacts and
  the staff the case records (kept).
* The tribunal's edition outlines what each recorded appeal's parties do not see.

An optional ``redactions.yaml`` beside ``case.yaml`` adds terms, patterns, regions and kept
phrases (the bundle spec's ``redactions`` block), e.g. a first name the records do not hold.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel

from bundler.bundle.audience import (
    DocumentEdition,
    Edition,
    Withheld,
    joined,
    matches,
)
from bundler.bundle.spec import REASONS, DocumentSpec, RedactionSpec, load_redactions
from bundler.case.consent import Audience, AudienceKind, is_appellant, may_disclose
from bundler.case.models import Contact, DataKind, Resident, StaffConversation
from bundler.redact import Matcher, Pattern, Region, Rules, Term
from bundler.redact.terms import DataKind as Marked

logger = logging.getLogger(__name__)

REDACTIONS_FILE = "redactions.yaml"
_SHIELDED = tuple(Pattern)  # removed for the provider and parties, outside the appellant's own


def case_edition(case_dir: Path, documents: Sequence[DocumentSpec], audience: str,
                 on: dt.date) -> Edition:
    """The edition for ``audience`` of the bundle derived from ``case_dir`` on ``on``."""
    from bundler.case.validate import load_valid_case

    loaded = load_valid_case(case_dir)
    residents = loaded.residents
    extra = _extra(case_dir)
    target = Audience.parse(audience)
    keep = tuple(dict.fromkeys([*_case_people(loaded.case), *extra.keep]))
    owners = _owners(residents)
    parties = [Audience(AudienceKind.APPEAL, r.housing_benefit.appeal.reference)
               for _, r in sorted(residents.items())
               if r.housing_benefit is not None and r.housing_benefit.appeal is not None]
    editions = []
    for doc in documents:
        fate = _fate(doc, target, residents, owners, extra, keep, on)
        if target.kind is AudienceKind.TRIBUNAL and fate.withheld is None and parties:
            seen = [_fate(doc, party, residents, owners, extra, keep, on) for party in parties]
            marks = joined(*(p.rules for p in seen if p.withheld is None))
            fate = DocumentEdition(
                rules=fate.rules, marks=marks, basis=fate.basis,
                parties_withheld=any(p.withheld is not None for p in seen))
        editions.append(fate)
    _warn_unnamed(documents, editions, owners, residents, target, extra, on)
    forbidden = _forbidden(target, residents, extra, keep, on)
    return Edition(str(target), tuple(editions), forbidden, {**REASONS, **extra.reasons},
                   tuple(_describe(target, residents, extra, on)))


def _fate(doc: DocumentSpec, target: Audience, residents: dict[str, Resident],
          owners: dict[str, tuple[str, DataKind]], extra: RedactionSpec, keep: tuple[str, ...],
          on: dt.date) -> DocumentEdition:
    """What ``doc`` becomes for ``target``: withheld, or redacted by which rules."""
    if target.kind is AudienceKind.INTERNAL:
        return DocumentEdition()
    owner = owners.get(doc.file)
    basis: str | None = None
    shielded = owner is not None  # patterns are for residents' records, not scheme evidence
    if owner is not None:
        reference, kind = owner
        resident = residents[reference]
        decision = may_disclose(resident, kind, target, on)
        if not decision:
            return DocumentEdition(withheld=Withheld("NC", decision.reason))
        if decision.basis is not None:
            basis = (f"{decision.basis.basis}, decided by {decision.basis.decided_by} on "
                     f"{decision.basis.decided_on.isoformat()}")
        shielded = not is_appellant(resident, target)  # the appellant's own are no secret
    matcher = _forbidden(target, residents, extra, keep, on, patterns=shielded)
    regions = tuple(Region(r.page, r.box.left, r.box.top, r.box.width, r.box.height, r.reason)
                    for r in extra.regions
                    if r.file == doc.file and matches(str(target), r.audiences))
    return DocumentEdition(rules=Rules(matcher, regions), basis=basis)


def _forbidden(target: Audience, residents: dict[str, Resident], extra: RedactionSpec,
               keep: tuple[str, ...], on: dt.date, *, patterns: bool = True) -> Matcher:
    """The names, terms and (with ``patterns``: in a resident's records other than the
    appellant's own) the patterns ``target`` must not see."""
    if target.kind is AudienceKind.INTERNAL:
        return Matcher()
    terms: list[Term] = []
    for _, resident in sorted(residents.items()):
        if not may_disclose(resident, DataKind.IDENTITY, target, on):
            terms.extend(_identity_terms(resident))
    audience = str(target)
    terms.extend(Term(t.text, Marked.NAME if t.kind == "name" else Marked.TERM, t.reason)
                 for t in extra.terms if matches(audience, t.audiences))
    shapes: list[tuple[Pattern, str]] = []
    if target.kind in (AudienceKind.PROVIDER, AudienceKind.APPEAL) and patterns:
        shapes = [(pattern, "TP") for pattern in _SHIELDED]
    shapes.extend((Pattern(p.pattern), p.reason) for p in extra.patterns
                  if matches(audience, p.audiences))
    return Matcher(terms=tuple(dict.fromkeys(terms)), patterns=tuple(dict.fromkeys(shapes)),
                   keep=keep)


def _warn_unnamed(documents: Sequence[DocumentSpec], editions: Sequence[DocumentEdition],
                  owners: dict[str, tuple[str, DataKind]], residents: dict[str, Resident],
                  target: Audience, extra: RedactionSpec, on: dt.date) -> None:
    """A resident who may not be identified, whose documents go in all the same (a legal
    basis covers them), but whose name the records do not hold: say so, by reference."""
    if any(term.kind == "name" for term in extra.terms):
        return
    for doc, fate in zip(documents, editions, strict=True):
        owner = owners.get(doc.file)
        if owner is None or fate.withheld is not None:
            continue
        resident = residents[owner[0]]
        named = resident.correspondence is not None and resident.correspondence.name
        if not named and not may_disclose(
                resident, DataKind.IDENTITY, target, on):
            logger.warning(
                "%s's documents go into the %s bundle, but the case records hold no name of "
                "theirs to remove; if the documents show it, add it to %s (terms, kind: name)",
                resident.reference, target, REDACTIONS_FILE)
            return


def _identity_terms(resident: Resident) -> list[Term]:
    """Everything in the records that names the resident: the name in full and each part,
    their room, their Housing Benefit claim reference."""
    terms: list[Term] = []
    if resident.correspondence is not None:
        name = resident.correspondence.name
        if name is not None:
            terms.append(Term(name, Marked.NAME, "TP"))
            terms.extend(Term(part, Marked.NAME, "TP") for part in name.split() if len(part) > 1)
        if resident.correspondence.flat:
            terms.append(Term(resident.correspondence.flat, Marked.ROOM, "TP"))
    if resident.housing_benefit is not None:
        terms.append(Term(resident.housing_benefit.claim_reference, Marked.TERM, "TP"))
    return terms


def _owners(residents: dict[str, Resident]) -> dict[str, tuple[str, DataKind]]:
    """Each resident's files: (their reference, the kind of data the file holds)."""
    owners: dict[str, tuple[str, DataKind]] = {}
    for reference, resident in sorted(residents.items()):
        evidence = resident.evidence
        files = [resident.consent.form_file]
        if evidence.occupancy_agreement is not None:
            files.append(evidence.occupancy_agreement.file)
        files.extend(a.file for a in evidence.assessments)
        if evidence.referral is not None:
            files.append(evidence.referral.file)
        if evidence.support_plan is not None:
            files.append(evidence.support_plan.file)
            files.extend(r.file for r in evidence.support_plan.reviews)
        files.extend(d.file for d in resident.documents)
        for path in files:
            if path:
                owners.setdefault(str(path), (reference, DataKind.RECORDS))
        if resident.interview is not None and resident.interview.notes_file:
            owners[str(resident.interview.notes_file)] = (reference, DataKind.INTERVIEW)
    return owners


def _case_people(case: BaseModel) -> list[str]:
    """Names and contact details of the officers, organisations' contacts and staff the case
    records: never redacted (a staff member may share a resident's first name)."""
    found: list[str] = []
    for item in _walk(case, 0):
        if isinstance(item, Contact):
            found.extend(v for v in (item.name, item.email, item.phone) if v)
        elif isinstance(item, StaffConversation):
            found.append(item.name)
    authority = getattr(getattr(case, "review", None), "authority", None)
    for field in ("phone", "email"):
        value = getattr(authority, field, None)
        if isinstance(value, str):
            found.append(value)
    return found


def _walk(value: object, depth: int) -> Iterator[object]:
    if depth > 12:
        return
    yield value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk(item, depth + 1)


def _extra(case_dir: Path) -> RedactionSpec:
    path = case_dir / REDACTIONS_FILE
    return load_redactions(path) if path.is_file() else RedactionSpec()


def _describe(target: Audience, residents: dict[str, Resident], extra: RedactionSpec,
              on: dt.date) -> Iterator[str]:
    """The rules in words, residents by reference: never a name."""
    if target.kind is AudienceKind.INTERNAL:
        return
    hidden = [ref for ref, r in sorted(residents.items())
              if not may_disclose(r, DataKind.IDENTITY, target, on)]
    if hidden:
        yield (f"names, rooms and Housing Benefit claim references of {', '.join(hidden)} "
               "(from the case records; TP)")
    yield ("each resident's documents only as their consent on "
           f"{on.isoformat()} or a recorded legal basis allows (NC)")
    if target.kind in (AudienceKind.PROVIDER, AudienceKind.APPEAL):
        yield ("room numbers, dates of birth, National Insurance numbers, telephone numbers "
               "and e-mail addresses in residents' records other than the appellant's own, "
               "except the contact details of the people the case records (TP)")
    audience = str(target)
    count = sum(1 for t in extra.terms if matches(audience, t.audiences))
    if count:
        yield f"{count} listed term(s) from {REDACTIONS_FILE}"
    for region in extra.regions:
        if matches(audience, region.audiences):
            yield (f"region on page {region.page} of {region.file} ({region.reason}, "
                   f"{REDACTIONS_FILE})")
