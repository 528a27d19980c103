"""Benchmark the web app's pages: the register over many cases, and a case's pages.

Generates CASES copies of the sample case (different references, providers, schemes and
lead officers; evidence hard-linked, so the copies cost no disk), then times in one run,
through the app itself (the ASGI application, in process, as a browser's request would
reach it, token and security checks included):

    GET /                the register: cold (first request after start) and warm
    GET /cases/X         a case's overview
    GET /cases/X/checklist, a resident's form, the largest form (para 85 items)

and, as the reference measured in the same run, `validate_case` on one case (what
`bundler validate` does: the floor of every case page). Issue 13's targets: the register
over 200 cases in under a second, case pages in under 200 ms on the sample.

    .venv/bin/python benchmarks/web_bench.py              # 200 cases
    .venv/bin/python benchmarks/web_bench.py --cases 500
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "samples" / "nettlebank-road"
TOKEN = "benchmark-token-0123456789"
PROVIDERS = ["Brackenfold Support CIC", "Harrowgate Living Ltd", "Oakmere Housing Trust",
             "Tamsin Lane Support", "Wexcombe Homes CIC"]
OFFICERS = ["Priya Marchetti", "Tomasz Ellery"]


def make_cases(root: Path, count: int) -> None:
    """``count`` copies of the sample with their own reference, provider, scheme and lead."""
    for number in range(count):
        target = root / f"case-{number:03d}"
        shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("out", "audit.jsonl"),
                        copy_function=os.link)
        case = target / "case.yaml"
        text = case.read_text(encoding="utf-8")
        case.unlink()  # hard-linked: write a file of its own
        text = (text.replace("WBC-SHR-2026-014", f"WBC-SHR-2026-{number + 100:03d}")
                .replace("Brackenfold Support CIC", PROVIDERS[number % len(PROVIDERS)])
                .replace("name: Nettlebank House", f"name: Scheme {number:03d}")
                .replace("lead_officer: Priya Marchetti",
                         f"lead_officer: {OFFICERS[number % len(OFFICERS)]}"))
        case.write_text(text, encoding="utf-8")


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    found = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        found.append(time.perf_counter() - start)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from starlette.testclient import TestClient

    from bundler.case.validate import validate_case
    from bundler.web.app import create_app
    from bundler.web.security import access_for

    with tempfile.TemporaryDirectory(prefix="bundler-web-bench-") as scratch:
        root = Path(scratch)
        t0 = time.perf_counter()
        make_cases(root, args.cases)
        print(f"{args.cases} cases generated in {time.perf_counter() - t0:.1f} s")
        app = create_app(root, access_for(TOKEN, "127.0.0.1", 8470),
                         today=lambda: dt.date(2026, 11, 20))
        with TestClient(app, base_url="http://127.0.0.1:8470") as client:
            client.get(f"/?token={TOKEN}", follow_redirects=False)

            def get(url: str) -> Callable[[], object]:
                def call() -> object:
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                    return response

                return call

            cold = timed(get("/"), 1)[0]  # `bundler serve` validates in the background at start
            warm = timed(get("/"), args.repeat)
            one = root / "case-000"
            reference = timed(lambda: validate_case(one), args.repeat)
            pages = {
                "register (warm)": warm,
                "case overview": timed(get("/cases/case-000"), args.repeat),
                "checklist": timed(get("/cases/case-000/checklist"), args.repeat),
                "resident form (R01 evidence)": timed(
                    get("/cases/case-000/residents/R01/evidence"), args.repeat),
                "largest form (para 85 items)": timed(
                    get("/cases/case-000/records/information_request"), args.repeat),
            }
    ref = statistics.median(reference)
    print(f"reference: validate_case on one case, median {ref * 1000:.1f} ms")
    print(f"register (cold, {args.cases} cases validated): {cold * 1000:.0f} ms "
          f"({cold / ref:.0f}x validate)")
    print(f"{'page':34}{'median':>10}{'max':>10}{'vs validate':>13}")
    for name, times in pages.items():
        median = statistics.median(times)
        print(f"{name:34}{median * 1000:>8.1f}ms{max(times) * 1000:>8.1f}ms{median / ref:>12.2f}x")
    register_ok = statistics.median(warm) < 1.0
    pages_ok = all(statistics.median(t) < 0.2 for n, t in pages.items() if n != "register (warm)")
    print(f"targets: register under 1 s: {'met' if register_ok else 'NOT met'}; "
          f"case pages under 200 ms: {'met' if pages_ok else 'NOT met'}")


if __name__ == "__main__":
    main()
