"""A bundle built from an iPhone photo, an Outlook e-mail and messaging-app screenshots:
the pages read back, the manifest names the converters and the decoder versions, and
``verify --sources`` rebuilds it byte for byte."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pypdf import PdfReader

from bundler.bundle.build import build_bundle
from bundler.bundle.verify import verify_bundle
from tests import awkward
from tests.outlook import MsgAttachment, MsgMessage, write_msg

SPEC = """\
reference: HB-APPEAL-2026-0199
title: Riverside House, photographs and correspondence
authority: Fictional Borough Council
officer: A. Officer
sections:
  - label: A
    title: Correspondence and photographs
    documents:
      - file: evidence/reply.msg
        title: Provider's reply with the support plan
      - file: evidence/IMG_0042.HEIC
        title: Kitchen, Flat 3
      - file: evidence/chat.webp
        title: Messages from the resident (WebP)
      - file: evidence/chat.gif
        title: Messages from the resident (GIF)
"""


def _case(folder: Path) -> Path:
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    write_msg(
        evidence / "reply.msg",
        MsgMessage(
            subject="Support plan for Siân",
            sender_name="Ελένη Παπαδοπούλου",
            sender_email="eleni@provider.example.org",
            to=[("HB Review", "hb-review@council.example.gov.uk")],
            sent=dt.datetime(2026, 3, 3, 9, 15, tzinfo=dt.UTC),
            body="Please find the support plan attached.",
            attachments=[MsgAttachment("plan.pdf", awkward.pdf_bytes(2, "Support plan page"))],
        ),
    )
    awkward.make_heic(evidence / "IMG_0042.HEIC", (1200, 900), orientation=6, gps=True)
    awkward.make_screenshot(evidence / "chat.webp", "WEBP")
    awkward.make_screenshot(evidence / "chat.gif", "GIF", frames=2)
    spec = folder / "bundle.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec


def test_bundle_of_new_formats_builds_reads_back_and_verifies(tmp_path: Path) -> None:
    spec = _case(tmp_path / "case")
    result = build_bundle(spec, tmp_path / "out" / "bundle.pdf", build_date=dt.date(2026, 3, 10))
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    documents = manifest["documents"]
    assert [(d["converter"], d["pages"]) for d in documents] == [
        ("email", 3),
        ("image", 1),
        ("image", 1),
        ("image", 1),
    ]
    assert {"extract-msg", "libheif", "pillow-heif"} <= set(manifest["libraries"])
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(result.pdf).pages)
    for expected in (
        "Subject: Support plan for Siân",
        "Support plan page 2",
        "Kitchen, Flat 3",
        "IMG_0042.HEIC",
        "chat.webp",
        "chat.gif",
    ):
        assert expected in text, expected
    assert b"iPhone" not in result.pdf.read_bytes()
    report = verify_bundle(result.pdf, sources=tmp_path / "case", record_audit=False)
    assert report.ok, [check.detail for check in report.failed]
    assert any(c.name == "rebuild" and "byte-for-byte identical" in c.detail for c in report.checks)
