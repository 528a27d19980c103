"""`bundler letter ...` through click's CliRunner, and PDFs read back with pdftotext."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docx import Document
from pypdf import PdfReader

from bundler.cli import LETTER_KINDS, RESIDENT_LETTERS, cli
from bundler.errors import ExitCode
from bundler.letters.context import LetterKind

from .letters_helpers import all_text, open_docx, pdf_words
from .limits import file_size_limit, hashes

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are needed for PDF letters",
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def audit_entries(case_dir: Path) -> list[dict[str, object]]:
    log = case_dir / "audit.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_cli_kinds_match_the_library() -> None:
    assert set(LETTER_KINDS) == {kind.value for kind in LetterKind}
    assert {kind.value for kind in LetterKind if kind.for_residents} == RESIDENT_LETTERS
    assert "Written as findings.docx" in run("letter", "findings", "--help").output
    result = run("letter", "--help")
    assert result.exit_code == 0
    for kind in LETTER_KINDS:
        assert kind in result.output
    assert "check-template" in result.output


def test_resident_letters_one_per_resident_and_recorded(sample_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = run("letter", "resident-consent", str(sample_case), "-o", str(out),
                 "--date", "2026-09-21")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["resident-consent-R01.docx", "resident-consent-R02.docx",
                     "resident-consent-R03.docx", "resident-consent-R04.docx"]
    assert "warning" not in result.stderr
    text = all_text(open_docx(out / "resident-consent-R01.docx"))
    assert "21 September 2026" in text and "Łukasz Brennan" in text
    text = all_text(open_docx(out / "resident-consent-R03.docx"))  # a room, no name
    assert "Private: to be opened by the addressee only" in text
    assert "The resident, Room 7" in text and "Dear resident," in text
    entries = audit_entries(sample_case)
    assert [e["action"] for e in entries] == ["letter_generated"] * 4
    first = entries[0]
    assert first["details"] == {"kind": "resident-consent", "resident": "R01",
                                "letter_date": "2026-09-21"}
    inputs = [f["path"] for f in first["inputs"]]  # type: ignore[index]
    assert inputs[:2] == ["case.yaml", "residents/R01.yaml"]
    assert inputs[2].endswith("resident-consent.docx")
    output, register = first["outputs"]  # type: ignore[misc]
    import hashlib

    # The case's letters.yaml, with this letter recorded in it, is written by the same action.
    assert register["path"] == "letters.yaml"
    assert register["sha256"] != hashlib.sha256(
        (sample_case / "letters.yaml").read_bytes()).hexdigest()  # later letters were added since

    assert output["sha256"] == hashlib.sha256(
        (out / "resident-consent-R01.docx").read_bytes()).hexdigest()
    # Residents' names never reach the audit log.
    log = (sample_case / "audit.jsonl").read_text(encoding="utf-8")
    assert "Łukasz" not in log and "Brennan" not in log and "Zoë" not in log


def test_one_resident(sample_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = run("letter", "resident-outcome", str(sample_case), "-o", str(out),
                 "--resident", "R02")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["resident-outcome-R02.docx"]
    result = run("letter", "resident-outcome", str(sample_case), "-o", str(out),
                 "--resident", "R09")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "no resident R09" in result.stderr


def test_refuses_to_overwrite_without_force(sample_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    assert run("letter", "findings", str(sample_case), "-o", str(out)).exit_code == 0
    before = (out / "findings.docx").read_bytes()
    result = run("letter", "findings", str(sample_case), "-o", str(out))
    assert result.exit_code == ExitCode.OUTPUT_EXISTS
    assert f"error: {out / 'findings.docx'}: already exists; nothing was changed" in result.stderr
    assert len(audit_entries(sample_case)) == 1
    result = run("letter", "findings", str(sample_case), "-o", str(out), "--force")
    assert result.exit_code == 0
    assert (out / "findings.docx").read_bytes() == before  # same inputs, same bytes
    assert len(audit_entries(sample_case)) == 2


def test_case_must_validate(sample_case: Path, tmp_path: Path) -> None:
    (sample_case / "evidence" / "provider" / "85g-site-description.pdf").unlink()
    result = run("letter", "information-request", str(sample_case), "-o", str(tmp_path / "o"))
    assert result.exit_code == ExitCode.CHECKS_FAILED
    assert "problem" in result.stderr
    assert not (tmp_path / "o").exists()


def test_incomplete_case_exit_code(sample_case: Path, tmp_path: Path) -> None:
    result = run("letter", "findings", str(sample_case), "-o", str(tmp_path / "o"),
                 "--date", "2026-11-20")
    assert result.exit_code == ExitCode.CASE_INCOMPLETE
    assert "acknowledge_by 2026-11-04 is not after the findings letter's date" in result.stderr
    assert "what to do:" in result.stderr
    assert not (tmp_path / "o").exists()


def test_bad_date_is_a_usage_error(sample_case: Path, tmp_path: Path) -> None:
    result = run("letter", "findings", str(sample_case), "-o", str(tmp_path), "--date", "2026-13-01")
    assert result.exit_code == ExitCode.USAGE


def test_own_templates_folder_and_case_setting(sample_case: Path, tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    doc = Document()
    doc.add_paragraph("Our letter to {{ provider.name }} about {{ provider.address.postcode }}")
    doc.save(str(own / "findings.docx"))
    out = tmp_path / "out"
    result = run("letter", "findings", str(sample_case), "-o", str(out), "--templates", str(own))
    assert result.exit_code == 0, result.output
    assert "Our letter to Brackenfold Support CIC about WX2 5HN" in all_text(
        open_docx(out / "findings.docx"))

    # The same template named in the case's settings.
    shutil.copytree(own, sample_case / "templates")
    case_yaml = sample_case / "case.yaml"
    text = case_yaml.read_text(encoding="utf-8")
    case_yaml.write_text(text.replace("    legal_basis: >-", "    letter_templates: templates\n"
                                      "    legal_basis: >-", 1), encoding="utf-8")
    result = run("letter", "findings", str(sample_case), "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert "Our letter to" in all_text(open_docx(out / "findings.docx"))

    # A missing template in a folder given.
    result = run("letter", "revisit-notice", str(sample_case), "-o", str(out), "--templates",
                 str(own), "--date", "2026-11-20")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert "revisit-notice.docx: letter template not found" in result.stderr


def test_bad_template_stops_the_letter_naming_every_variable(sample_case: Path, tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    doc = Document()
    doc.add_paragraph("{{ provider.address.postcod }} {{ recipient.nmae }}")
    doc.save(str(own / "findings.docx"))
    out = tmp_path / "out"
    result = run("letter", "findings", str(sample_case), "-o", str(out), "--templates", str(own))
    assert result.exit_code == ExitCode.TEMPLATE_ERROR
    assert "provider.address.postcod" in result.stderr and "recipient.nmae" in result.stderr
    assert str(own / "findings.docx") in result.stderr
    assert not out.exists()


def test_check_template_command(tmp_path: Path) -> None:
    from bundler.letters.generate import default_templates_dir

    shipped = default_templates_dir() / "findings.docx"
    result = run("letter", "check-template", str(shipped), "--kind", "findings")
    assert result.exit_code == 0
    assert "uses recommendations[].acknowledge_by" in result.output
    assert "every variable is provided by the findings letter" in result.output

    result = run("letter", "check-template", str(shipped), "--kind", "resident-outcome")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        ExitCode.TEMPLATE_ERROR, f"error: {shipped}: 4 problems for the resident-outcome letter")
    assert [line for line in result.stdout.splitlines() if not line.startswith("uses ")] == [
        f"{shipped}: {name} in the document body: the letter has no such value"
        for name in ("findings_date", "bundle", "conclusions", "offer_support")]

    bad = tmp_path / "bad.docx"
    doc = Document()
    doc.add_paragraph("{{ provider.address.postcod }}")
    doc.add_paragraph("{{ date }")
    doc.save(str(bad))
    result = run("letter", "check-template", str(bad), "--kind", "findings")
    assert result.exit_code == ExitCode.TEMPLATE_ERROR
    assert f"{bad}: template syntax error" not in result.output  # the part is named instead
    assert "document body: template syntax error" in result.output
    assert "error: " + str(bad) + ": 1 problem for the findings letter" in result.stderr

    bad2 = tmp_path / "bad2.docx"
    doc = Document()
    doc.add_paragraph("{{ provider.address.postcod }} {{ recommendations[0].idd }}")
    doc.save(str(bad2))
    result = run("letter", "check-template", str(bad2), "--kind", "findings")
    assert result.exit_code == ExitCode.TEMPLATE_ERROR
    assert f"{bad2}: provider.address.postcod in the document body" in result.output
    assert "recommendations[].idd" in result.output
    assert "2 problems for the findings letter" in result.stderr

    result = run("letter", "check-template", str(tmp_path / "none.docx"), "--kind", "findings")
    assert result.exit_code == ExitCode.NOT_FOUND


# --------------------------------------------------------------------------- PDF

WINDOW_X = (24.6, 24.6 + 95.4)
WINDOW_Y = (39.5, 39.5 + 26.8)


@needs_libreoffice
def test_pdf_letters_keep_the_address_in_the_window(sample_case: Path, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = run("letter", "information-request", str(sample_case), "-o", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    result = run("letter", "resident-outcome", str(sample_case), "-o", str(out), "--pdf",
                 "--resident", "R01")
    assert result.exit_code == 0, result.output
    for name, address in (
        ("information-request.pdf",
         ["Daniel", "Achterberg", "Brackenfold", "Support", "CIC", "3", "Cable", "Yard",
          "Wrexley", "WX2", "5HN"]),
        ("resident-outcome-R01.pdf",
         ["Łukasz", "Brennan", "Room", "5", "14", "Nettlebank", "Road", "Wrexley", "WX4", "2QT"]),
    ):
        pdf = out / name
        assert pdf.read_bytes().startswith(b"%PDF")
        words = [w for w in pdf_words(pdf) if w.page == 1]
        in_window = [w for w in words if WINDOW_Y[0] <= w.y0 and w.y1 <= WINDOW_Y[1]
                     and WINDOW_X[0] <= w.x0 and w.x1 <= WINDOW_X[1]]
        assert [w.text for w in in_window] == address, name
        body = [w for w in words if w.y0 > WINDOW_Y[1] and w.text not in ("Page",)]
        assert body and min(w.y0 for w in body) >= 95.0, name
        above = [w for w in words if w.y0 < 95.0 and w not in in_window]
        assert all(w.y1 < WINDOW_Y[0] for w in above), name  # only the letterhead is above
        reader = PdfReader(pdf)
        pages = len(reader.pages)
        for number, page in enumerate(reader.pages, start=1):
            assert f"Page {number} of {pages}" in page.extract_text(), name
        width, height = (float(v) for v in reader.pages[0].mediabox[2:])
        assert round(width * 25.4 / 72) == 210 and round(height * 25.4 / 72) == 297
        assert "/StructTreeRoot" in reader.trailer["/Root"], name  # tagged PDF
        text = " ".join(page.extract_text() for page in reader.pages)
        assert "{{" not in text and "None" not in text
    assert len(audit_entries(sample_case)) == 2
    assert [f["path"] for f in audit_entries(sample_case)[0]["outputs"]] == [  # type: ignore[union-attr]
        str(out / "information-request.docx"), str(out / "information-request.pdf"), "letters.yaml"]


@needs_libreoffice
def test_four_pdf_conversions_in_parallel(sample_case: Path, tmp_path: Path) -> None:
    """Four `bundler letter --pdf` processes at once, each converting, all recorded."""
    jobs = [
        ("information-request", []),
        ("information-reminder", ["--date", "2026-11-20"]),
        ("findings", []),
        ("revisit-notice", ["--date", "2026-11-20"]),
    ]

    def letter(job: tuple[str, list[str]]) -> subprocess.CompletedProcess[str]:
        kind, extra = job
        return subprocess.run(
            [sys.executable, "-m", "bundler", "letter", kind, str(sample_case), "-o",
             str(tmp_path / kind), "--pdf", *extra],
            capture_output=True, text=True, timeout=300, check=False,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(letter, jobs))
    for (kind, _), result in zip(jobs, results, strict=True):
        assert result.returncode == 0, (kind, result.stderr)
        pdf = tmp_path / kind / f"{kind}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF"), kind
        assert "Page 1 of" in PdfReader(pdf).pages[0].extract_text(), kind
    entries = audit_entries(sample_case)
    assert sorted(e["details"]["kind"] for e in entries) == sorted(k for k, _ in jobs)  # type: ignore[index]


@needs_libreoffice
def test_one_libreoffice_process_converts_all_the_letters_of_a_run(
    sample_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts = tmp_path / "starts.log"
    real = shutil.which("soffice")
    wrapper = tmp_path / "soffice"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {starts}\nexec {real} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setenv("BUNDLER_SOFFICE", str(wrapper))
    out = tmp_path / "letters"
    result = run("letter", "resident-outcome", str(sample_case), "-o", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    conversions = [line for line in starts.read_text().splitlines() if "--convert-to" in line]
    assert len(conversions) == 1
    for ref in ("R01", "R02", "R03"):
        pdf = out / f"resident-outcome-{ref}.pdf"
        assert "Page 1 of" in PdfReader(pdf).pages[0].extract_text(), ref
    # each PDF is its own letter's: the words only that resident's letter has are in it
    refs = ("R01", "R02", "R03")
    pdf_texts = {ref: set(subprocess.run(
        ["pdftotext", str(out / f"resident-outcome-{ref}.pdf"), "-"],
        capture_output=True, text=True, check=True).stdout.split()) for ref in refs}
    docx_words = {ref: set(all_text(open_docx(out / f"resident-outcome-{ref}.docx")).split())
                  for ref in refs}
    for ref in refs:
        own = docx_words[ref] - set().union(*(docx_words[o] for o in refs if o != ref))
        assert own, ref
        assert own <= pdf_texts[ref], (ref, own - pdf_texts[ref])


@needs_libreoffice
def test_pdf_missing_libreoffice(sample_case: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUNDLER_SOFFICE", str(tmp_path / "no-soffice"))
    out = tmp_path / "letters"
    result = run("letter", "findings", str(sample_case), "-o", str(out), "--pdf")
    assert result.exit_code == ExitCode.MISSING_TOOL
    assert "LibreOffice" in result.stderr
    assert not out.exists()


def test_case_setting_must_name_an_existing_folder(sample_case: Path, tmp_path: Path) -> None:
    case_yaml = sample_case / "case.yaml"
    text = case_yaml.read_text(encoding="utf-8")
    case_yaml.write_text(text.replace("    legal_basis: >-", "    letter_templates: templates\n"
                                      "    legal_basis: >-", 1), encoding="utf-8")
    result = run("validate", str(sample_case))
    assert result.exit_code == ExitCode.CHECKS_FAILED
    assert "review.authority.letter_templates: folder not found: templates" in result.output


def test_failed_pdf_conversion_still_records_the_letters(
    sample_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("BUNDLER_SOFFICE", str(fake))
    out = tmp_path / "letters"
    result = run("letter", "resident-outcome", str(sample_case), "-o", str(out), "--pdf")
    assert result.exit_code == ExitCode.CONVERSION_FAILED
    assert "could not convert it to PDF" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "resident-outcome-R01.docx", "resident-outcome-R02.docx", "resident-outcome-R03.docx",
        "resident-outcome-R04.docx"]
    entries = audit_entries(sample_case)
    # each: the Word file and letters.yaml (no PDF)
    assert [len(e["outputs"]) for e in entries] == [2, 2, 2, 2]  # type: ignore[arg-type]


@needs_libreoffice
def test_pdf_awkward_name_and_longest_address_stay_in_the_window(
    sample_case: Path, tmp_path: Path
) -> None:
    from .test_letters_render import edit_yaml

    def change(data: dict) -> None:  # type: ignore[type-arg]
        data["organisations"][0]["name"] = "Smith & Sons <Support> Łódź"
        data["organisations"][0]["address"]["lines"] = [
            "Unit 4, The Old Tannery", "Cable Yard", "Riverside Industrial Estate", "Lower Wrexley"]

    edit_yaml(sample_case / "case.yaml", change)
    out = tmp_path / "letters"
    result = run("letter", "findings", str(sample_case), "-o", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    pdf = out / "findings.pdf"
    lines = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "Smith & Sons <Support> Łódź" in lines
    words = [w for w in pdf_words(pdf) if w.page == 1]
    window = [w.text for w in words if WINDOW_Y[0] <= w.y0 and w.y1 <= WINDOW_Y[1]
              and WINDOW_X[0] <= w.x0 and w.x1 <= WINDOW_X[1]]
    assert " ".join(window) == (
        "Daniel Achterberg Smith & Sons <Support> Łódź Unit 4, The Old Tannery "
        "Cable Yard Riverside Industrial Estate, Lower Wrexley Wrexley WX2 5HN"
    )


def test_fields_lists_every_value_with_its_description() -> None:
    result = run("letter", "fields", "findings")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "recommendations[].acknowledge_by  Date to acknowledge it, e.g. '4 November 2026'." in lines
    assert any(line.startswith("{{ provider.address.postcode }}") for line in lines)
    assert "{% for item in recommendations %}  Every recommendation not withdrawn, with both dates." in lines
    assert "provider.*  The provider the letter goes to." in lines
    assert all("  " in line for line in lines)  # every field is described


def test_legal_basis_from_the_case_or_the_template(sample_case: Path, tmp_path: Path) -> None:
    case_yaml = sample_case / "case.yaml"
    text = case_yaml.read_text(encoding="utf-8")
    start = text.index("    legal_basis: >-")
    end = text.index("  team:", start)
    case_yaml.write_text(text[:start] + text[end:], encoding="utf-8")
    # The toolkit's template prints the case's legal basis: the case must give it.
    result = run("letter", "information-request", str(sample_case), "-o", str(tmp_path / "a"))
    assert result.exit_code == ExitCode.CASE_INCOMPLETE
    assert "legal basis" in result.stderr and "review.authority" in result.stderr
    # A council's template that states its legal basis itself does not need it.
    own = tmp_path / "own"
    own.mkdir()
    doc = Document()
    doc.add_paragraph("We ask under section 126A of our own statement. Due {{ due_date }}.")
    doc.save(str(own / "information-request.docx"))
    result = run("letter", "information-request", str(sample_case), "-o", str(tmp_path / "b"),
                 "--templates", str(own))
    assert result.exit_code == 0, result.output
    assert "Due 22 September 2026." in all_text(open_docx(tmp_path / "b" / "information-request.docx"))


# --------------------------------------------------------------------------- issue 10


def test_a_resident_with_neither_name_nor_room_gets_no_letter(sample_case: Path,
                                                                tmp_path: Path) -> None:
    """A letter that could only say 'The resident' would be sorted by the provider's staff:
    it is not written, and the officer is told what to record."""
    path = sample_case / "residents" / "R03.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "correspondence:  # for letters only; no name given, so letters go to his room, marked "
        "private\n  flat: Room 7\n", ""), encoding="utf-8")
    out = tmp_path / "letters"
    result = run("letter", "resident-outcome", str(sample_case), "-o", str(out),
                 "--resident", "R03")
    assert result.exit_code == ExitCode.CASE_INCOMPLETE
    assert "R03.yaml: R03 has no name or room recorded" in result.stderr
    assert "flat: Room 3" in result.stderr
    result = run("letter", "resident-outcome", str(sample_case), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["resident-outcome-R01.docx",
                                                     "resident-outcome-R02.docx",
                                                     "resident-outcome-R04.docx"]
    assert "warning: letter not written: R03 has no name or room recorded" in result.stderr


def test_a_letter_is_refused_while_its_records_hold_a_placeholder(sample_case: Path,
                                                                  tmp_path: Path) -> None:
    """Whether or not this letter prints it, a value `bundler case new` left to fill in means
    the records are not finished: one line naming the first, the file, line and field."""
    case_yaml = sample_case / "case.yaml"
    text = case_yaml.read_text(encoding="utf-8")
    lines = text.splitlines()
    team = next(number for number, row in enumerate(lines, start=1)
                if row.strip().startswith("team: Supported Housing Review Team"))
    text = text.replace("team: Supported Housing Review Team",
                        "team: \"FILL IN: the team's name as letters show it\"")
    area = next(number for number, row in enumerate(lines, start=1)
                if row.strip().startswith("area: "))
    text = "\n".join(row if number != area else row.split(":")[0] + ": 'FILL IN: the ward'"
                     for number, row in enumerate(text.splitlines(), start=1)) + "\n"
    case_yaml.write_text(text, encoding="utf-8")
    out = tmp_path / "letters"
    result = run("letter", "information-request", str(sample_case), "-o", str(out))
    assert result.exit_code == ExitCode.CASE_INCOMPLETE
    first = min(team, area)
    field = "review.authority.team" if first == team else "schemes[0].area"
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and error[0].startswith(f"error: {case_yaml}:{first}: {field}: still "
                                                   "the placeholder \"FILL IN: ")
    assert error[0].endswith("(and 1 more): a letter is not made from records still holding "
                             "placeholders")
    assert f"bundler validate {sample_case}" in result.stderr
    assert not out.exists() or not list(out.iterdir())
    assert not audit_entries(sample_case)
    # a resident's letter: their own file too, and only theirs
    case_yaml.write_text(case_yaml.read_text(encoding="utf-8").replace(
        "\"FILL IN: the team's name as letters show it\"", "Supported Housing Review Team").replace(
        "'FILL IN: the ward'", "Nettlebank and Canal Side ward"), encoding="utf-8")
    r01 = sample_case / "residents" / "R01.yaml"
    r01.write_text(r01.read_text(encoding="utf-8").replace("flat: Room 5", "flat: 'FILL IN: room'"),
                   encoding="utf-8")
    line = next(number for number, row in enumerate(
        r01.read_text(encoding="utf-8").splitlines(), start=1) if "FILL IN: room" in row)
    result = run("letter", "resident-outcome", str(sample_case), "-o", str(out), "--resident", "R01")
    assert result.exit_code == ExitCode.CASE_INCOMPLETE
    assert (f"error: {r01}:{line}: correspondence.flat: still the placeholder \"FILL IN: room\": "
            "the resident-outcome letter is not made") in result.stderr
    result = run("letter", "resident-outcome", str(sample_case), "-o", str(out), "--resident", "R02")
    assert result.exit_code == 0, result.output


@needs_libreoffice
def test_pdf_letters_show_only_the_address_in_the_window_and_carry_their_date(
    sample_case: Path, tmp_path: Path
) -> None:
    """GOV.UK Notify's window: the address block 24.6 mm from the left and 39.5 mm from the
    top. Nothing else may show through it however the letter sits in the envelope, so the
    zone 5 mm around the block holds the address alone, and the letterhead ends above it.
    The PDF's creation date is the letter's date."""
    out = tmp_path / "letters"
    for kind, extra in (("information-request", []), ("resident-outcome", ["--resident", "R03"])):
        result = run("letter", kind, str(sample_case), "-o", str(out), "--pdf", *extra)
        assert result.exit_code == 0, result.output
    for name, date, address in (
        ("information-request.pdf", "D:20260901",
         "Daniel Achterberg Brackenfold Support CIC 3 Cable Yard Wrexley WX2 5HN"),
        ("resident-outcome-R03.pdf", "D:20261021",
         "Private: to be opened by the addressee only The resident, Room 7 14 Nettlebank Road "
         "Wrexley WX4 2QT"),
    ):
        words = [w for w in pdf_words(out / name) if w.page == 1]
        zone = [w for w in words if WINDOW_Y[0] - 5 < w.y1 and w.y0 < WINDOW_Y[1] + 5
                and WINDOW_X[0] - 5 < w.x1 and w.x0 < WINDOW_X[1] + 5]
        assert " ".join(w.text for w in zone) == address, name
        assert all(WINDOW_Y[0] <= w.y0 and w.y1 <= WINDOW_Y[1] for w in zone), name
        letterhead = [w for w in words if w.y1 < WINDOW_Y[0]]
        assert any(w.text == "Wrexley" for w in letterhead)
        assert max(w.y1 for w in letterhead) < WINDOW_Y[0] - 5, name
        info = PdfReader(out / name).metadata
        assert info is not None and str(info["/CreationDate"]).startswith(date), name


def test_disk_filling_while_writing_a_letter_leaves_the_earlier_one_and_records_nothing(
    sample_case: Path, tmp_path: Path
) -> None:
    out = tmp_path / "letters"
    assert run("letter", "findings", str(sample_case), "-o", str(out)).exit_code == 0
    before, log_before = hashes(out), (sample_case / "audit.jsonl").read_bytes()
    (sample_case / "case.yaml").write_text(
        (sample_case / "case.yaml").read_text(encoding="utf-8").replace(
            "Nettlebank House", "Nettlebank Court"), encoding="utf-8")
    with file_size_limit((out / "findings.docx").stat().st_size // 2):
        result = run("letter", "findings", str(sample_case), "-o", str(out), "--force")
    assert (result.exit_code, result.stdout, result.stderr.splitlines()[0]) == (
        ExitCode.OUTPUT_FAILED, "", f"error: {out / 'findings.docx'}: cannot write here "
        "(File too large)")
    assert hashes(out) == before
    assert (sample_case / "audit.jsonl").read_bytes() == log_before
