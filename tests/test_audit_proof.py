"""The audit log proves what was served, and nothing is ever left unrecorded (issue 17).

Reproductions: a bundle's own ``bundle_built`` entry cut off the log (``--head`` cannot see
it, since the head a bundle records is the one before its entry); an appended entry whose
time goes backwards; concurrent ``bundle build --force`` into one output recording the
other run's files; a log that cannot be appended (a trailing blank line) leaving a copied
evidence file, a complete bundle or letters behind with no entry; ``audit repair`` saying
"nothing to repair" while ``audit verify`` fails.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bundler.audit import AuditAction, AuditEntry, read_entries, record, verify_log
from bundler.audit.model import canonical_json, entry_hash
from bundler.bundle.build import build_bundle
from bundler.cli import cli
from tests import bundle_fixtures as fx

T0 = dt.datetime(2026, 11, 20, 9, 30, 15, tzinfo=dt.UTC)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small case folder with a spec: building it records bundle_built in its log."""
    monkeypatch.chdir(tmp_path)
    folder = Path("case")
    folder.mkdir()
    (folder / "case.yaml").write_text("# records not needed to build from bundle.yaml\n")
    fx.make_text_pdf(folder / "notes.pdf", "NOTEWORD", 2)
    (folder / "bundle.yaml").write_text(
        "reference: HB-TEST-1\ntitle: Test bundle\nsections:\n  - label: A\n    title: Evidence\n"
        "    documents:\n      - file: notes.pdf\n        title: Visit notes\n")
    return folder


def build(case: Path, out: str, date: str = "2026-11-20", *extra: str) -> Result:
    result = run("bundle", "build", str(case / "bundle.yaml"), "-o", out, "--date", date,
                 "--force", *extra)
    assert result.exit_code == 0, result.stderr
    return result


def log_lines(case: Path) -> list[bytes]:
    return (case / "audit.jsonl").read_bytes().splitlines(keepends=True)


# --------------------------------------------------------------------------- verify --bundle


def test_bundle_check_passes_for_the_bundle_built(case: Path) -> None:
    build(case, "out/one.pdf")
    record(case, AuditAction.BUNDLE_VERIFIED, inputs=[Path("out/one.pdf")])
    result = run("audit", "verify", "case", "--bundle", "out/one.pdf")
    assert result.exit_code == 0, result.stdout
    when = read_entries(case)[0].time.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert result.stdout.splitlines()[1] == (
        f"PASS case/audit.jsonl: out/one.pdf (sha256 {sha(Path('out/one.pdf'))[:12]}) is entry 1 "
        f"(line 1, built {when}); the 1 entry after it chain from it"
    )
    record(case, AuditAction.BUNDLE_VERIFIED, inputs=[Path("out/one.pdf")])
    report = json.loads(run("audit", "verify", "case", "--bundle", "out/one.pdf",
                            "--json").stdout)
    assert report["bundles"] == [{
        "bundle": "out/one.pdf", "sha256": sha(Path("out/one.pdf")), "ok": True, "seq": 1,
        "line": 1, "message": result.stdout.splitlines()[1].replace(
            "the 1 entry after it", "the 2 entries after it")}]


def test_bundle_entry_cut_off_is_caught_where_head_is_not(case: Path) -> None:
    build(case, "out/one.pdf")
    build(case, "out/two.pdf", "2026-11-21")
    head_of_two = json.loads(Path("out/two.manifest.json").read_text())["audit_head"]
    lines = log_lines(case)
    (case / "audit.jsonl").write_bytes(b"".join(lines[:-1]))  # two's own entry cut off

    result = run("audit", "verify", "case", "--head", head_of_two)
    assert result.exit_code == 0  # the head two recorded is entry 1: still there
    result = run("audit", "verify", "case", "--head", head_of_two, "--bundle", "out/two.pdf",
                 "--bundle", "out/one.pdf")
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[2] == (
        f"FAIL case/audit.jsonl: out/two.pdf (sha256 {sha(Path('out/two.pdf'))[:12]}) is not "
        "recorded as built: its bundle_built entry was cut off or removed, or this is not a "
        "bundle built in this case (or it was changed after it was built)")
    assert out[3].startswith("PASS case/audit.jsonl: out/one.pdf")

    report = json.loads(run("audit", "verify", "case", "--bundle", "out/two.pdf",
                            "--json").stdout)
    assert report["ok"] is False
    assert report["bundles"][0]["sha256"] == sha(Path("out/two.pdf"))
    assert report["bundles"][0]["seq"] is None


def test_bundle_check_fails_when_the_log_after_it_is_broken(case: Path) -> None:
    build(case, "out/one.pdf")
    record(case, AuditAction.LETTER_GENERATED)
    record(case, AuditAction.LETTER_GENERATED)
    lines = log_lines(case)
    (case / "audit.jsonl").write_bytes(lines[0] + lines[2])  # entry 2 removed
    result = run("audit", "verify", "case", "--bundle", "out/one.pdf")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1].startswith(
        f"FAIL case/audit.jsonl: out/one.pdf (sha256 {sha(Path('out/one.pdf'))[:12]}) is entry "
        "1 (line 1, built ")
    assert result.stdout.splitlines()[-1].endswith(
        "but the log after it is broken: entry 3 (line 2): out of order: entry 2 should come "
        "here, so an entry was deleted, inserted or moved")


def test_bundle_check_fails_when_the_log_up_to_it_is_broken(case: Path) -> None:
    """The entry before the bundle's is removed, so the bundle's own entry (2) now stands
    on line 1, out of order: the log up to it is broken, and --json says where."""
    record(case, AuditAction.LETTER_GENERATED)
    build(case, "out/one.pdf")
    (case / "audit.jsonl").write_bytes(log_lines(case)[1])
    result = run("audit", "verify", "case", "--bundle", "out/one.pdf")
    assert result.exit_code == 1
    last = result.stdout.splitlines()[-1]
    assert last.startswith(
        f"FAIL case/audit.jsonl: out/one.pdf (sha256 {sha(Path('out/one.pdf'))[:12]}) is entry "
        "2 (line 1, built ")
    assert last.endswith("but the log up to it is broken: entry 2 (line 1): out of order: "
                         "entry 1 should come here, so an entry was deleted, inserted or moved")
    report = json.loads(run("audit", "verify", "case", "--bundle", "out/one.pdf",
                            "--bundle", "case/notes.pdf", "--json").stdout)
    assert report["bundles"] == [
        {"bundle": "out/one.pdf", "sha256": sha(Path("out/one.pdf")), "ok": False, "seq": 2,
         "line": 1, "message": last},
        {"bundle": "case/notes.pdf", "sha256": sha(Path("case/notes.pdf")), "ok": False,
         "seq": None, "line": None, "message": report["bundles"][1]["message"]}]


def test_a_folder_given_as_the_bundle_is_refused(case: Path) -> None:
    build(case, "out/one.pdf")
    result = run("audit", "verify", "case", "--bundle", "out")
    assert result.exit_code == 4
    assert result.stderr.splitlines() == ["error: out: is a folder, not a bundle",
                                          "  what to do: Name the bundle's PDF file."]


def test_head_checks_read_back_exactly(case: Path) -> None:
    """A head on an intact chain passes; a head whose own line is out of order fails, with
    --json giving every field; a head that is no hash is refused with what to do."""
    from bundler.audit import verify_against_head
    from bundler.errors import BadInput

    for _ in range(3):
        record(case, AuditAction.LETTER_GENERATED)
    first, second, _third = (entry.hash for entry in read_entries(case))
    lines = log_lines(case)
    (case / "audit.jsonl").write_bytes(lines[0] + lines[2])  # entry 2 removed
    report = json.loads(run("audit", "verify", "case", "--head", first, "--json").stdout)
    assert report["heads"] == [{"head": first, "ok": True, "seq": 1, "line": 1, "message": (
        f"PASS case/audit.jsonl: head {first[:12]} is entry 1 (line 1), chain intact up to it")}]
    third = read_entries(case)[-1].hash
    report = json.loads(run("audit", "verify", "case", "--head", third, "--head", second,
                            "--json").stdout)
    assert report["heads"] == [
        {"head": third, "ok": False, "seq": 3, "line": 2, "message": (
            f"FAIL case/audit.jsonl: head {third[:12]} is entry 3 (line 2), but the chain up "
            "to it is broken: entry 3 (line 2): out of order: entry 2 should come here, so an "
            "entry was deleted, inserted or moved")},
        {"head": second, "ok": False, "seq": None, "line": None, "message": (
            f"FAIL case/audit.jsonl: head {second[:12]} is not in the log: entries were removed "
            "from its end, or the log was rewritten")}]
    with pytest.raises(BadInput) as refused:
        verify_against_head(case, "abc")
    assert (refused.value.message, refused.value.hint) == (
        "'abc': not a head hash (64 hexadecimal characters)",
        "Copy the audit head hash from the bundle's manifest or certificate page.")


@pytest.mark.parametrize("edit", ["schema", "rehashed", "no hash", "no canonical form"])
def test_an_entry_broken_by_an_edit_is_told_from_one_that_is_not_an_entry(
    case: Path, edit: str
) -> None:
    """An action changed to one the toolkit never writes breaks the entry's format: the hash
    still there tells it was an edit. Rehashed after the change, without a hash, or with a
    number no entry could hash, the line is simply not a readable audit entry."""
    import rfc8785

    record(case, AuditAction.LETTER_GENERATED)
    record(case, AuditAction.LETTER_GENERATED)
    lines = log_lines(case)
    fields = json.loads(lines[1]) | {"action": "letter_forged"}
    if edit == "rehashed":
        body = {key: value for key, value in fields.items() if key != "hash"}
        fields["hash"] = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    elif edit == "no hash":
        del fields["hash"]
    elif edit == "no canonical form":  # an integer JSON's canonical form cannot hold
        fields["seq"] = 2**60
    line = (json.dumps(fields, separators=(",", ":")).encode() if edit == "no canonical form"
            else rfc8785.dumps(fields))
    (case / "audit.jsonl").write_bytes(lines[0] + line + b"\n")
    problems = json.loads(run("audit", "verify", "case", "--json").stdout)["problems"]
    assert [(p["line"], p["kind"]) for p in problems] == [
        (2, "edited" if edit == "schema" else "malformed")]
    if edit == "schema":
        assert problems[0]["message"] == ("entry 2 (line 2): changed after it was written: its "
                                          "content no longer matches its hash")
    else:
        assert problems[0]["message"].startswith("line 2: not a readable audit entry (")


def test_a_changed_bundle_is_not_the_one_recorded(case: Path) -> None:
    build(case, "out/one.pdf")
    data = bytearray(Path("out/one.pdf").read_bytes())
    data[-10] ^= 1
    Path("out/one.pdf").write_bytes(bytes(data))
    result = run("audit", "verify", "case", "--bundle", "out/one.pdf")
    assert result.exit_code == 1
    assert "is not recorded as built" in result.stdout


def test_missing_bundle_is_exit_3(case: Path) -> None:
    build(case, "out/one.pdf")
    result = run("audit", "verify", "case", "--bundle", "out/none.pdf")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == "error: out/none.pdf: bundle not found"


# --------------------------------------------------------------------------- times


def _forged_after(case: Path, when: dt.datetime) -> None:
    """Append an entry chained correctly (a chain without a key can be extended) but dated."""
    last = read_entries(case)[-1]
    fields = {**last.as_json(), "seq": last.seq + 1, "prev": last.hash,
              "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "action": "letter_generated",
              "inputs": [], "outputs": [], "details": {}}
    fields["hash"] = entry_hash(fields)
    AuditEntry.model_validate(fields)
    with (case / "audit.jsonl").open("ab") as handle:
        handle.write(canonical_json(fields) + b"\n")


def test_an_entry_dated_before_the_one_before_it_fails(case: Path) -> None:
    record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    record(case, AuditAction.EVIDENCE_ADDED, now=T0 + dt.timedelta(hours=1))
    _forged_after(case, T0 + dt.timedelta(minutes=30))
    result = run("audit", "verify", "case")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "FAIL case/audit.jsonl: entry 3 (line 3): recorded at 2026-11-20T10:00:15Z, before the "
        "entry before it (line 2, 2026-11-20T10:30:15Z): times in the log never go backwards, "
        "so this entry was made or changed outside the toolkit",
        "FAIL case/audit.jsonl: audit log broken, 1 problem; first bad: entry 3 (line 3)",
    ]
    assert "cannot repair: entry 3 (line 3): recorded at" in run("audit", "repair", "case").stdout


def test_the_toolkit_never_writes_a_time_that_goes_backwards(
    case: Path, caplog: pytest.LogCaptureFixture
) -> None:
    record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    with caplog.at_level(logging.WARNING):
        entry = record(case, AuditAction.EVIDENCE_ADDED, now=T0 - dt.timedelta(minutes=5))
    assert entry.time == T0
    assert "this computer's clock (2026-11-20T09:25:15Z) is behind the log's last entry" in (
        caplog.text)
    assert verify_log(case).ok


# --------------------------------------------------------------------------- concurrent builds

BUILDER = """
import sys, time, datetime as dt
from pathlib import Path
from bundler.bundle.build import build_bundle

spec, out, date, count, go = (Path(sys.argv[1]), Path(sys.argv[2]),
                              dt.date.fromisoformat(sys.argv[3]), int(sys.argv[4]),
                              Path(sys.argv[5]))
(go.parent / f"ready-{sys.argv[3]}").touch()
while not go.exists():
    time.sleep(0.001)
for _ in range(count):
    build_bundle(spec, out, force=True, build_date=date)
"""


def test_concurrent_forced_builds_into_one_output_record_their_own_files(case: Path) -> None:
    """Two processes build different bundles (other dates) into one output, many times.

    Every bundle_built entry must record one build's three files together (the manifest
    the build made, the sidecar naming the PDF recorded), and the files left in place must
    be those of the last entry (hashed with hashlib here). Before: 5 of 40 recorded the
    other run's manifest."""
    spec, out = (case / "bundle.yaml").resolve(), Path("out/bundle.pdf").resolve()
    dates = ("2026-11-20", "2026-11-21")
    go = Path("go").resolve()
    procs = [subprocess.Popen([sys.executable, "-c", BUILDER, str(spec), str(out), date, "15",
                               str(go)], stderr=subprocess.PIPE) for date in dates]
    while not all(Path(f"ready-{date}").exists() for date in dates):
        assert all(p.poll() is None for p in procs), [p.stderr.read() for p in procs if p.stderr]
    go.touch()
    for proc in procs:
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()

    entries = [e for e in read_entries(case) if e.action is AuditAction.BUNDLE_BUILT]
    assert len(entries) == 2 * 15
    for entry in entries:
        pdf, manifest, sidecar = (o.sha256 for o in entry.outputs)
        assert entry.details["manifest_sha256"] == manifest, f"entry {entry.seq}: other manifest"
        assert sidecar == hashlib.sha256(f"{pdf}  bundle.pdf\n".encode()).hexdigest(), (
            f"entry {entry.seq}: the sidecar recorded names another PDF")
    assert [o.sha256 for o in entries[-1].outputs] == [
        sha(out), sha(out.with_name("bundle.manifest.json")), sha(out.with_name("bundle.pdf.sha256"))]
    assert len({e.details["manifest_sha256"] for e in entries}) == len(entries)
    assert verify_log(case).ok


# --------------------------------------------------------------------------- nothing unrecorded


def _blank_line_at_end(case: Path) -> bytes:
    with (case / "audit.jsonl").open("ab") as handle:
        handle.write(b"\n")
    return (case / "audit.jsonl").read_bytes()


BLANK_AT_END = ("error: case/audit.jsonl: line {line}: the log ends in a blank line, so nothing "
                "can be chained after it; nothing was written\n"
                "  what to do: Run `bundler audit repair case` to remove it, then try again.\n")


def test_unappendable_log_stops_evidence_add_before_copying(case: Path) -> None:
    build(case, "out/one.pdf")
    before = _blank_line_at_end(case)
    Path("scan.pdf").write_bytes(b"%PDF-1.4 scanned")
    result = run("evidence", "add", "case", "scan.pdf")
    assert result.exit_code == 4
    assert result.stderr == BLANK_AT_END.format(line=2)
    assert not (case / "evidence").exists()
    assert (case / "audit.jsonl").read_bytes() == before


def test_unappendable_log_stops_a_build_before_any_work(case: Path) -> None:
    build(case, "out/one.pdf")
    earlier = Path("out/one.pdf").read_bytes()
    _blank_line_at_end(case)
    result = run("bundle", "build", "case/bundle.yaml", "-o", "out/one.pdf", "--force",
                 "--date", "2026-12-01")
    assert result.exit_code == 4
    assert result.stderr == BLANK_AT_END.format(line=2)
    assert Path("out/one.pdf").read_bytes() == earlier
    assert sorted(p.name for p in Path("out").iterdir()) == [
        "one.manifest.json", "one.pdf", "one.pdf.sha256"]


def test_unappendable_log_stops_letters_before_writing(sample_case: Path, tmp_path: Path) -> None:
    record(sample_case, AuditAction.EVIDENCE_ADDED, now=T0)
    with (sample_case / "audit.jsonl").open("ab") as handle:
        handle.write(b"\n")
    letters = tmp_path / "letters"
    result = run("letter", "findings", str(sample_case), "-o", str(letters))
    assert result.exit_code == 4
    assert result.stderr.startswith(
        f"error: {sample_case / 'audit.jsonl'}: line 2: the log ends in a blank line")
    assert not letters.exists()


def test_append_failing_after_the_build_leaves_no_bundle(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log becomes unappendable while the bundle is being built: the finished bundle
    is never put in place, and the one built before is untouched."""
    build(case, "out/one.pdf")
    earlier = {p.name: p.read_bytes() for p in Path("out").iterdir()}

    def spoil(message: str) -> None:
        if message.startswith("laying out"):
            _blank_line_at_end(case)

    with pytest.raises(Exception) as caught:
        build_bundle(case / "bundle.yaml", Path("out/one.pdf"), force=True,
                     build_date=dt.date(2026, 12, 1), progress=spoil)
    message = str(caught.value)
    assert message == (
        "case/audit.jsonl: line 2: the log ends in a blank line, so nothing can be chained "
        "after it; so out/one.pdf, out/one.manifest.json, out/one.pdf.sha256 were not written")
    assert {p.name: p.read_bytes() for p in Path("out").iterdir()} == earlier
    assert [e.action for e in read_entries(case)] == ["bundle_built"]


def test_disk_full_on_append_leaves_no_evidence_copy(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(case, AuditAction.LETTER_GENERATED, now=T0)
    before = (case / "audit.jsonl").read_bytes()
    Path("scan.pdf").write_bytes(b"%PDF-1.4 scanned")
    real_fsync = os.fsync
    log = (case / "audit.jsonl").resolve()

    def full(fd: int) -> None:
        if Path(f"/proc/self/fd/{fd}").resolve() == log:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    result = run("evidence", "add", "case", "scan.pdf")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert result.exit_code == 11
    assert result.stderr.splitlines()[0] == (
        "error: case/audit.jsonl: cannot write to the audit log (No space left on device); so "
        "case/evidence/scan.pdf was not written; no file was added")
    assert (case / "audit.jsonl").read_bytes() == before
    assert list((case / "evidence").iterdir()) == []


def test_output_that_cannot_be_put_in_place_takes_its_entry_back(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(case, AuditAction.LETTER_GENERATED, now=T0)
    before = (case / "audit.jsonl").read_bytes()
    real_replace = Path.replace

    def refuse(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target).name == "one.pdf.sha256":
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(Exception) as caught:
        build_bundle(case / "bundle.yaml", Path("out/one.pdf"), build_date=dt.date(2026, 12, 1))
    monkeypatch.setattr(Path, "replace", real_replace)
    assert str(caught.value) == (
        "out/one.pdf.sha256: cannot be put in place (Input/output error); out/one.pdf, "
        "out/one.manifest.json removed again; its audit entry was taken back out of "
        "case/audit.jsonl")
    assert (case / "audit.jsonl").read_bytes() == before
    assert sorted(p.name for p in Path("out").iterdir()) == []


# --------------------------------------------------------------------------- repair


def test_repair_removes_blank_lines_keeping_every_entry(case: Path) -> None:
    for minute in range(3):
        record(case, AuditAction.EVIDENCE_ADDED, now=T0 + dt.timedelta(minutes=minute))
    lines = log_lines(case)
    damaged = lines[0] + b"\n" + lines[1] + b"  \n" + lines[2] + b"\n"
    (case / "audit.jsonl").write_bytes(damaged)
    result = run("audit", "verify", "case")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:3] == [
        f"FAIL case/audit.jsonl: line {n}: a blank line (no entry); `bundler audit repair case` "
        "removes it" for n in (2, 4, 6)]

    result = run("audit", "repair", "case")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == (
        "case/audit.jsonl: removed 3 blank lines (lines 2, 4, 6); the log as it was is kept in "
        "case/audit.jsonl.before-repair-4, recorded as entry 4\n")
    assert (case / "audit.jsonl").read_bytes().startswith(b"".join(lines))
    assert Path("case/audit.jsonl.before-repair-4").read_bytes() == damaged
    entry = read_entries(case)[-1]
    assert entry.action is AuditAction.LOG_REPAIRED
    assert entry.details == {"repair": "blank lines removed", "blank_lines": "2, 4, 6"}
    assert entry.outputs[0].sha256 == hashlib.sha256(damaged).hexdigest()
    assert run("audit", "verify", "case").exit_code == 0
    assert run("audit", "repair", "case").stdout == (
        "case/audit.jsonl: nothing to repair: the chain is intact and the last entry is "
        "complete\n")


def test_repair_blank_lines_and_a_cut_off_line_together(case: Path) -> None:
    record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    with (case / "audit.jsonl").open("ab") as handle:
        handle.write(b"\n" + b'{"action":"letter_gen')
    result = run("audit", "repair", "case")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == [
        "case/audit.jsonl: removed 1 blank line (line 2); the log as it was is kept in "
        "case/audit.jsonl.before-repair-2, recorded as entry 3",
        "case/audit.jsonl: line 3 was cut off; its bytes were moved to "
        "case/audit.jsonl.torn-2, recorded as entry 2",
    ]
    assert verify_log(case).ok


def test_repair_names_what_it_cannot_repair(case: Path) -> None:
    for minute in range(3):
        record(case, AuditAction.EVIDENCE_ADDED, now=T0 + dt.timedelta(minutes=minute))
    lines = log_lines(case)
    edited = lines[1].replace(b'"seq":2', b'"seq":7')
    (case / "audit.jsonl").write_bytes(lines[0] + edited + b"\n" + lines[2])
    result = run("audit", "repair", "case")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "case/audit.jsonl: removed 1 blank line (line 3); the log as it was is kept in "
        "case/audit.jsonl.before-repair-4, recorded as entry 4",
        "cannot repair: entry 7 (line 2): changed after it was written: its content no longer "
        "matches its hash",
        "cannot repair: entry 3 (line 3): out of order: entry 8 should come here, so an entry "
        "was deleted, inserted or moved",
        "case/audit.jsonl: the problems above mean the log was changed outside the toolkit; "
        "restore audit.jsonl from the council's backup (nothing else was changed)",
    ]


def test_repair_refuses_when_the_last_entry_cannot_be_read(case: Path) -> None:
    record(case, AuditAction.EVIDENCE_ADDED, now=T0)
    with (case / "audit.jsonl").open("ab") as handle:
        handle.write(b"not an entry\n\n")
    before = (case / "audit.jsonl").read_bytes()
    result = run("audit", "repair", "case")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[0] == (
        "error: case/audit.jsonl: line 2: the last entry cannot be read (not valid JSON (at "
        "character 1)), so nothing can be chained after it")
    assert (case / "audit.jsonl").read_bytes() == before


def test_a_record_saved_from_the_web_is_never_changed_unrecorded(sample_case: Path) -> None:
    """The web app's form save: the record file is replaced only once its entry is appended."""
    from bundler.case.edit import case_record, read_record, save_record
    from bundler.errors import BundlerError

    record(sample_case, AuditAction.EVIDENCE_ADDED, now=T0)
    with (sample_case / "audit.jsonl").open("ab") as handle:
        handle.write(b"\n")
    before = (sample_case / "case.yaml").read_bytes()
    current = read_record(sample_case, case_record())
    with pytest.raises(BundlerError) as caught:
        save_record(sample_case, case_record(), {"follow_up_visits": []},
                    expected_sha256=current.sha256, section="follow-up visits", now=T0)
    assert caught.value.message == (
        f"{sample_case / 'audit.jsonl'}: line 2: the log ends in a blank line, so nothing can "
        f"be chained after it; so {sample_case / 'case.yaml'} was not written")
    assert (sample_case / "case.yaml").read_bytes() == before
    assert sorted(p.name for p in sample_case.iterdir() if p.name.startswith(".")) == []
