"""Randomly damaged copies of a bundle as a recipient receives it (fixed seed): `bundle check`
and `bundle verify` either report or refuse it in one line naming the file, never stop with
an internal error, and a damaged copy never verifies against the sidecar hash the sender
gave."""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bundler.cli import cli
from bundler.errors import ExitCode
from tests import bundle_fixtures as fx
from tests.test_bundle_cli import write_spec

# Keys whose values decide how a reader walks a PDF, and values an opponent might put there.
KEYS = [b"/Kids", b"/Count", b"/Parent", b"/Annots", b"/Dest", b"/Names", b"/Nums", b"/Length",
        b"/Filter", b"/Root", b"/Pages", b"/Outlines", b"/First", b"/Next", b"/Contents",
        b"/Resources", b"/MediaBox", b"/EmbeddedFiles", b"/PageLabels", b"/S", b"/Type"]
VALUES = [b"0", b"-1", b"99999999999", b"null", b"[]", b"<<>>", b"(x)", b"1 0 R", b"true",
          b"3.5", b"[1 0 R 1 0 R]", b"<</Nums [0 <<>> 0 <<>>]>>", b"[0 <<>> 0 <</S /r>>]",
          b"<</Kids [2 0 R]>>", b"/FlateDecode"]
ALLOWED = {ExitCode.OK, ExitCode.CHECKS_FAILED, ExitCode.BAD_INPUT, ExitCode.ENCRYPTED}


@pytest.fixture(scope="module")
def received(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small bundle, written out uncompressed (qpdf --qdf) so that its dictionaries can be
    damaged where a reader walks them: pages, bookmarks, labels, names, the manifest."""
    folder = tmp_path_factory.mktemp("received")
    files = []
    for number, word in enumerate(["ALPHA", "BRAVO", "CHARLIE"]):
        fx.make_text_pdf(folder / f"d{number}.pdf", word, 2)
        files.append((f"d{number}.pdf", f"Document {word.lower()}"))
    spec = write_spec(folder, files)
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o",
                                      str(folder / "built.pdf"), "--date", "2026-01-01"])
    assert result.exit_code == 0, result.output
    plain = folder / "plain.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(folder / "built.pdf"),
                    str(plain)], check=True)
    return plain


# Structures that once stopped a check with an internal error, tried on every run.
TARGETED = [(b"/Nums", b"[0 <</S /D>> 0 <</S /r>> 1 <</P (A-)>>]"),
            (b"/Nums", b"[0 <<>> 0 <<>>]"), (b"/Kids", b"[1 0 R 1 0 R]"),
            (b"/Count", b"-1"), (b"/Count", b"99999999999"), (b"/First", b"1 0 R"),
            (b"/Names", b"[(a) 1 0 R (a) 1 0 R]"), (b"/Length", b"99999999999")]


def _replace_value(out: bytearray, key: bytes, value: bytes, start_at: int = 0) -> None:
    """The value after ``key`` (its first occurrence from ``start_at``) becomes ``value``."""
    at = out.find(key, start_at)
    at = at if at >= 0 else out.find(key)
    if at < 0:
        return
    start = end = at + len(key)
    while end < len(out) and end - start < 30 and bytes(out[end:end + 1]) not in (b"/", b">",
                                                                                   b"\n"):
        end += 1
    out[start:end] = b" " + value + b" "


def _damage(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.7:  # a key's value replaced
            _replace_value(out, rng.choice(KEYS), rng.choice(VALUES), rng.randrange(len(out)))
        elif roll < 0.85:
            out[rng.randrange(len(out))] = rng.randrange(256)
        else:
            at = rng.randrange(len(out))
            del out[at:at + rng.randint(1, 200)]
    return bytes(out)


def _replaced(data: bytes, key: bytes, value: bytes) -> bytearray:
    out = bytearray(data)
    _replace_value(out, key, value)
    return out


def _one_line_or_report(code: int, out: str, err: str, name: str) -> None:
    assert code in ALLOWED, f"exit {code}: {out[-300:]} {err[-300:]}"
    if code in (ExitCode.BAD_INPUT, ExitCode.ENCRYPTED):
        first = err.strip().splitlines()[0]
        assert first.startswith("error: ") and name in first, err


def test_damaged_received_bundles_are_reported_never_an_internal_error(
    received: Path, tmp_path: Path
) -> None:
    rng = random.Random(20261201)
    original = received.read_bytes()
    hashed = tmp_path / "sent"
    hashed.mkdir()
    sent = hashlib.sha256(original).hexdigest()
    outcomes: set[str] = set()
    copies = [bytes(_replaced(original, key, value)) for key, value in TARGETED]
    copies += [_damage(original, rng) for _ in range(30)]
    for number, damaged in enumerate(copies):
        pdf = hashed / f"copy{number}.pdf"
        pdf.write_bytes(damaged)
        check = CliRunner().invoke(cli, ["bundle", "check", str(pdf)])
        _one_line_or_report(check.exit_code, check.stdout, check.stderr, pdf.name)
        # the sender's hash of what they sent: a damaged copy never verifies against it
        verify = CliRunner().invoke(cli, ["bundle", "verify", str(pdf), "--sha256", sent])
        _one_line_or_report(verify.exit_code, verify.stdout, verify.stderr, pdf.name)
        if damaged != original:
            assert verify.exit_code != ExitCode.OK, verify.stdout
            assert "VERIFIED" not in verify.stdout.replace("NOT VERIFIED", "")
        outcomes.add(f"check {check.exit_code}")
        outcomes.add(f"verify {verify.exit_code}")
    shutil.rmtree(hashed)
    # the damage reached both reports and refusals (else the sweep tested nothing)
    assert {"check 1", "verify 1"} <= outcomes, outcomes
