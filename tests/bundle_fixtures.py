"""Source PDFs with awkward geometry and active content, and readers of built bundles.

Used by tests/test_bundle_*.py. All content is fictional. Each ``make_xxx(path)`` writes a
file and returns its path; every page carries a distinctive word (e.g. ``ROTWORD``) so a
test can find where the page's own content ended up.
"""

from __future__ import annotations

import contextlib
import html
import io
import logging
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas


def text_pdf_bytes(word: str, pages: int = 1, pagesize: tuple[float, float] = A4) -> bytes:
    """Pages with ``word<n>`` near the top and ``low<word><n>`` 20pt above the bottom edge."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=pagesize, invariant=1)
    _width, height = pagesize
    for number in range(1, pages + 1):
        c.setFont("Helvetica", 12)
        c.drawString(60, height - 80, f"{word}{number} fictional evidence")
        c.drawString(60, 20, f"low{word}{number}")
        c.showPage()
    c.save()
    return buffer.getvalue()


def make_text_pdf(path: Path, word: str, pages: int = 1,
                  pagesize: tuple[float, float] = A4) -> Path:
    path.write_bytes(text_pdf_bytes(word, pages, pagesize))
    return path


def make_landscape_pdf(path: Path) -> Path:
    return make_text_pdf(path, "LANDWORD", 1, landscape(A4))


def make_rotated_pdf(path: Path, rotate: int = 90) -> Path:
    """A portrait page shown turned by /Rotate (its text then reads sideways)."""
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf_bytes(f"ROT{rotate}WORD")))
    writer.pages[0][NameObject("/Rotate")] = NumberObject(rotate)
    return _write(writer, path)


def make_cropped_pdf(path: Path) -> Path:
    """A page whose CropBox is offset from its MediaBox origin."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(700, 900), invariant=1)
    c.setFont("Helvetica", 12)
    c.drawString(120, 780, "CROPWORD1 inside the crop box")
    c.drawString(120, 90, "lowCROPWORD1")
    c.drawString(5, 5, "OUTSIDEWORD hidden by the crop box")
    c.showPage()
    c.save()
    writer = PdfWriter(clone_from=io.BytesIO(buffer.getvalue()))
    writer.pages[0][NameObject("/CropBox")] = ArrayObject(
        [FloatObject(100), FloatObject(70), FloatObject(650), FloatObject(850)]
    )
    return _write(writer, path)


def make_inherited_pdf(path: Path) -> Path:
    """MediaBox, Resources and Rotate given only on the page tree node, not on the page."""
    content = b"BT /F1 12 Tf 40 420 Td (INHWORD1 inherited box) Tj ET\nBT /F1 12 Tf 40 30 Td (lowINHWORD1) Tj ET"
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: (b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 400 500] /Rotate 180 "
            b"/Resources << /Font << /F1 5 0 R >> >> >>"),
        3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
        4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for number in objects:
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def make_active_pdf(path: Path) -> Path:
    """JavaScript at document open, a page action, a JavaScript link, an attached file."""
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf_bytes("JSWORD", 2)))
    script = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('evil');"),
    })
    writer.root_object[NameObject("/Names")] = DictionaryObject({
        NameObject("/JavaScript"): DictionaryObject({
            NameObject("/Names"): ArrayObject([TextStringObject("js0"),
                                               writer._add_object(script)])
        })
    })
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('open');"),
    })
    writer.pages[0][NameObject("/AA")] = DictionaryObject({
        NameObject("/O"): DictionaryObject({
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        })
    })
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 50, 200, 80)]),
        NameObject("/A"): DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('click');"),
        }),
    })
    web = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 100, 200, 130)]),
        NameObject("/A"): DictionaryObject({
            NameObject("/S"): NameObject("/URI"),
            NameObject("/URI"): TextStringObject("https://example.org/guidance"),
        }),
    })
    writer.pages[0][NameObject("/Annots")] = ArrayObject(
        [writer._add_object(link), writer._add_object(web)]
    )
    writer.add_attachment("payload.exe", b"MZ fictional payload")
    return _write(writer, path)


def make_form_pdf(path: Path, value: str = "FILLEDVALUE42") -> Path:
    """A filled AcroForm text field (reportlab draws its appearance stream)."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    c.setFont("Helvetica", 12)
    c.drawString(60, 760, "FORMWORD1 resident consent form")
    c.acroForm.textfield(name="resident_ref", value=value, x=60, y=600, width=250, height=24,
                         fontName="Helvetica", fontSize=12, borderWidth=1)
    c.showPage()
    c.save()
    path.write_bytes(buffer.getvalue())
    return path


def make_outlined_pdf(path: Path) -> Path:
    """Three pages with the document's own bookmarks (Part 2 points at page 3)."""
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf_bytes("OUTWORD", 3)))
    writer.add_outline_item(title="Part 1", page_number=0)
    writer.add_outline_item(title="Part 2", page_number=2)
    return _write(writer, path)


def _write(writer: PdfWriter, path: Path) -> Path:
    with path.open("wb") as handle:
        writer.write(handle)
    return path


# --------------------------------------------------------------------------- reading back


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float  # from the TOP of the page as displayed (poppler's convention)
    x1: float
    y1: float


@dataclass(frozen=True)
class PageWords:
    width: float
    height: float
    words: tuple[Word, ...]

    def find(self, needle: str) -> list[Word]:
        return [w for w in self.words if needle in w.text]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>'
)


def words_by_page(pdf: Path) -> list[PageWords]:
    """Every page's visible words with positions as displayed (pdftotext -bbox -cropbox).

    poppler gives word positions in display space (turned by /Rotate, from the crop box's
    top-left corner) but prints the unturned page size, so the size comes from pypdf.
    """
    out = subprocess.run(["pdftotext", "-bbox", "-cropbox", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    reader = PdfReader(pdf)
    pages = []
    for page, (_w, _h, body) in zip(reader.pages, _PAGE.findall(out), strict=True):
        box = page.cropbox
        width, height = float(box.width), float(box.height)
        if page.rotation % 180 == 90:
            width, height = height, width
        words = tuple(
            Word(html.unescape(t), float(a), float(b), float(c), float(d))
            for a, b, c, d, t in _WORD.findall(body)
        )
        pages.append(PageWords(width, height, words))
    return pages


def page_texts(pdf: Path) -> list[str]:
    """Plain text of each page, as a recipient's pdftotext sees it."""
    count = len(PdfReader(pdf).pages)
    texts = []
    for number in range(1, count + 1):
        texts.append(subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
            check=True, capture_output=True, text=True).stdout)
    return texts


def make_internal_link_pdf(path: Path) -> Path:
    """Two pages; a link on page 1 jumps to page 2 (a table of contents, say)."""
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf_bytes("LINKWORD", 2)))
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (60, 700, 300, 720)]),
        NameObject("/Dest"): ArrayObject([writer.pages[1].indirect_reference, NameObject("/Fit")]),
    })
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _write(writer, path)


def make_unpainted_form_pdf(path: Path, value: str = "UNPAINTED77") -> Path:
    """A filled text field with no appearance stream (the viewer was asked to draw it)."""
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf_bytes("BAREWORD", 1)))
    field = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"),
        NameObject("/T"): TextStringObject("ref"),
        NameObject("/V"): TextStringObject(value),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (60, 500, 300, 520)]),
    })
    ref = writer._add_object(field)
    writer.pages[0][NameObject("/Annots")] = ArrayObject([ref])
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject([ref]),
        NameObject("/NeedAppearances"): BooleanObject(True),
    })
    return _write(writer, path)


def make_latex_form_pdf(path: Path) -> Path:
    """A form as pdflatex (hyperref) writes it: fields with values but no appearance
    streams, and /NeedAppearances asking the viewer to draw them: a text field, a ticked
    and an unticked check box, a choice list, a radio group and a push button."""
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf_bytes("LATEXFORM", 1)))
    fields = ArrayObject()
    annotations = ArrayObject()

    def widget(rect: tuple[float, float, float, float], **entries: object) -> DictionaryObject:
        item = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect]),
            NameObject("/F"): NumberObject(4),
        })
        for key, value in entries.items():
            item[NameObject(f"/{key}")] = value  # type: ignore[assignment]
        return item

    def add(item: DictionaryObject, *, field: bool = True) -> None:
        ref = writer._add_object(item)
        annotations.append(ref)
        if field:
            fields.append(ref)

    add(widget((60, 500, 300, 520), FT=NameObject("/Tx"), T=TextStringObject("name"),
               V=TextStringObject("TYPEDVALUE (R01)")))
    add(widget((60, 470, 72, 482), FT=NameObject("/Btn"), T=TextStringObject("agree"),
               V=NameObject("/Yes"), AS=NameObject("/Yes")))
    add(widget((90, 470, 102, 482), FT=NameObject("/Btn"), T=TextStringObject("decline"),
               V=NameObject("/Off")))
    add(widget((60, 440, 300, 460), FT=NameObject("/Ch"), T=TextStringObject("visit"),
               Ff=NumberObject(1 << 17), V=TextStringObject("CHOSENVISIT")))
    radio = DictionaryObject({
        NameObject("/FT"): NameObject("/Btn"),
        NameObject("/T"): TextStringObject("method"),
        NameObject("/Ff"): NumberObject(1 << 15),
        NameObject("/V"): NameObject("/written"),
    })
    radio_ref = writer._add_object(radio)
    kids = ArrayObject()
    for x, state in ((60, "/written"), (90, "/verbal")):
        kid = widget((x, 410, x + 12, 422), Parent=radio_ref,
                     AS=NameObject(state if state == "/written" else "/Off"))
        ref = writer._add_object(kid)
        kids.append(ref)
        annotations.append(ref)
    radio[NameObject("/Kids")] = kids
    fields.append(radio_ref)
    add(widget((200, 410, 260, 430), FT=NameObject("/Btn"), T=TextStringObject("send"),
               Ff=NumberObject(1 << 16)))
    writer.pages[0][NameObject("/Annots")] = annotations
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): fields,
        NameObject("/NeedAppearances"): BooleanObject(True),
    })
    return _write(writer, path)


# --------------------------------------------------------------------------- the footer, as seen

FOOTER_BAND = 22.0  # points: a judge's eye looks for the page number this near the bottom


@dataclass(frozen=True)
class Footer:
    """The bottom of a page as displayed: the page label (the rightmost word) and the rest."""

    label: Word
    others: tuple[Word, ...]

    @property
    def details(self) -> str:
        return " ".join(word.text for word in self.others)


def footer(page: PageWords) -> Footer:
    bottom = sorted((w for w in page.words if w.y1 > page.height - FOOTER_BAND),
                    key=lambda w: w.x0)
    assert bottom, "nothing printed at the bottom of the page"
    return Footer(bottom[-1], tuple(bottom[:-1]))


@dataclass(frozen=True)
class DrawnText:
    text: str
    font: str  # the base font's name, e.g. Helvetica-Bold
    size: float  # in points on the page as displayed (font size times the text matrix scale)


def drawn_texts(pdf: Path, page_number: int) -> list[DrawnText]:
    """Every piece of text drawn on a page (1-based) with its font and effective size, read
    with pypdf's text visitor (what a PDF inspector shows)."""
    reader = PdfReader(pdf)
    page = reader.pages[page_number - 1]
    found: list[DrawnText] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text.strip():
            return
        name = ""
        if isinstance(font, dict) or hasattr(font, "get"):
            name = str(font.get("/BaseFont", "")).lstrip("/")  # type: ignore[union-attr]
        scale_tm = (tm[0] ** 2 + tm[1] ** 2) ** 0.5
        scale_cm = (cm[0] ** 2 + cm[1] ** 2) ** 0.5
        found.append(DrawnText(text.strip(), name.split("+")[-1], size * scale_tm * scale_cm))

    page.extract_text(visitor_text=visit)
    return found


def front_links(reader: PdfReader, pages: int) -> list[tuple[int, list[object]]]:
    """(1-based target page, destination array) of every link on the first ``pages`` pages,
    in the order they were drawn."""
    found: list[tuple[int, list[object]]] = []
    for page in reader.pages[:pages]:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                dest = list(annot["/Dest"])
                found.append((reader.get_page_number(dest[0].get_object()) + 1, dest))
    return found


@contextlib.contextmanager
def warnings_logged() -> Iterator[list[str]]:
    """The warnings the toolkit logs (logger ``bundler``) while the block runs, in order."""
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = _Collect(logging.WARNING)
    logging.getLogger("bundler").addHandler(handler)
    try:
        yield messages
    finally:
        logging.getLogger("bundler").removeHandler(handler)
