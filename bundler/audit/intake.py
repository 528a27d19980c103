"""Receiving evidence files into a case folder (``bundler evidence add``).

Adding is all or nothing for everything that can be checked beforehand: every
file named, and every file in every folder named (recursively, in sorted
order), is identified by its content exactly as the bundle build will identify
it (``bundler.evidence.sniff``), and its name inside ``evidence/`` is checked;
if any file is refused, nothing is copied and every refused file is named.
Files that cannot be evidence by their nature (hidden files, links, Office's
lock files) are skipped and reported, never silently.

Then each file is copied byte for byte (atomically; the bytes copied must be
the bytes checked) and recorded in the audit log with its SHA-256, one entry
per file, all under the log's exclusive lock, so two officers adding the same
name at once cannot silently replace each other's file. Should the disk fail
part-way, the error says which files were added; running the same command
again adds the rest (a file already in the case with the same bytes is
reported, not copied again).

A file that is already inside the case's ``evidence/`` folder (dropped there
by hand) is recorded where it is, without copying: ``bundler evidence add
CASE CASE/evidence`` records every such file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bundler.audit.log import LogWriter, check_appendable, exclusive_log, file_record
from bundler.audit.model import AuditAction, AuditEntry, FileRecord
from bundler.errors import (
    BadInput,
    BundlerError,
    InputNotFound,
    OutputExists,
    OutputFailed,
    SeveralProblems,
)
from bundler.fileio import StagedOutputs, sha256_file

EVIDENCE_DIR = "evidence"
RETIRED_DIR = ".retired"
CASE_FILE = "case.yaml"
_CHUNK = 1 << 20
_MAX_NAME = 900  # characters in a path inside evidence/ (the audit log keeps up to 1024)

# Files that computers leave in folders and nobody means as evidence.
_SYSTEM_FILES = {
    "thumbs.db": "a Windows picture-preview file",
    "desktop.ini": "a Windows folder-settings file",
}


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class IntakeFile:
    """One file to add: where its bytes are, how the user named it, and where it goes."""

    source: Path
    shown: str  # the path as the user gave it (messages)
    relpath: str  # POSIX path inside evidence/, e.g. residents/R01/licence.pdf
    # the audit entry's input when ``source`` is only a temporary copy (an upload through
    # the desk): the name the file had on the officer's computer, marked as uploaded
    recorded_as: str | None = None

    @property
    def case_path(self) -> str:
        """The path as the records name it: evidence/..."""
        return f"{EVIDENCE_DIR}/{self.relpath}"


@dataclass(frozen=True)
class Skipped:
    """A path found in a folder that was left out, and why."""

    shown: str
    reason: str

    def __str__(self) -> str:
        return f"{self.shown}: {self.reason}"


@dataclass(frozen=True)
class IntakePlan:
    """What ``evidence add`` would do: the files to add, and what it leaves out."""

    files: tuple[IntakeFile, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class EvidenceAdded:
    path: Path  # the file inside CASE_DIR/evidence/
    sha256: str
    bytes: int
    replaced_sha256: str | None  # the file replaced with force, if any
    entry: AuditEntry  # the evidence_added entry
    in_place: bool = False  # recorded where it was, not copied
    media_type: str = ""


@dataclass(frozen=True)
class AlreadyAdded:
    """A file whose exact bytes the case already holds under its name, as recorded."""

    path: Path
    sha256: str
    seq: int  # the audit entry that recorded it


@dataclass(frozen=True)
class IntakeResult:
    added: tuple[EvidenceAdded, ...]
    already: tuple[AlreadyAdded, ...]
    skipped: tuple[Skipped, ...]


class AddInterrupted(OutputFailed):
    """Writing failed part-way: the files before it were added and recorded."""

    def __init__(self, cause: BundlerError, added: tuple[EvidenceAdded, ...], total: int) -> None:
        if added:
            seqs = f"{added[0].entry.seq}" if len(added) == 1 else (
                f"{added[0].entry.seq}-{added[-1].entry.seq}")
            done = (f"; {len(added)} of {total} files were added before this "
                    f"(audit entr{'y' if len(added) == 1 else 'ies'} {seqs})")
        else:
            done = "; no file was added"
        super().__init__(
            cause.message + done,
            (cause.hint + " " if cause.hint else "")
            + "Then run the same command again: files already added are not copied twice.",
        )
        self.added = added


# --------------------------------------------------------------------------- names


def _name_problem(name: str) -> str | None:
    """Why ``name`` (POSIX, relative to evidence/) cannot be a file's name there, or None."""
    relative = PurePosixPath(name)
    if (
        not name.strip()
        or relative.is_absolute()
        or not relative.parts
        or any(part in ("", ".", "..") for part in relative.parts)
        or name.startswith("./")
    ):
        return "not a name inside the case's evidence folder"
    if any(not ch.isprintable() for ch in name):
        return "the name holds control characters"
    if any(part.startswith(".") for part in relative.parts):
        return "a name starting with '.' is hidden on most computers"
    if len(name) > _MAX_NAME:
        return f"the name is longer than {_MAX_NAME} characters"
    return None


def _checked_name(name: str, option: str) -> str:
    """A ``--as``/``--into`` value as a POSIX path inside evidence/; raise if it is not one."""
    text = name.replace("\\", "/")
    if text == EVIDENCE_DIR or text.startswith(f"{EVIDENCE_DIR}/"):
        rest = text.removeprefix(EVIDENCE_DIR).lstrip("/") or "provider"
        raise BadInput(
            f"{option} {name}: starts with {EVIDENCE_DIR}/, but {option} already names a place "
            f"inside the case's {EVIDENCE_DIR} folder",
            f"Leave out the {EVIDENCE_DIR}/ at the start, e.g. {option} {rest}.",
        )
    if text.endswith("/") and option == "--as":
        raise BadInput(
            f"--as {name}: ends with '/', so it names a folder",
            "To put files into a folder inside evidence/ use --into FOLDER; --as gives one "
            "file or folder its new name.",
        )
    text = text.rstrip("/")
    problem = _name_problem(text)
    if problem is not None:
        raise BadInput(
            f"{name}: {problem}",
            "Give a plain name inside the evidence folder, optionally in subfolders, "
            "e.g. provider/tenancy-R01.pdf.",
        )
    return PurePosixPath(text).as_posix()


# --------------------------------------------------------------------------- planning


def _skip_reason(entry: os.DirEntry[str]) -> str | None:
    """Why a folder entry is left out of ``evidence add`` (None: it is added)."""
    name = entry.name
    if entry.is_symlink():
        return "a link, not followed (add the file it points to by its own path if it is evidence)"
    if name.startswith("."):
        what = "a hidden folder" if entry.is_dir(follow_symlinks=False) else "a hidden file"
        return f"{what} (add it by its own path with --as NAME if it is evidence)"
    if name.startswith("~$"):
        return "an Office lock file (made while the document is open)"
    if name.lower() in _SYSTEM_FILES:
        return _SYSTEM_FILES[name.lower()]
    if not entry.is_dir(follow_symlinks=False) and not entry.is_file(follow_symlinks=False):
        return "not an ordinary file"
    return None


def _walk(folder: Path, shown: str, prefix: str, skipped: list[Skipped]) -> Iterable[IntakeFile]:
    """Every file under ``folder`` in name order (as file managers sort: upper and lower
    case together, folders in place), never following links; anything left out goes
    into ``skipped``."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: (e.name.casefold(), e.name))
    except OSError as exc:
        raise BadInput(f"{shown}: cannot read this folder ({exc.strerror})") from exc
    for entry in entries:
        child_shown = f"{shown.rstrip('/')}/{entry.name}"
        reason = _skip_reason(entry)
        if reason is not None:
            skipped.append(Skipped(child_shown, reason))
            continue
        relpath = f"{prefix}/{entry.name}" if prefix else entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), child_shown, relpath, skipped)
        else:
            yield IntakeFile(Path(entry.path), child_shown, relpath)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _folder_name(path: Path) -> str:
    return path.name if path.name not in ("", ".", "..") else path.resolve().name


def plan_intake(
    case_dir: Path,
    paths: Sequence[Path],
    *,
    as_path: str | None = None,
    into: str | None = None,
) -> IntakePlan:
    """The files ``evidence add`` would add, with their names inside evidence/.

    A file keeps its name (``as_path``: its new name); a folder's files keep their
    paths under the folder's name (``as_path``: the folder's new name). ``into``
    puts everything in a folder inside evidence/. Paths already inside the case's
    evidence folder keep their place (and take no ``as_path``/``into``). Raises
    InputNotFound or BadInput (a folder holding the case folder, a retired file, bad
    options).
    """
    if not paths:
        raise BadInput("no file or folder given", "Name the files or folders to add.")
    if as_path is not None and len(paths) != 1:
        raise BadInput(
            f"--as {as_path}: names one file or folder, but {len(paths)} were given",
            "Use --into FOLDER to put several files in one folder inside evidence/.",
        )
    if as_path is not None and into is not None:
        raise BadInput("--as and --into cannot be used together", "Use one or the other.")
    new_name = _checked_name(as_path, "--as") if as_path is not None else None
    folder = _checked_name(into, "--into") if into is not None else None
    evidence = case_dir / EVIDENCE_DIR
    files: list[IntakeFile] = []
    skipped: list[Skipped] = []
    for path in paths:
        shown = str(path)
        try:
            info = path.stat()
        except FileNotFoundError:
            raise InputNotFound.for_path(path, "file or folder") from None
        except OSError as exc:
            raise BadInput(f"{shown}: cannot be read ({exc.strerror})") from exc
        in_place = evidence.is_dir() and _inside(path, evidence)
        if in_place and (new_name is not None or folder is not None):
            raise BadInput(
                f"{shown}: is already in the case's evidence folder, so it is recorded where it "
                "is; --as and --into are for files from outside the case",
                "Leave out --as and --into, or move the file yourself first.",
            )
        if in_place and _inside(path, evidence / RETIRED_DIR):
            raise BadInput(
                f"{shown}: is a retired file (in {EVIDENCE_DIR}/{RETIRED_DIR}/)",
                "Retired files stay where they are; to use one again, add a copy from "
                "outside the case folder under a new name.",
            )
        if stat.S_ISDIR(info.st_mode):
            if case_dir.exists() and _inside(case_dir, path):
                raise BadInput(
                    f"{shown}: this folder holds the case folder itself",
                    "Name the folder the received files are in, or the files themselves.",
                )
            if in_place:
                prefix = path.resolve().relative_to(evidence.resolve()).as_posix()
                prefix = "" if prefix == "." else prefix
            else:
                prefix = new_name or _folder_name(path)
                if folder is not None:
                    prefix = f"{folder}/{prefix}"
            files.extend(_walk(path, shown, prefix, skipped))
        else:
            if in_place:
                relpath = path.resolve().relative_to(evidence.resolve()).as_posix()
            else:
                relpath = new_name or path.name
                if folder is not None:
                    relpath = f"{folder}/{relpath}"
            files.append(IntakeFile(path, shown, relpath))
    return IntakePlan(tuple(files), tuple(skipped))


# --------------------------------------------------------------------------- the log's view


def recorded_evidence(entries: Iterable[AuditEntry]) -> dict[str, tuple[FileRecord, int]]:
    """Each file in evidence/ as the audit log last recorded it: case path -> (record, seq).

    A file added and later retired is not in the result.
    """
    current: dict[str, tuple[FileRecord, int]] = {}
    for entry in entries:
        if entry.action is AuditAction.EVIDENCE_ADDED:
            for output in entry.outputs:
                current[output.path] = (output, entry.seq)
        elif entry.action is AuditAction.EVIDENCE_RETIRED:
            for item in entry.inputs:
                current.pop(item.path, None)
    return current


# --------------------------------------------------------------------------- adding


def require_case_folder(case_dir: Path) -> None:
    """Raise unless ``case_dir`` is a case folder (it holds case.yaml)."""
    if not case_dir.exists():
        raise InputNotFound.for_path(case_dir, "case folder")
    if not case_dir.is_dir():
        raise BadInput(f"{case_dir}: is a file, not a case folder", "Give the case folder itself.")
    if not (case_dir / CASE_FILE).is_file():
        raise InputNotFound(
            f"{case_dir}: not a case folder (it has no {CASE_FILE})",
            "Check the folder's name, or start a case there with `bundler case new`.",
        )


@dataclass(frozen=True)
class _Checked:
    file: IntakeFile
    sha256: str
    size: int
    media_type: str


def _identify_all(files: Sequence[IntakeFile]) -> tuple[list[_Checked], list[BundlerError]]:
    from bundler.evidence.sniff import identify

    checked: list[_Checked] = []
    problems: list[BundlerError] = []
    for item in files:
        problem = _name_problem(item.relpath)
        if problem is not None:
            problems.append(BadInput(
                f"{item.shown}: cannot be named {EVIDENCE_DIR}/{item.relpath} ({problem})",
                "Rename the file (or give it another name with --as), then add it again.",
            ))
            continue
        shown = item.shown
        if Path(item.relpath).suffix.lower() != Path(item.shown).suffix.lower():
            shown = f"{item.shown} (as {item.case_path})"
        try:
            found = identify(item.source, shown, name=item.relpath)
        except BundlerError as exc:
            problems.append(exc)
            continue
        checked.append(_Checked(item, found.sha256, found.size, found.media_type))
    return checked, problems


def add_evidence(
    case_dir: Path,
    paths: Sequence[Path],
    *,
    as_path: str | None = None,
    into: str | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> IntakeResult:
    """Add files and folders to ``case_dir/evidence/``: plan, check, then copy and record.

    Raises InputNotFound, BadInput, OutputExists or SeveralProblems (each
    refused file) before anything is written; AddInterrupted when writing
    fails part-way (saying which files were added).
    """
    require_case_folder(case_dir)
    plan = plan_intake(case_dir, paths, as_path=as_path, into=into)
    return add_planned(case_dir, plan, force=force, now=now, progress=progress)


def add_planned(
    case_dir: Path,
    plan: IntakePlan,
    *,
    force: bool = False,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> IntakeResult:
    """Add the files of a plan (e.g. one built by the web app from uploads)."""
    require_case_folder(case_dir)
    check_appendable(case_dir)  # before anything is copied
    if not plan.files:
        what = "; ".join(str(s) for s in plan.skipped[:3])
        raise BadInput(
            "nothing to add: no file was found" + (f" (left out: {what})" if what else ""),
            "Name the files or the folders that hold them.",
        )
    checked, problems = _identify_all(plan.files)
    problems.extend(_duplicate_names(plan.files))
    _raise_if_any(problems, len(plan.files))
    added: list[EvidenceAdded] = []
    already: list[AlreadyAdded] = []
    with exclusive_log(case_dir) as writer:
        recorded = recorded_evidence(writer.entries())
        steps, problems = _destinations(case_dir, checked, recorded, force)
        _raise_if_any(problems, len(plan.files))
        for item, step in steps:
            if isinstance(step, AlreadyAdded):
                already.append(step)
                continue
            if progress is not None:
                progress(f"adding {item.file.shown}")
            try:
                added.append(_add_one(case_dir, writer, item, step, now))
            except BundlerError as exc:
                raise AddInterrupted(exc, tuple(added), len(plan.files)) from exc
    return IntakeResult(tuple(added), tuple(already), plan.skipped)


def _raise_if_any(problems: list[BundlerError], total: int) -> None:
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise SeveralProblems(
            f"{len(problems)} of {total} files cannot be added; nothing was added",
            tuple(problems),
            "Fix or leave out each file named above, then run the same command again.",
        )


def _duplicate_names(files: Sequence[IntakeFile]) -> list[BundlerError]:
    """Two files that would get one name (also when only upper and lower case differ,
    which Windows and Mac shares treat as one name)."""
    first: dict[str, IntakeFile] = {}
    problems: list[BundlerError] = []
    for item in files:
        key = item.relpath.casefold()
        earlier = first.setdefault(key, item)
        if earlier is not item and earlier.source.resolve() != item.source.resolve():
            problems.append(BadInput(
                f"{item.shown}: would be named {item.case_path}, like {earlier.shown}",
                "Add one of them with --as and a different name.",
            ))
    return problems


@dataclass(frozen=True)
class _Copy:
    destination: Path
    replaced_sha256: str | None
    copy: bool  # False: the bytes are already there; only record them


def _destinations(
    case_dir: Path,
    checked: Sequence[_Checked],
    recorded: dict[str, tuple[FileRecord, int]],
    force: bool,
) -> tuple[list[tuple[_Checked, _Copy | AlreadyAdded]], list[BundlerError]]:
    """What to do with each checked file, given what the folder and the log hold now.

    A file whose content differs from what the log last recorded for its name is
    only recorded again (or replaced) with ``force``, and its entry keeps the
    SHA-256 it replaces.
    """
    evidence = case_dir / EVIDENCE_DIR
    steps: list[tuple[_Checked, _Copy | AlreadyAdded]] = []
    problems: list[BundlerError] = []
    seen: set[str] = set()
    for item in checked:
        case_path = item.file.case_path
        if case_path in seen:  # the same file named twice (a folder and a file in it)
            continue
        seen.add(case_path)
        destination = evidence / Path(*PurePosixPath(item.file.relpath).parts)
        blocked = _blocked_by_file(evidence, destination)
        if blocked is not None:
            problems.append(BadInput(
                f"{item.file.shown}: cannot go into {blocked}, which is "
                + ("a link" if blocked.is_symlink() else "a file") + ", not a folder",
                "Choose another name with --as or --into.",
            ))
            continue
        if destination.is_symlink() or (destination.exists() and not destination.is_file()):
            problems.append(BadInput(
                f"{destination}: is a folder or a link, not a file",
                "Choose another name with --as or --into.",
            ))
            continue
        if not destination.exists():
            steps.append((item, _Copy(destination, None, copy=True)))
            continue
        current = sha256_file(destination)
        last = recorded.get(case_path)
        last_sha = last[0].sha256 if last is not None else None
        if current == item.sha256 and last_sha == current:
            assert last is not None
            steps.append((item, AlreadyAdded(destination, current, last[1])))
        elif current == item.sha256 and (last_sha is None or force):
            steps.append((item, _Copy(destination, last_sha, copy=False)))
        elif current == item.sha256:
            assert last is not None
            problems.append(OutputExists(
                f"{destination}: has changed since it was added (audit entry {last[1]})",
                "Add --force to record its present content (the log keeps the earlier "
                "SHA-256), or retire it with `bundler evidence retire` and add the right file.",
            ))
        elif destination.resolve() == item.file.source.resolve():
            problems.append(BadInput(
                f"{item.file.shown}: changed while it was being added; nothing was recorded",
                "Wait until the file has finished saving, then add it again.",
            ))
        elif not force:
            problems.append(OutputExists(
                f"{destination}: already exists; nothing was changed",
                "Give the copy another name with --as, or add --force to replace it "
                "(the audit log keeps the replaced file's SHA-256).",
            ))
        else:
            steps.append((item, _Copy(destination, current, copy=True)))
    return steps, problems


def _blocked_by_file(evidence: Path, destination: Path) -> Path | None:
    """A file, or a link (which could lead out of the case), standing where one of
    ``destination``'s folders should be (evidence/ itself included)."""
    folders = [evidence] + [
        evidence / parent
        for parent in reversed(destination.relative_to(evidence).parents)
        if str(parent) != "."
    ]
    for folder in folders:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            return folder
    return None


def _add_one(
    case_dir: Path, writer: LogWriter, item: _Checked, step: _Copy, now: dt.datetime | None
) -> EvidenceAdded:
    details = {"media_type": item.media_type}
    if step.replaced_sha256 is not None:
        details["replaced_sha256"] = step.replaced_sha256
    source = item.file.source
    given: Path | FileRecord = source
    if item.file.recorded_as is not None:
        given = file_record(source, case_dir).model_copy(update={"path": item.file.recorded_as})
    in_place = step.destination.resolve() == source.resolve()
    if not step.copy:
        details["in_place"] = "true"
        if sha256_file(step.destination) != item.sha256:
            raise BadInput(f"{item.file.shown}: changed while it was being added")
        entry = writer.record(
            AuditAction.EVIDENCE_ADDED,
            inputs=() if in_place else (source,),
            outputs=(step.destination,),
            details=details,
            now=now,
        )
    else:
        with StagedOutputs() as staged:
            _copy(source, step.destination, item, staged)
            # In place only once its entry is appended: nothing unrecorded ever stays in
            # the case, and a file it would replace stays as it was.
            entry = writer.commit(
                AuditAction.EVIDENCE_ADDED, staged, inputs=(given,), details=details, now=now
            )
    return EvidenceAdded(
        step.destination, item.sha256, item.size, step.replaced_sha256, entry,
        in_place=not step.copy, media_type=item.media_type,
    )


def _copy(source: Path, destination: Path, item: _Checked, staged: StagedOutputs) -> None:
    """Copy into ``staged``; the copy is kept only if its bytes are the bytes checked."""
    digest = hashlib.sha256()
    try:
        reader = source.open("rb")
    except OSError as exc:
        raise BadInput(f"{item.file.shown}: cannot be read ({exc.strerror})") from exc
    with reader, staged.writer(destination) as writer:
        for block in iter(lambda: reader.read(_CHUNK), b""):
            digest.update(block)
            writer.write(block)
        if digest.hexdigest() != item.sha256:
            raise BadInput(
                f"{item.file.shown}: changed while it was being added; nothing was copied",
                "Wait until the file has finished saving or downloading, then add it again.",
            )
