"""`bundler doctor`: the versions that shape what the toolkit makes, against the lock.

A council that rebuilds a served bundle months later gets the same bytes only with the
same versions of what shaped them: the libraries a bundle's manifest records
(``libraries``: pypdf, reportlab, Pillow, zlib, pillow-heif and libheif, extract-msg,
LibreOffice, tesseract and its English data), plus libmagic, which recognises file types.
This module reports those for this machine and compares every installed Python package
with the toolkit's lock, ``requirements.lock``: shipped inside the package as
``_requirements.lock`` (see pyproject.toml), found beside the package in a checkout.

The library never prints: ``diagnose`` returns a ``DoctorReport`` (text lines, JSON).
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import distributions
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from bundler import __version__
from bundler.errors import BadInput, InputNotFound, MissingTool

LOCK_NAME = "requirements.lock"
PACKAGED_LOCK = "_requirements.lock"  # where the wheel carries it, inside the package

# What each recorded name is, for a reader who does not know the libraries.
_ROLES = {
    "LibreOffice": "Word documents and letters to PDF",
    "Pillow": "photographs and scans",
    "extract-msg": "Outlook .msg e-mails",
    "libheif": "iPhone HEIC photographs (inside pillow-heif)",
    "pillow-heif": "iPhone HEIC photographs",
    "pypdf": "reads and writes every PDF",
    "reportlab": "draws cover, index, stamps and certificate",
    "tesseract": "bundle build --ocr",
    "tesseract-eng": "its English language data",
    "zlib": "compresses PDF streams (Python's own)",
    "libmagic": "recognises what a file is",
}


@dataclass(frozen=True)
class Component:
    """A library or program that shapes the output, its version here and in the lock."""

    name: str
    version: str | None  # None: not installed
    locked: str | None = None  # None: not a Python package in the lock
    missing_hint: str = ""  # what to install when it is missing
    optional: bool = False  # only some commands need it

    @property
    def differs(self) -> bool:
        return self.locked is not None and not _same_version(self.version, self.locked)

    def cells(self) -> tuple[str, str, str, str]:
        """Name, version, comparison with the lock, what it does."""
        if self.locked is None:
            against = ""
        elif self.differs:
            against = f"DIFFERS: the lock says {self.locked}"
        else:
            against = "as locked"
        return self.name, self.version or "not installed", against, _ROLES.get(self.name, "")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "locked": self.locked,
                "differs": self.differs}


@dataclass(frozen=True)
class LockDifference:
    """A locked package that is missing here or installed at another version."""

    name: str
    installed: str | None
    locked: str

    def line(self) -> str:
        if self.installed is None:
            return f"DIFFERS  {self.name}: not installed; the lock says {self.locked}"
        return f"DIFFERS  {self.name}: {self.installed} is installed; the lock says {self.locked}"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "installed": self.installed, "locked": self.locked}


@dataclass(frozen=True)
class DoctorReport:
    toolkit: str
    python: str
    lock: Path | None
    locked: int  # locked packages that apply to this machine
    shaping: tuple[Component, ...]  # what a bundle's manifest records, in its order
    programs: tuple[Component, ...]  # other programs the toolkit needs
    differences: tuple[LockDifference, ...]  # every locked package, not only the shaping ones

    @property
    def missing(self) -> tuple[Component, ...]:
        return tuple(c for c in (*self.shaping, *self.programs) if c.version is None)

    @property
    def missing_required(self) -> tuple[Component, ...]:
        return tuple(c for c in self.missing if not c.optional)

    @property
    def ok(self) -> bool:
        return self.lock is not None and not self.differences and not self.missing_required

    def lines(self) -> list[str]:
        rows = [c.cells() for c in (*self.shaping, *self.programs)]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]

        def table(components: tuple[Component, ...]) -> list[str]:
            return ["  " + "  ".join(cell.ljust(width) for cell, width in
                                     zip(c.cells(), [*widths, 0], strict=True)).rstrip()
                    for c in components]

        out = [f"bundler {self.toolkit} on Python {self.python}", "",
               "What shapes a bundle's bytes (the versions its manifest records):",
               *table(self.shaping), "Also needed:", *table(self.programs), ""]
        if self.lock is None:
            out.append("FAIL  lock: the toolkit's requirements.lock was not found beside or "
                       "inside the package, so nothing can be compared with it")
            return out
        out.append(f"Lock: {self.lock} ({self.locked} packages for this machine)")
        out += [d.line() for d in self.differences]
        if self.differences:
            out.append(f"{len(self.differences)} of {self.locked} locked packages differ: "
                       "bundles built here may not be byte-identical to bundles built with "
                       "the locked versions. To install exactly those: "
                       f"pip install --require-hashes -r {self.lock}")
        else:
            out.append(f"PASS  all {self.locked} locked packages are installed at their "
                       "locked versions")
        for component in self.missing:
            label = "NOTE" if component.optional else "MISSING"
            out.append(f"{label}  {component.name} is not installed: {component.missing_hint}")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "toolkit": self.toolkit,
            "python": self.python,
            "lock": str(self.lock) if self.lock else None,
            "locked_packages": self.locked,
            "shaping": [c.to_json() for c in self.shaping],
            "programs": [c.to_json() for c in self.programs],
            "differences": [d.to_json() for d in self.differences],
            "ok": self.ok,
        }


def find_lock() -> Path | None:
    """The lock shipped in the installed package, else the checkout's, else None."""
    package = Path(__file__).resolve().parent
    for candidate in (package / PACKAGED_LOCK, package.parent / LOCK_NAME):
        if candidate.is_file():
            return candidate
    return None


def read_lock(path: Path) -> dict[str, str]:
    """Canonical package name -> pinned version, for the lines whose markers apply here.

    The lock is pip's requirements format as `uv pip compile --generate-hashes` writes it:
    ``name==version ; marker`` with ``--hash`` options, continued by backslashes.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputNotFound.for_path(path, "lock file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: the lock file cannot be read ({type(exc).__name__})",
                       "Give a lock written by `make lock` (pip's requirements format).") from None
    pins: dict[str, str] = {}
    for number, line in _logical_lines(text):
        requirement = _pinned(path, number, line)
        if requirement is None:
            continue
        if requirement.marker is None or requirement.marker.evaluate():
            (spec,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, line) with continuations joined and comments dropped."""
    joined: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0] if not raw.lstrip().startswith("#") else ""
        if not pending:
            start = number
        stripped = line.rstrip()
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        logical = " ".join(part.strip() for part in pending).strip()
        pending = []
        if logical:
            joined.append((start, logical))
    return joined


def _pinned(path: Path, number: int, line: str) -> Requirement | None:
    """The line's ``name==version`` requirement; None for an option line (``-c``, ``--index``)."""
    if line.startswith("-"):
        return None
    words = [w for w in line.split() if not w.startswith("--hash")]
    try:
        requirement = Requirement(" ".join(words))
    except InvalidRequirement:
        requirement = None
    specs = list(requirement.specifier) if requirement else []
    if requirement is None or len(specs) != 1 or specs[0].operator != "==":
        raise BadInput(f"{path}:{number}: not a pinned requirement (name==version)",
                       "Give a lock written by `make lock` (pip's requirements format).")
    return requirement


def installed_versions() -> dict[str, str]:
    """Canonical name -> version of every Python package this interpreter can import."""
    found: dict[str, str] = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(canonicalize_name(name), dist.version)
    return found


def lock_differences(pins: dict[str, str], installed: dict[str, str]) -> list[LockDifference]:
    """Each locked package that is missing or at another version, by name."""
    return [LockDifference(name, installed.get(name), locked)
            for name, locked in sorted(pins.items())
            if not _same_version(installed.get(name), locked)]


def _same_version(installed: str | None, locked: str) -> bool:
    if installed is None:
        return False
    try:
        return Version(installed) == Version(locked)
    except InvalidVersion:
        return installed == locked


def shaping_versions() -> dict[str, str | None]:
    """What a bundle's manifest would record here (every optional part included)."""
    from bundler.bundle.manifest import library_versions
    from bundler.evidence.images import heif_versions
    from bundler.evidence.outlook import reader_versions
    from bundler.libreoffice import libreoffice_version

    extra: dict[str, str] = {**heif_versions(), **reader_versions()}
    found: dict[str, str | None] = {"LibreOffice": libreoffice_version()}
    try:
        from bundler.bundle.ocr import find_engine

        extra.update(find_engine().tool_versions())
    except MissingTool:
        found.update({"tesseract": None, "tesseract-eng": None})
    recorded: dict[str, str | None] = dict(library_versions(extra))
    recorded.update({name: version for name, version in found.items() if name not in recorded})
    return dict(sorted(recorded.items(), key=lambda item: item[0].lower()))


def libmagic_version() -> str | None:
    """libmagic's version (e.g. 5.44), or None when python-magic cannot load it."""
    try:
        import magic

        libmagic: Callable[[], int] = magic.version
        number = int(libmagic())
    except (ImportError, OSError, NotImplementedError, AttributeError):
        return None
    return f"{number // 100}.{number % 100:02d}"


_MISSING_HINTS = {
    "LibreOffice": "letters as PDF and Word evidence need it (Debian package "
                   "libreoffice-writer-nogui)",
    "tesseract": "only `bundle build --ocr` needs it (Debian packages tesseract-ocr "
                 "tesseract-ocr-eng)",
    "tesseract-eng": "only `bundle build --ocr` needs it (Debian package tesseract-ocr-eng)",
    "libmagic": "every evidence file is recognised with it (Debian package libmagic1)",
}
_OPTIONAL = frozenset({"tesseract", "tesseract-eng"})


def diagnose(lock: Path | None = None) -> DoctorReport:
    """This machine's versions against ``lock`` (default: the toolkit's own lock)."""
    lock = lock if lock is not None else find_lock()
    pins = read_lock(lock) if lock is not None else {}

    def component(name: str, version: str | None) -> Component:
        return Component(name, version, pins.get(canonicalize_name(name)),
                         _MISSING_HINTS.get(name, ""), name in _OPTIONAL)

    return DoctorReport(
        toolkit=__version__,
        python=f"{platform.python_version()} ({sys.platform} {platform.machine()})",
        lock=lock,
        locked=len(pins),
        shaping=tuple(component(name, v) for name, v in shaping_versions().items()),
        programs=(component("libmagic", libmagic_version()),),
        differences=tuple(lock_differences(pins, installed_versions())),
    )
