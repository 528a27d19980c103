"""Benchmark redaction: removal from the page's content against re-rendering the page.

Redacts the same corpus both ways with the same rules (``bundler.redact.redact_pdf`` with
method "auto", which removes from the content and re-renders only the pages it cannot, and
"render", which re-renders every page with a box) and prints, per method:

* time per redacted page (finding included; qpdf rewriting the same files is the machine's
  yardstick: the ratio is printed);
* size: bytes the redacted pages add over the originals, per redacted page;
* quality: outside the boxes, how far each redacted page, rendered at 100 dpi, is from the
  original rendered the same way (mean absolute difference in grey levels 0-255, and the share
  of pixels that differ by more than 32): 0 means the reader sees exactly the original.

The corpus (made in a temporary folder, deterministically): typed letters with residents'
names, room numbers, telephone numbers and e-mail addresses (reportlab, a standard font and an
embedded TrueType font), a Word file converted by LibreOffice when it is installed, the sample
case's resident records, and its two scanned consent forms (read by OCR).

    .venv/bin/python benchmarks/redact_bench.py             # 20 typed pages
    .venv/bin/python benchmarks/redact_bench.py --pages 60
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bundler.redact import Matcher, Pattern, Rules, Term, redact_pdf  # noqa: E402
from bundler.redact.terms import DataKind  # noqa: E402

NAMES = ["Dmitri Volkov", "Łukasz Brennan", "Zoë Adebayo-Marsh", "Aoife Ní Bhriain",
         "Siobhan O'Leary", "Kwame Mensah"]
FILLER = ("The resident said the support worker visits every week and helps with the Housing "
          "Benefit claim, the payment plan and letters from the council about the review.")
SAMPLE = ROOT / "samples" / "nettlebank-road" / "evidence" / "residents"


def typed_pdf(path: Path, pages: int, rng: random.Random, embedded: bool) -> None:
    from reportlab.pdfgen.canvas import Canvas

    from bundler.evidence.fonts import register_fonts

    font = register_fonts()[0] if embedded else "Helvetica"
    canvas = Canvas(str(path), invariant=1)
    for _ in range(pages):
        y = 780
        canvas.setFont(font, 10)
        for line in range(48):
            if line % 6 == 2:
                name = rng.choice(NAMES)
                text = (f"Spoke to {name} in Room {rng.randrange(1, 20)} on 07700 900{rng.randrange(100, 999)}"
                        f" ({name.split()[0].lower()}@example.org).")
            else:
                text = FILLER[: rng.randrange(60, len(FILLER))]
            canvas.drawString(56, y, text if embedded else text.replace("Ł", "L").replace("ë", "e"))
            y -= 15
        canvas.showPage()
    canvas.save()


def word_pdf(folder: Path, rng: random.Random) -> Path | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    from docx import Document

    document = Document()
    for _ in range(60):
        name = rng.choice(NAMES)
        document.add_paragraph(f"{FILLER} {name} said so in Room {rng.randrange(1, 20)}.")
    source = folder / "letter.docx"
    document.save(str(source))
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/lo",
                    "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    return folder / "letter.pdf"


def rules() -> Rules:
    terms = []
    for name in NAMES:
        terms.append(Term(name, DataKind.NAME, "TP"))
        terms.extend(Term(part, DataKind.NAME, "TP") for part in name.split())
    return Rules(Matcher(terms=tuple(terms), patterns=tuple((p, "TP") for p in Pattern)))


def render(pdf: Path, page: int, folder: Path) -> object:
    from PIL import Image

    stem = folder / "q"
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-cropbox", "-f", str(page + 1), "-l",
                    str(page + 1), "-singlefile", str(pdf), str(stem)], check=True)
    with Image.open(stem.with_suffix(".pgm")) as image:
        return image.copy()


def quality(original: Path, redacted: Path, page: int, boxes: list[tuple[float, ...]],
            folder: Path) -> tuple[float, float]:
    """(mean absolute difference, share of pixels off by > 32) outside the boxes."""
    from PIL import ImageChops, ImageDraw

    before, after = render(original, page, folder), render(redacted, page, folder)
    if after.size != before.size:  # type: ignore[attr-defined]
        after = after.resize(before.size)  # type: ignore[attr-defined]
    difference = ImageChops.difference(before, after)  # type: ignore[arg-type]
    draw = ImageDraw.Draw(difference)
    height = difference.height
    for x0, y0, x1, y1 in boxes:  # user space of an unrotated page: points from the bottom
        scale = 100 / 72
        draw.rectangle((x0 * scale - 3, height - y1 * scale - 3, x1 * scale + 3,
                        height - y0 * scale + 3), fill=0)
    values = list(difference.histogram())
    total = sum(values)
    mean = sum(level * count for level, count in enumerate(values)) / total
    return mean, sum(values[33:]) / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20, help="typed pages per font")
    args = parser.parse_args()
    rng = random.Random(9)
    with tempfile.TemporaryDirectory(prefix="redact-bench-") as temp:
        folder = Path(temp)
        corpus: list[Path] = []
        for embedded in (False, True):
            path = folder / f"typed-{'ttf' if embedded else 'std'}.pdf"
            typed_pdf(path, args.pages, rng, embedded)
            corpus.append(path)
        converted = word_pdf(folder, rng)
        if converted is not None:
            corpus.append(converted)
        for resident in ("R01", "R02", "R03"):
            corpus.extend(sorted((SAMPLE / resident).glob("*.pdf")))
        start = time.perf_counter()
        for source in corpus:
            subprocess.run(["qpdf", "--object-streams=disable", "--stream-data=uncompress",
                            str(source), str(folder / "qpdf.pdf")], check=True)
        qpdf_time = time.perf_counter() - start
        print(f"corpus: {len(corpus)} PDFs; qpdf rewriting them all: {qpdf_time:.2f} s")
        print(f"{'method':8} {'pages':>5} {'s/page':>7} {'x qpdf':>7} {'KB/page':>8} "
              f"{'rendered':>8} {'mean diff':>9} {'px > 32':>8}")
        for method in ("auto", "render"):
            work = folder / method
            work.mkdir()
            elapsed = 0.0
            pages = rendered = 0
            added = 0
            diffs: list[tuple[float, float]] = []
            for source in corpus:
                start = time.perf_counter()
                result = redact_pdf(source, None, rules(), work, source.name, method=method)
                elapsed += time.perf_counter() - start
                if result is None:
                    continue
                touched = sorted({entry.page - 1 for entry in result.entries})
                pages += len(touched)
                rendered += len(result.rendered_pages)
                added += result.pdf.stat().st_size - source.stat().st_size
                for page in touched[:3]:
                    diffs.append(quality(source, result.pdf, page, list(result.boxes[page]),
                                         folder))
            per_page = elapsed / max(pages, 1)
            mean = sum(d[0] for d in diffs) / max(len(diffs), 1)
            share = sum(d[1] for d in diffs) / max(len(diffs), 1)
            print(f"{method:8} {pages:5d} {per_page:7.3f} {elapsed / qpdf_time:7.1f} "
                  f"{added / max(pages, 1) / 1024:8.1f} {rendered:8d} {mean:9.3f} "
                  f"{share * 100:7.2f}%")


if __name__ == "__main__":
    main()
