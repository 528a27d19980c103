"""Randomly damaged copies of every kind of evidence (fixed seed): each is either
converted or refused with one of our errors naming the file; never a raw exception."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import pytest
from PIL import Image

from bundler.errors import BundlerError
from bundler.evidence import identify, render_pdf
from tests import awkward


def _originals(folder: Path) -> dict[str, bytes]:
    png = folder / "a.png"
    Image.new("RGBA", (50, 40), (10, 20, 30, 128)).save(png)
    return {
        ".eml": awkward.make_eml(folder / "a.eml").read_bytes(),
        ".jpg": awkward.make_jpeg(folder / "a.jpg", (300, 200), orientation=6).read_bytes(),
        ".png": png.read_bytes(),
        ".txt": awkward.make_utf8_text(folder / "a.txt").read_bytes(),
    }


def _damage(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(out))
        roll = rng.random()
        if roll < 0.5:
            out[at] = rng.randrange(256)
        elif roll < 0.75:
            del out[at : at + rng.randint(1, 60)]
        else:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
    return bytes(out)


def _convert_damaged_copies(
    originals: dict[str, bytes], rng: random.Random, count: int, folder: Path
) -> set[str]:
    """Damage ``count`` copies and convert each: it must convert, or be refused in one line
    naming the file; any other exception fails the test. Returns what happened, per type."""
    outcomes: set[str] = set()
    for number in range(count):
        suffix = rng.choice(sorted(originals))
        path = folder / f"damaged{number}{suffix}"
        path.write_bytes(_damage(originals[suffix], rng))
        source = f"evidence/{path.name}"
        try:
            render_pdf(identify(path, source), workdir=folder / "work")
            outcomes.add(f"{suffix} converted")
        except BundlerError as exc:
            assert str(exc).startswith(f"{source}: "), str(exc)
            assert "\n" not in str(exc)
            outcomes.add(f"{suffix} refused")
    return outcomes


def test_damaged_evidence_never_raises_raw_exceptions(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    originals = _originals(tmp_path)
    with caplog.at_level(logging.ERROR):
        outcomes = _convert_damaged_copies(originals, random.Random(20260302), 160, tmp_path)
    assert {".jpg converted", ".jpg refused", ".eml converted", ".txt refused"} <= outcomes


def _newer_originals(folder: Path) -> dict[str, bytes]:
    """iPhone photos, messaging-app screenshots and Outlook messages."""
    from tests.outlook import MsgAttachment, MsgMessage, write_msg

    inner = MsgMessage(subject="Inner", sender_name="Zoë", body="Inner body.")
    message = MsgMessage(
        subject="Visit",
        sender_name="Ελένη",
        sender_email="eleni@example.org",
        to=[("HB", "hb@example.gov.uk")],
        body="Visit notes.",
        attachments=[
            MsgAttachment("plan.pdf", awkward.pdf_bytes(1)),
            MsgAttachment("inner", embedded=inner),
        ],
    )
    return {
        ".msg": write_msg(folder / "a.msg", message).read_bytes(),
        ".heic": awkward.make_heic(folder / "a.heic", (300, 200), 6).read_bytes(),
        ".webp": awkward.make_screenshot(folder / "a.webp", "WEBP", frames=2).read_bytes(),
        ".gif": awkward.make_screenshot(folder / "a.gif", "GIF", frames=2).read_bytes(),
    }


def test_damaged_newer_formats_never_raise_raw_exceptions(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    originals = _newer_originals(tmp_path)
    with caplog.at_level(logging.ERROR):
        outcomes = _convert_damaged_copies(originals, random.Random(20261123), 120, tmp_path)
    assert {".msg converted", ".msg refused", ".heic converted", ".heic refused"} <= outcomes
