"""Redaction removes what lies under each box from the file: text, glyphs, image pixels.

Every test reads the result as a recipient could: pdftotext (with and without the crop box),
the raw decompressed objects (qpdf --qdf), the rendered page, the image's own pixels.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import NameObject, StreamObject

from bundler.redact import Region, Rules, extractable, redact_pdf
from bundler.redact.engine import RENDERED, STRIPPED
from bundler.redact.terms import DataKind
from tests.redact_fixtures import (
    KEPT,
    make_form_and_annotations,
    make_scan,
    make_turned,
    make_typed,
    matcher,
    pdftotext,
    raw_objects,
    render_grey,
)

FORBIDDEN = re.compile(r"dmitri|volkov|lukasz|łukasz|brennan|07700|@example", re.IGNORECASE)
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="tesseract-ocr is not installed")


def word_boxes(path: Path) -> list[tuple[str, str]]:
    """(word, its box) in page order, as pdftotext -bbox reports them."""
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                       r'yMax="([\d.]+)">([^<]*)</word>', pdftotext(path, "-bbox"))
    return [(text, f"{float(x0):.1f} {float(y0):.1f}") for x0, y0, _x1, _y1, text in found]


@pytest.mark.parametrize("embedded", [False, True], ids=["standard-font", "embedded-font"])
def test_typed_names_are_removed_and_every_other_word_stays_in_place(
        tmp_path: Path, embedded: bool) -> None:
    source = make_typed(tmp_path / "notes.pdf", embedded=embedded)
    result = redact_pdf(source, None, Rules(matcher()), tmp_path, "notes.pdf")
    assert result is not None
    text = pdftotext(result.pdf)
    assert FORBIDDEN.search(text) is None
    assert FORBIDDEN.search(raw_objects(result.pdf, tmp_path).decode("latin-1")) is None
    assert FORBIDDEN.search(pdftotext(source))  # the original has them: the check can fail
    assert KEPT in text and "support plan was reviewed" in text
    after = word_boxes(result.pdf)
    unmarked = {"Interview", "with", "at", "Nettlebank", "House,", "The", "support", "plan",
                "was", "reviewed", "in", "March", "the", "keyworker."}
    for word in word_boxes(source):
        if word[0] in unmarked:
            assert word in after, f"{word[0]} moved or vanished"
    assert {entry.method for entry in result.entries} == {STRIPPED}
    assert {entry.kind for entry in result.entries} == {
        DataKind.NAME, DataKind.ROOM, DataKind.PHONE, DataKind.EMAIL}
    assert result.rendered_pages == ()


def test_a_name_in_a_form_a_comment_and_a_mailto_link_is_removed(tmp_path: Path) -> None:
    source = make_form_and_annotations(tmp_path / "letter.pdf")
    result = redact_pdf(source, None, Rules(matcher()), tmp_path, "letter.pdf")
    assert result is not None
    assert FORBIDDEN.search(pdftotext(result.pdf)) is None
    assert FORBIDDEN.search(raw_objects(result.pdf, tmp_path).decode("latin-1")) is None
    assert "Prepared for" in pdftotext(result.pdf)
    reader = PdfReader(result.pdf)
    assert "/Annots" not in reader.pages[0] or not reader.pages[0]["/Annots"]
    assert "Second page without the letterhead." in reader.pages[1].extract_text()
    methods = {(entry.page, entry.method) for entry in result.entries}
    assert (1, "annotation removed") in methods and (1, STRIPPED) in methods


@needs_tesseract
def test_a_scanned_name_is_found_by_ocr_and_its_pixels_are_gone(tmp_path: Path) -> None:
    source, (left, top, right, bottom) = make_scan(tmp_path / "scan.pdf")
    result = redact_pdf(source, None, Rules(matcher(patterns=False)), tmp_path, "scan.pdf")
    assert result is not None
    assert result.ocr_pages == (0,) and result.rendered_pages == ()
    assert [(e.kind, e.method) for e in result.entries] == [(DataKind.NAME, STRIPPED)]
    # Rendered as a recipient sees it (150 dpi = the scan's): the name's box is black, but for
    # the white reason code printed on it.
    area = render_grey(result.pdf, 1, 150, tmp_path).crop((left, top, right, bottom))
    histogram = area.histogram()
    assert sum(histogram[:40]) >= 0.8 * sum(histogram), "part of the name still shows"
    darkest, lightest = render_grey(source, 1, 150, tmp_path).crop(
        (left, top, right, bottom)).getextrema()
    assert darkest < 40 and lightest > 200  # in the original the name shows
    # In the file: the picture's own pixels there are zero, not covered by a box.
    image = _only_image(result.pdf)
    assert image.crop((left + 2, top + 2, right - 2, bottom - 2)).getextrema() == (0, 0)
    assert image.crop((100, 400, 1100, 440)).getextrema()[0] < 100  # the rest is still there


def _only_image(pdf: Path):  # type: ignore[no-untyped-def]
    from io import BytesIO

    from PIL import Image

    page = PdfReader(pdf).pages[0]
    xobjects = page["/Resources"]["/XObject"]
    streams = [ref.get_object() for ref in xobjects.values()]
    images = [s for s in streams if isinstance(s, StreamObject) and s["/Subtype"] == "/Image"]
    assert len(images) == 1
    return Image.open(BytesIO(images[0].get_data())).convert("L")


def test_sideways_and_cropped_pages_and_text_hidden_outside_the_crop_box(tmp_path: Path) -> None:
    typed = make_typed(tmp_path / "typed.pdf")
    source = make_turned(tmp_path / "turned.pdf", typed)
    result = redact_pdf(source, None, Rules(matcher()), tmp_path, "turned.pdf")
    assert result is not None
    assert FORBIDDEN.search(pdftotext(result.pdf)) is None  # media box: hidden text too
    assert FORBIDDEN.search(raw_objects(result.pdf, tmp_path).decode("latin-1")) is None
    assert "support plan was reviewed" in pdftotext(result.pdf, "-f", "1", "-l", "1")
    # The turned page's boxes lie over where the name was, as displayed.
    original = render_grey(source, 1, 72, tmp_path)
    redacted = render_grey(result.pdf, 1, 72, tmp_path)
    assert original.size == redacted.size
    assert original.size[0] > original.size[1]  # shown landscape, as before


def test_a_region_over_a_drawing_removes_it_and_one_across_a_drawing_rerenders(
        tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "signed.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842), invariant=1)
    c.setFont("Helvetica", 12)
    c.drawString(60, 760, "Signed by the resident below; Nettlebank House.")
    c.bezier(100, 600, 150, 680, 200, 520, 250, 600)  # a 'signature', x 100-250, y 520-680
    c.showPage()
    c.save()
    mm = 25.4 / 72  # regions are millimetres from the top-left corner
    whole = Region(1, 90 * mm, (842 - 700) * mm, 170 * mm, 200 * mm, "SC")
    result = redact_pdf(path, None, Rules(matcher(), (whole,)), tmp_path, "signed.pdf")
    assert result is not None and result.rendered_pages == ()
    content = PdfReader(result.pdf).pages[0].get_contents().get_data()  # type: ignore[union-attr]
    assert b" c\n" not in content and b" c " not in content  # the curve is gone from the file
    partial = Region(1, 90 * mm, (842 - 700) * mm, 80 * mm, 200 * mm, "SC")
    (tmp_path / "again").mkdir()
    again = redact_pdf(path, None, Rules(matcher(), (partial,)), tmp_path / "again", "signed.pdf")
    assert again is not None and again.rendered_pages == (0,)
    assert [e.method for e in again.entries] == [RENDERED]
    text = pdftotext(again.pdf)
    assert "Signed by the resident below" in text  # the re-rendered page still searches
    fonts = subprocess.run(["pdffonts", str(again.pdf)], capture_output=True, text=True).stdout
    assert "Helvetica " not in fonts.replace("Helvetica-Bold", "")  # no original font left


def test_a_font_whose_glyphs_cannot_be_placed_sends_its_page_to_be_rerendered(
        tmp_path: Path) -> None:
    from pypdf import PdfWriter

    typed = make_typed(tmp_path / "typed.pdf", embedded=True)
    writer = PdfWriter(clone_from=typed)
    for page in writer.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for key in ("/Widths", "/FirstChar", "/LastChar"):
                font.pop(key, None)
            font[NameObject("/BaseFont")] = NameObject("/ABCDEF+Unknown")
    odd = tmp_path / "odd.pdf"
    with odd.open("wb") as handle:
        writer.write(handle)
    result = redact_pdf(odd, None, Rules(matcher()), tmp_path, "odd.pdf")
    assert result is not None and result.rendered_pages == (0, 1)
    assert FORBIDDEN.search(pdftotext(result.pdf)) is None
    assert FORBIDDEN.search(raw_objects(result.pdf, tmp_path).decode("latin-1")) is None
    assert "support plan was reviewed" in pdftotext(result.pdf)


def test_same_document_same_rules_same_bytes(tmp_path: Path) -> None:
    source = make_form_and_annotations(tmp_path / "letter.pdf")
    runs = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        result = redact_pdf(source, None, Rules(matcher()), tmp_path / name, "letter.pdf")
        assert result is not None
        runs.append(result.pdf.read_bytes())
    assert runs[0] == runs[1]


def test_nothing_marked_gives_no_copy(tmp_path: Path) -> None:
    source = make_typed(tmp_path / "typed.pdf")
    from bundler.redact import Matcher, Term

    rules = Rules(Matcher(terms=(Term("Nobody", DataKind.NAME, "TP"),)))
    assert redact_pdf(source, None, rules, tmp_path, "typed.pdf") is None


def test_the_check_finds_what_is_left_and_never_says_what_it_is(tmp_path: Path) -> None:
    source = make_form_and_annotations(tmp_path / "letter.pdf")
    findings = extractable(source, matcher())
    places = {finding.where for finding in findings}
    assert "page 1 (text)" in places
    assert any(place.endswith("(annotation)") for place in places)
    assert all(FORBIDDEN.search(finding.line()) is None for finding in findings)
    result = redact_pdf(source, None, Rules(matcher()), tmp_path, "letter.pdf")
    assert result is not None
    assert extractable(result.pdf, matcher()) == []
