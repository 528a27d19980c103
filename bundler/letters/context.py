"""What each letter template receives: one documented Pydantic model per kind.

The models are the contract between the toolkit and a council's own templates:
``bundler letter check-template`` checks every variable a template uses against
them, and the field descriptions are the documentation a template author reads
(``bundler letter fields KIND`` lists every field with its description).

Every value is ready to print: dates are already in UK long form ("3 March
2026"), optional details are empty strings rather than missing, and lists are
empty rather than absent, so a template never shows "None" and needs no
formatting logic of its own. ``build_contexts`` makes the contexts from a
validated case and raises ``CaseIncomplete`` (saying what to add, and where in
the case files) when a letter needs something the case does not record.

Residents' names appear only inside the letters to them (from the optional
``correspondence`` block in ``residents/<REF>.yaml``); everything else refers
to them by reference.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bundler.case.models import (
    Address,
    Answer,
    Case,
    Cohort,
    Conclusion,
    ConsentMethod,
    ConsentStatement,
    Contact,
    InformationItem,
    InformationRequest,
    ItemStatus,
    LetterRegister,
    Organisation,
    Para110Question,
    Recommendation,
    RecommendationStatus,
    Resident,
    Scheme,
    VisitStatus,
)
from bundler.case.models import (
    LetterKind as LetterKind,  # re-exported: the letters' own name for it
)
from bundler.case.validate import CASE_FILE, RESIDENTS_DIR, LoadedCase
from bundler.errors import CaseIncomplete, InputNotFound
from bundler.letters.workdays import add_working_days, is_working_day
from bundler.yamlmodel import dotted

log = logging.getLogger(__name__)

REMINDER_WORKING_DAYS = 10
"""A reminder's new due date, when the case does not record one: this many working days."""

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Characters Word cannot hold, and those docxtpl would turn into paragraph or page breaks
# (\a, \f): values must not change a letter's structure.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def uk_date(day: dt.date) -> str:
    """A date in UK long form, e.g. "3 March 2026" (no leading zero, month in full)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def uk_day_and_date(day: dt.date) -> str:
    """E.g. "Wednesday 13 January 2027"."""
    return f"{_WEEKDAYS[day.weekday()]} {uk_date(day)}"


def _clean_text(value: str) -> str:
    return _CONTROL.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))


Text = Annotated[str, AfterValidator(_clean_text)]


# --------------------------------------------------------------------------- building blocks


class _Context(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddressContext(_Context):
    """A postal address."""

    lines: list[Text] = Field(description="Street lines, e.g. ['14 Nettlebank Road'].")
    town: Text = Field(description="Post town.")
    postcode: Text = Field(description="Postcode, e.g. WX4 2QT.")
    single_line: Text = Field(
        description="The whole address on one line, e.g. '14 Nettlebank Road, Wrexley WX4 2QT'."
    )


class RecipientContext(_Context):
    """Who the letter is addressed to, as printed in the envelope window."""

    name: Text = Field(description="The person's name, or 'The resident, Room 3' when only the "
                       "room or flat is recorded.")
    lines: list[Text] = Field(
        description="The address block, one entry per line, name first and postcode last; "
        "at most 6 lines (5 for residents) so it fits the envelope window."
    )
    salutation: Text = Field(description="E.g. 'Dear Daniel Achterberg' (no comma).")


class OfficerContext(_Context):
    """The officer who signs the letter and whom to contact: the review's lead officer."""

    name: Text = Field(description="E.g. Priya Marchetti.")
    role: Text = Field(description="Job title, or empty.")
    email: Text = Field(description="E-mail address, or empty.")
    phone: Text = Field(description="Phone number, or empty.")
    contact_text: Text = Field(
        description="How to reach them in words, e.g. 'phone 01632 960 415 or e-mail "
        "priya.marchetti@wrexley.example.gov.uk' (falls back to the team's phone and e-mail)."
    )


class AuthorityContext(_Context):
    """The council sending the letter."""

    name: Text = Field(description="E.g. Wrexley Borough Council.")
    team: Text = Field(description="The team's name.")
    address: AddressContext = Field(description="The council's address.")
    phone: Text = Field(description="The team's phone number, or empty.")
    email: Text = Field(description="The team's e-mail address, or empty.")
    complaints: Text = Field(
        description="The confidential way for residents to complain or give feedback (para 141)."
    )


class ProviderContext(_Context):
    """The provider of the scheme (para 85 a)."""

    name: Text = Field(description="E.g. Brackenfold Support CIC.")
    address: AddressContext = Field(description="The provider's address.")


class SchemeContext(_Context):
    """A scheme reviewed (para 85 c-d)."""

    name: Text = Field(description="E.g. Nettlebank House.")
    address: AddressContext = Field(description="The scheme's address.")
    area: Text = Field(description="The ward or district (para 85 c).")
    cohorts: list[Text] = Field(description="The cohorts housed, in plain words.")


class RequestedItemContext(_Context):
    """One para 85 item asked for."""

    paragraph: Text = Field(description="The guidance reference, e.g. 'para 85(h)'.")
    text: Text = Field(description="What the item is, in plain words, starting with a capital.")
    detail: Text = Field(description="Anything specific asked for under this item, or empty.")
    partly_received: bool = Field(description="True when part of it has arrived (reminders).")


class ConclusionContext(_Context):
    """The answer to one para 110 question."""

    question: Text = Field(description="The question, e.g. 'Is the support tailored ...?'.")
    answer: Text = Field(description="'Yes', 'Partly' or 'No'.")
    summary: Text = Field(description="The conclusion in plain words.")
    schemes: Text = Field(
        description="The scheme(s) the answer is about, e.g. 'Nettlebank House'; empty when the "
        "review has one scheme."
    )
    evidence: Text = Field(
        default="",
        description="The pages of the evidence bundle the answer rests on, e.g. 'bundle pages "
        "23\u201324, 40' (written with --bundle BUNDLE.pdf), else empty.",
    )


class RecommendationContext(_Context):
    """A recommendation with its dates (paras 111-118)."""

    id: Text = Field(description="E.g. REC-1.")
    text: Text = Field(description="What the provider should do.")
    acknowledge_by: Text = Field(description="Date to acknowledge it, e.g. '4 November 2026'.")
    complete_by: Text = Field(description="Date to complete and evidence it.")
    evidence: Text = Field(
        default="",
        description="The pages of the evidence bundle it rests on, e.g. 'bundle pages 41' "
        "(written with --bundle BUNDLE.pdf), else empty.",
    )


class ResidentContext(_Context):
    """The resident a letter is for."""

    reference: Text = Field(description="The pseudonymous reference, e.g. R01.")
    name: Text = Field(description="The resident's name, or 'The resident, Room 3' when only "
                       "the room or flat is recorded.")


# --------------------------------------------------------------------------- the letters


class LetterContext(_Context):
    """What every letter receives."""

    kind: Text = Field(description="The letter kind, e.g. 'findings'.")
    title: Text = Field(description="The letter's title, e.g. 'Findings and recommendations'.")
    date: Text = Field(description="The letter's date, e.g. '20 November 2026'.")
    our_reference: Text = Field(
        description="The council's reference (the review's, plus the resident's, e.g. R01, "
        "on resident letters)."
    )
    authority: AuthorityContext = Field(description="The council sending the letter.")
    officer: OfficerContext = Field(description="The lead officer: signs the letter, and the contact.")
    recipient: RecipientContext = Field(description="Who the letter is addressed to.")
    scheme_names: Text = Field(
        description="The scheme name(s) in words, e.g. 'Nettlebank House' or 'A and B'."
    )


class InformationRequestContext(LetterContext):
    """``information-request``: what the council asks the provider for and why (paras 84-85)."""

    provider: ProviderContext = Field(description="The provider the letter goes to.")
    schemes: list[SchemeContext] = Field(description="Every scheme in the review.")
    items: list[RequestedItemContext] = Field(
        description="Only the items marked requested (para 84), in para 85 order."
    )
    due_date: Text = Field(description="The date to reply by (information_request.due_date).")
    how_to_respond: Text = Field(description="How to send the information.")
    legal_basis: Text = Field(
        description="The council's own statement of the legal basis it relies on "
        "(review.authority.legal_basis). Required when the template uses it; a council whose "
        "template states its legal basis itself may leave it out of the case (then empty)."
    )


class InformationReminderContext(LetterContext):
    """``information-reminder``: the items still outstanding and a new due date."""

    provider: ProviderContext = Field(description="The provider the letter goes to.")
    schemes: list[SchemeContext] = Field(description="Every scheme in the review.")
    items: list[RequestedItemContext] = Field(
        description="Only the requested items not yet (fully) received."
    )
    requested_date: Text = Field(description="The date of the original request.")
    original_due_date: Text = Field(description="The original due date.")
    new_due_date: Text = Field(
        description="The new due date: a reminder recorded in the case on the letter's date "
        "gives it; otherwise 10 working days after the letter's date."
    )
    received_count: int = Field(description="How many requested items have arrived in full.")
    how_to_respond: Text = Field(description="How to send the information.")


class ResidentConsentContext(LetterContext):
    """``resident-consent``: the review explained, and a consent form (para 97)."""

    resident: ResidentContext = Field(description="The resident the letter is for.")
    scheme: SchemeContext = Field(description="The resident's scheme.")
    provider_name: Text = Field(description="The provider's name.")
    consent_statements: list[Text] = Field(
        description="The consent form's statements, exactly as residents' files record the "
        "answers to them (interview, records, share_with_provider, use_in_proceedings), in "
        "that order; the form asks Yes or No for each."
    )


class FindingsContext(LetterContext):
    """``findings``: the para 110 conclusions and the recommendations with dates (paras 110-118)."""

    provider: ProviderContext = Field(description="The provider the letter goes to.")
    schemes: list[SchemeContext] = Field(description="Every scheme in the review.")
    findings_date: Text = Field(description="The date of the findings (para 110).")
    conclusions: list[ConclusionContext] = Field(
        description="Every para 110 answer: scheme by scheme, the three questions in order."
    )
    support_tailored: ConclusionContext = Field(
        description="The first para 110 answer (for the first scheme, when there are several)."
    )
    depiction_accurate: ConclusionContext = Field(
        description="The second para 110 answer (for the first scheme, when there are several)."
    )
    dignity_and_independence: ConclusionContext = Field(
        description="The third para 110 answer (for the first scheme, when there are several)."
    )
    recommendations: list[RecommendationContext] = Field(
        description="Every recommendation not withdrawn, with both dates."
    )
    offer_support: bool = Field(
        description="True when the provider is inexperienced and the council offers support "
        "to improve (paras 113-114)."
    )
    revisit_date: Text = Field(description="The planned revisit's date (para 119), or empty.")
    bundle: Text = Field(
        default="",
        description="The evidence bundle whose pages the letter cites, e.g. 'the evidence "
        "bundle WBC-SHR-2026-014 of 20 November 2026 (bundle.pdf)' (with --bundle), else "
        "empty.",
    )


@dataclass(frozen=True)
class CitedPages:
    """Where each finding's and recommendation's evidence is in a bundle (``--bundle``)."""

    bundle: str  # "the evidence bundle WBC-SHR-2026-014 of 20 November 2026 (bundle.pdf)"
    pages: dict[str, str]  # F1 / REC-1 -> "23\u201324, 40"

    def of(self, ident: str) -> str:
        found = self.pages.get(ident, "")
        if not found:
            return ""
        several = "," in found or "\u2013" in found
        return f"bundle page{'s' if several else ''} {found}"


class ResidentOutcomeContext(LetterContext):
    """``resident-outcome``: brief, accessible news of what was recommended (para 115)."""

    resident: ResidentContext = Field(description="The resident the letter is for.")
    scheme: SchemeContext = Field(description="The resident's scheme.")
    provider_name: Text = Field(description="The provider's name.")
    recommendations: list[RecommendationContext] = Field(
        description="Every recommendation not withdrawn (residents see its text)."
    )
    revisit_date: Text = Field(description="The planned revisit's date (para 119), or empty.")


class RevisitNoticeContext(LetterContext):
    """``revisit-notice``: the date of the revisit and what will be checked (para 119)."""

    provider: ProviderContext = Field(description="The provider the letter goes to.")
    schemes: list[SchemeContext] = Field(description="Every scheme in the review.")
    visit_date: Text = Field(description="E.g. '13 January 2027'.")
    visit_day: Text = Field(description="E.g. 'Wednesday 13 January 2027'.")
    findings_date: Text = Field(description="The date of the findings letter, or empty.")
    recommendations: list[RecommendationContext] = Field(
        description="The recommendations the visit will check."
    )


def context_model_for(kind: LetterKind) -> type[LetterContext]:
    """What a ``kind`` letter's template receives."""
    return _MODELS[kind]


_MODELS: dict[LetterKind, type[LetterContext]] = {
    LetterKind.INFORMATION_REQUEST: InformationRequestContext,
    LetterKind.INFORMATION_REMINDER: InformationReminderContext,
    LetterKind.RESIDENT_CONSENT: ResidentConsentContext,
    LetterKind.FINDINGS: FindingsContext,
    LetterKind.RESIDENT_OUTCOME: ResidentOutcomeContext,
    LetterKind.REVISIT_NOTICE: RevisitNoticeContext,
}


# --------------------------------------------------------------------------- from the case

_COHORT_WORDS = {
    Cohort.YOUNG_PEOPLE: "young people",
    Cohort.CARE_LEAVERS: "young people leaving care",
    Cohort.PRISON_LEAVERS: "people leaving prison",
    Cohort.MENTAL_ILL_HEALTH: "people with mental ill-health",
    Cohort.SUBSTANCE_MISUSE: "people recovering from substance misuse",
    Cohort.DOMESTIC_ABUSE: "people who have experienced domestic abuse",
    Cohort.HOMELESSNESS: "people who have been homeless",
    Cohort.LEARNING_DISABILITIES: "people with learning disabilities",
    Cohort.PHYSICAL_DISABILITIES: "people with physical disabilities",
    Cohort.OLDER_PEOPLE: "older people",
    Cohort.REFUGEES: "refugees",
    Cohort.VETERANS: "veterans",
    Cohort.OTHER: "other groups",
}

QUESTIONS = {
    Para110Question.SUPPORT_TAILORED: "Is the support tailored to residents' needs?",
    Para110Question.DEPICTION_ACCURATE: "Has the provider accurately described the support it "
    "delivers?",
    Para110Question.DIGNITY_AND_INDEPENDENCE: "Are residents treated with compassion, dignity "
    "and respect, and helped towards greater independence?",
}

ANSWERS = {Conclusion.YES: "Yes", Conclusion.PARTLY: "Partly", Conclusion.NO: "No"}

PROVIDER_ADDRESS_LINES = 6
RESIDENT_ADDRESS_LINES = 5


def _and_list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _address(address: Address) -> AddressContext:
    return AddressContext(
        lines=list(address.lines),
        town=address.town,
        postcode=address.postcode,
        single_line=", ".join([*address.lines, f"{address.town} {address.postcode}"]),
    )


def _address_block(head: list[str], address: Address, limit: int) -> list[str]:
    """Name lines then the address, squeezed to ``limit`` lines for the envelope window."""
    street = list(address.lines)
    tail = [address.town, address.postcode]
    if len(head) + len(street) + len(tail) > limit:
        tail = [f"{address.town} {address.postcode}"]
    while len(head) + len(street) + len(tail) > limit and len(street) > 1:
        street = [*street[:-2], f"{street[-2]}, {street[-1]}"]
    lines = [*head, *street, *tail]
    if len(lines) > limit:  # only when the name lines themselves are too many
        lines = [", ".join(head), *street, *tail]
    return lines


def _contact_text(phone: str | None, email: str | None) -> str:
    parts = []
    if phone:
        parts.append(f"phone {phone}")
    if email:
        parts.append(f"e-mail {email}")
    return " or ".join(parts)


def _officer(case: Case) -> OfficerContext:
    review = case.review
    lead = next(officer for officer in review.team if officer.name == review.lead_officer)
    text = _contact_text(lead.phone, lead.email) or _contact_text(
        review.authority.phone, review.authority.email
    )
    if not text:
        raise CaseIncomplete(
            f"{CASE_FILE}: letters need a way to contact the council, and none is recorded",
            "Add phone: or email: for the lead officer under review.team, or for the council "
            "under review.authority, in case.yaml.",
        )
    return OfficerContext(
        name=lead.name,
        role=lead.role or "",
        email=lead.email or "",
        phone=lead.phone or "",
        contact_text=text,
    )


def _authority(case: Case) -> AuthorityContext:
    authority = case.review.authority
    return AuthorityContext(
        name=authority.name,
        team=authority.team,
        address=_address(authority.address),
        phone=authority.phone or "",
        email=authority.email or "",
        complaints=authority.complaints,
    )


def _scheme(scheme: Scheme) -> SchemeContext:
    return SchemeContext(
        name=scheme.name,
        address=_address(scheme.address),
        area=scheme.area,
        cohorts=[_COHORT_WORDS[cohort] for cohort in scheme.cohorts],
    )


def _provider_index(case: Case) -> int:
    return case.organisations.index(case.provider)


def _provider(case: Case) -> ProviderContext:
    provider = case.provider
    if provider.address is None:
        raise CaseIncomplete(
            f"{CASE_FILE}: the provider ({provider.name}) has no address to send the letter to",
            f"Add address: (lines, town, postcode) under organisations[{_provider_index(case)}] "
            "in case.yaml.",
        )
    return ProviderContext(name=provider.name, address=_address(provider.address))


def _provider_recipient(case: Case, contact: Contact | None) -> RecipientContext:
    provider: Organisation = case.provider
    person = contact or provider.contact
    if person is None and case.information_request is not None:
        person = case.information_request.sent_to
    if person is None:
        raise CaseIncomplete(
            f"{CASE_FILE}: no one at the provider ({provider.name}) to address the letter to",
            f"Add contact: (name, role, email) under organisations[{_provider_index(case)}] "
            "in case.yaml.",
        )
    assert provider.address is not None  # _provider() checked it first
    return RecipientContext(
        name=person.name,
        lines=_address_block([person.name, provider.name], provider.address, PROVIDER_ADDRESS_LINES),
        salutation=f"Dear {person.name}",
    )


def _resident_scheme(case: Case, resident: Resident) -> Scheme:
    return next(scheme for scheme in case.schemes if scheme.id == resident.scheme)


PRIVATE = "Private: to be opened by the addressee only"
"""Printed above the address of a letter to a resident whose name is not recorded, so it
still reaches them unopened (the provider's staff often sort a scheme's post)."""


def unaddressable(resident: Resident) -> str | None:
    """Why no letter can be addressed to ``resident`` privately, or None."""
    if resident.correspondence is None:
        return (f"{resident.reference} has no name or room recorded, so a letter to them would "
                "be left for the provider's staff to sort")
    return None


def _resident(resident: Resident, scheme: Scheme) -> tuple[ResidentContext, RecipientContext]:
    """Addressed by name (and flat), or, when only the room or flat is recorded, to the
    resident of that room, marked private."""
    correspondence = resident.correspondence
    assert correspondence is not None  # unaddressable() is checked first
    if correspondence.name is not None:
        name = correspondence.name
        head = [name, *([correspondence.flat] if correspondence.flat else [])]
        salutation = f"Dear {name}"
    else:
        name = f"The resident, {correspondence.flat}"
        head = [PRIVATE, name]
        salutation = "Dear resident"
    return (
        ResidentContext(reference=resident.reference, name=name),
        RecipientContext(
            name=name,
            lines=_address_block(head, scheme.address, RESIDENT_ADDRESS_LINES),
            salutation=salutation,
        ),
    )


def _require_information_request(case: Case, kind: LetterKind) -> InformationRequest:
    if case.information_request is None:
        raise CaseIncomplete(
            f"{CASE_FILE}: the {kind.value} letter needs the information request, and the "
            "case has none",
            "Add information_request: (requested_date, due_date, sent_to, how_to_respond, "
            "items) to case.yaml (paras 84-85).",
        )
    return case.information_request


def _item(entry: InformationItem, on: dt.date) -> RequestedItemContext:
    return RequestedItemContext(
        paragraph=entry.item.paragraph,
        text=_capitalised(entry.item.plain_words),
        detail=entry.detail or "",
        partly_received=entry.status_on(on) is ItemStatus.PARTLY_RECEIVED,
    )


def _para85_order(entries: list[InformationItem]) -> list[InformationItem]:
    order = {item: index for index, item in enumerate(type(entries[0].item))} if entries else {}
    return sorted(entries, key=lambda entry: order[entry.item])


def _recommendation(rec: Recommendation, cited: CitedPages | None = None
                    ) -> RecommendationContext:
    return RecommendationContext(
        id=rec.id,
        text=rec.recommendation,
        acknowledge_by=uk_date(rec.acknowledge_by),
        complete_by=uk_date(rec.complete_by),
        evidence=cited.of(rec.id) if cited is not None else "",
    )


def _live_recommendations(case: Case) -> list[Recommendation]:
    return [rec for rec in case.recommendations if rec.status is not RecommendationStatus.WITHDRAWN]


def _next_revisit(case: Case, after: dt.date) -> dt.date | None:
    planned = sorted(
        visit.planned_date
        for visit in case.follow_up_visits
        if visit.status is VisitStatus.PLANNED and visit.planned_date > after
    )
    return planned[0] if planned else None


def _warn_if_not_working_day(day: dt.date, where: str) -> None:
    if not is_working_day(day):
        log.warning(
            "%s: %s %s is not a working day in England and Wales (weekend or bank holiday)",
            CASE_FILE,
            where,
            day.isoformat(),
        )


def _not_before_findings(case: Case, letter_date: dt.date, kind: LetterKind) -> None:
    findings = case.findings
    assert findings is not None
    if letter_date < findings.date:
        raise CaseIncomplete(
            f"{CASE_FILE}: the {kind.value} letter dated {letter_date.isoformat()} would report "
            f"findings not made until {findings.date.isoformat()} (findings.date)",
            "Date the letter on or after the findings date (--date YYYY-MM-DD), or correct "
            "findings.date in case.yaml.",
        )


def consent_refusal(resident: Resident, letter_date: dt.date) -> str | None:
    """Why a consent form dated ``letter_date`` would be untrue for ``resident``, or None.

    A form asks for consent; once the resident has signed one, a later form would ask
    again for what they already gave (after a withdrawal, for what they took back; after
    they declined, for what they refused). Verbal consent may be followed by the form."""
    consent = resident.consent
    if consent.date is None or consent.date > letter_date:
        return None
    if consent.method is ConsentMethod.DECLINED:
        return (
            f"{resident.reference} declined consent on {consent.date.isoformat()}; a consent "
            "form dated later would ask again after they said no (ask only if they ask)"
        )
    if consent.method is not ConsentMethod.WRITTEN:
        return None
    if consent.withdrawn is not None and consent.withdrawn.date <= letter_date:
        return (
            f"{resident.reference} withdrew consent on {consent.withdrawn.date.isoformat()}; "
            "do not ask again by letter unless the resident asks"
        )
    return (
        f"{resident.reference} signed the consent form on {consent.date.isoformat()}, before "
        f"this letter's date {letter_date.isoformat()}; a consent form dated later would ask "
        "for consent already given"
    )


def _must_follow(day: dt.date, letter_date: dt.date, where: str, kind: LetterKind) -> None:
    if day <= letter_date:
        raise CaseIncomplete(
            f"{CASE_FILE}: {where} {day.isoformat()} is not after the {kind.value} letter's "
            f"date {letter_date.isoformat()}",
            f"Set a later {where.rsplit('.', 1)[-1]} in case.yaml, or give the letter an "
            "earlier date with --date YYYY-MM-DD.",
        )


@dataclass(frozen=True)
class LetterPlan:
    """One letter to write: its context, and the resident it is for (None for provider letters)."""

    kind: LetterKind
    resident: str | None
    context: LetterContext

    @property
    def stem(self) -> str:
        """The output file name without extension: ``<kind>`` or ``<kind>-<REF>``."""
        return f"{self.kind.value}-{self.resident}" if self.resident else self.kind.value


def recorded_letter_date(
    kind: LetterKind, case: Case, letters: LetterRegister | None = None
) -> dt.date | None:
    """The date the case records for this letter, used when --date is not given.

    The request is dated the day it was sent; the findings and the residents' outcome
    letters the findings' date; a reminder the latest reminder recorded. Otherwise the
    latest letter of this kind in ``letters.yaml`` (a consent letter, a revisit notice).
    """
    request = case.information_request
    if kind is LetterKind.INFORMATION_REQUEST and request is not None:
        return request.requested_date
    if kind is LetterKind.INFORMATION_REMINDER and request is not None and request.reminders:
        return max(reminder.date for reminder in request.reminders)
    if kind in (LetterKind.FINDINGS, LetterKind.RESIDENT_OUTCOME) and case.findings is not None:
        return case.findings.date
    if letters is not None:
        dates = [letter.date for letter in letters.letters if letter.kind is kind]
        if dates:
            return max(dates)
    return None


def build_contexts(
    kind: LetterKind,
    loaded: LoadedCase,
    letter_date: dt.date,
    resident: str | None = None,
    *,
    uses: frozenset[str] | None = None,
    cited: CitedPages | None = None,
) -> list[LetterPlan]:
    """The letters of ``kind`` to write from a validated case, dated ``letter_date``.

    Resident letters give one plan per resident (or just ``resident``); the others one.
    ``uses`` is the set of variables the template uses (from ``check_template``): a value
    the case may leave out, such as the legal basis, is then required only when the
    template prints it. Without ``uses`` every such value is required. ``cited`` (the findings
    letter only) gives the bundle pages each finding and recommendation rests on.
    Raises CaseIncomplete when the case lacks what the letter needs, and InputNotFound
    for an unknown resident reference.
    """
    try:
        return _build_contexts(kind, loaded, letter_date, resident, uses, cited)
    except CaseIncomplete as exc:
        prefix = f"{CASE_FILE}:"
        if not exc.message.startswith(prefix):
            raise
        # Name case.yaml as the user would find it: inside the folder they gave.
        shown = loaded.root / CASE_FILE
        raise CaseIncomplete(f"{shown}:{exc.message[len(prefix):]}", exc.hint) from None


def _build_contexts(
    kind: LetterKind,
    loaded: LoadedCase,
    letter_date: dt.date,
    resident: str | None,
    uses: frozenset[str] | None,
    cited: CitedPages | None = None,
) -> list[LetterPlan]:
    case = loaded.case
    base: dict[str, object] = {
        "kind": kind.value,
        "title": kind.heading,
        "date": uk_date(letter_date),
        "authority": _authority(case),
        "officer": _officer(case),
        "scheme_names": _and_list([scheme.name for scheme in case.schemes]),
    }
    reference = case.review.reference
    if kind.for_residents:
        return _resident_plans(kind, loaded, letter_date, resident, base)
    if resident is not None:
        raise CaseIncomplete(
            f"--resident {resident}: the {kind.value} letter goes to the provider, not to residents",
            "Leave out --resident; it applies to resident-consent and resident-outcome.",
        )
    context: LetterContext
    if kind is LetterKind.INFORMATION_REQUEST:
        context = _information_request(case, letter_date, base, reference, uses)
    elif kind is LetterKind.INFORMATION_REMINDER:
        context = _information_reminder(case, letter_date, base, reference)
    elif kind is LetterKind.FINDINGS:
        context = _findings(case, letter_date, base, reference, cited)
    else:
        context = _revisit_notice(case, letter_date, base, reference)
    return [LetterPlan(kind=kind, resident=None, context=context)]


def _provider_base(case: Case, base: dict[str, object], reference: str) -> dict[str, object]:
    provider = _provider(case)
    return {
        **base,
        "our_reference": reference,
        "provider": provider,
        "schemes": [_scheme(scheme) for scheme in case.schemes],
    }


def _information_request(
    case: Case,
    letter_date: dt.date,
    base: dict[str, object],
    reference: str,
    uses: frozenset[str] | None,
) -> InformationRequestContext:
    kind = LetterKind.INFORMATION_REQUEST
    request = _require_information_request(case, kind)
    requested = [entry for entry in request.items if entry.requested]
    if not requested:
        raise CaseIncomplete(
            f"{CASE_FILE}: no item in information_request.items is marked requested: true",
            "Mark the para 85 items you are asking for with requested: true (para 84: only "
            "what is relevant).",
        )
    legal_basis = case.review.authority.legal_basis or ""
    if not legal_basis and (uses is None or "legal_basis" in uses):
        raise CaseIncomplete(
            f"{CASE_FILE}: the information request needs the council's legal basis, and none "
            "is recorded",
            "Add legal_basis: (the council's own statement of the legal basis it relies on) "
            "under review.authority in case.yaml; the toolkit never writes it for you.",
        )
    _must_follow(request.due_date, letter_date, "information_request.due_date", kind)
    _warn_if_not_working_day(request.due_date, "information_request.due_date")
    return InformationRequestContext.model_validate(
        {
            **_provider_base(case, base, reference),
            "recipient": _provider_recipient(case, request.sent_to),
            "items": [_item(entry, letter_date) for entry in _para85_order(requested)],
            "due_date": uk_date(request.due_date),
            "how_to_respond": request.how_to_respond,
            "legal_basis": legal_basis,
        }
    )


def _information_reminder(
    case: Case, letter_date: dt.date, base: dict[str, object], reference: str
) -> InformationReminderContext:
    kind = LetterKind.INFORMATION_REMINDER
    request = _require_information_request(case, kind)
    # The letter tells the truth on its own date: what had arrived by then, and no later.
    outstanding = request.outstanding_on(letter_date)
    if not outstanding:
        raise CaseIncomplete(
            f"{CASE_FILE}: nothing requested was outstanding on {letter_date.isoformat()}, so "
            "there is nothing to remind about",
            "Check the status and received_date of each item under information_request.items "
            "in case.yaml; a reminder lists those still outstanding or partly received on its "
            "date.",
        )
    if letter_date <= request.requested_date:
        raise CaseIncomplete(
            f"{CASE_FILE}: the reminder's date {letter_date.isoformat()} is not after the "
            f"request's date {request.requested_date.isoformat()} "
            "(information_request.requested_date)",
            "Give the reminder a later date with --date YYYY-MM-DD, or correct requested_date "
            "in case.yaml.",
        )
    recorded = [reminder for reminder in request.reminders if reminder.date == letter_date]
    if recorded:
        new_due = recorded[-1].new_due_date
        _must_follow(new_due, letter_date, "information_request.reminders.new_due_date", kind)
    else:
        new_due = add_working_days(letter_date, REMINDER_WORKING_DAYS)
    _warn_if_not_working_day(new_due, "the reminder's new due date")
    received = len(request.received_on(letter_date))
    return InformationReminderContext.model_validate(
        {
            **_provider_base(case, base, reference),
            "recipient": _provider_recipient(case, request.sent_to),
            "items": [_item(entry, letter_date) for entry in _para85_order(outstanding)],
            "requested_date": uk_date(request.requested_date),
            "original_due_date": uk_date(request.due_date),
            "new_due_date": uk_date(new_due),
            "received_count": received,
            "how_to_respond": request.how_to_respond,
        }
    )


def _conclusion(case: Case, answer: Answer, cited: CitedPages | None = None
                ) -> ConclusionContext:
    several = len(case.schemes) > 1
    names = [case.scheme_name(scheme) for scheme in answer.schemes or case.scheme_ids()]
    return ConclusionContext(
        question=QUESTIONS[answer.question],
        answer=ANSWERS[answer.conclusion],
        summary=answer.summary,
        schemes=_and_list(names) if several else "",
        evidence=cited.of(answer.id) if cited is not None else "",
    )


def _conclusions(case: Case, cited: CitedPages | None = None
                 ) -> list[tuple[Answer, ConclusionContext]]:
    """Every answer, scheme by scheme (in the order of ``schemes``), questions in order."""
    findings = case.findings
    assert findings is not None
    order = {scheme: index for index, scheme in enumerate(case.scheme_ids())}
    questions = list(Para110Question)

    def key(answer: Answer) -> tuple[int, int]:
        first = min((order[s] for s in answer.schemes if s in order), default=0)
        return first, questions.index(answer.question)

    return [(answer, _conclusion(case, answer, cited))
            for answer in sorted(findings.answers, key=key)]


def _require_complete_findings(case: Case) -> None:
    findings = case.findings
    assert findings is not None
    for scheme in case.schemes:
        for question in Para110Question:
            if not findings.answers_for(scheme.id, question):
                raise CaseIncomplete(
                    f"{CASE_FILE}: the findings do not answer {question.value} for "
                    f"{scheme.name} ({scheme.id})",
                    "Add an answer with question: " + question.value + f" and schemes: "
                    f"[{scheme.id}] under findings.answers in case.yaml (para 110).",
                )


def _require_findings_and_recommendations(case: Case, kind: LetterKind) -> list[Recommendation]:
    if case.findings is None:
        raise CaseIncomplete(
            f"{CASE_FILE}: the {kind.value} letter needs the findings, and the case has none",
            "Add findings: (date and the three para 110 answers: support_tailored, "
            "depiction_accurate, dignity_and_independence) to case.yaml.",
        )
    live = _live_recommendations(case)
    if not live:
        raise CaseIncomplete(
            f"{CASE_FILE}: the {kind.value} letter needs at least one recommendation, and the "
            "case has none (or all are withdrawn)",
            "Add recommendations: (id, recommendation, acknowledge_by, complete_by, status) "
            "to case.yaml (paras 111-118).",
        )
    return live


def _findings(
    case: Case, letter_date: dt.date, base: dict[str, object], reference: str,
    cited: CitedPages | None = None,
) -> FindingsContext:
    kind = LetterKind.FINDINGS
    live = _require_findings_and_recommendations(case, kind)
    assert case.findings is not None
    _require_complete_findings(case)
    _not_before_findings(case, letter_date, kind)
    for rec in live:
        where = dotted(("recommendations", case.recommendations.index(rec)))
        _must_follow(rec.acknowledge_by, letter_date, f"{where}.acknowledge_by", kind)
        _warn_if_not_working_day(rec.acknowledge_by, f"{where}.acknowledge_by")
        _warn_if_not_working_day(rec.complete_by, f"{where}.complete_by")
    conclusions = _conclusions(case, cited)
    first: dict[str, ConclusionContext] = {}
    for answer, context in conclusions:
        first.setdefault(answer.question.value, context)
    revisit = _next_revisit(case, letter_date)
    return FindingsContext.model_validate(
        {
            **_provider_base(case, base, reference),
            "recipient": _provider_recipient(case, None),
            "findings_date": uk_date(case.findings.date),
            "conclusions": [context for _answer, context in conclusions],
            **first,
            "recommendations": [_recommendation(rec, cited) for rec in live],
            "offer_support": case.findings.provider_inexperienced,
            "revisit_date": uk_date(revisit) if revisit else "",
            "bundle": cited.bundle if cited is not None else "",
        }
    )


def _revisit_notice(
    case: Case, letter_date: dt.date, base: dict[str, object], reference: str
) -> RevisitNoticeContext:
    planned = sorted(
        (visit for visit in case.follow_up_visits if visit.status is VisitStatus.PLANNED),
        key=lambda visit: visit.planned_date,
    )
    upcoming = [visit for visit in planned if visit.planned_date > letter_date]
    if not upcoming:
        raise CaseIncomplete(
            f"{CASE_FILE}: the revisit notice needs a planned follow-up visit after "
            f"{letter_date.isoformat()}, and the case has none",
            "Add follow_up_visits: (planned_date, status: planned, recommendations) to "
            "case.yaml (para 119), or give the letter an earlier --date.",
        )
    visit = upcoming[0]
    by_id = {rec.id: rec for rec in _live_recommendations(case)}
    chosen = [by_id[rec_id] for rec_id in visit.recommendations if rec_id in by_id] or list(
        by_id.values()
    )
    if not chosen:
        raise CaseIncomplete(
            f"{CASE_FILE}: the revisit notice needs the recommendations the visit will check, "
            "and the case has none",
            "Add recommendations: to case.yaml and list their ids under the follow-up visit's "
            "recommendations (para 119).",
        )
    _warn_if_not_working_day(visit.planned_date, "the follow-up visit's planned_date")
    return RevisitNoticeContext.model_validate(
        {
            **_provider_base(case, base, reference),
            "recipient": _provider_recipient(case, None),
            "visit_date": uk_date(visit.planned_date),
            "visit_day": uk_day_and_date(visit.planned_date),
            "findings_date": uk_date(case.findings.date) if case.findings else "",
            "recommendations": [_recommendation(rec) for rec in chosen],
        }
    )


def _resident_plans(
    kind: LetterKind,
    loaded: LoadedCase,
    letter_date: dt.date,
    only: str | None,
    base: dict[str, object],
) -> list[LetterPlan]:
    case = loaded.case
    if only is not None and only not in loaded.residents:
        known = ", ".join(sorted(loaded.residents)) or "none"
        raise InputNotFound(
            f"{loaded.root / RESIDENTS_DIR / (only + '.yaml')}: no resident {only} in this case",
            f"Give one of the residents' references ({known}), or leave out --resident.",
        )
    if not loaded.residents:
        raise CaseIncomplete(
            f"{loaded.root / RESIDENTS_DIR}: the {kind.value} letter is for residents, and the "
            "case has none",
            "Add a residents/<REF>.yaml file for each resident (paras 94-100).",
        )
    extra: dict[str, object] = {}
    if kind is LetterKind.RESIDENT_OUTCOME:
        live = _require_findings_and_recommendations(case, kind)
        _not_before_findings(case, letter_date, kind)
        revisit = _next_revisit(case, letter_date)
        extra = {
            "recommendations": [_recommendation(rec) for rec in live],
            "revisit_date": uk_date(revisit) if revisit else "",
        }
    else:
        extra = {"consent_statements": [statement.text for statement in ConsentStatement]}
    model = context_model_for(kind)
    plans = []
    refused: list[str] = []
    unreachable: list[str] = []
    for ref in sorted(loaded.residents):
        if only is not None and ref != only:
            continue
        record = loaded.residents[ref]
        where = unaddressable(record)
        if where is not None:
            if only is not None:
                raise CaseIncomplete(
                    f"{loaded.root / RESIDENTS_DIR / (ref + '.yaml')}: {where}",
                    "Add correspondence: with the resident's room or flat (flat: Room 3; the "
                    "name is optional) to their file; a letter without a name is marked "
                    f"\"{PRIVATE}\".")
            unreachable.append(where)
            continue
        if kind is LetterKind.RESIDENT_CONSENT:
            reason = consent_refusal(record, letter_date)
            if reason is not None:
                refused.append(reason)
                continue
        scheme = _resident_scheme(case, record)
        resident_context, recipient = _resident(record, scheme)
        context = model.model_validate(
            {
                **base,
                "our_reference": f"{case.review.reference}/{ref}",
                "recipient": recipient,
                "resident": resident_context,
                "scheme": _scheme(scheme),
                "scheme_names": scheme.name,
                "provider_name": case.provider.name,
                **extra,
            }
        )
        plans.append(LetterPlan(kind=kind, resident=ref, context=context))
    if refused and not plans:
        raise CaseIncomplete(
            f"{loaded.root / RESIDENTS_DIR}: no consent form written: " + "; ".join(refused),
            "Give the letter the date it was (or will be) handed over, before the resident "
            "signed (--date YYYY-MM-DD), or leave out residents who have already consented.",
        )
    if unreachable and not plans and not refused:
        raise CaseIncomplete(
            f"{loaded.root / RESIDENTS_DIR}: no letter written: " + "; ".join(unreachable),
            "Add correspondence: with each resident's room or flat (flat: Room 3; the name is "
            "optional) to their file.")
    for reason in refused:
        log.warning("consent form not written: %s", reason)
    for reason in unreachable:
        log.warning("letter not written: %s; add their room or flat under correspondence", reason)
    return plans
