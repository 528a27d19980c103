"""`bundler bundle build --ocr` read back as a recipient would: a scanned page's words are
found by pdftotext where the page shows them, the page renders pixel for pixel as without
OCR, text pages are untouched, builds are byte-identical, verify passes, and a missing
tesseract is one clear line with exit 7."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from bundler.bundle.build import BuildResult, build_bundle
from bundler.bundle.manifest import Manifest
from bundler.bundle.ocr import DPI, MAX_PIXELS, render_dpi
from bundler.bundle.stamp import BAND
from bundler.bundle.verify import verify_bundle
from bundler.cli import cli
from tests import awkward
from tests import bundle_fixtures as fx

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="tesseract-ocr is not installed (make system)")

DATE = dt.date(2026, 3, 1)
SCAN_DPI = 300
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
# (text, left, top) in pixels of the 300 dpi scan; words chosen to be unmistakable
SCAN_LINES = (
    ("RESIDENT CONSENT FORM", 200, 300),
    ("Scheme: Nettlebank Road supported housing", 200, 420),
    ("Signed: SCANWORD Quartzite 2026", 200, 540),
)
SPEC = """\
reference: HB-OCR-1
title: Scanned evidence
sections:
  - label: A
    title: Evidence
    documents:
      - file: evidence/text.pdf
        title: Typed letter
      - file: evidence/scan.pdf
        title: Signed consent form (scanned)
      - file: evidence/sideways.pdf
        title: Consent form scanned sideways
      - file: evidence/photo.jpg
        title: Photograph of the kitchen
      - file: evidence/locked-scan.pdf
        title: Scan sent locked
        password: s3cret
      - file: evidence/blank.pdf
        title: Blank page scanned with the bundle
"""


def scan_pdf_bytes(lines: tuple[tuple[str, int, int], ...] = SCAN_LINES,
                   size: tuple[int, int] = (2480, 3508)) -> bytes:
    """An image-only PDF page, as a scanner makes: printed words rendered at 300 dpi."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 50)
    for text, left, top in lines:
        draw.text((left, top), text, font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=float(SCAN_DPI))
    return buffer.getvalue()


def make_sideways_scan(path: Path) -> Path:
    """A landscape-shaped scan stored portrait and shown turned by /Rotate 90."""
    upright = Image.open(io.BytesIO(_render_png(("SIDEWAYS Kestrel signature", 300, 400),
                                                (3508, 2480))))
    stored = upright.rotate(90, expand=True)  # counter-clockwise: /Rotate 90 turns it back
    buffer = io.BytesIO()
    stored.save(buffer, "PDF", resolution=float(SCAN_DPI))
    writer = PdfWriter(clone_from=io.BytesIO(buffer.getvalue()))
    writer.pages[0][NameObject("/Rotate")] = NumberObject(90)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def _render_png(line: tuple[str, int, int], size: tuple[int, int]) -> bytes:
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text(line[1:], line[0], font=ImageFont.truetype(FONT, 60), fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def make_locked_scan(path: Path) -> Path:
    writer = PdfWriter(clone_from=io.BytesIO(scan_pdf_bytes(
        (("LOCKEDWORD Marigold", 200, 300),))))
    writer.encrypt(user_password="s3cret", owner_password="owner-pw", algorithm="AES-256")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def make_case(folder: Path) -> Path:
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    fx.make_text_pdf(evidence / "text.pdf", "TEXTWORD", 2)
    (evidence / "scan.pdf").write_bytes(scan_pdf_bytes())
    make_sideways_scan(evidence / "sideways.pdf")
    awkward.make_jpeg(evidence / "photo.jpg", (400, 300))
    make_locked_scan(evidence / "locked-scan.pdf")
    (evidence / "blank.pdf").write_bytes(scan_pdf_bytes(()))
    spec = folder / "bundle.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec


@dataclass(frozen=True)
class Built:
    spec: Path
    ocr: BuildResult
    plain: BuildResult
    messages: tuple[str, ...]

    def pages_of(self, source: str) -> list[int]:
        manifest = json.loads(self.ocr.manifest.read_text(encoding="utf-8"))
        doc = next(d for d in manifest["documents"] if d["source"] == source)
        return list(range(doc["first_page"], doc["last_page"] + 1))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("ocr")
    spec = make_case(root / "case")
    messages: list[str] = []
    ocr = build_bundle(spec, root / "out" / "bundle.pdf", build_date=DATE, ocr=True,
                       progress=messages.append)
    plain = build_bundle(spec, root / "plain" / "bundle.pdf", build_date=DATE)
    return Built(spec, ocr, plain, tuple(messages))


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout


def render(pdf: Path, page: int) -> bytes:
    return subprocess.run(["pdftoppm", "-r", "100", "-f", str(page), "-l", str(page), str(pdf)],
                          check=True, capture_output=True).stdout


def test_scanned_page_becomes_searchable(built: Built) -> None:
    (page,) = built.pages_of("evidence/scan.pdf")
    before = page_text(built.plain.pdf, page)
    after = page_text(built.ocr.pdf, page)
    for word in ("SCANWORD", "Quartzite", "Nettlebank", "CONSENT"):
        assert word not in before
        assert word in after
    assert "HB-OCR-1" in after  # the stamp is still there, and still text


def test_sideways_and_locked_scans_become_searchable(built: Built) -> None:
    (sideways,) = built.pages_of("evidence/sideways.pdf")
    assert "Kestrel" in page_text(built.ocr.pdf, sideways)
    (locked,) = built.pages_of("evidence/locked-scan.pdf")
    assert "Marigold" in page_text(built.ocr.pdf, locked)


def _scale(width: float, height: float) -> float:
    return max(0.5, (height - BAND) / height)


@pytest.mark.parametrize(("source", "word", "left_px", "top_px"), [
    ("evidence/scan.pdf", "SCANWORD", None, 540),
    ("evidence/sideways.pdf", "SIDEWAYS", 300, 400),
])
def test_recognised_words_lie_over_their_pixels(
    built: Built, source: str, word: str, left_px: int | None, top_px: int
) -> None:
    """Selecting a word highlights the word the page shows: its invisible text is where the
    scan printed it (after the page is shrunk above the stamp band)."""
    (page,) = built.pages_of(source)
    words = fx.words_by_page(built.ocr.pdf)[page - 1]
    (found,) = words.find(word)
    scale = _scale(words.width, words.height)
    top = scale * top_px * 72 / SCAN_DPI  # the band is at the bottom: the top only scales
    assert abs(found.y0 - top) < 6, (found, top)
    assert found.y1 < words.height - BAND
    if left_px is not None:
        left = words.width * (1 - scale) / 2 + scale * left_px * 72 / SCAN_DPI
        assert abs(found.x0 - left) < 6, (found, left)


def test_every_document_page_renders_pixel_for_pixel_as_without_ocr(built: Built) -> None:
    manifest = Manifest.model_validate_json(built.ocr.manifest.read_bytes())
    for doc in manifest.documents:
        for page in range(doc.first_page, doc.last_page + 1):
            assert render(built.ocr.pdf, page) == render(built.plain.pdf, page), (doc.source, page)


def page_fingerprint(page: object) -> bytes:
    """What a page draws: its content streams, decoded, and the names of its XObjects."""
    contents = page.get_contents()  # type: ignore[attr-defined]
    drawn = contents.get_data() if contents is not None else b""
    resources = page.get("/Resources") or {}  # type: ignore[attr-defined]
    names = sorted(resources.get_object().get("/XObject", {}) or {})
    return drawn + "|".join(names).encode()


def test_pages_with_text_are_left_alone(built: Built) -> None:
    ours, plain = PdfReader(built.ocr.pdf), PdfReader(built.plain.pdf)
    scanned = {p for source in ("evidence/scan.pdf", "evidence/sideways.pdf",
                                "evidence/locked-scan.pdf") for p in built.pages_of(source)}
    kept = [*built.pages_of("evidence/text.pdf"), *built.pages_of("evidence/photo.jpg"),
            *built.pages_of("evidence/blank.pdf")]  # nothing recognised: nothing added
    for page in kept:
        assert page_fingerprint(ours.pages[page - 1]) == page_fingerprint(plain.pages[page - 1])
    for page in scanned:
        assert page_fingerprint(ours.pages[page - 1]) != page_fingerprint(plain.pages[page - 1])


def test_text_layer_is_invisible_text_under_the_page_and_the_stamp_stays_last(
    built: Built
) -> None:
    (page_number,) = built.pages_of("evidence/scan.pdf")
    page = PdfReader(built.ocr.pdf).pages[page_number - 1]
    parts = page["/Contents"]
    layer_call = parts[1].get_object().get_data()
    name = re.search(rb"/(BundlerOCR\d+) Do", layer_call)
    assert name is not None
    form = page["/Resources"]["/XObject"][f"/{name.group(1).decode()}"].get_object()
    assert b"3 Tr" in form.get_data()  # render mode 3: invisible
    assert b"BT" not in parts[0].get_object().get_data()  # nothing drawn before it
    assert b"HB-OCR-1" in parts[-1].get_object().get_data()  # the stamp is still on top


def test_two_ocr_builds_are_byte_identical(built: Built, tmp_path: Path) -> None:
    again = build_bundle(built.spec, tmp_path / "bundle.pdf", build_date=DATE, ocr=True)
    assert again.pdf.read_bytes() == built.ocr.pdf.read_bytes()
    assert again.manifest.read_bytes() == built.ocr.manifest.read_bytes()


def test_manifest_records_ocr_and_tesseract_only_when_asked(built: Built) -> None:
    ocr = json.loads(built.ocr.manifest.read_text(encoding="utf-8"))
    plain = json.loads(built.plain.manifest.read_text(encoding="utf-8"))
    assert ocr["options"]["ocr"] is True
    assert re.match(r"\d+\.\d+", ocr["libraries"]["tesseract"])
    assert ocr["libraries"]["tesseract-eng"].startswith("sha256:")
    assert "ocr" not in plain["options"]
    assert not any(name.startswith("tesseract") for name in plain["libraries"])


def test_progress_reports_each_recognised_page(built: Built) -> None:
    assert "recognising text (OCR) on 4 page(s) without text" in built.messages
    assert "recognising text (OCR): page 4 of 4" in built.messages


def test_a_very_large_page_is_rendered_below_the_pixel_limit() -> None:
    a0 = PdfWriter()
    a0.add_blank_page(2384, 3370)  # A0 in points
    dpi = render_dpi(a0.pages[0])
    assert dpi < DPI
    assert (2384 / 72 * dpi) * (3370 / 72 * dpi) <= MAX_PIXELS
    a4 = PdfWriter()
    a4.add_blank_page(595, 842)
    assert render_dpi(a4.pages[0]) == DPI


@pytest.mark.parametrize("with_sources", [False, True])
def test_ocr_bundle_verifies(built: Built, with_sources: bool) -> None:
    sources = built.spec.parent if with_sources else None
    report = verify_bundle(built.ocr.pdf, sources=sources, record_audit=False)
    assert report.ok, report.lines()
    if with_sources:
        rebuild = next(c for c in report.checks if c.name == "rebuild")
        assert "byte-for-byte identical" in rebuild.detail


def _no_tesseract(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("BUNDLER_TESSERACT", raising=False)


def test_missing_tesseract_is_exit_7_naming_the_packages_and_writes_nothing(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_tesseract(monkeypatch, tmp_path)
    out = tmp_path / "out" / "bundle.pdf"
    result = CliRunner().invoke(cli, ["bundle", "build", str(built.spec), "-o", str(out),
                                      "--ocr", "--date", "2026-03-01"])
    assert result.exit_code == 7
    lines = result.stderr.splitlines()
    assert lines[0] == ("error: --ocr needs Tesseract OCR, which is not installed (Debian "
                        "packages tesseract-ocr tesseract-ocr-eng)")
    assert "sudo apt-get install tesseract-ocr tesseract-ocr-eng" in lines[1]
    assert "Traceback" not in result.stderr
    assert not out.parent.exists()


def test_without_ocr_tesseract_is_never_needed(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_tesseract(monkeypatch, tmp_path)
    again = build_bundle(built.spec, tmp_path / "bundle.pdf", build_date=DATE)
    assert again.pdf.read_bytes() == built.plain.pdf.read_bytes()


def test_verify_without_tesseract_says_why_the_ocr_bundle_cannot_be_rebuilt(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_tesseract(monkeypatch, tmp_path)
    report = verify_bundle(built.ocr.pdf, sources=built.spec.parent, record_audit=False)
    rebuild = next(c for c in report.checks if c.name == "rebuild")
    assert not rebuild.passed
    assert "tesseract-ocr" in rebuild.detail


def _read_differently(monkeypatch: pytest.MonkeyPatch, version: str | None) -> None:
    """The rebuild's tesseract cannot read the letter Q (and says it is ``version``)."""
    from bundler.bundle import ocr as ocr_module

    monkeypatch.setattr(ocr_module, "_TESSERACT_OPTIONS",
                        (*ocr_module._TESSERACT_OPTIONS, "-c", "tessedit_char_blacklist=Qq"))
    if version is not None:
        real = ocr_module.OcrEngine.tool_versions
        monkeypatch.setattr(ocr_module.OcrEngine, "tool_versions",
                            lambda self: {**real(self), "tesseract": version})


def test_another_tesseract_reading_differently_still_verifies_by_what_pages_show(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    _read_differently(monkeypatch, "99.0.0")
    report = verify_bundle(built.ocr.pdf, sources=built.spec.parent, record_audit=False)
    assert report.ok, report.lines()
    rebuild = next(c for c in report.checks if c.name == "rebuild")
    assert "the invisible text OCR read on 1 page(s) was not compared" in rebuild.detail
    versions = next(c for c in report.checks if c.name == "library versions")
    assert "tesseract" in versions.detail and "99.0.0" in versions.detail


def test_the_same_tesseract_reading_differently_fails_the_rebuild(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    _read_differently(monkeypatch, None)
    report = verify_bundle(built.ocr.pdf, sources=built.spec.parent, record_audit=False)
    rebuild = next(c for c in report.checks if c.name == "rebuild")
    assert not rebuild.passed
    assert "evidence/scan.pdf" in rebuild.detail


def _fake_tesseract(folder: Path, *, languages: str = "eng\nosd", run: str = "exit 0") -> Path:
    """A stand-in tesseract: answers --version and --list-langs, then does ``run``."""
    data = folder / "tessdata"
    data.mkdir()
    (data / "eng.traineddata").write_bytes(b"fictional language data")
    script = folder / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = --version ]; then echo "tesseract 5.3.0"; exit 0; fi\n'
        'if [ "$1" = --list-langs ]; then '
        f'printf \'List of available languages in "{data}/" (2):\\n{languages}\\n\'; exit 0; fi\n'
        f"{run}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


@pytest.fixture
def scan_spec(tmp_path: Path) -> Path:
    (tmp_path / "scan.pdf").write_bytes(scan_pdf_bytes())
    spec = tmp_path / "bundle.yaml"
    spec.write_text("reference: HB-OCR-2\ntitle: One scan\nsections:\n  - label: A\n"
                    "    title: Evidence\n    documents:\n      - file: scan.pdf\n"
                    "        title: Signed consent form\n", encoding="utf-8")
    return spec


def _build_cli(spec: Path, out: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["bundle", "build", str(spec), "-o", str(out), "--ocr",
                                      "--date", "2026-03-01"])
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr.splitlines()


def test_tesseract_without_english_data_is_exit_7_naming_the_package(
    scan_spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_tesseract(tmp_path, languages="osd")
    monkeypatch.setenv("BUNDLER_TESSERACT", str(fake))
    code, lines = _build_cli(scan_spec, tmp_path / "out" / "bundle.pdf")
    assert code == 7
    assert lines[0] == ("error: --ocr needs Tesseract's English language data, which is not "
                        "installed (Debian package tesseract-ocr-eng)")
    assert not (tmp_path / "out").exists()


def test_tesseract_failing_on_a_page_is_exit_8_naming_the_file_and_page(
    scan_spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_tesseract(tmp_path, run="echo 'Error in pixReadStream: fictional' >&2; exit 1")
    monkeypatch.setenv("BUNDLER_TESSERACT", str(fake))
    code, lines = _build_cli(scan_spec, tmp_path / "out" / "bundle.pdf")
    assert code == 8
    assert lines[0] == ("error: scan.pdf: page 1: could not recognise its text (OCR): "
                        "Error in pixReadStream: fictional")
    assert not (tmp_path / "out").exists()


def test_tesseract_that_hangs_is_stopped_and_named(
    scan_spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bundler.bundle import ocr as ocr_module

    fake = _fake_tesseract(tmp_path, run="sleep 30")
    monkeypatch.setenv("BUNDLER_TESSERACT", str(fake))
    monkeypatch.setattr(ocr_module, "PAGE_TIMEOUT", 1.0)
    code, lines = _build_cli(scan_spec, tmp_path / "out" / "bundle.pdf")
    assert code == 8
    assert lines[0] == ("error: scan.pdf: page 1: took longer than 1 seconds to recognise its "
                        "text (OCR) and was stopped")


def _page_with(content: bytes, form: bytes | None = None) -> PdfReader:
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    resources = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    if form is not None:
        xobject = DecodedStreamObject()
        xobject.set_data(form)
        xobject.update({NameObject("/Type"): NameObject("/XObject"),
                        NameObject("/Subtype"): NameObject("/Form"),
                        NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (0, 0, 200, 200)),
                        NameObject("/Resources"): resources})
        resources[NameObject("/XObject")] = DictionaryObject(
            {NameObject("/Fm1"): writer._add_object(xobject)})
    page[NameObject("/Resources")] = resources
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return PdfReader(buffer)


def test_which_pages_count_as_having_text() -> None:
    from bundler.bundle.ocr import pages_without_text

    shown = b"BT /F1 12 Tf 20 100 Td (SHOWNWORD) Tj ET"
    assert pages_without_text(_page_with(shown)) == []
    # an inline image whose bytes happen to spell "Tj": no text, so it is recognised
    inline = b"q 100 0 0 100 0 0 cm BI /W 4 /H 1 /BPC 8 /CS /G ID \x00 Tj EI Q"
    assert pages_without_text(_page_with(inline)) == [0]
    # text only inside a form XObject still counts
    assert pages_without_text(_page_with(b"q /Fm1 Do Q", form=shown)) == []
    # a scan: an image and nothing else
    assert pages_without_text(_page_with(b"q 200 0 0 200 0 0 cm Q")) == [0]


def test_sample_case_consent_forms_become_searchable_and_the_audit_log_says_ocr(
    sample_case: Path, tmp_path: Path
) -> None:
    from bundler.audit import read_entries

    result = build_bundle(sample_case, sample_case / "out" / "bundle.pdf", build_date=DATE,
                          ocr=True)
    manifest = Manifest.model_validate_json(result.manifest.read_bytes())
    consent = [d for d in manifest.documents if d.source.endswith("consent-form.pdf")]
    assert len(consent) == 2
    for doc in consent:
        text = page_text(result.pdf, doc.first_page)
        assert "consent" in text.lower()
        # a search for the resident's reference finds the form (tesseract alone reads ROI),
        # and "I" is read as I, not |
        reference = doc.source.split("/")[2]
        assert re.search(rf"\b{reference}\b", text), text
        assert "| agree" not in text and "I agree" in text
    assert manifest.options.ocr_references == ["R01", "R02", "R03", "R04", "WBC-SHR-2026-014"]
    entry = read_entries(sample_case)[-1]
    assert entry.action == "bundle_built"
    assert entry.details["ocr"] == "true"
