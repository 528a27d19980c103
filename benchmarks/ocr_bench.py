"""Benchmark `bundler bundle build --ocr`: the time it adds per scanned page.

Generates (deterministically, in a temporary folder) image-only PDFs like a scanner makes: A4
pages at 200 dpi grey, each with about 40 lines of typed words, plus one text PDF, then times in
one run, each as a subprocess so both pay process start-up:

    bundler bundle build SPEC -o OUT.pdf --force --date 2026-01-01
    bundler bundle build SPEC -o OUT.pdf --force --date 2026-01-01 --ocr

and prints both times, the added time per scanned page, the size each page's text layer adds,
and how many of the typed words pdftotext finds on the scanned pages afterwards.

Then the sample case's scanned consent forms (samples/nettlebank-road/evidence/residents/*/
consent-form.pdf: 150 dpi greyscale JPEG scans of a filled-in form, handwriting included) are
recognised as ``--ocr`` recognises them, without and with the correction of what OCR misreads
(``bundler.bundle.ocrwords``: the case's references, the word I), and for each form it prints
the form's words found and its references read right (the resident's reference twice, the
review's once), before and after.

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
    consent_forms()


SAMPLE = HERE.parent / "samples" / "nettlebank-road"
REVIEW = "WBC-SHR-2026-014"
# The consent form's printed words (scripts/make_sample_evidence.py draws them; the
# statements are the records' own), with {ref} for the resident's reference. Signatures and
# the handwritten first name and date are left out: what is compared is what was printed.
FORM = [
    "Wrexley Borough Council", "Supported Housing Review Team Civic Offices, 1 Market Row, "
    "Wrexley WX1 1AA", "Supported housing review: consent form",
    "Review reference: " + REVIEW + "/{ref} Scheme: Nettlebank House",
    "Please tick Yes or No for each of these, then sign the form.",
    "Resident reference {ref}", "First name (optional)", "I know I can change my mind at any time.",
    "Resident's signature", "Date", "Officer's signature", "Officer's name Priya Marchetti",
    "WBC/SHR/F3 (v3, September 2026) Resident consent form para 97", "Page 1 of 1",
]


def consent_forms() -> None:
    """Words found and references read right on the sample's scanned consent forms."""
    sys.path.insert(0, str(HERE.parent))
    from bundler.bundle.ocr import PageJob, find_engine, recognise_pages
    from bundler.bundle.ocrwords import vocabulary
    from bundler.case.models import CONSENT_STATEMENT_TEXT

    engine = find_engine()
    forms = sorted(SAMPLE.glob("evidence/residents/R*/consent-form.pdf"))
    residents = sorted(path.stem for path in (SAMPLE / "residents").glob("R*.yaml"))
    words = vocabulary([REVIEW, *residents])
    print(f"\nthe sample's scanned consent forms ({len(forms)}), as --ocr reads them:")
    print("form   words found (before -> after)   references read right (before -> after)")
    totals = [0, 0, 0, 0, 0, 0]
    with tempfile.TemporaryDirectory(prefix="ocr-forms-") as work:
        for form in forms:
            ref = form.parent.name
            printed = " ".join(FORM + list(CONSENT_STATEMENT_TEXT.values())).format(ref=ref)
            wanted = re.findall(r"[A-Za-z0-9]+", printed)
            results = []
            for use in (None, words):
                jobs = [PageJob(0, 0, form, str(form))]
                folder = Path(work) / f"{ref}-{'after' if use else 'before'}"
                folder.mkdir()
                [layer] = recognise_pages(engine, jobs, folder, lambda _m: None, use)
                text = subprocess.run(["pdftotext", str(layer), "-"], check=True,
                                      capture_output=True, text=True).stdout if layer else ""
                found = re.findall(r"[A-Za-z0-9]+", text)
                refs = len(re.findall(rf"(?<![A-Za-z0-9]){ref}(?![A-Za-z0-9])", text)) + len(
                    re.findall(rf"(?<![A-Za-z0-9]){REVIEW}(?![A-Za-z0-9])", text))
                results.append((_matched(wanted, found), refs))
            (before, refs_before), (after, refs_after) = results
            print(f"{ref}    {before:3d} -> {after:3d} of {len(wanted)}"
                  f"                   {refs_before} -> {refs_after} of 3")
            for index, value in enumerate((before, after, len(wanted), refs_before, refs_after,
                                           3)):
                totals[index] += value
    print(f"all    {totals[0]} -> {totals[1]} of {totals[2]} words "
          f"({100 * totals[0] / max(1, totals[2]):.1f}% -> "
          f"{100 * totals[1] / max(1, totals[2]):.1f}%); references {totals[3]} -> "
          f"{totals[4]} of {totals[5]}")


def _matched(wanted: list[str], found: list[str]) -> int:
    """Words found, counted as a multiset (each found word matches one typed word)."""
    from collections import Counter

    have = Counter(found)
    return sum(min(count, have[word]) for word, count in Counter(wanted).items())


if __name__ == "__main__":
    main()
