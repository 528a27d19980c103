"""Receiving an evidence file into a case folder (``bundler evidence add``).

The copy and its audit entry happen under the audit log's exclusive lock, so
two officers adding the same name at once cannot silently replace each other's
file: the second is refused (or, with ``force``, its entry records the SHA-256
of the file it replaced). The copy is put in place only once its entry is
appended: a log that cannot be appended leaves no unrecorded copy behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bundler.audit.log import check_appendable, exclusive_log
from bundler.audit.model import AuditAction, AuditEntry
from bundler.errors import BadInput, InputNotFound, OutputExists, OutputFailed
from bundler.fileio import StagedOutputs, sha256_file
from bundler.paths import inside

EVIDENCE_DIR = "evidence"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class EvidenceAdded:
    path: Path  # the copy inside CASE_DIR/evidence/
    sha256: str
    bytes: int
    replaced_sha256: str | None  # the file replaced with force, if any
    entry: AuditEntry  # the evidence_added entry


def evidence_destination(case_dir: Path, source: Path, as_path: str | None) -> Path:
    """``case_dir/evidence/<as_path or the file's name>``, refusing names that escape it."""
    name = as_path if as_path is not None else source.name
    relative = PurePosixPath(name.replace("\\", "/"))
    if (
        not name.strip()
        or relative.is_absolute()
        or any(part in ("", ".", "..") for part in relative.parts)
        or not relative.parts
    ):
        raise BadInput(
            f"{name}: not a name inside the case's evidence folder",
            "Give a plain file name, optionally in subfolders, e.g. provider/tenancy-R01.pdf.",
        )
    # a symbolic link in the way must not carry the copy out of the case folder
    return inside(case_dir, PurePosixPath(EVIDENCE_DIR, *relative.parts).as_posix(),
                  shown=name, where="the case's evidence folder")


def add_evidence(
    case_dir: Path,
    source: Path,
    *,
    as_path: str | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
) -> EvidenceAdded:
    """Copy ``source`` byte for byte into ``case_dir/evidence/`` and record it in the log.

    The copy is atomic (temporary file, fsync, rename). Raises InputNotFound
    (no such file or case folder), BadInput (a folder, or a bad ``as_path``),
    OutputExists (the name is taken and ``force`` is not set), OutputFailed.
    """
    if not source.exists():
        raise InputNotFound.for_path(source)
    if not source.is_file():
        raise BadInput(f"{source}: is not a file", "Add files one at a time.")
    destination = evidence_destination(case_dir, source, as_path)
    check_appendable(case_dir)  # before anything is copied
    with exclusive_log(case_dir) as writer:
        if destination.exists() and not force:
            raise OutputExists(
                f"{destination}: already exists; nothing was changed",
                "Give the copy another name with --as, or add --force to replace it "
                "(the audit log keeps the replaced file's SHA-256).",
            )
        replaced = None
        if destination.exists():
            if not destination.is_file():
                raise BadInput(f"{destination}: is a folder", "Choose another name with --as.")
            replaced = sha256_file(destination)
        details = {"replaced_sha256": replaced} if replaced is not None else {}
        with StagedOutputs() as staged:
            digest, size = _copy(source, destination, staged)
            # The copy is put in place only once its entry is in the log.
            entry = writer.commit(
                AuditAction.EVIDENCE_ADDED,
                staged,
                inputs=(source,),
                details=details,
                now=now,
            )
    if entry.outputs[0].sha256 != digest:  # pragma: no cover - failing disk
        raise OutputFailed(f"{destination}: the copy does not read back identically")
    return EvidenceAdded(destination, digest, size, replaced, entry)


def _copy(source: Path, destination: Path, staged: StagedOutputs) -> tuple[str, int]:
    """Copy into a staged file, hashing the bytes as they are read."""
    digest = hashlib.sha256()
    size = 0
    try:
        reader = source.open("rb")
    except OSError as exc:
        raise BadInput(f"{source}: cannot be read ({exc.strerror})") from exc
    with reader, staged.writer(destination) as writer:
        for block in iter(lambda: reader.read(_CHUNK), b""):
            digest.update(block)
            size += len(block)
            writer.write(block)
    return digest.hexdigest(), size
