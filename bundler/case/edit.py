"""Change a record file in place: what the web app's forms save.

The file stays the single source of truth and stays the officer's own: the
changed values are merged into the YAML as it is (``ruamel`` round trip), so
comments, key order, quoting and the styles of values left alone are kept, and
the CLI and an editor see an ordinary file. Before anything is written the
records are validated exactly as ``bundler validate`` validates them, with the
new text in place of the file; a problem in what was changed refuses the save
and is returned, located like validate's (``FILE:LINE: field: message``), for
the form to show beside the field. Problems elsewhere in the file (say, a
mistake made by hand in another section) do not block it.

A save is written atomically under the audit log's lock, and recorded there
(``record_saved``) with the file's new SHA-256 and the one it replaced. A file
changed by anyone else since the form was opened is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from bundler.audit.log import exclusive_log
from bundler.audit.model import AuditAction, AuditEntry
from bundler.case.models import Case, LetterRegister, Record, Resident, ResidentRef
from bundler.case.validate import CASE_FILE, LETTERS_FILE, RESIDENTS_DIR, validate_case
from bundler.errors import BadInput, BundlerError, ExitCode, InputNotFound
from bundler.fileio import StagedOutputs, sha256_bytes
from bundler.yamlio import MAX_BYTES, YamlSyntaxError, parse_yaml_text, round_trip_yaml
from bundler.yamlmodel import Problem, annotation_model

_REFERENCE: TypeAdapter[str] = TypeAdapter(ResidentRef)


def is_reference(text: str) -> bool:
    """Whether ``text`` is a resident reference such as R01."""
    try:
        _REFERENCE.validate_python(text, strict=True)
    except ValidationError:
        return False
    return True


class RecordChanged(BundlerError):
    """The file changed on disk after the form was opened."""

    exit_code = ExitCode.OUTPUT_EXISTS
    default_hint = (
        "Open the page again to see the file as it is now, then make your change again."
    )


@dataclass(frozen=True)
class RecordFile:
    """One record file of a case folder and the model it holds."""

    relpath: str  # "case.yaml" or "residents/R01.yaml"
    model: type[Record]
    resident: str | None = None

    def path(self, case_dir: Path) -> Path:
        return case_dir / self.relpath


def case_record() -> RecordFile:
    return RecordFile(CASE_FILE, Case)


def letters_record() -> RecordFile:
    """``letters.yaml``: the letters written, and when each was sent (written by `letter`)."""
    return RecordFile(LETTERS_FILE, LetterRegister)


def resident_record(case_dir: Path, reference: str) -> RecordFile:
    """The record file of resident ``reference`` (R01), which must exist."""
    if not is_reference(reference):
        raise InputNotFound(f"{reference}: not a resident reference such as R01")
    record = RecordFile(f"{RESIDENTS_DIR}/{reference}.yaml", Resident, reference)
    path = record.path(case_dir)
    if not path.is_file() or path.is_symlink():
        raise InputNotFound.for_path(f"{case_dir}/{record.relpath}", "resident file")
    return record


def resident_references(case_dir: Path) -> list[str]:
    """The references of the residents with a record file, in order."""
    folder = case_dir / RESIDENTS_DIR
    if not folder.is_dir():
        return []
    return sorted(
        path.stem for path in folder.iterdir()
        if path.suffix == ".yaml" and is_reference(path.stem) and path.is_file()
        and not path.is_symlink()
    )


@dataclass(frozen=True)
class RecordText:
    """A record file as read: its values (dates as text) and the SHA-256 of its bytes."""

    data: dict[str, Any]
    sha256: str
    text: str


def read_record(case_dir: Path, record: RecordFile) -> RecordText:
    """Read a record file for a form. Raises InputNotFound, or BadInput when it is not YAML
    a form can show (the officer then corrects it with `bundler validate`'s help)."""
    path = record.path(case_dir)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputNotFound.for_path(path, "record file") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror})") from exc
    if len(raw) > MAX_BYTES:
        raise BadInput(f"{path}: is over {MAX_BYTES >> 20} MB, too large for a record",
                       "Check it is the right file; records are far smaller.")
    try:
        text = raw.decode("utf-8-sig")
        document = parse_yaml_text(text, path)
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text", "Save the file as UTF-8.") from None
    except YamlSyntaxError as exc:
        raise BadInput(
            f"{path}:{exc.problem.line}: {exc.problem.message}",
            f"Correct the file in a text editor (`bundler validate {case_dir}` shows the "
            "problem), then open this page again.",
        ) from None
    data = document.data if isinstance(document.data, dict) else {}
    return RecordText(data, sha256_bytes(raw), text)


@dataclass(frozen=True)
class SaveResult:
    """What became of a save: refused with the problems in what was changed, or saved."""

    saved: bool
    problems: list[Problem] = field(default_factory=list)  # in what was changed: refused
    elsewhere: list[Problem] = field(default_factory=list)  # in the rest of the file
    sha256: str | None = None
    entry: AuditEntry | None = None


def save_record(
    case_dir: Path,
    record: RecordFile,
    changes: Mapping[str, Any],
    *,
    expected_sha256: str,
    section: str,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Set the top-level fields in ``changes`` (``None`` or empty removes one), validate,
    and save unless a problem lies in what changed.

    ``expected_sha256`` is the file's hash when the form was opened: RecordChanged when
    it has changed since. ``section`` names the part of the record saved, for the log.
    """
    path = record.path(case_dir)
    current = read_record(case_dir, record)
    if current.sha256 != expected_sha256:
        raise _changed(path)
    text = merged_text(current.text, record.model, changes)
    report = validate_case(case_dir, texts={path: text}, evidence_notes=False)
    shown = str(path)
    mine = [problem for problem in report.problems if problem.file == shown]
    blocking = [problem for problem in mine if _within(problem.field, changes)]
    elsewhere = [problem for problem in mine if problem not in blocking]
    if blocking:
        return SaveResult(False, blocking, elsewhere)
    with exclusive_log(case_dir) as writer, StagedOutputs() as staged:
        if read_record(case_dir, record).sha256 != expected_sha256:
            raise _changed(path)
        with staged.writer(path) as handle:
            handle.write(text.encode("utf-8"))
        # saved only once its entry is appended: no change to the records goes unrecorded
        entry = writer.commit(
            AuditAction.RECORD_SAVED,
            staged,
            details={"file": record.relpath, "section": section[:200],
                     "replaced_sha256": expected_sha256},
            now=now,
        )
    return SaveResult(True, [], elsewhere, sha256_bytes(text.encode("utf-8")), entry)


def _changed(path: Path) -> RecordChanged:
    return RecordChanged(f"{path}: changed since you opened it; nothing was saved")


def _within(field_path: str, changes: Mapping[str, Any]) -> bool:
    """Whether a problem's field (``consent.date``, ``items[2].files``) lies in the changes."""
    if not field_path:
        return True
    return any(
        field_path == key or field_path.startswith((f"{key}.", f"{key}["))
        for key in changes
    )


# --------------------------------------------------------------------------- merging


def merged_text(text: str, model: type[BaseModel], changes: Mapping[str, Any]) -> str:
    """``text`` with the top-level fields in ``changes`` set, everything else as it was."""
    yaml = round_trip_yaml(text)
    document = yaml.load(text) if text.strip() else None
    if not isinstance(document, CommentedMap):
        document = CommentedMap()
    _merge_map(document, dict(changes), model)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _merge_map(target: CommentedMap, new: Mapping[str, Any], model: type[BaseModel] | None) -> None:
    order = list(model.model_fields) if model is not None else []
    for key, value in new.items():
        if _empty(value):
            if key in target:
                del target[key]
            continue
        child = _child_model(model, key)
        if key in target:
            target[key] = _merge_value(target[key], value, child)
            continue
        # a new key goes where the model puts it among the keys already there
        position = len(target)
        if key in order:
            later = order[order.index(key) + 1:]
            for index, existing in enumerate(target):
                if existing in later:
                    position = index
                    break
        target.insert(position, key, _fresh(value, child))


def _merge_value(old: Any, new: Any, model: type[BaseModel] | None) -> Any:
    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        _merge_map(old, new, model)  # keys the form does not know are left for validate
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, Sequence) and not isinstance(new, str):
        for index, item in enumerate(new):
            if index < len(old):
                old[index] = _merge_value(old[index], item, model)
            else:
                old.append(_fresh(item, model))
        del old[len(new):]
        return old
    if _same_scalar(old, new):
        return old  # unchanged: keep how it was written (quotes, folded text)
    return _fresh(new, model, like=old)


def _same_scalar(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool) and old == new
    if isinstance(old, str) and isinstance(new, str):
        return " ".join(old.split()) == " ".join(new.split())
    return type(old) is type(new) and bool(old == new)


def _fresh(value: Any, model: type[BaseModel] | None, like: Any = None) -> Any:
    """A new value as YAML: maps and lists of maps in block style, short lists in flow
    style (``[a, b]``), text with line breaks as a literal block."""
    if isinstance(value, Mapping):
        target = CommentedMap()
        _merge_map(target, value, model)
        return target
    if isinstance(value, Sequence) and not isinstance(value, str):
        seq = CommentedSeq(_fresh(item, model) for item in value)
        if all(not isinstance(item, Mapping) for item in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and "\n" in value.strip():
        return LiteralScalarString(value.strip() + "\n")
    if isinstance(value, str) and isinstance(like, FoldedScalarString):
        return FoldedScalarString(value)
    return value


def _child_model(model: type[BaseModel] | None, key: str) -> type[BaseModel] | None:
    if model is None:
        return None
    info = model.model_fields.get(key)
    return annotation_model(info.annotation) if info is not None else None
