"""Benchmark the sample's six letters as Word and PDF, the way `make demo` writes them.

Copies the sample case (samples/nettlebank-road) to a temporary folder each round, then runs
the `bundler letter KIND CASE -o OUT --pdf --force ...` commands of `make demo` (read from the
Makefile) one after the other, each a child process, and prints the median wall time of the six with the spread and
the processor time (LibreOffice's included). With ``--before DIR`` (another checkout of the
toolkit, e.g. ``git worktree add /tmp/before main``), that code runs the same commands in
alternate rounds, so both see the same machine (``python -P``: the current folder's copy of
the toolkit is never imported instead).

    .venv/bin/python benchmarks/letters_bench.py --repeat 5 [--before DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bundle_bench import run_measured  # noqa: E402

CASE = HERE.parent / "samples" / "nettlebank-road"
MAKEFILE = HERE.parent / "Makefile"
# `$(BIN)/bundler letter KIND $(CASE) -o $(OUT)/letters --pdf --force [more options]`
_LETTER_LINE = re.compile(r"^\t\$\(BIN\)/bundler letter ([a-z-]+) \$\((?:CASE|WORK)\) -o \S+ "
                          r"--pdf --force(.*)$")


def demo_letters(makefile: Path = MAKEFILE) -> list[tuple[str, list[str]]]:
    """The letter commands of the Makefile's demo target: (kind, options after --force),
    with the Makefile's DEMO_DATE put in."""
    text = makefile.read_text(encoding="utf-8")
    found = re.search(r"^DEMO_DATE := (\S+)$", text, re.MULTILINE)
    demo_date = found.group(1) if found else ""
    letters = []
    for line in text.splitlines():
        match = _LETTER_LINE.match(line)
        if match:
            extra = match.group(2).replace("$(DEMO_DATE)", demo_date).split()
            letters.append((match.group(1), extra))
    if not letters:
        raise SystemExit(f"{makefile}: no `bundler letter` commands found in the demo target")
    return letters


def one_round(env: dict[str, str] | None,
              letters: list[tuple[str, list[str]]]) -> tuple[float, float, int]:
    """(wall seconds, processor seconds, letters written) for the demo's letter commands."""
    with tempfile.TemporaryDirectory(prefix="bundler-letters-bench-") as scratch:
        case = Path(scratch) / "case"
        shutil.copytree(CASE, case, ignore=shutil.ignore_patterns("out"))
        out = Path(scratch) / "letters"
        wall = cpu = 0.0
        for kind, extra in letters:
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
    commands = demo_letters()
    written = 0
    for round_ in range(args.repeat):
        for name, env in versions.items():
            wall, cpu, written = one_round(env, commands)
            walls[name].append(wall)
            cpus[name].append(cpu)
            print(f"round {round_ + 1}, {name}: {wall:.2f} s")
    for name in versions:
        print(f"{name}: {len(commands)} commands, {written} letters as Word and PDF: "
              f"{statistics.median(walls[name]):.2f} s [{min(walls[name]):.2f}-"
              f"{max(walls[name]):.2f}] wall, {statistics.median(cpus[name]):.2f} s processor "
              "time")
    one, five, _ = os.getloadavg()
    print(f"load average {one:.1f} {five:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
