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
    AssessmentKind,
    ItemStatus,
    RecommendationStatus,
    Resident,
    VisitStatus,
)
from bundler.case.validate import LoadedCase

REVISIT_NOTICE_DAYS = 14


class Category(StrEnum):
    INFORMATION_REQUEST = "information_request"
    CONSENT = "consent"
    INTERVIEW = "interview"
    EVIDENCE = "evidence_checklist"
    SUPPORT_PLAN_REVIEW = "support_plan_review"
    RECOMMENDATION = "recommendation"
    REVISIT = "revisit"
    HAZARD = "hazard"


class Urgency(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    MISSING = "missing"
    NOTE = "note"


_URGENCY_ORDER = {Urgency.OVERDUE: 0, Urgency.DUE: 1, Urgency.MISSING: 2, Urgency.NOTE: 3}
_CATEGORY_ORDER = {category: index for index, category in enumerate(Category)}


class OutstandingItem(BaseModel):
    """One thing still to chase or do."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Category
    urgency: Urgency
    subject: str = Field(description="Who or what it concerns: Provider, R02, REC-2, a scheme.")
    item: str = Field(description="What is outstanding, in plain words.")
    paragraph: str = Field(description="The guidance paragraph, e.g. para 85(f).")
    due: dt.date | None = None
    days_overdue: int | None = Field(default=None, ge=1)
    action: str = Field(description="What the officer can do next.")


def _sort_key(item: OutstandingItem) -> tuple[int, int, str, int, str, str]:
    overdue = -(item.days_overdue or 0)
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


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)  # unreachable


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
    due = max([request.due_date, *(r.new_due_date for r in request.reminders)])
    items = []
    for entry in request.items:
        if entry.status not in (ItemStatus.OUTSTANDING, ItemStatus.PARTLY_RECEIVED, ItemStatus.DECLINED):
            continue
        what = entry.item.plain_words
        if entry.status is ItemStatus.DECLINED:
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
        partly = entry.status is ItemStatus.PARTLY_RECEIVED
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


def _resident_items(resident: Resident, loaded: LoadedCase, as_of: dt.date) -> list[OutstandingItem]:
    ref = resident.reference
    items: list[OutstandingItem] = []

    def missing(category: Category, what: str, paragraph: str, action: str) -> None:
        items.append(
            OutstandingItem(
                category=category,
                urgency=Urgency.MISSING,
                subject=ref,
                item=what,
                paragraph=paragraph,
                action=action,
            )
        )

    if not resident.consent.obtained_in_writing:
        items.append(
            OutstandingItem(
                category=Category.CONSENT,
                urgency=Urgency.NOTE,
                subject=ref,
                item="no written consent (reason recorded)",
                paragraph="para 97",
                action="Offer the consent form again at the next visit "
                "(bundler letter resident-consent); use only what the resident agreed to share.",
            )
        )
    if resident.interview is None:
        missing(
            Category.INTERVIEW,
            "no interview recorded",
            "paras 94-98",
            "Arrange a person-centred interview and record its date and notes.",
        )
    checklist = resident.evidence
    agreement = checklist.occupancy_agreement
    if agreement is None:
        missing(
            Category.EVIDENCE,
            "no licence or tenancy agreement on file",
            "para 98",
            "Ask the provider for the signed, current agreement.",
        )
    elif not agreement.signed:
        missing(
            Category.EVIDENCE,
            f"{agreement.kind.value} agreement is not signed",
            "para 98",
            "Ask the provider for a copy signed by the resident.",
        )
    kinds = {assessment.kind for assessment in checklist.assessments}
    for kind in (AssessmentKind.NEEDS, AssessmentKind.RISK):
        if kind not in kinds:
            missing(
                Category.EVIDENCE,
                f"no {kind.value} assessment on file",
                "para 98",
                f"Ask the provider for the resident's {kind.value} assessment.",
            )
    if checklist.referral is None:
        missing(
            Category.EVIDENCE,
            "no referral information on file",
            "para 98",
            "Ask the provider how and by whom the resident was referred.",
        )
    plan = checklist.support_plan
    if plan is None:
        missing(
            Category.EVIDENCE,
            "no support plan on file",
            "paras 98-100",
            "Ask the provider for the resident's outcome-based support plan.",
        )
        return items
    if not plan.outcome_based:
        missing(
            Category.EVIDENCE,
            "support plan is not outcome-based",
            "para 98",
            "Raise it with the provider; consider a recommendation.",
        )
    months = loaded.case.review.support_plan_review_months
    next_review = _add_months(plan.last_reviewed, months)
    state = _dated(next_review, as_of, soon_days=REVISIT_NOTICE_DAYS)
    if state is not None:
        urgency, overdue = state
        last = "last reviewed" if plan.reviews else "started"
        age = (as_of - plan.last_reviewed).days
        items.append(
            OutstandingItem(
                category=Category.SUPPORT_PLAN_REVIEW,
                urgency=urgency,
                subject=ref,
                item=f"support plan not reviewed for {age} days ({last} "
                f"{plan.last_reviewed.isoformat()}; reviews expected every {months} months)",
                paragraph="paras 98-100",
                due=next_review,
                days_overdue=overdue,
                action="Ask the provider for evidence of a current review; consider a "
                "recommendation.",
            )
        )
    return items


def _recommendation_items(loaded: LoadedCase, as_of: dt.date) -> list[OutstandingItem]:
    items = []
    for rec in loaded.case.recommendations:
        if rec.status in (RecommendationStatus.COMPLETED, RecommendationStatus.WITHDRAWN):
            continue
        deadlines = [
            (
                rec.complete_by,
                "not yet completed and evidenced",
                "paras 117-118",
                "Ask the provider for evidence of completion; check at the revisit (para 119).",
            )
        ]
        if rec.status is RecommendationStatus.SENT:
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
            state = _dated(due, as_of, soon_days=REVISIT_NOTICE_DAYS)
            if state is None:
                continue
            urgency, overdue = state
            items.append(
                OutstandingItem(
                    category=Category.RECOMMENDATION,
                    urgency=urgency,
                    subject=rec.id,
                    item=what,
                    paragraph=paragraph,
                    due=due,
                    days_overdue=overdue,
                    action=action,
                )
            )
    return items


def _revisit_items(loaded: LoadedCase, as_of: dt.date) -> list[OutstandingItem]:
    case = loaded.case
    items = []
    planned = [v for v in case.follow_up_visits if v.status is VisitStatus.PLANNED]
    open_recs = [
        r for r in case.recommendations
        if r.status not in (RecommendationStatus.COMPLETED, RecommendationStatus.WITHDRAWN)
    ]
    if open_recs and not planned:
        items.append(
            OutstandingItem(
                category=Category.REVISIT,
                urgency=Urgency.MISSING,
                subject=case.schemes[0].name,
                item="no revisit planned to check progress on the recommendations",
                paragraph="para 119",
                action="Plan a revisit and add it under follow_up_visits.",
            )
        )
    for visit in planned:
        state = _dated(visit.planned_date, as_of, soon_days=REVISIT_NOTICE_DAYS)
        if state is None:
            continue
        urgency, overdue = state
        items.append(
            OutstandingItem(
                category=Category.REVISIT,
                urgency=urgency,
                subject=case.schemes[0].name,
                item="revisit " + ("overdue" if overdue else "due soon"),
                paragraph="para 119",
                due=visit.planned_date,
                days_overdue=overdue,
                action="Send the revisit notice (bundler letter revisit-notice) and record the "
                "visit when done.",
            )
        )
    for site_visit in case.site_visits:
        for hazard in site_visit.hazards:
            if hazard.full_inspection_required:
                items.append(
                    OutstandingItem(
                        category=Category.HAZARD,
                        urgency=Urgency.NOTE,
                        subject=case.schemes[0].name,
                        item=f"hazard logged {site_visit.date.isoformat()}: {hazard.description} "
                        f"({hazard.location}); full inspection to follow",
                        paragraph="para 88",
                        action="Confirm the detailed inspection took place"
                        + (f" ({hazard.referred_to})." if hazard.referred_to else "."),
                    )
                )
    return items


def outstanding_items(loaded: LoadedCase, as_of: dt.date) -> list[OutstandingItem]:
    """Everything outstanding on ``as_of``, most urgent first."""
    items = _information_items(loaded, as_of)
    for ref in sorted(loaded.residents):
        items.extend(_resident_items(loaded.residents[ref], loaded, as_of))
    items.extend(_recommendation_items(loaded, as_of))
    items.extend(_revisit_items(loaded, as_of))
    return sorted(items, key=_sort_key)


def _urgency_text(item: OutstandingItem) -> str:
    if item.urgency is Urgency.OVERDUE:
        return f"OVERDUE {item.days_overdue}d"
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
