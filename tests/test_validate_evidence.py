"""`bundler validate --evidence`: the records checked against the files' own dates, each
note naming the record's line and the file and page."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from bundler.cli import cli


def dated_pdf(path: Path, *pages: str) -> Path:
    """A PDF whose pages read as given (a line each), like a provider's typed document."""
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for text in pages:
        c.setFont("Helvetica", 11)
        for number, line in enumerate(text.splitlines()):
            c.drawString(60, 760 - 16 * number, line)
        c.showPage()
    c.save()
    return path


def item_line(case_yaml: Path, item: str) -> int:
    lines = case_yaml.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1)
                if line.strip() == f"- item: {item}")


def test_dates_in_the_evidence_against_the_records(sample_case: Path) -> None:
    provider = sample_case / "evidence" / "provider"
    dated_pdf(provider / "85h-old-licence.pdf", "Model licence agreement",
              "Terms and conditions\nDate of issue: 4 January 2021")
    dated_pdf(provider / "85b-late.pdf", "Responsibilities of each organisation",
              "Dated: 30 September 2026")
    dated_pdf(provider / "85f-satisfaction-survey.pdf", "Resident satisfaction survey")
    case_yaml = sample_case / "case.yaml"
    text = case_yaml.read_text(encoding="utf-8")
    text = text.replace("files: [evidence/provider/85h-model-licence-agreement.pdf]",
                        "files: [evidence/provider/85h-old-licence.pdf]", 1)
    text = text.replace(
        "      files: [evidence/provider/85a-organisations-and-responsibilities.pdf]\n"
        "    - item: b_responsibilities",
        "      files: [evidence/provider/85a-organisations-and-responsibilities.pdf]\n"
        "    - item: b_responsibilities", 1)
    lines = text.splitlines()
    b = next(n for n, line in enumerate(lines) if line.strip() == "- item: b_responsibilities")
    files = next(n for n in range(b, b + 8) if lines[n].strip().startswith("files:"))
    lines[files] = "      files: [evidence/provider/85b-late.pdf]"
    case_yaml.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = CliRunner().invoke(cli, ["validate", str(sample_case), "--evidence"])
    assert result.exit_code == 0, result.output
    out = result.output
    h = item_line(case_yaml, "h_occupancy_agreement")
    assert (f"{case_yaml}:{h + 4}: note: information_request.items[8].files: "
            "evidence/provider/85h-old-licence.pdf is dated 4 January 2021 (page 2), before the "
            "request was sent on 1 September 2026: check it is the current version") in out
    f = item_line(case_yaml, "f_satisfaction_forms")
    assert (f"{case_yaml}:{f + 2}: note: information_request.items[6].status: "
            "f_satisfaction_forms is outstanding, but evidence/provider/"
            "85f-satisfaction-survey.pdf is already in the case") in out
    assert ("note: information_request.items[2].received_date: evidence/provider/85b-late.pdf "
            "is dated 30 September 2026 (page 2), after it was received on 15 September 2026: "
            "check both dates") in out

    plain = CliRunner().invoke(cli, ["validate", str(sample_case)])
    assert "is dated" not in plain.output and "is outstanding, but" not in plain.output
