"""Fictional documents to redact, and readers that look at them the way a recipient would.

Each maker writes a PDF carrying fictional residents' names (``NAMES``) in a different way:
typed text in a standard and an embedded font, text inside a form XObject, a comment and a
mailto link, a scanned page (a picture only), sideways and cropped pages.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from bundler.redact import Matcher, Pattern, Term
from bundler.redact.terms import DataKind

NAMES = ("Dmitri Volkov", "Łukasz Brennan")
KEPT = "Nettlebank House"  # a phrase that must survive redaction
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def matcher(*, patterns: bool = True) -> Matcher:
    terms = [Term(name, DataKind.NAME, "TP") for name in NAMES]
    terms += [Term(part, DataKind.NAME, "TP") for name in NAMES for part in name.split()]
    return Matcher(terms=tuple(terms),
                   patterns=tuple((p, "TP") for p in Pattern) if patterns else ())


def make_typed(path: Path, *, embedded: bool = False) -> Path:
    """Two pages: names, a room, a phone number and an e-mail among ordinary words."""
    from bundler.evidence.fonts import register_fonts

    font = register_fonts()[0] if embedded else "Helvetica"
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for page in range(2):
        c.setFont(font, 12)
        name = NAMES[page] if embedded else NAMES[page].replace("Ł", "L")
        c.drawString(60, 760, f"Interview with {name} at {KEPT}, page {page + 1}.")
        c.drawString(60, 730, "He lives in Room 8 and can be called on 07700 900123.")
        c.drawString(60, 700, "Write to dmitri.volkov@example.org about the support plan.")
        c.drawString(60, 670, "The support plan was reviewed in March with the keyworker.")
        c.showPage()
    c.save()
    path.write_bytes(buffer.getvalue())
    return path


def make_form_and_annotations(path: Path) -> Path:
    """A name inside a Form XObject drawn on two pages (one with nothing else to redact), a
    comment naming him, and a mailto link."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    c.beginForm("letterhead")
    c.setFont("Times-Roman", 12)
    c.drawString(60, 800, "Prepared for Dmitri Volkov by the scheme manager")
    c.endForm()
    c.doForm("letterhead")
    c.setFont("Helvetica", 12)
    c.drawString(60, 700, "Ordinary words stay readable on this page.")
    c.linkURL("mailto:dmitri.volkov@example.org", (60, 600, 300, 620))
    c.drawString(60, 605, "Send an e-mail")
    c.showPage()
    c.setFont("Helvetica", 12)
    c.drawString(60, 700, "Second page without the letterhead.")
    c.showPage()
    c.save()
    writer = PdfWriter(clone_from=io.BytesIO(buffer.getvalue()))
    comment = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Text"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (400, 400, 420, 420)]),
        NameObject("/Contents"): TextStringObject("Ask Dmitri about the licence"),
    })
    page = writer.pages[0]
    annotations = page.get("/Annots")
    array = annotations.get_object() if annotations is not None else ArrayObject()
    array.append(writer._add_object(comment))
    page[NameObject("/Annots")] = array
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def scan_image(name: str = "Dmitri Volkov") -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A 150 dpi grey A4 'scan' with a printed form, the name handwritten-ish in a box;
    returns the image and the name's pixel box."""
    width, height = 1240, 1754
    image = Image.new("L", (width, height), 245)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(DEJAVU, 30)
    big = ImageFont.truetype(DEJAVU, 40)
    draw.text((120, 150), "Resident consent form", font=big, fill=20)
    draw.text((120, 300), "First name and surname:", font=font, fill=30)
    box = draw.textbbox((560, 300), name, font=font)
    draw.text((560, 300), name, font=font, fill=10)
    draw.text((120, 400), "I agree that the council may see my records.", font=font, fill=30)
    return image, box


def make_scan(path: Path, name: str = "Dmitri Volkov") -> tuple[Path, tuple[int, int, int, int]]:
    image, box = scan_image(name)
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=150.0)
    path.write_bytes(buffer.getvalue())
    return path, box


def make_turned(path: Path, source: Path) -> Path:
    """``source``'s first page shown turned (/Rotate 90) and, after it, cropped."""
    reader = PdfReader(source)
    writer = PdfWriter()
    turned = writer.add_page(reader.pages[0])
    turned[NameObject("/Rotate")] = NumberObject(90)
    cropped = writer.add_page(reader.pages[0])
    cropped[NameObject("/CropBox")] = ArrayObject([FloatObject(v) for v in (40, 500, 560, 800)])
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def pdftotext(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def raw_objects(path: Path, workdir: Path) -> bytes:
    """Every object of the file with its streams decompressed (qpdf --qdf)."""
    out = workdir / f"{path.stem}-qdf.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), str(out)],
                   check=False, capture_output=True)
    return out.read_bytes()


def render_grey(path: Path, page: int, dpi: int, workdir: Path) -> Image.Image:
    stem = workdir / f"{path.stem}-p{page}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", str(page), "-l", str(page),
                    "-singlefile", str(path), str(stem)], check=True)
    with Image.open(stem.with_suffix(".pgm")) as image:
        return image.copy()
