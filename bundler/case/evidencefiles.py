"""Files under ``evidence/`` that no record names, or that the audit log does not vouch for.

A file dropped into ``evidence/`` by hand has no audit entry saying what it was
when it arrived; a file no record names is either forgotten or wrong. Neither
makes the records impossible, so ``bundler validate`` shows them as notes, each
with what to do. Retired files (``evidence/.retired/``) are left alone, except
that a record naming one is noted.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bundler.audit.intake import EVIDENCE_DIR, RETIRED_DIR, recorded_evidence
from bundler.audit.log import read_entries
from bundler.case.references import Reference, evidence_references
from bundler.errors import BundlerError, InputNotFound
from bundler.fileio import sha256_file


@dataclass(frozen=True)
class EvidenceFile:
    """One file under evidence/ and what the records and the audit log say of it."""

    path: str  # as the records name it: evidence/...
    named: bool  # some record names it
    recorded: bool  # an evidence_added entry recorded it (and it was not retired since)
    changed_since: int | None = None  # seq of the entry that recorded other bytes
    link: bool = False

    @property
    def noteworthy(self) -> bool:
        return self.link or not self.named or not self.recorded or self.changed_since is not None

    def message(self, case_dir: Path) -> str:
        """What is wrong with the file, and what to do, in one line."""
        on_disk = shlex.quote(str(case_dir / self.path))
        case = shlex.quote(str(case_dir))
        retire = f"`bundler evidence retire {case} {shlex.quote(self.path)} --reason TEXT`"
        if self.link:
            return (
                "is a link to another file; the toolkit does not follow links in evidence/: "
                "put the file itself here with `bundler evidence add`"
            )
        if self.changed_since is not None:
            return (
                f"has changed since it was added (audit entry {self.changed_since}); if the "
                f"change is right, record it with `bundler evidence add {case} {on_disk} "
                f"--force`, else put back the file as it was added"
                + ("" if self.named else "; no record names it")
            )
        if not self.named and not self.recorded:
            return (
                "no record names this file and it was not added through `bundler evidence "
                f"add`; if it belongs to the case, name it in the records and record it with "
                f"`bundler evidence add {case} {on_disk}`, else take it out with {retire}"
            )
        if not self.named:
            return (
                "no record names this file; name it where it belongs in the records, or take "
                f"it out with {retire}"
            )
        folder = shlex.quote(str(case_dir / EVIDENCE_DIR))
        return (
            "was not added through `bundler evidence add`, so the audit log does not say "
            f"what arrived; check it, then record it where it is with `bundler evidence add "
            f"{case} {folder}` (which records every such file)"
        )


@dataclass(frozen=True)
class EvidenceFilesReport:
    files: tuple[EvidenceFile, ...]  # every file under evidence/ except the retired ones
    retired_named: tuple[tuple[Reference, str], ...]  # records naming a retired file
    log_problem: str | None  # why the audit log could not be read (files then count as recorded)

    def notes(self) -> tuple[EvidenceFile, ...]:
        return tuple(f for f in self.files if f.noteworthy)


def evidence_files(case_dir: Path) -> tuple[list[str], list[str]]:
    """(files, links) under evidence/, as case paths, in sorted order; never follows links
    and leaves out evidence/.retired/."""
    files: list[str] = []
    links: list[str] = []
    root = case_dir / EVIDENCE_DIR
    if not root.is_dir() or root.is_symlink():
        return files, links
    for folder, subfolders, names in os.walk(root):
        here = PurePosixPath(Path(folder).relative_to(case_dir).as_posix())
        if here == PurePosixPath(EVIDENCE_DIR):
            subfolders[:] = [s for s in subfolders if s != RETIRED_DIR]
        for name in subfolders:  # os.walk does not descend into links: list them
            if (Path(folder) / name).is_symlink():
                links.append((here / name).as_posix())
        subfolders.sort()
        for name in names:
            target = (here / name).as_posix()
            (links if (Path(folder) / name).is_symlink() else files).append(target)
    return sorted(files), sorted(links)


def check_evidence_files(case_dir: Path) -> EvidenceFilesReport:
    """Compare the files under evidence/ with the records and the audit log."""
    named = evidence_references(case_dir)
    log_problem: str | None = None
    try:
        recorded = recorded_evidence(read_entries(case_dir))
    except InputNotFound:
        recorded = {}
    except BundlerError as exc:
        recorded = {}
        log_problem = exc.message
    files, links = evidence_files(case_dir)
    found: list[EvidenceFile] = []
    for path in files:
        entry = recorded.get(path)
        changed: int | None = None
        if entry is not None:
            try:
                if sha256_file(case_dir / path) != entry[0].sha256:
                    changed = entry[1]
            except OSError:
                changed = entry[1]
        vouched = entry is not None or log_problem is not None
        found.append(EvidenceFile(path, path in named, vouched, changed))
    found.extend(EvidenceFile(path, path in named, True, link=True) for path in links)
    found.sort(key=lambda f: f.path)
    retired_prefix = f"{EVIDENCE_DIR}/{RETIRED_DIR}/"
    retired_named = tuple(
        (reference, path)
        for path, references in sorted(named.items())
        if path.startswith(retired_prefix)
        for reference in references
    )
    return EvidenceFilesReport(tuple(found), retired_named, log_problem)
