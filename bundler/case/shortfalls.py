"""What the individual evidence checklist found for a resident on a date (paras 98-100).

A shortfall is a *finding*, not an error: a licence that has expired or was never signed,
an assessment or support plan that is not on file, a plan that is not outcome-based or
not reviewed within the months the council expects. The records hold it as it is;
``bundler validate`` shows each as a note on the line it concerns, ``bundler checklist``
lists it (and asks the provider for what is missing only when the resident agreed to
their records being looked at), and letters and bundles go ahead.

Residents whose consent does not cover their records on the date have no evidence
shortfalls: what is not looked at cannot be found missing (para 97).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bundler.case.models import AssessmentKind, ConsentStatement, Loc, Resident, SupportPlan


@dataclass(frozen=True)
class Shortfall:
    """One thing the individual evidence checklist found (paras 98-100)."""

    loc: Loc
    """Where in the resident's file it shows."""
    what: str
    """The finding in plain words, e.g. 'no risk assessment on file'."""
    paragraph: str
    ask: str | None = None
    """What to ask the provider for, when something is missing or out of date."""
    due: dt.date | None = None
    """For a support plan review: when it fell due."""


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)  # unreachable


def next_plan_review(plan: SupportPlan, months: int) -> dt.date:
    """When the support plan's next review falls due."""
    return add_months(plan.last_reviewed, months)


def records_agreed(resident: Resident, on: dt.date) -> bool:
    return ConsentStatement.RECORDS in resident.consent.agreed_on(on)


def resident_shortfalls(resident: Resident, months: int, on: dt.date) -> list[Shortfall]:
    """The evidence checklist's findings for ``resident`` on ``on``, in checklist order."""
    if not records_agreed(resident, on):
        return []
    found: list[Shortfall] = []
    evidence = resident.evidence
    agreement = evidence.occupancy_agreement
    if agreement is None:
        found.append(Shortfall(("evidence",), "no licence or tenancy agreement on file", "para 98",
                               "the signed, current licence or tenancy agreement"))
    else:
        kind = agreement.kind.value
        where: Loc = ("evidence", "occupancy_agreement")
        if not agreement.signed:
            found.append(Shortfall((*where, "signed"), f"the {kind} agreement is not signed",
                                   "para 98", f"a copy of the {kind} signed by the resident"))
        if agreement.end_date is not None and agreement.end_date < on:
            found.append(Shortfall(
                (*where, "end_date"),
                f"the {kind} expired on {agreement.end_date.isoformat()}; no current agreement "
                "is on file",
                "para 98",
                f"the resident's current {kind} agreement, or confirmation of the basis on "
                "which they now occupy",
            ))
    kinds = {assessment.kind for assessment in evidence.assessments}
    for kind_needed in (AssessmentKind.NEEDS, AssessmentKind.RISK):
        if kind_needed not in kinds:
            found.append(Shortfall(("evidence",), f"no {kind_needed.value} assessment on file",
                                   "para 98", f"the resident's {kind_needed.value} assessment"))
    if evidence.referral is None:
        found.append(Shortfall(("evidence",), "no referral information on file", "para 98",
                               "how and by whom the resident was referred"))
    plan = evidence.support_plan
    if plan is None:
        found.append(Shortfall(("evidence",), "no support plan on file", "paras 98-100",
                               "the resident's outcome-based support plan"))
        return found
    if not plan.outcome_based:
        found.append(Shortfall(("evidence", "support_plan", "outcome_based"),
                               "the support plan is not outcome-based", "para 98"))
    due = next_plan_review(plan, months)
    if due < on:
        last = "last reviewed" if plan.reviews else "started"
        found.append(Shortfall(
            ("evidence", "support_plan"),
            f"the support plan has not been reviewed for {(on - plan.last_reviewed).days} days "
            f"({last} {plan.last_reviewed.isoformat()}; reviews expected every {months} months)",
            "paras 98-100",
            "evidence of a current review of the support plan",
            due,
        ))
    return found
