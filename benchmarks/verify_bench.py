"""Benchmark `bundler bundle verify` against `bundler bundle build` on the same corpus.

Uses the corpus of ``corpus.py`` (generated once, cached under benchmarks/.corpus/),
then times in one run, each as a subprocess so all pay process start-up:

    bundler bundle build SPEC -o OUT.pdf --force --date 2026-01-01
    bundler bundle verify OUT.pdf                      (self-consistency only)
    bundler bundle verify OUT.pdf --sources CORPUS     (re-hash and rebuild)
    the same with the oldest pypdf the package allows  (a recipient with other versions:
                                                        the rebuild is not byte-identical,
                                                        so every page is rendered and
                                                        compared as a reader sees it)

and prints the times with the ratio to the build and peak RSS (of the verifying process;
the rendering children are bounded at 2 GB each). Target (issue 4): ``verify --sources``
with the builder's versions takes at most about twice the build time; the render
comparison's cost is reported, not bounded (issue 17).

    .venv/bin/python benchmarks/verify_bench.py               # 299 files, 2,600 pages
    .venv/bin/python benchmarks/verify_bench.py --pages 10000 # scale up
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bundle_bench import OUT_ROOT, run_measured  # noqa: E402
from corpus import CORPUS_ROOT, make_corpus  # noqa: E402

from tests.oldest import install_oldest  # noqa: E402

TARGET = 2.0  # verify --sources / build


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=2600, help="total pages in the corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (best kept)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    spec, items = make_corpus(args.pages)
    print(f"corpus: {len(items)} files, {args.pages} pages, {spec.parent} "
          f"(ready in {time.perf_counter() - t0:.1f}s)")
    OUT_ROOT.mkdir(exist_ok=True)
    out = OUT_ROOT / f"verify-{args.pages}.pdf"
    python = [sys.executable, "-m", "bundler", "bundle"]
    commands = {
        "build": [*python, "build", str(spec), "-o", str(out), "--force", "--date",
                  "2026-01-01"],
        "verify": [*python, "verify", str(out)],
        "verify --sources": [*python, "verify", str(out), "--sources", str(spec.parent)],
        "  with oldest pypdf": [*python, "verify", str(out), "--sources", str(spec.parent)],
    }
    oldest = install_oldest("pypdf", CORPUS_ROOT / "oldest-pypdf")
    environments = {"  with oldest pypdf": {
        **os.environ, "PYTHONPATH": os.pathsep.join([str(oldest), str(HERE.parent)])}}
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(args.repeat):  # interleaved so all see the same machine state
        for name, argv in commands.items():  # build first: verify needs its output
            measured = run_measured(argv, environments.get(name))
            runs[name].append((measured.wall, measured.total))

    build_time = min(t for t, _ in runs["build"])
    mb = 1024 * 1024
    print(f"{'':22}{'time':>10}{'vs build':>10}{'peak RSS':>13}")
    for name, measured in runs.items():
        best = min(t for t, _ in measured)
        rss = max(r for _, r in measured)
        print(f"{name:22}{best:>9.2f}s{best / build_time:>10.2f}{rss / mb:>10.1f} MB")
    ratio = min(t for t, _ in runs["verify --sources"]) / build_time
    ok = ratio <= TARGET
    print(f"target (verify --sources <= {TARGET:g}x build): "
          f"{'met' if ok else 'NOT MET'} ({ratio:.2f}x, best of {args.repeat})")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
