"""The benchmark corpus: evidence as councils receive it, generated deterministically.

``make_corpus(pages)`` writes (once; cached under ``benchmarks/.corpus/``) a folder of evidence
files and a ``bundle.yaml`` naming them, with about ``pages`` pages in all:

* **letters and reports as reportlab writes them** (most of the files): every page of a
  document shares its resources: the font dictionary, and a letterhead picture drawn on every
  page (one image object used by all of them); half of the documents embed a TrueType font
  (DejaVu Sans, shared by all pages) rather than using Helvetica;
* **images of every kind**: letterheads as JPEG (DCT) or as lossless Flate pictures, and
  photographs on a page of their own, each written with and without an ASCII85 layer
  (reportlab's default is with);
* **many one-page documents** (about two files in five);
* **a few 400-page documents** (2 at 2,600 pages, 5 at 10,000);
* **photographs to convert** (about one file in twenty: JPEG files from a phone, some turned by
  their EXIF orientation tag, and PNG screenshots), which the build turns into PDF pages.

``describe`` prints that composition, so a reader of the figures knows what was measured.
"""

from __future__ import annotations

import io
import os
import random
import shutil
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS_ROOT = HERE / ".corpus"
CORPUS_VERSION = 2  # bump when the generator changes, so cached corpora are made again

WORDS = ["support", "plan", "review", "resident", "provider", "scheme", "licence",
         "assessment", "referral", "staff", "visit", "occupancy", "agreement", "safeguarding",
         "caseload", "training", "evidence", "weekly", "keyworker", "housing", "benefit",
         "exempt", "accommodation", "tenancy", "council", "officer", "notes", "outcome",
         "independence", "dignity"]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True)
class Item:
    """One evidence file of the corpus: what it is and how to make it."""

    name: str  # file name under docs/
    kind: str  # "pdf" | "photo" | "screenshot"
    pages: int
    letterhead: str  # "jpeg" | "flate" | "none"
    ascii85: bool
    ttf: bool
    photo_page: bool  # a photograph on the first page


def plan_corpus(total_pages: int) -> list[Item]:
    """The files of a corpus of about ``total_pages`` pages (the same list every time)."""
    rng = random.Random(f"corpus-{CORPUS_VERSION}-{total_pages}")
    files = max(20, round(total_pages / 8.7))  # 300 files at 2,600 pages, 1,150 at 10,000
    long_docs = 2 if total_pages < 5000 else 5
    items: list[Item] = []
    remaining = total_pages
    for index in range(files):
        name = f"doc{index + 1:05d}"
        roll = rng.random()
        if index < long_docs:
            kind, pages = "pdf", 400
        elif roll < 0.05:
            kind, pages = "photo", 1
        elif roll < 0.07:
            kind, pages = "screenshot", 1
        elif roll < 0.45:
            kind, pages = "pdf", 1
        else:
            kind, pages = "pdf", 0  # filled in below
        letterhead = rng.choice(["jpeg", "jpeg", "flate", "none"])
        items.append(Item(
            name=f"{name}.{'jpg' if kind == 'photo' else 'png' if kind == 'screenshot' else 'pdf'}",
            kind=kind, pages=pages, letterhead=letterhead if kind == "pdf" else "none",
            ascii85=rng.random() < 0.5, ttf=rng.random() < 0.5,
            photo_page=kind == "pdf" and rng.random() < 0.12))
        remaining -= pages
    flexible = [i for i, item in enumerate(items) if item.kind == "pdf" and item.pages == 0]
    weights = [rng.uniform(0.3, 1.7) for _ in flexible]
    scale = max(remaining, len(flexible)) / sum(weights)
    counts = [max(2, round(w * scale)) for w in weights]
    counts[-1] = max(2, counts[-1] + remaining - sum(counts))
    for position, count in zip(flexible, counts, strict=True):
        old = items[position]
        items[position] = Item(old.name, old.kind, count, old.letterhead, old.ascii85, old.ttf,
                               old.photo_page)
    return items


def describe(items: list[Item]) -> str:
    """One paragraph: what the corpus holds (printed before the figures)."""
    pdfs = [item for item in items if item.kind == "pdf"]
    pages = sum(item.pages for item in items)
    kinds = Counter(item.kind for item in items)
    one_page = sum(1 for item in pdfs if item.pages == 1)
    long_docs = sum(1 for item in pdfs if item.pages >= 400)
    shared = [item for item in pdfs if item.letterhead != "none" and item.pages > 1]
    heads = Counter(item.letterhead for item in pdfs if item.letterhead != "none")
    return (
        f"{len(items)} files, {pages} pages: {len(pdfs)} PDFs written by reportlab "
        f"({one_page} of one page, {long_docs} of 400 pages; {len(shared)} multi-page ones "
        f"share a letterhead picture on every page, {heads['jpeg']} JPEG and {heads['flate']} "
        f"Flate letterheads in all; {sum(1 for i in pdfs if i.ttf)} embed DejaVu Sans shared "
        f"by their pages; {sum(1 for i in pdfs if i.photo_page)} open with a photograph; "
        f"{sum(1 for i in pdfs if i.ascii85)} with ASCII85 layers), "
        f"{kinds['photo']} phone photographs (JPEG) and {kinds['screenshot']} screenshots (PNG) "
        "to convert"
    )


def _photo(rng: random.Random, width: int, height: int) -> object:
    """A photograph-like picture (smooth gradients plus noise), deterministic from rng."""
    from PIL import Image, ImageDraw, ImageFilter

    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    base = (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))
    for y in range(height):
        shade = int(60 * y / height)
        draw.line([(0, y), (width, y)], fill=(base[0] - shade // 2, base[1], base[2] + shade // 3))
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(width // 60 + 1, width // 8 + 2)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    return Image.blend(image, noise, 0.12)


def _jpeg(image: object, **extra: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, **extra)  # type: ignore[attr-defined]
    return buffer.getvalue()


def _letterhead(kind: str, seed: int) -> tuple[bytes, str]:
    """A council letterhead picture: JPEG, or PNG (which reportlab stores with Flate)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 120), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    rng = random.Random(f"letterhead-{seed}")
    colour = (rng.randrange(40, 160), rng.randrange(40, 160), rng.randrange(40, 160))
    draw.rectangle([0, 0, 120, 120], fill=colour)
    for k in range(6):
        draw.rectangle([140, 20 + k * 15, 140 + rng.randrange(200, 440), 28 + k * 15], fill=colour)
    if kind == "jpeg":
        return _jpeg(image), "jpeg"
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue(), "png"


def _make_pdf(path: Path, item: Item, seed: int) -> None:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    rng = random.Random(f"doc-{seed}")
    rl_config.useA85 = 1 if item.ascii85 else 0
    font, bold = "Helvetica", "Helvetica-Bold"
    if item.ttf and DEJAVU.is_file():
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
        font = bold = "DejaVuSans"
    head = None
    if item.letterhead != "none":
        data, _kind = _letterhead(item.letterhead, seed % 7)
        head = ImageReader(io.BytesIO(data))
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    c.setTitle(path.stem)
    for number in range(1, item.pages + 1):
        if item.photo_page and number == 1:
            c.setPageSize(landscape(A4))
            w, h = landscape(A4)
            photo = _jpeg(_photo(rng, 1200, 900))
            c.drawImage(ImageReader(io.BytesIO(photo)), 40, 60, width=w - 80, height=h - 120)
            c.setFont(font, 10)
            c.drawString(40, 40, f"{path.stem} photograph")
            c.showPage()
            c.setPageSize(A4)
            continue
        top = 790.0
        if head is not None:  # the same picture on every page: one shared image object
            c.drawImage(head, 56, 770, width=240, height=48)
            top = 750.0
        c.setFont(bold, 13)
        c.drawString(56, top, f"{path.stem}: page {number}")
        c.setFont(font, 10)
        y = top - 30
        while y > 60:
            line = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(10, 15)))
            c.drawString(56, y, line)
            y -= 13
        c.showPage()
    c.save()
    path.write_bytes(buffer.getvalue())


def _make_item(folder: Path, item: Item, seed: int) -> None:
    path = folder / "docs" / item.name
    if item.kind == "pdf":
        _make_pdf(path, item, seed)
        return
    rng = random.Random(f"picture-{seed}")
    if item.kind == "photo":  # a phone photograph, some stored sideways with an EXIF turn
        image = _photo(rng, 1600, 1200)
        exif = image.getexif()  # type: ignore[attr-defined]
        if rng.random() < 0.4:
            exif[0x0112] = 6  # rotate 90 degrees clockwise to view
        path.write_bytes(_jpeg(image, exif=exif.tobytes()))
        return
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (900, 1600), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    for k in range(40):
        draw.text((40, 40 + k * 38), " ".join(rng.choice(WORDS) for _ in range(6)), fill=(0, 0, 0))
    image.save(path, "PNG")


def _convert_for_qpdf(folder: Path, item: Item) -> None:
    """qpdf cannot convert pictures: it merges the toolkit's own conversion, made here once
    (the build converts again each time), so both tools write the same pages."""
    from bundler.evidence import identify
    from bundler.evidence.images import render_image

    source = folder / "docs" / item.name
    evidence = identify(source, f"docs/{item.name}")
    caption = f"Benchmark document {Path(item.name).stem}"
    (folder / "converted" / f"{Path(item.name).stem}.pdf").write_bytes(
        render_image(evidence, caption))


def make_corpus(total_pages: int) -> tuple[Path, list[Item]]:
    """Return (spec path, items); reuses the cached corpus when it already exists."""
    items = plan_corpus(total_pages)
    folder = CORPUS_ROOT / f"v{CORPUS_VERSION}-p{total_pages}"
    spec = folder / "bundle.yaml"
    done = folder / ".complete"
    if done.exists():
        return spec, items
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "docs").mkdir(parents=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(_make_item, [folder] * len(items), items, range(len(items)),
                      chunksize=8))
        pictures = [item for item in items if item.kind != "pdf"]
        (folder / "converted").mkdir()
        list(pool.map(_convert_for_qpdf, [folder] * len(pictures), pictures))
    sections = ["A", "B", "C", "D"]
    lines = ["reference: BENCH-0001", f"title: Benchmark bundle, {total_pages} pages",
             "sections:"]
    per = -(-len(items) // len(sections))
    for s, label in enumerate(sections):
        chunk = items[s * per : (s + 1) * per]
        if not chunk:
            continue
        lines += [f"  - label: {label}", f"    title: Section {label}", "    documents:"]
        for item in chunk:
            lines += [
                f"      - file: docs/{item.name}",
                f"        title: Benchmark document {Path(item.name).stem}",
                "        date: 2026-01-15",
            ]
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done.write_text("ok\n")
    return spec, items


def qpdf_inputs(spec: Path, items: list[Item]) -> list[Path]:
    """What qpdf merges, in bundle order: each PDF, and each picture as the toolkit converts it
    (qpdf cannot convert pictures)."""
    folder = spec.parent
    return [folder / "docs" / item.name if item.kind == "pdf"
            else folder / "converted" / f"{Path(item.name).stem}.pdf" for item in items]
