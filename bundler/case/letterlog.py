"""``letters.yaml``: every letter written for a case, and whether and when it was sent.

``bundler letter KIND`` adds an entry for each letter it writes (kind, the letter's date,
the recipient by reference, each file with its SHA-256); ``bundler letter sent`` records
when one was sent and how. Later letters and bundles read these records (a bundle holds
the letters recorded as sent). The file is also the officer's to edit: it is rewritten
keeping comments and layout, and validated like the other records before it is written.

Callers hold the case's audit-log lock (``bundler.audit.exclusive_log``) around a change,
so two officers writing letters at once never lose an entry; letters.yaml is an output of
the action that changed it, so its new SHA-256 is in that action's audit entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bundler.case.models import LetterKind, LetterRecord, LetterRegister, SendMethod
from bundler.case.validate import CASE_FILE, LETTERS_FILE
from bundler.case.yamledit import dump_text, load_for_edit
from bundler.errors import BadInput, CaseIncomplete, InputNotFound
from bundler.fileio import StagedOutputs, sha256_file
from bundler.yamlio import parse_yaml_text

_HEADER = (
    "Every letter the toolkit wrote for this case (bundler letter KIND adds them).\n"
    "Record when each was sent with `bundler letter sent`, or add sent: {date, method} here."
)


def letter_path_text(path: Path, case_dir: Path) -> str:
    """How the register names a letter's file: relative to the case folder when inside it."""
    try:
        return path.resolve().relative_to(case_dir.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _load(case_dir: Path) -> CommentedMap:
    path = case_dir / LETTERS_FILE
    if not path.exists():
        data = CommentedMap()
        data["letters"] = CommentedSeq()
        data.yaml_set_start_comment(_HEADER)
        return data
    data = load_for_edit(path)
    if not isinstance(data, CommentedMap):
        raise BadInput(
            f"{path}: should hold `letters:` and a list of letters",
            f"Run `bundler validate {case_dir}` and correct the file.",
        )
    if data.get("letters") is None:
        data["letters"] = CommentedSeq()
    return data


def _checked(case_dir: Path, data: CommentedMap) -> LetterRegister:
    """The register as the model reads it; refuses to write one that would not validate."""
    plain = parse_yaml_text(dump_text(data), case_dir / LETTERS_FILE).data
    try:
        return LetterRegister.model_validate_json(json.dumps(plain), strict=True)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise BadInput(
            f"{case_dir / LETTERS_FILE}: cannot record the letter: "
            f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}",
            f"Run `bundler validate {case_dir}` and correct letters.yaml, then try again.",
        ) from None


def register_with_letter(
    case_dir: Path,
    kind: LetterKind,
    letter_date: dt.date,
    recipient: str,
    files: Sequence[tuple[Path, Path]],
) -> str:
    """The text of ``letters.yaml`` with a letter added: each file as (where it goes, the
    bytes it will hold). The caller stages it with the letter's files, so the register and
    the letters are put in place together, after the audit entry. A letter written again
    with the same kind, date and recipient replaces the earlier record unless that one was
    sent (a sent letter's record is history and is kept)."""
    data = _load(case_dir)
    letters: Any = data["letters"]
    for index in reversed(range(len(letters))):
        entry = letters[index]
        same = (
            isinstance(entry, CommentedMap)
            and entry.get("kind") == kind.value
            and str(entry.get("date")) == letter_date.isoformat()
            and entry.get("recipient") == recipient
        )
        if same and entry.get("sent") is None:
            del letters[index]
    entry = CommentedMap()
    entry["kind"] = kind.value
    entry["date"] = letter_date
    entry["recipient"] = recipient
    written = CommentedSeq()
    for target, source in files:
        item = CommentedMap()
        item["file"] = letter_path_text(target, case_dir)
        item["sha256"] = sha256_file(source)
        written.append(item)
    entry["files"] = written
    letters.append(entry)
    _checked(case_dir, data)
    return dump_text(data)


def _addressee(recipient: str) -> str:
    return "the provider" if recipient == "provider" else recipient


def _unsent_letter(case_dir: Path, letters: Any, kind: LetterKind, recipient: str,
                   letter_date: dt.date | None) -> CommentedMap:
    """The latest ``kind`` letter to ``recipient`` not yet recorded as sent (or the one
    dated ``letter_date``); of two with the same date, the one recorded last."""
    candidates = [
        index
        for index, entry in enumerate(letters)
        if isinstance(entry, CommentedMap)
        and entry.get("kind") == kind.value
        and entry.get("recipient") == recipient
        and entry.get("sent") is None
        and (letter_date is None or str(entry.get("date")) == letter_date.isoformat())
    ]
    if not candidates:
        dated = f" dated {letter_date.isoformat()}" if letter_date else ""
        raise CaseIncomplete(
            f"{case_dir / LETTERS_FILE}: no {kind.value} letter to {_addressee(recipient)}{dated}"
            " is recorded as written and not yet sent",
            f"Write it first with `bundler letter {kind.value} {case_dir} -o OUT_DIR`, or check "
            "the kind, --resident and --letter-date.",
        )
    entry: CommentedMap = letters[max(candidates, key=lambda i: (str(letters[i].get("date")), i))]
    return entry


def record_sent(
    case_dir: Path,
    kind: LetterKind,
    recipient: str,
    on: dt.date,
    method: SendMethod,
    letter_date: dt.date | None = None,
) -> LetterRecord:
    """Record that the latest unsent ``kind`` letter to ``recipient`` (or the one dated
    ``letter_date``) was sent on ``on`` by ``method``: letters.yaml is rewritten under the
    audit log's lock, and the change recorded in the log as ``letter_sent``."""
    from bundler.audit import AuditAction, exclusive_log

    if not (case_dir / CASE_FILE).is_file():
        raise InputNotFound(
            f"{case_dir / CASE_FILE}: not found; give the case folder the letter was written for",
            "Check the path to the case folder.",
        )
    # The new register is staged and put in place after the entry is appended, like a
    # letter's: the entry records the records it found, and the register as its output.
    with exclusive_log(case_dir) as log, StagedOutputs() as staged:
        data = _load(case_dir)
        letters: Any = data["letters"]
        entry = _unsent_letter(case_dir, letters, kind, recipient, letter_date)
        if on < entry["date"]:
            raise CaseIncomplete(
                f"{case_dir / LETTERS_FILE}: the {kind.value} letter to {_addressee(recipient)} is "
                f"dated {entry['date'].isoformat()}; it cannot have been sent on {on.isoformat()}",
                "Give the date it was actually sent (--on YYYY-MM-DD).",
            )
        sent = CommentedMap()
        sent["date"] = on
        sent["method"] = method.value
        entry["sent"] = sent
        letter = _checked(case_dir, data).letters[list(letters).index(entry)]
        text = dump_text(data)
        with staged.writer(case_dir / LETTERS_FILE) as handle:
            handle.write(text.encode("utf-8"))
        details = {"kind": kind.value, "letter_date": letter.date.isoformat(),
                   "sent": on.isoformat(), "method": method.value}
        if recipient != "provider":
            details["resident"] = recipient
        log.commit(AuditAction.LETTER_SENT, staged,
                   inputs=[case_dir / f.file for f in letter.files
                           if not Path(f.file).is_absolute() and (case_dir / f.file).is_file()],
                   details=details)
    return letter
