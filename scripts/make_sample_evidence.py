#!/usr/bin/env python3
"""Generate the fictional evidence files of the sample case (samples/nettlebank-road/evidence/).

Everything here is invented: Wrexley Borough Council, Brackenfold Support CIC, Quillmere Homes,
Tarnwell Lettings, Nettlebank House and every person named. Telephone numbers come from Ofcom's
drama ranges (01632 960xxx, 07700 900xxx) and e-mail domains end in ``.example`` (RFC 2606).

The files are made to look like what a council review officer really receives (letterheaded
provider PDFs, a landscape cost table, a fillable licence, scanned consent forms, phone photos
with EXIF orientation, an e-mail with attachments, a Word document, plain-text notes), because
the bundler must cope with exactly those shapes.

Deterministic: running it twice gives byte-identical files (reportlab invariant mode, fixed
python-docx core properties and zip timestamps, seeded noise, fixed e-mail headers and boundary).

Usage:  .venv/bin/python scripts/make_sample_evidence.py [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import random
import sys
import textwrap
import zipfile
from collections.abc import Callable, Sequence
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from reportlab import rl_config

rl_config.invariant = 1  # fixed creation dates and document ids: same input, same bytes

from reportlab.graphics.shapes import Drawing, Line, Polygon, Rect, String  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import A4, landscape  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Image as RLImage  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bundler.case.models import CONSENT_STATEMENT_TEXT, ConsentStatement  # noqa: E402
from bundler.fileio import write_bytes_atomic  # noqa: E402

DEFAULT_OUT = ROOT / "samples" / "nettlebank-road" / "evidence"

# --------------------------------------------------------------------------------------------
# Fonts and styles
# --------------------------------------------------------------------------------------------
_FONT_DIRS = [Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation")]


def _font_file(name: str) -> Path:
    for folder in _FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise SystemExit(f"font {name} not found: install fonts-liberation2 (sudo apt-get install fonts-liberation2)")


def register_fonts() -> None:
    for family, stem in (("Sans", "LiberationSans"), ("Serif", "LiberationSerif")):
        pdfmetrics.registerFont(TTFont(family, str(_font_file(f"{stem}-Regular.ttf"))))
        pdfmetrics.registerFont(TTFont(f"{family}-Bold", str(_font_file(f"{stem}-Bold.ttf"))))
        pdfmetrics.registerFont(TTFont(f"{family}-Italic", str(_font_file(f"{stem}-Italic.ttf"))))
        pdfmetrics.registerFont(TTFont(f"{family}-BoldItalic", str(_font_file(f"{stem}-BoldItalic.ttf"))))
        pdfmetrics.registerFontFamily(
            family, normal=family, bold=f"{family}-Bold", italic=f"{family}-Italic",
            boldItalic=f"{family}-BoldItalic",
        )


GREEN = colors.HexColor("#2F6B3A")
LIGHT_GREEN = colors.HexColor("#E4EFE3")
GREY = colors.HexColor("#555555")
COUNCIL_BLUE = colors.HexColor("#1F3F6E")


class Styles:
    def __init__(self, family: str = "Sans", accent: colors.Color = GREEN) -> None:
        self.family = family
        self.accent = accent
        self.body = ParagraphStyle("body", fontName=family, fontSize=10, leading=13.6, spaceAfter=6)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8.5, leading=11, spaceAfter=3)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8.8, leading=11.2, spaceAfter=0)
        self.cellb = ParagraphStyle("cellb", parent=self.cell, fontName=f"{family}-Bold")
        self.title = ParagraphStyle("title", parent=self.body, fontName=f"{family}-Bold", fontSize=16,
                                    leading=20, textColor=accent, spaceAfter=4, spaceBefore=2)
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, fontSize=9.5, textColor=GREY,
                                       spaceAfter=10)
        self.h2 = ParagraphStyle("h2", parent=self.body, fontName=f"{family}-Bold", fontSize=11.5,
                                 leading=15, spaceBefore=8, spaceAfter=4, textColor=accent)
        self.h3 = ParagraphStyle("h3", parent=self.body, fontName=f"{family}-Bold", fontSize=10,
                                 spaceBefore=4, spaceAfter=2)
        self.bullet = ParagraphStyle("bullet", parent=self.body, leftIndent=14, bulletIndent=4,
                                     spaceAfter=3)
        self.clause = ParagraphStyle("clause", parent=self.body, leftIndent=22, firstLineIndent=-22)


# --------------------------------------------------------------------------------------------
# Letterheads
# --------------------------------------------------------------------------------------------
class Org:
    def __init__(self, name: str, lines: Sequence[str], accent: colors.Color, mark: str) -> None:
        self.name = name
        self.lines = lines
        self.accent = accent
        self.mark = mark


BRACKENFOLD = Org(
    "Brackenfold Support CIC",
    ["3 Cable Yard, Wrexley WX2 5HN", "01632 960 418  ·  hello@brackenfoldsupport.example",
     "A community interest company registered in England and Wales"],
    GREEN, "frond",
)
COUNCIL = Org(
    "Wrexley Borough Council",
    ["Supported Housing Review Team, Civic Offices, 1 Market Row, Wrexley WX1 1AA",
     "01632 960 200  ·  supportedhousing@wrexley-council.example"],
    COUNCIL_BLUE, "crest",
)


def draw_mark(c: Canvas, org: Org, x: float, y: float, size: float) -> None:
    c.saveState()
    if org.mark == "frond":
        c.setFillColor(org.accent)
        c.setStrokeColor(org.accent)
        c.setLineWidth(1.2)
        c.line(x + size * 0.5, y, x + size * 0.5, y + size)
        for i in range(5):
            yy = y + size * (0.15 + i * 0.17)
            w = size * (0.42 - i * 0.06)
            for side in (-1, 1):
                p = c.beginPath()
                p.moveTo(x + size * 0.5, yy)
                p.curveTo(x + size * 0.5 + side * w * 0.5, yy + size * 0.12,
                          x + size * 0.5 + side * w, yy + size * 0.10, x + size * 0.5 + side * w, yy + size * 0.16)
                p.curveTo(x + size * 0.5 + side * w * 0.6, yy + size * 0.02,
                          x + size * 0.5 + side * w * 0.2, yy - size * 0.02, x + size * 0.5, yy)
                c.drawPath(p, fill=1, stroke=0)
    else:
        c.setFillColor(org.accent)
        p = c.beginPath()
        p.moveTo(x, y + size)
        p.lineTo(x + size, y + size)
        p.lineTo(x + size, y + size * 0.4)
        p.curveTo(x + size, y + size * 0.1, x + size * 0.6, y, x + size * 0.5, y)
        p.curveTo(x + size * 0.4, y, x, y + size * 0.1, x, y + size * 0.4)
        p.close()
        c.drawPath(p, fill=1, stroke=0)
        c.setFillColor(colors.white)
        c.setFont("Sans-Bold", size * 0.42)
        c.drawCentredString(x + size / 2, y + size * 0.38, "W")
    c.restoreState()


class DocSpec:
    """What the page decoration of one document needs."""

    def __init__(self, org: Org, ref: str, confidential: bool = False, family: str = "Sans") -> None:
        self.org = org
        self.ref = ref
        self.confidential = confidential
        self.family = family
        self.total = 0


def decorate(spec: DocSpec) -> Callable[[Canvas, BaseDocTemplate], None]:
    def on_page(c: Canvas, doc: BaseDocTemplate) -> None:
        width, height = c._pagesize
        org = spec.org
        c.saveState()
        draw_mark(c, org, 18 * mm, height - 27 * mm, 12 * mm)
        c.setFillColor(org.accent)
        c.setFont("Sans-Bold", 13)
        c.drawString(33 * mm, height - 19.5 * mm, org.name)
        c.setFillColor(GREY)
        c.setFont("Sans", 7.5)
        for i, line in enumerate(org.lines):
            c.drawRightString(width - 18 * mm, height - 15 * mm - i * 9.5, line)
        c.setStrokeColor(org.accent)
        c.setLineWidth(1.4)
        c.line(18 * mm, height - 30 * mm, width - 18 * mm, height - 30 * mm)
        c.setLineWidth(0.4)
        c.line(18 * mm, 16 * mm, width - 18 * mm, 16 * mm)
        c.setFont("Sans", 7.5)
        c.drawString(18 * mm, 11 * mm, spec.ref)
        if spec.confidential:
            c.drawCentredString(width / 2, 11 * mm, "CONFIDENTIAL: contains personal information about a resident")
        c.setFont("Sans", 8.5)
        c.setFillColor(colors.black)
        c.drawRightString(width - 18 * mm, 11 * mm, f"Page {doc.page} of {spec.total}")
        c.restoreState()

    return on_page


def build_pdf(spec: DocSpec, story: Callable[[], list[Flowable]], *, title: str, subject: str = "",
              author: str = "Brackenfold Support CIC", landscape_template: bool = False) -> bytes:
    """Two passes: the first counts pages so every page can say 'Page n of N'."""
    data = b""
    for _ in range(2):
        buf = io.BytesIO()
        doc = BaseDocTemplate(buf, pagesize=A4, title=title, author=author, subject=subject,
                              creator="Brackenfold document system", leftMargin=20 * mm,
                              rightMargin=20 * mm, topMargin=36 * mm, bottomMargin=22 * mm)
        pw, ph = A4
        templates = [PageTemplate(id="portrait", pagesize=A4, onPage=decorate(spec),
                                  frames=[Frame(20 * mm, 22 * mm, pw - 40 * mm, ph - 58 * mm, id="p")])]
        if landscape_template:
            lw, lh = landscape(A4)
            templates.append(PageTemplate(id="landscape", pagesize=landscape(A4), onPage=decorate(spec),
                                          frames=[Frame(20 * mm, 22 * mm, lw - 40 * mm, lh - 58 * mm, id="l")]))
        doc.addPageTemplates(templates)
        doc.build(story())
        spec.total = doc.page
        data = buf.getvalue()
    return data


# --------------------------------------------------------------------------------------------
# Flowable helpers
# --------------------------------------------------------------------------------------------
def signature_points(seed: int, width: float, height: float) -> list[list[tuple[float, float]]]:
    """Strokes of a cursive-looking scribble fitted to a box; each seed gives a different hand.

    Each word is a trochoid (loops like joined-up letters) whose loop heights wander, with the
    occasional tall ascender, a per-person slant and a drifting baseline, plus an underline.
    """
    rng = random.Random(seed)
    slant = rng.uniform(0.1, 0.5)
    loopiness = rng.uniform(0.12, 0.4)
    words = rng.choice((1, 2, 2))
    raw: list[list[tuple[float, float]]] = []
    x = 0.0
    for _ in range(words):
        letters = rng.randint(3, 7)
        heights = [rng.choice((0.35, 0.4, 0.5, 1.0, 0.45)) for _ in range(letters)]
        heights[0] = rng.uniform(0.9, 1.2)  # capital
        stroke: list[tuple[float, float]] = []
        n = letters * 24
        drift = rng.uniform(-0.15, 0.15)
        for i in range(n):
            t = i / n
            k = int(t * letters)
            ang = 2 * math.pi * t * letters
            px = x + t * letters * 1.0 - loopiness * (1.4 if heights[k] > 0.9 else 1.0) * math.sin(ang)
            py = heights[k] * (1 - math.cos(ang)) / 2 + drift * t * letters / 4
            stroke.append((px, py))
        raw.append(stroke)
        x += letters * 1.0 + rng.uniform(0.6, 1.2)
    if rng.random() < 0.7:
        y = rng.uniform(-0.35, -0.2)
        raw.append([(x * (0.05 + 0.9 * i / 19), y + 0.06 * math.sin(i / 19 * 3 + seed)) for i in range(20)])
    pts = [(px + py * slant, py) for stroke in raw for px, py in stroke]
    minx, maxx = min(p[0] for p in pts), max(p[0] for p in pts)
    miny, maxy = min(p[1] for p in pts), max(p[1] for p in pts)
    sx, sy = width / (maxx - minx), height / (maxy - miny)
    scale = min(sx, sy * 1.6)
    return [[((px + py * slant - minx) * scale, (py - miny) * min(sy, scale)) for px, py in stroke]
            for stroke in raw]


INK = colors.HexColor("#1B2A6B")


class Signature(Flowable):
    def __init__(self, seed: int, width: float = 55 * mm, height: float = 13 * mm,
                 ink: colors.Color = INK) -> None:
        super().__init__()
        self.seed, self.width, self.height, self.ink = seed, width, height, ink

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(self.ink)
        c.setLineWidth(0.9)
        c.setLineCap(1)
        c.setLineJoin(1)
        for stroke in signature_points(self.seed, self.width, self.height):
            p = c.beginPath()
            p.moveTo(*stroke[0])
            for pt in stroke[1:]:
                p.lineTo(*pt)
            c.drawPath(p, stroke=1, fill=0)


class FormField(Flowable):
    """A fillable AcroForm text field, laid out inline with a label."""

    def __init__(self, label: str, name: str, value: str, width: float = 70 * mm,
                 label_width: float = 52 * mm) -> None:
        super().__init__()
        self.label, self.name, self.value = label, name, value
        self.fwidth, self.lwidth = width, label_width
        self.height = 8 * mm

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.lwidth + self.fwidth, self.height

    def draw(self) -> None:
        c = self.canv
        c.setFont("Serif-Bold", 10)
        c.drawString(0, 2.2 * mm, self.label)
        c.acroForm.textfield(name=self.name, value=self.value, x=self.lwidth, y=0.5 * mm,
                             width=self.fwidth, height=6.5 * mm, relative=True, fontName="Helvetica",
                             fontSize=10, borderStyle="underlined", borderWidth=0.6,
                             borderColor=colors.black, fillColor=colors.HexColor("#EEF3FB"),
                             textColor=colors.black, forceBorder=True, tooltip=self.label)


def table(rows: Sequence[Sequence[Any]], widths: Sequence[float], st: Styles, header: bool = True,
          zebra: bool = True, font_size: float | None = None) -> Table:
    cell = st.cell if font_size is None else ParagraphStyle("c2", parent=st.cell, fontSize=font_size,
                                                            leading=font_size * 1.27)
    cellb = ParagraphStyle("cb2", parent=cell, fontName=f"{st.family}-Bold")
    data = []
    for r, row in enumerate(rows):
        data.append([c if isinstance(c, Flowable) else Paragraph(str(c), cellb if (header and r == 0) else cell)
                     for c in row])
    t = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9AA59A")),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), LIGHT_GREEN if st.accent == GREEN else colors.HexColor("#E3E9F3")))
    if zebra:
        for r in range(2 if header else 1, len(rows), 2):
            style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F6F8F6")))
    t.setStyle(TableStyle(style))
    return t


def kv(rows: Sequence[tuple[str, str]], st: Styles, key_width: float = 48 * mm, width: float = 170 * mm) -> Table:
    return table([(f"<b>{k}</b>", v) for k, v in rows], [key_width, width - key_width], st, header=False,
                 zebra=False)


def paras(st: Styles, *texts: str) -> list[Flowable]:
    return [Paragraph(t, st.body) for t in texts]


def bullets(st: Styles, *items: str) -> list[Flowable]:
    return [Paragraph(i, st.bullet, bulletText="•") for i in items]


def sign_block(st: Styles, entries: Sequence[tuple[str, str, str, int | None]]) -> Table:
    """(role, name, date, signature seed or None) side by side."""
    cells = []
    for role, name, date, seed in entries:
        sig: Flowable = Signature(seed) if seed is not None else Spacer(1, 13 * mm)
        cells.append([Paragraph(f"<b>{role}</b>", st.cell), sig,
                      Paragraph(f"Name: {name}", st.cell), Paragraph(f"Date: {date}", st.cell)])
    inner = []
    for col in cells:
        it = Table([[x] for x in col], colWidths=[170 * mm / len(entries) - 8 * mm])
        it.setStyle(TableStyle([("LINEBELOW", (0, 1), (0, 1), 0.5, colors.black),
                                ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        inner.append(it)
    t = Table([inner], colWidths=[170 * mm / len(entries)] * len(entries))
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return t


# --------------------------------------------------------------------------------------------
# Pillow: photographs and scans
# --------------------------------------------------------------------------------------------
def pil_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_font_file(name)), size)


def grain(img: Image.Image, seed: int, amplitude: int) -> Image.Image:
    """Add seeded luminance noise (no numpy: bytes from random.Random)."""
    rng = random.Random(seed)
    w, h = img.size
    noise = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    noise = noise.point(lambda v: 128 + (v - 128) * amplitude // 128)
    if img.mode == "L":
        return ImageChops.add(img, noise, 1.0, -128)
    return ImageChops.add(img, Image.merge("RGB", (noise, noise, noise)), 1.0, -128)


def vignette(img: Image.Image, strength: float, centre: tuple[float, float] = (0.5, 0.45)) -> Image.Image:
    w, h = img.size
    grad = Image.radial_gradient("L").resize((int(w * 1.6), int(h * 1.6)))
    cx, cy = int(w * 1.6 / 2 - w * centre[0]), int(h * 1.6 / 2 - h * centre[1])
    grad = grad.crop((cx, cy, cx + w, cy + h))
    mask = grad.point(lambda v: int(255 - min(255, v) * strength))
    if img.mode == "L":
        return ImageChops.multiply(img, mask)
    return ImageChops.multiply(img, Image.merge("RGB", (mask, mask, mask)))


def vertical_gradient(size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    w, h = size
    col = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / max(1, h - 1)
        col.putpixel((0, y), tuple(int(top[i] + (bottom[i] - top[i]) * t) for i in range(3)))
    return col.resize((w, h))


def photo_exif(when: str, orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Ficto"  # Make
    exif[0x0110] = "FictoPhone 12"  # Model
    exif[0x0112] = orientation
    exif[0x0131] = "FictoOS 9.1"  # Software
    exif[0x0132] = when  # DateTime
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = when  # DateTimeOriginal
    sub[0x9004] = when  # DateTimeDigitized
    sub[0x9010] = "+01:00"  # OffsetTimeOriginal (BST)
    return exif


def finish_photo(scene: Image.Image, seed: int, when: str, *, rotate_for_exif: bool = False,
                 quality: int = 72) -> bytes:
    """Scene drawn at half size -> lighting, grain, upscale to 12 MP, JPEG with phone EXIF."""
    img = vignette(scene, 0.45)
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    img = grain(img, seed, 10)
    img = img.resize((img.width * 2, img.height * 2), Image.Resampling.BICUBIC)
    img = grain(img, seed + 1, 4)
    orientation = 1
    if rotate_for_exif:
        # Orientation 6: the viewer must turn the stored pixels 90 degrees clockwise.
        img = img.transpose(Image.Transpose.ROTATE_90)
        orientation = 6
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, subsampling=2, exif=photo_exif(when, orientation).tobytes())
    return buf.getvalue()


def scene_kitchen() -> Image.Image:
    W, H = 2000, 1500
    img = vertical_gradient((W, H), (226, 222, 208), (196, 190, 176))
    d = ImageDraw.Draw(img)
    # window with daylight
    d.rectangle((1260, 170, 1720, 640), fill=(236, 242, 248), outline=(240, 240, 240), width=18)
    d.line((1490, 170, 1490, 640), fill=(240, 240, 240), width=14)
    d.rectangle((1280, 190, 1470, 620), fill=(214, 228, 240))
    # wall cupboards
    for i in range(4):
        x = 80 + i * 280
        d.rectangle((x, 110, x + 265, 560), fill=(236, 234, 226), outline=(160, 156, 146), width=4)
        d.rectangle((x + 225 if i % 2 == 0 else x + 30, 440, x + 240 if i % 2 == 0 else x + 45, 520),
                    fill=(120, 120, 125))
    # splashback tiles
    for x in range(60, 1240, 60):
        d.line((x, 600, x, 860), fill=(205, 205, 200), width=3)
    for y in range(600, 861, 44):
        d.line((60, y, 1240, y), fill=(205, 205, 200), width=3)
    # worktop and base units
    d.rectangle((0, 860, W, 920), fill=(92, 84, 76))
    d.polygon([(0, 920), (W, 920), (W, 935), (0, 935)], fill=(60, 55, 50))
    for i in range(6):
        x = 40 + i * 320
        d.rectangle((x, 940, x + 305, 1360), fill=(232, 230, 222), outline=(150, 146, 138), width=4)
        d.rectangle((x + 120, 975, x + 185, 990), fill=(110, 110, 115))
    # cooker with hob rings
    d.rectangle((680, 935, 980, 1360), fill=(40, 40, 42))
    d.rectangle((710, 1010, 950, 1250), fill=(25, 25, 28), outline=(90, 90, 95), width=5)
    for cx, cy in ((760, 885), (900, 885)):
        d.ellipse((cx - 55, cy - 18, cx + 55, cy + 18), outline=(30, 30, 30), width=8)
    # kettle and toaster
    d.rounded_rectangle((240, 720, 360, 860), 30, fill=(200, 205, 210), outline=(120, 120, 125), width=4)
    d.rectangle((420, 770, 560, 860), fill=(170, 40, 40))
    # fridge
    d.rectangle((1760, 300, 1990, 1360), fill=(242, 242, 240), outline=(170, 170, 170), width=5)
    d.line((1760, 700, 1990, 700), fill=(170, 170, 170), width=5)
    d.rectangle((1775, 380, 1790, 600), fill=(150, 150, 150))
    d.rectangle((1830, 330, 1930, 420), fill=(250, 250, 200), outline=(200, 200, 160), width=2)  # notice
    # floor
    d.polygon([(0, 1360), (W, 1360), (W, H), (0, H)], fill=(150, 140, 128))
    for x in range(-400, W + 400, 160):
        d.line((x, 1360, x - 300, H), fill=(135, 126, 115), width=4)
    # smoke/heat detector on ceiling edge
    d.ellipse((960, 20, 1060, 70), fill=(246, 246, 246), outline=(190, 190, 190), width=3)
    return img


def scene_stairwell() -> Image.Image:
    W, H = 1500, 2000
    img = vertical_gradient((W, H), (214, 210, 200), (170, 162, 150))
    d = ImageDraw.Draw(img)
    # stairs rising to upper right
    for i in range(14):
        y0 = 1900 - i * 105
        x0 = 150 + i * 70
        d.polygon([(x0, y0), (x0 + 900, y0), (x0 + 930, y0 - 25), (x0 + 30, y0 - 25)], fill=(112, 86, 80))
        d.rectangle((x0, y0, x0 + 900, y0 + 80), fill=(92, 70, 66))
        d.line((x0, y0, x0 + 900, y0), fill=(200, 190, 120), width=6)  # nosing strip
    # banister and spindles
    for i in range(14):
        x = 160 + i * 70
        d.line((x, 1850 - i * 105, x, 1650 - i * 105), fill=(245, 245, 240), width=12)
    d.line((130, 1640, 1130, 170), fill=(120, 80, 50), width=26)
    # fire action notice on wall
    nx, ny = 230, 330  # on the wall above the handrail
    d.rectangle((nx, ny, nx + 320, ny + 430), fill=(248, 248, 246), outline=(30, 60, 140), width=10)
    d.rectangle((nx, ny, nx + 320, ny + 80), fill=(30, 60, 140))
    for k in range(8):
        d.line((nx + 30, ny + 120 + k * 36, nx + 290 - (k % 3) * 40, ny + 120 + k * 36), fill=(90, 90, 90), width=6)
    d.rectangle((nx + 30, ny + 398, nx + 290, ny + 410), fill=(200, 30, 30))
    # emergency light and ceiling lamp
    d.rectangle((600, 60, 820, 110), fill=(245, 245, 245), outline=(170, 170, 170), width=3)
    d.rectangle((640, 75, 780, 95), fill=(90, 180, 90))
    d.ellipse((1150, 250, 1330, 330), fill=(255, 252, 235))
    return img


def scene_fire_door() -> Image.Image:
    W, H = 1500, 2000
    img = vertical_gradient((W, H), (220, 218, 210), (186, 182, 172))
    d = ImageDraw.Draw(img)
    # corridor floor in perspective
    d.polygon([(0, 1640), (W, 1640), (W, H), (0, H)], fill=(96, 104, 112))
    d.line((0, 1640, W, 1640), fill=(60, 60, 64), width=14)
    # door frame (opening), dark corridor beyond
    d.rectangle((380, 260, 1120, 1650), fill=(150, 120, 90))
    d.rectangle((420, 300, 1080, 1650), fill=(70, 66, 62))
    # door swung open towards camera (a trapezoid), with vision panel
    door = [(1080, 300), (1420, 200), (1420, 1780), (1080, 1650)]
    d.polygon(door, fill=(182, 140, 96))
    d.polygon([(1180, 440), (1330, 400), (1330, 900), (1180, 930)], fill=(150, 170, 180))
    for k in range(6):  # wired glass mesh
        y = 450 + k * 80
        d.line((1180, y, 1330, y - 40), fill=(110, 120, 125), width=3)
    d.line((1090, 310, 1090, 1640), fill=(200, 80, 60), width=8)  # intumescent strip
    # "fire door keep shut" blue circular sign on the door
    d.ellipse((1210, 1030, 1320, 1140), fill=(20, 70, 160))
    d.rectangle((1235, 1075, 1295, 1095), fill=(255, 255, 255))
    # overhead closer arm, disconnected
    d.rectangle((1100, 230, 1260, 270), fill=(180, 180, 180))
    d.line((1180, 270, 1260, 330), fill=(160, 160, 160), width=14)
    # wooden wedge under the door
    d.polygon([(1240, 1745), (1420, 1760), (1420, 1800), (1230, 1790)], fill=(170, 120, 60))
    d.polygon([(1230, 1790), (1420, 1800), (1420, 1815), (1230, 1802)], fill=(120, 80, 40))
    # skirting and wall sockets
    d.rectangle((0, 1590, 380, 1640), fill=(240, 240, 236))
    d.rectangle((120, 1420, 220, 1490), fill=(245, 245, 245), outline=(170, 170, 170), width=3)
    return img


def scene_exterior() -> Image.Image:
    W, H = 1600, 1200
    img = vertical_gradient((W, H), (168, 196, 224), (226, 232, 236))
    d = ImageDraw.Draw(img)
    brick = (150, 82, 60)
    d.rectangle((220, 170, 1380, 1050), fill=brick)
    d.polygon([(190, 180), (800, 60), (1410, 180)], fill=(70, 72, 80))
    for y in range(190, 1050, 16):
        d.line((220, y, 1380, y), fill=(130, 70, 52), width=2)
    # windows on three floors
    for row, y in enumerate((250, 520)):
        for x in (300, 640, 1000):
            d.rectangle((x, y, x + 220, y + 190), fill=(240, 238, 232))
            d.rectangle((x + 14, y + 14, x + 206, y + 176), fill=(90, 110, 130 + row * 10))
            d.line((x + 110, y + 14, x + 110, y + 176), fill=(240, 238, 232), width=8)
    d.rectangle((280, 790, 560, 1050), fill=(236, 234, 228))  # bay
    d.rectangle((300, 810, 540, 1000), fill=(95, 115, 135))
    d.rectangle((700, 800, 880, 1050), fill=(40, 70, 60))  # front door
    d.rectangle((700, 770, 880, 800), fill=(236, 234, 228))
    d.rectangle((730, 850, 850, 930), fill=(150, 170, 180))
    d.rectangle((1020, 800, 1240, 990), fill=(95, 115, 135))
    # pavement, low wall, wheelie bins
    d.rectangle((0, 1050, W, H), fill=(150, 150, 146))
    d.rectangle((0, 1020, 680, 1070), fill=(140, 76, 58))
    d.rectangle((920, 1020, W, 1070), fill=(140, 76, 58))
    for i, col in enumerate(((40, 40, 45), (40, 90, 150), (60, 120, 60))):
        x = 1120 + i * 120
        d.rectangle((x, 930, x + 100, 1070), fill=col)
    d.rectangle((1380, 400, 1600, 1050), fill=(175, 100, 72))  # neighbour
    return img


def scan_form(lines: Sequence[tuple[str, Any]], seed: int, angle: float) -> bytes:
    """Render a filled-in paper form as a greyscale 150 dpi page image, as a scanner would."""
    W, H = 1240, 1754
    page = Image.new("L", (W, H), 252)
    d = ImageDraw.Draw(page)
    regular, bold = pil_font("LiberationSans-Regular.ttf", 21), pil_font("LiberationSans-Bold.ttf", 21)
    hand = pil_font("LiberationSerif-Italic.ttf", 30)
    y = 90
    for kind, value in lines:
        if kind == "crest":
            d.polygon([(100, y), (160, y), (160, y + 40), (130, y + 62), (100, y + 40)], fill=40)
            d.text((118, y + 10), "W", font=pil_font("LiberationSans-Bold.ttf", 30), fill=250)
            d.text((180, y + 2), value, font=pil_font("LiberationSans-Bold.ttf", 30), fill=20)
            d.text((180, y + 40), "Supported Housing Review Team · Civic Offices, 1 Market Row, Wrexley WX1 1AA",
                    font=regular, fill=60)
            y += 100
            d.line((100, y, W - 100, y), fill=40, width=3)
            y += 30
        elif kind == "title":
            d.text((100, y), value, font=pil_font("LiberationSans-Bold.ttf", 34), fill=15)
            y += 60
        elif kind == "text":
            d.text((100, y), value, font=regular, fill=25)
            y += 32
        elif kind == "gap":
            y += int(value)
        elif kind == "field":
            label, filled = value
            d.text((100, y), label, font=bold, fill=20)
            d.line((480, y + 28, W - 100, y + 28), fill=90, width=2)
            if filled:
                jitter = random.Random(seed + y)
                d.text((500 + jitter.randint(-6, 6), y - 6 + jitter.randint(-3, 3)), filled, font=hand, fill=35)
            y += 56
        elif kind == "tick":
            text, ticked = value
            d.rectangle((100, y, 126, y + 26), outline=30, width=3)
            if ticked:
                d.line((103, y + 14, 112, y + 25, 134, y - 8), fill=30, width=5, joint="curve")
            for k, part in enumerate(text.split("\n")):
                d.text((150, y + k * 28), part, font=regular, fill=25)
            y += 28 * (text.count("\n") + 1) + 16
        elif kind == "yesno":
            text, yes = value
            y += 26  # room for the Yes and No labels above the boxes
            for k, part in enumerate(text.split("\n")):
                d.text((100, y + k * 28), part, font=regular, fill=25)
            for label, box_x, chosen in (("Yes", 1010, yes), ("No", 1100, not yes)):
                d.text((box_x - 4, y - 26), label, font=bold, fill=30)
                d.rectangle((box_x, y, box_x + 26, y + 26), outline=30, width=3)
                if chosen:
                    d.line((box_x + 3, y + 14, box_x + 12, y + 25, box_x + 34, y - 8), fill=30, width=5,
                           joint="curve")
            y += 28 * (text.count("\n") + 1) + 12
        elif kind == "signature":
            label, sseed = value
            d.text((100, y + 30), label, font=bold, fill=20)
            d.line((480, y + 58, 1000, y + 58), fill=90, width=2)
            if sseed is not None:
                for stroke in signature_points(sseed, 420, 80):
                    pts = [(520 + px, y + 62 - py) for px, py in stroke]
                    d.line(pts, fill=30, width=4, joint="curve")
            y += 90
        elif kind == "footer":
            d.text((100, H - 90), value, font=pil_font("LiberationSans-Regular.ttf", 17), fill=80)
            d.text((W - 240, H - 90), "Page 1 of 1", font=pil_font("LiberationSans-Regular.ttf", 17), fill=80)
    # scanner: slight skew, grey platen edge, shading, dust and noise
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=150)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    page = vignette(page, 0.10, (0.3, 0.5))
    page = grain(page, seed, 26)
    rng = random.Random(seed * 7)
    d = ImageDraw.Draw(page)
    for _ in range(60):
        x, yy = rng.randrange(W), rng.randrange(H)
        r = rng.choice((1, 1, 2))
        d.ellipse((x, yy, x + r, yy + r), fill=rng.randrange(60, 140))
    d.rectangle((0, 0, W, 6), fill=120)
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=62)
    return buf.getvalue()


def image_only_pdf(jpeg: bytes, title: str, when: dt.datetime) -> bytes:
    """One A4 page holding only the scanned image: no fonts, no text layer, as a scanner writes it."""
    buf = io.BytesIO()
    Image.open(io.BytesIO(jpeg)).save(buf, "PDF", resolution=150.0, quality=62, title=title,
                                      creator="WX-Scan 3100 (Civic Offices, floor 2)", producer="WX-Scan firmware 2.4",
                                      creationDate=when.timetuple(), modDate=when.timetuple())
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Word document (python-docx) with fixed properties and zip timestamps
# --------------------------------------------------------------------------------------------
def normalise_zip(data: bytes, when: tuple[int, int, int, int, int, int]) -> bytes:
    """python-docx stamps zip members with the current time; rewrite them with a fixed one."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Scheme-level provider documents (para 85)
# --------------------------------------------------------------------------------------------
REVIEW_REF = "WBC-SHR-2026-014"
SCHEME = "Nettlebank House, 14 Nettlebank Road, Wrexley WX4 2QT"


def doc_85a(st: Styles) -> bytes:
    spec = DocSpec(BRACKENFOLD, "BSC/NH/85a · Organisations and responsibilities · v1.2")

    def story() -> list[Flowable]:
        s: list[Flowable] = [
            Paragraph("Nettlebank House: organisations involved and their responsibilities", st.title),
            Paragraph(f"Prepared for Wrexley Borough Council (review {REVIEW_REF}) · 14 September 2026 · "
                      "Daniel Achterberg, Operations Manager", st.subtitle),
            Paragraph("1. Purpose of this note", st.h2),
            *paras(st,
                   "This note answers items (a) and (b) of the council's information request dated 1 September "
                   "2026. It sets out the three organisations involved in providing accommodation and support at "
                   "Nettlebank House, 14 Nettlebank Road, Wrexley WX4 2QT, and how the work is divided between "
                   "them. Where a responsibility is shared we have said who leads."),
            Paragraph("2. The organisations", st.h2),
            table([("Role", "Organisation", "Address", "Contact for this scheme"),
                   ("Landlord (freeholder)", "Quillmere Homes Community Benefit Society",
                    "Quillmere House, 22 Lantern Street, Wrexley WX1 4DS",
                    "Head of Supported Housing Partnerships, 01632 960 733"),
                   ("Support provider and leaseholder", "Brackenfold Support CIC",
                    "3 Cable Yard, Wrexley WX2 5HN", "Daniel Achterberg, Operations Manager, 01632 960 418"),
                   ("Managing agent", "Tarnwell Lettings &amp; Property Services Ltd",
                    "Unit 7, Forge Park, Wrexley WX3 8PL", "Property Services Coordinator, 01632 960 952")],
                  [36 * mm, 42 * mm, 46 * mm, 46 * mm], st),
            Spacer(1, 6),
            *paras(st,
                   "Quillmere Homes owns the freehold of Nettlebank House and leases the whole building to "
                   "Brackenfold Support CIC under a ten-year lease which began on 1 April 2023 (the head lease). "
                   "Quillmere keeps responsibility for the structure, roof and exterior. Brackenfold grants "
                   "licences to occupy to individual residents, collects rent and service charges, and provides "
                   "the residents' support through its own staff.",
                   "Brackenfold has appointed Tarnwell Lettings &amp; Property Services Ltd as its managing agent "
                   "under a management agreement dated 28 March 2023. Tarnwell carries out responsive repairs, "
                   "planned maintenance of the interior and the statutory safety checks, and reports to "
                   "Brackenfold every month. Tarnwell staff do not provide support to residents and are not "
                   "based on site."),
            Paragraph("3. Who is responsible for what", st.h2),
            Paragraph("'Lead' means the organisation that is accountable and does the work; 'Contributes' means "
                      "it has a defined part; a dash means no role.", st.small),
        ]
        rows = [("Area", "Quillmere Homes (landlord)", "Brackenfold (support provider)", "Tarnwell (managing agent)"),
                ("Structure, roof, exterior and drainage", "Lead", "Reports defects", "Inspects quarterly"),
                ("Responsive repairs inside the building", "–", "Reports and checks completion", "Lead"),
                ("Gas safety, EICR, water hygiene (legionella) checks", "Receives certificates", "Keeps copies on site", "Lead"),
                ("Fire risk assessment, alarms, emergency lighting, fire doors", "Commissions annual FRA",
                 "Daily checks, fire drills, resident fire safety induction", "Lead on servicing and remedial works"),
                ("Licences to occupy, rent and service charge collection", "–", "Lead", "–"),
                ("Housing Benefit claims and evidence for the council", "–", "Lead", "–"),
                ("Referrals, assessments and allocation of rooms", "–", "Lead", "–"),
                ("Support planning, delivery and review", "–", "Lead", "–"),
                ("Safeguarding adults and young people", "Contributes (notifies concerns)", "Lead", "Contributes (notifies concerns)"),
                ("Cleaning of communal areas", "–", "Lead (contract cleaner twice weekly)", "–"),
                ("Furniture and white goods", "–", "Lead (replacement)", "Contributes (repairs, PAT testing)"),
                ("Complaints", "Own complaints about the building", "Lead, stage 1 and 2", "Own complaints about repairs"),
                ("Resident involvement and satisfaction surveys", "Contributes (annual survey questions)", "Lead", "–")]
        s.append(table(rows, [50 * mm, 38 * mm, 44 * mm, 38 * mm], st))
        s += [
            Paragraph("4. How the three organisations work together", st.h2),
            *paras(st,
                   "A partnership meeting is held every quarter, chaired in turn by Quillmere and Brackenfold. "
                   "It reviews the repairs log, compliance certificates, voids, complaints and any safeguarding "
                   "themes (without residents' personal details). Tarnwell sends Brackenfold a compliance report "
                   "on the fifth working day of each month, listing every check due in the next ninety days.",
                   "Residents report repairs to the staff on site, or by text message out of hours. Staff log "
                   "every repair on Tarnwell's contractor portal the same day. Target times are 24 hours for "
                   "emergencies, 5 working days for urgent repairs and 28 days for routine repairs. The Scheme "
                   "Manager checks the portal each Monday and chases anything overdue.",
                   "If Brackenfold and Tarnwell disagree about whether work is needed, the Operations Manager "
                   "decides; matters affecting the structure are escalated to Quillmere's Head of Supported "
                   "Housing Partnerships."),
            Paragraph("5. Contacts for the review", st.h2),
            *bullets(st, "Daniel Achterberg, Operations Manager (all matters): 01632 960 418, "
                         "d.achterberg@brackenfoldsupport.example",
                     "Zoë Lindqvist, Scheme Manager, Nettlebank House (site visit arrangements): 07700 900 314",
                     "Tarnwell Lettings &amp; Property Services Ltd, repairs and compliance records: 01632 960 952"),
            Spacer(1, 8),
            sign_block(st, [("Signed for Brackenfold Support CIC", "Daniel Achterberg, Operations Manager",
                             "14 September 2026", 1401)]),
        ]
        return s

    return build_pdf(spec, story, title="Nettlebank House: organisations and responsibilities")


def doc_85c() -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10.5)
    section = doc.sections[0]
    section.page_height, section.page_width = 10692130, 7560310  # A4 in EMU
    header = section.header.paragraphs[0]
    run = header.add_run("Brackenfold Support CIC")
    run.bold = True
    run.font.color.rgb = RGBColor(0x2F, 0x6B, 0x3A)
    header.add_run("\t\t3 Cable Yard, Wrexley WX2 5HN · 01632 960 418").font.size = Pt(8)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def field(par: Any, instr: str) -> None:
        r = par.add_run()
        for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", "1"), ("end", None)):
            if kind == "instr":
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            elif kind == "text":
                el = OxmlElement("w:t")
                el.text = text
            else:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            r._r.append(el)

    footer.add_run("BSC/NH/85c · Schedule of scheme addresses · v2.0        Page ")
    field(footer, " PAGE ")
    footer.add_run(" of ")
    field(footer, " NUMPAGES ")

    doc.add_heading("Schedule of scheme addresses", level=1)
    doc.add_paragraph(f"For Wrexley Borough Council review {REVIEW_REF} (information request item 85(c)). "
                      "Prepared by Zoë Lindqvist, Scheme Manager, 15 September 2026.")
    doc.add_paragraph(
        "Brackenfold Support CIC provides exempt supported accommodation at two addresses in the Wrexley "
        "Borough Council area: Nettlebank House (sections 1 and 2) and Orchard Court (section 3). "
        "The details below are taken from our property register and match the addresses on residents' "
        "licences and Housing Benefit claims.")
    doc.add_heading("1. Scheme", level=2)
    t = doc.add_table(rows=1, cols=2)
    t.style = "Table Grid"
    t.rows[0].cells[0].text, t.rows[0].cells[1].text = "Item", "Details"
    for k, v in (("Scheme name", "Nettlebank House"),
                 ("Address", "14 Nettlebank Road, Wrexley WX4 2QT"),
                 ("Local authority area", "Wrexley Borough Council"),
                 ("Ward", "Nettlebank and Canal Side"),
                 ("Council Tax", "Band C, one assessment for the whole building (House in Multiple Occupation)"),
                 ("HMO licence", "Mandatory HMO licence held by Brackenfold Support CIC, valid to 31 July 2028"),
                 ("Building", "Three-storey end-of-terrace Victorian house, converted 2019"),
                 ("Bedspaces", "9 single rooms (no shared rooms); 8 occupied on 15 September 2026"),
                 ("Shared facilities", "Kitchen-diner, lounge, laundry room, 2 bathrooms, 1 shower room, garden"),
                 ("Staff facilities", "Ground-floor office with lockable records cabinet; staff WC"),
                 ("Date opened as supported housing", "3 April 2023")):
        cells = t.add_row().cells
        cells[0].text, cells[1].text = k, v
    for cell in t.rows[0].cells:
        cell.paragraphs[0].runs[0].bold = True
    doc.add_heading("2. Rooms", level=2)
    rooms = doc.add_table(rows=1, cols=5)
    rooms.style = "Table Grid"
    for i, h in enumerate(("Room", "Floor", "Size (m²)", "Facilities in room", "Notes")):
        rooms.rows[0].cells[i].text = h
        rooms.rows[0].cells[i].paragraphs[0].runs[0].bold = True
    room_rows = [("1", "Ground", "11.2", "Wash basin", "Level access; adapted for wheelchair user"),
                 ("2", "Ground", "9.8", "Wash basin", ""),
                 ("3", "Ground", "10.4", "Wash basin", "Next to staff office"),
                 ("4", "First", "12.1", "Wash basin, fridge", ""),
                 ("5", "First", "10.9", "Wash basin, fridge", ""),
                 ("6", "First", "9.6", "Wash basin", "Vacant from 2 September 2026 (move-on)"),
                 ("7", "Second", "13.0", "En-suite shower room", ""),
                 ("8", "Second", "10.2", "Wash basin", ""),
                 ("9", "Second", "10.0", "Wash basin", "")]
    for row in room_rows:
        cells = rooms.add_row().cells
        for i, v in enumerate(row):
            cells[i].text = v
    doc.add_paragraph()
    doc.add_paragraph(
        "All rooms have a lockable door with a thumb-turn on the inside, a bed, wardrobe, chest of drawers, "
        "desk and chair, and a hard-wired smoke detector linked to the fire alarm panel. Residents of the "
        "second floor share the second-floor bathroom; the first floor shares the first-floor bathroom; the "
        "ground-floor shower room is shared by rooms 1 to 3.")
    doc.add_heading("3. Orchard Court", level=2)
    t = doc.add_table(rows=1, cols=2)
    t.style = "Table Grid"
    t.rows[0].cells[0].text, t.rows[0].cells[1].text = "Item", "Details"
    for k, v in (("Scheme name", "Orchard Court"),
                 ("Address", "Orchard Court, Fenwick Street, Wrexley WX3 6TB"),
                 ("Local authority area", "Wrexley Borough Council"),
                 ("Ward", "Fenwick and Forge Park"),
                 ("Building", "Two-storey block of four self-contained one-bedroom flats, converted 2024"),
                 ("Bedspaces", "4 one-bedroom flats (flats 1 and 2 on the ground floor, 3 and 4 on the first floor); "
                  "4 occupied on 15 September 2026"),
                 ("Cohort", "Young people aged 18 to 25 moving on from Nettlebank House or from supported lodgings"),
                 ("Staffing", "No staff on site; the Nettlebank House scheme manager and support worker visit by "
                  "appointment on weekdays"),
                 ("Date opened as supported housing", "6 January 2025")):
        cells = t.add_row().cells
        cells[0].text, cells[1].text = k, v
    for cell in t.rows[0].cells:
        cell.paragraphs[0].runs[0].bold = True
    doc.add_paragraph()
    doc.add_paragraph("Zoë Lindqvist\nScheme Manager, Brackenfold Support CIC")

    cp = doc.core_properties
    cp.author = "Zoë Lindqvist"
    cp.last_modified_by = "Zoë Lindqvist"
    cp.title = "Schedule of scheme addresses - Nettlebank House"
    cp.subject = f"Information request {REVIEW_REF}"
    cp.created = dt.datetime(2026, 9, 15, 9, 12, 0)
    cp.modified = dt.datetime(2026, 9, 15, 10, 47, 0)
    cp.last_printed = dt.datetime(2026, 9, 15, 10, 45, 0)
    cp.revision = 4
    cp.keywords = "Nettlebank; scheme; addresses"
    cp.comments = ""
    cp.category = ""
    cp.identifier = ""
    cp.language = "en-GB"
    cp.version = "2.0"
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue(), (2026, 9, 15, 10, 47, 0))


def doc_85d(st: Styles) -> bytes:
    spec = DocSpec(BRACKENFOLD, "BSC/NH/85d · Cohorts and referral criteria · v3.1 · approved by the Board 12 March 2026")

    def story() -> list[Flowable]:
        return [
            Paragraph("Nettlebank House: who we house and our referral criteria", st.title),
            Paragraph(f"Provided for review {REVIEW_REF} · 15 September 2026", st.subtitle),
            Paragraph("1. Cohorts", st.h2),
            *paras(st,
                   "Nettlebank House is a mixed scheme for single adults aged 18 and over who need "
                   "housing-related support to live independently and who have a local connection to Wrexley. "
                   "We accept referrals for three groups of people:"),
            table([("Cohort", "Who this means", "Usual referrer", "Rooms (target)", "Occupied 15 Sep 2026"),
                   ("Young people leaving care", "Care leavers aged 18 to 24 who are owed leaving care duties by "
                    "Wrexley Borough Council", "Leaving Care Team (personal adviser)", "3", "3"),
                   ("People with mental ill-health", "Adults with a diagnosed mental health condition who are "
                    "stable enough to live in a shared house with support", "Community Mental Health Team; "
                    "hospital discharge coordinators", "3", "3"),
                   ("Prison leavers", "Adults released from custody, usually on licence, assessed as low or "
                    "medium risk of serious harm", "Probation Service; prison resettlement teams", "3", "2")],
                  [34 * mm, 54 * mm, 38 * mm, 20 * mm, 24 * mm], st),
            Spacer(1, 6),
            *paras(st,
                   "We keep roughly equal numbers from each group so that no group dominates the house. Young "
                   "people leaving care are offered rooms on the first floor, near each other and away from the "
                   "front door, unless they ask otherwise. Any room may be offered to any cohort if that is the "
                   "safest match at the time, and we record the reasons on the allocation form."),
            Paragraph("2. Who we can accept", st.h2),
            *bullets(st,
                     "The person is aged 18 or over, single, and has no dependent children living with them.",
                     "They have a housing-related support need that we can meet with the support described in "
                     "our support model (on average five hours a week, on site on weekdays).",
                     "They want to live at Nettlebank House and agree to take part in support planning.",
                     "They are eligible for Housing Benefit or can otherwise pay the rent and charges.",
                     "Any risks they present to themselves, other residents or staff can be managed in a shared "
                     "house with no waking night staff."),
            Paragraph("3. Who we cannot accept", st.h2),
            *paras(st,
                   "We will not usually accept a referral where the person needs personal care or nursing care "
                   "(we are not registered with the Care Quality Commission); where they have a conviction for "
                   "arson within the last five years; where they are subject to sex offender notification "
                   "requirements, because the scheme houses care leavers as young as 18; or where they have a "
                   "current exclusion from the scheme following serious violence. A decision not to accept is "
                   "always made by the Scheme Manager with the Operations Manager, never by one person, and is "
                   "explained in writing to the referrer within three working days."),
            Paragraph("4. Mixing cohorts safely", st.h2),
            *paras(st,
                   "Before offering a room we look at the people already living in the house. We consider "
                   "known associates, previous victims, substance use, any history of exploitation of young "
                   "people, and how each person might be affected by the others. Prison leavers' licence "
                   "conditions are checked with the Probation Service before an offer is made. The needs and "
                   "risk assessment is reviewed after the first four weeks and then at each support plan "
                   "review.",
                   "House meetings are held on the first Wednesday of each month. Residents agree the house "
                   "rules together, including quiet hours after 11pm and the guest policy (guests leave by "
                   "10pm; no overnight guests)."),
            Paragraph("5. How to refer", st.h2),
            *paras(st,
                   "Referrers complete our referral form and send it with a recent risk assessment to "
                   "referrals@brackenfoldsupport.example. Self-referrals are accepted from people with a "
                   "local connection, but we then ask for the applicant's permission to contact an agency that "
                   "knows them. The full process is described in our referral pathway document."),
        ]

    return build_pdf(spec, story, title="Nettlebank House: cohorts and referral criteria")


# weekly charges, 2026/27 (per resident)
RENT_LINES = [("Core rent", 96.40), ("Intensive housing management", 98.50), ("Communal utilities (heat, light, water)", 21.30),
              ("Cleaning of communal areas", 14.90), ("Furniture and white goods", 8.60)]
SUPPORT_CHARGE = 12.50


def doc_85e(st: Styles) -> bytes:
    spec = DocSpec(BRACKENFOLD, "BSC/FIN/2026-07 · Support funding agreement 2026-2028")
    support_costs = [
        ("S1", "Support worker, 1.0 FTE (in post)", 31850.00),
        ("S2", "Support worker, 1.0 FTE (vacancy covered by sessional staff)", 33600.00),
        ("S3", "Scheme Manager, 0.6 FTE", 22140.00),
        ("S4", "Operations Manager, 0.1 FTE (supervision and oversight)", 5250.00),
        ("S5", "Out-of-hours on-call rota (telephone)", 4160.00),
        ("S6", "Training, DBS checks and clinical supervision", 2300.00),
        ("S7", "Resident activities, move-on and emergency hardship fund", 1800.00),
        ("S8", "Support share of central costs (8%)", 8088.00),
    ]
    total_support = sum(v for _, _, v in support_costs)
    grant = 88000.00
    charge_income = round(SUPPORT_CHARGE * 9 * 52 * 0.95, 2)
    reserves = round(total_support - grant - charge_income, 2)
    housing = [(f"H{i + 1}", name, round(wk * 9 * 52, 2), wk) for i, (name, wk) in enumerate(RENT_LINES)]

    def money(v: float) -> str:
        return f"£{v:,.2f}"

    def story() -> list[Flowable]:
        s: list[Flowable] = [
            Paragraph("Support Funding Agreement 2026–2028", st.title),
            Paragraph("Between Wenmoor Charitable Trust (the Funder) and Brackenfold Support CIC (the Provider), "
                      "in respect of housing-related support at Nettlebank House", st.subtitle),
            kv([("Agreement reference", "WCT/G/2026/0117"), ("Date of agreement", "24 March 2026"),
                ("Term", "1 April 2026 to 31 March 2028"),
                ("Grant", f"{money(grant)} a year, paid quarterly in advance"),
                ("Scheme", SCHEME)], st),
            Paragraph("1. Background", st.h2),
            *paras(st,
                   "1.1 The Provider holds a lease of Nettlebank House from Quillmere Homes Community Benefit "
                   "Society and houses people who need housing-related support. Rent and eligible service "
                   "charges are paid by residents, most of whom claim Housing Benefit for them.",
                   "1.2 Housing Benefit does not meet the cost of support. The Funder has agreed to fund the "
                   "greater part of the support at the scheme for two years so that support is paid for "
                   "separately from housing costs, as shown in Schedule 2."),
            Paragraph("2. What the grant pays for", st.h2),
            *paras(st,
                   "2.1 The grant may only be spent on the support costs in Schedule 2 (lines S1 to S8). It "
                   "must not be used to meet rent, service charges or any cost met by Housing Benefit.",
                   "2.2 The Provider will also charge each resident a weekly personal support charge of "
                   f"{money(SUPPORT_CHARGE)}. This charge is not eligible for Housing Benefit, is shown separately "
                   "on each resident's licence and rent statement, and is waived in cases of hardship. Any "
                   "remaining shortfall is met from the Provider's unrestricted reserves.",
                   "2.3 The Provider will keep the grant in a restricted fund in its accounts, coded "
                   "separately from housing income, so that the Funder and any local authority reviewing the "
                   "scheme can see that support is funded independently of Housing Benefit."),
            Paragraph("3. Outcomes and reporting", st.h2),
            *paras(st,
                   "3.1 The Provider will report to the Funder every six months on: the number of residents "
                   "supported; the hours of one-to-one support delivered; planned moves on; evictions and "
                   "abandonments; and progress against residents' support plans, without identifying any "
                   "resident."),
            NextPageTemplate("landscape"),
            PageBreak(),
            Paragraph("Schedule 2: Annual cost and funding statement, Nettlebank House, 2026/27", st.title),
            Paragraph("Nine bedspaces. Per-bedspace weekly figures use 52 weeks. Housing costs and support costs "
                      "are funded separately: only lines H1 to H5 are claimed through Housing Benefit.", st.subtitle),
        ]
        rows: list[tuple[str, ...]] = [("Line", "Cost heading", "Category", "Annual cost", "Per bedspace per week",
                                        "Funded by", "Eligible for Housing Benefit?")]
        for code, name, annual, wk in housing:
            rows.append((code, name, "Housing", money(annual), money(wk), "Residents (Housing Benefit)", "Yes"))
        for code, name, annual in support_costs:
            rows.append((code, name, "Support", money(annual), money(annual / 9 / 52),
                         "Support funding (below)", "No"))
        rows.append(("", "<b>Total housing costs (H1–H5)</b>", "", f"<b>{money(sum(h[2] for h in housing))}</b>",
                     f"<b>{money(sum(h[3] for h in housing))}</b>", "", ""))
        rows.append(("", "<b>Total support costs (S1–S8)</b>", "", f"<b>{money(total_support)}</b>",
                     f"<b>{money(total_support / 9 / 52)}</b>", "", ""))
        s.append(table(rows, [12 * mm, 96 * mm, 18 * mm, 28 * mm, 30 * mm, 44 * mm, 29 * mm], st, font_size=8.2, zebra=True))
        s.append(Spacer(1, 6))
        s.append(table([("Support funding source", "Annual amount", "Share of support costs"),
                        ("Wenmoor Charitable Trust grant (restricted fund R-114)", money(grant),
                         f"{grant / total_support:.0%}"),
                        (f"Personal support charge, {money(SUPPORT_CHARGE)} a week × 9 rooms × 52 weeks at 95% occupancy",
                         money(charge_income), f"{charge_income / total_support:.0%}"),
                        ("Brackenfold Support CIC unrestricted reserves", money(reserves),
                         f"{reserves / total_support:.0%}")],
                       [150 * mm, 45 * mm, 45 * mm], st))
        s += [
            NextPageTemplate("portrait"),
            PageBreak(),
            Paragraph("4. Payment and records", st.h2),
            *paras(st,
                   "4.1 The Funder will pay the grant in four equal instalments on 1 April, 1 July, "
                   "1 October and 1 January. The second year's payments depend on the Funder receiving "
                   "satisfactory reports under clause 3.",
                   "4.2 The Provider will keep timesheets or case records showing the support delivered, and "
                   "will let the Funder, or a local authority officer reviewing the scheme with the Funder's "
                   "knowledge, see those records on reasonable notice."),
            Paragraph("5. Changes and ending the agreement", st.h2),
            *paras(st,
                   "5.1 The Provider must tell the Funder within 14 days of any change that affects the "
                   "support, including staff vacancies lasting more than eight weeks, a change of landlord or "
                   "managing agent, or an investigation by a regulator or local authority.",
                   "5.2 Either party may end this agreement on six months' written notice. The Funder may end "
                   "it sooner if the grant is used for anything other than the purposes in clause 2, in which "
                   "case unspent grant must be repaid."),
            Paragraph("6. Data protection", st.h2),
            *paras(st,
                   "6.1 No personal data about residents will be shared with the Funder. Reports will use "
                   "anonymised or aggregated figures only."),
            Spacer(1, 14),
            sign_block(st, [("Signed for Wenmoor Charitable Trust", "Chair of Trustees", "24 March 2026", 5521),
                            ("Signed for Brackenfold Support CIC", "Daniel Achterberg, Operations Manager",
                             "24 March 2026", 1401)]),
        ]
        return s

    return build_pdf(spec, story, title="Support Funding Agreement 2026-2028", landscape_template=True)


def doc_85g(st: Styles) -> bytes:
    spec = DocSpec(BRACKENFOLD, "BSC/NH/85g · Site description · v1.0")
    buf = io.BytesIO()
    ext = vignette(scene_exterior(), 0.25).filter(ImageFilter.GaussianBlur(1.0))
    grain(ext, 8, 14).save(buf, "JPEG", quality=78)
    photo = buf.getvalue()

    def story() -> list[Flowable]:
        return [
            Paragraph("Nettlebank House: description of the site", st.title),
            Paragraph(f"For review {REVIEW_REF} · 16 September 2026 · Zoë Lindqvist, Scheme Manager", st.subtitle),
            RLImage(io.BytesIO(photo), width=150 * mm, height=112.5 * mm),
            Paragraph("Photograph 1: front elevation from Nettlebank Road, taken 11 September 2026.", st.small),
            Paragraph("1. The building", st.h2),
            *paras(st,
                   "Nettlebank House is a three-storey, end-of-terrace Victorian house built of red brick, on "
                   "the corner of Nettlebank Road and Ropewalk Lane. It was converted in 2019 into a house in "
                   "multiple occupation with nine single bedrooms. The front door opens onto a hallway with the "
                   "staff office on the left and the kitchen-diner at the rear. A small enclosed garden at the "
                   "back has a smoking shelter, a washing line and a bike store.",
                   "The building has a grade D energy rating, gas central heating, double glazing throughout and "
                   "a mains-powered fire alarm system with smoke detection in every room and heat detection in "
                   "the kitchen. The staircase is a protected escape route with self-closing fire doors on each "
                   "landing."),
            Paragraph("2. Why this site was chosen", st.h2),
            *paras(st,
                   "Quillmere Homes bought the house in 2022 and offered it to us because it is on a bus route "
                   "into Wrexley town centre (ten minutes), close to Wrexley College's Canal Side campus, the "
                   "Jobcentre and a GP surgery that registers new patients. It is a residential street rather "
                   "than a main road, which residents have told us feels calmer. The size suits a small staff "
                   "team who can know every resident well."),
            Paragraph("3. How it is maintained", st.h2),
            *paras(st,
                   "Day-to-day repairs and all statutory compliance checks are carried out by our managing "
                   "agent, Tarnwell Lettings &amp; Property Services Ltd. Staff walk round the building every "
                   "weekday morning using a checklist (fire doors closed and undamaged, escape routes clear, "
                   "fire panel normal, kitchen appliances safe, no signs of damp or pests) and log any problem. "
                   "Communal areas are cleaned twice a week by a contract cleaner; residents clean their own "
                   "rooms and take turns with kitchen tasks agreed at house meetings. Rooms are redecorated "
                   "between lets.",
                   "The current certificates are: gas safety 4 June 2026; electrical installation condition "
                   "report 19 January 2024 (next due January 2029); fire risk assessment 22 April 2026 "
                   "(two actions, both completed); fire alarm service 1 August 2026; emergency lighting test "
                   "1 August 2026; legionella risk assessment 7 February 2025."),
        ]

    return build_pdf(spec, story, title="Nettlebank House: description of the site")


def weekly_total() -> float:
    return round(sum(v for _, v in RENT_LINES) + SUPPORT_CHARGE, 2)


def licence_terms(st: Styles, factor: float = 1.0, year: str = "2026/27", scheme: str = "Nettlebank House",
                  unit: str = "room") -> list[Flowable]:
    """The body of Brackenfold's licence to occupy (model and residents' copies share it).

    ``factor`` scales the 2026/27 charges back to the year the licence was signed.
    """
    cl = st.clause
    h = st.h2
    out: list[Flowable] = [
        Paragraph("1. What this agreement is", h),
        Paragraph(f"1.1\tThis agreement gives you permission (a licence) to live in your {unit} at {scheme} "
                  "and to share the kitchen, lounge, bathrooms, laundry and garden with other residents. It is not a "
                  "tenancy. You do not have the right to keep other people out of your room, because staff may "
                  "need to enter it as set out in clause 5.", cl),
        Paragraph(f"1.2\t{scheme} is supported housing. You are offered a place because you need, and have "
                  "agreed to receive, housing-related support from Brackenfold. The support is part of the reason "
                  "you live here, and it is described in your support plan.", cl),
        Paragraph("2. Charges", h),
        Paragraph(f"2.1\tYou must pay the weekly charges for {year} shown in the table below, weekly in advance, every "
                  "Monday. If you claim Housing Benefit we will help you to apply, and the benefit will normally be "
                  "paid to us directly.", cl),
    ]
    lines = [(name, round(v * factor, 2)) for name, v in RENT_LINES]
    lines.append(("Personal support charge", round(SUPPORT_CHARGE * factor, 2)))
    rows = [("Weekly charge", "Amount", "Can Housing Benefit pay it?")]
    rows += [(name, f"£{v:.2f}", "Yes") for name, v in lines[:-1]]
    rows.append((lines[-1][0], f"£{lines[-1][1]:.2f}", "No (you pay this yourself; ask about hardship waiver)"))
    rows.append(("<b>Total</b>", f"<b>£{sum(v for _, v in lines):.2f}</b>", ""))
    out += [
        table(rows, [70 * mm, 30 * mm, 70 * mm], st),
        Spacer(1, 4),
        Paragraph("2.2\tWe will give you at least four weeks' written notice of any change to the charges. Charges "
                  "are normally reviewed once a year, from the first Monday in April.", cl),
        Paragraph("2.3\tIf you fall behind, your support worker will help you to make a plan to pay what you owe. "
                  "We will always try to agree a repayment plan before taking any other action.", cl),
        Paragraph("3. Your support", h),
        Paragraph("3.1\tWithin seven days of moving in you will agree a support plan with your support worker. It "
                  "will set out the goals you want to work towards and how we will help.", cl),
        Paragraph("3.2\tYou agree to meet your support worker at least once a week, and to tell us if you cannot "
                  "make an appointment. We will review your support plan with you at least every three months.", cl),
        Paragraph("4. Your responsibilities", h),
        Paragraph("4.1\tYou must not behave in a way that causes, or is likely to cause, nuisance, harassment or "
                  "alarm to other residents, staff, neighbours or visitors. Violence or threats of violence will "
                  "not be tolerated.", cl),
        Paragraph("4.2\tYou may have up to two visitors at a time between 10am and 10pm. Visitors must sign in at "
                  "the office. Overnight guests are not allowed. You are responsible for your visitors' behaviour.", cl),
        Paragraph("4.3\tYou must not smoke or vape inside the building. You must not wedge or prop open any fire "
                  "door, tamper with smoke detectors or fire equipment, or leave cooking unattended.", cl),
        Paragraph("4.4\tYou must not bring illegal drugs into the building, or allow anyone else to, and must not "
                  "keep weapons of any kind.", cl),
        Paragraph("4.5\tYou must keep your room reasonably clean, take your turn with shared kitchen tasks, and "
                  "report any repair or damage to staff as soon as you can.", cl),
        Paragraph("5. Our responsibilities", h),
        Paragraph("5.1\tWe will keep the building safe and in good repair, carry out all safety checks required by "
                  "law, and deal with repairs within the target times on the house notice board.", cl),
        Paragraph("5.2\tWe will give you 24 hours' notice before entering your room, except in an emergency, for "
                  "the daily fire safety check of escape routes (which does not include your room), or where we "
                  "have serious concerns for your safety or the safety of others.", cl),
        Paragraph("5.3\tWe will provide the support described in clause 3 and treat you with dignity and respect.", cl),
        Paragraph("6. Ending this agreement", h),
        Paragraph("6.1\tYou may end this agreement by giving us at least four weeks' notice in writing. Your "
                  "support worker will help you plan your move.", cl),
        Paragraph("6.2\tWe may end this agreement by giving you at least four weeks' notice in writing if you have "
                  "seriously or repeatedly broken it, if you no longer need or accept the support, or if the scheme "
                  "closes. We will always tell you the reason and offer a meeting first. Where the law requires a "
                  "court order before you can be made to leave, we will obtain one.", cl),
        Paragraph("6.3\tWhen you move on, we will refer you for help with furniture, benefits and setting up your "
                  "new home, and will keep in touch for up to six weeks if you want us to.", cl),
        Paragraph("7. Complaints and your information", h),
        Paragraph("7.1\tIf you are unhappy with our service, tell any member of staff or write to the Operations "
                  "Manager. If you are still unhappy you can contact Wrexley Borough Council's Supported Housing "
                  "Review Team or the Housing Ombudsman. Making a complaint will never affect your place here.", cl),
        Paragraph("7.2\tWe keep information about you securely and only share it as explained in our privacy notice, "
                  "a copy of which you have been given.", cl),
    ]
    return out


def doc_85h(st: Styles) -> bytes:
    spec = DocSpec(BRACKENFOLD, "BSC/HSG/LIC-01 · Licence to occupy (model) · v4 April 2026", family="Serif")

    def story() -> list[Flowable]:
        return [
            Paragraph("Licence to Occupy: Nettlebank House", st.title),
            Paragraph("Model agreement provided in response to item 85(h). Fields shaded blue are completed for "
                      "each resident at sign-up.", st.subtitle),
            Paragraph("Particulars", st.h2),
            FormField("Scheme", "scheme", "Nettlebank House, 14 Nettlebank Road, Wrexley WX4 2QT", 110 * mm, 45 * mm),
            FormField("Licence reference", "licence_ref", "NH-LIC-MODEL-2026", 60 * mm, 45 * mm),
            FormField("Resident reference", "resident_ref", "", 40 * mm, 45 * mm),
            FormField("Room number", "room", "", 20 * mm, 45 * mm),
            FormField("Start date", "start_date", "", 40 * mm, 45 * mm),
            FormField("Weekly charge (total)", "weekly_charge", f"GBP {weekly_total():.2f}", 40 * mm, 45 * mm),
            Spacer(1, 6),
            *paras(st, "This agreement is between Brackenfold Support CIC, 3 Cable Yard, Wrexley WX2 5HN (\"we\", "
                       "\"us\") and the resident named in the particulars (\"you\"). Please read it carefully. "
                       "Your support worker will go through it with you before you sign, and you can take a copy "
                       "away to show someone you trust."),
            *licence_terms(st),
            CondPageBreak(70 * mm),
            Paragraph("8. Signatures", st.h2),
            *paras(st, "By signing you confirm that this agreement has been explained to you and that you have "
                       "been given a copy."),
            sign_block(st, [("Resident", "", "", None), ("For Brackenfold Support CIC", "", "", None)]),
        ]

    return build_pdf(spec, story, title="Licence to Occupy - Nettlebank House (model)")


def staffing_pdf(st: Styles) -> bytes:
    spec = DocSpec(BRACKENFOLD, "BSC/HR/ORG-NH · Staffing structure · September 2026")

    def box(d: Drawing, x: float, y: float, w: float, lines: Sequence[str], fill: colors.Color) -> None:
        d.add(Rect(x, y, w, 40, fillColor=fill, strokeColor=GREEN, strokeWidth=1))
        for i, text in enumerate(lines):
            d.add(String(x + w / 2, y + 27 - i * 12, text, fontName="Sans-Bold" if i == 0 else "Sans",
                         fontSize=8.5 if i == 0 else 7.5, textAnchor="middle"))

    def chart() -> Drawing:
        d = Drawing(170 * mm, 170)
        W = 170 * mm
        box(d, W / 2 - 75, 125, 150, ["Board of Directors", "5 non-executive directors"], colors.white)
        box(d, W / 2 - 75, 70, 150, ["Operations Manager", "Daniel Achterberg · 1.0 FTE"], LIGHT_GREEN)
        box(d, W / 2 - 75, 15, 150, ["Scheme Manager", "Zoë Lindqvist · 1.0 FTE", ""], LIGHT_GREEN)
        d.add(Line(W / 2, 125, W / 2, 110, strokeColor=GREEN))
        d.add(Line(W / 2, 70, W / 2, 55, strokeColor=GREEN))
        d.add(Line(W / 2 + 75, 35, W / 2 + 110, 35, strokeColor=GREEN))
        box(d, W / 2 + 110, 15, 115, ["Support Worker", "Siân Okonjo-Hartley · 1.0"], colors.white)
        d.add(Line(W / 2 - 75, 35, W / 2 - 110, 35, strokeColor=GREEN))
        box(d, W / 2 - 225, 15, 115, ["Support Worker", "Vacant (sessional cover)"], colors.HexColor("#F3F3F3"))
        return d

    def story() -> list[Flowable]:
        return [
            Paragraph("Staffing structure: Nettlebank House", st.title),
            Paragraph("As at 16 September 2026", st.subtitle),
            chart(),
            Spacer(1, 10),
            table([("Role", "Name", "Hours / FTE", "Time at Nettlebank", "Enhanced DBS", "Caseload at Nettlebank"),
                   ("Operations Manager", "Daniel Achterberg", "37.5 h, 1.0", "0.1 (supervision, oversight)",
                    "11 Jan 2025", "–"),
                   ("Scheme Manager", "Zoë Lindqvist", "37.5 h, 1.0", "0.6 (0.4 at Orchard Court flats)",
                    "3 Mar 2024", "0 (manages)"),
                   ("Support Worker", "Siân Okonjo-Hartley", "37.5 h, 1.0", "1.0", "19 Oct 2023", "6 residents"),
                   ("Support Worker", "Vacant since 6 June 2026", "37.5 h, 1.0", "1.0", "–",
                    "2 residents, covered by a sessional worker (16 h a week)"),
                   ("On-call (out of hours)", "Managers' rota", "Telephone", "Evenings, weekends", "–", "–")],
                  [30 * mm, 32 * mm, 20 * mm, 34 * mm, 22 * mm, 32 * mm], st),
            Spacer(1, 6),
            Paragraph("Staff are on site Monday to Friday, 9am to 5pm, and until 8pm on Tuesdays and Thursdays. "
                      "There are no waking night staff. Supervision is monthly; team meetings are fortnightly.",
                      st.small),
        ]

    return build_pdf(spec, story, title="Staffing structure - Nettlebank House")


MISSION = """Brackenfold Support CIC - our mission

We help people who have had a hard start, or a hard time, to find a settled
home and to build the life they want from it.

We believe that:
  * everyone deserves a safe, warm and clean place to live;
  * support works best when the person leads it, sets their own goals and is
    listened to;
  * nobody should be moved on before they are ready, or kept longer than they
    need;
  * the people we support should be treated with kindness, dignity and respect
    by everyone who works for us.

We measure our success by the number of people who move on to a home of their
own and are still there a year later.

Approved by the Board of Directors, 12 March 2026.
"""


def email_85i(st: Styles) -> bytes:
    body = """Dear Priya,

Thank you for your letter of 1 September. Please find below the support information for Nettlebank House requested under item 85(i), with our staffing structure and mission statement attached. The safeguarding policy, referral pathway and model licence are being sent separately as PDFs.

On-site support
Staff are on site Monday to Friday from 9am to 5pm, and until 8pm on Tuesdays and Thursdays so that residents in college or work can see their worker. Every resident has a named support worker and is offered at least one planned one-to-one session a week; on average residents receive about five hours of support a week, made up of key work sessions, help with appointments, and group sessions (cooking on a budget on Wednesdays, house meeting on the first Wednesday of the month). Out of hours, residents can ring the managers' on-call phone on 07700 900 166.

Support delivered on site: support planning and reviews; budgeting and benefits; help to maintain the licence; life skills (cooking, cleaning, shopping); help to register with a GP and attend appointments; help with education, training and work; emotional support and wellbeing check-ins; move-on planning.

Support we signpost to: mental health treatment (Community Mental Health Team); drug and alcohol treatment (Wrexley Recovery Hub); debt advice (Wrexley Money Advice Centre); probation and offending behaviour work (Probation Service); employment programmes (the Jobcentre and Wrexley College). We do not provide personal care.

Staffing and caseloads
Zoë Lindqvist is Scheme Manager (0.6 of her time at Nettlebank, the rest at our Orchard Court flats). Siân Okonjo-Hartley is full-time support worker with a caseload of 6. Our second support worker post has been vacant since June; two residents are supported by an experienced sessional worker for 16 hours a week while we recruit. No worker holds more than 8 cases. I provide monthly supervision to Zoë; Zoë supervises the support workers.

Experience and training
Brackenfold has run supported housing in Wrexley since 2017. Zoë has nine years' experience in homelessness services and Siân previously worked for four years in a leaving care team. All staff complete induction (safeguarding, trauma-informed practice, mental health first aid, fire safety, professional boundaries) within four weeks of starting, and safeguarding refresher training every year. All staff have enhanced DBS checks, renewed every three years; the dates are in the attached structure.

Quality
We are working towards a recognised quality standard for supported housing and expect our assessment in the spring of 2027. We survey residents anonymously twice a year; the spring 2026 results went to you with item 85(f).

Example support plans, needs and risk assessments are in the residents' files, which you are welcome to see during your visit on 29 September with the residents' consent.

Kind regards,

Daniel Achterberg
Operations Manager
Brackenfold Support CIC
3 Cable Yard, Wrexley WX2 5HN
01632 960 418
"""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = "Daniel Achterberg <d.achterberg@brackenfoldsupport.example>"
    msg["To"] = "Priya Marchetti <priya.marchetti@wrexley-council.example>"
    msg["Cc"] = "Zoë Lindqvist <z.lindqvist@brackenfoldsupport.example>"
    msg["Subject"] = "Nettlebank House - support information for your review"
    msg["Date"] = "Wed, 16 Sep 2026 14:37:09 +0100"
    msg["Message-ID"] = "<20260916133709.4f1c.achterberg@mail.brackenfoldsupport.example>"
    msg["X-Review-Reference"] = REVIEW_REF
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    msg.add_attachment(staffing_pdf(st), maintype="application", subtype="pdf",
                       filename="staffing-structure.pdf")
    msg.add_attachment(MISSION, subtype="plain", charset="utf-8", filename="mission-statement.txt")
    msg.set_boundary("----=_Part_20260916_143709_Brackenfold")
    return msg.as_bytes()


def doc_safeguarding(st: Styles) -> bytes:
    spec = DocSpec(BRACKENFOLD, "BSC/POL/07 · Safeguarding policy · v5 · approved 12 March 2026 · review due March 2027")

    def story() -> list[Flowable]:
        return [
            Paragraph("Safeguarding Adults and Young People Policy", st.title),
            Paragraph("Policy owner: Operations Manager · Applies to: all staff, sessional workers, volunteers and "
                      "directors · Version 5", st.subtitle),
            Paragraph("1. Purpose and scope", st.h2),
            *paras(st,
                   "Brackenfold Support CIC works with people who may be at risk of abuse, neglect or "
                   "exploitation because of their age, their mental health, their past experiences or their "
                   "circumstances. This policy sets out how we prevent harm, how we recognise it and what every "
                   "person working for us must do when they are worried about someone.",
                   "It applies to everyone we support, including residents aged 18 to 24 who have left care. "
                   "Although they are adults, care leavers may be particularly vulnerable to exploitation, and "
                   "we work closely with their personal advisers."),
            Paragraph("2. Our principles", st.h2),
            *paras(st,
                   "We follow the six safeguarding principles set out in the statutory guidance to the Care Act "
                   "2014: empowerment, prevention, proportionality, protection, partnership and accountability. "
                   "In practice this means that we ask people what they want to happen, we act early, we do the "
                   "least intrusive thing that will keep someone safe, we work with other agencies, and we are "
                   "open about what we have done and why."),
            Paragraph("3. Who to contact", st.h2),
            table([("Role", "Name", "How to contact"),
                   ("Designated Safeguarding Lead (organisation)", "Daniel Achterberg, Operations Manager",
                    "01632 960 418 (office hours); on-call phone out of hours"),
                   ("Deputy Safeguarding Lead (Nettlebank House)", "Zoë Lindqvist, Scheme Manager", "07700 900 314"),
                   ("Director responsible for safeguarding", "Nominated board member", "via the Operations Manager"),
                   ("Wrexley Adult Social Care (safeguarding referrals)", "–", "01632 960 500"),
                   ("Police", "–", "999 in an emergency; 101 otherwise")],
                  [58 * mm, 52 * mm, 60 * mm], st),
            Paragraph("4. Recognising abuse and neglect", st.h2),
            *paras(st,
                   "Abuse can be physical, sexual, psychological or emotional, financial, discriminatory or "
                   "organisational. It includes domestic abuse, modern slavery, neglect and self-neglect. Staff "
                   "should be alert to changes in a resident's behaviour, unexplained injuries, new "
                   "possessions or money, unfamiliar visitors, missed appointments, a resident staying away from "
                   "the house, or a resident seeming frightened of someone."),
            Paragraph("Exploitation of young residents", st.h3),
            *paras(st,
                   "Criminal exploitation, including drug dealing networks that use young people to carry drugs "
                   "or that take over a person's home (cuckooing), is a known risk in Wrexley. Staff must report "
                   "any sign that a resident is being groomed or used in this way on the same day, and must not "
                   "wait to be certain."),
            Paragraph("Self-neglect and mental capacity", st.h3),
            *paras(st,
                   "Adults have the right to make choices that others think unwise. Where a resident is not "
                   "looking after themselves, their room or their health, staff talk with them about what is "
                   "happening and why, and record the conversation. If staff doubt whether the person can make "
                   "a particular decision, they raise it with the safeguarding lead, who will consider whether a "
                   "mental capacity assessment is needed and who should carry it out. Self-neglect that puts a "
                   "person at serious risk is treated as a safeguarding concern."),
            Paragraph("Domestic abuse", st.h3),
            *paras(st,
                   "Residents may be victims of domestic abuse from partners, former partners or family members "
                   "who visit the house. Staff use the local risk identification checklist when a resident "
                   "discloses abuse, and the safeguarding lead considers a referral to the multi-agency risk "
                   "assessment conference. We will help a resident move to another scheme urgently if that is "
                   "what they want."),
            Paragraph("Residents who are missing", st.h3),
            *paras(st,
                   "If a resident has not been seen or heard from for 24 hours and this is out of character, or "
                   "sooner where there is a known risk, staff check the room (clause 5.2 of the licence), try "
                   "the resident's phone and known contacts, and tell the safeguarding lead. If the resident "
                   "is still missing and there is a concern for their safety, staff report them missing to the "
                   "police and inform the referrer (for care leavers, the personal adviser; for people on "
                   "licence, the probation practitioner)."),
            Paragraph("5. What to do if you are worried", st.h2),
            *bullets(st,
                     "<b>Respond.</b> If someone is in immediate danger, call 999. Make sure the person is safe "
                     "and get medical help if it is needed.",
                     "<b>Listen.</b> If a resident tells you something, listen calmly, do not ask leading "
                     "questions, and do not promise to keep it secret. Explain who you will need to tell and why.",
                     "<b>Record.</b> Write down what you saw or were told, in the person's own words where "
                     "possible, with the date, time and your name, on the safeguarding concern form, the same day.",
                     "<b>Report.</b> Tell the Deputy or Designated Safeguarding Lead the same day. If neither can "
                     "be reached, use the on-call phone.",
                     "<b>Refer.</b> The safeguarding lead decides, with the person wherever possible, whether to "
                     "make a safeguarding referral to Wrexley Adult Social Care. Anyone may make a referral "
                     "directly if they believe the lead has not acted."),
            Paragraph("6. Consent and information sharing", st.h2),
            *paras(st,
                   "We will normally ask for the person's consent before sharing information about them. We may "
                   "share information without consent where there is a risk of serious harm to the person or to "
                   "others, where a crime has been or may be committed, or where the law requires it. Every "
                   "decision to share, or not to share, is recorded with the reasons."),
            Paragraph("What the safeguarding concern form records", st.h3),
            table([("Section", "What to write"),
                   ("The concern", "What you saw, heard or were told, in the person's own words where possible; "
                                   "date, time and place"),
                   ("The person's views", "What the person wants to happen, and whether they agree to a referral"),
                   ("Immediate action", "Anything done to make the person safe, and who was contacted"),
                   ("Decision", "The safeguarding lead's decision, reasons, and who was told"),
                   ("Outcome", "What happened next, and the date the concern was closed")],
                  [40 * mm, 130 * mm], st),
            Spacer(1, 4),
            *paras(st,
                   "Concern forms are kept in the resident's file in the locked cabinet in the office, with a "
                   "copy in the safeguarding log held by the Designated Safeguarding Lead. They are never left on "
                   "the whiteboard, in the diary or in the handover book."),
            Paragraph("7. Allegations about staff", st.h2),
            *paras(st,
                   "Any concern that a member of staff, sessional worker or volunteer has harmed a resident, or "
                   "may pose a risk, must be reported to the Designated Safeguarding Lead, or to a director if "
                   "the concern is about the Designated Safeguarding Lead. The person may be suspended while the "
                   "concern is looked into; suspension is a neutral act and not a finding. Where the concern "
                   "meets the threshold we will inform Wrexley Adult Social Care and, where relevant, make a "
                   "referral to the Disclosure and Barring Service."),
            Paragraph("8. Safer recruitment and training", st.h2),
            *paras(st,
                   "All staff and sessional workers have an enhanced DBS check with barred list checks before "
                   "they start, renewed every three years, two references, and an interview that includes "
                   "questions about safeguarding. Everyone completes safeguarding training within four weeks of "
                   "starting and a refresher every year. Safeguarding is a standing item at every supervision "
                   "and team meeting."),
            Paragraph("Whistleblowing", st.h3),
            *paras(st,
                   "Anyone who believes that a safeguarding concern is being ignored, or that a colleague or "
                   "manager is putting residents at risk, should raise it with a director. They may also contact "
                   "Wrexley Adult Social Care or the police directly. We will not treat anyone less favourably for "
                   "raising a concern in good faith."),
            Paragraph("9. Learning and review", st.h2),
            *paras(st,
                   "The Designated Safeguarding Lead keeps a log of every concern and its outcome, reports "
                   "anonymised figures to the board every quarter, and reviews what we have learned. This policy "
                   "is reviewed every year, or sooner if the law or local procedures change.",
                   "Related policies: Risk Assessment and Management; Missing Residents; Information Sharing "
                   "and Confidentiality; Whistleblowing; Complaints; Safer Recruitment.",
                   "Approved by the Board of Directors on 12 March 2026."),
        ]

    return build_pdf(spec, story, title="Safeguarding Adults and Young People Policy")


def doc_referral_pathway(st: Styles) -> bytes:
    spec = DocSpec(BRACKENFOLD, "BSC/HSG/REF-02 · Referral and assessment pathway · v2.2 · May 2026")
    steps = [("1. Referral received", "form + risk information, logged same day"),
             ("2. Eligibility screen", "Scheme Manager, within 2 working days"),
             ("3. Needs and risk assessment", "meeting with applicant and referrer"),
             ("4. Allocation decision", "weekly, Scheme Manager + Operations Manager"),
             ("5. Offer, viewing and sign-up", "licence explained and signed"),
             ("6. Initial support plan", "within 7 days of moving in")]

    def flow() -> Drawing:
        W = 170 * mm
        d = Drawing(W, 300)
        y = 262
        for i, (title, sub) in enumerate(steps):
            d.add(Rect(W / 2 - 120, y, 240, 34, rx=5, ry=5, fillColor=LIGHT_GREEN, strokeColor=GREEN))
            d.add(String(W / 2, y + 20, title, fontName="Sans-Bold", fontSize=9, textAnchor="middle"))
            d.add(String(W / 2, y + 8, sub, fontName="Sans", fontSize=7.5, textAnchor="middle"))
            if i < len(steps) - 1:
                d.add(Line(W / 2, y, W / 2, y - 14, strokeColor=GREEN, strokeWidth=1.2))
                d.add(Polygon([W / 2 - 4, y - 10, W / 2 + 4, y - 10, W / 2, y - 15], fillColor=GREEN, strokeColor=GREEN))
            if i in (1, 3):
                d.add(Line(W / 2 + 120, y + 17, W / 2 + 160, y + 17, strokeColor=colors.HexColor("#A33"), strokeWidth=1))
                d.add(Rect(W / 2 + 160, y + 4, 95, 26, fillColor=colors.HexColor("#FBEAEA"), strokeColor=colors.HexColor("#A33")))
                d.add(String(W / 2 + 207, y + 19, "Not accepted:", fontName="Sans-Bold", fontSize=7.5, textAnchor="middle"))
                d.add(String(W / 2 + 207, y + 9, "reasons in writing, 3 days", fontName="Sans", fontSize=7, textAnchor="middle"))
            y -= 50
        return d

    def story() -> list[Flowable]:
        return [
            Paragraph("Referral and assessment pathway", st.title),
            Paragraph("How people come to live at Nettlebank House, and how we decide", st.subtitle),
            flow(),
            Paragraph("1. Making a referral", st.h2),
            *paras(st,
                   "Referrals come mainly from Wrexley Borough Council's Leaving Care Team, the Community Mental "
                   "Health Team, the Probation Service and the council's Housing Options service. The referrer "
                   "completes our referral form with the applicant and sends it, with the most recent risk "
                   "assessment, by secure e-mail. Referrals are logged on the day they arrive and acknowledged "
                   "within one working day. We keep a waiting list only when all nine rooms are full."),
            Paragraph("2. Eligibility screen", st.h2),
            *paras(st,
                   "Within two working days the Scheme Manager checks the referral against our criteria (see our "
                   "cohorts and referral criteria document). If information is missing we ask the referrer for "
                   "it rather than declining. If the referral is clearly outside our criteria we explain why in "
                   "writing and, where we can, suggest another service."),
            Paragraph("3. Needs and risk assessment", st.h2),
            *paras(st,
                   "We meet the applicant, with their referrer if they wish, at Nettlebank House or wherever they "
                   "are living (including in prison or hospital, by video if needed). We complete our needs "
                   "assessment across ten areas (accommodation, money, physical health, mental health, "
                   "substance use, education and work, relationships, offending, safety, daily living skills) "
                   "and our risk assessment. The applicant can see the house and meet staff before deciding."),
            Paragraph("4. Deciding, offering and moving in", st.h2),
            *paras(st,
                   "Allocation decisions are made at the weekly allocation meeting by the Scheme Manager and the "
                   "Operations Manager together, looking at the mix of people already in the house. If we offer "
                   "a room, a support worker explains the licence, the house rules and the charges, helps the "
                   "new resident claim Housing Benefit, and agrees a first support plan within seven days. The "
                   "needs and risk assessments are reviewed after four weeks and at every support plan review."),
            Paragraph("5. Timescales we aim for", st.h2),
            table([("Stage", "Target", "Achieved April–August 2026"),
                   ("Acknowledge referral", "1 working day", "17 of 18 referrals"),
                   ("Eligibility decision", "2 working days", "16 of 18"),
                   ("Assessment meeting", "10 working days", "11 of 12 screened in"),
                   ("Written reasons when not accepted", "3 working days", "all 7 declined referrals"),
                   ("Initial support plan", "7 days after moving in", "4 of 5 new residents")],
                  [60 * mm, 45 * mm, 65 * mm], st),
        ]

    return build_pdf(spec, story, title="Referral and assessment pathway")


# --------------------------------------------------------------------------------------------
# Individual-level documents (paras 98-100)
# --------------------------------------------------------------------------------------------
def long_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B %Y')}"


class Resident:
    def __init__(self, rid: str, name: str, room: str, cohort: str, worker: str, worker_seed: int, seed: int,
                 scheme: str = "Nettlebank House", address: str = "14 Nettlebank Road, Wrexley WX4 2QT",
                 unit: str = "Room") -> None:
        self.rid, self.name, self.room, self.cohort = rid, name, room, cohort
        self.worker, self.worker_seed, self.seed = worker, worker_seed, seed
        self.scheme, self.address, self.unit = scheme, address, unit

    @property
    def home(self) -> str:
        """E.g. 'Room 5, Nettlebank House, 14 Nettlebank Road, Wrexley WX4 2QT'."""
        return f"{self.unit} {self.room}, {self.scheme}, {self.address}"


R01 = Resident("R01", "Łukasz", "5", "Young person leaving care", "Siân Okonjo-Hartley", 3301, 101)
R02 = Resident("R02", "Ellen", "2", "Mental ill-health", "Siân Okonjo-Hartley", 3301, 202)
R03 = Resident("R03", "Dmitri", "8", "Prison leaver", "Zoë Lindqvist", 4402, 303)
R04 = Resident("R04", "Callum", "2", "Young person", "Siân Okonjo-Hartley", 3301, 404,
               scheme="Orchard Court", address="Fenwick Street, Wrexley WX3 6TB", unit="Flat")


def resident_doc(st: Styles, r: Resident, code: str, title: str, header: Sequence[tuple[str, str]],
                 body: Callable[[], list[Flowable]]) -> bytes:
    spec = DocSpec(BRACKENFOLD, f"BSC/{code} · {r.rid}", confidential=True)

    def story() -> list[Flowable]:
        return [Paragraph(title, st.title),
                kv([("Resident reference", r.rid), ("First name", r.name), ("Scheme and room", f"{r.scheme}, {r.unit.lower()} {r.room}"),
                    *header], st),
                Spacer(1, 6), *body()]

    return build_pdf(spec, story, title=f"{title} - {r.rid}")


def resident_licence(st: Styles, r: Resident, start: str, ref: str, factor: float, year: str, staff: str,
                     staff_seed: int, end: str | None = None) -> bytes:
    spec = DocSpec(BRACKENFOLD, f"BSC/HSG/LIC-01 v4 · {ref} · {r.rid}", confidential=True, family="Serif")
    st = Styles("Serif")  # licences are set in a serif face, like the model

    def story() -> list[Flowable]:
        return [
            Paragraph(f"Licence to Occupy: {r.scheme}", st.title),
            Paragraph("Particulars", st.h2),
            kv([("Licence reference", ref), ("Resident", f"{r.name} (resident reference {r.rid})"),
                (r.unit, r.home), ("Start date", long_date(start)),
                *([("End date", f"{long_date(end)} (fixed term; renewal by a new licence)")] if end else []),
                ("Support worker", staff)], st),
            Spacer(1, 6),
            *paras(st, "This agreement is between Brackenfold Support CIC, 3 Cable Yard, Wrexley WX2 5HN (\"we\", "
                       "\"us\") and the resident named above (\"you\")."),
            *licence_terms(st, factor, year, r.scheme, r.unit.lower()),
            CondPageBreak(70 * mm),
            Paragraph("8. Signatures", st.h2),
            *paras(st, "By signing you confirm that this agreement has been explained to you and that you have "
                       "been given a copy."),
            sign_block(st, [("Resident", r.name, long_date(start), r.seed),
                            ("For Brackenfold Support CIC", staff, long_date(start), staff_seed)]),
        ]

    return build_pdf(spec, story, title=f"Licence to Occupy - {r.rid}")


def needs_assessment(st: Styles, r: Resident, date: str, assessor: str, areas: Sequence[tuple[str, str, str]],
                     summary: str, own_words: str) -> bytes:
    def body() -> list[Flowable]:
        return [
            Paragraph("Needs across ten areas", st.h2),
            Paragraph("Level of need: None, Low, Medium or High. Agreed with the resident at the assessment meeting.", st.small),
            table([("Area", "Need", "What we found"), *areas], [38 * mm, 18 * mm, 114 * mm], st),
            Paragraph("Summary", st.h2), *paras(st, summary),
            Paragraph("In the resident's own words", st.h2), Paragraph(f"“{own_words}”", st.body),
            Spacer(1, 6),
            sign_block(st, [("Resident", r.name, long_date(date), r.seed), ("Assessor", assessor, long_date(date),
                                                                                   r.worker_seed if assessor == r.worker else 4402)]),
        ]

    return resident_doc(st, r, "HSG/ASSESS-N", "Needs assessment",
                        [("Date of assessment", long_date(date)), ("Assessor", assessor), ("Cohort", r.cohort)], body)


def risk_assessment(st: Styles, r: Resident, date: str, assessor: str, risks: Sequence[tuple[str, str, str, str]],
                    overall: str, review: str, sources: str) -> bytes:
    def body() -> list[Flowable]:
        return [
            Paragraph("Information used", st.h2), *paras(st, sources),
            Paragraph("Risks and how they are managed", st.h2),
            table([("Risk", "History and current indicators", "Level", "How we will manage it"), *risks],
                  [28 * mm, 60 * mm, 16 * mm, 66 * mm], st, font_size=8.4),
            Paragraph("Overall", st.h2), *paras(st, overall),
            kv([("Next review of this assessment", review)], st),
            Spacer(1, 6),
            sign_block(st, [("Resident", r.name, long_date(date), r.seed),
                            ("Assessor", assessor, long_date(date), 4402 if assessor.startswith("Zo") else r.worker_seed)]),
        ]

    return resident_doc(st, r, "HSG/ASSESS-R", "Risk assessment",
                        [("Date of assessment", long_date(date)), ("Assessor", assessor), ("Cohort", r.cohort)], body)


def referral_form(st: Styles, r: Resident, date: str, referrer: Sequence[tuple[str, str]], sections: Sequence[tuple[str, str]],
                  decision: str) -> bytes:
    def body() -> list[Flowable]:
        out: list[Flowable] = [Paragraph("Referrer", st.h2), kv(referrer, st)]
        for head, text in sections:
            out += [Paragraph(head, st.h2), *paras(st, *text.split("\n\n"))]
        out += [Paragraph("For office use", st.h2), kv([("Decision", decision)], st)]
        return out

    return resident_doc(st, r, "HSG/REF-01", "Referral form",
                        [("Date received", long_date(date)), ("Cohort", r.cohort)], body)


def support_plan(st: Styles, r: Resident, start: str, review: str, goals: Sequence[tuple[str, str, str, str, str]],
                 about: str) -> bytes:
    def body() -> list[Flowable]:
        return [
            Paragraph("About me and what I want", st.h2), *paras(st, about),
            Paragraph("My goals", st.h2),
            Paragraph("Each goal is an outcome I want to reach, in my own words, with the steps we agreed. "
                      "Progress is scored at each review from 1 (not started) to 5 (achieved).", st.small),
            table([("Outcome area", "My goal", "Steps we agreed", "Who", "By when"), *goals],
                  [26 * mm, 38 * mm, 64 * mm, 22 * mm, 20 * mm], st, font_size=8.4),
            Spacer(1, 4),
            kv([("Planned support", "One-to-one key work session every week (about one hour), plus help with appointments "
                 "and group sessions; about five hours a week in total"), ("First review due", long_date(review))], st),
            Spacer(1, 6),
            sign_block(st, [("Resident", r.name, long_date(start), r.seed),
                            ("Support worker", r.worker, long_date(start), r.worker_seed)]),
        ]

    return resident_doc(st, r, "HSG/SP-01", "Support plan",
                        [("Plan start date", long_date(start)), ("Support worker", r.worker)], body)


def plan_review(st: Styles, r: Resident, date: str, number: int, progress: Sequence[tuple[str, str, str, str]],
                well: str, hard: str, next_review: str, attendees: str) -> bytes:
    def body() -> list[Flowable]:
        return [
            kv([("Who took part", attendees)], st),
            Paragraph("Progress on my goals", st.h2),
            table([("Goal", "What has happened since the last plan or review", "Score (was → now)", "Next steps"), *progress],
                  [32 * mm, 70 * mm, 20 * mm, 48 * mm], st, font_size=8.4),
            Paragraph("What has gone well", st.h2), *paras(st, well),
            Paragraph("What has been hard", st.h2), *paras(st, hard),
            kv([("Support plan updated", "Yes: goals and steps above replace the previous ones"),
                ("Next review due", long_date(next_review))], st),
            Spacer(1, 6),
            sign_block(st, [("Resident", r.name, long_date(date), r.seed),
                            ("Support worker", r.worker, long_date(date), r.worker_seed)]),
        ]

    return resident_doc(st, r, f"HSG/SP-R{number}", f"Support plan review {number}",
                        [("Review date", long_date(date)), ("Support worker", r.worker)], body)


def consent_scan(r: Resident, name: str, date: str, seed: int, angle: float,
                 answers: Sequence[bool]) -> bytes:
    """The council's consent form (the resident-consent letter's second page) as the resident
    filled it in: each of its statements answered Yes or No, exactly as residents/<REF>.yaml
    records them."""
    lines: list[tuple[str, Any]] = [
        ("crest", "Wrexley Borough Council"),
        ("title", "Supported housing review: consent form"),
        ("text", f"Review reference: {REVIEW_REF}/{r.rid}        Scheme: {r.scheme}"),
        ("gap", 14),
        ("text", "Please tick Yes or No for each of these, then sign the form."),
        ("gap", 14),
        ("field", ("Resident reference", r.rid)),
        ("field", ("First name (optional)", name)),
        ("gap", 10),
        *(("yesno", ("\n".join(textwrap.wrap(CONSENT_STATEMENT_TEXT[statement], 74)), answer))
          for statement, answer in zip(ConsentStatement, answers, strict=True)),
        ("text", "I know I can change my mind at any time."),
        ("gap", 10),
        ("signature", ("Resident's signature", r.seed)),
        ("field", ("Date", date)),
        ("signature", ("Officer's signature", 9001)),
        ("field", ("Officer's name", "Priya Marchetti")),
        ("footer", "WBC/SHR/F3 (v3, September 2026) · Resident consent form · para 97"),
    ]
    d, m, y = (int(v) for v in date.split("/"))
    return image_only_pdf(scan_form(lines, seed, angle), f"Scan {REVIEW_REF} consent {r.rid}",
                          dt.datetime(y, m, d, 16, 5, seed % 60))


def r04_files(st: Styles) -> dict[str, bytes]:
    """R04 declined consent; the licence is the copy held on the Housing Benefit claim."""
    return {"licence.pdf": resident_licence(st, R04, "2025-06-02", "FS-LIC-2025-003", 0.965, "2025/26",
                                            "Zoë Lindqvist", 4402)}


def doc_inspection(st: Styles) -> bytes:
    spec = DocSpec(COUNCIL, "WBC/PSH/HHSRS · Inspection record PSH-26-1187")

    def story() -> list[Flowable]:
        return [
            Paragraph("Housing Health and Safety Rating System: inspection record", st.title),
            Paragraph("Private Sector Housing Team · 14 October 2026", st.subtitle),
            kv([("Reference", "PSH-26-1187"), ("Property", "Nettlebank House, 14 Nettlebank Road, Wrexley WX4 2QT"),
                ("Licence", "Mandatory HMO licence, Brackenfold Support CIC"),
                ("Referred by", f"Supported Housing Review Team (review {REVIEW_REF}), 29 September 2026"),
                ("Inspected by", "Rhodri Faulkner-Eze, Environmental Health Officer"),
                ("Date of inspection", "14 October 2026, 10:00 to 11:30")], st),
            Paragraph("1. What was referred", st.h2),
            *paras(st, "On the review team's site visit on 29 September 2026 the fire door between the second-floor "
                       "landing and the second-floor corridor was found wedged open, with the arm of its overhead "
                       "self-closer disconnected."),
            Paragraph("2. Findings", st.h2),
            *bullets(st,
                     "The self-closer was replaced by the managing agent on 1 October 2026 (Tarnwell job TW-48813). "
                     "The door now closes fully into its frame from any angle.",
                     "Intumescent strips and smoke seals are intact. No wedges or hold-open devices were found on "
                     "any floor.",
                     "The provider's daily check sheet now records each fire door by location, with the time checked.",
                     "Fire risk assessment dated 22 April 2026 seen; its review date is April 2027."),
            Paragraph("3. Outcome", st.h2),
            *paras(st, "Hazard (fire) now at an acceptable level: no formal action. Informal letter to the licence "
                       "holder reminding them of HMO management regulation 4 (means of escape). Copy to Wrexley Fire "
                       "and Rescue Service for their own check of the fire risk assessment."),
            sign_block(st, [("Environmental Health Officer", "Rhodri Faulkner-Eze", "14 October 2026", 7711)]),
        ]

    return build_pdf(spec, story, title="HHSRS inspection record PSH-26-1187", author="Wrexley Borough Council")


def doc_rec2_dispute(st: Styles) -> bytes:
    spec = DocSpec(BRACKENFOLD, "BSC/NH/REV · Response to recommendation REC-2")

    def story() -> list[Flowable]:
        return [
            Paragraph("Response to recommendation REC-2: weekly one-to-one sessions", st.title),
            Paragraph(f"To Priya Marchetti, Lead Review Officer · review {REVIEW_REF} · 9 November 2026", st.subtitle),
            *paras(st,
                   "Thank you for your findings letter of 21 October 2026. We accept recommendations REC-1 and "
                   "REC-3 and have acknowledged them separately.",
                   "We do not accept recommendation REC-2 as written. Our information of 16 September 2026 said that "
                   "every resident is offered at least one planned one-to-one session a week. That remains true: "
                   "every session was offered. The session log for July to September 2026, enclosed, shows that the "
                   "sessions not held were declined or missed by residents, not cancelled by staff.",
                   "We ask the council to withdraw REC-2, or to tell us what further evidence it relies on beyond "
                   "one conversation with a member of staff."),
            Paragraph("Enclosure: one-to-one sessions at Nettlebank House, July to September 2026", st.h2),
            table([("Month", "Sessions offered", "Held", "Declined or missed by the resident",
                    "Cancelled by staff"),
                   ("July 2026", "34", "27", "7", "0"), ("August 2026", "35", "26", "9", "0"),
                   ("September 2026", "34", "25", "8", "1")],
                  [30 * mm, 30 * mm, 22 * mm, 52 * mm, 32 * mm], st),
            Spacer(1, 8),
            sign_block(st, [("Operations Manager", "Daniel Achterberg", "9 November 2026", 6615)]),
        ]

    return build_pdf(spec, story, title="Response to recommendation REC-2")


def r01_files(st: Styles) -> dict[str, bytes]:
    r = R01
    f: dict[str, bytes] = {}
    f["consent-form.pdf"] = consent_scan(r, "Łukasz", "29/09/2026", 111, 0.9, (True, True, True, True))
    f["licence.pdf"] = resident_licence(st, r, "2025-11-03", "NH-LIC-2025-031", 0.965, "2025/26",
                                        "Siân Okonjo-Hartley", 3301)
    f["referral.pdf"] = referral_form(st, r, "2025-10-20", [
        ("Referring agency", "Leaving Care Team, Wrexley Borough Council Children's Services"),
        ("Referrer", "Hollis Varga, Personal Adviser"), ("Telephone", "01632 960 611"),
        ("Applicant aware and agrees", "Yes, referral completed together on 17 October 2025")], [
        ("Current accommodation", "Łukasz has lived in a supported lodgings placement since he turned 18. The "
         "placement ends on 31 October 2025 because the host is retiring. He has no family he can live with."),
        ("Why Nettlebank House", "Łukasz wants to live somewhere with staff on site while he learns to manage a "
         "home of his own. He is studying at Wrexley College's Canal Side campus, a short bus ride away, and wants "
         "to stay on his course. He would prefer a house with other young people in it.\n\n"
         "He has not managed his own money before. His Universal Credit was sanctioned once in 2025 for a missed "
         "appointment and he has a mobile phone debt of about £340."),
        ("Support needs", "Budgeting and bills; cooking and shopping; help to keep going with college; emotional "
         "support (he gets anxious in new situations and is on the GP's waiting list for talking therapy); help to "
         "keep in touch with his younger brother, who lives with foster carers."),
        ("Risks", "No offending history. In 2024 older young men from a previous placement area tried to involve "
         "him in carrying drugs; he told his personal adviser and the police were informed. He has not been in "
         "contact with them since, but may be targeted again. Occasional cannabis use. Asthma (inhaler)."),
    ], "Accepted 24 October 2025 (Z. Lindqvist, D. Achterberg). Assessment 3 November 2025; moved in the same day.")
    f["needs-assessment.pdf"] = needs_assessment(st, r, "2025-11-03", "Siân Okonjo-Hartley", [
        ("Accommodation", "High", "First independent home; supported lodgings ended 31 Oct 2025. Wants own flat in 12–18 months."),
        ("Money", "High", "No experience of paying bills. UC in payment; HB claim to be made. Phone debt about £340."),
        ("Physical health", "Low", "Asthma, uses inhaler. Registered with GP near previous placement; needs to re-register."),
        ("Mental health", "Medium", "Anxiety, especially with new people and official letters. On GP waiting list for talking therapy."),
        ("Substance use", "Low", "Cannabis at weekends \"now and then\"; no other drugs; drinks rarely."),
        ("Education and work", "Medium", "Level 2 Electrical Installation, Wrexley College, year 1. Wants an apprenticeship."),
        ("Relationships", "Medium", "Close to younger brother (in foster care); supervised contact monthly. Few friends locally."),
        ("Offending", "None", "No convictions or cautions."),
        ("Safety", "Medium", "Previous attempt to draw him into carrying drugs (2024). See risk assessment."),
        ("Daily living skills", "Medium", "Can make simple meals; has not done a weekly shop or used a washing machine."),
    ], "Łukasz has clear goals and is motivated to stay in college. His main needs are around money, daily "
       "living skills and staying safe from people who may try to exploit him. He will benefit from weekly key work "
       "sessions, the cooking group, and close liaison with his personal adviser.",
        "I want to do my course and get a job and my own place. I'm not good with letters and money yet.")
    f["risk-assessment.pdf"] = risk_assessment(st, r, "2025-11-03", "Siân Okonjo-Hartley", [
        ("Exploitation", "Approached in 2024 by older young men to carry drugs; reported it. No contact since. "
         "Young, new to the area, limited money.", "Medium",
         "Safety plan agreed; visitors sign in; staff alert to new contacts, gifts or money; same-day report to DSL and "
         "personal adviser; police contact details on plan."),
        ("Self-neglect", "Missed meals when stressed in previous placement.", "Low",
         "Cooking group; weekly check on food and money."),
        ("Mental health", "Anxiety; no self-harm history.", "Low", "Wellbeing check-ins; GP re-registration; talking therapy referral."),
        ("Substance use", "Occasional cannabis.", "Low", "Harm reduction conversation; licence clause 4.4 explained."),
        ("Risk to others", "None known.", "Low", "No action beyond standard house rules."),
        ("Fire", "None known; does not smoke.", "Low", "Fire safety induction on moving-in day."),
    ], "Overall risk is low to medium. The main risk is exploitation, which is managed through the safety plan and "
       "close contact with the Leaving Care Team. Room 5 (first floor) offered.", "1 December 2025, then at each support plan review",
        "Referral form and discussion with the personal adviser (Leaving Care Team), the supported lodgings host's "
        "report, and a conversation with Łukasz on 3 November 2025.")
    goals = [
        ("Money", "“I want to pay my bills and not get into debt again.”",
         "Claim Housing Benefit and update UC (week 1). Weekly budget session. Agree a payment plan for the phone debt. Open a savings pot.",
         "Łukasz, Siân", "Feb 2026"),
        ("Daily living", "“I want to cook proper meals for myself.”",
         "Wednesday cooking group. Fortnightly supermarket shop together until confident. Learn to use the washing machine.",
         "Łukasz, Siân", "Feb 2026"),
        ("Education and work", "“I want to finish my course and get an apprenticeship.”",
         "Apply for college bursary and bus pass. Tell Siân if he misses a day. Write a CV; apply for apprenticeships from spring.",
         "Łukasz, Siân, college tutor", "Jun 2026"),
        ("Staying safe", "“I want to stay away from people who get me in trouble.”",
         "Safety plan. Talk about any new contacts at key work. Siân and PA share concerns the same day.",
         "Łukasz, Siân, PA", "Ongoing"),
        ("Wellbeing", "“I want to feel less anxious about things.”",
         "Register with local GP. Chase talking therapy. Go through post together each week.", "Łukasz, Siân", "Jan 2026"),
        ("Family", "“I want to see my brother regularly.”",
         "Siân to contact brother's social worker about contact arrangements now he lives further away.", "Siân, PA", "Dec 2025"),
    ]
    f["support-plan.pdf"] = support_plan(st, r, "2025-11-10", "2026-02-09", goals,
        "I'm 19. I grew up in care and lived with a host family for the last year. I'm doing electrics at college and "
        "I like football and cooking things off videos. I want my own flat one day, near college or work. I get worried "
        "about letters and phone calls, so I want help with those, and I want to learn to manage my money properly.")
    f["support-plan-review-2026-02.pdf"] = plan_review(st, r, "2026-02-09", 1, [
        ("Money", "HB awarded from 3 Nov 2025. Budgets weekly with Siân. Phone debt payment plan £20 a month; £260 left.", "1 → 3",
         "Keep weekly budget; try managing a fortnight alone in March."),
        ("Daily living", "Goes to cooking group most weeks. Cooks 2–3 evening meals a week. Uses washing machine on his own.", "2 → 4",
         "Do the supermarket shop alone with a list."),
        ("Education and work", "College attendance 88% this term. Bursary and bus pass in place. CV started.", "2 → 3",
         "Finish CV; look at apprenticeship vacancies with tutor."),
        ("Staying safe", "In January a visitor asked for Łukasz at the door and was refused entry; Łukasz said he did not want to see him. "
         "Shared with PA and DSL the same day; no further contact.", "3 → 3", "Keep safety plan; review at next meeting."),
        ("Wellbeing", "Registered with Ropewalk Lane surgery. Still on therapy waiting list.", "2 → 3", "Siân to help him ring the service."),
        ("Family", "Monthly contact with brother restarted in December at a family centre.", "2 → 4", "Continue."),
    ], "Łukasz has settled in well and gets on with the other young residents. He handled the January visitor well and "
       "told staff straight away.", "He still finds official letters stressful and sometimes leaves them unopened for a week.",
        "2026-05-11", "Łukasz; Siân Okonjo-Hartley (support worker); Hollis Varga (personal adviser) by phone")
    f["support-plan-review-2026-05.pdf"] = plan_review(st, r, "2026-05-11", 2, [
        ("Money", "Managed March and April with one check-in a fortnight. Phone debt down to £120. £85 saved.", "3 → 4",
         "Open a separate savings account; learn about bills for a flat (energy, council tax)."),
        ("Daily living", "Does his own shop. Cooks most evenings; helps run cooking group once a month.", "4 → 5",
         "Achieved: keep going."),
        ("Education and work", "Passed first-year units. Applied for three apprenticeships, one interview on 2 June.", "3 → 4",
         "Interview practice with Siân before 2 June."),
        ("Staying safe", "No further concerns.", "3 → 4", "Keep safety plan; reduce to check-in at reviews."),
        ("Wellbeing", "Started talking therapy in April (six sessions). Says he is sleeping better.", "3 → 4",
         "Finish sessions; look at what helps when anxious."),
        ("Family", "Contact monthly; brother visited Nettlebank House garden once with carer.", "4 → 4", "Continue."),
    ], "Łukasz now manages his money with very little help and has taken on a helping role at the cooking group.",
       "Waiting to hear about apprenticeships has been stressful.", "2026-08-10",
        "Łukasz; Siân Okonjo-Hartley (support worker)")
    f["support-plan-review-2026-08.pdf"] = plan_review(st, r, "2026-08-10", 3, [
        ("Money", "Phone debt cleared in July. £240 saved. Knows how council tax and energy bills work.", "4 → 5",
         "Build savings for a deposit and furniture."),
        ("Daily living", "Achieved.", "5 → 5", "None."),
        ("Education and work", "Offered an electrical apprenticeship starting 7 September 2026 (four days work, one day college).", "4 → 5",
         "Update UC and HB when first wages are paid; Siân to help."),
        ("Staying safe", "No concerns.", "4 → 5", "Closed as a goal; safety plan kept on file."),
        ("Wellbeing", "Therapy finished. Uses breathing exercises; knows how to self-refer again.", "4 → 4", "Check in monthly."),
        ("Moving on (new)", "Wants his own flat within a year. Joined the council's housing register with care leaver priority.",
         "– → 2", "Bidding plan with PA; tenancy training course in October; look at furniture grants."),
    ], "A big quarter: apprenticeship offer, debt cleared, and a new goal to move on.",
       "He is worried about how his benefits will change when he starts earning.", "2026-11-09",
        "Łukasz; Siân Okonjo-Hartley (support worker); Hollis Varga (personal adviser)")
    return f


def r02_files(st: Styles) -> dict[str, bytes]:
    r = R02
    f: dict[str, bytes] = {}
    f["consent-form.pdf"] = consent_scan(r, "Ellen", "30/09/2026", 222, -1.3, (True, True, False, True))
    f["licence.pdf"] = resident_licence(st, r, "2024-05-06", "NH-LIC-2024-012", 0.93, "2024/25",
                                        "Siân Okonjo-Hartley", 3301, end="2026-10-31")
    f["referral.pdf"] = referral_form(st, r, "2024-04-22", [
        ("Referring agency", "Wrexley Community Mental Health Team (North)"),
        ("Referrer", "Bernadette Ooms, Care Coordinator"), ("Telephone", "01632 960 845"),
        ("Applicant aware and agrees", "Yes, signed consent to share on ward, 19 April 2024")], [
        ("Current accommodation", "Ellen is an inpatient at the Ashgrove Unit and is ready for discharge. She lost "
         "her private tenancy in January 2024 after rent arrears built up while she was unwell, and has nowhere to "
         "go on discharge."),
        ("Mental health", "Ellen has a long-term mental health condition (bipolar affective disorder) with three "
         "admissions in the last six years. She is now settled on medication and engaging well with the team. Early "
         "warning signs are poor sleep, spending sprees and stopping eating. She has a relapse prevention plan which "
         "she is happy to share.\n\n"
         "She will continue to have a care coordinator and psychiatric outpatient reviews."),
        ("Support needs", "Rebuilding a routine after discharge; money (about £1,900 of arrears from the old "
         "tenancy plus credit card debt); help with type 2 diabetes appointments; reconnecting with activities and "
         "people; finding a permanent home."),
        ("Risks", "No risk to others. Some alcohol use when unwell. No self-harm in the last two years. Financial "
         "vulnerability when unwell."),
    ], "Accepted 29 April 2024 (Z. Lindqvist). Assessment on the ward 2 May; moved in 6 May 2024.")
    f["needs-assessment.pdf"] = needs_assessment(st, r, "2024-05-06", "Siân Okonjo-Hartley", [
        ("Accommodation", "High", "Homeless on discharge. Previous tenancy lost through arrears. Wants a one-bedroom flat."),
        ("Money", "High", "About £1,900 arrears to former landlord, credit card debt about £2,600. ESA in payment."),
        ("Physical health", "Medium", "Type 2 diabetes; missed two diabetic reviews while unwell."),
        ("Mental health", "High", "Bipolar affective disorder; recently discharged; CMHT care coordinator. Relapse plan shared."),
        ("Substance use", "Low", "Drinks alcohol when low or high in mood; not currently."),
        ("Education and work", "Low", "Worked in a bakery until 2023; not ready for work yet, would like to volunteer."),
        ("Relationships", "Medium", "Isolated; daughter lives in another city; phone contact."),
        ("Offending", "None", "None."),
        ("Safety", "Low", "Financially vulnerable when unwell."),
        ("Daily living skills", "Low", "Confident cook and manages household tasks when well."),
    ], "Ellen's priorities are to stay well and out of hospital, to deal with her debts, and to rebuild a routine and "
       "contacts. Close joint working with the CMHT is essential, especially around early warning signs.",
        "I want to get back to who I was before all this. I need a bit of help to get my feet under me.")
    f["support-plan.pdf"] = support_plan(st, r, "2024-05-13", "2024-08-12", [
        ("Staying well", "“I want to stay well and out of hospital.”",
         "Keep relapse plan in office (with consent). Weekly check-in about sleep and mood. Tell care coordinator of early warning signs the same day.",
         "Ellen, Siân, CMHT", "Ongoing"),
        ("Money", "“I want to sort out my debts so they stop worrying me.”",
         "Appointment at Wrexley Money Advice Centre; gather letters; consider a debt relief order.", "Ellen, Siân", "Sep 2024"),
        ("Physical health", "“I want to get my diabetes back under control.”",
         "Book diabetic review; Siân to go with her if she wants. Cook together at cooking group.", "Ellen, Siân", "Jul 2024"),
        ("Connecting with people", "“I want to do something I enjoy and meet people.”",
         "Try the Tuesday art group at Canal Side Community Centre. Look at volunteering later.", "Ellen", "Aug 2024"),
        ("Moving on", "“I want my own flat again.”",
         "Join the housing register; look at move-on when well and debts are settled.", "Ellen, Siân", "2025"),
    ], "I'm 42. I used to work in a bakery and I love baking and painting. I've been in hospital a few times and I "
       "know my signs now. I want my own place again and to be near my daughter one day.")
    f["support-plan-review-2024-11.pdf"] = plan_review(st, r, "2024-11-11", 1, [
        ("Staying well", "No admissions. One period of poor sleep in September, shared with CMHT; medication adjusted.", "3 → 4",
         "Keep weekly check-ins."),
        ("Money", "Debt relief order approved in September 2024 covering the arrears and credit card.", "1 → 5",
         "Achieved. Keep a simple budget."),
        ("Physical health", "Diabetic review done in July; HbA1c improving.", "2 → 4", "Annual review next July."),
        ("Connecting with people", "Goes to the art group most weeks; sold two cards at the craft fair.", "1 → 4",
         "Ask about volunteering at the community café."),
        ("Moving on", "On the housing register, band C.", "1 → 2", "Bid weekly with Siân."),
    ], "Ellen has had a stable six months. The debt relief order has taken a great weight off her.",
       "Autumn is usually a difficult time for her mood. She feels anxious about that.", "2025-02-10",
        "Ellen; Siân Okonjo-Hartley (support worker); Bernadette Ooms (care coordinator)")
    f["support-plan-review-2025-07.pdf"] = plan_review(st, r, "2025-07-10", 2, [
        ("Staying well", "Admitted to the Ashgrove Unit for three weeks in March 2025 after a relapse; home since 4 April. "
         "Review planned for February was postponed while Ellen was unwell.", "4 → 3",
         "Twice-weekly check-ins for the next three months; new care coordinator to be introduced."),
        ("Money", "Rent account in credit. Keeps a budget.", "5 → 5", "None."),
        ("Physical health", "Diabetic review due this month; booked.", "4 → 4", "Attend review."),
        ("Connecting with people", "Stopped going to art group before admission; returned in June.", "4 → 3",
         "Volunteering trial at the community café from September."),
        ("Moving on", "Bidding paused while unwell. Wants to restart in the autumn.", "2 → 2", "Restart bidding in October."),
    ], "Ellen recognised her early warning signs and agreed to go into hospital early, which shortened the admission.",
       "The relapse was frightening for her. Her care coordinator is changing, which worries her.", "2025-10-10",
        "Ellen; Siân Okonjo-Hartley (support worker)")
    return f


def r03_files(st: Styles) -> dict[str, bytes]:
    r = R03
    f: dict[str, bytes] = {}
    f["licence.pdf"] = resident_licence(st, r, "2026-03-16", "NH-LIC-2026-007", 1.0, "2026/27", "Zoë Lindqvist", 4402)
    f["risk-assessment.pdf"] = risk_assessment(st, r, "2026-03-16", "Zoë Lindqvist", [
        ("Risk to others", "Conviction for assault occasioning actual bodily harm (2023) after a fight while drunk. "
         "No violence in custody in the last year. Medium risk of serious harm (probation assessment).", "Medium",
         "Room 8 on the second floor. No history involving young people, but contact with first-floor residents monitored. "
         "Any threat reported to probation the same day."),
        ("Reoffending", "Released on licence 13 March 2026. Licence conditions: reside at Nettlebank House; "
         "electronically monitored curfew 7pm–7am until 13 May 2026; meet probation weekly.", "Medium",
         "Curfew and visits logged by staff. Monthly three-way meeting with probation."),
        ("Alcohol", "Long history of alcohol misuse; abstinent in custody. Offence linked to drinking.", "Medium",
         "Referral to Wrexley Recovery Hub on release; licence clause on drugs explained; staff alert to signs of drinking."),
        ("Self-harm", "One incident in custody in 2024; no current thoughts reported.", "Low",
         "Ask about mood at key work; crisis numbers given."),
        ("Fire", "Smokes; no history of fire setting.", "Low", "Smoking only in garden shelter; fire induction done."),
        ("Exploitation", "None known.", "Low", "Standard visitor rules."),
    ], "Overall medium risk, manageable in the scheme with the measures above. To be reviewed after four weeks "
       "together with the full needs assessment and support plan.", "13 April 2026",
        "Probation referral and risk summary (12 March 2026), pre-release call with the prison resettlement team, and "
        "a conversation with Dmitri on his first day.")
    return f


R01_INTERVIEW = """WREXLEY BOROUGH COUNCIL - SUPPORTED HOUSING REVIEW
Resident interview notes (person-centred interview, paras 94-98)

Review reference:   WBC-SHR-2026-014
Scheme:             Nettlebank House, 14 Nettlebank Road, Wrexley WX4 2QT
Resident:           R01 (young person leaving care)
Date and time:      29 September 2026, 14:10-14:55
Place:              Lounge, Nettlebank House (door closed; no staff present)
Interviewer:        Priya Marchetti, Lead Review Officer
Written consent:    Yes - consent form signed 29/09/2026 (see residents/R01/consent-form.pdf)

Explained the purpose of the review, that taking part would not affect his home
or his Housing Benefit, and that his name would not appear in any report. R01
was relaxed and happy to talk. He had just come back from his apprenticeship.

Moving in
- Came from supported lodgings in November last year. "My PA sorted it. I came
  to look round first and met Siân, she was sound."
- Had the licence explained on the first day; says he understood it "mostly -
  the bit about the support charge I didn't get till later".

Support received
- Sees Siân "every week, Mondays usually, sometimes more if something's going
  on". Sessions last about an hour. Also goes to the Wednesday cooking group,
  which he now helps to run once a month.
- Knows he has a support plan: "we did goals, I've got a copy in my room". Said
  the reviews happen "every few months, my PA comes to some".
- Gave examples: help with his Housing Benefit claim, a payment plan for his
  phone debt ("paid it off in July"), practising for his apprenticeship
  interview, going through letters with him.
- Said Siân "got on to it straight away" when someone he did not want to see
  came to the door in January.

How he is treated
- "They treat you like an adult. They don't nag, but they notice stuff."
- Feels safe in the house. Noise from the second floor at night sometimes.
- Would know how to complain (notice in kitchen) but has not needed to.

Changes noticed
- Since the summer "Siân's been really busy, there's only her now in the day
  and the part-time lad". His own sessions have not been cancelled.

What he wants next
- Own flat within a year, near work. On the housing register. Worried about
  how his benefits will change now he is earning; Siân is helping.

Officer's observations
- R01's account matches his support plan and the three reviews on file
  (Feb, May, Aug 2026). Support appears tailored and regular.
- Gave me permission to say that he values the cooking group.

Notes typed up by P. Marchetti, 30 September 2026.
"""

R02_INTERVIEW = """WREXLEY BOROUGH COUNCIL - SUPPORTED HOUSING REVIEW
Resident interview notes (person-centred interview, paras 94-98)

Review reference:   WBC-SHR-2026-014
Scheme:             Nettlebank House, 14 Nettlebank Road, Wrexley WX4 2QT
Resident:           R02 (mental ill-health)
Date and time:      30 September 2026, 10:30-11:20
Place:              R02's room (her choice); no staff present
Interviewer:        Priya Marchetti, Lead Review Officer
Written consent:    Yes - consent form signed 30/09/2026 (see residents/R02/consent-form.pdf)

Explained the review and reassured R02 that nothing she said would affect her
home. She asked whether Brackenfold would see these notes; I said they would
not see her words, only general findings without names. She seemed reassured.

Support received
- Very positive about Siân: "She's been brilliant, she got me through the debt
  and she noticed when I was going downhill last year."
- Until early summer she saw Siân every week, usually Thursday mornings. "Since
  the other worker left in June I see her when I knock on the office door. She
  always makes time but it's not the same as having a proper slot."
- Estimated she has had "three or four proper sessions since June".
- Could not remember her last support plan review: "there was one after I came
  out of hospital, last summer? Nothing since, I don't think." (File shows
  reviews on 11/11/2024 and 10/07/2025 only; next review was due 10/10/2025.)
- Her care coordinator changed in autumn 2025; she has met the new one twice.

Signposting
- Went to Wrexley Money Advice Centre with Siân in 2024; debt relief order made.
- Art group at Canal Side Community Centre: still goes most weeks.

How she is treated
- "Everyone's kind. Zoë always says hello." Feels respected.
- Feels the house is "a bit much sometimes" when younger residents are noisy.

What she wants next
- A one-bedroom flat; bidding stopped while unwell and she is not sure whether
  it restarted. Would like help with this.
- Would like her weekly sessions back.

Officer's observations
- R02 is clear, articulate and well. Her account of good support in 2024-25 is
  consistent with the plan and reviews on file.
- Her account of reduced contact since June 2026 is consistent with the staffing
  vacancy described in the provider's e-mail of 16/09/2026, but not with its
  statement that residents receive "about five hours a week". No review on file
  since July 2025: ask the provider.

Notes typed up by P. Marchetti, 30 September 2026.
"""

R03_INTERVIEW = """WREXLEY BOROUGH COUNCIL - SUPPORTED HOUSING REVIEW
Resident interview notes (person-centred interview, paras 94-98)

Review reference:   WBC-SHR-2026-014
Scheme:             Nettlebank House, 14 Nettlebank Road, Wrexley WX4 2QT
Resident:           R03 (prison leaver)
Date and time:      30 September 2026, 11:40-12:05
Place:              Garden, Nettlebank House (his choice)
Interviewers:       Priya Marchetti, Lead Review Officer; Tomasz Ellery, Housing
                    Benefit Subsidy Officer
Written consent:    NO. R03 was happy to talk to us and agreed that we could take
                    notes and use what he said in the review without his name,
                    but declined to sign the written consent form: "I'm not
                    signing anything, I've signed enough forms this year." We
                    did not press him. Verbal agreement recorded here at 11:42.
                    We did not look at his support file beyond the documents the
                    provider had already sent (licence, risk assessment).

Moving in
- Moved in on 16 March 2026, three days after release. Probation arranged it.
- "The room's fine. Better than where I was."

Support received
- Asked who his support worker is: "the part-time lad, I think, or Zoë?" Sees
  "someone" about once a fortnight "for ten, twenty minutes", mostly about his
  Housing Benefit and rent.
- Does not know of a support plan. "Never seen one. Probation do a sentence
  plan." Did not remember a review after four weeks.
- Was referred to Wrexley Recovery Hub; went twice in April, not since. Said
  no-one at the house has asked him about it.
- Says staff were "good about the curfew - they let the tag people in".

How he is treated
- "They're alright. Polite. They leave you alone mostly, which suits me."
- Would like help to find work (used to be a scaffolder) and to get his
  driving licence back. Has not asked staff because "didn't think that's what
  they do".

Officer's observations (PM/TE)
- Only a licence and a risk assessment were supplied for R03. The risk
  assessment (16/03/2026) says a full needs assessment and support plan would
  follow at four weeks (review due 13/04/2026). R03's account suggests that
  support is infrequent and mainly about benefits.
- Ask the provider for R03's needs assessment, support plan and any reviews,
  and for case notes showing contact since March 2026.
- Because no written consent was given (para 97), use only what R03 said here,
  without details that could identify him, and do not request his personal
  records from third parties.

Notes typed up by P. Marchetti, 30 September 2026; checked by T. Ellery.
"""

VISIT_NOTES = """WREXLEY BOROUGH COUNCIL - SUPPORTED HOUSING REVIEW TEAM
Site visit notes (paras 87-88)

Review reference:  WBC-SHR-2026-014
Scheme:            Nettlebank House, 14 Nettlebank Road, Wrexley WX4 2QT
Provider:          Brackenfold Support CIC (support provider, leaseholder)
Landlord:          Quillmere Homes Community Benefit Society
Managing agent:    Tarnwell Lettings & Property Services Ltd
Date of visit:     Tuesday 29 September 2026, 10:00-13:30 (arranged by letter
                   of 1 September 2026; confirmed by Zoë Lindqvist on 22/09)
Officers:          Priya Marchetti, Lead Review Officer
                   Tomasz Ellery, Housing Benefit Subsidy Officer

1. Staff spoken to
   - Zoë Lindqvist, Scheme Manager (whole visit).
   - Siân Okonjo-Hartley, Support Worker (11:15-12:00, in the staff office).
   The sessional worker was not on shift. Daniel Achterberg (Operations
   Manager) joined by phone for ten minutes at 12:50.

2. Conversation with staff about policies and whether they feel equipped
   - Both could describe the safeguarding procedure (respond, listen, record,
     report, refer) and named the DSL and deputy. Siân completed her annual
     safeguarding refresher in February 2026.
   - Siân said she feels "well trained but stretched". Since the second support
     worker left in June she holds 6 cases and helps with the 2 covered by the
     sessional worker (16 hours a week). She said planned weekly sessions have
     "slipped for some people" and she prioritises anyone in crisis.
   - Zoë said recruitment for the vacant post has had two rounds; an interview
     is booked for 8 October. She divides her time with Orchard Court flats.
   - Referral process described by Zoë matched the written pathway. Asked about
     declined referrals: reasons are sent in writing; she showed me the log.
   - Support plan reviews: Zoë accepted that "a couple of reviews are overdue"
     because of the vacancy. Asked her to send a list of all review dates.

3. Light-touch inspection of the accommodation
   - Entrance and hallway: clean, well lit; fire alarm panel showing normal;
     fire action notice displayed; visitors' book at the office.
   - Staff office: resident files in a locked cabinet; key held by staff on
     shift. Whiteboard showed first names only.
   - Kitchen-diner (photo kitchen.jpg, 10:41): clean and tidy; two cookers;
     heat detector present. One hob ring on the left-hand cooker not working;
     staff said it was reported about three weeks ago (Tarnwell portal shows
     "routine, 28 days"). Fire blanket present, in date.
   - Stairs (photo stairwell.jpg, 11:02): carpet in fair condition; nosings
     secure; emergency lighting fitted; handrail firm.
   - HAZARD: the fire door between the second-floor landing and the
     second-floor corridor was WEDGED OPEN with a wooden wedge, and the arm of
     its overhead self-closer was disconnected (photo fire-door.jpg, 11:05).
     This compromises the protected escape route. Zoë removed the wedge while
     we were there; the door could not self-close because of the closer. Staff
     said a resident had been wedging it "for air" and that the morning check
     had not picked it up. Zoë reported the closer to Tarnwell as an emergency
     repair at 11:20 (job ref TW-48813).
     -> Logged as an obvious hazard. Referred to the council's Private Sector
        Housing team for a full HHSRS inspection (fire) and check of the fire
        risk assessment. Follow-up by PM within 5 working days.
   - Bathrooms (first and second floor): clean; extractor fans working; some
     mould on the second-floor bathroom ceiling.
   - Garden: smoking shelter, bins, bike store; tidy.
   - Rooms: saw two bedrooms with residents' permission (both R01's and one
     other); reasonable condition, furniture as described.

4. Documents seen on site
   - Gas safety certificate (4 June 2026), fire alarm service record (1 Aug
     2026), daily check sheets for September (the 29/09 sheet was ticked
     "fire doors OK" at 09:05).

5. Follow-up actions
   - PSH referral for full inspection (fire door, closer, daily checks)  - PM
   - Ask provider for: list of all support plan review dates; R03's needs
     assessment, support plan and case notes; fire risk assessment 22/04/2026;
     staff rota July-September 2026                                       - PM
   - Item 85(f), anonymous resident satisfaction forms: still outstanding;
     chase                                                                 - PM
   - Compare HB claims with licence charges for 2026/27                   - TE

Notes written by Priya Marchetti, 29 September 2026, 16:40.
"""

ORCHARD_COURT_VISIT_NOTES = """WREXLEY BOROUGH COUNCIL - SUPPORTED HOUSING REVIEW
Site visit notes (paras 87-88)

Review reference:   WBC-SHR-2026-014
Scheme:             Orchard Court, Fenwick Street, Wrexley WX3 6TB
Date of visit:      Thursday 1 October 2026, 14:00 to 15:45
Officer:            Priya Marchetti (Lead Review Officer)
Provider present:   Siân Okonjo-Hartley (Support Worker, Brackenfold Support CIC)

1. Staff
   - Siân visits the four flats by appointment on weekdays; no staff on site.
     Each resident has one planned session a fortnight. She said the flats are
     "a step down" from Nettlebank House and residents mostly manage alone.
   - Zoë Lindqvist, who manages both schemes, joined at 14:30.
   - Asked about the out-of-hours number: residents use the Nettlebank House
     on-call manager.

2. Residents
   - Met the resident of flat 2 (R04) at his door. He did not want to take part
     in the review and did not want us to look at his records. Explained that
     saying no would not affect his home or his Housing Benefit. Recorded as
     consent declined; nothing further asked about him.
   - The residents of flats 1, 3 and 4 were out.

3. Light-touch inspection (communal parts only)
   - Entrance and ground-floor hallway: clean; post in a locked box; lighting
     working.
   - HAZARD: the first-floor landing window opens fully (restrictor missing),
     about 3.5 m above the yard. Reported to Siân. Logged as an obvious hazard;
     referred to the Private Sector Housing team for a full inspection.
   - Bins and bike store: tidy.

4. Follow-up
   - PSH referral for the landing window                                  - PM
   - Ask provider for the four residents' support plan review dates       - PM

Notes written by Priya Marchetti, 1 October 2026, 17:10.
"""

README = """# Sample evidence: Nettlebank House and Orchard Court (fictional)

Every file in `evidence/` is **fictional** and was generated by
`scripts/make_sample_evidence.py`. Wrexley Borough Council, Brackenfold Support CIC, Quillmere Homes
Community Benefit Society, Tarnwell Lettings & Property Services Ltd, Wenmoor Charitable Trust,
Nettlebank House, Orchard Court and every person named are invented. Telephone numbers are
from Ofcom's drama ranges; e-mail addresses use the reserved `.example` domain. Residents are known
by pseudonymous references (R01-R04) and a fictional first name only.

The files imitate what a council review officer really receives, so that the bundler is tested on
realistic shapes:

- letterheaded provider PDFs whose own page numbers ("Page 1 of 3") must stay distinguishable from a
  bundle's numbering;
- `provider/85e-support-funding-agreement.pdf`: page 2 is landscape (a cost table);
- `provider/85h-model-licence-agreement.pdf`: fillable AcroForm fields, some filled in;
- `provider/85c-scheme-addresses.docx`: a Word document;
- `provider/85i-support-model-email.eml`: an e-mail (quoted-printable, non-ASCII) with a PDF and a
  text attachment;
- `residents/R0x/consent-form.pdf`: image-only scans (no text layer), slightly skewed, answering
  each statement of the council's consent form Yes or No (the answers `residents/R0x.yaml` records);
- `residents/R02/licence.pdf`: a fixed-term licence that ended on 31 October 2026;
- `residents/R04/licence.pdf`: the copy on the Housing Benefit claim of a resident who declined consent;
- `site-visit/*.jpg`: 12-megapixel phone photos with EXIF; `stairwell.jpg` is stored sideways with
  EXIF Orientation 6;
- plain UTF-8 officer notes.

Regenerate with `.venv/bin/python scripts/make_sample_evidence.py`; the output is byte-for-byte
deterministic, so a regenerated folder has the same SHA-256 hashes as the committed one.
"""


def build_all(out: Path) -> dict[str, bytes]:
    register_fonts()
    st = Styles()
    serif = Styles("Serif")
    files: dict[str, bytes] = {
        "provider/85a-organisations-and-responsibilities.pdf": doc_85a(st),
        "provider/85c-scheme-addresses.docx": doc_85c(),
        "provider/85d-cohorts-and-referral-criteria.pdf": doc_85d(st),
        "provider/85e-support-funding-agreement.pdf": doc_85e(st),
        "provider/85g-site-description.pdf": doc_85g(st),
        "provider/85h-model-licence-agreement.pdf": doc_85h(serif),
        "provider/85i-support-model-email.eml": email_85i(st),
        "provider/85i-safeguarding-policy.pdf": doc_safeguarding(st),
        "referrals/referral-pathway.pdf": doc_referral_pathway(st),
        "site-visit/kitchen.jpg": finish_photo(scene_kitchen(), 41, "2026:09:29 10:41:37"),
        "site-visit/stairwell.jpg": finish_photo(scene_stairwell(), 42, "2026:09:29 11:02:05", rotate_for_exif=True),
        "site-visit/fire-door.jpg": finish_photo(scene_fire_door(), 43, "2026:09:29 11:05:51"),
        "site-visit/visit-notes.txt": VISIT_NOTES.encode(),
        "site-visit/orchard-court-visit-notes.txt": ORCHARD_COURT_VISIT_NOTES.encode(),
        "site-visit/psh-inspection-record.pdf": doc_inspection(st),
        "provider/rec-2-response.pdf": doc_rec2_dispute(st),
    }
    for rid, builder, notes in (("R01", r01_files, R01_INTERVIEW), ("R02", r02_files, R02_INTERVIEW),
                                ("R03", r03_files, R03_INTERVIEW), ("R04", r04_files, None)):
        for name, data in builder(st).items():
            files[f"residents/{rid}/{name}"] = data
        if notes is not None:
            files[f"residents/{rid}/interview-notes.txt"] = notes.encode()
    for rel, data in sorted(files.items()):
        write_bytes_atomic(out / rel, data)
    # Beside evidence/, not in it: it describes the sample, it is not evidence of the review
    # (`bundler validate` notes every file in evidence/ that no record names).
    write_bytes_atomic(out.parent / "README.md", README.encode())
    return files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write (default: the sample case)")
    args = parser.parse_args(argv)
    files = build_all(args.out)
    total = sum(len(v) for v in files.values())
    print(f"wrote {len(files)} files, {total / 1e6:.2f} MB, to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
