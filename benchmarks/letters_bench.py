"""Benchmark the sample's six letters as Word and PDF, the way `make demo` writes them.

Copies the sample case (samples/nettlebank-road) to a temporary folder each round, then runs
the six `bundler letter KIND CASE -o OUT --pdf --force` commands of `make demo` one after the
other, each a child process, and prints the median wall time of the six with the spread and
the processor time (LibreOffice's included). With ``--before DIR`` (another checkout of the
toolkit, e.g. ``git worktree add /tmp/before main``), that code runs the same commands in
alternate rounds, so both see the same machine (``python -P``: the current folder's copy of
the toolkit is never imported instead).

    .venv/bin/python benchmarks/letters_bench.py --repeat 5 [--before DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bundle_bench import run_measured  # noqa: E402

CASE = HERE.parent / "samples" / "nettlebank-road"
DEMO_DATE = "2026-11-20"
LETTERS = [  # as in the Makefile's demo target
    ("information-request", []),
    ("information-reminder", ["--date", DEMO_DATE]),
    ("resident-consent", ["--date", DEMO_DATE]),
    ("findings", []),
    ("resident-outcome", []),
    ("revisit-notice", ["--date", DEMO_DATE]),
]


def one_round(env: dict[str, str] | None) -> tuple[float, float, int]:
    """(wall seconds, processor seconds, letters written) for the six commands."""
    with tempfile.TemporaryDirectory(prefix="bundler-letters-bench-") as scratch:
        case = Path(scratch) / "case"
        shutil.copytree(CASE, case, ignore=shutil.ignore_patterns("out"))
        out = Path(scratch) / "letters"
        wall = cpu = 0.0
        for kind, extra in LETTERS:
            measured = run_measured([sys.executable, "-P", "-m", "bundler", "letter", kind, str(case),
                                     "-o", str(out), "--pdf", "--force", *extra], env)
            wall += measured.wall
            cpu += measured.cpu
        return wall, cpu, len(list(out.glob("*.pdf")))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds [default: 5]")
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    one, five, _ = os.getloadavg()
    print(f"load average {one:.1f} {five:.1f} on {os.cpu_count()} cores")
    versions: dict[str, dict[str, str] | None] = {"this checkout": None}
    if args.before is not None:
        versions["--before"] = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
    walls: dict[str, list[float]] = {name: [] for name in versions}
    cpus: dict[str, list[float]] = {name: [] for name in versions}
    letters = 0
    for round_ in range(args.repeat):
        for name, env in versions.items():
            wall, cpu, letters = one_round(env)
            walls[name].append(wall)
            cpus[name].append(cpu)
            print(f"round {round_ + 1}, {name}: {wall:.2f} s")
    for name in versions:
        print(f"{name}: {len(LETTERS)} commands, {letters} letters as Word and PDF: "
              f"{statistics.median(walls[name]):.2f} s [{min(walls[name]):.2f}-"
              f"{max(walls[name]):.2f}] wall, {statistics.median(cpus[name]):.2f} s processor "
              "time")
    one, five, _ = os.getloadavg()
    print(f"load average {one:.1f} {five:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
