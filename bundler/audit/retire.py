"""Taking a wrong file out of a case (``bundler evidence retire``): nothing is deleted.

The file moves to ``evidence/.retired/`` keeping its path (a second file retired
from the same path becomes ``NAME (2).pdf``, and so on: an earlier retired file
is never overwritten), and the audit log records where it was, where it went,
its SHA-256 and the officer's reason. The move is made safe against a crash in
the middle: the retired copy is made first (a hard link where the disk allows,
else a verified byte copy), then the entry is recorded, and only then does the
file's old name go. Records that still name the file are reported, so the
officer can correct them; ``bundler validate`` would otherwise report the file
as missing.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bundler.audit.intake import EVIDENCE_DIR, RETIRED_DIR, require_case_folder
from bundler.audit.log import check_appendable, exclusive_log
from bundler.audit.model import AuditAction, AuditEntry
from bundler.case.references import Reference, evidence_references
from bundler.errors import BadInput, InputNotFound, OutputExists, OutputFailed
from bundler.fileio import sha256_file

REASON_MAX = 200  # what an audit entry's detail holds


@dataclass(frozen=True)
class EvidenceRetired:
    case_path: str  # where it was, as the records name it: evidence/...
    retired_to: Path  # where it is now, under evidence/.retired/
    sha256: str
    entry: AuditEntry
    still_named_by: tuple[Reference, ...]  # records that still name case_path


def _checked_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise BadInput(
            "--reason: give the reason the file is taken out",
            'E.g. --reason "wrong resident\'s licence; the provider sent R02\'s by mistake".',
        )
    if len(text) > REASON_MAX:
        raise BadInput(
            f"--reason: {len(text)} characters; the audit log keeps at most {REASON_MAX}",
            "Say it in fewer words; longer notes belong in the case records.",
        )
    return text


def _case_path(case_dir: Path, relpath: str) -> str:
    """The file's path as the records name it (evidence/...), from what the officer typed:
    that, or a path to the file from the current folder."""
    typed = relpath.replace("\\", "/")
    evidence = case_dir / EVIDENCE_DIR
    as_named = PurePosixPath(typed)
    if as_named.parts[:1] == (EVIDENCE_DIR,) and ".." not in as_named.parts:
        return as_named.as_posix()
    on_disk = Path(relpath)
    if os.path.lexists(on_disk) and evidence.is_dir():
        parent = on_disk.parent.resolve()  # the file itself may be a link: do not follow it
        if parent.is_relative_to(evidence.resolve()):
            inside = (parent / on_disk.name).relative_to(case_dir.resolve())
            return inside.as_posix()
    raise InputNotFound(
        f"{relpath}: not a file in {case_dir / EVIDENCE_DIR}",
        f"Give the file's path as the records name it, e.g. {EVIDENCE_DIR}/provider/x.pdf.",
    )


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``NAME (2).ext`` and so on when that is taken."""
    candidate = folder / name
    stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
    number = 2
    while os.path.lexists(candidate):
        candidate = folder / f"{stem} ({number}){suffix}"
        number += 1
    return candidate


def _keep_copy(source: Path, target: Path, digest: str) -> None:
    """Make ``target`` hold ``source``'s bytes without ever replacing an existing file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # fails rather than overwrite
        return
    except FileExistsError:
        raise OutputExists(f"{target}: already exists; nothing was changed") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise OutputFailed(f"{target}: cannot write here ({exc.strerror})") from exc
    try:  # a disk without hard links (some network shares): copy, refusing to overwrite
        with source.open("rb") as reader, target.open("xb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
            writer.flush()
            os.fsync(writer.fileno())
    except FileExistsError:
        raise OutputExists(f"{target}: already exists; nothing was changed") from None
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise OutputFailed(f"{target}: cannot write here ({exc.strerror})") from exc
    if sha256_file(target) != digest:  # pragma: no cover - failing disk
        target.unlink(missing_ok=True)
        raise OutputFailed(f"{target}: the copy does not read back identically")


def retire_evidence(
    case_dir: Path, relpath: str, *, reason: str, now: dt.datetime | None = None
) -> EvidenceRetired:
    """Move one file from evidence/ to evidence/.retired/ and record it with ``reason``.

    Raises InputNotFound (no such file), BadInput (not an ordinary file, already
    retired, no reason), OutputFailed (the disk refused).
    """
    require_case_folder(case_dir)
    why = _checked_reason(reason)
    case_path = _case_path(case_dir, relpath)
    parts = PurePosixPath(case_path).parts
    if len(parts) > 1 and parts[1] == RETIRED_DIR:
        raise BadInput(
            f"{case_path}: is already retired",
            "Retired files stay where they are, so the record of what was taken out is kept.",
        )
    source = case_dir / Path(*parts)
    if not os.path.lexists(source):
        raise InputNotFound(
            f"{case_dir / case_path}: file not found",
            f"Check the name; give it as the records do, e.g. {EVIDENCE_DIR}/provider/x.pdf.",
        )
    if source.is_symlink() or not source.is_file():
        raise BadInput(
            f"{case_dir / case_path}: is a folder or a link, not a file",
            "Retire the files themselves, one at a time.",
        )
    if not source.resolve().is_relative_to((case_dir / EVIDENCE_DIR).resolve()):
        raise BadInput(f"{case_dir / case_path}: is not inside the case's evidence folder")
    retired_root = case_dir / EVIDENCE_DIR / RETIRED_DIR
    check_appendable(case_dir)  # before the copy is made
    with exclusive_log(case_dir) as writer:
        digest = sha256_file(source)
        target = _free_name(retired_root / Path(*parts[1:-1]), parts[-1])
        _keep_copy(source, target, digest)
        try:
            entry = writer.record(
                AuditAction.EVIDENCE_RETIRED,
                inputs=(source,),
                outputs=(target,),
                details={"reason": why},
                now=now,
            )
        except BaseException:
            target.unlink(missing_ok=True)  # nothing recorded: leave the case as it was
            raise
        try:
            source.unlink()
        except OSError as exc:
            raise OutputFailed(
                f"{source}: recorded as retired (audit entry {entry.seq}) and kept in "
                f"{target}, but its old name could not be removed ({exc.strerror})",
                "Remove the file from its old place yourself; its bytes are safe in "
                f"{EVIDENCE_DIR}/{RETIRED_DIR}/.",
            ) from exc
    named = tuple(evidence_references(case_dir).get(case_path, ()))
    return EvidenceRetired(case_path, target, digest, entry, named)
