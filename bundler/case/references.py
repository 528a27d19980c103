"""Which record names which file under ``evidence/``, and on which line.

Read straight from the YAML (not from the validated model), so it answers
even for records that do not validate yet, and whatever shape the records
take: every value in ``case.yaml``, ``residents/*.yaml`` and the case's
``bundle.yaml`` that is a path inside ``evidence/`` counts, wherever it sits.
Files that cannot be read are left to ``bundler validate`` to report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from bundler.errors import BundlerError
from bundler.yamlio import Loc, YamlSyntaxError, read_yaml
from bundler.yamlmodel import dotted

EVIDENCE_PREFIX = "evidence/"
BUNDLE_SPEC = "bundle.yaml"


@dataclass(frozen=True)
class Reference:
    """One place a record names a file."""

    file: Path  # the record file (case.yaml, residents/R01.yaml, bundle.yaml)
    line: int
    field: str  # e.g. evidence.occupancy_agreement.file, positions counting from 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}"


def record_files(case_dir: Path) -> list[Path]:
    """The files holding the case's records, in the order validate reads them."""
    found = [case_dir / "case.yaml"]
    residents = case_dir / "residents"
    if residents.is_dir():
        found.extend(
            sorted(p for p in residents.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
        )
    found.append(case_dir / BUNDLE_SPEC)
    return [path for path in found if path.is_file()]


def evidence_path(value: str) -> str | None:
    """``value`` as a case path inside evidence/ (``./evidence//x.pdf`` -> ``evidence/x.pdf``),
    or None when it is not one."""
    text = value.strip()
    if "\n" in text or not text:
        return None
    normal = PurePosixPath(text).as_posix()
    if not normal.startswith(EVIDENCE_PREFIX) or ".." in PurePosixPath(normal).parts:
        return None
    return normal


def _strings(data: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*loc, index))
    elif isinstance(data, str):
        yield loc, data


def evidence_references(case_dir: Path) -> dict[str, list[Reference]]:
    """Every path inside evidence/ that the records name -> where each is named."""
    found: dict[str, list[Reference]] = {}
    for path in record_files(case_dir):
        try:
            document = read_yaml(path)
        except (YamlSyntaxError, BundlerError):
            continue
        for loc, value in _strings(document.data, ()):
            named = evidence_path(value)
            if named is not None:
                found.setdefault(named, []).append(
                    Reference(path, document.line_of(loc), dotted(loc))
                )
    return found
