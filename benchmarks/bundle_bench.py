"""Benchmark `bundler bundle build` and `verify` against `qpdf --empty --pages`, same files.

For each corpus size (``--pages``, default 2,600 and 10,000; see ``corpus.py`` for what the
corpus holds, printed before the figures) it runs, interleaved so all see the same machine
state, ``--repeat`` times each (default 5), every one a child process that pays its own
start-up:

    qpdf --empty --pages FILES... -- OUT.pdf            (the reference: one core)
    bundler bundle build SPEC -o OUT.pdf --force --date 2026-01-01
    bundler bundle verify OUT.pdf                       (the bundle with itself)
    bundler bundle verify OUT.pdf --sources CORPUS      (re-hash and rebuild)

and prints, per command, the median wall time with the spread (fastest to slowest run), the
processor time (user + system, children included), the peak memory and the output size, then
the ratios. Ratios are the median of each round's own ratio (both measured seconds apart),
with their spread. Memory is measured per child, so each tool reports its own: ``largest
process`` is the kernel's peak RSS of the child or of any process it started (``wait4``);
``all (RSS)`` is the peak of the sum of the resident sizes of the child and its worker
processes at the same moment, and ``all (PSS)`` the same with each page shared between them
counted once (its proportional set size, from /proc/PID/smaps_rollup; both read every
10 ms). The RSS sum counts the interpreter, the libraries and every page a forked worker
still shares with the process it was forked from once per process; the PSS sum is the
memory the build takes from the machine, and the target (200 MB) is checked against the
larger of it and the largest process.

Last, when the build takes ``--workers``, the corpus is built with ``--workers 1`` and
``--workers 2`` into folders of their own and the two bundles compared byte for byte (a build
without the option uses one process: nothing to compare).

The toolkit is measured as installed: its modules compiled to bytecode first (``pip install``
does this; an editable install run with PYTHONDONTWRITEBYTECODE=1, as on the development
machines, would otherwise compile every module on every run, about 0.1 s each time).

Targets (issue 14): build <= 1.0x qpdf, peak memory <= 200 MB, output <= 1.1x qpdf's,
verify <= 0.3x build, verify --sources <= 1.0x build, identical bundles. Exit 1 if one is
missed. On a machine shared with other work, read the spread and the load average printed.

    .venv/bin/python benchmarks/bundle_bench.py                      # make bench
    .venv/bin/python benchmarks/bundle_bench.py --pages 2600 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import describe, make_corpus, qpdf_inputs  # noqa: E402

OUT_ROOT = HERE / "out"
MB = 1024 * 1024
TARGETS = {"build": 1.0, "verify": 0.3, "verify --sources": 1.0}
MAX_MEMORY = 200 * MB
MAX_SIZE = 1.1


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds, the child and every process it waited for
    largest: int  # bytes: peak RSS of the child or of one of its processes (wait4)
    total: int  # bytes: peak of the summed RSS of the child's process tree (sampled)
    proportional: int  # bytes: peak of the summed PSS of the child's process tree (sampled)


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/PID/task/*/children)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _rss(pid: int) -> int:
    return _kilobytes(f"/proc/{pid}/status", "VmRSS:")


def _pss(pid: int) -> int:
    return _kilobytes(f"/proc/{pid}/smaps_rollup", "Pss:")


def _kilobytes(path: str, key: str) -> int:
    """The ``key`` line of a /proc file (in kB) in bytes; 0 once the process has gone."""
    try:
        text = Path(path).read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    return 0


def run_measured(argv: list[str], env: dict[str, str] | None = None,
                 ok: tuple[int, ...] = (0,)) -> Run:
    """Run ``argv`` as a child process (in ``env``, else this environment) and measure it
    (see the module docstring). An exit status not in ``ok`` stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            tree = _tree(proc.pid)
            peak = max(peak, sum(_rss(pid) for pid in tree))
            peak_pss = max(peak_pss, sum(_pss(pid) for pid in tree))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"{' '.join(argv[:4])}... failed with exit {code}:\n{stderr[-2000:]}")
    largest = usage.ru_maxrss * 1024
    return Run(wall, usage.ru_utime + usage.ru_stime, largest, max(peak, largest),
               max(peak_pss, 1))


def _spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    median = statistics.median(values)
    return (f"{median:.{digits}f}{unit} [{min(values):.{digits}f}-{max(values):.{digits}f}]")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


def bench(pages: int, repeat: int) -> dict[str, object]:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        raise SystemExit("qpdf is not installed (apt-get install qpdf)")
    t0 = time.perf_counter()
    spec, items = make_corpus(pages)
    print(f"\n== {pages} pages: corpus {spec.parent} (ready in {time.perf_counter() - t0:.1f} s)")
    print("   " + describe(items))
    OUT_ROOT.mkdir(exist_ok=True)
    ours_out = OUT_ROOT / f"bundle-{pages}.pdf"
    qpdf_out = OUT_ROOT / f"qpdf-{pages}.pdf"
    bundler = [sys.executable, "-m", "bundler", "bundle"]
    commands = {
        "qpdf": [qpdf, "--empty", "--pages", *map(str, qpdf_inputs(spec, items)), "--",
                 str(qpdf_out)],
        "build": [*bundler, "build", str(spec), "-o", str(ours_out), "--force", "--date",
                  "2026-01-01"],
        "verify": [*bundler, "verify", str(ours_out)],
        "verify --sources": [*bundler, "verify", str(ours_out), "--sources", str(spec.parent)],
    }
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for round_ in range(repeat):  # interleaved so all see the same machine state
        for name, argv in commands.items():  # build before verify: verify reads its output
            runs[name].append(run_measured(argv))
        print(f"   round {round_ + 1} of {repeat}: " + ", ".join(
            f"{name} {measured[-1].wall:.2f}s" for name, measured in runs.items()))
    sizes = {"qpdf": qpdf_out.stat().st_size, "build": ours_out.stat().st_size}
    print(f"   {'':18}{'wall time':>24}{'processor time':>24}{'largest process':>17}"
          f"{'all (RSS)':>11}{'all (PSS)':>11}{'output':>10}")
    for name, measured in runs.items():
        size = f"{sizes[name] / MB:.1f} MB" if name in sizes else ""
        print(f"   {name:18}{_spread([r.wall for r in measured]):>24}"
              f"{_spread([r.cpu for r in measured]):>24}"
              f"{max(r.largest for r in measured) / MB:>14.0f} MB"
              f"{max(r.total for r in measured) / MB:>8.0f} MB"
              f"{max(r.proportional for r in measured) / MB:>8.0f} MB{size:>10}")
    ratios = {
        "build": [b.wall / q.wall for b, q in zip(runs["build"], runs["qpdf"], strict=True)],
        "verify": [v.wall / b.wall for v, b in zip(runs["verify"], runs["build"], strict=True)],
        "verify --sources": [v.wall / b.wall for v, b in zip(runs["verify --sources"],
                                                             runs["build"], strict=True)],
    }
    names = {"build": "build / qpdf", "verify": "verify / build",
             "verify --sources": "verify --sources / build"}
    for name, values in ratios.items():
        print(f"   {names[name]:28}{_spread(values, 'x'):>22}   target <= {TARGETS[name]}x")
    cpu = [b.cpu / q.cpu for b, q in zip(runs["build"], runs["qpdf"], strict=True)]
    print(f"   {'build / qpdf, processor time':28}{_spread(cpu, 'x'):>22}   (what a busy "
          "machine's wall times hide)")
    memory = max(max(r.largest, r.proportional) for r in runs["build"])
    size_ratio = sizes["build"] / sizes["qpdf"]
    print(f"   {'output size / qpdf':28}{size_ratio:>10.2f}x             target <= {MAX_SIZE}x")
    identical = _same_bytes(spec, pages)
    if identical is None:
        print("   the build uses one process (no --workers): no worker counts to compare")
    else:
        print(f"   bundles built with --workers 1 and --workers 2: "
              f"{'byte-identical' if identical else 'DIFFERENT'}")
    return {
        "pages": pages, "ratios": {k: statistics.median(v) for k, v in ratios.items()},
        "memory": memory, "size": size_ratio, "identical": identical,
        "build": statistics.median(r.wall for r in runs["build"]),
        "qpdf": statistics.median(r.wall for r in runs["qpdf"]),
    }


def _same_bytes(spec: Path, pages: int) -> bool | None:
    """Whether builds with 1 and 2 workers are byte-identical (None: no --workers option)."""
    usage = subprocess.run([sys.executable, "-m", "bundler", "bundle", "build", "--help"],
                           capture_output=True, text=True, check=True).stdout
    if "--workers" not in usage:
        return None
    outputs = []
    for count in (1, 2):
        folder = OUT_ROOT / f"workers-{count}"
        folder.mkdir(exist_ok=True)
        out = folder / f"bundle-{pages}.pdf"
        run_measured([sys.executable, "-m", "bundler", "bundle", "build", str(spec), "-o",
                      str(out), "--force", "--date", "2026-01-01", "--workers", str(count)])
        outputs.append(out.read_bytes())
    return outputs[0] == outputs[1]


def _identical(value: object) -> str:
    return "one process" if value is None else "yes" if value else "NO"


def _compile_bytecode() -> None:
    """Compile the toolkit's modules, as installing it does (the timings are an installed
    tool's, not a first run's)."""
    import compileall

    import bundler

    for folder in bundler.__path__:
        if not compileall.compile_dir(folder, quiet=1):
            sys.exit(f"{folder}: a module does not compile")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[2600, 10000],
                        help="corpus sizes in pages [default: 2600 10000]")
    parser.add_argument("--repeat", type=int, default=5, help="rounds [default: 5]")
    args = parser.parse_args()
    _compile_bytecode()
    print(f"started: {_load()}")
    results = [bench(pages, args.repeat) for pages in args.pages]
    print(f"\nfinished: {_load()}")
    print(f"{'pages':>8}{'build / qpdf':>14}{'build':>9}{'qpdf':>9}{'memory':>10}{'size':>8}"
          f"{'verify':>9}{'--sources':>11}{'identical':>13}")
    ok = True
    for result in results:
        ratios = result["ratios"]
        assert isinstance(ratios, dict)
        memory = int(result["memory"])  # type: ignore[call-overload]
        print(f"{result['pages']:>8}{ratios['build']:>13.2f}x{result['build']:>8.2f}s"
              f"{result['qpdf']:>8.2f}s{memory / MB:>7.0f} MB{result['size']:>7.2f}x"
              f"{ratios['verify']:>8.2f}x{ratios['verify --sources']:>10.2f}x"
              f"{_identical(result['identical']):>13}")
        ok = ok and all(ratios[name] <= TARGETS[name] for name in TARGETS)
        ok = ok and memory <= MAX_MEMORY and float(result["size"]) <= MAX_SIZE  # type: ignore[arg-type]
        ok = ok and result["identical"] is not False
    print("targets (build <= 1.0x qpdf, memory <= 200 MB, size <= 1.1x, verify <= 0.3x build, "
          "verify --sources <= 1.0x build, identical):", "met" if ok else "NOT MET")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
