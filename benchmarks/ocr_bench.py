"""Benchmark `bundler bundle build --ocr`: the time it adds per scanned page.

Generates (deterministically, in a temporary folder) image-only PDFs like a scanner makes: A4
pages at 200 dpi grey, each with about 40 lines of typed words, plus one text PDF, then times in
one run, each as a subprocess so both pay process start-up:

    bundler bundle build SPEC -o OUT.pdf --force --date 2026-01-01
    bundler bundle build SPEC -o OUT.pdf --force --date 2026-01-01 --ocr

and prints both times, the added time per scanned page, the size each page's text layer adds,
and how many of the typed words pdftotext finds on the scanned pages afterwards.

    .venv/bin/python benchmarks/ocr_bench.py              # 12 scanned pages
    .venv/bin/python benchmarks/ocr_bench.py --pages 40
"""

from __future__ import annotations

import argparse
import io
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUNDLER = Path(sys.executable).with_name("bundler")
WORDS = ["support", "plan", "review", "resident", "provider", "scheme", "licence", "assessment",
         "referral", "staff", "visit", "occupancy", "agreement", "safeguarding", "caseload",
         "training", "evidence", "weekly", "keyworker", "housing", "benefit", "exempt",
         "accommodation", "tenancy", "council", "officer", "notes", "outcome", "independence",
         "dignity"]
DPI = 200


def scanned_page(rng: random.Random) -> tuple[bytes, list[str]]:
    from PIL import Image, ImageDraw, ImageFont

    width, height = round(8.27 * DPI), round(11.69 * DPI)
    image = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 28)
    typed: list[str] = []
    for line in range(40):
        words = [rng.choice(WORDS) for _ in range(rng.randrange(6, 11))]
        typed += words
        draw.text((150, 150 + line * 50), " ".join(words), font=font, fill=rng.randrange(0, 60))
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=float(DPI))
    return buffer.getvalue(), typed


def build(spec: Path, out: Path, ocr: bool) -> float:
    command = [str(BUNDLER), "bundle", "build", str(spec), "-o", str(out), "--force",
               "--date", "2026-01-01", *(["--ocr"] if ocr else [])]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12, help="scanned pages (one per file)")
    args = parser.parse_args()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as work:
        root = Path(work)
        lines = ["reference: BENCH-OCR", "title: OCR benchmark", "sections:", "  - label: A",
                 "    title: Scans", "    documents:"]
        typed: list[list[str]] = []
        for number in range(1, args.pages + 1):
            data, words = scanned_page(rng)
            (root / f"scan-{number:03d}.pdf").write_bytes(data)
            typed.append(words)
            lines += [f"      - file: scan-{number:03d}.pdf", f"        title: Scan {number}"]
        spec = root / "bundle.yaml"
        spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
        plain_time = build(spec, root / "plain" / "bundle.pdf", ocr=False)
        ocr_time = build(spec, root / "ocr" / "bundle.pdf", ocr=True)
        plain_size = (root / "plain" / "bundle.pdf").stat().st_size
        ocr_size = (root / "ocr" / "bundle.pdf").stat().st_size
        text = subprocess.run(["pdftotext", str(root / "ocr" / "bundle.pdf"), "-"], check=True,
                              capture_output=True, text=True).stdout
        found = re.findall(r"[a-z]+", text)
        wanted = [w for page in typed for w in page]
        hits = _matched(wanted, found)
    print(f"{args.pages} scanned A4 pages at {DPI} dpi, ~{len(wanted) // args.pages} words each")
    print(f"build without --ocr: {plain_time:6.2f} s")
    print(f"build with --ocr:    {ocr_time:6.2f} s")
    print(f"OCR per scanned page: {(ocr_time - plain_time) / args.pages:.2f} s "
          "(wall clock, pages recognised in parallel)")
    print(f"text layer per page: {(ocr_size - plain_size) / args.pages / 1024:.1f} KB")
    print(f"typed words found by pdftotext: {hits} of {len(wanted)} "
          f"({100 * hits / max(1, len(wanted)):.1f}%)")


def _matched(wanted: list[str], found: list[str]) -> int:
    """Words found, counted as a multiset (each found word matches one typed word)."""
    from collections import Counter

    have = Counter(found)
    return sum(min(count, have[word]) for word, count in Counter(wanted).items())


if __name__ == "__main__":
    main()
