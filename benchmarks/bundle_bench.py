"""Benchmark `bundler bundle build` against `qpdf --empty --pages` on the same files.

Generates (deterministically, cached under benchmarks/.corpus/) a corpus of text PDFs, some
with photographs, writes a bundle spec naming them, then times in one run, each as a
subprocess so both pay process start-up:

    bundler bundle build SPEC -o OUT.pdf --force --date 2026-01-01
    qpdf --empty --pages FILES... -- OUT.pdf

and prints time, peak RSS (of that child: ru_maxrss via os.wait4) and output size side by
side with the ratios. Minimums (issue 3): time <= 1.5x qpdf, peak RSS <= 300 MB, size <= 1.25x.

    .venv/bin/python benchmarks/bundle_bench.py               # 300 files, ~2,600 pages
    .venv/bin/python benchmarks/bundle_bench.py --pages 10000 # scale up
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS_ROOT = HERE / ".corpus"
OUT_ROOT = HERE / "out"

WORDS = ["support", "plan", "review", "resident", "provider", "scheme", "licence", "assessment", "referral", "staff", "visit", "occupancy", "agreement", "safeguarding", "caseload", "training", "evidence", "weekly", "keyworker", "housing", "benefit", "exempt", "accommodation", "tenancy", "council", "officer", "notes", "outcome", "independence", "dignity"]


def _photo_jpeg(rng: random.Random, width: int = 1200, height: int = 900) -> bytes:
    """A photograph-like JPEG (smooth gradients plus noise), deterministic from rng."""
    from PIL import Image, ImageDraw, ImageFilter

    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    base = (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))
    for y in range(height):
        shade = int(60 * y / height)
        draw.line([(0, y), (width, y)], fill=(base[0] - shade // 2, base[1], base[2] + shade // 3))
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(20, 160)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, optimize=False)
    return buffer.getvalue()


def _make_pdf(path: Path, rng: random.Random, pages: int, photo: bytes | None) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    c.setTitle(path.stem)
    for number in range(1, pages + 1):
        if photo is not None and number == 1:
            c.setPageSize(landscape(A4))
            w, h = landscape(A4)
            c.drawImage(ImageReader(io.BytesIO(photo)), 40, 60, width=w - 80, height=h - 120)
            c.setFont("Helvetica", 10)
            c.drawString(40, 40, f"{path.stem} photograph")
            c.showPage()
            c.setPageSize(A4)
            continue
        c.setFont("Helvetica-Bold", 13)
        c.drawString(56, 790, f"{path.stem}: page {number}")
        c.setFont("Helvetica", 10)
        y = 760.0
        while y > 60:
            line = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(10, 15)))
            c.drawString(56, y, line)
            y -= 13
        c.showPage()
    c.save()
    path.write_bytes(buffer.getvalue())


def make_corpus(total_pages: int, files: int = 300) -> tuple[Path, list[Path]]:
    """Return (spec path, PDF paths); reuses the cached corpus when it already exists."""
    folder = CORPUS_ROOT / f"p{total_pages}-f{files}"
    spec = folder / "bundle.yaml"
    done = folder / ".complete"
    rng = random.Random(f"bundle-bench-{total_pages}-{files}")
    mean = total_pages / files
    counts = [max(1, round(rng.uniform(0.2, 1.8) * mean)) for _ in range(files)]
    counts[-1] = max(1, counts[-1] + total_pages - sum(counts))
    paths = [folder / "docs" / f"doc{i + 1:04d}.pdf" for i in range(files)]
    if done.exists():
        return spec, paths
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "docs").mkdir(parents=True)
    photos = [_photo_jpeg(random.Random(f"photo-{k}")) for k in range(6)]
    for i, (path, count) in enumerate(zip(paths, counts, strict=True)):
        photo = photos[i % len(photos)] if i % 10 == 3 else None
        _make_pdf(path, random.Random(f"doc-{total_pages}-{i}"), count, photo)
    sections = ["A", "B", "C", "D"]
    lines = ["reference: BENCH-0001", f"title: Benchmark bundle, {total_pages} pages", "sections:"]
    per = -(-files // len(sections))
    for s, label in enumerate(sections):
        chunk = paths[s * per : (s + 1) * per]
        if not chunk:
            continue
        lines += [f"  - label: {label}", f"    title: Section {label}", "    documents:"]
        for path in chunk:
            lines += [
                f"      - file: docs/{path.name}",
                f"        title: Benchmark document {path.stem}",
                "        date: 2026-01-15",
            ]
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done.write_text("ok\n")
    return spec, paths


def run_measured(argv: list[str], env: dict[str, str] | None = None,
                 ok: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Run argv as a child (in ``env``, else this environment); return (wall seconds, peak
    RSS in bytes of that child). An exit status not in ``ok`` stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"{argv[0]} failed with exit {code}:\n{stderr}")
    return elapsed, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2600, help="total pages in the corpus")
    parser.add_argument("--files", type=int, default=300, help="number of source PDFs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool (best is kept)")
    args = parser.parse_args()

    qpdf = shutil.which("qpdf")
    if qpdf is None:
        raise SystemExit("qpdf is not installed (apt-get install qpdf)")
    t0 = time.perf_counter()
    spec, paths = make_corpus(args.pages, args.files)
    print(f"corpus: {len(paths)} files, {args.pages} pages, {spec.parent} "
          f"(ready in {time.perf_counter() - t0:.1f}s)")
    OUT_ROOT.mkdir(exist_ok=True)
    ours_out = OUT_ROOT / f"bundle-{args.pages}.pdf"
    qpdf_out = OUT_ROOT / f"qpdf-{args.pages}.pdf"
    bundler = [sys.executable, "-m", "bundler", "bundle", "build", str(spec), "-o", str(ours_out),
               "--force", "--date", "2026-01-01"]
    reference = [qpdf, "--empty", "--pages", *map(str, paths), "--", str(qpdf_out)]

    ours: list[tuple[float, int]] = []
    theirs: list[tuple[float, int]] = []
    for _ in range(args.repeat):  # interleaved so both see the same machine state
        theirs.append(run_measured(reference))
        ours.append(run_measured(bundler))
    our_time = min(t for t, _ in ours)
    their_time = min(t for t, _ in theirs)
    our_rss = max(r for _, r in ours)
    their_rss = max(r for _, r in theirs)
    our_size = ours_out.stat().st_size
    their_size = qpdf_out.stat().st_size

    mb = 1024 * 1024
    print(f"{'':22}{'bundler':>14}{'qpdf':>14}{'ratio':>10}")
    print(f"{'time (best of ' + str(args.repeat) + ')':22}{our_time:>13.2f}s{their_time:>13.2f}s"
          f"{our_time / their_time:>10.2f}")
    print(f"{'peak RSS':22}{our_rss / mb:>11.1f} MB{their_rss / mb:>11.1f} MB"
          f"{our_rss / their_rss:>10.2f}")
    print(f"{'output size':22}{our_size / mb:>11.2f} MB{their_size / mb:>11.2f} MB"
          f"{our_size / their_size:>10.2f}")
    ok = our_time <= 1.5 * their_time and our_rss <= 300 * mb and our_size <= 1.25 * their_size
    print("minimums (time <= 1.5x, RSS <= 300 MB, size <= 1.25x):", "met" if ok else "NOT MET")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
