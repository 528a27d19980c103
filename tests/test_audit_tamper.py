"""Tampering with audit.jsonl is caught, and the first bad entry is named."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundler.audit import AuditAction, ProblemKind, record, verify_against_head, verify_log
from bundler.audit.model import canonical_json, entry_hash

T0 = dt.datetime(2026, 11, 20, 9, 30, 15, tzinfo=dt.UTC)
ACTIONS = [
    AuditAction.EVIDENCE_ADDED,
    AuditAction.EVIDENCE_ADDED,
    AuditAction.LETTER_GENERATED,
    AuditAction.BUNDLE_BUILT,
    AuditAction.BUNDLE_VERIFIED,
]


def _build(case: Path) -> list[str]:
    """A five-entry log with files and details; returns the entries' hashes."""
    (case / "evidence").mkdir(parents=True)
    hashes = []
    for i, action in enumerate(ACTIONS):
        out = case / "evidence" / f"doc-{i}.pdf"
        out.write_bytes(f"document {i} café".encode())
        entry = record(
            case,
            action,
            outputs=[out],
            details={"resident": f"R0{i}", "kind": "reminder"},
            now=T0 + dt.timedelta(minutes=i),
        )
        hashes.append(entry.hash)
    return hashes


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[str]]:
    case = tmp_path_factory.mktemp("pristine") / "case"
    hashes = _build(case)
    return (case / "audit.jsonl").read_bytes(), hashes


def _case_with(tmp_path: Path, data: bytes) -> Path:
    case = tmp_path / "case"
    case.mkdir(exist_ok=True)
    (case / "audit.jsonl").write_bytes(data)
    return case


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")[:-1]


def _join(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def test_intact_log_passes(tmp_path: Path, pristine: tuple[bytes, list[str]]) -> None:
    data, hashes = pristine
    report = verify_log(_case_with(tmp_path, data))
    assert report.ok and report.entries == 5 and report.head == hashes[-1]


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0), new=st.integers(min_value=0, max_value=255))
def test_any_changed_byte_is_caught_and_its_line_named(
    pristine: tuple[bytes, list[str]], position: int, new: int
) -> None:
    data, _ = pristine
    position %= len(data)
    if data[position] == new:
        new = (new + 1) % 256
    changed = bytearray(data)
    changed[position] = new
    expected_line = data[:position].count(b"\n") + 1
    with tempfile.TemporaryDirectory() as folder:
        report = verify_log(_case_with(Path(folder), bytes(changed)))
    assert not report.ok
    first = report.problems[0]
    assert first.line == expected_line
    named = f"line {expected_line}" if first.seq is None else f"(line {expected_line})"
    assert named in first.message


def test_edited_detail_is_named(tmp_path: Path, pristine: tuple[bytes, list[str]]) -> None:
    data, _ = pristine
    case = _case_with(tmp_path, data.replace(b'"resident":"R02"', b'"resident":"R07"'))
    report = verify_log(case)
    assert [(p.line, p.seq, p.kind) for p in report.problems] == [(3, 3, ProblemKind.EDITED)]
    assert report.lines() == [
        f"FAIL {case / 'audit.jsonl'}: entry 3 (line 3): changed after it was written: its "
        "content no longer matches its hash",
        f"FAIL {case / 'audit.jsonl'}: audit log broken, 1 problem; first bad: entry 3 (line 3)",
    ]


def test_edit_with_its_hash_recomputed_breaks_the_next_link(
    tmp_path: Path, pristine: tuple[bytes, list[str]]
) -> None:
    data, _ = pristine
    lines = _lines(data)
    fields = json.loads(lines[1])
    fields["user"] = "somebody-else"
    fields["hash"] = entry_hash(fields)
    lines[1] = canonical_json(fields)
    report = verify_log(_case_with(tmp_path, _join(lines)))
    assert [(p.line, p.seq, p.kind) for p in report.problems] == [(3, 3, ProblemKind.BROKEN_LINK)]
    assert report.problems[0].message == (
        "entry 3 (line 3): does not follow on from the entry before it (line 2): that entry "
        "was replaced, or entries between them were removed or inserted"
    )


@pytest.mark.parametrize(
    ("edit", "first"),
    [
        # deleted entry 3: entry 4 now sits on line 3
        (lambda ls: ls[:2] + ls[3:], (3, 4, ProblemKind.OUT_OF_SEQUENCE)),
        # deleted first entry
        (lambda ls: ls[1:], (1, 2, ProblemKind.OUT_OF_SEQUENCE)),
        # entries 2 and 3 swapped
        (lambda ls: [ls[0], ls[2], ls[1], *ls[3:]], (2, 3, ProblemKind.OUT_OF_SEQUENCE)),
        # entry 3 duplicated
        (lambda ls: [*ls[:3], ls[2], *ls[3:]], (4, 3, ProblemKind.DUPLICATE)),
        # first entry moved to the end
        (lambda ls: [*ls[1:], ls[0]], (1, 2, ProblemKind.OUT_OF_SEQUENCE)),
        # a blank line inserted
        (lambda ls: [*ls[:2], b"", *ls[2:]], (3, None, ProblemKind.BLANK)),
        # entry 2 pretty-printed on one line: same content, not the bytes written
        (
            lambda ls: [ls[0], json.dumps(json.loads(ls[1])).encode(), *ls[2:]],
            (2, 2, ProblemKind.REFORMATTED),
        ),
    ],
    ids=["deleted", "deleted-first", "swapped", "duplicated", "moved", "blank", "reformatted"],
)
def test_structural_tampering_is_caught(
    tmp_path: Path,
    pristine: tuple[bytes, list[str]],
    edit: object,
    first: tuple[int, int | None, ProblemKind],
) -> None:
    data, _ = pristine
    assert callable(edit)
    report = verify_log(_case_with(tmp_path, _join(edit(_lines(data)))))
    assert not report.ok
    problem = report.problems[0]
    assert (problem.line, problem.seq, problem.kind) == first


def test_deleted_entry_message(tmp_path: Path, pristine: tuple[bytes, list[str]]) -> None:
    data, _ = pristine
    lines = _lines(data)
    report = verify_log(_case_with(tmp_path, _join(lines[:2] + lines[3:])))
    assert report.problems[0].message == (
        "entry 4 (line 3): out of order: entry 3 should come here, so an entry was deleted, "
        "inserted or moved"
    )
    assert report.summary().endswith("first bad: entry 4 (line 3)")


def test_forged_insertion_is_caught_and_a_full_rewrite_fails_the_served_head(
    tmp_path: Path, pristine: tuple[bytes, list[str]]
) -> None:
    data, hashes = pristine
    lines = _lines(data)
    forged = json.loads(lines[1])
    forged.update(seq=3, prev=forged["hash"], details={"resident": "R09"})
    forged["hash"] = entry_hash(forged)
    inserted = [lines[0], lines[1], canonical_json(forged), *lines[2:]]
    report = verify_log(_case_with(tmp_path, _join(inserted)))
    assert (report.problems[0].line, report.problems[0].seq) == (4, 3)

    # Renumber and rehash everything after the forgery: the chain alone now passes...
    rewritten = [json.loads(line) for line in inserted]
    for i in range(3, len(rewritten)):
        rewritten[i].update(seq=i + 1, prev=rewritten[i - 1]["hash"])
        rewritten[i]["hash"] = entry_hash(rewritten[i])
    case = _case_with(tmp_path, _join([canonical_json(f) for f in rewritten]))
    assert verify_log(case).ok
    # ...but no head recorded by a bundle served after the forged point is there any more.
    assert verify_against_head(case, hashes[1])  # served before the forgery: still there
    assert not verify_against_head(case, hashes[3])
    assert not verify_against_head(case, hashes[4])


def test_reads_files_hashes_unchanged(tmp_path: Path, pristine: tuple[bytes, list[str]]) -> None:
    """The log records hashes the reader can recompute from the files themselves."""
    data, _ = pristine
    first = json.loads(_lines(data)[0])
    expected = hashlib.sha256("document 0 café".encode()).hexdigest()
    assert first["outputs"] == [
        {"path": "evidence/doc-0.pdf", "sha256": expected, "bytes": len("document 0 café".encode())}
    ]
