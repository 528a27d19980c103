"""A profile requiring A4 (pd27a): pages that are not A4 (US Letter from LibreOffice, a
turned Letter page, an A3 plan, a small receipt) go onto A4 sheets, scaled to fit and
centred, their content unchanged; said on progress, in the index and in the manifest, and
rebuilt the same by `bundle verify --sources`. Read back as a judge's viewer would: page
sizes, words where pdftotext finds them, links landing on their pages."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject
from reportlab.lib.pagesizes import A3, A4, landscape, letter
from reportlab.pdfgen import canvas

from bundler.bundle.paper import describe_fits, is_a4, paper_name
from bundler.cli import cli
from tests import awkward
from tests.test_bundle_cli import write_spec


def page_with_words(path: Path, size: tuple[float, float], words: dict[str, tuple[float, float]],
                    link_to_second: bool = False, pages: int = 1) -> Path:
    """A PDF of ``size`` with each word drawn at (x, y); optionally a link on page 1 to
    page 2 (a document's own cross-reference)."""
    c = canvas.Canvas(str(path), pagesize=size, invariant=True)
    for number in range(pages):
        c.setFont("Helvetica", 12)
        for word, (x, y) in words.items():
            c.drawString(x, y, f"{word} words {number + 1}")
        c.showPage()
    c.save()
    if link_to_second:
        reader = PdfReader(path)
        writer = PdfWriter(clone_from=reader)
        # Put in /Annots as a file made elsewhere would have it (add_annotation's handling of
        # /Dest differs between the pypdf versions the package allows)
        link = writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (60, 60, 200, 90)]),
            NameObject("/Border"): ArrayObject([NumberObject(0)] * 3),
            NameObject("/Dest"): ArrayObject([writer.pages[1].indirect_reference,
                                              NameObject("/Fit")]),
        }))
        writer.pages[0][NameObject("/Annots")] = ArrayObject([link])
        with path.open("wb") as handle:
            writer.write(handle)
    return path


def turned(path: Path, size: tuple[float, float], word: str) -> Path:
    """A portrait page shown turned a quarter (/Rotate 90): displayed landscape."""
    page_with_words(path, size, {word: (72, size[1] / 2)})
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.pages[0].rotate(90)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def words_at(pdf: Path, page: int) -> tuple[tuple[float, float], dict[str, tuple[float, ...]]]:
    """pdftotext -bbox: the page's size and each word's box (xMin, yMin, xMax, yMax), top-down."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], check=True, capture_output=True, text=True).stdout
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    assert size is not None
    boxes = {m.group(5): tuple(float(m.group(n)) for n in range(1, 5)) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>',
        html)}
    return (float(size.group(1)), float(size.group(2))), boxes


def displayed(page: object) -> tuple[float, float]:
    box = page.cropbox  # type: ignore[attr-defined]
    width, height = float(box.width), float(box.height)
    return (height, width) if int(page.get("/Rotate", 0) or 0) % 180 else (width, height)  # type: ignore[attr-defined]


def test_paper_names_and_descriptions() -> None:
    assert is_a4(*A4) and is_a4(*landscape(A4)) and is_a4(595, 842)
    assert not is_a4(*letter) and not is_a4(*A3)
    assert paper_name(*letter) == "US Letter"
    assert paper_name(*landscape(A3)) == "A3 landscape"
    assert paper_name(300, 500) == "106 x 176 mm"
    assert describe_fits([A4, A4], 14) is None
    fitted = describe_fits([A4, letter, letter, A4, (300, 500)], 14)
    assert fitted is not None and fitted.pages == (2, 3, 5)
    assert fitted.description == ("pages 2-3 (US Letter) scaled to 97% and centred on A4; "
                                  "page 5 (106 x 176 mm) centred on A4 at full size")
    one = describe_fits([letter], 14)
    assert one is not None and one.description == "the page (US Letter) scaled to 97% and centred on A4"


@pytest.fixture(scope="module")
def fitted_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    folder = tmp_path_factory.mktemp("pagesize")
    page_with_words(folder / "a4.pdf", A4, {"AFOUR": (72, 700)})
    # Letter, with words at its four corners and its centre, and a link to its page 2
    w, h = letter
    page_with_words(folder / "letter.pdf", letter, {
        "TOPLEFT": (20, h - 30), "BOTTOMRIGHT": (w - 110, 12), "CENTRE": (w / 2 - 30, h / 2)},
        link_to_second=True, pages=2)
    turned(folder / "turned.pdf", letter, "TURNED")
    page_with_words(folder / "plan.pdf", landscape(A3), {"PLAN": (100, 100)})
    page_with_words(folder / "receipt.pdf", (200, 300), {"RECEIPT": (20, 150)})
    awkward.make_docx(folder / "letter.docx", ("WORDLETTER support plan",))
    spec = write_spec(folder, [("a4.pdf", "A4 document"), ("letter.pdf", "Letter document"),
                               ("turned.pdf", "Turned page"), ("plan.pdf", "Site plan"),
                               ("receipt.pdf", "Receipt"), ("letter.docx", "Word file")])
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o",
                                      str(folder / "out" / "bundle.pdf"), "--profile", "pd27a",
                                      "--date", "2026-11-30"])
    assert result.exit_code == 0, result.output + result.stderr
    return folder / "out" / "bundle.pdf", result.stdout, result.stderr


def test_every_page_is_a4_and_the_check_passes_page_size(
        fitted_bundle: tuple[Path, str, str]) -> None:
    pdf, stdout, stderr = fitted_bundle
    reader = PdfReader(pdf)
    sizes = [displayed(page) for page in reader.pages]
    assert all(is_a4(*size) for size in sizes), sizes
    manifest = json.loads(pdf.with_name("bundle.manifest.json").read_text())
    plan_page = next(d for d in manifest["documents"] if d["source"] == "plan.pdf")["first_page"]
    assert sizes[plan_page - 1][0] > sizes[plan_page - 1][1]  # landscape stays landscape
    assert "MEETS pd27a" in stdout  # the profile's check after the build: only WARN lines
    assert "page size" not in stderr and "text:" not in stderr
    check = CliRunner().invoke(cli, ["bundle", "check", str(pdf), "--profile", "pd27a",
                                     "--json"])
    rules = {rule["rule"]: rule for rule in json.loads(check.stdout)["rules"]}
    assert rules["page size"]["result"] == "PASS", rules["page size"]


def test_said_on_progress_in_the_index_and_the_manifest(
        fitted_bundle: tuple[Path, str, str]) -> None:
    pdf, stdout, _stderr = fitted_bundle
    assert "Fitted onto A4: letter.pdf: all 2 pages (US Letter) scaled to 97% and centred " \
           "on A4" in stdout
    assert "a4.pdf" not in stdout
    manifest = json.loads(pdf.with_name("bundle.manifest.json").read_text())
    assert manifest["options"]["page_size"] == "fit-a4"
    fitted = {d["source"]: d["fitted"] for d in manifest["documents"]}
    assert fitted["a4.pdf"] is None
    assert fitted["letter.pdf"] == "all 2 pages (US Letter) scaled to 97% and centred on A4"
    assert fitted["plan.pdf"] == "the page (A3 landscape) scaled to 68% and centred on A4"
    assert fitted["receipt.pdf"] == "the page (71 x 106 mm) centred on A4 at full size"
    assert "US Letter" in (fitted["letter.docx"] or "")  # LibreOffice's default paper
    assert "US Letter landscape" in (fitted["turned.pdf"] or "")
    index = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", "2", str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout
    assert "all 2 pages (US Letter) scaled to 97% and centred on A4" in index
    assert "the page (A3 landscape) scaled to 68% and centred on A4" in index
    assert "AFOUR" not in index


def test_content_is_scaled_and_centred_not_changed(fitted_bundle: tuple[Path, str, str]) -> None:
    pdf, _stdout, _stderr = fitted_bundle
    manifest = json.loads(pdf.with_name("bundle.manifest.json").read_text())
    first = next(d for d in manifest["documents"] if d["source"] == "letter.pdf")["first_page"]
    (width, height), words = words_at(pdf, first)
    assert (round(width), round(height)) == (595, 842)
    scale = 595.2756 / 612
    # the centre word stays centred across the sheet, every corner word on the sheet, in
    # the same places relative to each other, scaled
    centre = words["CENTRE"]
    assert abs((centre[0] + centre[2]) / 2 - width / 2) < 8
    top, bottom = words["TOPLEFT"], words["BOTTOMRIGHT"]
    assert top[0] == pytest.approx(20 * scale, abs=1.5)
    assert bottom[2] <= width and bottom[3] < height - 22  # above the stamp's band
    assert (bottom[0] - top[0]) == pytest.approx((612 - 110 - 20) * scale, abs=1.5)
    # the turned page reads upright, on a landscape sheet
    turned_page = next(d for d in manifest["documents"]
                       if d["source"] == "turned.pdf")["first_page"]
    (t_width, t_height), t_words = words_at(pdf, turned_page)
    assert t_width > t_height and "TURNED" in t_words
    # the stamp is where it always is: bottom of the sheet, readable
    text = subprocess.run(["pdftotext", "-f", str(first), "-l", str(first), str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout
    assert "HB-TEST-1" in text and "CENTRE" in text


def test_the_documents_own_link_lands_on_its_page(fitted_bundle: tuple[Path, str, str]) -> None:
    pdf, _stdout, _stderr = fitted_bundle
    reader = PdfReader(pdf)
    manifest = json.loads(pdf.with_name("bundle.manifest.json").read_text())
    first = next(d for d in manifest["documents"] if d["source"] == "letter.pdf")["first_page"]
    links = [a.get_object() for a in reader.pages[first - 1].get("/Annots", [])]
    assert len(links) == 1
    target = links[0]["/Dest"][0]
    assert target.idnum == reader.pages[first].indirect_reference.idnum  # the document's page 2
    x0, _y0, x1, _y1 = (float(v) for v in links[0]["/Rect"])
    scale = 595.2756 / 612
    assert x1 - x0 == pytest.approx(140 * scale, abs=0.5)  # scaled with its page


def test_without_the_profile_pages_keep_their_paper(tmp_path: Path) -> None:
    page_with_words(tmp_path / "letter.pdf", letter, {"WORD": (72, 700)})
    spec = write_spec(tmp_path, [("letter.pdf", "Letter document")])
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o",
                                      str(tmp_path / "b.pdf"), "--date", "2026-11-30"])
    assert result.exit_code == 0, result.output
    reader = PdfReader(tmp_path / "b.pdf")
    assert [round(v) for v in displayed(reader.pages[2])] == [612, 792]
    manifest = json.loads((tmp_path / "b.manifest.json").read_text())
    assert "page_size" not in manifest["options"]
    assert "fitted" not in manifest["documents"][0]


def test_verify_rebuilds_the_fitted_bundle_the_same(
        fitted_bundle: tuple[Path, str, str]) -> None:
    pdf, _stdout, _stderr = fitted_bundle
    result = CliRunner().invoke(cli, ["bundle", "verify", str(pdf), "--sources",
                                      str(pdf.parent.parent)])
    assert result.exit_code == 0, result.output
    assert "rebuil" in result.output.lower()


def test_pd27a_volumes_refused_saying_why(tmp_path: Path) -> None:
    page_with_words(tmp_path / "a.pdf", A4, {"WORD": (72, 700)})
    spec = write_spec(tmp_path, [("a.pdf", "A document")])
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o", str(tmp_path / "b.pdf"),
                                      "--profile", "pd27a", "--max-pages", "10"])
    assert result.exit_code != 0
    assert "--profile pd27a numbers pages by section" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert not list(tmp_path.glob("b*.pdf"))
