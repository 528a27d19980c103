"""The audit log library: entries as written, the chain, torn writes, evidence intake."""

from __future__ import annotations

import datetime as dt
import errno
import getpass
import hashlib
import itertools
import json
import logging
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundler import TOOL_NAME, __version__
from bundler.audit import (
    GENESIS,
    AuditAction,
    AuditEntry,
    ProblemKind,
    exclusive_log,
    head_hash,
    read_entries,
    record,
    render_history,
    repair_log,
    verify_against_head,
    verify_log,
)
from bundler.errors import BadInput, ChecksFailed, InputNotFound, OutputFailed

T0 = dt.datetime(2026, 11, 20, 9, 30, 15, tzinfo=dt.UTC)


def _case(tmp_path: Path) -> Path:
    case = tmp_path / "case"
    (case / "evidence").mkdir(parents=True)
    return case


def _file(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _reference_line(fields: dict[str, object]) -> bytes:
    """RFC 8785 for our entries, by another route: ASCII keys sort the same in UTF-16."""
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _lines(case: Path) -> list[bytes]:
    return (case / "audit.jsonl").read_bytes().split(b"\n")


# --------------------------------------------------------------------------- entries as written


def test_first_entry_is_written_as_specified(tmp_path: Path) -> None:
    case = _case(tmp_path)
    pdf = _file(case / "evidence" / "tenancy-R01.pdf", b"%PDF-1.7 fake\n")
    outside = _file(tmp_path / "received" / "email.eml", b"From: provider\n\nhello")
    entry = record(
        case,
        AuditAction.EVIDENCE_ADDED,
        inputs=[outside],
        outputs=[pdf],
        details={"resident": "R01", "note": "Flat 2, Ävenue Road"},
        now=T0.astimezone(dt.timezone(dt.timedelta(hours=1))),  # any zone, stored as UTC
    )
    lines = _lines(case)
    assert lines[-1] == b"" and len(lines) == 2  # one line, ending in \n
    fields = json.loads(lines[0])
    assert fields == {
        "format": 1,
        "seq": 1,
        "time": "2026-11-20T09:30:15Z",
        "action": "evidence_added",
        "user": entry.user,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "inputs": [
            {
                "path": str(outside),
                "sha256": hashlib.sha256(outside.read_bytes()).hexdigest(),
                "bytes": outside.stat().st_size,
            }
        ],
        "outputs": [
            {
                "path": "evidence/tenancy-R01.pdf",
                "sha256": hashlib.sha256(b"%PDF-1.7 fake\n").hexdigest(),
                "bytes": 14,
            }
        ],
        "details": {"resident": "R01", "note": "Flat 2, Ävenue Road"},
        "prev": GENESIS,
        "hash": entry.hash,
    }
    # The line is the canonical form itself, and the hash covers everything but the hash.
    assert lines[0] == _reference_line(fields)
    body = {k: v for k, v in fields.items() if k != "hash"}
    assert entry.hash == hashlib.sha256(_reference_line(body)).hexdigest()
    assert "Ä".encode() in lines[0]  # not escaped: ensure_ascii=False
    assert entry.user


def test_entries_chain_and_head_is_last_hash(tmp_path: Path) -> None:
    case = _case(tmp_path)
    assert head_hash(case) is None
    made = [
        record(case, action, now=T0 + dt.timedelta(minutes=i), details={"i": str(i)})
        for i, action in enumerate(AuditAction)
    ]
    assert [e.seq for e in made] == list(range(1, len(made) + 1))
    assert made[0].prev == GENESIS
    assert all(later.prev == earlier.hash for earlier, later in itertools.pairwise(made))
    assert read_entries(case) == made
    assert head_hash(case) == made[-1].hash
    report = verify_log(case)
    assert report.ok and report.entries == len(made) and report.head == made[-1].hash
    assert report.lines() == [
        f"PASS {case / 'audit.jsonl'}: {len(made)} entries, chain intact, head {made[-1].hash[:12]}"
    ]


def test_user_falls_back_to_uid_when_the_system_has_no_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_user)
    entry = record(_case(tmp_path), AuditAction.LETTER_GENERATED, now=T0)
    assert entry.user.startswith("uid-")


@pytest.mark.parametrize(
    "details",
    [
        {"Resident": "R01"},
        {"resident": "line one\nline two"},
        {"x": "y" * 201},
        {f"k{i}": "v" for i in range(21)},
    ],
)
def test_details_must_be_short_single_line_strings(tmp_path: Path, details: dict[str, str]) -> None:
    case = _case(tmp_path)
    with pytest.raises(ValueError, match="details"):
        record(case, AuditAction.BUNDLE_BUILT, details=details, now=T0)
    assert (case / "audit.jsonl").read_bytes() == b""  # nothing half-written


def test_naive_time_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        record(_case(tmp_path), AuditAction.BUNDLE_BUILT, now=dt.datetime(2026, 1, 1))


def test_missing_case_folder_or_file_is_reported_and_nothing_created(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound, match="case folder not found"):
        record(tmp_path / "nope", AuditAction.BUNDLE_BUILT)
    assert not (tmp_path / "nope").exists()
    case = _case(tmp_path)
    with pytest.raises(InputNotFound, match=r"gone\.pdf: file not found"):
        record(case, AuditAction.BUNDLE_BUILT, outputs=[case / "gone.pdf"], now=T0)
    assert not (case / "audit.jsonl").exists()


def test_read_entries_without_a_log_says_so(tmp_path: Path) -> None:
    case = _case(tmp_path)
    with pytest.raises(InputNotFound) as caught:
        read_entries(case)
    assert caught.value.message == f"{case / 'audit.jsonl'}: audit log not found"


def test_schema_forbids_extra_fields_and_requires_utc() -> None:
    schema = AuditEntry.model_json_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"seq", "time", "action", "prev", "hash"}
    good = {
        "format": 1,
        "seq": 1,
        "time": "2026-11-20T09:30:15Z",
        "action": "bundle_built",
        "user": "officer",
        "tool": {"name": "t", "version": "1"},
        "inputs": [],
        "outputs": [],
        "details": {},
        "prev": GENESIS,
        "hash": GENESIS,
    }
    AuditEntry.model_validate(good)
    for bad in (
        {"time": "2026-11-20T09:30:15"},
        {"time": "2026-11-20T09:30:15.5Z"},
        {"surname": "x"},
        {"action": "deleted"},
        {"prev": "ABC"},
    ):
        with pytest.raises(ValueError):
            AuditEntry.model_validate({**good, **bad})


def test_a_newer_format_asks_for_an_upgrade(tmp_path: Path) -> None:
    case = _case(tmp_path)
    record(case, AuditAction.BUNDLE_BUILT, now=T0)
    log = case / "audit.jsonl"
    log.write_bytes(log.read_bytes().replace(b'"format":1', b'"format":2'))
    with pytest.raises(BadInput, match="newer version of the toolkit"):
        read_entries(case)


def test_history_table(tmp_path: Path) -> None:
    case = _case(tmp_path)
    a = _file(case / "out" / "bundle.pdf", b"bundle")
    b = _file(case / "out" / "bundle.pdf.sha256", b"hash")
    record(case, AuditAction.BUNDLE_BUILT, outputs=[a, b], now=T0)
    record(case, AuditAction.BUNDLE_VERIFIED, inputs=[a], now=T0 + dt.timedelta(seconds=1))
    entries = read_entries(case)
    user = entries[0].user
    ha, hb = (hashlib.sha256(x).hexdigest()[:12] for x in (b"bundle", b"hash"))
    table = render_history(entries).splitlines()
    assert table[1].startswith("  1  2026-11-20T09:30:15Z  bundle_built     ")
    assert table[1].endswith(f"out/bundle.pdf ({ha})")
    assert table[2].strip() == f"out/bundle.pdf.sha256 ({hb})"
    assert table[3].split()[:5] == ["2", "2026-11-20T09:30:16Z", "bundle_verified", user, "-"]
    assert render_history([]) == "(no entries recorded yet)"


# --------------------------------------------------------------------------- torn writes


def test_cut_off_last_line_is_reported_then_set_aside_and_recorded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    case = _case(tmp_path)
    first = record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    log = case / "audit.jsonl"
    torn = b'{"action":"bundle_built","details":{},"form'
    with log.open("ab") as handle:
        handle.write(torn)

    report = verify_log(case)
    assert not report.ok
    assert [(p.line, p.kind) for p in report.problems] == [(2, ProblemKind.CUT_OFF)]
    assert report.problems[0].message == (
        f"line 2: the last entry was cut off part-way through writing (an interrupted write); "
        f"`bundler audit repair {case}` sets it aside"
    )
    with caplog.at_level(logging.WARNING):
        assert read_entries(case) == [first]
        assert head_hash(case) == first.hash
    assert "line 2 was cut off" in caplog.text

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        entry = record(case, AuditAction.BUNDLE_BUILT, now=T0)
    aside = case / "audit.jsonl.torn-2"
    assert aside.read_bytes() == torn
    assert f"moved to {aside}" in caplog.text
    entries = read_entries(case)
    assert [e.action for e in entries] == ["evidence_added", "log_repaired", "bundle_built"]
    repaired = entries[1]
    assert repaired.outputs[0].path == "audit.jsonl.torn-2"
    assert repaired.outputs[0].sha256 == hashlib.sha256(torn).hexdigest()
    assert repaired.details == {"cut_off_line": "2", "repair": "set aside"}
    assert entry.seq == 3 and verify_log(case).ok


def test_whole_entry_missing_only_its_line_ending_is_completed(tmp_path: Path) -> None:
    case = _case(tmp_path)
    record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    second = record(case, AuditAction.LETTER_GENERATED, now=T0)
    log = case / "audit.jsonl"
    log.write_bytes(log.read_bytes()[:-1])
    assert [p.kind for p in verify_log(case).problems] == [ProblemKind.CUT_OFF]
    cut = repair_log(case).cut_off
    assert cut is not None and cut.completed and cut.line == 2
    assert read_entries(case)[-1] == second and verify_log(case).ok
    assert not repair_log(case).changed
    assert sorted(p.name for p in case.iterdir()) == ["audit.jsonl", "evidence"]


def test_a_lone_first_entry_missing_its_line_ending_is_completed(tmp_path: Path) -> None:
    case = _case(tmp_path)
    first = record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    log = case / "audit.jsonl"
    log.write_bytes(log.read_bytes()[:-1])
    cut = repair_log(case).cut_off
    assert cut is not None and cut.completed and cut.line == 1
    assert read_entries(case) == [first] and verify_log(case).ok


@pytest.mark.parametrize("forged", ["seq", "prev", "hash"])
def test_a_last_line_missing_its_ending_is_completed_only_if_it_chains(
    tmp_path: Path, forged: str
) -> None:
    """Whole and canonical, but numbered out of turn, chained to another entry, or carrying
    a hash that is not its own: set aside and the repair recorded, never completed."""
    import rfc8785

    case = _case(tmp_path)
    record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    record(case, AuditAction.LETTER_GENERATED, now=T0)
    log = case / "audit.jsonl"
    *kept, last = log.read_bytes().splitlines(keepends=True)
    fields = json.loads(last)
    if forged == "hash":
        fields["hash"] = "0" * 64
    else:
        fields[forged] = fields["seq"] + 1 if forged == "seq" else "1" * 64
        body = {key: value for key, value in fields.items() if key != "hash"}
        fields["hash"] = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    torn = rfc8785.dumps(fields)
    log.write_bytes(b"".join(kept) + torn)
    cut = repair_log(case, now=T0).cut_off
    assert cut is not None and not cut.completed
    assert cut.set_aside == case / "audit.jsonl.torn-2"
    assert cut.set_aside.read_bytes() == torn
    assert [e.action for e in read_entries(case)] == ["evidence_added", "log_repaired"]
    assert verify_log(case).ok


def test_disk_full_mid_line_takes_the_part_line_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _case(tmp_path)
    first = record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    before = (case / "audit.jsonl").read_bytes()
    real_write = os.write

    def half_then_full(fd: int, data: bytes | memoryview) -> int:
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(OutputFailed) as caught:
        record(case, AuditAction.BUNDLE_BUILT, now=T0)
    monkeypatch.undo()
    assert caught.value.message == (
        f"{case / 'audit.jsonl'}: cannot write to the audit log (No space left on device)"
    )
    assert caught.value.hint == "Free some disk space, then try again."
    assert (case / "audit.jsonl").read_bytes() == before
    assert read_entries(case) == [first] and verify_log(case).ok


def test_cut_off_first_line(tmp_path: Path) -> None:
    case = _case(tmp_path)
    (case / "audit.jsonl").write_bytes(b'{"act')
    cut = repair_log(case, now=T0).cut_off
    assert cut is not None and not cut.completed and cut.entry is not None
    assert cut.set_aside == case / "audit.jsonl.torn-1"
    assert cut.entry.seq == 1 and cut.entry.prev == GENESIS
    assert verify_log(case).ok


def test_repair_never_creates_a_log(tmp_path: Path) -> None:
    case = _case(tmp_path)
    with pytest.raises(InputNotFound):
        repair_log(case)
    assert not (case / "audit.jsonl").exists()


def test_unreadable_last_entry_blocks_appending(tmp_path: Path) -> None:
    case = _case(tmp_path)
    record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    with (case / "audit.jsonl").open("ab") as handle:
        handle.write(b"not json\n")
    with pytest.raises(BadInput) as caught:
        record(case, AuditAction.BUNDLE_BUILT, now=T0)
    assert caught.value.message == (
        f"{case / 'audit.jsonl'}: line 2: the last entry cannot be read (not valid JSON "
        "(at character 1)), so nothing can be chained after it"
    )


# --------------------------------------------------------------------------- head checks


def test_truncation_is_caught_against_a_served_head(tmp_path: Path) -> None:
    case = _case(tmp_path)
    for i in range(3):
        record(case, AuditAction.LETTER_GENERATED, now=T0, details={"i": str(i)})
    served = head_hash(case)
    assert served is not None
    record(case, AuditAction.BUNDLE_BUILT, now=T0)
    check = verify_against_head(case, served)
    assert check and check.seq == 3 and check.line == 3
    assert check.message == (
        f"PASS {case / 'audit.jsonl'}: head {served[:12]} is entry 3 (line 3), "
        "chain intact up to it"
    )
    log = case / "audit.jsonl"
    log.write_bytes(b"".join(line + b"\n" for line in _lines(case)[:2]))
    assert verify_log(case).ok  # a chain alone cannot see its end cut off...
    check = verify_against_head(case, served)
    assert not check  # ...the head a bundle recorded can
    assert check.message == (
        f"FAIL {log}: head {served[:12]} is not in the log: entries were removed from its "
        "end, or the log was rewritten"
    )


def test_head_behind_a_broken_entry_fails(tmp_path: Path) -> None:
    case = _case(tmp_path)
    record(case, AuditAction.EVIDENCE_ADDED, now=T0, details={"a": "1"})
    served = record(case, AuditAction.BUNDLE_BUILT, now=T0).hash
    log = case / "audit.jsonl"
    log.write_bytes(log.read_bytes().replace(b'"a":"1"', b'"a":"2"', 1))
    check = verify_against_head(case, served)
    assert not check and check.seq == 2
    assert "the chain up to it is broken: entry 1 (line 1): changed after it was written" in (
        check.message
    )
    with pytest.raises(BadInput):
        verify_against_head(case, "xyz")


def test_raising_form_names_the_first_bad_entry(tmp_path: Path) -> None:
    case = _case(tmp_path)
    record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    record(case, AuditAction.BUNDLE_BUILT, now=T0)
    verify_log(case).raise_for_problems()  # intact: no exception
    log = case / "audit.jsonl"
    log.write_bytes(
        log.read_bytes().replace(b'"action":"evidence_added"', b'"action":"bundle_built"')
    )
    with pytest.raises(ChecksFailed) as caught:
        verify_log(case).raise_for_problems()
    assert caught.value.message == (
        f"{log}: entry 1 (line 1): changed after it was written: its content no longer "
        "matches its hash"
    )
    assert caught.value.exit_code == 1
    assert f"bundler audit verify {case}" in caught.value.hint


_VALUES = st.text(
    st.characters(
        blacklist_categories=("Cs",), blacklist_characters="".join(map(chr, range(32))) + "\x7f"
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(
    details=st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), _VALUES, max_size=5
    )
)
def test_any_allowed_details_round_trip_and_verify(details: dict[str, str]) -> None:
    """Unusual text (accents, emoji, U+2028, quotes, backslashes) hashes and reads back intact."""
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder)
        entry = record(case, AuditAction.LETTER_GENERATED, details=details, now=T0)
        again = record(case, AuditAction.LETTER_GENERATED, details=details, now=T0)
        assert read_entries(case) == [entry, again]
        assert entry.details == details
        assert verify_log(case).ok
        line = (case / "audit.jsonl").read_bytes().split(b"\n")[0]
        assert line == _reference_line(json.loads(line))


def test_recording_outside_the_writer_while_holding_the_lock_fails_fast(tmp_path: Path) -> None:
    """flock is not re-entrant: a nested record() would otherwise wait for ever."""
    case = _case(tmp_path)
    with exclusive_log(case) as writer:
        writer.record(AuditAction.EVIDENCE_ADDED, now=T0)
        with pytest.raises(RuntimeError, match="already holds the audit log's lock"):
            record(case, AuditAction.BUNDLE_BUILT, now=T0)
        with pytest.raises(RuntimeError):
            read_entries(case)
    assert len(read_entries(case)) == 1
    record(case, AuditAction.BUNDLE_BUILT, now=T0)  # released: works again
