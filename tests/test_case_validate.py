"""`bundler validate`: what an officer sees for good and bad case records."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler.case.validate import load_valid_case, validate_case
from bundler.cli import cli
from bundler.errors import ChecksFailed

from .conftest import SAMPLE

DATE_VALUE = re.compile(r"^(?P<prefix>\s*(?:- )?[a-z_]+: )(?P<date>\d{4}-\d{2}-\d{2})\s*$")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace ``old`` with ``new`` in a file and return the 1-based line of the first change."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def test_sample_case_validates(sample_case: Path) -> None:
    # As `make demo` does: record the sample's evidence files where they are.
    assert run("evidence", "add", str(sample_case), str(sample_case / "evidence"))[0] == 0
    code, out, err = run("validate", str(sample_case))
    assert code == 0, out + err
    *notes, summary = out.splitlines()
    assert "valid: review WBC-SHR-2026-014, " in summary
    # What the review found is shown as notes, never as errors.
    assert notes and all(re.match(r"^.+\.yaml:\d+: note: ", line) for line in notes), notes
    assert summary.endswith(f"{len(notes)} notes above")


def _date_lines() -> list[tuple[str, int]]:
    found = []
    for path in [SAMPLE / "case.yaml", *sorted((SAMPLE / "residents").glob("*.yaml"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if DATE_VALUE.match(line):
                found.append((str(path.relative_to(SAMPLE)), number))
    return found


DATE_LINES = _date_lines()


def test_sample_has_many_dates() -> None:
    assert len(DATE_LINES) > 40


@pytest.mark.parametrize(("relative", "line"), DATE_LINES, ids=[f"{f}:{n}" for f, n in DATE_LINES])
def test_any_impossible_date_is_reported_on_its_line(sample_case: Path, relative: str, line: int) -> None:
    path = sample_case / relative
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    match = DATE_VALUE.match(lines[line - 1].rstrip("\n"))
    assert match
    lines[line - 1] = f"{match['prefix']}2026-02-30\n"
    path.write_text("".join(lines), encoding="utf-8")

    code, out, err = run("validate", str(sample_case))

    assert code == 1
    assert "Traceback" not in out + err
    assert f"{path}:{line}: " in out
    assert '"2026-02-30" is not a real date; write it as YYYY-MM-DD' in out


def problems_for(case: Path, expected: int = 1) -> list[str]:
    """The problem lines (findings, shown as notes, left out); exit 1 for problems in the
    records, 4 when a file cannot be read."""
    code, out, err = run("validate", str(case))
    assert code == expected, out + err
    assert "Traceback" not in out + err
    return [line for line in out.splitlines() if ": note: " not in line]


def test_unknown_key_is_named_with_a_suggestion(sample_case: Path) -> None:
    line = edit(sample_case / "case.yaml", "  lead_officer: Priya", "  lead_oficer: Priya")
    lines = problems_for(sample_case)
    assert f"{sample_case / 'case.yaml'}:{line}: review.lead_oficer: unknown field 'lead_oficer'; did you mean 'lead_officer'?" in lines
    # the real field is now missing too, and is reported against its parent
    assert any("review.lead_officer: this field is required" in item for item in lines)


def test_wrong_type_and_bad_enum(sample_case: Path) -> None:
    resident = sample_case / "residents" / "R01.yaml"
    line_bool = edit(resident, "    records: true", "    records: yes")
    line_enum = edit(resident, "kind: licence", "kind: lease")
    lines = problems_for(sample_case)
    assert f'{resident}:{line_bool}: consent.statements.records: "yes" is not true or false; write true or false' in lines
    assert any(
        item.startswith(f'{resident}:{line_enum}: evidence.occupancy_agreement.kind: "lease" is not allowed here; use one of:')
        for item in lines
    )


def test_malformed_yaml_gives_file_and_line(sample_case: Path) -> None:
    case_file = sample_case / "case.yaml"
    line = edit(case_file, "  basis: indicators_of_poor_quality", "  basis: [indicators_of_poor_quality")
    lines = problems_for(sample_case, expected=4)
    assert len(lines) == 1
    assert re.match(rf"^{re.escape(str(case_file))}:\d+: yaml: ", lines[0])
    reported = int(lines[0].split(":")[1])
    assert line <= reported <= line + 2


def test_duplicate_key_is_reported(sample_case: Path) -> None:
    resident = sample_case / "residents" / "R02.yaml"
    edit(resident, "scheme: nettlebank-house\n", "scheme: nettlebank-house\nscheme: other\n")
    lines = problems_for(sample_case, expected=4)
    assert any(item.startswith(f"{resident}:") and "scheme: this key appears twice" in item for item in lines)


def test_missing_and_escaping_files(sample_case: Path) -> None:
    (sample_case / "evidence" / "residents" / "R01" / "licence.pdf").unlink()
    resident = sample_case / "residents" / "R01.yaml"
    line = edit(resident, "file: evidence/residents/R01/needs-assessment.pdf", "file: ../outside.pdf")
    lines = problems_for(sample_case)
    assert any(
        item.endswith("evidence.occupancy_agreement.file: file not found: evidence/residents/R01/licence.pdf; add it to the case folder or correct the path")
        for item in lines
    )
    assert f"{resident}:{line}: evidence.assessments[1].file: the file must be inside the case folder ('..' is not allowed)" in lines


def test_symlink_out_of_the_case_folder_is_refused(sample_case: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(b"%PDF-1.4\n")
    target = sample_case / "evidence" / "residents" / "R03" / "licence.pdf"
    target.unlink()
    target.symlink_to(outside)
    lines = problems_for(sample_case)
    assert any("points outside the case folder" in item for item in lines)


@pytest.mark.parametrize(
    ("relative", "old", "new", "field", "message"),
    [
        ("case.yaml", "due_date: 2026-09-22", "due_date: 2026-08-22", "information_request.due_date",
         "the due date 2026-08-22 is before the request date 2026-09-01"),
        ("residents/R01.yaml", "  date: 2026-09-29\n  form_file", "  date: 2026-10-01\n  form_file", "consent.date",
         "consent is dated 2026-10-01, after the interview on 2026-09-29; consent comes first (para 97)"),
        ("residents/R02.yaml", "      - date: 2024-11-11", "      - date: 2024-05-01", "evidence.support_plan.reviews[1].date",
         "review dated 2024-05-01 is not after the plan started (2024-05-13)"),
        ("residents/R03.yaml", "    start_date: 2026-03-16\n", "    start_date: 2026-03-16\n    end_date: 2026-03-01\n",
         "evidence.occupancy_agreement.end_date", "the end date is before the start date"),
        ("residents/R01.yaml", "  date: 2026-09-29\n  officer", "  date: 2026-12-01\n  officer", "interview.date",
         "the interview date 2026-12-01 is after the review date 2026-11-20"),
        ("case.yaml", "      status: outstanding\n      notes: Provider says", "      status: received\n      notes: Provider says",
         "information_request.items[6].files", "status is received but no file is named"),
        ("case.yaml", "complete_by: 2026-12-16\n    status: sent", "complete_by: 2026-11-01\n    status: sent",
         "recommendations[4].complete_by", "complete_by 2026-11-01 must be after acknowledge_by 2026-11-04"),
        ("case.yaml", "  lead_officer: Priya Marchetti", "  lead_officer: Someone Else", "review.lead_officer",
         "'Someone Else' is not in the review team"),
        ("residents/R02.yaml", "reference: R02", "reference: R12", "reference",
         "reference R12 does not match the file name R02.yaml; name the file R12.yaml"),
        ("case.yaml", "postcode: WX4 2QT", "postcode: not a postcode", "schemes[1].address.postcode",
         '"not a postcode" is not in the right format; write a UK postcode in capitals, e.g. WX4 2QT'),
    ],
)
def test_cross_field_rules(
    sample_case: Path, relative: str, old: str, new: str, field: str, message: str
) -> None:
    path = sample_case / relative
    edit(path, old, new)
    lines = problems_for(sample_case)
    matching = [item for item in lines if item.startswith(f"{path}:") and f": {field}: " in item]
    assert matching, lines
    assert any(message in item for item in matching), matching


def test_every_problem_is_reported_not_just_the_first(sample_case: Path) -> None:
    edit(sample_case / "case.yaml", "due_date: 2026-09-22", "due_date: 2026-08-22")
    edit(sample_case / "residents" / "R01.yaml", "signed: true", "signed: maybe")
    (sample_case / "evidence" / "site-visit" / "kitchen.jpg").unlink()
    lines = problems_for(sample_case)
    # the photo is named twice: under the site visit, and in the documents catalogue
    assert len(lines) == 4
    assert sum("file not found: evidence/site-visit/kitchen.jpg" in item for item in lines) == 2
    assert all(re.match(r"^.+\.yaml:\d+: [\w.\[\]]+: ", item) for item in lines)


def test_missing_case_folder_and_case_file(tmp_path: Path) -> None:
    code, _out, err = run("validate", str(tmp_path / "nowhere"))
    assert code == 3
    assert err.startswith(f"error: {tmp_path / 'nowhere'}: case folder not found\n")
    assert "Traceback" not in err
    code, _out, err = run("validate", str(tmp_path))
    assert code == 3
    assert "every case folder needs a case.yaml" in err


def test_empty_and_non_utf8_files(sample_case: Path) -> None:
    (sample_case / "residents" / "R01.yaml").write_text("", encoding="utf-8")
    (sample_case / "residents" / "R02.yaml").write_bytes(b"reference: R02\nscheme: \xff\xfe\n")
    lines = problems_for(sample_case, expected=4)
    assert any("R01.yaml:1: the file should hold a set of fields" in item for item in lines)
    assert any("R02.yaml:2: yaml: not UTF-8 text; save the file as UTF-8" in item for item in lines)


def test_json_report(sample_case: Path) -> None:
    edit(sample_case / "case.yaml", "due_date: 2026-09-22", "due_date: 2026-08-22")
    result = CliRunner().invoke(cli, ["validate", str(sample_case), "--json"])
    assert result.exit_code == 1
    import json

    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["problems"][0]["field"] == "information_request.due_date"
    assert report["problems"][0]["line"] > 1


def test_library_raising_form(sample_case: Path) -> None:
    loaded = load_valid_case(sample_case)
    assert sorted(loaded.residents) == ["R01", "R02", "R03", "R04"]
    assert loaded.case.provider.name == "Brackenfold Support CIC"
    edit(sample_case / "case.yaml", "due_date: 2026-09-22", "due_date: 2026-08-22")
    assert not validate_case(sample_case).ok
    with pytest.raises(ChecksFailed, match=r"first: .*information_request\.due_date"):
        load_valid_case(sample_case)


def test_a_missing_file_does_not_hide_a_rule_in_the_same_record(sample_case: Path) -> None:
    resident = sample_case / "residents" / "R01.yaml"
    (sample_case / "evidence" / "residents" / "R01" / "licence.pdf").unlink()
    edit(resident, "  date: 2026-09-29\n  form_file", "  date: 2026-10-01\n  form_file")
    lines = problems_for(sample_case)
    assert any("evidence.occupancy_agreement.file: file not found" in item for item in lines)
    assert any("consent.date: consent is dated 2026-10-01, after the interview" in item for item in lines)
    assert any("documents[2].file: file not found" in item for item in lines)  # catalogued too
    assert len(lines) == len(set(lines)) == 3


def test_readme_shows_the_sample_as_validate_prints_it(tmp_path: Path) -> None:
    import shutil

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = [line for line in readme.splitlines()
             if line.startswith("samples/nettlebank-road") and (": note: " in line or ": valid: " in line)]
    assert len(shown) >= 2
    case = tmp_path / "nettlebank-road"
    shutil.copytree(SAMPLE, case, ignore=shutil.ignore_patterns("out", "audit.jsonl*"))
    assert run("evidence", "add", str(case), str(case / "evidence"))[0] == 0
    code, out, _err = run("validate", str(case))
    assert code == 0
    printed = [line.replace(str(case), "samples/nettlebank-road") for line in out.splitlines()]
    assert shown == printed
