"""Benchmark `bundler bundle check` against `bundler bundle verify` (without sources).

Builds a bundle from the corpus of ``corpus.py`` (generated once, cached under
benchmarks/.corpus/), then times, in one run and interleaved, each as a subprocess so both
pay process start-up:

    bundler bundle verify OUT.pdf                                (self-consistency only)
    bundler bundle check OUT.pdf --profile judiciary-2021        (any bundle's rules)

Target (issue 11): check takes less time than verify. Peak RSS is each child's own
(os.wait4); check's helpers (qpdf, pdftotext) are children of that child, and are
reported too (RUSAGE_CHILDREN of this process grows by the largest of them).

    .venv/bin/python benchmarks/check_bench.py                 # 1,149 files, 10,000 pages
    .venv/bin/python benchmarks/check_bench.py --pages 2600
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bundle_bench import OUT_ROOT, run_measured  # noqa: E402
from corpus import make_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=10000, help="total pages in the corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command")
    args = parser.parse_args()

    t0 = time.perf_counter()
    spec, items = make_corpus(args.pages)
    print(f"corpus: {len(items)} files, {args.pages} pages, {spec.parent} "
          f"(ready in {time.perf_counter() - t0:.1f}s)")
    OUT_ROOT.mkdir(exist_ok=True)
    out = OUT_ROOT / f"check-{args.pages}.pdf"
    python = [sys.executable, "-m", "bundler", "bundle"]
    if not out.is_file():
        subprocess.run([*python, "build", str(spec), "-o", str(out), "--force", "--date",
                        "2026-01-01"], check=True, stdout=subprocess.DEVNULL)
    commands = {
        "verify": [*python, "verify", str(out)],
        "check": [*python, "check", str(out), "--profile", "judiciary-2021"],
    }
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(args.repeat):  # interleaved so both see the same machine state
        for name, argv in commands.items():
            measured = run_measured(argv, ok=(0, 1))
            runs[name].append((measured.wall, measured.largest))
    mb = 1024 * 1024
    print(f"bundle: {out.name}, {out.stat().st_size / mb:.1f} MB")
    print(f"{'':10}{'best':>9}{'median':>9}{'spread':>9}{'peak RSS':>12}")
    for name, measured in runs.items():
        times = [t for t, _ in measured]
        print(f"{name:10}{min(times):>8.2f}s{statistics.median(times):>8.2f}s"
              f"{max(times) - min(times):>8.2f}s{max(r for _, r in measured) / mb:>9.1f} MB")
    ratio = min(t for t, _ in runs["check"]) / min(t for t, _ in runs["verify"])
    ok = ratio < 1.0
    print(f"target (check < verify without sources): {'met' if ok else 'NOT MET'} "
          f"({ratio:.2f}x, best of {args.repeat})")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
