"""Screenshots of the web app's main pages for the README (`make screenshots`).

Starts `bundler serve` on a copy of the sample case, opens each page in headless
Chromium and writes docs/screenshots/*.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.web.browser import chromium, copy_samples, serving  # noqa: E402

TARGET = ROOT / "docs" / "screenshots"
PAGES = [
    ("register", "/?as_of=2026-11-20"),
    ("case", "/cases/nettlebank-road"),
    ("form", "/cases/nettlebank-road/residents/R01/consent"),
    ("checklist", "/cases/nettlebank-road/checklist?as_of=2026-11-20"),
    ("evidence", "/cases/nettlebank-road/evidence"),
    ("report", "/report?from=2026-01-01&to=2026-11-20"),
    ("verify", "/verify"),
]


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        cases = copy_samples(Path(scratch))
        with serving(cases) as server, chromium() as browser:
            page = browser.new_page(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
            page.goto(server.url)
            for name, path in PAGES:
                page.goto(server.base + path)
                page.screenshot(path=str(TARGET / f"{name}.png"), full_page=False)
                print(f"wrote docs/screenshots/{name}.png")


if __name__ == "__main__":
    main()
