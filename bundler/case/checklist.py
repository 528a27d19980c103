"""What is still outstanding in a review, most urgent first.

Pure functions over a validated case: the same case and date always give the
same list, so the checklist can be printed, saved as JSON and compared.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bundler.case.models import (
    Case,
    ConsentMethod,
    ConsentStatement,
    ItemStatus,
    RecommendationStatus,
    Resident,
    VisitStatus,
)
from bundler.case.shortfalls import next_plan_review, resident_shortfalls
from bundler.case.validate import LoadedCase

REVISIT_NOTICE_DAYS = 14


class Category(StrEnum):
    INFORMATION_REQUEST = "information_request"
    CONSENT = "consent"
    INTERVIEW = "interview"
    EVIDENCE = "evidence_checklist"
    SUPPORT_PLAN_REVIEW = "support_plan_review"
    RECOMMENDATION = "recommendation"
    DISPUTE = "dispute"
    REFERRAL = "referral"
    REVISIT = "revisit"
    HAZARD = "hazard"


class Urgency(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    MISSING = "missing"
    WAITING = "waiting"
    NOTE = "note"


_URGENCY_ORDER = {
    Urgency.OVERDUE: 0, Urgency.DUE: 1, Urgency.MISSING: 2, Urgency.WAITING: 3, Urgency.NOTE: 4
}
_CATEGORY_ORDER = {category: index for index, category in enumerate(Category)}


class OutstandingItem(BaseModel):
    """One thing still to chase or do."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Category
    urgency: Urgency
    subject: str = Field(description="Who or what it concerns: Provider, R02, REC-2, RF-1, a scheme.")
    schemes: list[str] = Field(
        default_factory=list, description="The id(s) of the scheme(s) the item concerns."
    )
    item: str = Field(description="What is outstanding, in plain words.")
    paragraph: str = Field(description="The guidance paragraph, e.g. para 85(f).")
    due: dt.date | None = None
    days_overdue: int | None = Field(default=None, ge=1)
    days_waiting: int | None = Field(
        default=None, ge=0, description="Referrals: days since it was made, with no outcome yet."
    )
    action: str = Field(description="What the officer can do next.")


def _sort_key(item: OutstandingItem) -> tuple[int, int, str, int, str, str]:
    overdue = -(item.days_overdue or item.days_waiting or 0)
    due = item.due.isoformat() if item.due else "9999-12-31"
    return (
        _URGENCY_ORDER[item.urgency],
        overdue,
        due,
        _CATEGORY_ORDER[item.category],
        item.subject,
        item.item,
    )


def _dated(
    due: dt.date, as_of: dt.date, soon_days: int | None = None
) -> tuple[Urgency, int | None] | None:
    """Overdue (with days), due soon, or None when not yet due."""
    if due < as_of:
        return Urgency.OVERDUE, (as_of - due).days
    if soon_days is None or (due - as_of).days <= soon_days:
        return Urgency.DUE, None
    return None


def _information_items(loaded: LoadedCase, as_of: dt.date) -> list[OutstandingItem]:
    request = loaded.case.information_request
    if request is None:
        return [
            OutstandingItem(
                category=Category.INFORMATION_REQUEST,
                urgency=Urgency.MISSING,
                subject="Provider",
                item="no information request recorded",
                paragraph="paras 84-85",
                action="Send an information request (bundler letter information-request) and "
                "record it under information_request in case.yaml.",
            )
        ]
    due = request.due_on(as_of)
    items = []
    for entry in request.items:
        status = entry.status_on(as_of)
        if status not in (ItemStatus.OUTSTANDING, ItemStatus.PARTLY_RECEIVED, ItemStatus.DECLINED):
            continue
        what = entry.item.plain_words
        if status is ItemStatus.DECLINED:
            items.append(
                OutstandingItem(
                    category=Category.INFORMATION_REQUEST,
                    urgency=Urgency.NOTE,
                    subject="Provider",
                    item=f"declined to provide {what}",
                    paragraph=entry.item.paragraph,
                    action="Record the reason, and consider whether the findings can rest on "
                    "other evidence (para 146).",
                )
            )
            continue
        partly = status is ItemStatus.PARTLY_RECEIVED
        urgency, overdue = _dated(due, as_of) or (Urgency.DUE, None)
        items.append(
            OutstandingItem(
                category=Category.INFORMATION_REQUEST,
                urgency=urgency,
                subject="Provider",
                item=("partly received: " if partly else "not received: ") + what,
                paragraph=entry.item.paragraph,
                due=due,
                days_overdue=overdue,
                action="Send a reminder (bundler letter information-reminder)."
                if overdue
                else "Wait for the due date, then send a reminder if it has not arrived.",
            )
        )
    return items


def _consent_item(resident: Resident, as_of: dt.date) -> OutstandingItem | None:
    consent = resident.consent
    ref = resident.reference
    scheme = [resident.scheme]
    if consent.method is ConsentMethod.NOT_ASKED:
        return OutstandingItem(
            category=Category.CONSENT, urgency=Urgency.MISSING, subject=ref, schemes=scheme,
            item="consent not asked yet", paragraph="para 97",
            action="Send the consent letter and form (bundler letter resident-consent), then "
            "record the answer under consent. Nothing is asked about the resident until then.",
        )
    if consent.method is ConsentMethod.DECLINED:
        when = f" on {consent.date.isoformat()}" if consent.date else ""
        return OutstandingItem(
            category=Category.CONSENT, urgency=Urgency.NOTE, subject=ref, schemes=scheme,
            item=f"consent declined{when}", paragraph="para 97",
            action="Nothing is asked about this resident. Their records and what they said are "
            "not used unless a legal basis is recorded under disclosures.",
        )
    if consent.withdrawn is not None and consent.withdrawn.date <= as_of:
        withdrawn = consent.withdrawn.withdrawn()
        what = ", ".join(s.value for s in ConsentStatement if s in withdrawn)
        return OutstandingItem(
            category=Category.CONSENT, urgency=Urgency.NOTE, subject=ref, schemes=scheme,
            item=f"consent withdrawn on {consent.withdrawn.date.isoformat()} ({what})",
            paragraph="para 97",
            action="Use nothing the withdrawal covers from this date; check bundles and "
            "letters still to be sent.",
        )
    if consent.date is not None and consent.date > as_of:
        return OutstandingItem(
            category=Category.CONSENT, urgency=Urgency.MISSING, subject=ref, schemes=scheme,
            item=f"consent not given until {consent.date.isoformat()}", paragraph="para 97",
            action="Ask nothing about this resident before then.",
        )
    if consent.method is ConsentMethod.VERBAL:
        return OutstandingItem(
            category=Category.CONSENT, urgency=Urgency.NOTE, subject=ref, schemes=scheme,
            item="verbal consent only (the reason written consent was not possible is recorded)",
            paragraph="para 97",
            action="Offer the consent form again at the next visit (bundler letter "
            "resident-consent); use only what the resident agreed to.",
        )
    return None


def _resident_items(
    resident: Resident, loaded: LoadedCase, as_of: dt.date, soon: int | None = REVISIT_NOTICE_DAYS
) -> list[OutstandingItem]:
    """Consent, interview and the individual evidence checklist (paras 94-100). Nothing is
    chased beyond what the resident agreed to on ``as_of``."""
    ref = resident.reference
    scheme = [resident.scheme]
    items: list[OutstandingItem] = []
    consent_item = _consent_item(resident, as_of)
    if consent_item is not None:
        items.append(consent_item)
    agreed = resident.consent.agreed_on(as_of)
    if resident.interview is None and ConsentStatement.INTERVIEW in agreed:
        items.append(OutstandingItem(
            category=Category.INTERVIEW, urgency=Urgency.MISSING, subject=ref, schemes=scheme,
            item="no interview recorded", paragraph="paras 94-98",
            action="Arrange a person-centred interview and record its date and notes.",
        ))
    months = loaded.case.review.support_plan_review_months
    for shortfall in resident_shortfalls(resident, months, as_of):
        if shortfall.due is not None:
            continue  # the plan review is dated: listed below with its days overdue
        items.append(OutstandingItem(
            category=Category.EVIDENCE, urgency=Urgency.MISSING, subject=ref, schemes=scheme,
            item=shortfall.what, paragraph=shortfall.paragraph,
            action=f"Ask the provider for {shortfall.ask}."
            if shortfall.ask else "Raise it with the provider; consider a recommendation.",
        ))
    plan = resident.evidence.support_plan
    if plan is None or ConsentStatement.RECORDS not in agreed:
        return items
    next_review = next_plan_review(plan, months)
    state = _dated(next_review, as_of, soon_days=soon)
    if state is not None:
        urgency, overdue = state
        last = "last reviewed" if plan.reviews else "started"
        age = (as_of - plan.last_reviewed).days
        items.append(OutstandingItem(
            category=Category.SUPPORT_PLAN_REVIEW, urgency=urgency, subject=ref, schemes=scheme,
            item=f"support plan not reviewed for {age} days ({last} "
            f"{plan.last_reviewed.isoformat()}; reviews expected every {months} months)",
            paragraph="paras 98-100", due=next_review, days_overdue=overdue,
            action="Ask the provider for evidence of a current review; consider a "
            "recommendation.",
        ))
    return items


def _open(status: RecommendationStatus) -> bool:
    return status not in (RecommendationStatus.COMPLETED, RecommendationStatus.WITHDRAWN)


def _recommendation_items(
    loaded: LoadedCase, as_of: dt.date, soon: int | None = REVISIT_NOTICE_DAYS
) -> list[OutstandingItem]:
    case = loaded.case
    items = []
    for rec in case.recommendations:
        schemes = case.recommendation_schemes(rec)
        dispute = rec.dispute if rec.dispute is not None and rec.dispute.date <= as_of else None
        decided = dispute is not None and dispute.outcome_date is not None and dispute.outcome_date <= as_of
        if dispute is not None and not decided:
            items.append(OutstandingItem(
                category=Category.DISPUTE, urgency=Urgency.WAITING, subject=rec.id,
                schemes=schemes,
                item=f"disputed by the provider on {dispute.date.isoformat()}: {dispute.grounds}",
                paragraph="para 144", days_waiting=(as_of - dispute.date).days,
                action="Consider the provider's grounds, decide (upheld, amended or withdrawn) "
                "and record the outcome under the recommendation's dispute.",
            ))
            continue
        if not _open(rec.status):
            continue
        deadlines = [
            (
                rec.complete_by,
                "not yet completed and evidenced",
                "paras 117-118",
                "Ask the provider for evidence of completion; check at the revisit (para 119).",
            )
        ]
        acknowledged = rec.acknowledged_on is not None and rec.acknowledged_on <= as_of
        if rec.status is RecommendationStatus.SENT or (
            rec.status is RecommendationStatus.ACKNOWLEDGED and not acknowledged
        ):
            deadlines.insert(
                0,
                (
                    rec.acknowledge_by,
                    "not yet acknowledged by the provider",
                    "para 117",
                    "Contact the provider to ask for the acknowledgement.",
                ),
            )
        for due, what, paragraph, action in deadlines:
            state = _dated(due, as_of, soon_days=soon)
            if state is None:
                continue
            urgency, overdue = state
            items.append(OutstandingItem(
                category=Category.RECOMMENDATION, urgency=urgency, subject=rec.id,
                schemes=schemes, item=what, paragraph=paragraph, due=due,
                days_overdue=overdue, action=action,
            ))
    return items


def _referral_items(case: Case, as_of: dt.date) -> list[OutstandingItem]:
    items = []
    for referral in case.referrals:
        closed = referral.outcome is not None and referral.outcome.date <= as_of
        if closed or referral.date > as_of:
            continue
        waiting = (as_of - referral.date).days
        reference = f" (their reference {referral.reference})" if referral.reference else ""
        response = referral.response if referral.response and referral.response.date <= as_of else None
        replied = f"; replied {response.date.isoformat()}" if response else ""
        state = (
            _dated(referral.response_due, as_of)
            if referral.response_due is not None and response is None
            else None
        )
        urgency, overdue = state if state and state[0] is Urgency.OVERDUE else (Urgency.WAITING, None)
        items.append(OutstandingItem(
            category=Category.REFERRAL, urgency=urgency, subject=referral.id,
            schemes=list(referral.schemes),
            item=f"referred to {referral.agency_text} on {referral.date.isoformat()}"
            f"{reference}: {referral.what}; no outcome yet{replied}",
            paragraph=referral.paragraph or "para 146",
            due=referral.response_due if response is None else None,
            days_overdue=overdue, days_waiting=waiting,
            action="Chase the agency for its response." if overdue
            else "Record the response and the outcome under the referral when they arrive.",
        ))
    return items


def _revisit_items(
    loaded: LoadedCase, as_of: dt.date, soon: int | None = REVISIT_NOTICE_DAYS
) -> list[OutstandingItem]:
    case = loaded.case
    items = []
    planned = [v for v in case.follow_up_visits if v.status is VisitStatus.PLANNED]
    open_recs = [r for r in case.recommendations if _open(r.status)]
    covered = {scheme for visit in planned for scheme in case.visit_schemes(visit)}
    uncovered = sorted(
        {scheme for rec in open_recs for scheme in case.recommendation_schemes(rec)} - covered
    )
    for scheme in uncovered:
        items.append(OutstandingItem(
            category=Category.REVISIT, urgency=Urgency.MISSING, subject=case.scheme_name(scheme),
            schemes=[scheme],
            item="no revisit planned to check progress on the recommendations",
            paragraph="para 119",
            action="Plan a revisit and add it under follow_up_visits.",
        ))
    for visit in planned:
        state = _dated(visit.planned_date, as_of, soon_days=soon)
        if state is None:
            continue
        urgency, overdue = state
        schemes = case.visit_schemes(visit)
        items.append(OutstandingItem(
            category=Category.REVISIT, urgency=urgency,
            subject=", ".join(case.scheme_name(scheme) for scheme in schemes), schemes=schemes,
            item="revisit " + ("overdue" if overdue else f"planned for {visit.planned_date.isoformat()}"),
            paragraph="para 119", due=visit.planned_date, days_overdue=overdue,
            action="Send the revisit notice (bundler letter revisit-notice) and record the "
            "visit when done.",
        ))
    for site_visit in case.site_visits:
        for hazard in site_visit.hazards:
            inspected = hazard.inspection is not None and hazard.inspection.date <= as_of
            if hazard.full_inspection_required and not inspected:
                items.append(OutstandingItem(
                    category=Category.HAZARD, urgency=Urgency.NOTE,
                    subject=case.scheme_name(site_visit.scheme), schemes=[site_visit.scheme],
                    item=f"hazard logged {site_visit.date.isoformat()}: {hazard.description} "
                    f"({hazard.location}); full inspection to follow",
                    paragraph="para 88",
                    action="Record the detailed inspection (date, by whom, outcome) under the "
                    "hazard's inspection"
                    + (f" ({hazard.referred_to})." if hazard.referred_to else "."),
                ))
    return items


def outstanding_items(
    loaded: LoadedCase, as_of: dt.date, *, soon_days: int | None = REVISIT_NOTICE_DAYS
) -> list[OutstandingItem]:
    """Everything outstanding on ``as_of``, most urgent first.

    Dated items (plan reviews, recommendations, revisits) are listed once they are due within
    ``soon_days``; ``None`` lists every one however far ahead (the register's deadlines).
    """
    items = _information_items(loaded, as_of)
    for ref in sorted(loaded.residents):
        items.extend(_resident_items(loaded.residents[ref], loaded, as_of, soon_days))
    items.extend(_recommendation_items(loaded, as_of, soon_days))
    items.extend(_referral_items(loaded.case, as_of))
    items.extend(_revisit_items(loaded, as_of, soon_days))
    return sorted(items, key=_sort_key)


def _urgency_text(item: OutstandingItem) -> str:
    if item.urgency is Urgency.OVERDUE:
        return f"OVERDUE {item.days_overdue}d"
    if item.urgency is Urgency.WAITING:
        return f"WAITING {item.days_waiting}d"
    return item.urgency.value.upper()


def render_table(loaded: LoadedCase, items: list[OutstandingItem], as_of: dt.date) -> str:
    """A plain-text table for people, most urgent first."""
    review = loaded.case.review
    header = f"Outstanding for {review.reference} as of {as_of.isoformat()}: {len(items)} item" + (
        "" if len(items) == 1 else "s"
    )
    if not items:
        return header + "\nNothing is outstanding."
    widths = (3, 13, 16, 54, 10, 13)
    titles = ("#", "Urgency", "Who", "Outstanding", "Due", "Guidance")
    rows = [header, "", _row(titles, widths), _row(tuple("-" * w for w in widths), widths)]
    for number, item in enumerate(items, start=1):
        cells = (
            str(number),
            _urgency_text(item),
            item.subject,
            item.item,
            item.due.isoformat() if item.due else "",
            item.paragraph,
        )
        rows.append(_row(cells, widths))
        indent = " " * (sum(widths[:3]) + 2 * 3)
        rows.extend(
            textwrap.wrap(
                "-> " + item.action,
                width=110,
                initial_indent=indent,
                subsequent_indent=indent + "   ",
                break_on_hyphens=False,
            )
        )
    return "\n".join(rows)


def _row(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    wrapped = [textwrap.wrap(cell, width) or [""] for cell, width in zip(cells, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    out = []
    for line_no in range(height):
        parts = [
            (lines[line_no] if line_no < len(lines) else "").ljust(width)
            for lines, width in zip(wrapped, widths, strict=True)
        ]
        out.append("  ".join(parts).rstrip())
    return "\n".join(out)
