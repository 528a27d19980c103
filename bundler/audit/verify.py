"""Checking a case's audit log: the chain, and against bundles' recorded heads.

``verify_log`` collects every problem rather than stopping at the first, and
names each by entry number (``seq``) and line. A hash chain without a secret
key shows any edit, deletion, insertion or reordering of entries, unless the
whole chain after the change was recomputed; and it cannot show its last
entries being cut off. Both are caught by ``verify_against_head`` with the
head hash each served bundle recorded: a rewritten or truncated log no longer
contains it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import rfc8785

from bundler.audit.log import is_blank, parse_line, read_raw_lines
from bundler.audit.model import (
    GENESIS,
    AuditAction,
    AuditEntry,
    canonical_json,
    entry_hash,
    format_time,
)
from bundler.errors import BadInput, ChecksFailed, InputNotFound
from bundler.fileio import sha256_file

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
SHORT = 12
"""Hex digits of a hash shown to people (the full hash is in --json)."""


class ProblemKind(StrEnum):
    MALFORMED = "malformed"  # not a readable entry
    EDITED = "edited"  # content does not match its own hash
    REFORMATTED = "reformatted"  # same content, but not the bytes the toolkit wrote
    OUT_OF_SEQUENCE = "out_of_sequence"  # seq is not one more than the entry before
    DUPLICATE = "duplicate"  # a copy of an earlier entry
    BROKEN_LINK = "broken_link"  # prev is not the hash of the entry before
    CUT_OFF = "cut_off"  # last line has no line ending: an interrupted write
    BLANK = "blank_line"  # a line with nothing on it (an editor's or ``echo >>``'s)
    TIME_BACKWARDS = "time_backwards"  # recorded before the entry before it


REPAIRABLE = frozenset({ProblemKind.CUT_OFF, ProblemKind.BLANK})
"""What ``bundler audit repair`` can put right without changing any entry."""


@dataclass(frozen=True)
class AuditProblem:
    line: int
    seq: int | None  # None when the line cannot be read
    kind: ProblemKind
    message: str  # names the entry and line, e.g. "entry 5 (line 5): ..."

    @property
    def repairable(self) -> bool:
        return self.kind in REPAIRABLE

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "seq": self.seq, "kind": str(self.kind),
                "repairable": self.repairable, "message": self.message}


@dataclass(frozen=True)
class AuditReport:
    log: Path  # as the user gave it (case folder / audit.jsonl)
    entries: int  # lines that hold a readable entry
    head: str | None  # hash of the last readable entry
    problems: tuple[AuditProblem, ...] = field(default_factory=tuple)
    # hash -> (seq, line) of every entry whose content matches its hash, for head checks
    positions: Mapping[str, tuple[int, int]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # SHA-256 of each output of a bundle_built entry whose content matches its hash ->
    # that (first) entry, for bundle checks
    built: Mapping[str, AuditEntry] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> AuditProblem | None:
        return self.problems[0] if self.problems else None

    def summary(self) -> str:
        """One line: the verdict."""
        if self.ok:
            head = "none" if self.head is None else self.head[:SHORT]
            entries = f"{self.entries} entr{'y' if self.entries == 1 else 'ies'}"
            return f"PASS {self.log}: {entries}, chain intact, head {head}"
        first = self.problems[0]
        where = (
            f"line {first.line}" if first.seq is None else f"entry {first.seq} (line {first.line})"
        )
        count = len(self.problems)
        return (
            f"FAIL {self.log}: audit log broken, {count} problem{'s' if count != 1 else ''}; "
            f"first bad: {where}"
        )

    def lines(self) -> list[str]:
        """One PASS line when intact; else one FAIL line per problem and the verdict."""
        if self.ok:
            return [self.summary()]
        return [f"FAIL {self.log}: {p.message}" for p in self.problems] + [self.summary()]

    def to_json(self) -> dict[str, Any]:
        return {
            "log": str(self.log),
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "problems": [p.to_json() for p in self.problems],
        }

    def raise_for_problems(self) -> None:
        """The raising form: ChecksFailed naming the first bad entry."""
        first = self.first_problem
        if first is not None:
            raise ChecksFailed(
                f"{self.log}: {first.message}",
                f"Run `bundler audit verify {self.log.parent}` to see every problem, and "
                "compare audit.jsonl with the council's backup of it.",
            )


@dataclass
class _Previous:
    line: int
    seq: int | None
    hash: str | None
    time: dt.datetime | None = None


def verify_log(case_dir: Path) -> AuditReport:
    """Check every line of ``case_dir/audit.jsonl``; InputNotFound when there is none."""
    path, data = read_raw_lines(case_dir)
    lines = data.split(b"\n")
    torn = lines.pop()
    problems: list[AuditProblem] = []
    seen: dict[str, int] = {}  # entry hash -> first line holding it
    positions: dict[str, tuple[int, int]] = {}
    built: dict[str, AuditEntry] = {}
    previous = _Previous(line=0, seq=0, hash=GENESIS)
    entries = 0
    head: str | None = None

    for number, raw in enumerate(lines, start=1):
        if is_blank(raw):  # holds nothing: the chain is checked across it
            problems.append(AuditProblem(
                number, None, ProblemKind.BLANK,
                f"line {number}: a blank line (no entry); `bundler audit repair {path.parent}` "
                "removes it"))
            continue
        problem, entry = _check_line(number, raw, previous, seen)
        if problem is not None:
            problems.append(problem)
        if entry is None:
            previous = _Previous(line=number, seq=None, hash=None)
            continue
        entries += 1
        head = entry.hash
        seen.setdefault(entry.hash, number)
        if problem is None or problem.kind is not ProblemKind.EDITED:
            positions.setdefault(entry.hash, (entry.seq, number))
            if entry.action is AuditAction.BUNDLE_BUILT:
                for output in entry.outputs:
                    built.setdefault(output.sha256, entry)
        previous = _Previous(line=number, seq=entry.seq, hash=entry.hash, time=entry.time)

    if torn:
        number = len(lines) + 1
        problems.append(
            AuditProblem(
                number,
                None,
                ProblemKind.CUT_OFF,
                f"line {number}: the last entry was cut off part-way through writing "
                f"(an interrupted write); `bundler audit repair {path.parent}` sets it aside",
            )
        )
    return AuditReport(log=path, entries=entries, head=head, problems=tuple(problems),
                       positions=positions, built=built)


def _check_line(
    number: int, raw: bytes, previous: _Previous, seen: dict[str, int]
) -> tuple[AuditProblem | None, AuditEntry | None]:
    """The most telling problem with one line (if any), and its entry (if readable)."""
    try:
        fields, entry = parse_line(raw)
    except ValueError as exc:
        loose = _loose_fields(raw)
        seq = loose.get("seq") if loose else None
        seq = seq if isinstance(seq, int) and not isinstance(seq, bool) else None
        # A changed byte that still parses as JSON but breaks the schema is an edit.
        if loose is not None and _hash_mismatch(loose):
            where = f"entry {seq} (line {number})" if seq is not None else f"line {number}"
            return AuditProblem(number, seq, ProblemKind.EDITED, f"{where}: {_EDITED}"), None
        return (
            AuditProblem(
                number,
                None,
                ProblemKind.MALFORMED,
                f"line {number}: not a readable audit entry ({exc})",
            ),
            None,
        )

    where = f"entry {entry.seq} (line {number})"
    if entry.hash != entry_hash(fields):
        return AuditProblem(number, entry.seq, ProblemKind.EDITED, f"{where}: {_EDITED}"), entry
    if raw != canonical_json(fields) or entry.line() != raw + b"\n":
        return (
            AuditProblem(
                number,
                entry.seq,
                ProblemKind.REFORMATTED,
                f"{where}: not byte for byte as the toolkit wrote it "
                "(reformatted or re-encoded after it was written)",
            ),
            entry,
        )
    if entry.hash in seen:
        return (
            AuditProblem(
                number,
                entry.seq,
                ProblemKind.DUPLICATE,
                f"{where}: a second copy of the entry on line {seen[entry.hash]}",
            ),
            entry,
        )
    if previous.seq is not None and entry.seq != previous.seq + 1:
        expected = previous.seq + 1
        return (
            AuditProblem(
                number,
                entry.seq,
                ProblemKind.OUT_OF_SEQUENCE,
                f"{where}: out of order: entry {expected} should come here, so an "
                "entry was deleted, inserted or moved",
            ),
            entry,
        )
    if previous.hash is not None and entry.prev != previous.hash:
        if previous.line == 0:
            message = (
                f"{where}: the log does not start here: its first entries were "
                "removed, or the log was replaced"
            )
        else:
            message = (
                f"{where}: does not follow on from the entry before it (line "
                f"{previous.line}): that entry was replaced, or entries between "
                "them were removed or inserted"
            )
        return AuditProblem(number, entry.seq, ProblemKind.BROKEN_LINK, message), entry
    if previous.time is not None and entry.time < previous.time:
        return (
            AuditProblem(
                number,
                entry.seq,
                ProblemKind.TIME_BACKWARDS,
                f"{where}: recorded at {format_time(entry.time)}, before the entry before it "
                f"(line {previous.line}, {format_time(previous.time)}): times in the log never "
                "go backwards, so this entry was made or changed outside the toolkit",
            ),
            entry,
        )
    return None, entry


_EDITED = "changed after it was written: its content no longer matches its hash"


def _loose_fields(raw: bytes) -> dict[str, Any] | None:
    """The line as plain JSON, when it is JSON at all (to tell an edit from garbage)."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _hash_mismatch(fields: dict[str, Any]) -> bool:
    stored = fields.get("hash")
    if not isinstance(stored, str):
        return False
    try:
        return stored != entry_hash(fields)
    except rfc8785.CanonicalizationError:
        return False


@dataclass(frozen=True)
class EntryCheck:
    """The verdict on one thing a served bundle asks of the log (a head, a bundle)."""

    log: Path
    ok: bool
    seq: int | None  # the entry it rests on, when found
    line: int | None
    message: str  # one line, starting PASS or FAIL

    def __bool__(self) -> bool:
        return self.ok

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "seq": self.seq, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class HeadCheck(EntryCheck):
    """Whether a head hash recorded by a served bundle is still in the log."""

    head: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"head": self.head, **super().to_json()}


def verify_against_head(case_dir: Path, head: str, report: AuditReport | None = None) -> HeadCheck:
    """Is ``head`` (a bundle's recorded head hash) an entry of an intact chain?

    True only when an entry carries that hash, and no problem lies on or before
    its line. A log cut short after that entry, or rewritten from before it, fails.
    Pass ``report`` (from ``verify_log``) to check several heads against one reading.
    """
    head = head.strip().lower()
    if not _HEX64.match(head):
        raise BadInput(
            f"{head!r}: not a head hash (64 hexadecimal characters)",
            "Copy the audit head hash from the bundle's manifest or certificate page.",
        )
    if report is None:
        report = verify_log(case_dir)
    found = report.positions.get(head)
    short = head[:SHORT]
    if found is None:
        return HeadCheck(
            report.log, False, None, None,
            f"FAIL {report.log}: head {short} is not in the log: entries were "
            "removed from its end, or the log was rewritten",
            head=head,
        )
    seq, line = found
    earlier = [p for p in report.problems if p.line <= line]
    if earlier:
        return HeadCheck(
            report.log, False, seq, line,
            f"FAIL {report.log}: head {short} is entry {seq} (line {line}), but "
            f"the chain up to it is broken: {earlier[0].message}",
            head=head,
        )
    return HeadCheck(
        report.log, True, seq, line,
        f"PASS {report.log}: head {short} is entry {seq} (line {line}), chain intact up to it",
        head=head,
    )


@dataclass(frozen=True)
class BundleCheck(EntryCheck):
    """Whether the log records building this very bundle, with every later entry after it."""

    bundle: Path = Path()
    sha256: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"bundle": str(self.bundle), "sha256": self.sha256, **super().to_json()}


def verify_bundle_recorded(
    case_dir: Path, bundle: Path, report: AuditReport | None = None
) -> BundleCheck:
    """Does the log hold the ``bundle_built`` entry of ``bundle`` (by its SHA-256), in an
    intact chain that every later entry follows on from?

    A bundle's manifest records the log's head *before* its own entry, so only this check
    shows that entry (and what came after it) being cut off the log. Raises
    InputNotFound (no such bundle) and BadInput (a folder, or unreadable).
    """
    if not bundle.exists():
        raise InputNotFound.for_path(bundle, "bundle")
    if not bundle.is_file():
        raise BadInput(f"{bundle}: is a folder, not a bundle", "Name the bundle's PDF file.")
    try:
        digest = sha256_file(bundle)
    except OSError as exc:
        raise BadInput(f"{bundle}: cannot be read ({exc.strerror})") from exc
    if report is None:
        report = verify_log(case_dir)
    entry = report.built.get(digest)
    short = digest[:SHORT]
    if entry is None:
        return BundleCheck(
            report.log, False, None, None,
            f"FAIL {report.log}: {bundle} (sha256 {short}) is not recorded as built: its "
            "bundle_built entry was cut off or removed, or this is not a bundle built in "
            "this case (or it was changed after it was built)",
            bundle=bundle, sha256=digest,
        )
    _seq, line = report.positions[entry.hash]
    what = (f"{bundle} (sha256 {short}) is entry {entry.seq} (line {line}, built "
            f"{format_time(entry.time)})")
    if report.problems:
        first = report.problems[0]
        where = "up to it" if first.line <= line else "after it"
        return BundleCheck(
            report.log, False, entry.seq, line,
            f"FAIL {report.log}: {what}, but the log {where} is broken: {first.message}",
            bundle=bundle, sha256=digest,
        )
    after = report.entries - line  # an intact log holds one entry per line
    return BundleCheck(
        report.log, True, entry.seq, line,
        f"PASS {report.log}: {what}; the {after} entr{'y' if after == 1 else 'ies'} "
        "after it chain from it",
        bundle=bundle, sha256=digest,
    )
