"""`bundler audit anchor` and the anchor checks of `bundler audit verify`, against the local
time-stamping authority (tests/pki.py): a log re-chained after an anchor is caught."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler.audit.model import canonical_json, entry_hash
from bundler.cli import cli
from tests.pki import LocalTsa, Pki


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def case(sample_case: Path, tmp_path: Path) -> Path:
    """The sample case with three entries in its audit log."""
    for number in range(3):
        received = tmp_path / f"received-{number}.txt"
        received.write_text(f"letter {number} from the provider\n", encoding="utf-8")
        code, _out, err = run("evidence", "add", str(sample_case), str(received), "--as",
                              f"provider/received-{number}.txt")
        assert code == 0, err
    return sample_case


def rechain(case: Path, edit_seq: int) -> None:
    """Rewrite entry ``edit_seq`` and recompute every hash after it, as a forger would."""
    log = case / "audit.jsonl"
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    previous = "0" * 64
    for entry in entries:
        if entry["seq"] == edit_seq:
            entry["user"] = "someone-else"
        entry["prev"] = previous
        entry["hash"] = entry_hash(entry)
        previous = entry["hash"]
    log.write_bytes(b"".join(canonical_json(entry) + b"\n" for entry in entries))


def test_anchor_then_verify_passes_with_the_tsa_trusted(case: Path, tsa: LocalTsa,
                                                        pki: Pki) -> None:
    code, out, err = run("audit", "anchor", str(case), "--tsa", tsa.url)
    assert code == 0, err
    anchor = case / "audit.jsonl.anchor-000003.tsr"
    assert out.startswith("Anchored entry 3 (head ")
    assert out.rstrip().endswith(f"by Test Time-Stamping Authority, Test PKI; wrote {anchor}")
    code, out, _err = run("audit", "verify", str(case), "--trust", str(pki.root))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[-1].startswith(f"PASS {case / 'audit.jsonl'}: anchor {anchor.name}: entry 3 "
                                "(head ")
    assert lines[-1].endswith("timestamped by Test Time-Stamping Authority, Test PKI (trusted "
                              "through Test Root CA, Test PKI (given with --trust)); chain "
                              "intact up to it")


def test_openssl_checks_an_anchor_against_the_head(case: Path, tsa: LocalTsa, pki: Pki) -> None:
    code, _out, err = run("audit", "anchor", str(case), "--tsa", tsa.url)
    assert code == 0, err
    head = json.loads((case / "audit.jsonl").read_text().splitlines()[-1])["hash"]
    result = subprocess.run(
        ["openssl", "ts", "-verify", "-digest", head, "-in",
         str(case / "audit.jsonl.anchor-000003.tsr"), "-CAfile", str(pki.root)],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Verification: OK" in result.stdout


def test_a_log_rechained_after_an_anchor_fails(case: Path, tsa: LocalTsa, pki: Pki) -> None:
    assert run("audit", "anchor", str(case), "--tsa", tsa.url)[0] == 0
    rechain(case, edit_seq=2)
    code, out, _err = run("audit", "verify", str(case), "--trust", str(pki.root))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("PASS")  # the chain alone looks intact...
    assert lines[-1].startswith(f"FAIL {case / 'audit.jsonl'}: anchor "
                                "audit.jsonl.anchor-000003.tsr: the log no longer holds the "
                                "entry it anchors (head ")  # ...the anchor catches it
    assert lines[-1].endswith("the log was rewritten after that time")


def test_entries_after_the_anchor_are_not_covered_by_it(case: Path, tsa: LocalTsa,
                                                        pki: Pki, tmp_path: Path) -> None:
    assert run("audit", "anchor", str(case), "--tsa", tsa.url)[0] == 0
    late = tmp_path / "late.txt"
    late.write_text("a later letter\n", encoding="utf-8")
    assert run("evidence", "add", str(case), str(late), "--as", "provider/late.txt")[0] == 0
    rechain(case, edit_seq=4)
    code, out, _err = run("audit", "verify", str(case), "--trust", str(pki.root))
    assert code == 0, out  # honest limit: anchor again after recording, as the README says


def test_an_untrusted_authority_fails_the_anchor(case: Path, tsa: LocalTsa) -> None:
    assert run("audit", "anchor", str(case), "--tsa", tsa.url)[0] == 0
    code, out, _err = run("audit", "verify", str(case), "--json")
    assert code == 1
    anchors = json.loads(out)["anchors"]
    assert anchors[0]["ok"] is False and anchors[0]["seq"] is None
    assert "is not trusted: its certificate does not chain to a trust anchor" in \
        anchors[0]["message"]


def test_a_damaged_anchor_fails(case: Path, tsa: LocalTsa, pki: Pki) -> None:
    assert run("audit", "anchor", str(case), "--tsa", tsa.url)[0] == 0
    anchor = case / "audit.jsonl.anchor-000003.tsr"
    data = bytearray(anchor.read_bytes())
    data[-40] ^= 0x01  # inside the authority's signature
    anchor.write_bytes(bytes(data))
    code, out, _err = run("audit", "verify", str(case), "--trust", str(pki.root))
    assert code == 1
    assert out.splitlines()[-1].startswith(f"FAIL {case / 'audit.jsonl'}: anchor {anchor.name}:")


def test_anchoring_twice_changes_nothing(case: Path, tsa: LocalTsa) -> None:
    assert run("audit", "anchor", str(case), "--tsa", tsa.url)[0] == 0
    before = (case / "audit.jsonl.anchor-000003.tsr").read_bytes()
    code, out, _err = run("audit", "anchor", str(case), "--tsa", tsa.url)
    assert code == 0
    assert out.endswith("is already anchored; nothing was changed\n")
    assert (case / "audit.jsonl.anchor-000003.tsr").read_bytes() == before


def test_unreachable_authority_is_exit_13_and_nothing_is_written(case: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/tsa"
    code, _out, err = run("audit", "anchor", str(case), "--tsa", url)
    assert code == 13
    assert err.splitlines()[0] == (f"error: {url}: the time-stamping authority could not be "
                                   "reached (connection refused); nothing was written")
    assert not list(case.glob("audit.jsonl.anchor-*"))


def test_a_broken_log_is_not_anchored(case: Path, tsa: LocalTsa) -> None:
    log = case / "audit.jsonl"
    log.write_bytes(log.read_bytes().replace(b'"seq":2', b'"seq":7', 1))
    code, _out, err = run("audit", "anchor", str(case), "--tsa", tsa.url)
    assert code == 1
    assert "the audit log is broken, so it is not anchored" in err.splitlines()[0]
    assert not list(case.glob("audit.jsonl.anchor-*"))
