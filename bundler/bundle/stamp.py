"""Stamping a bundle page: a footer band with the page label, reference, document number
and the source file's hash, at the bottom of the page *as displayed*.

How (measured and chosen; see the benchmark): the page's own content streams are not
decoded or rewritten. Two small streams are added around them:

    prefix:  q  <shrink matrix> cm  <clip to the original visible area>      (shared)
    ...the page's original content streams, untouched...
    suffix:  Q  q <display matrix> cm  <white band> BT <stamp text> ET Q      (per page)

``q ... Q`` isolates the original content, so no graphics state it leaves behind (colour,
text rendering mode, a clip, a transformation) can leak into the stamp. The shrink matrix
scales the visible page uniformly by (H - band) / H about its horizontal centre and lifts it
by the band height, as tribunal practice does, so the page keeps its paper size (A4 stays
A4, landscape stays landscape) and the stamp never covers the document's content. The
prefix depends only on the page geometry, so pages of the same size share one object; the
suffix carries the page's own text (about 200 bytes). The stamp font is one shared
Helvetica resource.

A profile that requires A4 (pd27a) fits a page of other paper onto an A4 sheet instead of
shrinking it on its own paper: the same prefix, with a matrix that scales the visible page
to fit above the band and centres it (``fitted_geometry``, ``paper``); the page's boxes
become that sheet's.

Geometry follows ISO 32000-1: the visible area is the CropBox (default MediaBox; both may
be inherited from the page tree), displayed after turning clockwise by /Rotate.
"""

from __future__ import annotations

from dataclasses import dataclass

from bundler.bundle.paper import a4_like, fit_scale, is_a4

BAND = 14.0  # footer band height in points (display space)
FONT_SIZE = 7.5
BASELINE = 4.5  # text baseline above the bottom edge, points
FONT_RESOURCE = "/BSF"  # short: it is repeated on every page
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


def stamp_text(label: str, reference: str, number: int | str, sha256: str) -> str:
    """``<label>  <reference>  doc <n>  sha256:<first 12 hex>`` (issue 3)."""
    return f"{label}  {reference}  doc {number}  sha256:{sha256[:SHA_SHOWN]}"


def core_label(label: str, main: str) -> str:
    """A core bundle page's label as its stamp prints it: its own, then its main bundle's."""
    return f"{label} (main {main})"


MARKER_SIZE = 6.0


def suffix_bytes(geometry: PageGeometry, text: str, marker: str | None = None) -> bytes:
    """Restore the state, then draw the white band and the stamp text, upright as displayed.

    ``marker`` (an edition's note, e.g. what the parties' bundles withhold) is printed in red
    at the right end of the band where it fits beside the stamp; the stamp stays the last
    text of the stream, where ``verify`` reads it.
    """
    width = text_width(text, FONT_SIZE)
    x = max(2.0, (geometry.width - width) / 2)
    size = FONT_SIZE
    if width + 4 > geometry.width:  # a very narrow page: shrink the text to fit
        size = max(3.0, FONT_SIZE * (geometry.width - 4) / width)
        x = 2.0
    note = ""
    if marker:
        marker_width = text_width(marker, MARKER_SIZE)
        if x + width + 8 + marker_width <= geometry.width - 4:
            note = (f"BT 0.8 0 0 rg {FONT_RESOURCE} {_num(MARKER_SIZE)} Tf "
                    f"{_num(geometry.width - 4 - marker_width)} {_num(BASELINE)} Td "
                    f"({_escape(marker)}) Tj ET\n")
    body = (
        f"\nQ\nq\n{_cm(geometry.display_to_user)}\n"
        f"1 g 0 0 {_num(geometry.width)} {_num(BAND)} re f\n{note}"
        f"BT 0 g {FONT_RESOURCE} {_num(size)} Tf {_num(x)} {_num(BASELINE)} Td "
        f"({_escape(text)}) Tj ET\nQ\n"
    )
    return body.encode("latin-1")


def text_width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, "Helvetica", size))


def _escape(text: str) -> str:
    safe = text.encode("cp1252", errors="replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
