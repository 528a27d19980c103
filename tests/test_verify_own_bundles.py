"""Every bundle the toolkit builds passes its own `verify`: one bundle of every kind of
awkward source the test suite makes (odd geometry, active content, forms with and without
drawn appearances, locked and repaired PDFs, Word, e-mail, Outlook, photos, screenshots,
text), checked as a recipient would, with and without its sources."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from bundler.bundle.build import build_bundle
from bundler.bundle.verify import verify_bundle
from tests import awkward
from tests import bundle_fixtures as fx
from tests.outlook import MsgAttachment, MsgMessage, write_msg

DATE = dt.date(2026, 3, 1)

# file name -> (how to make it, title, extra spec lines)
KINDS: dict[str, tuple[str, str]] = {
    "text.pdf": ("Typed letter", ""),
    "landscape.pdf": ("Site plan (landscape)", ""),
    "rot90.pdf": ("Scan turned 90", ""),
    "rot270.pdf": ("Scan turned 270", ""),
    "cropped.pdf": ("Cropped page", ""),
    "inherited.pdf": ("Page tree attributes", ""),
    "active.pdf": ("JavaScript, actions and an attachment", ""),
    "outlined.pdf": ("With its own bookmarks", ""),
    "linked.pdf": ("Internal links", ""),
    "form.pdf": ("Filled form", ""),
    "bare-form.pdf": ("Form without appearances", ""),
    "latex-form.pdf": ("pdflatex form", ""),
    "locked.pdf": ("Needs a password", "\n        password: s3cret"),
    "owner-locked.pdf": ("Locked against editing", ""),
    "bad-startxref.pdf": ("Repaired cross-reference", ""),
    "no-trailer.pdf": ("Without a trailer", ""),
    "png-named.jpg": ("A PNG named .jpg", ""),
    "photo.jpg": ("Photograph", ""),
    "turned.jpg": ("Photograph turned by EXIF", ""),
    "scan.tiff": ("Two-page CMYK scan", ""),
    "deep.png": ("16-bit PNG", ""),
    "IMG_0042.HEIC": ("iPhone photograph", ""),
    "chat.webp": ("Screenshot (WebP, animated)", ""),
    "chat.gif": ("Screenshot (GIF, transparent)", ""),
    "note.txt": ("Text note with a BOM", ""),
    "reply.eml": ("E-mail with attachments", ""),
    "html-only.eml": ("HTML-only e-mail", ""),
    "bad-charset.eml": ("E-mail with a wrong charset", ""),
    "forwarded.eml": ("Forwarded e-mail", ""),
    "reply.msg": ("Outlook message", ""),
    "plan.docx": ("Word document", ""),
    "old.doc": ("Word 97 document", ""),
    "web-picture.docx": ("Word document with a linked picture", ""),
}


def make_awkward_sources(folder: Path) -> Path:
    """Every kind of awkward source that builds, and a spec naming them all."""
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    fx.make_text_pdf(evidence / "text.pdf", "TEXTWORD", 2)
    fx.make_landscape_pdf(evidence / "landscape.pdf")
    fx.make_rotated_pdf(evidence / "rot90.pdf", 90)
    fx.make_rotated_pdf(evidence / "rot270.pdf", 270)
    fx.make_cropped_pdf(evidence / "cropped.pdf")
    fx.make_inherited_pdf(evidence / "inherited.pdf")
    fx.make_active_pdf(evidence / "active.pdf")
    fx.make_outlined_pdf(evidence / "outlined.pdf")
    fx.make_internal_link_pdf(evidence / "linked.pdf")
    fx.make_form_pdf(evidence / "form.pdf")
    fx.make_unpainted_form_pdf(evidence / "bare-form.pdf")
    fx.make_latex_form_pdf(evidence / "latex-form.pdf")
    awkward.make_encrypted_pdf(evidence / "locked.pdf")
    awkward.make_owner_locked_pdf(evidence / "owner-locked.pdf")
    awkward.make_bad_startxref_pdf(evidence / "bad-startxref.pdf")
    awkward.make_pdf_without_trailer(evidence / "no-trailer.pdf")
    Image.new("RGB", (64, 48), (10, 120, 10)).save(evidence / "png-named.jpg", "PNG")
    awkward.make_jpeg(evidence / "photo.jpg", (400, 300))
    awkward.make_jpeg(evidence / "turned.jpg", (3000, 2000), orientation=6)
    frames = [Image.new("CMYK", (600, 800), colour) for colour in ((0, 0, 0, 40), (0, 90, 90, 0))]
    frames[0].save(evidence / "scan.tiff", save_all=True, append_images=frames[1:])
    Image.new("I;16", (300, 200), 40000).save(evidence / "deep.png")
    awkward.make_heic(evidence / "IMG_0042.HEIC", (1200, 900), orientation=6, gps=True)
    awkward.make_screenshot(evidence / "chat.webp", "WEBP", frames=2)
    awkward.make_screenshot(evidence / "chat.gif", "GIF", transparent=True)
    awkward.make_utf8_text(evidence / "note.txt", bom=True)
    awkward.make_eml(evidence / "reply.eml")
    awkward.make_eml_html_only(evidence / "html-only.eml")
    awkward.make_eml_bad_charset(evidence / "bad-charset.eml")
    awkward.make_eml_forwarding(evidence / "forwarded.eml", evidence / "reply.eml")
    write_msg(evidence / "reply.msg", MsgMessage(
        subject="Support plan", sender_name="Provider", sender_email="p@provider.example.org",
        to=[("HB Review", "hb-review@council.example.gov.uk")],
        sent=dt.datetime(2026, 3, 3, 9, 15, tzinfo=dt.UTC), body="Plan attached.",
        attachments=[MsgAttachment("plan.pdf", awkward.pdf_bytes(2, "Support plan page"))]))
    awkward.make_docx(evidence / "plan.docx")
    awkward.make_doc(evidence / "old.doc")
    awkward.make_docx_with_web_picture(evidence / "web-picture.docx",
                                       "http://127.0.0.1:9/never-fetched.png")
    documents = "".join(f"\n      - file: evidence/{name}\n        title: {title}{extra}"
                        for name, (title, extra) in KINDS.items())
    spec = folder / "bundle.yaml"
    spec.write_text(f"""\
reference: HB-APPEAL-2026-0300
title: Every awkward kind of evidence
authority: Fictional Borough Council
officer: A. Officer
sections:
  - label: A
    title: Everything
    documents:{documents}
""", encoding="utf-8")
    return spec


@pytest.fixture(scope="module")
def awkward_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the sources folder, the bundle built from it)."""
    root = tmp_path_factory.mktemp("awkward")
    spec = make_awkward_sources(root / "case")
    built = build_bundle(spec, root / "out" / "bundle.pdf", build_date=DATE)
    return root / "case", built.pdf


def test_every_kind_of_source_builds_into_a_bundle_that_verifies(
    awkward_bundle: tuple[Path, Path],
) -> None:
    folder, pdf = awkward_bundle
    manifest = json.loads(pdf.with_name("bundle.manifest.json").read_bytes())
    assert [doc["source"] for doc in manifest["documents"]] == [
        f"evidence/{name}" for name in KINDS]
    alone = verify_bundle(pdf, record_audit=False)
    assert alone.ok, [check.line() for check in alone.failed]
    with_sources = verify_bundle(pdf, sources=folder, record_audit=False)
    assert with_sources.ok, [check.line() for check in with_sources.failed]


def test_every_kind_of_source_builds_the_same_bundle_in_one_process_as_in_several(
    awkward_bundle: tuple[Path, Path], tmp_path: Path,
) -> None:
    """The bundle above was built by the default number of processes (several, where this
    test session may fork): built again in this process alone, every awkward kind of
    evidence gives the same bytes."""
    folder, pdf = awkward_bundle
    one = build_bundle(folder / "bundle.yaml", tmp_path / "bundle.pdf", build_date=DATE,
                       workers=1)
    assert one.pdf.read_bytes() == pdf.read_bytes()
    assert one.manifest.read_bytes() == pdf.with_name("bundle.manifest.json").read_bytes()


def test_and_with_other_library_versions_every_page_compares_the_same(
    awkward_bundle: tuple[Path, Path], other_versions: None,
) -> None:
    folder, pdf = awkward_bundle
    report = verify_bundle(pdf, sources=folder, record_audit=False)
    assert report.ok, [check.line() for check in report.failed]
    rebuild = next(check for check in report.checks if check.name == "rebuild")
    assert rebuild.detail.startswith("not byte-for-byte identical, but the same as a reader "
                                     "sees it: every page renders the same at 100 dpi")


def test_fields_without_appearances_show_their_values_and_nothing_else(
    awkward_bundle: tuple[Path, Path],
) -> None:
    _folder, pdf = awkward_bundle
    manifest = json.loads(pdf.with_name("bundle.manifest.json").read_bytes())
    doc = next(d for d in manifest["documents"] if d["source"] == "evidence/latex-form.pdf")
    page = subprocess.run(["pdftotext", "-f", str(doc["first_page"]), "-l",
                           str(doc["first_page"]), "-layout", str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout
    assert "TYPEDVALUE (R01)" in page and "CHOSENVISIT" in page
    ticks = [line for line in page.splitlines() if line.strip() == "X"]
    assert len(ticks) == 2  # the ticked box and the chosen radio button; nothing else
    assert "/Off" not in page and "/Yes" not in page and "/written" not in page
