"""UTF-8 notes become wrapped A4 pages whose text reads back exactly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from bundler.errors import BadInput
from bundler.evidence import identify, register_fonts, render_pdf
from bundler.evidence.layout import wrap_line
from tests import awkward


def _render(path: Path, tmp_path: Path) -> Path:
    rendition = render_pdf(identify(path, f"notes/{path.name}"), workdir=tmp_path / "w")
    assert rendition.converter == "text"
    return rendition.pdf


@pytest.mark.parametrize("bom", [False, True])
def test_names_in_latin_greek_cyrillic_read_back(tmp_path: Path, bom: bool) -> None:
    pdf = _render(awkward.make_utf8_text(tmp_path / "visit.txt", bom=bom), tmp_path)
    text = awkward.pdf_text(pdf)
    for name in awkward.NAMES:
        assert f"Met {name}." in text
    assert "visit.txt" in text
    assert "\ufeff" not in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(pdf).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert all("DejaVuSans" in name for name in fonts), fonts


def test_long_lines_and_unbroken_strings_wrap_inside_the_page(tmp_path: Path) -> None:
    reference = "REF" + "0123456789" * 40  # 403 characters, no spaces
    sentence = " ".join(["Ελένη visited the scheme office on Tuesday."] * 20)
    path = tmp_path / "long.txt"
    path.write_text(f"{reference}\n{sentence}\n", encoding="utf-8")
    pdf = _render(path, tmp_path)
    text = awkward.pdf_text(pdf)
    assert reference in text.replace("\n", "")
    assert " ".join(text.split()).count("Ελένη visited the scheme office") == 20
    # Every line is drawn within the page (pdftotext -bbox would be overkill:
    # check the wrapping function directly with the same font).
    regular, _ = register_fonts()
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for piece in wrap_line(reference, regular, 10, 300):
        assert stringWidth(piece, regular, 10) <= 300
    assert "".join(wrap_line(reference, regular, 10, 300)) == reference


def test_long_text_breaks_onto_more_pages(tmp_path: Path) -> None:
    path = tmp_path / "diary.txt"
    path.write_text("\n".join(f"Line {n} — Дмитрий" for n in range(1, 201)) + "\n", "utf-8")
    pdf = _render(path, tmp_path)
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 3
    text = awkward.pdf_text(pdf)
    for n in (1, 100, 200):
        assert f"Line {n} — Дмитрий" in text
    assert "Line 200" in reader.pages[-1].extract_text()


def test_tabs_and_control_characters_do_not_break_the_page(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes("Name:\tSiân\r\nBell\x07 ringing\x0c\r\nend\n".encode())
    text = awkward.pdf_text(_render(path, tmp_path))
    assert "Siân" in text
    assert "Bell ringing" in text
    assert "end" in text


def test_two_renders_are_byte_identical(tmp_path: Path) -> None:
    path = awkward.make_utf8_text(tmp_path / "same.txt")
    first = render_pdf(identify(path, "same.txt"), workdir=tmp_path / "a")
    second = render_pdf(identify(path, "same.txt"), workdir=tmp_path / "b")
    assert first.pdf.read_bytes() == second.pdf.read_bytes()


def test_windows_1252_note_is_refused_with_a_fix(tmp_path: Path) -> None:
    path = awkward.make_cp1252_text(tmp_path / "ansi.txt")
    with pytest.raises(BadInput) as caught:
        identify(path, "notes/ansi.txt")
    assert str(caught.value).startswith("notes/ansi.txt: is text but not in UTF-8")
    assert "UTF-8" in caught.value.hint


def test_binary_with_txt_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(BadInput, match=r"^notes/blob\.txt: "):
        identify(path, "notes/blob.txt")


def test_utf16_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "notepad-unicode.txt"
    path.write_bytes("Visit with Ελένη and Дмитрий\r\n".encode("utf-16"))
    assert "Visit with Ελένη and Дмитрий" in awkward.pdf_text(_render(path, tmp_path))


def test_columns_lined_up_with_spaces_stay_lined_up(tmp_path: Path) -> None:
    path = tmp_path / "rota.txt"
    path.write_text("Name      Day\nSiân      Monday\nДмитрий   Friday\n", encoding="utf-8")
    pdf = _render(path, tmp_path)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for font in PdfReader(pdf).pages[0]["/Resources"]["/Font"].values()
    }
    assert any(name.endswith("DejaVuSansMono") for name in fonts), fonts
    result = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    )
    lines = [line for line in result.stdout.splitlines() if "day" in line]
    assert len({line.index("day") for line in lines}) == 1, lines


def test_missing_font_names_the_debian_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bundler.errors import MissingTool
    from bundler.evidence import fonts

    monkeypatch.setattr(fonts, "_FONT_DIRS", (tmp_path,))
    with pytest.raises(MissingTool) as caught:
        fonts.find_font("DejaVuSans.ttf")
    assert "DejaVuSans.ttf" in str(caught.value)
    assert "fonts-dejavu-core" in caught.value.hint


_LETTERS = "abcdefghijklmnopqrstuvwxyzâëŁłΕλένηДмитрий0123456789-/."


@given(
    text=st.text(alphabet=_LETTERS + "  ", max_size=400),
    width=st.floats(min_value=20, max_value=500),
)
@settings(max_examples=200, deadline=None)
def test_wrapping_loses_nothing_and_fits(text: str, width: float) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    regular, _ = register_fonts()
    pieces = wrap_line(text, regular, 10, width)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
    for piece in pieces:
        # A single character wider than the line is the only thing allowed to overflow.
        assert stringWidth(piece, regular, 10) <= width or len(piece.strip()) == 1


def test_characters_the_font_lacks_are_marked_not_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    path = tmp_path / "mixed.txt"
    path.write_text("Name: 王小明 (Ελένη) 😀\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        text = awkward.pdf_text(_render(path, tmp_path))
    assert "Name: \ufffd\ufffd\ufffd (Ελένη) \ufffd" in text
    assert "notes/mixed.txt: 4 characters cannot be shown in the PDF's font" in caplog.text


def test_wrapped_list_items_hang_under_their_text() -> None:
    from bundler.evidence.fonts import register_mono_font

    mono = register_mono_font()
    line = "  - Both could describe the safeguarding procedure and the escalation route."
    pieces = wrap_line(line, mono, 10, 250)
    assert len(pieces) > 1
    assert pieces[0].startswith("  - Both")
    for piece in pieces[1:]:
        assert piece.startswith("    ") and not piece.startswith("     ")
