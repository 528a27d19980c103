"""The dates letters refuse, each message exactly (bundler.letters.context): a letter never
reports what had not happened by its date, nor asks for consent already given or taken back.
Dates are read from the sample case's records, so the tests follow the sample."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from bundler.case.models import (
    ConsentMethod,
    ItemStatus,
    RecommendationStatus,
    VisitStatus,
    Withdrawal,
)
from bundler.case.validate import LoadedCase, load_valid_case
from bundler.errors import CaseIncomplete
from bundler.letters.context import LetterKind, build_contexts, consent_refusal

DAY = dt.timedelta(days=1)


def refusal(case_dir: Path, kind: LetterKind, when: dt.date) -> str:
    with pytest.raises(CaseIncomplete) as caught:
        build_contexts(kind, load_valid_case(case_dir), when)
    return caught.value.message


@pytest.mark.parametrize("kind", [LetterKind.FINDINGS, LetterKind.RESIDENT_OUTCOME])
def test_a_letter_dated_before_the_findings_is_refused(sample_case: Path,
                                                       kind: LetterKind) -> None:
    findings = load_valid_case(sample_case).case.findings
    assert findings is not None
    assert refusal(sample_case, kind, findings.date - DAY) == (
        f"{sample_case / 'case.yaml'}: the {kind.value} letter dated {(findings.date - DAY).isoformat()} would "
        f"report findings not made until {findings.date.isoformat()} (findings.date)")
    with pytest.raises(CaseIncomplete) as caught:
        build_contexts(kind, load_valid_case(sample_case), findings.date - DAY)
    assert caught.value.hint == ("Date the letter on or after the findings date (--date "
                                 "YYYY-MM-DD), or correct findings.date in case.yaml.")
    assert build_contexts(kind, load_valid_case(sample_case), findings.date)


def test_a_revisit_notice_needs_a_visit_after_its_date(sample_case: Path) -> None:
    case = load_valid_case(sample_case).case
    last = max(visit.planned_date for visit in case.follow_up_visits)
    assert refusal(sample_case, LetterKind.REVISIT_NOTICE, last) == (
        f"{sample_case / 'case.yaml'}: the revisit notice needs a planned follow-up visit after "
        f"{last.isoformat()}, and the case has none")
    (plan,) = build_contexts(LetterKind.REVISIT_NOTICE, load_valid_case(sample_case),
                             last - DAY)
    context = plan.context.model_dump()
    assert (context["visit_date"], context["visit_day"]) == (
        f"{last.day} {last:%B %Y}", f"{last:%A} {last.day} {last:%B %Y}")


def test_a_consent_form_is_not_asked_for_again(sample_case: Path) -> None:
    r01 = load_valid_case(sample_case).residents["R01"]
    signed = r01.consent.date
    assert r01.consent.method is ConsentMethod.WRITTEN and signed is not None
    assert consent_refusal(r01, signed - DAY) is None  # the form that was signed
    assert consent_refusal(r01, signed) == (
        f"R01 signed the consent form on {signed.isoformat()}, before this letter's date "
        f"{signed.isoformat()}; a consent form dated later would ask for consent already given")
    taken_back = signed + 10 * DAY
    r01 = r01.model_copy(update={"consent": r01.consent.model_copy(
        update={"withdrawn": Withdrawal(date=taken_back)})})
    assert [consent_refusal(r01, day) for day in (taken_back - DAY, taken_back)] == [
        f"R01 signed the consent form on {signed.isoformat()}, before this letter's date "
        f"{(taken_back - DAY).isoformat()}; a consent form dated later would ask for consent "
        "already given",
        f"R01 withdrew consent on {taken_back.isoformat()}; do not ask again by letter unless "
        "the resident asks"]
    verbal = r01.model_copy(update={"consent": r01.consent.model_copy(
        update={"method": ConsentMethod.VERBAL})})
    assert consent_refusal(verbal, taken_back) is None


def _changed(case_dir: Path, **request_update: object) -> LoadedCase:
    """The sample case with its information request changed."""
    loaded = load_valid_case(case_dir)
    request = loaded.case.information_request
    assert request is not None
    return dataclasses.replace(loaded, case=loaded.case.model_copy(update={
        "information_request": request.model_copy(update=request_update)}))


def _refused(loaded: LoadedCase, kind: LetterKind, when: dt.date) -> tuple[str, str | None]:
    with pytest.raises(CaseIncomplete) as caught:
        build_contexts(kind, loaded, when)
    return caught.value.message, caught.value.hint


def test_each_refusal_of_a_provider_letter_says_what_to_do(sample_case: Path) -> None:
    shown = f"{sample_case / 'case.yaml'}"
    request = load_valid_case(sample_case).case.information_request
    assert request is not None
    received = [item.model_copy(update={"status": ItemStatus.RECEIVED,
                                        "received_date": request.requested_date + DAY})
                for item in request.items]
    unrequested = [item.model_copy(update={"requested": False}) for item in request.items]
    reminder = request.reminders[0]
    late = request.model_copy(update={"reminders": [reminder.model_copy(
        update={"new_due_date": reminder.date})]}).reminders
    assert [
        _refused(_changed(sample_case, items=unrequested), LetterKind.INFORMATION_REQUEST,
                 request.requested_date),
        _refused(_changed(sample_case), LetterKind.INFORMATION_REQUEST, request.due_date),
        _refused(_changed(sample_case, items=received), LetterKind.INFORMATION_REMINDER,
                 reminder.date),
        _refused(_changed(sample_case), LetterKind.INFORMATION_REMINDER,
                 request.requested_date),
        _refused(_changed(sample_case, reminders=late), LetterKind.INFORMATION_REMINDER,
                 reminder.date),
    ] == [
        (f"{shown}: no item in information_request.items is marked requested: true",
         "Mark the para 85 items you are asking for with requested: true (para 84: only what "
         "is relevant)."),
        (f"{shown}: information_request.due_date {request.due_date.isoformat()} is not after "
         f"the information-request letter's date {request.due_date.isoformat()}",
         "Set a later due_date in case.yaml, or give the letter an earlier date with --date "
         "YYYY-MM-DD."),
        (f"{shown}: nothing requested was outstanding on {reminder.date.isoformat()}, so there "
         "is nothing to remind about",
         "Check the status and received_date of each item under information_request.items in "
         "case.yaml; a reminder lists those still outstanding or partly received on its date."),
        (f"{shown}: the reminder's date {request.requested_date.isoformat()} is not after the "
         f"request's date {request.requested_date.isoformat()} "
         "(information_request.requested_date)",
         "Give the reminder a later date with --date YYYY-MM-DD, or correct requested_date in "
         "case.yaml."),
        (f"{shown}: information_request.reminders.new_due_date {reminder.date.isoformat()} is "
         f"not after the information-reminder letter's date {reminder.date.isoformat()}",
         "Set a later new_due_date in case.yaml, or give the letter an earlier date with "
         "--date YYYY-MM-DD."),
    ]


def _with_visit(case_dir: Path, recommendations: list[str],
                withdraw_all: bool = False) -> tuple[LoadedCase, dt.date]:
    """The sample case with one planned visit, checking ``recommendations``."""
    loaded = load_valid_case(case_dir)
    case = loaded.case
    visit = case.follow_up_visits[-1].model_copy(update={"recommendations": recommendations})
    recs = [rec.model_copy(update={"status": RecommendationStatus.WITHDRAWN})
            for rec in case.recommendations] if withdraw_all else case.recommendations
    changed = case.model_copy(update={"follow_up_visits": [visit], "recommendations": recs})
    return dataclasses.replace(loaded, case=changed), visit.planned_date - DAY


def test_a_revisit_notice_lists_the_recommendations_its_visit_checks(sample_case: Path) -> None:
    case = load_valid_case(sample_case).case
    findings = case.findings
    assert findings is not None
    live = [rec.id for rec in case.recommendations
            if rec.status is not RecommendationStatus.WITHDRAWN]
    chosen = []
    for listed in (["REC-2"], ["REC-9"], []):  # one; none known, so all; none, so all
        loaded, when = _with_visit(sample_case, listed)
        (plan,) = build_contexts(LetterKind.REVISIT_NOTICE, loaded, when)
        context = plan.context.model_dump()
        chosen.append([rec["id"] for rec in context["recommendations"]])
        assert context["findings_date"] == f"{findings.date.day} {findings.date:%B %Y}"
    assert chosen == [["REC-2"], live, live] and len(live) > 1
    loaded, when = _with_visit(sample_case, ["REC-1"], withdraw_all=True)
    assert _refused(loaded, LetterKind.REVISIT_NOTICE, when) == (
        f"{sample_case / 'case.yaml'}: the revisit notice needs the recommendations the visit "
        "will check, and the case has none",
        "Add recommendations: to case.yaml and list their ids under the follow-up visit's "
        "recommendations (para 119).")
    last = max(visit.planned_date for visit in loaded.case.follow_up_visits)
    assert _refused(load_valid_case(sample_case), LetterKind.REVISIT_NOTICE, last)[1] == (
        "Add follow_up_visits: (planned_date, status: planned, recommendations) to case.yaml "
        "(para 119), or give the letter an earlier --date.")


def test_a_request_and_its_reminder_go_to_whom_the_request_was_sent(sample_case: Path) -> None:
    """Not to the provider's usual contact, when the request names someone else."""
    request = load_valid_case(sample_case).case.information_request
    assert request is not None and request.sent_to is not None
    loaded = _changed(sample_case, sent_to=request.sent_to.model_copy(
        update={"name": "Rosa Quill"}))
    salutations = [
        build_contexts(kind, loaded, when)[0].context.model_dump()["recipient"]["salutation"]
        for kind, when in ((LetterKind.INFORMATION_REQUEST, request.requested_date),
                           (LetterKind.INFORMATION_REMINDER, request.reminders[0].date))]
    assert salutations == ["Dear Rosa Quill", "Dear Rosa Quill"]


def test_a_request_without_the_councils_legal_basis_is_refused(sample_case: Path) -> None:
    loaded = load_valid_case(sample_case)
    review = loaded.case.review
    unfounded = dataclasses.replace(loaded, case=loaded.case.model_copy(update={
        "review": review.model_copy(update={"authority": review.authority.model_copy(
            update={"legal_basis": None})})}))
    request = loaded.case.information_request
    assert request is not None
    assert _refused(unfounded, LetterKind.INFORMATION_REQUEST, request.requested_date) == (
        f"{sample_case / 'case.yaml'}: the information request needs the council's legal "
        "basis, and none is recorded",
        "Add legal_basis: (the council's own statement of the legal basis it relies on) under "
        "review.authority in case.yaml; the toolkit never writes it for you.")


def test_a_revisit_notice_without_findings_names_no_findings_date(sample_case: Path) -> None:
    loaded, when = _with_visit(sample_case, ["REC-1"])
    loaded = dataclasses.replace(loaded, case=loaded.case.model_copy(update={"findings": None}))
    (plan,) = build_contexts(LetterKind.REVISIT_NOTICE, loaded, when)
    assert plan.context.model_dump()["findings_date"] == ""


def _saturday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7 or 7)


def test_due_dates_and_visits_that_are_not_working_days_are_warned_of(
    sample_case: Path, caplog: pytest.LogCaptureFixture
) -> None:
    request = load_valid_case(sample_case).case.information_request
    assert request is not None
    due = _saturday_after(request.requested_date + 14 * DAY)
    reminder = request.reminders[0]
    new_due = _saturday_after(reminder.date + 7 * DAY)
    loaded = _changed(sample_case, due_date=due,
                      reminders=[reminder.model_copy(update={"new_due_date": new_due})])
    build_contexts(LetterKind.INFORMATION_REQUEST, loaded, request.requested_date)
    build_contexts(LetterKind.INFORMATION_REMINDER, loaded, reminder.date)
    visited, when = _with_visit(sample_case, [])
    visit = _saturday_after(when)
    visited = dataclasses.replace(visited, case=visited.case.model_copy(update={
        "follow_up_visits": [visited.case.follow_up_visits[0].model_copy(
            update={"planned_date": visit})]}))
    build_contexts(LetterKind.REVISIT_NOTICE, visited, when)
    tail = "is not a working day in England and Wales (weekend or bank holiday)"
    assert [record.getMessage() for record in caplog.records] == [
        f"case.yaml: information_request.due_date {due.isoformat()} {tail}",
        f"case.yaml: the reminder's new due date {new_due.isoformat()} {tail}",
        f"case.yaml: the follow-up visit's planned_date {visit.isoformat()} {tail}"]


def test_the_findings_letter_names_the_next_planned_visit_after_its_date(
    sample_case: Path,
) -> None:
    """Planned visits only (not done or cancelled ones), after the letter's date, the
    earliest first; none, and the letter names none."""
    loaded = load_valid_case(sample_case)
    findings = loaded.case.findings
    assert findings is not None
    day = findings.date
    template = loaded.case.follow_up_visits[-1]

    def revisit(*visits: tuple[dt.timedelta, VisitStatus]) -> str:
        planned = [template.model_copy(update={"planned_date": day + offset, "status": status})
                   for offset, status in visits]
        case = loaded.case.model_copy(update={"follow_up_visits": planned})
        (plan,) = build_contexts(LetterKind.FINDINGS, dataclasses.replace(loaded, case=case),
                                 day)
        return str(plan.context.model_dump()["revisit_date"])

    later, latest = day + 30 * DAY, day + 60 * DAY
    assert [
        revisit((60 * DAY, VisitStatus.PLANNED), (30 * DAY, VisitStatus.PLANNED)),
        revisit((0 * DAY, VisitStatus.PLANNED), (60 * DAY, VisitStatus.PLANNED)),
        revisit((30 * DAY, VisitStatus.CANCELLED), (60 * DAY, VisitStatus.PLANNED)),
        revisit((30 * DAY, VisitStatus.DONE)),
        revisit(),
    ] == [f"{later.day} {later:%B %Y}", f"{latest.day} {latest:%B %Y}",
          f"{latest.day} {latest:%B %Y}", "", ""]
