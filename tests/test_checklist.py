"""`bundler checklist`: what is outstanding in the sample case, most urgent first."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bundler.cli import cli

from .conftest import SAMPLE


def checklist(*extra: str, case: Path = SAMPLE) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["checklist", str(case), "--as-of", "2026-11-20", *extra])
    return result.exit_code, result.stdout, result.stderr


def test_json_lists_the_sample_outstanding_items_most_urgent_first() -> None:
    code, out, err = checklist("--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["as_of"] == "2026-11-20"
    items = data["outstanding"]
    summary = [(i["urgency"], i["subject"], i["paragraph"], i["days_overdue"]) for i in items]
    # R02's support plan was last reviewed 2025-07-10: six-monthly review due 2026-01-10
    assert summary[0] == ("overdue", "R02", "paras 98-100", 314)
    assert "not reviewed for 498 days" in items[0]["item"]
    # provider items overdue since the reminder's new due date (2026-10-20)
    provider = [i for i in items if i["subject"] == "Provider"]
    assert {i["paragraph"] for i in provider} == {"para 85(f)", "para 85(i)"}
    assert all(i["days_overdue"] == 31 and i["due"] == "2026-10-20" for i in provider)
    assert any("resident satisfaction forms" in i["item"] for i in provider)
    assert any(i["item"].startswith("partly received: the training") for i in provider)
    # REC-4 was never acknowledged; REC-1 and REC-3 were; REC-2 is disputed, awaiting a decision
    recs = [i for i in items if i["category"] == "recommendation"]
    assert [(i["subject"], i["days_overdue"], i["schemes"]) for i in recs] == [
        ("REC-4", 16, ["orchard-court"])]
    disputes = [i for i in items if i["category"] == "dispute"]
    assert [(i["subject"], i["days_waiting"]) for i in disputes] == [("REC-2", 11)]
    # referrals to other agencies with no outcome yet: one overdue, one waiting
    referrals = {i["subject"]: (i["urgency"], i["days_waiting"]) for i in items if i["category"] == "referral"}
    assert referrals == {"RF-3": ("overdue", 36), "RF-2": ("waiting", 49)}
    # evidence gaps per resident, only where the resident agreed to their records being looked at
    missing = {(i["subject"], i["item"]) for i in items if i["urgency"] == "missing"}
    assert ("R02", "no risk assessment on file") in missing
    assert ("R02", "the licence expired on 2026-10-31; no current agreement is on file") in missing
    assert not any(subject in ("R01", "R03", "R04") for subject, _ in missing)  # R03: records: false
    # the inspected hazard has cleared; the one awaiting inspection is Orchard Court's
    hazards = [(i["subject"], i["schemes"]) for i in items if i["category"] == "hazard"]
    assert hazards == [("Orchard Court", ["orchard-court"])]
    notes = {(i["subject"], i["item"]) for i in items if i["urgency"] == "note"}
    assert ("R04", "consent declined on 2026-10-01") in notes
    assert ("R03", "verbal consent only (the reason written consent was not possible is recorded)") in notes
    # overdue items come before everything else, largest overdue first
    overdue = [i["days_overdue"] for i in items if i["urgency"] == "overdue"]
    assert overdue == sorted(overdue, reverse=True)
    assert items[: len(overdue)] == [i for i in items if i["urgency"] == "overdue"]


def test_table_is_readable() -> None:
    code, out, _ = checklist()
    assert code == 0
    assert out.startswith("Outstanding for WBC-SHR-2026-014 as of 2026-11-20: ")
    assert "OVERDUE 314d" in out
    assert "-> Send a reminder (bundler letter information-reminder)." in out
    assert max(len(line) for line in out.splitlines()) <= 130


def test_revisit_due_soon_and_nothing_overdue_later() -> None:
    result = CliRunner().invoke(cli, ["checklist", str(SAMPLE), "--as-of", "2027-01-05", "--json"])
    items = json.loads(result.stdout)["outstanding"]
    revisit = [i for i in items if i["category"] == "revisit"]
    assert revisit and revisit[0]["urgency"] == "due" and revisit[0]["due"] == "2027-01-13"


def test_bad_date_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["checklist", str(SAMPLE), "--as-of", "2026-02-30"])
    assert result.exit_code == 2
    assert '"2026-02-30" is not a real date' in result.stderr


def test_invalid_case_is_refused_with_pointer_to_validate(sample_case: Path) -> None:
    text = (sample_case / "case.yaml").read_text(encoding="utf-8")
    (sample_case / "case.yaml").write_text(text.replace("due_date: 2026-09-22", "due_date: 2026-08-22"), encoding="utf-8")
    code, _out, err = checklist(case=sample_case)
    assert code == 1
    assert err.splitlines()[1] == f"  what to do: Run `bundler validate {sample_case}` to see every problem, fix them, then try again."
