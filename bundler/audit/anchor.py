"""Anchoring the audit log in time: `bundler audit anchor` and the anchor checks of
`bundler audit verify`.

A hash chain shows any edit, unless the whole chain after it was recomputed. An *anchor*
is an RFC 3161 timestamp from a time-stamping authority over the log's head hash at that
moment, kept beside the log as ``audit.jsonl.anchor-NNNNNN.tsr`` (NNNNNN: the entry it
anchors). The authority vouches that an entry with that hash existed at that time, so a
chain rewritten from before an anchored entry no longer holds its hash, and
``audit verify`` fails naming the anchor. The timestamp's message imprint *is* the head
hash (SHA-256 of the entry's canonical JSON), so anyone can check an anchor with
``openssl ts -verify -digest HEAD -in audit.jsonl.anchor-NNNNNN.tsr -CAfile TSA-CA.pem``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bundler.audit.log import LOG_NAME, log_path, parse_line, read_raw_lines
from bundler.audit.verify import SHORT, AuditReport, verify_against_head, verify_log
from bundler.errors import CaseIncomplete, ChecksFailed
from bundler.fileio import write_bytes_atomic
from bundler.pki.timestamp import (
    Timestamp,
    check_token,
    read_token,
    request_timestamp,
    utc_words,
)
from bundler.pki.trust import TrustAnchors, trust_anchors

_ANCHOR = re.compile(rf"^{re.escape(LOG_NAME)}\.anchor-(\d+)\.tsr$")
_MAX_ANCHOR = 1 << 20  # a timestamp response is a few kB
# The log's clock and the authority's may differ a little; an entry dated later than its
# anchor by more than this cannot have existed when the anchor was made.
_CLOCK_TOLERANCE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Anchored:
    """An anchor made (or found already made) for the log's current head."""

    path: Path
    seq: int
    head: str
    timestamp: Timestamp | None  # None when that entry was already anchored


def anchor_name(seq: int) -> str:
    return f"{LOG_NAME}.anchor-{seq:06d}.tsr"


def anchor_log(case_dir: Path, tsa: str) -> Anchored:
    """Timestamp the log's head with the authority at ``tsa`` and keep it beside the log.

    Refuses a broken chain (ChecksFailed: an anchor would vouch for it) and an empty log
    (CaseIncomplete); ServiceFailed, with nothing written, when the authority fails.
    """
    report = verify_log(case_dir)
    if not report.ok:
        raise ChecksFailed(f"{report.log}: the audit log is broken, so it is not anchored: "
                           f"{report.problems[0].message}",
                           f"Run `bundler audit verify {case_dir}` and repair or restore the "
                           "log first.")
    if report.head is None:
        raise CaseIncomplete(f"{report.log}: the audit log has no entries to anchor yet",
                             "Anchor the log once something has been recorded in it.")
    seq, _line = report.positions[report.head]
    path = log_path(case_dir).with_name(anchor_name(seq))
    if path.is_file():
        return Anchored(path, seq, report.head, None)
    stamp = request_timestamp(tsa, bytes.fromhex(report.head))
    write_bytes_atomic(path, stamp.response)
    return Anchored(path, seq, report.head, stamp)


@dataclass(frozen=True)
class AnchorCheck:
    """One anchor checked against the log, as one PASS or FAIL line."""

    path: Path
    ok: bool
    message: str
    head: str | None = None
    seq: int | None = None
    time: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.path.name, "ok": self.ok, "head": self.head, "seq": self.seq,
                "time": self.time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                if self.time else None, "message": self.message}


def check_anchors(case_dir: Path, report: AuditReport | None = None,
                  trust: Sequence[Path] = ()) -> list[AnchorCheck]:
    """Check every anchor beside the log: the token is intact and its authority trusted, and
    the hash it timestamps is an entry of the chain, intact up to it, dated no later."""
    report = report if report is not None else verify_log(case_dir)
    folder = report.log.parent
    paths = sorted(path for path in folder.iterdir() if _ANCHOR.match(path.name))
    if not paths:
        return []
    anchors = trust_anchors(trust)
    _log, data = read_raw_lines(case_dir)
    lines = data.split(b"\n")
    return [_check(path, report, lines, case_dir, anchors) for path in paths]


def _check(path: Path, report: AuditReport, lines: list[bytes], case_dir: Path,
           anchors: TrustAnchors) -> AnchorCheck:
    shown = f"{report.log}: anchor {path.name}"
    try:
        raw = path.read_bytes()[: _MAX_ANCHOR + 1]
        token = read_token(raw)
        info = token["content"]["encap_content_info"]["content"].parsed
        imprint = info["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        head = bytes(imprint["hashed_message"].native).hex()
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return AnchorCheck(path, False, f"FAIL {shown}: not a readable RFC 3161 timestamp")
    if algorithm != "sha256" or len(head) != 64:
        return AnchorCheck(path, False, f"FAIL {shown}: does not timestamp a SHA-256 head hash")
    token_check = check_token(token, bytes.fromhex(head), anchors)
    when = utc_words(token_check.time)
    if not token_check.intact:
        return AnchorCheck(path, False, f"FAIL {shown}: {token_check.problem}", head)
    if not token_check.trusted:
        return AnchorCheck(path, False, f"FAIL {shown}: the time-stamping authority "
                           f"{token_check.tsa} is not trusted: {token_check.problem} (give its "
                           "CA certificate with --trust)", head, time=token_check.time)
    in_chain = verify_against_head(case_dir, head, report)
    if in_chain.seq is None:
        return AnchorCheck(path, False, f"FAIL {shown}: the log no longer holds the entry it "
                           f"anchors (head {head[:SHORT]}, timestamped {when}): the log was "
                           "rewritten after that time", head, time=token_check.time)
    if not in_chain.ok:
        return AnchorCheck(path, False, f"FAIL {shown}: anchors entry {in_chain.seq}, but "
                           f"{in_chain.message.split(': ', 2)[-1]}", head, in_chain.seq,
                           token_check.time)
    assert in_chain.line is not None
    recorded = _entry_time(lines, in_chain.line)
    if (recorded is not None and token_check.time is not None
            and recorded > token_check.time + _CLOCK_TOLERANCE):
        return AnchorCheck(path, False, f"FAIL {shown}: entry {in_chain.seq} is dated "
                           f"{utc_words(recorded)}, after its own anchor ({when}): it was written "
                           "later than the log says", head, in_chain.seq, token_check.time)
    return AnchorCheck(path, True, f"PASS {shown}: entry {in_chain.seq} (head "
                       f"{head[:SHORT]}) existed at {when}, timestamped by {token_check.tsa} "
                       f"(trusted through {token_check.anchor}); chain intact up to it", head,
                       in_chain.seq, token_check.time)


def _entry_time(lines: list[bytes], line: int) -> dt.datetime | None:
    try:
        return parse_line(lines[line - 1])[1].time
    except (ValueError, IndexError):
        return None

