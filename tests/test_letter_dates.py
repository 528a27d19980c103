"""The dates letters refuse, each message exactly (bundler.letters.context): a letter never
reports what had not happened by its date, nor asks for consent already given or taken back.
Dates are read from the sample case's records, so the tests follow the sample."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bundler.case.models import ConsentMethod, Withdrawal
from bundler.case.validate import load_valid_case
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
