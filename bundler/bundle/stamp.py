"""Stamping a bundle page: a footer band with the page label, reference, document number
and the source file's hash, at the bottom of the page *as displayed*.

What a reader sees (issue 10; the 2021 judiciary guidance asks for page numbers that are
clearly visible): the bundle's page label in bold Helvetica at least 10 pt at the bottom
right, and, small beside it to its left, the reference, the document number and the start
of the source file's SHA-256. The band lies below the page's own content (shrunk into the
area above it), so the label is always clear of the document's own numbering.

How (measured and chosen; see the benchmark): the page's own content streams are not
decoded or rewritten. Two small streams are added around them:

    prefix:  q  <shrink matrix> cm  <clip to the original visible area>      (shared)
    ...the page's original content streams, untouched...
    suffix:  Q  q <display matrix> cm  <white band> BT <details> <label> ET Q  (per page)

``q ... Q`` isolates the original content, so no graphics state it leaves behind (colour,
text rendering mode, a clip, a transformation) can leak into the stamp. The shrink matrix
scales the visible page uniformly by (H - band) / H about its horizontal centre and lifts it
by the band height, as tribunal practice does, so the page keeps its paper size (A4 stays
A4, landscape stays landscape) and the stamp never covers the document's content. The
prefix depends only on the page geometry, so pages of the same size share one object; the
suffix carries the page's own text (about 250 bytes). The stamp fonts are two shared
resources (Helvetica, Helvetica-Bold). ``read_stamp`` reads the stamp back from the last
stream (``bundle verify``), in this layout and in the one-line layout of earlier versions.

A profile that requires A4 (pd27a) fits a page of other paper onto an A4 sheet instead of
shrinking it on its own paper: the same prefix, with a matrix that scales the visible page
to fit above the band and centres it (``fitted_geometry``, ``paper``); the page's boxes
become that sheet's.

Geometry follows ISO 32000-1: the visible area is the CropBox (default MediaBox; both may
be inherited from the page tree), displayed after turning clockwise by /Rotate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bundler.bundle.paper import a4_like, fit_scale, is_a4

BAND = 22.0  # footer band height in points (display space)
LABEL_FONT = "Helvetica-Bold"
LABEL_SIZE = 11.0  # the page label: bold, at least 10 pt (issue 10)
MIN_LABEL_SIZE = 10.0
FONT_SIZE = 7.0  # the reference, document number and hash beside the label
BASELINE = 7.0  # text baseline above the bottom edge, points
RIGHT = 18.0  # the label's right end this far from the page's right edge, points
GAP = 9.0  # between the details and the label
FONT_RESOURCE = "/BSF"  # short: it is repeated on every page
LABEL_RESOURCE = "/BSB"
SHA_SHOWN = 12  # hex characters of the source hash printed in the stamp

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class PageGeometry:
    """Where a page is visible, and how display space maps to its user space."""

    box: tuple[float, float, float, float]  # visible area (x0, y0, x1, y1), user space
    rotate: int  # 0, 90, 180 or 270
    width: float  # as displayed
    height: float
    display_to_user: Matrix


def multiply(first: Matrix, second: Matrix) -> Matrix:
    """The transform 'apply ``first``, then ``second``' (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def invert(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    if det == 0:
        raise ValueError("singular matrix")
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return (ia, ib, ic, id_, -(e * ia + f * ic), -(e * ib + f * id_))


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def page_geometry(
    mediabox: tuple[float, float, float, float],
    cropbox: tuple[float, float, float, float] | None,
    rotate: int,
) -> PageGeometry:
    """Visible box (CropBox clipped to MediaBox) and the display-to-user matrix."""
    mx0, my0, mx1, my1 = _normal(mediabox)
    if cropbox is None:
        box = (mx0, my0, mx1, my1)
    else:
        cx0, cy0, cx1, cy1 = _normal(cropbox)
        box = (max(cx0, mx0), max(cy0, my0), min(cx1, mx1), min(cy1, my1))
        if box[2] - box[0] <= 1 or box[3] - box[1] <= 1:  # nonsense crop box: show the media box
            box = (mx0, my0, mx1, my1)
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    turn = rotate % 360
    if turn == 90:
        return PageGeometry(box, 90, h, w, (0.0, 1.0, -1.0, 0.0, x1, y0))
    if turn == 180:
        return PageGeometry(box, 180, w, h, (-1.0, 0.0, 0.0, -1.0, x1, y1))
    if turn == 270:
        return PageGeometry(box, 270, h, w, (0.0, -1.0, 1.0, 0.0, x0, y1))
    return PageGeometry(box, 0, w, h, (1.0, 0.0, 0.0, 1.0, x0, y0))


def _normal(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def shrink_factor(geometry: PageGeometry) -> float:
    return max(0.5, (geometry.height - BAND) / geometry.height)


def content_matrix(geometry: PageGeometry, onto: PageGeometry | None = None) -> Matrix:
    """User-space transform that shrinks the visible page into the area above the band.

    ``onto`` (a page fitted onto A4, see ``fitted_geometry``): the page's content goes onto
    that sheet instead, scaled to fit above the band (never enlarged) and centred."""
    if onto is None:
        scale = shrink_factor(geometry)
        in_display: Matrix = (scale, 0.0, 0.0, scale, geometry.width * (1 - scale) / 2, BAND)
        to_user = geometry.display_to_user
        return multiply(multiply(invert(to_user), in_display), to_user)
    scale = fit_scale(geometry.width, geometry.height, (onto.width, onto.height), BAND)
    placed: Matrix = (scale, 0.0, 0.0, scale, (onto.width - scale * geometry.width) / 2,
                      BAND + (onto.height - BAND - scale * geometry.height) / 2)
    return multiply(multiply(invert(geometry.display_to_user), placed), onto.display_to_user)


def fitted_geometry(geometry: PageGeometry) -> PageGeometry | None:
    """The A4 sheet a page that is not A4 goes onto (same orientation as displayed, upright,
    its media box at the origin), or None when the page is A4 already."""
    if is_a4(geometry.width, geometry.height):
        return None
    width, height = a4_like(geometry.width, geometry.height)
    return page_geometry((0.0, 0.0, width, height), None, 0)


def transform_rect(m: Matrix, rect: tuple[float, float, float, float]) -> tuple[float, ...]:
    x0, y0, x1, y1 = rect
    points = [apply(m, x, y) for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1))]
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _cm(m: Matrix) -> str:
    return " ".join(_num(v) for v in m) + " cm"


def prefix_bytes(geometry: PageGeometry, onto: PageGeometry | None = None) -> bytes:
    """Save the state, shrink (or fit ``onto`` A4), and clip to the area that was visible
    before."""
    x0, y0, x1, y1 = geometry.box
    clip = f"{_num(x0)} {_num(y0)} {_num(x1 - x0)} {_num(y1 - y0)} re W n"
    return f"q\n{_cm(content_matrix(geometry, onto))}\n{clip}\n".encode("ascii")


def details_text(reference: str, number: int | str, sha256: str) -> str:
    """What is printed small beside the label: ``<reference>  doc <n>  sha256:<12 hex>``."""
    return f"{reference}  doc {number}  sha256:{sha256[:SHA_SHOWN]}"


def stamp_text(label: str, reference: str, number: int | str, sha256: str) -> str:
    """``<label>  <reference>  doc <n>  sha256:<first 12 hex>`` (issue 3): the stamp as the
    manifest records it and ``read_stamp`` returns it (the label is drawn at the right)."""
    return f"{label}  {details_text(reference, number, sha256)}"


def core_label(label: str, main: str) -> str:
    """A core bundle page's label as its stamp prints it: its own, then its main bundle's."""
    return f"{label} (main {main})"


MARKER_SIZE = 6.0


@dataclass(frozen=True)
class FooterLayout:
    """Where the footer's parts go on a page ``width`` points wide (display space)."""

    label_x: float
    label_size: float
    details_x: float
    details_size: float
    marker_x: float | None  # None: the marker does not fit beside the stamp


def footer_layout(width: float, label: str, details: str, marker: str | None = None
                  ) -> FooterLayout:
    """The label at the bottom right, the details right-aligned just left of it, an
    edition's marker at the left end when there is room. On a narrow page the details
    shrink to fit between 2 pt and the label, to 3 pt at the least (then they run off the
    left edge, never over the label); a label wider than the page between its margins
    shrinks to fit, to 3 pt at the least (then it starts 2 pt from the left edge)."""
    right = min(RIGHT, width * 0.05)
    label_size = LABEL_SIZE
    label_w = text_width(label, label_size, LABEL_FONT)
    if label_w + 2 * right > width:
        label_size = max(3.0, label_size * (width - 2 * right) / max(label_w, 1e-6))
        label_w = text_width(label, label_size, LABEL_FONT)
    label_x = max(2.0, width - right - label_w)
    room = label_x - GAP - 2.0
    details_size = FONT_SIZE
    details_w = text_width(details, details_size)
    if details_w > room:
        details_size = max(3.0, FONT_SIZE * room / max(details_w, 1e-6))
        details_w = text_width(details, details_size)
    details_x = label_x - GAP - details_w  # at 3 pt and still too wide: off the left edge
    marker_x: float | None = None
    if marker:
        marker_w = text_width(marker, MARKER_SIZE)
        if 4.0 + marker_w + 8.0 <= details_x:
            marker_x = 4.0
    return FooterLayout(label_x, label_size, details_x, details_size, marker_x)


def suffix_bytes(geometry: PageGeometry, label: str, details: str,
                 marker: str | None = None) -> bytes:
    """Restore the state, then draw the white band and the stamp, upright as displayed.

    ``marker`` (an edition's note, e.g. what the parties' bundles withhold) is printed in red
    at the left end of the band where it fits; the stamp (details, then the label, in one
    text object) stays the last text of the stream, where ``read_stamp`` finds it.
    """
    layout = footer_layout(geometry.width, label, details, marker)
    note = ""
    if marker and layout.marker_x is not None:
        note = (f"BT 0.8 0 0 rg {FONT_RESOURCE} {_num(MARKER_SIZE)} Tf "
                f"{_num(layout.marker_x)} {_num(BASELINE)} Td ({_escape(marker)}) Tj ET\n")
    body = (
        f"\nQ\nq\n{_cm(geometry.display_to_user)}\n"
        f"1 g 0 0 {_num(geometry.width)} {_num(BAND)} re f\n{note}"
        f"BT 0 g {FONT_RESOURCE} {_num(layout.details_size)} Tf {_num(layout.details_x)} "
        f"{_num(BASELINE)} Td ({_escape(details)}) Tj {LABEL_RESOURCE} "
        f"{_num(layout.label_size)} Tf {_num(layout.label_x - layout.details_x)} 0 Td "
        f"({_escape(label)}) Tj ET\nQ\n"
    )
    return body.encode("latin-1")


def text_width(text: str, size: float, font: str = "Helvetica") -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, font, size))


_STRING = rb"\(((?:[^()\\]|\\.)*)\)"
_NUMBER = rb"[-\d.]+"
# The stamp as ``suffix_bytes`` writes it, at the very end of the page's last stream; its
# texts are literal strings (parentheses inside them escaped), so nothing drawn before it in
# the same stream (a field flattened by an earlier version) can be read as it.
_STAMP_TAIL = re.compile(
    rb"BT\s+0\s+g\s+/BSF\s+" + _NUMBER + rb"\s+Tf\s+" + _NUMBER + rb"\s+" + _NUMBER
    + rb"\s+Td\s+" + _STRING + rb"\s*Tj\s+/BSB\s+" + _NUMBER + rb"\s+Tf\s+" + _NUMBER
    + rb"\s+" + _NUMBER + rb"\s+Td\s+" + _STRING + rb"\s*Tj\s+ET\s+Q\s*$", re.S)
# Bundles built before issue 10: one line, the label first, all 7.5 pt.
_OLD_STAMP_TAIL = re.compile(
    rb"BT\s+0\s+g\s+/BSF\s+" + _NUMBER + rb"\s+Tf\s+" + _NUMBER + rb"\s+" + _NUMBER
    + rb"\s+Td\s+" + _STRING + rb"\s*Tj\s+ET\s+Q\s*$", re.S)


def read_stamp(stream: bytes) -> str | None:
    """The stamp at the end of a page's last content stream, as ``stamp_text`` writes it,
    or None when the stream does not end with a stamp laid out by this toolkit."""
    found = _STAMP_TAIL.search(stream)
    if found is not None:
        details, label = (_unescape(found.group(n)).decode("cp1252", errors="replace")
                          for n in (1, 2))
        return f"{label}  {details}"
    old = _OLD_STAMP_TAIL.search(stream)
    return _unescape(old.group(1)).decode("cp1252", errors="replace") if old else None


def as_printed(text: str) -> str:
    """``text`` as a stamp can print it (WinAnsi), so odd characters compare equal."""
    return text.encode("cp1252", errors="replace").decode("cp1252", errors="replace")


_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
            ord("f"): b"\f", ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}


def _unescape(raw: bytes) -> bytes:
    """A PDF literal string's bytes (ISO 32000-1, 7.3.4.2)."""
    out = bytearray()
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte != 0x5C or i + 1 >= len(raw):
            out.append(byte)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt in _ESCAPES:
            out += _ESCAPES[nxt]
            i += 2
        elif 0x30 <= nxt <= 0x37:
            j = i + 1
            while j < len(raw) and j < i + 4 and 0x30 <= raw[j] <= 0x37:
                j += 1
            out.append(int(raw[i + 1 : j], 8) & 0xFF)
            i = j
        elif nxt in (0x0A, 0x0D):
            i += 2 if not (nxt == 0x0D and raw[i + 2 : i + 3] == b"\n") else 3
        else:
            out.append(nxt)
            i += 2
    return bytes(out)


def _escape(text: str) -> str:
    safe = text.encode("cp1252", errors="replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
