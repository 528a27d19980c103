"""The oldest version of a dependency that pyproject.toml allows, installed on its own.

Used to run the toolkit as a recipient with older libraries would (a child process with
the folder first on PYTHONPATH): tests/test_verify_as_seen.py and benchmarks/verify_bench.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def declared_lower_bound(package: str) -> str:
    """The version after ``>=`` in the package's requirement in pyproject.toml."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for requirement in pyproject["project"]["dependencies"]:
        found = re.match(rf"^{re.escape(package)}(\[[^\]]*\])?>=([\w.]+)", requirement)
        if found:
            return found.group(2)
    raise LookupError(f"{package} has no lower bound in pyproject.toml")


def install_oldest(package: str, folder: Path) -> Path:
    """A folder inside ``folder`` holding the oldest allowed ``package`` and nothing else,
    named by the version (installed once, then reused). When the lower bound changes the
    new version goes into a folder of its own, so what an earlier bound installed (its
    modules, its dist-info) can never be imported or reported in its place."""
    version = declared_lower_bound(package)
    target = folder / f"{package}-{version}"
    marker = target / ".installed"
    if not marker.is_file():
        shutil.rmtree(target, ignore_errors=True)  # (an install that did not finish)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--target", str(target), f"{package}=={version}"],
                       check=True, capture_output=True, timeout=300)
        marker.write_text(version, encoding="utf-8")
    return target
