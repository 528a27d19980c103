"""The oldest version of a dependency that pyproject.toml allows, installed on its own.

Used to run the toolkit as a recipient with older libraries would (a child process with
the folder first on PYTHONPATH): tests/test_verify_as_seen.py and benchmarks/verify_bench.py.
"""

from __future__ import annotations

import re
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
    """``folder``, holding the oldest allowed ``package`` (installed once, then reused)."""
    version = declared_lower_bound(package)
    marker = folder / f".{package}-{version}"
    if not marker.is_file():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--upgrade", "--target", str(folder), f"{package}=={version}"],
                       check=True, capture_output=True, timeout=300)
        marker.write_text(version, encoding="utf-8")
    return folder
