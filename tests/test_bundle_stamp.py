"""Stamp geometry and the ASCII85 fast path; stamped pages read back with pdftotext."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    RectangleObject,
)

from bundler.bundle.stamp import (
    BAND,
    FONT_RESOURCE,
    IDENTITY,
    LABEL_FONT,
    LABEL_RESOURCE,
    MARKER_SIZE,
    _num,
    apply,
    as_printed,
    content_matrix,
    core_label,
    details_text,
    fitted_geometry,
    invert,
    multiply,
    page_geometry,
    prefix_bytes,
    read_stamp,
    stamp_text,
    suffix_bytes,
    text_width,
    transform_rect,
)
from bundler.evidence.filters import ascii85_decode
from tests import bundle_fixtures as fx


@given(st.binary(max_size=2000))
def test_ascii85_decode_round_trips(data: bytes) -> None:
    encoded = base64.a85encode(data, adobe=True, wrapcol=75)
    assert ascii85_decode(encoded) == data
    assert ascii85_decode(base64.a85encode(data)) == data  # without <~ ~> and with z groups


def test_ascii85_rejects_what_is_not_ascii85() -> None:
    with pytest.raises(ValueError):
        ascii85_decode(b"<~abc\x7f~>")


def _ascii85_one_group_at_a_time(data: bytes) -> bytes:
    """The textbook decoder, one group at a time: what ascii85_decode must agree with."""
    text = bytes(c for c in data if c not in b" \t\n\r\x0c\x00")
    text = text.removeprefix(b"<~")
    text = text.split(b"~>")[0] if b"~>" in text else text.removesuffix(b"~")
    text = text.replace(b"z", b"!!!!!")
    if any(c < 33 or c > 117 for c in text) or len(text) % 5 == 1:
        raise ValueError("not ASCII85")
    out = b""
    for start in range(0, len(text), 5):
        group = text[start:start + 5]
        value = 0
        for c in group + b"u" * (5 - len(group)):
            value = value * 85 + c - 33
        if value >= 2**32:
            raise ValueError("overflow")
        out += value.to_bytes(4, "big")[: len(group) - 1]
    return out


@given(st.binary(max_size=60).map(lambda b: bytes(33 + c % 86 if c % 86 < 85 else 122 for c in b))
       | st.lists(st.sampled_from([b"s8W-!", b"z", b"~>", b"~", b"<~", b" ", b"!", b"u", b"\x7f"]),
                  max_size=12).map(b"".join)
       | st.binary(max_size=40))
def test_ascii85_decode_agrees_with_the_textbook_decoder_or_both_refuse(data: bytes) -> None:
    try:
        expected: bytes | None = _ascii85_one_group_at_a_time(data)
    except ValueError:
        expected = None
    try:
        got: bytes | None = ascii85_decode(data)
    except ValueError:
        got = None
    assert got == expected


def test_an_ascii85_group_over_four_bytes_is_refused_in_any_position() -> None:
    assert ascii85_decode(b"s8W-!") == b"\xff\xff\xff\xff"
    for data in (b"s8W-\"", b"!!!!!s8W-\"", b"s8W-\"!!!!!", b"uuuuu", b"!!!!!uu"):
        with pytest.raises(ValueError):
            ascii85_decode(data)


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_content_shrinks_into_the_area_above_the_band(rotate: int) -> None:
    geometry = page_geometry((0, 0, 600, 800), (50, 40, 550, 780), rotate)
    to_display = _inverse(geometry.display_to_user)
    matrix = content_matrix(geometry)
    x0, y0, x1, y1 = geometry.box
    for corner in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
        u, v = apply(to_display, *apply(matrix, *corner))
        assert -1e-6 <= u <= geometry.width + 1e-6
        assert BAND - 1e-6 <= v <= geometry.height + 1e-6


def test_display_size_swaps_for_quarter_turns() -> None:
    assert (page_geometry((0, 0, 600, 800), None, 90).width,
            page_geometry((0, 0, 600, 800), None, 90).height) == (800, 600)
    assert page_geometry((0, 0, 600, 800), None, 180).width == 600


def test_stamp_text_format() -> None:
    assert stamp_text("A3", "HB-1", "A1", "ab" * 32) == "A3  HB-1  doc A1  sha256:abababababab"


def _inverse(m: tuple[float, float, float, float, float, float]) -> tuple[float, ...]:
    from bundler.bundle.stamp import invert

    return invert(m)


# Stamped pages read back as a recipient sees them: pdftotext's word boxes, in points from
# the displayed page's top-left corner, and the fonts and sizes pypdf reads the text in.
LABEL = "A12"
DETAILS = details_text("HB-APPEAL-2026-0142", 3, "0123456789abcdef" * 4)
TOLERANCE = 0.05  # points: the streams carry 4 decimals


def stamped(path: Path, mediabox: tuple[float, float, float, float], *,
            cropbox: tuple[float, float, float, float] | None = None, rotate: int = 0,
            label: str = LABEL, details: str = DETAILS, marker: str | None = None,
            content: bytes = b"", fit: bool = False) -> fx.PageWords:
    """One page of this geometry (blank, or drawing ``content``), stamped as a bundle's
    pages are (``fit``: as a profile requiring A4 does, onto an A4 sheet)."""
    writer = PdfWriter()
    page = writer.add_blank_page(mediabox[2] - mediabox[0], mediabox[3] - mediabox[1])
    page.mediabox = RectangleObject(mediabox)
    if cropbox is not None:
        page.cropbox = RectangleObject(cropbox)
    page[NameObject("/Rotate")] = NumberObject(rotate)
    fonts = DictionaryObject()
    for resource, name in ((FONT_RESOURCE, "/Helvetica"), (LABEL_RESOURCE, "/Helvetica-Bold")):
        fonts[NameObject(resource)] = writer._add_object(DictionaryObject({
            NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject(name),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding")}))
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    geometry = page_geometry(mediabox, cropbox, rotate)
    onto = fitted_geometry(geometry) if fit else None
    if onto is not None:  # the page becomes the sheet
        page.mediabox = RectangleObject(onto.box)
        for key in ("/CropBox", "/Rotate"):
            page.pop(key, None)
    streams = ArrayObject()
    for data in (prefix_bytes(geometry, onto), content,
                 suffix_bytes(onto or geometry, label, details, marker)):
        stream = DecodedStreamObject()
        stream.set_data(data)
        streams.append(writer._add_object(stream))
    page[NameObject("/Contents")] = streams
    with path.open("wb") as handle:
        writer.write(handle)
    (words,) = fx.words_by_page(path)
    return words


def line(words: fx.PageWords, first: str, last: str) -> tuple[float, float, float, float]:
    """The box from the word ``first`` to the word ``last`` (the first of each)."""
    texts = [word.text for word in words.words]
    start, end = texts.index(first), texts.index(last)
    chosen = words.words[start:end + 1]
    return (chosen[0].x0, min(w.y0 for w in chosen), chosen[-1].x1, max(w.y1 for w in chosen))


def sizes(path: Path) -> dict[str, tuple[str, float]]:
    """Each piece of text drawn on the page: its font and its size in points as displayed."""
    return {drawn.text: (drawn.font, round(drawn.size, 2)) for drawn in fx.drawn_texts(path, 1)}


def right_margin(width: float) -> float:
    """The label's right end stands this far from the right edge: 18 pt, or 5% of a page
    narrower than 360 pt."""
    return min(18.0, width * 0.05)


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("cropbox", [None, (40.0, 30.0, 540.0, 760.0)], ids=["media", "crop"])
def test_the_label_is_bold_at_the_bottom_right_of_the_page_as_displayed(
    tmp_path: Path, rotate: int, cropbox: tuple[float, float, float, float] | None
) -> None:
    """The label 11 pt bold, 18 pt from the right edge of the page as the reader sees it
    (any turn, any crop box), inside the band at the foot; the details 7 pt, ending 9 pt to
    its left on the same line."""
    words = stamped(tmp_path / "p.pdf", (10.0, 20.0, 600.0, 860.0), cropbox=cropbox,
                    rotate=rotate)
    assert [word.text for word in words.words] == [*DETAILS.split(), LABEL]
    (label,) = words.find(LABEL)
    x0, y0, x1, y1 = line(words, "HB-APPEAL-2026-0142", "sha256:0123456789ab")
    assert abs(label.x1 - (words.width - 18)) < TOLERANCE
    assert abs(label.x0 - (words.width - 18 - text_width(LABEL, 11, LABEL_FONT))) < TOLERANCE
    assert abs(x1 - (label.x0 - 9)) < TOLERANCE
    assert abs(x0 - (label.x0 - 9 - text_width(DETAILS, 7))) < TOLERANCE
    for top, bottom in ((label.y0, label.y1), (y0, y1)):
        assert words.height - BAND <= top < bottom <= words.height
    assert label.y1 - label.y0 > y1 - y0  # the label is the larger
    assert sizes(tmp_path / "p.pdf") == {DETAILS: ("Helvetica", 7.0),
                                         LABEL: ("Helvetica-Bold", 11.0)}


def test_the_page_shrinks_about_its_centre_to_make_room_for_the_band(tmp_path: Path) -> None:
    """A word in the middle of the page stays in the middle, at the shrunk page's scale."""
    width = text_width("MIDDLE", 12)
    content = f"BT {FONT_RESOURCE} 12 Tf {(600 - width) / 2:.4f} 300 Td (MIDDLE) Tj ET".encode()
    words = stamped(tmp_path / "p.pdf", (0.0, 0.0, 600.0, 600.0), content=content)
    (middle,) = words.find("MIDDLE")
    scale = (600 - BAND) / 600
    assert abs((middle.x0 + middle.x1) / 2 - 300) < TOLERANCE
    assert (middle.x1 - middle.x0) == pytest.approx(width * scale, abs=TOLERANCE)
    assert middle.y1 < words.height - BAND


def test_a_page_fitted_onto_a4_is_centred_above_the_band_at_full_size(tmp_path: Path) -> None:
    """A tall narrow page (300 x 800 points) fits A4 unscaled: it moves right by half the
    spare width and up by the band plus half the spare height, and the sheet is A4 exactly.
    The expected place is the same word drawn there on plain A4 paper; the footer is A4's."""
    sheet = (595.2756, 841.8898)
    right, up = (sheet[0] - 300) / 2, BAND + (sheet[1] - BAND - 800) / 2
    word = f"BT {FONT_RESOURCE} 12 Tf 20 700 Td (CORNER) Tj ET"
    fitted = stamped(tmp_path / "f.pdf", (0.0, 0.0, 300.0, 800.0), content=word.encode(),
                     fit=True)
    expected = stamped(tmp_path / "e.pdf", (0.0, 0.0, *sheet), label="", details="",
                       content=f"Q q 1 0 0 1 {right:.4f} {up:.4f} cm {word} Q q".encode())
    (after,), (there,) = fitted.find("CORNER"), expected.find("CORNER")
    assert (round(fitted.width, 4), round(fitted.height, 4)) == sheet
    assert (after.x0, after.y0, after.x1, after.y1) == pytest.approx(
        (there.x0, there.y0, there.x1, there.y1), abs=TOLERANCE)
    (label,) = fitted.find(LABEL)
    assert abs(label.x1 - (sheet[0] - 18)) < TOLERANCE


def narrowest(*widths: float) -> float:
    """The narrowest page (under 360 pt, so its right margin is 5% of it) on which parts this
    wide fit side by side from the left edge to the label's right margin."""
    return sum(widths) / 0.95


def test_details_wider_than_their_room_shrink_to_fit_between_2pt_and_the_label(
    tmp_path: Path,
) -> None:
    """The label keeps its 11 pt; the details shrink to run from 2 pt to 9 pt short of it."""
    label_w = text_width(LABEL, 11, LABEL_FONT)
    for width in (120.0, narrowest(2, text_width(DETAILS, 7), 9, label_w) - 2):
        path = tmp_path / f"{width}.pdf"
        words = stamped(path, (0.0, 0.0, width, 400.0))
        (label,) = words.find(LABEL)
        x0, _y0, x1, _y1 = line(words, "HB-APPEAL-2026-0142", "sha256:0123456789ab")
        label_x = width - right_margin(width) - label_w
        assert abs(label.x0 - label_x) < TOLERANCE
        assert (round(x0, 1), round(x1, 1)) == (2.0, round(label_x - 9, 1))
        font, size = sizes(path)[DETAILS]
        assert font == "Helvetica"
        assert size == pytest.approx(7 * (label_x - 11) / text_width(DETAILS, 7), abs=0.01)
        assert sizes(path)[LABEL] == ("Helvetica-Bold", 11.0)


def test_details_that_just_fit_keep_their_size(tmp_path: Path) -> None:
    label_w = text_width(LABEL, 11, LABEL_FONT)
    width = narrowest(2.5, text_width(DETAILS, 7), 9, label_w)
    words = stamped(tmp_path / "p.pdf", (0.0, 0.0, width, 400.0))
    x0, _y0, x1, _y1 = line(words, "HB-APPEAL-2026-0142", "sha256:0123456789ab")
    assert abs(x0 - 2.5) < TOLERANCE
    assert abs(x1 - (width * 0.95 - label_w - 9)) < TOLERANCE
    assert sizes(tmp_path / "p.pdf")[DETAILS] == ("Helvetica", 7.0)


def test_on_a_tiny_page_the_details_shrink_no_smaller_than_3pt_and_never_cover_the_label(
    tmp_path: Path,
) -> None:
    """Smaller would be unreadable: the details run off the left edge instead (a 50 pt
    receipt), ending 9 pt short of the label, so the page label stays legible, 11 pt."""
    path = tmp_path / "p.pdf"
    words = stamped(path, (0.0, 0.0, 50.0, 100.0))
    label = words.words[-1]
    label_x = 50 - 2.5 - text_width(LABEL, 11, LABEL_FONT)
    assert (label.text, round(label.x0, 2), round(label.x1, 2)) == (LABEL, round(label_x, 2),
                                                                    47.5)
    assert sizes(path) == {DETAILS: ("Helvetica", 3.0), LABEL: ("Helvetica-Bold", 11.0)}
    shown = " ".join(word.text for word in words.words[:-1])  # what is left of them
    assert shown and " ".join(DETAILS.split()).endswith(shown)
    assert abs(words.words[-2].x1 - (label.x0 - 9)) < TOLERANCE


@pytest.mark.parametrize("width", [40.0, 20.0])
def test_a_label_wider_than_the_page_shrinks_to_fit_its_margins_no_smaller_than_3pt(
    tmp_path: Path, width: float
) -> None:
    """A core bundle's label on a narrow page: between margins of 5% of the width each, or,
    when that would take it under 3 pt, 3 pt from 2 pt, running off the right edge."""
    label = core_label("A12", "140")
    path = tmp_path / "p.pdf"
    words = stamped(path, (0.0, 0.0, width, 100.0), label=label)
    margin = right_margin(width)
    fitted = 11 * (width - 2 * margin) / text_width(label, 11, LABEL_FONT)
    size = max(3.0, fitted)
    assert sizes(path)[label] == ("Helvetica-Bold", round(size, 2))
    first, last = words.words[0], words.words[-1]
    assert first.text == "A12"  # the details ran off the left edge, clear of the label
    assert label.startswith(" ".join(word.text for word in words.words))
    if fitted >= 3:
        assert abs(first.x0 - margin) < TOLERANCE
        assert abs(last.x1 - (width - margin)) < TOLERANCE
        assert last.text == "140)"
    else:
        assert abs(first.x0 - 2) < TOLERANCE


@pytest.mark.parametrize(("share", "size"), [(0.95, 11 * 0.9 / 0.95), (0.88, 11.0)])
def test_a_label_shrinks_only_when_it_does_not_fit_between_its_margins(
    tmp_path: Path, share: float, size: float
) -> None:
    """The label takes ``share`` of the page's width at 11 pt, the margins 5% each side: at
    95% it does not fit and shrinks to 90% of the width; at 88% it fits and keeps 11 pt."""
    label = core_label("A12", "140")
    width = text_width(label, 11, LABEL_FONT) / share
    path = tmp_path / "p.pdf"
    words = stamped(path, (0.0, 0.0, width, 100.0), label=label)
    assert sizes(path)[label] == ("Helvetica-Bold", round(size, 2))
    assert abs(words.words[-1].x1 - width * 0.95) < TOLERANCE


def test_stamps_of_older_bundles_and_hostile_bytes_read_back_never_an_error() -> None:
    """A bundle built before issue 10 has one 7.5 pt line, label first; its text is
    cp1252 (\\351 is e-acute). A byte cp1252 has no character for (\\201) reads as the
    replacement character; a stream without a stamp gives None."""
    old = b"q 1 0 0 1 0 0 cm\nBT 0 g /BSF 7.5 Tf 10 7 Td (A12  R\\351F  doc 1) Tj ET\nQ\n"
    assert read_stamp(old) == "A12  R\u00e9F  doc 1"
    assert read_stamp(old.replace(b"\\351", b"\x81")) == "A12  R\ufffdF  doc 1"
    new = (b"BT 0 g /BSF 7 Tf 10 7 Td (doc\x81 1) Tj /BSB 11 Tf 50 0 Td (A\x8112) Tj "
           b"ET\nQ\n")
    assert read_stamp(new) == "A\ufffd12  doc\ufffd 1"
    assert read_stamp(b"q 1 0 0 1 0 0 cm\nQ\n") is None


MARKER = "Parties' edition: 2 pages withheld"


def test_a_marker_sits_at_the_left_end_of_the_band_when_it_fits_beside_the_stamp(
    tmp_path: Path,
) -> None:
    # 4pt margin, the marker, 8pt gap, the details, 9pt gap, the label, its right margin:
    # the narrowest page it fits on.
    fits = narrowest(4, text_width(MARKER, MARKER_SIZE), 8, text_width(DETAILS, 7), 9,
                     text_width(LABEL, 11, LABEL_FONT))
    path = tmp_path / "p.pdf"
    words = stamped(path, (0.0, 0.0, fits + 0.01, 400.0), marker=MARKER)
    x0, y0, x1, y1 = line(words, "Parties'", "withheld")
    assert [word.text for word in words.words] == [*MARKER.split(), *DETAILS.split(), LABEL]
    assert abs(x0 - 4) < TOLERANCE
    assert abs(x1 - (4 + text_width(MARKER, MARKER_SIZE))) < TOLERANCE
    assert words.height - BAND <= y0 < y1 <= words.height
    assert sizes(path)[MARKER] == ("Helvetica", MARKER_SIZE)
    assert sizes(path)[DETAILS] == ("Helvetica", 7.0)  # the marker took no room from them
    words = stamped(tmp_path / "q.pdf", (0.0, 0.0, fits - 0.01, 400.0), marker=MARKER)
    assert [word.text for word in words.words] == [*DETAILS.split(), LABEL]


def test_text_outside_cp1252_and_pdf_string_delimiters_read_back_as_written(
    tmp_path: Path,
) -> None:
    """What the stamp cannot show (outside Windows-1252, the fonts' encoding) becomes '?';
    brackets and backslashes are escaped, so they print rather than end the string, in the
    details and in the label alike, and ``read_stamp`` reads back what is printed."""
    written = r"Café – R01’s (copy) \ Łódź"
    label = "Ł(1)\\"
    words = stamped(tmp_path / "p.pdf", (0.0, 0.0, 595.0, 842.0), label=label, details=written)
    assert " ".join(word.text for word in words.words) == "Café – R01’s (copy) \\ ?ód? ?(1)\\"
    geometry = page_geometry((0.0, 0.0, 595.0, 842.0), None, 0)
    assert read_stamp(suffix_bytes(geometry, label, written)) == as_printed(
        f"{label}  {written}")


def test_the_original_content_is_clipped_to_the_area_that_was_visible() -> None:
    geometry = page_geometry((0.0, 0.0, 600.0, 860.0), (40.0, 30.0, 540.0, 760.0), 0)
    assert prefix_bytes(geometry).splitlines()[2] == b"40 30 500 730 re W n"


@pytest.mark.parametrize(("value", "written"), [
    (0.0, "0"), (-0.00001, "0"), (3.0, "3"), (12.5, "12.5"), (-1.234567, "-1.2346"),
    (0.98765, "0.9877"), (841.89, "841.89")])
def test_numbers_in_the_stamp_streams_are_short_and_plain(value: float, written: str) -> None:
    assert _num(value) == written


def test_matrices_compose_and_invert() -> None:
    first = (2.0, 1.0, 0.5, 3.0, 10.0, -4.0)
    second = (0.0, -1.0, 1.5, 0.25, 7.0, 2.0)
    assert multiply(first, second) == (1.5, -1.75, 4.5, 0.25, 1.0, -9.0)
    assert multiply(first, invert(first)) == pytest.approx(IDENTITY)
    assert invert(first) == pytest.approx((0.5454545, -0.1818182, -0.0909091, 0.3636364,
                                           -5.8181818, 3.2727273))
    with pytest.raises(ValueError, match=r"^singular matrix$"):
        invert((1.0, 2.0, 2.0, 4.0, 0.0, 0.0))
    assert transform_rect((0.5, 0.0, 0.0, 0.25, 10.0, 20.0), (0.0, 0.0, 100.0, 200.0)) == (
        10.0, 20.0, 60.0, 70.0)


def test_a_nonsense_crop_box_shows_the_media_box() -> None:
    media = (10.0, 20.0, 600.0, 860.0)
    for crop in ((100.0, 100.0, 100.5, 700.0), (100.0, 100.0, 500.0, 101.0),
                 (100.0, 100.0, 101.0, 700.0)):
        assert page_geometry(media, crop, 0).box == media
    assert page_geometry(media, (100.0, 100.0, 101.5, 101.5), 0).box == (
        100.0, 100.0, 101.5, 101.5)
    assert page_geometry(media, (100.0, 300.0, 250.0, 700.0), 0).box == (
        100.0, 300.0, 250.0, 700.0)  # narrow and high up: a real crop box


@pytest.mark.parametrize("rotate", [360, 450, -90, 540])
def test_rotation_is_taken_modulo_a_full_turn(rotate: int) -> None:
    assert page_geometry((0.0, 0.0, 600.0, 800.0), None, rotate) == page_geometry(
        (0.0, 0.0, 600.0, 800.0), None, rotate % 360)
