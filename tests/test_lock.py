"""The lock files: this environment is exactly its lock, the locks agree with each other and
with pyproject.toml, and the oldest lock really holds the lower bounds pyproject declares.

`make test` runs in the venv `make venv` installs from requirements-dev.lock; CI's second run
(`make test-oldest`) sets BUNDLER_TEST_LOCK to .ci/requirements-oldest.lock.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from bundler.doctor import read_lock

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
OLDEST_LOCK = ROOT / ".ci" / "requirements-oldest.lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _declared(*extras: str) -> list[Requirement]:
    lines = list(PYPROJECT["dependencies"])
    for extra in extras:
        lines += PYPROJECT["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def test_installed_packages_are_exactly_the_lock() -> None:
    """A fresh install's `pip freeze` is the lock: same packages, same versions, nothing more."""
    lock = Path(os.environ.get("BUNDLER_TEST_LOCK", DEV_LOCK))
    freeze = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True, text=True, check=True,
    ).stdout
    installed = {}
    for line in freeze.splitlines():
        name, _, version = line.partition("==")
        installed[canonicalize_name(name)] = version
    assert installed == read_lock(lock), f"this environment is not {lock.name}: run `make venv`"


@pytest.mark.parametrize("lock", [LOCK, DEV_LOCK, OLDEST_LOCK], ids=lambda p: p.name)
def test_every_locked_package_has_its_hashes(lock: Path) -> None:
    text = lock.read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9][\w.-]*)==\S+(.*?)(?=^[A-Za-z0-9]|\Z)", text,
                         flags=re.MULTILINE | re.DOTALL)
    assert len(entries) >= len(read_lock(lock))
    assert [name for name, rest in entries if "--hash=sha256:" not in rest] == []


def test_dev_lock_has_the_runtime_lock_versions() -> None:
    runtime, dev = read_lock(LOCK), read_lock(DEV_LOCK)
    assert {name: dev.get(name) for name in runtime} == runtime


@pytest.mark.parametrize(("lock", "extras"), [(LOCK, ()), (DEV_LOCK, ("test", "dev", "mutate"))],
                         ids=["runtime", "dev"])
def test_locked_versions_satisfy_pyproject(lock: Path, extras: tuple[str, ...]) -> None:
    pins = read_lock(lock)
    unmet = [str(req) for req in _declared(*extras)
             if not req.specifier.contains(pins.get(canonicalize_name(req.name), "0"),
                                           prereleases=True)]
    assert unmet == [], f"run `make lock`: {lock.name} does not satisfy these"


def test_oldest_lock_holds_each_declared_lower_bound() -> None:
    """So CI's oldest run tests exactly the versions pyproject.toml promises to work with."""
    pins = read_lock(OLDEST_LOCK)
    bounds = {canonicalize_name(req.name): Version(spec.version)
              for req in _declared("test", "dev")
              for spec in req.specifier if spec.operator == ">="}
    assert {name: Version(pins[name]) for name in bounds if name in pins} == bounds
