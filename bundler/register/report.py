"""The report for members: what the reviews found and did over a period.

Counts only what the case records hold, dated within the period: reviews opened
and done (findings dated in it), the para 110 answers of those reviews for each
scheme, the recommendations made, completed and overdue (paras 111-119), the
referrals and escalations made to other agencies, and results by scheme (para
112: results logged by scheme). Case folders whose records do not validate are
named and left out, never guessed at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bundler.case.models import Conclusion, RecommendationStatus
from bundler.errors import BadInput
from bundler.register.cases import QUESTIONS, CaseState, scheme_answers


class Period(BaseModel):
    """The dates a report covers, both included."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _in_order(self) -> Period:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")
        return self

    def holds(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    @property
    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def period(start: dt.date | None, end: dt.date | None, today: dt.date) -> Period:
    """The period asked for: by default the twelve months up to ``today``."""
    last = end or today
    if start is not None:
        first = start
    else:  # the day after the same date a year earlier (28 February for 29 February)
        first = last.replace(year=last.year - 1, day=min(last.day, 28 if last.month == 2 else 31))
        first += dt.timedelta(days=1)
    if last < first:
        raise BadInput(
            f"the period ends ({last.isoformat()}) before it starts ({first.isoformat()})",
            "Give a start date before the end date.",
        )
    return Period(start=first, end=last)


class QuestionOutcome(BaseModel):
    """For how many schemes reviewed one para 110 question was answered yes, partly or no."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str
    title: str
    yes: int = Field(ge=0)
    partly: int = Field(ge=0)
    no: int = Field(ge=0)


class SchemeResult(BaseModel):
    """One scheme's para 110 answers from one review (para 112: results by scheme)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scheme: str
    reference: str
    provider: str
    findings_date: dt.date
    answers: dict[str, Conclusion | None] = Field(description="None: not answered for it yet.")
    recommendations: int = Field(ge=0, description="Recommendations naming this scheme.")


class RecommendationCounts(BaseModel):
    """What became of the recommendations (paras 111-119)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    made: int = Field(ge=0, description="In reviews whose findings are dated in the period.")
    completed: int = Field(ge=0, description="Completed in the period.")
    completed_late: int = Field(ge=0, description="Of those, completed after their complete-by date.")
    overdue: int = Field(
        ge=0, description="Open at the end of the period (or today) past their complete-by date."
    )
    open: int = Field(ge=0, description="Open at the end of the period, not yet overdue.")


class MembersReport(BaseModel):
    """The report for members over one period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    period: Period
    authority: str | None = Field(
        default=None, description="The council named by the cases counted (when they agree)."
    )
    as_of: dt.date = Field(description="Overdue is counted to this date (the period's end, or today).")
    cases: int = Field(ge=0, description="Case folders counted.")
    reviews_opened: int = Field(ge=0)
    reviews_done: int = Field(ge=0, description="Reviews whose findings (para 110) are dated in the period.")
    schemes_reviewed: int = Field(ge=0, description="The schemes those reviews cover.")
    outcomes: list[QuestionOutcome]
    recommendations: RecommendationCounts
    referrals: int = Field(ge=0, description="Referrals and escalations to other agencies made in the period.")
    referrals_by_agency: dict[str, int] = Field(description="Those referrals, by agency.")
    referrals_open: int = Field(ge=0, description="Of those, still without an outcome at the end.")
    results: list[SchemeResult] = Field(description="By scheme, oldest findings first (para 112).")
    left_out: list[str] = Field(
        description="Case folders whose records have problems and are not counted."
    )


def members_report(states: Sequence[CaseState], span: Period, today: dt.date) -> MembersReport:
    """Count what the valid cases' records hold for ``span``."""
    as_of = min(span.end, today)
    tallies = {key: dict.fromkeys(Conclusion, 0) for key, _title in QUESTIONS}
    opened = done = schemes = made = completed = late = overdue = still_open = 0
    referrals = open_referrals = 0
    agencies: dict[str, int] = {}
    results: list[SchemeResult] = []
    closed = (RecommendationStatus.COMPLETED, RecommendationStatus.WITHDRAWN)
    for state in states:
        if state.loaded is None:
            continue
        case = state.loaded.case
        opened += span.holds(case.review.opened)
        findings = case.findings
        if findings is not None and span.holds(findings.date):
            done += 1
            made += len(case.recommendations)
            for scheme in case.schemes:
                schemes += 1
                answers = scheme_answers(findings, scheme.id)
                for key, conclusion in answers.items():
                    if conclusion is not None:
                        tallies[key][conclusion] += 1
                results.append(SchemeResult(
                    scheme=scheme.name,
                    reference=case.review.reference,
                    provider=case.provider.name,
                    findings_date=findings.date,
                    answers=answers,
                    recommendations=sum(1 for rec in case.recommendations
                                        if scheme.id in case.recommendation_schemes(rec)),
                ))
        for rec in case.recommendations:
            if rec.status is RecommendationStatus.COMPLETED and span.holds(rec.completed_on):
                completed += 1
                late += bool(rec.completed_on and rec.completed_on > rec.complete_by)
            done_by_then = rec.status in closed and (
                rec.completed_on is None or rec.completed_on <= as_of
            )
            made_by_then = findings is not None and findings.date <= as_of
            if made_by_then and not done_by_then:
                if rec.complete_by < as_of:
                    overdue += 1
                else:
                    still_open += 1
        for referral in case.referrals:
            if span.holds(referral.date):
                referrals += 1
                agencies[referral.agency_text] = agencies.get(referral.agency_text, 0) + 1
                open_referrals += referral.outcome is None or referral.outcome.date > as_of
    authorities = {
        state.loaded.case.review.authority.name for state in states if state.loaded is not None
    }
    return MembersReport(
        period=span,
        authority=authorities.pop() if len(authorities) == 1 else None,
        as_of=as_of,
        cases=sum(1 for state in states if state.loaded is not None),
        reviews_opened=opened,
        reviews_done=done,
        schemes_reviewed=schemes,
        outcomes=[
            QuestionOutcome(
                question=key,
                title=title,
                yes=tallies[key][Conclusion.YES],
                partly=tallies[key][Conclusion.PARTLY],
                no=tallies[key][Conclusion.NO],
            )
            for key, title in QUESTIONS
        ],
        recommendations=RecommendationCounts(
            made=made, completed=completed, completed_late=late, overdue=overdue, open=still_open
        ),
        referrals=referrals,
        referrals_by_agency=dict(sorted(agencies.items())),
        referrals_open=open_referrals,
        results=sorted(results, key=lambda r: (r.findings_date, r.scheme, r.reference)),
        left_out=[state.folder.id for state in states if state.loaded is None],
    )
