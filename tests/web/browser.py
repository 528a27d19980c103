"""Start `bundler serve` as a user would and drive Debian's Chromium with Playwright.

Shared by the browser tests and `make screenshots`. Chromium comes from Debian
(`scripts/system-deps.sh --test` installs it); Playwright never downloads a browser here.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = os.environ.get("BUNDLER_CHROMIUM", "/usr/bin/chromium")
# What Chromium needs on a closed, headless, root machine (see the README's test section).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
TOKEN = "browser-test-token-0123456789"


@dataclass
class Server:
    url: str  # the address printed, with ?token=
    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[str]
    log: Path


@contextlib.contextmanager
def serving(cases_dir: Path, *extra: str) -> Iterator[Server]:
    """`bundler serve CASES_DIR --port 0` with a known token; stopped afterwards."""
    log = Path(tempfile.mkstemp(prefix="bundler-serve-", suffix=".log")[1])
    env = {**os.environ, "BUNDLER_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
    with log.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "bundler", "serve", str(cases_dir), "--port", "0", *extra],
            stdout=subprocess.PIPE, stderr=err, text=True, env=env,
        )
    try:
        assert process.stdout is not None
        url = ""
        for line in process.stdout:
            found = re.match(r"^Open (http://\S+)$", line.strip())
            if found:
                url = found.group(1)
                break
        if not url:
            raise RuntimeError(f"bundler serve did not start: {log.read_text()}")
        base = url.split("/?", 1)[0]
        yield Server(url, base, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser (Playwright's Browser)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: run `bash scripts/system-deps.sh --test` "
                           "as root (Debian package chromium)")
    profile = tempfile.mkdtemp(prefix="bundler-chromium-")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def copy_samples(target: Path) -> Path:
    """A cases folder holding a fresh copy of the sample case (no outputs, no audit log)."""
    root = Path(__file__).resolve().parents[2] / "samples"
    cases = target / "cases"
    shutil.copytree(root, cases, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    return cases
