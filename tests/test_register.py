"""bundler register and bundler report: every case under a folder, read back as a user would."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from bundler.cli import cli
from tests.conftest import SAMPLE

AS_OF = "2026-11-20"


def _cases(tmp_path: Path, count: int = 1) -> Path:
    root = tmp_path / "cases"
    root.mkdir()
    for number in range(count):
        shutil.copytree(SAMPLE, root / f"case-{number + 1}",
                        ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    return root


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_register_json_lists_the_sample_with_its_deadlines() -> None:
    code, out, _err = _run("register", str(SAMPLE.parent), "--json", "--as-of", AS_OF)
    assert code == 0
    data = json.loads(out)
    [entry] = data["cases"]
    assert entry["case"] == "nettlebank-road"
    assert entry["reference"] == "WBC-SHR-2026-014"
    assert entry["provider"] == "Brackenfold Support CIC"
    assert entry["schemes"] == ["Nettlebank House", "Orchard Court"]
    # the least favourable answer across the schemes (Orchard Court's dignity answer is partly)
    assert entry["answers"] == {"support_tailored": "partly", "depiction_accurate": "partly",
                                "dignity_and_independence": "partly"}
    # the same overdue items as `bundler checklist` on the same date
    code, checklist, _err = _run("checklist", str(SAMPLE), "--json", "--as-of", AS_OF)
    overdue = [i for i in json.loads(checklist)["outstanding"] if i["urgency"] == "overdue"]
    assert entry["overdue"] == len(overdue) == 7
    late = [d for d in entry["deadlines"] if d["days_overdue"]]
    assert {(d["subject"], d["item"]) for d in late} == {(i["subject"], i["item"]) for i in overdue}
    assert data["deadlines"][0]["days_overdue"] == max(i["days_overdue"] for i in overdue)
    # every later deadline too, however far ahead, in date order: the next is REC-1's and REC-2's
    ahead = [d for d in entry["deadlines"] if not d["days_overdue"]]
    assert [d["due"] for d in ahead] == sorted(d["due"] for d in ahead)
    assert all(d["due"] >= AS_OF for d in ahead)
    assert entry["next_deadline"]["due"] == "2026-12-16"
    assert ("Nettlebank House, Orchard Court", "revisit planned for 2027-01-13") in {
        (d["subject"], d["item"]) for d in ahead}


def test_register_deadlines_across_cases_overdue_first(tmp_path: Path) -> None:
    root = _cases(tmp_path, 2)
    second = root / "case-2" / "case.yaml"
    second.write_text(second.read_text(encoding="utf-8").replace(
        "reference: WBC-SHR-2026-014", "reference: WBC-SHR-2026-099"), encoding="utf-8")
    code, out, _err = _run("register", str(root), "--json", "--as-of", AS_OF)
    assert code == 0
    data = json.loads(out)
    assert [c["reference"] for c in data["cases"]] == ["WBC-SHR-2026-014", "WBC-SHR-2026-099"]
    overdue = [d["days_overdue"] for d in data["deadlines"] if d["days_overdue"]]
    assert len(overdue) == 14
    assert overdue == sorted(overdue, reverse=True)
    assert all(not d["days_overdue"] for d in data["deadlines"][14:])  # overdue first


def test_register_lists_a_case_with_problems_instead_of_hiding_it(tmp_path: Path) -> None:
    root = _cases(tmp_path)
    case = root / "case-1" / "case.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("opened: 2026-08-24",
                                                             "opened: 2026-02-30"), encoding="utf-8")
    code, out, _err = _run("register", str(root), "--as-of", AS_OF)
    assert code == 0
    assert "WBC-SHR-2026-014" in out
    assert "1 problem(s): run bundler validate" in out
    code, out, _err = _run("register", str(root), "--json", "--as-of", AS_OF)
    entry = json.loads(out)["cases"][0]
    assert (entry["valid"], entry["problems"], entry["stage"]) == (False, 1, "records_have_problems")


def test_register_csv_reads_back_in_a_spreadsheet_and_defuses_formulas(tmp_path: Path) -> None:
    root = _cases(tmp_path)
    case = root / "case-1" / "case.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace(
        "- name: Brackenfold Support CIC", "- name: \"=HYPERLINK('x')\""), encoding="utf-8")
    code, out, _err = _run("register", str(root), "--csv", "--as-of", AS_OF)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["reference"] == "WBC-SHR-2026-014"
    assert rows[0]["provider"] == "'=HYPERLINK('x')"
    assert rows[0]["overdue"] == "7"
    assert rows[0]["stage"] == "Recommendations open (paras 111-118)"


def test_register_of_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    code, _out, err = _run("register", str(tmp_path / "nowhere"))
    assert code == 3
    assert err.splitlines()[0] == f"error: {tmp_path / 'nowhere'}: folder not found"
    code, _out, err = _run("register", str(SAMPLE.parent), "--csv", "--json")
    assert code == 2


def test_register_ignores_symlinked_case_folders(tmp_path: Path) -> None:
    root = _cases(tmp_path)
    (root / "elsewhere").symlink_to(SAMPLE, target_is_directory=True)
    _code, out, _err = _run("register", str(root), "--json", "--as-of", AS_OF)
    assert [c["case"] for c in json.loads(out)["cases"]] == ["case-1"]


def test_members_report_counts_and_pdf(tmp_path: Path) -> None:
    code, out, _err = _run("report", str(SAMPLE.parent), "--from", "2026-01-01", "--to", AS_OF,
                           "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["reviews_opened"], data["reviews_done"]) == (1, 1)
    assert data["recommendations"] == {"made": 4, "completed": 0, "completed_late": 0,
                                       "overdue": 0, "open": 4}
    assert data["schemes_reviewed"] == 2 and data["referrals"] == 4
    assert data["referrals_by_agency"] == {
        "Wrexley Fire and Rescue Service": 1, "private sector housing (HMO and property licensing)": 2,
        "the Housing Benefit decision maker": 1}
    assert [(o["yes"], o["partly"], o["no"]) for o in data["outcomes"]] == [
        (0, 2, 0), (0, 2, 0), (1, 1, 0)]
    assert [r["scheme"] for r in data["results"]] == ["Nettlebank House", "Orchard Court"]
    # a period before the review: nothing done
    code, out, _err = _run("report", str(SAMPLE.parent), "--from", "2025-01-01", "--to",
                           "2025-12-31", "--json")
    assert json.loads(out)["reviews_done"] == 0
    target = tmp_path / "report.pdf"
    code, out, _err = _run("report", str(SAMPLE.parent), "--from", "2026-01-01", "--to", AS_OF,
                           "-o", str(target))
    assert code == 0, _err
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "report for members" in " ".join(text.split())
    assert "1 January 2026 to 20 November 2026" in text
    assert "Nettlebank House" in text and "WBC-SHR-2026-014" in text
    again = tmp_path / "again.pdf"
    _run("report", str(SAMPLE.parent), "--from", "2026-01-01", "--to", AS_OF, "-o", str(again))
    assert again.read_bytes() == target.read_bytes()  # deterministic
    code, _out, err = _run("report", str(SAMPLE.parent), "--from", "2026-01-01", "--to", AS_OF,
                           "-o", str(target))
    assert code == 6 and "already exists" in err


def test_members_report_period_must_run_forwards() -> None:
    code, _out, err = _run("report", str(SAMPLE.parent), "--from", "2026-05-01", "--to",
                           "2026-04-01")
    assert code == 4
    assert "ends (2026-04-01) before it starts (2026-05-01)" in err
