"""Appending to and reading a case folder's ``audit.jsonl``.

Writers take an exclusive ``flock`` on the log file itself, read the last
entry under the lock to chain to it, write the new line with one ``write``,
``fsync`` it, and only then release the lock; readers take a shared lock, so
nobody ever sees half a line written by someone else.

A crash (or a full disk) can still leave the last line cut off: a line with no
``\\n`` at the end. That is never dropped silently. The next writer (or
``repair_log``) either completes it, when the bytes are a whole, correctly
chained entry that only lacks its line ending, or sets the bytes aside in
``audit.jsonl.torn-<seq>`` and records that in the chain as a
``log_repaired`` entry whose output is the set-aside file with its SHA-256.
Until then ``verify_log`` reports the cut-off line as a problem.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import fcntl
import getpass
import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785
from pydantic import ValidationError

from bundler import TOOL_NAME, __version__
from bundler.audit.model import (
    FORMAT,
    GENESIS,
    AuditAction,
    AuditEntry,
    FileRecord,
    ToolInfo,
    canonical_json,
    entry_hash,
    format_time,
)
from bundler.errors import BadInput, BundlerError, InputNotFound, OutputExists, OutputFailed
from bundler.fileio import StagedOutputs, sha256_file, write_bytes_atomic

LOG_NAME = "audit.jsonl"
_TAIL_BLOCK = 1 << 16

log = logging.getLogger(__name__)

# Logs whose lock the current thread holds (see _locked).
_held = threading.local()


def _unreadable_hint(path: Path) -> str:
    return (
        f"Run `bundler audit verify {path.parent}` to see what is wrong, and restore "
        "audit.jsonl from the council's backup; do not edit it by hand."
    )


def log_path(case_dir: Path) -> Path:
    """Where a case folder's audit log lives."""
    return case_dir / LOG_NAME


# --------------------------------------------------------------------------- locking


def _require_case_dir(case_dir: Path) -> None:
    if not case_dir.exists():
        raise InputNotFound.for_path(case_dir, "case folder")
    if not case_dir.is_dir():
        raise BadInput(f"{case_dir}: is a file, not a case folder", "Give the case folder itself.")


def _acquire(fd: int, operation: int, path: Path) -> None:
    """Wait for the lock. Blocking (not polling) lets the kernel hand it over fairly:
    a polling waiter loses every race to a writer that appends in a loop."""
    try:
        fcntl.flock(fd, operation)
    except OSError as exc:  # e.g. a network share that does not support locks
        raise OutputFailed(
            f"{path}: cannot lock the audit log ({exc.strerror})",
            "Keep case folders on a drive that supports file locks (a local disk or the "
            "council's file server), or ask IT.",
        ) from exc


@contextlib.contextmanager
def _locked(case_dir: Path, *, exclusive: bool) -> Iterator[int | None]:
    """Yield a file descriptor on the log holding the lock (``None``: no log yet, read-only)."""
    _require_case_dir(case_dir)
    path = log_path(case_dir)
    if exclusive:
        flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
    else:
        flags = os.O_RDONLY | os.O_CLOEXEC
    existed = path.exists()
    try:
        fd = os.open(path, flags, 0o644)
    except FileNotFoundError:
        if exclusive:
            raise OutputFailed(f"{path}: cannot create the audit log here") from None
        fd = -1
    except OSError as exc:
        verb = "write to" if exclusive else "read"
        raise OutputFailed(f"{path}: cannot {verb} the audit log ({exc.strerror})") from exc
    if fd == -1:
        yield None
        return
    held: set[tuple[int, int]] = _held.__dict__.setdefault("logs", set())
    stat = os.fstat(fd)
    key = (stat.st_dev, stat.st_ino)
    try:
        if key in held:  # flock would wait for ever on a lock this thread holds
            raise RuntimeError(
                f"{path}: this thread already holds the audit log's lock; "
                "record through the LogWriter that exclusive_log() gave"
            )
        _acquire(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH, path)
        held.add(key)
        try:
            if exclusive and not existed:
                _fsync_dir(case_dir)
            yield fd
        finally:
            held.discard(key)
    finally:
        os.close(fd)  # closing releases the lock


def _fsync_dir(folder: Path) -> None:
    """Make a new directory entry (a created log or set-aside file) survive a crash."""
    dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --------------------------------------------------------------------------- reading the tail


@dataclass(frozen=True)
class _Tail:
    """The end of the log: its last complete line and any bytes after it."""

    size: int
    complete_end: int  # offset just after the last b"\n" (0 when there is none)
    last_line: bytes | None  # the last complete line without its b"\n"
    last_line_no: int  # its 1-based line number (0 when there is none)
    torn: bytes  # bytes after the last b"\n" (a cut-off line), usually empty

    def last(self) -> tuple[bytes | None, int]:
        """The last complete line and its number."""
        return self.last_line, self.last_line_no


def _read_tail(fd: int) -> _Tail:
    size = os.fstat(fd).st_size
    if size == 0:
        return _Tail(0, 0, None, 0, b"")
    # Read backwards until the buffer holds two line endings (or the whole file).
    start = size
    buffer = b""
    while start > 0:
        step = min(_TAIL_BLOCK, start)
        start -= step
        buffer = os.pread(fd, step, start) + buffer
        last_nl = buffer.rfind(b"\n")
        if last_nl != -1 and buffer.rfind(b"\n", 0, last_nl) != -1:
            break
    last_nl = buffer.rfind(b"\n")
    if last_nl == -1:
        return _Tail(size, 0, None, 0, buffer)
    torn = buffer[last_nl + 1 :]
    prev_nl = buffer.rfind(b"\n", 0, last_nl)
    if prev_nl == -1 and start > 0:  # pragma: no cover - the loop above reads far enough
        raise AssertionError("tail read stopped early")
    last_line = buffer[prev_nl + 1 : last_nl]
    complete_end = start + last_nl + 1
    return _Tail(size, complete_end, last_line, _count_lines(fd, complete_end), torn)


def _count_lines(fd: int, end: int) -> int:
    count = 0
    offset = 0
    while offset < end:
        block = os.pread(fd, min(1 << 20, end - offset), offset)
        if not block:
            break
        count += block.count(b"\n")
        offset += len(block)
    return count


def parse_line(raw: bytes) -> tuple[dict[str, Any], AuditEntry]:
    """Parse one line (without ``\\n``); raise ValueError saying, without content, what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not valid UTF-8 text") from None
    if not text.strip():
        raise ValueError("blank line")
    try:
        fields = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (at character {exc.pos + 1})") from None
    if not isinstance(fields, dict):
        raise ValueError("not a JSON object")
    if isinstance(fields.get("format"), int) and fields["format"] > FORMAT:
        raise ValueError(
            f"written in audit format {fields['format']} by a newer version of the toolkit; "
            "upgrade the toolkit to read it"
        )
    try:
        entry = AuditEntry.model_validate(fields)
    except ValidationError as exc:
        raise ValueError(_describe_validation_error(exc)) from None
    try:
        canonical_json(fields)
    except rfc8785.CanonicalizationError:
        raise ValueError("holds a value JSON canonical form cannot represent") from None
    return fields, entry


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the field {key!r} appears twice")
        result[key] = value
    return result


def _describe_validation_error(exc: ValidationError) -> str:
    # Never echo the input: it may hold details an officer should not have typed.
    first = exc.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "entry"
    return f"field {where!r}: {first['msg']}"


def _last_entry(path: Path, line: bytes | None, line_no: int) -> AuditEntry | None:
    """The entry on the log's last complete line (``line_no``), which the next one follows."""
    if line is None:
        return None
    try:
        _fields, entry = parse_line(line)
    except ValueError as exc:
        if is_blank(line):
            raise BadInput(
                f"{path}: line {line_no}: the log ends in a blank line, so nothing "
                "can be chained after it",
                f"Run `bundler audit repair {path.parent}` to remove it, then try again.",
            ) from None
        raise BadInput(
            f"{path}: line {line_no}: the last entry cannot be read ({exc}), "
            "so nothing can be chained after it",
            _unreadable_hint(path),
        ) from None
    return entry


def is_blank(raw: bytes) -> bool:
    """A line holding nothing but white space (an editor's or ``echo >>``'s stray line)."""
    return not raw.strip()


# --------------------------------------------------------------------------- writing


def _current_user() -> str:
    try:
        name = getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry (e.g. some containers)
        name = ""
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:256] or f"uid-{os.getuid()}"


def _utc_seconds(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (e.g. datetime.now(datetime.UTC))")
    return now.astimezone(dt.UTC).replace(microsecond=0)


def _display_path(path: Path, case_dir: Path) -> str:
    """Path relative to the case folder when the file is inside it, else as given."""
    # abspath first: it normalises ".." without following symlinks
    for base, target in (
        (Path(os.path.abspath(case_dir)), Path(os.path.abspath(path))),  # noqa: PTH100
        (case_dir.resolve(), path.resolve()),
    ):
        with contextlib.suppress(ValueError):
            return target.relative_to(base).as_posix()
    return str(path)


def file_record(path: Path, case_dir: Path, content: Path | None = None) -> FileRecord:
    """Describe a file by its exact bytes, for an entry's ``inputs`` or ``outputs``.

    ``content`` is where those bytes are now when not yet at ``path`` (a staged output).
    """
    source = path if content is None else content
    if not source.exists():
        raise InputNotFound.for_path(source)
    if not source.is_file():
        raise BadInput(f"{source}: is not a file", "Name a file, not a folder.")
    try:
        digest = sha256_file(source)
        size = source.stat().st_size
    except OSError as exc:
        raise BadInput(f"{source}: cannot be read ({exc.strerror})") from exc
    return FileRecord(path=_display_path(path, case_dir), sha256=digest, bytes=size)


def _write_all(fd: int, data: bytes, path: Path, *, undo_to: int | None = None) -> None:
    """Write and fsync; on failure (disk full) take back any part-written line."""
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except OSError as exc:
        if undo_to is not None:
            with contextlib.suppress(OutputFailed):  # if this fails too, the next append repairs
                _truncate(fd, undo_to, path)
        hint = "Free some disk space, then try again." if exc.errno == errno.ENOSPC else None
        raise OutputFailed(f"{path}: cannot write to the audit log ({exc.strerror})", hint) from exc


def _truncate(fd: int, size: int, path: Path) -> None:
    """Cut the log back to ``size`` bytes (taking back a line), durably."""
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    except OSError as exc:
        raise OutputFailed(f"{path}: cannot repair the audit log ({exc.strerror})") from exc


def _was(files: Sequence[object]) -> str:
    return "was" if len(files) == 1 else "were"


def _append(
    fd: int,
    case_dir: Path,
    action: AuditAction,
    *,
    inputs: Sequence[FileRecord],
    outputs: Sequence[FileRecord],
    details: Mapping[str, str] | None,
    now: dt.datetime | None,
) -> AuditEntry:
    """Append one entry; the caller holds the exclusive lock on ``fd``."""
    path = log_path(case_dir)
    when = _utc_seconds(now)
    _repair_locked(fd, case_dir, now)
    tail = _read_tail(fd)
    last = _last_entry(path, *tail.last())
    if last is not None and when < last.time:
        # Times in the log never go backwards (verify fails an entry whose time does).
        log.warning(
            "%s: this computer's clock (%s) is behind the log's last entry (%s); the entry "
            "is recorded at that entry's time: check the clock",
            path,
            format_time(when),
            format_time(last.time),
        )
        when = last.time
    fields: dict[str, Any] = {
        "format": FORMAT,
        "seq": 1 if last is None else last.seq + 1,
        "time": when,
        "action": AuditAction(action),
        "user": _current_user(),
        "tool": ToolInfo(name=TOOL_NAME, version=__version__),
        "inputs": tuple(inputs),
        "outputs": tuple(outputs),
        "details": dict(details or {}),
        "records": _case_records(case_dir),
        "prev": GENESIS if last is None else last.hash,
        "hash": GENESIS,  # placeholder, replaced below once the content is final
    }
    try:
        draft = AuditEntry.model_validate(fields)
    except ValidationError as exc:
        # Only ``details`` can be wrong here, and that is the calling code's mistake.
        raise ValueError(f"invalid audit entry: {_describe_validation_error(exc)}") from None
    entry = draft.model_copy(update={"hash": draft.computed_hash()})
    _write_all(fd, entry.line(), path, undo_to=tail.size)
    return entry


def _records(paths: Sequence[Path], case_dir: Path) -> tuple[FileRecord, ...]:
    return tuple(file_record(Path(p), case_dir) for p in paths)


RECORD_FILES = ("case.yaml", "letters.yaml")


def _case_records(case_dir: Path) -> tuple[FileRecord, ...] | None:
    """The case's record files as they are now (None outside a case folder): every action
    is then tied to the records it acted on, and edits between actions show."""
    if not (case_dir / RECORD_FILES[0]).is_file():
        return None
    paths = [case_dir / name for name in RECORD_FILES]
    residents = case_dir / "residents"
    if residents.is_dir():
        paths += sorted(p for p in residents.iterdir() if p.suffix in (".yaml", ".yml"))
    return tuple(
        file_record(path, case_dir) for path in paths if path.is_file() and not path.is_symlink()
    )


def record(
    case_dir: Path,
    action: AuditAction,
    *,
    inputs: Sequence[Path] = (),
    outputs: Sequence[Path] = (),
    details: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry to ``case_dir/audit.jsonl`` (created if missing) and return it.

    ``inputs`` and ``outputs`` are hashed now, so call this after the outputs are
    written. ``details`` holds short strings only (keys ``[a-z][a-z0-9_]*``, at
    most 20, values up to 200 characters, one line): references, never names.
    ``now`` (timezone-aware) is for tests; by default the current UTC time.
    Raises InputNotFound (case folder or a named file missing), BadInput (the
    last entry cannot be read), OutputFailed (cannot write or lock the log);
    ValueError for a programming mistake (bad ``details`` or a naive ``now``).
    """
    _require_case_dir(case_dir)
    # Hash before taking the lock: a large bundle takes seconds to hash, and other
    # officers' commands should not wait for that.
    read, written = _records(inputs, case_dir), _records(outputs, case_dir)
    with _locked(case_dir, exclusive=True) as fd:
        assert fd is not None
        return _append(fd, case_dir, action, inputs=read, outputs=written, details=details, now=now)


@contextlib.contextmanager
def exclusive_log(case_dir: Path) -> Iterator[LogWriter]:
    """Hold the log's exclusive lock across several steps (check, write a file, record).

    ``flock`` locks are not re-entrant across separate opens, so code that holds
    this must record through the yielded writer, never through ``record``.
    """
    with _locked(case_dir, exclusive=True) as fd:
        assert fd is not None
        yield LogWriter(fd, case_dir)


def check_appendable(case_dir: Path) -> None:
    """Raise now if an entry could not be appended to the log, before any output is made.

    A command that records its outputs calls this first, so an unusable log (a blank or
    unreadable last line, no permission to write) stops it before it writes anything.
    A last line cut off by a crash is no obstacle: the append sets it aside first.
    """
    _require_case_dir(case_dir)
    path = log_path(case_dir)
    if not path.exists():
        if not os.access(case_dir, os.W_OK | os.X_OK):
            raise OutputFailed(f"{path}: cannot create the audit log here (the case folder "
                               "cannot be written to); nothing was written")
        return
    with _locked(case_dir, exclusive=True) as fd:
        assert fd is not None
        try:
            _last_entry(path, *_read_tail(fd).last())
        except BadInput as exc:
            raise BadInput(f"{exc.message}; nothing was written", exc.hint) from None


def record_staged(
    case_dir: Path,
    action: AuditAction,
    staged: StagedOutputs,
    *,
    inputs: Sequence[Path] = (),
    details: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Record ``staged`` outputs and put them in place, under one hold of the lock.

    See ``LogWriter.commit``. ``inputs`` are hashed before the lock is taken.
    """
    read = _records(inputs, case_dir)
    with exclusive_log(case_dir) as writer:
        return writer.commit(action, staged, inputs=read, details=details, now=now)


class LogWriter:
    """Records entries while its ``exclusive_log`` block holds the lock."""

    def __init__(self, fd: int, case_dir: Path) -> None:
        self._fd = fd
        self._case_dir = case_dir

    def commit(
        self,
        action: AuditAction,
        staged: StagedOutputs,
        *,
        inputs: Sequence[Path | FileRecord] = (),
        details: Mapping[str, str] | None = None,
        now: dt.datetime | None = None,
    ) -> AuditEntry:
        """Append the entry for ``staged`` outputs, then put them in place.

        The outputs are hashed here, under the lock, from the files that will be put in
        place, so two commands writing one output each record their own file (the later
        one's entry comes later). If the entry cannot be appended, nothing is put in
        place; if an output cannot be put in place, the entry is taken back. Either way
        the error says that nothing was written.
        """
        written = staged.files()
        names = ", ".join(str(path) for path, _tmp in written)
        outputs = tuple(file_record(path, self._case_dir, tmp) for path, tmp in written)
        records = tuple(
            item if isinstance(item, FileRecord) else file_record(item, self._case_dir)
            for item in inputs
        )
        try:
            entry = _append(self._fd, self._case_dir, action, inputs=records, outputs=outputs,
                            details=details, now=now)
        except BundlerError as exc:
            staged.discard()
            raise type(exc)(f"{exc.message}; so {names} {_was(written)} not written",
                            exc.hint) from exc
        try:
            staged.commit()
        except OutputFailed as exc:
            path = log_path(self._case_dir)
            _truncate(self._fd, os.fstat(self._fd).st_size - len(entry.line()), path)
            raise OutputFailed(f"{exc.message}; its audit entry was taken back out of {path}",
                               exc.hint) from exc
        return entry

    def entries(self) -> list[AuditEntry]:
        """Every complete entry, read while holding the lock (see ``read_entries``)."""
        return _parse_entries(log_path(self._case_dir), _read_all(self._fd))

    def record(
        self,
        action: AuditAction,
        *,
        inputs: Sequence[Path] = (),
        outputs: Sequence[Path] = (),
        details: Mapping[str, str] | None = None,
        now: dt.datetime | None = None,
    ) -> AuditEntry:
        return _append(
            self._fd,
            self._case_dir,
            action,
            inputs=_records(inputs, self._case_dir),
            outputs=_records(outputs, self._case_dir),
            details=details,
            now=now,
        )


# --------------------------------------------------------------------------- torn writes


@dataclass(frozen=True)
class CutOff:
    """What was done about a last line cut off by a crash."""

    line: int  # the cut-off line's number
    completed: bool  # True: it was a whole entry missing only its line ending
    set_aside: Path | None  # where the cut-off bytes went when not completed
    entry: AuditEntry | None  # the log_repaired entry recorded when set aside


@dataclass(frozen=True)
class Repair:
    """What ``repair_log`` did: blank lines removed, a cut-off last line dealt with."""

    blank_lines: tuple[int, ...] = ()  # their line numbers before the repair
    backup: Path | None = None  # the log as it was before blank lines were removed
    blank_entry: AuditEntry | None = None  # the log_repaired entry recording that
    cut_off: CutOff | None = None

    @property
    def changed(self) -> bool:
        return bool(self.blank_lines) or self.cut_off is not None


_LINES_LISTED = 20


def repair_log(case_dir: Path, now: dt.datetime | None = None) -> Repair:
    """Remove blank lines and deal with a cut-off last line, recording each repair.

    No entry is changed, and the lines removed are blank, so the chain is as before; the
    log as it was is kept beside it (``audit.jsonl.before-repair-N``, its hash in the
    entry). Appending deals with a cut-off line by itself, but never removes blank lines.
    Raises InputNotFound when the case has no log (it is never created here), and
    BadInput when the entry a repair would follow cannot be read (nothing is changed).
    """
    _require_case_dir(case_dir)
    path = log_path(case_dir)
    if not path.exists():
        raise _no_log(case_dir)
    with _locked(case_dir, exclusive=True) as fd:
        assert fd is not None
        data = _read_all(fd)
        complete = data.split(b"\n")
        torn = complete.pop()
        blank = tuple(n for n, raw in enumerate(complete, start=1) if is_blank(raw))
        kept = [raw for raw in complete if not is_blank(raw)]
        # Every repair is recorded after the last entry kept: it must be readable.
        last_no = max((n for n, raw in enumerate(complete, start=1) if not is_blank(raw)),
                      default=0)
        _last_entry(path, complete[last_no - 1] if last_no else None, last_no)
        backup = None
        if blank:
            backup = _free_name(case_dir, f"{LOG_NAME}.before-repair-{len(kept) + 1}")
            write_bytes_atomic(backup, data)
            _fsync_dir(case_dir)
            first = sum(len(raw) + 1 for raw in complete[: blank[0] - 1])
            _rewrite_from(path, first, b"".join(raw + b"\n" for raw in kept)[first:] + torn)
        cut_off = _repair_locked(fd, case_dir, now, warn=False)
        if cut_off is not None:  # numbered as before the repair
            cut_off = dataclasses.replace(cut_off, line=len(complete) + 1)
        entry = None
        if backup is not None:
            listed = ", ".join(map(str, blank[:_LINES_LISTED]))
            more = len(blank) - _LINES_LISTED
            entry = _append(
                fd, case_dir, AuditAction.LOG_REPAIRED,
                inputs=(), outputs=_records((backup,), case_dir),
                details={"repair": "blank lines removed",
                         "blank_lines": listed + (f" and {more} more" if more > 0 else "")},
                now=now,
            )
    return Repair(blank_lines=blank, backup=backup, blank_entry=entry, cut_off=cut_off)


def _read_all(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    chunks = []
    offset = 0
    while offset < size:
        block = os.pread(fd, min(1 << 20, size - offset), offset)
        if not block:
            break
        chunks.append(block)
        offset += len(block)
    return b"".join(chunks)


def _rewrite_from(path: Path, offset: int, data: bytes) -> None:
    """Replace the log's bytes from ``offset`` on with ``data`` (the lock is held).

    Through a descriptor of its own: the locked one appends, wherever it is told to write.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise OutputFailed(f"{path}: cannot repair the audit log ({exc.strerror})") from exc
    try:
        view = memoryview(data)
        position = offset
        while view:
            written = os.pwrite(fd, view, position)
            view = view[written:]
            position += written
        _truncate(fd, offset + len(data), path)
    except OSError as exc:
        raise OutputFailed(f"{path}: cannot repair the audit log ({exc.strerror})") from exc
    finally:
        os.close(fd)


def _repair_locked(
    fd: int, case_dir: Path, now: dt.datetime | None, *, warn: bool = True
) -> CutOff | None:
    tail = _read_tail(fd)
    if not tail.torn:
        return None
    path = log_path(case_dir)
    line_no = tail.last_line_no + 1
    last = _last_entry(path, *tail.last())
    if _completes_chain(tail.torn, last):
        _write_all(fd, b"\n", path)
        if warn:
            log.warning(
                "%s: line %d had lost its line ending (an interrupted write); the entry was "
                "complete, so the line ending was added",
                path,
                line_no,
            )
        return CutOff(line=line_no, completed=True, set_aside=None, entry=None)
    next_seq = 1 if last is None else last.seq + 1
    aside = _free_name(case_dir, f"{LOG_NAME}.torn-{next_seq}")
    write_bytes_atomic(aside, tail.torn)
    _fsync_dir(case_dir)
    _truncate(fd, tail.complete_end, path)
    if warn:
        log.warning(
            "%s: line %d was cut off part-way through writing (an interrupted write); its %d "
            "bytes were moved to %s and the repair was recorded in the log",
            path,
            line_no,
            len(tail.torn),
            aside,
        )
    entry = _append(
        fd,
        case_dir,
        AuditAction.LOG_REPAIRED,
        inputs=(),
        outputs=_records((aside,), case_dir),
        details={"cut_off_line": str(line_no), "repair": "set aside"},
        now=now,
    )
    return CutOff(line=line_no, completed=False, set_aside=aside, entry=entry)


def _completes_chain(torn: bytes, last: AuditEntry | None) -> bool:
    try:
        fields, entry = parse_line(torn)
    except ValueError:
        return False
    expected_prev = GENESIS if last is None else last.hash
    expected_seq = 1 if last is None else last.seq + 1
    return (
        entry.seq == expected_seq
        and entry.prev == expected_prev
        and entry.hash == entry_hash(fields)
        and entry.line() == torn + b"\n"
    )


def _free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    counter = 2
    while candidate.exists():
        candidate = folder / f"{name}-{counter}"
        counter += 1
        if counter > 1000:  # pragma: no cover - a thousand crashes at one position
            raise OutputExists(f"{folder / name}: already exists; nothing was changed")
    return candidate


# --------------------------------------------------------------------------- reading


def _no_log(case_dir: Path) -> InputNotFound:
    return InputNotFound(
        f"{log_path(case_dir)}: audit log not found",
        "Nothing has been recorded for this case yet, or the case folder is wrong: the log "
        "is created when the first evidence file is added, letter written or bundle built.",
    )


def read_raw_lines(case_dir: Path) -> tuple[Path, bytes]:
    """The log's bytes, read under a shared lock. Raises InputNotFound when there is no log."""
    path = log_path(case_dir)
    with _locked(case_dir, exclusive=False) as fd:
        if fd is None:
            raise _no_log(case_dir)
        return path, _read_all(fd)


def read_entries(case_dir: Path) -> list[AuditEntry]:
    """Every complete entry in order. Does not check the chain: use ``verify_log``.

    Blank lines, and a last line cut off by a crash, are skipped with a warning. Raises
    InputNotFound when there is no log, BadInput naming the first unreadable line.
    """
    return _parse_entries(*read_raw_lines(case_dir))


def _parse_entries(path: Path, data: bytes) -> list[AuditEntry]:
    lines = data.split(b"\n")
    torn = lines.pop()
    entries = []
    for number, raw in enumerate(lines, start=1):
        if is_blank(raw):
            log.warning("%s: line %d is blank; `bundler audit repair %s` removes it",
                        path, number, path.parent)
            continue
        try:
            _fields, entry = parse_line(raw)
        except ValueError as exc:
            raise BadInput(
                f"{path}: line {number}: not a readable audit entry ({exc})", _unreadable_hint(path)
            ) from None
        entries.append(entry)
    if torn:
        log.warning(
            "%s: line %d was cut off part-way through writing and is not shown; "
            "`bundler audit repair` sets it aside",
            path,
            len(lines) + 1,
        )
    return entries


def head_hash(case_dir: Path) -> str | None:
    """``hash`` of the last complete entry (None when nothing is recorded yet).

    A bundle records this in its manifest and certificate page before its own
    ``bundle_built`` entry is appended, so the log can later be checked against
    every bundle served (``verify_against_head``). Does not check the chain.
    """
    _require_case_dir(case_dir)
    path = log_path(case_dir)
    with _locked(case_dir, exclusive=False) as fd:
        if fd is None:
            return None
        last = _last_entry(path, *_read_tail(fd).last())
    return None if last is None else last.hash
