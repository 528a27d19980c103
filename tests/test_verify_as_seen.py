"""`verify --sources` compares what a reader sees, whatever wrote the bytes.

A recipient's rebuild is not byte-identical to the bundle when their library versions
differ from the builder's. Then every page is rendered and compared, with everything a
page or the document does. These tests hold that:

* an untouched bundle passes when the rebuild's bytes differ for a reason nothing shows
  (another zlib: every compressed stream written differently), and when the recipient
  runs the oldest pypdf the package allows (a real install, in a child process);
* any single visible or active edit to any page (a box over it, a white box over a word,
  a replaced photograph, an added annotation or link, one changed glyph, a moved line) is
  caught and the page named, in a property test over many random edits;
* the forger's route of editing the manifest's recorded library versions (re-embedded,
  certificate patched, both sidecars regenerated) gains nothing;
* the pixel tolerance is exactly as stated: 8 of 255 levels pass, 9 fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf import __version__ as pypdf_version
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from bundler.bundle.build import build_bundle
from bundler.bundle.stamp import page_geometry
from bundler.bundle.verify import VerifyReport, verify_bundle
from tests import awkward
from tests import bundle_fixtures as fx
from tests.oldest import ROOT, declared_lower_bound, install_oldest

DATE = dt.date(2026, 3, 1)
SPEC = """\
reference: HB-APPEAL-2026-0777
title: Riverside House, tamper tests
sections:
  - label: A
    title: Evidence
    documents:
      - file: evidence/letter.pdf
        title: Typed letter
      - file: evidence/hazard.jpg
        title: Photograph of the fire door
      - file: evidence/site-plan.pdf
        title: Site plan
      - file: evidence/turned.pdf
        title: Scan turned sideways
"""


def make_sources(folder: Path) -> Path:
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    fx.make_text_pdf(evidence / "letter.pdf", "WEDGEDOPEN", 2)
    awkward.make_jpeg(evidence / "hazard.jpg", (640, 480))
    fx.make_landscape_pdf(evidence / "site-plan.pdf")
    fx.make_rotated_pdf(evidence / "turned.pdf", 90)
    (folder / "bundle.yaml").write_text(SPEC, encoding="utf-8")
    return folder / "bundle.yaml"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ROOT/case (spec and sources) and ROOT/out/bundle.pdf with its sidecars."""
    root = tmp_path_factory.mktemp("as-seen")
    build_bundle(make_sources(root / "case"), root / "out" / "bundle.pdf", build_date=DATE)
    return root


def by_name(report: VerifyReport) -> dict[str, tuple[bool, str]]:
    return {check.name: (check.passed, check.detail) for check in report.checks}


def manifest_of(pdf: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(pdf.with_name("bundle.manifest.json").read_bytes())  # type: ignore[no-any-return]


def copy_of(pristine: Path, folder: Path) -> Path:
    shutil.copytree(pristine, folder)
    return folder / "out" / "bundle.pdf"


def forge_sidecar(pdf: Path) -> None:
    """What a forger does after changing the bundle: a matching .sha256 beside it."""
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    pdf.with_name(f"{pdf.name}.sha256").write_text(f"{digest}  {pdf.name}\n")


def where(manifest: dict, page: int) -> str:  # type: ignore[type-arg]
    """How the rebuild check names physical page ``page`` (continuous numbering)."""
    for doc in manifest["documents"]:
        if doc["first_page"] <= page <= doc["last_page"]:
            return f"document {doc['number']} ({doc['source']}), page {page}"
    part = "front matter" if page <= manifest["front_matter_pages"] else "certificate"
    return f"page {page} ({part})"


# --------------------------------------------------------------------------- untouched


def test_untouched_bundle_passes_with_other_library_versions(
    pristine: Path, other_versions: None
) -> None:
    report = verify_bundle(pristine / "out" / "bundle.pdf", sources=pristine / "case",
                           record_audit=False)
    assert report.ok, report.lines()
    assert " -> 9.9.9);" in by_name(report)["library versions"][1]
    assert by_name(report)["rebuild"][1] == (
        "not byte-for-byte identical, but the same as a reader sees it: every page renders "
        "the same at 100 dpi (no pixel more than 8 of 255 levels apart; the largest "
        "difference was 0) and the text, links, actions, attachments, bookmarks and page "
        "labels match")


# --------------------------------------------------------------------------- edits


def _words(pdf: Path, index: int) -> list[tuple[float, float, float, float]]:
    """Word boxes on page ``index`` in display space from the bottom-left, in points."""
    page = fx.words_by_page(pdf)[index]
    return [(w.x0, page.height - w.y1, w.x1, page.height - w.y0) for w in page.words
            if len(w.text) > 2]


def _draw_on_top(writer: PdfWriter, index: int, drawing: bytes) -> None:
    """Append ``drawing`` (display space, from the bottom-left) to page ``index``."""
    page = writer.pages[index]
    box = page.cropbox
    geometry = page_geometry((float(page.mediabox.left), float(page.mediabox.bottom),
                              float(page.mediabox.right), float(page.mediabox.top)),
                             (float(box.left), float(box.bottom), float(box.right),
                              float(box.top)), page.rotation)
    matrix = " ".join(f"{value:.4f}" for value in geometry.display_to_user)
    stream = DecodedStreamObject()
    stream.set_data(b"q " + matrix.encode() + b" cm " + drawing + b" Q\n")
    contents = page["/Contents"].get_object()
    parts = list(contents) if isinstance(contents, ArrayObject) else [page["/Contents"]]
    page[NameObject("/Contents")] = ArrayObject([*parts, writer._add_object(stream)])


def edit_box(writer: PdfWriter, index: int, pdf: Path, data: st.DataObject) -> str:
    """A filled box: white over a word (hiding it), or coloured anywhere on the page."""
    words = _words(pdf, index)
    if data.draw(st.booleans(), label="white box over a word") and words:
        x0, y0, x1, y1 = data.draw(st.sampled_from(words), label="word")
        colour = "1 1 1"
    else:
        page = writer.pages[index]
        width, height = float(page.cropbox.width), float(page.cropbox.height)
        if page.rotation % 180:
            width, height = height, width
        x0 = data.draw(st.floats(0, width - 20), label="x")
        y0 = data.draw(st.floats(0, height - 20), label="y")
        x1, y1 = x0 + data.draw(st.floats(3, 20)), y0 + data.draw(st.floats(3, 20))
        colour = data.draw(st.sampled_from(["0 0 0", "1 0 0", "0 0.6 0"]), label="colour")
    _draw_on_top(writer, index, f"{colour} rg {x0:.2f} {y0:.2f} {x1 - x0:.2f} "
                 f"{y1 - y0:.2f} re f".encode())
    return "box"


def edit_image(writer: PdfWriter, index: int, pdf: Path, data: st.DataObject) -> str:
    """The photograph swapped for another of the same size (or a box, if none)."""
    resources = writer.pages[index]["/Resources"].get_object()
    images = [ref.get_object() for ref in (resources.get("/XObject") or {}).values()
              if ref.get_object().get("/Subtype") == "/Image"]
    if not images:
        return edit_box(writer, index, pdf, data)
    image = images[0]
    size = (int(image["/Width"]), int(image["/Height"]))
    other = Image.new("RGB", size, data.draw(st.sampled_from([(90, 90, 90), (200, 40, 40)])))
    encoded = io.BytesIO()
    other.save(encoded, "JPEG", quality=85)
    image._data = encoded.getvalue()
    image[NameObject("/Filter")] = NameObject("/DCTDecode")
    image[NameObject("/ColorSpace")] = NameObject("/DeviceRGB")
    image.pop("/DecodeParms", None)
    return "image"


def edit_annotation(writer: PdfWriter, index: int, pdf: Path, data: st.DataObject) -> str:
    """A link to a web address, or a sticky note, added to the page."""
    rect = ArrayObject([FloatObject(v) for v in (40, 40, 140, 60)])
    if data.draw(st.booleans(), label="link"):
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): rect,
            NameObject("/A"): DictionaryObject({
                NameObject("/S"): NameObject("/URI"),
                NameObject("/URI"): TextStringObject("https://forger.example/evidence")}),
        })
    else:
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Text"),
            NameObject("/Rect"): rect, NameObject("/Contents"): TextStringObject("Door shut"),
        })
    page = writer.pages[index]
    existing = page.get("/Annots")
    listed = list(existing.get_object()) if existing is not None else []
    page[NameObject("/Annots")] = ArrayObject([*listed, writer._add_object(annotation)])
    return "annotation"


_SHOWN_TEXT = re.compile(rb"\(((?:[^()\\]|\\.)*[A-Za-z0-9](?:[^()\\]|\\.)*)\)\s*Tj")


def edit_glyph(writer: PdfWriter, index: int, pdf: Path, data: st.DataObject) -> str:
    """One character of the page's own text changed (or a box, on a page without text)."""
    for position, body in _own_streams(writer, index):
        shown = list(_SHOWN_TEXT.finditer(body))
        if not shown:
            continue
        found = data.draw(st.sampled_from(shown), label="string")
        text = found.group(1)
        places = [i for i, byte in enumerate(text) if chr(byte).isalnum()
                  and (i == 0 or text[i - 1] != 0x5C)]
        place = data.draw(st.sampled_from(places), label="character")
        other = b"W" if text[place] != ord("W") else b"M"
        start = found.start(1) + place
        _replace_stream(writer, index, position, body[:start] + other + body[start + 1:])
        return "glyph"
    return edit_box(writer, index, pdf, data)


_POSITION = re.compile(rb"([-\d.]+)(\s+)([-\d.]+)(\s+T[dm])")


def edit_move(writer: PdfWriter, index: int, pdf: Path, data: st.DataObject) -> str:
    """The first line of the page's own text moved by 2 to 6 points (or a box)."""
    shift = data.draw(st.floats(2, 6), label="points")
    for position, body in _own_streams(writer, index):
        found = _POSITION.search(body)
        if found is None:
            continue
        moved = f"{float(found.group(3)) + shift:.2f}".encode()
        _replace_stream(writer, index, position, body[:found.start(3)] + moved
                        + body[found.end(3):])
        return "move"
    return edit_box(writer, index, pdf, data)


def _own_streams(writer: PdfWriter, index: int) -> Iterator[tuple[int, bytes]]:
    """(position in /Contents, decoded data) of the page's own content streams (not the
    stamp's prefix and suffix)."""
    contents = writer.pages[index]["/Contents"].get_object()
    if not isinstance(contents, ArrayObject):
        yield 0, contents.get_data()
        return
    for position in range(1, len(contents) - 1):
        yield position, contents[position].get_object().get_data()


def _replace_stream(writer: PdfWriter, index: int, position: int, body: bytes) -> None:
    page = writer.pages[index]
    stream = DecodedStreamObject()
    stream.set_data(body)
    contents = page["/Contents"].get_object()
    parts = list(contents) if isinstance(contents, ArrayObject) else [page["/Contents"]]
    parts[position] = writer._add_object(stream)
    page[NameObject("/Contents")] = ArrayObject(parts)


EDITS: dict[str, Callable[[PdfWriter, int, Path, st.DataObject], str]] = {
    "box": edit_box, "image": edit_image, "annotation": edit_annotation, "glyph": edit_glyph,
    "move": edit_move,
}


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_single_page_edit_is_caught_and_the_page_named(
    pristine: Path, other_versions: None, tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    pdf = copy_of(pristine, tmp_path_factory.mktemp("edit") / "copy")
    manifest = manifest_of(pdf)
    index = data.draw(st.integers(0, manifest["pages"] - 1), label="page index")
    kind = data.draw(st.sampled_from(sorted(EDITS)), label="edit")
    writer = PdfWriter(clone_from=PdfReader(pdf))
    EDITS[kind](writer, index, pdf, data)
    with pdf.open("wb") as handle:
        writer.write(handle)
    forge_sidecar(pdf)
    report = verify_bundle(pdf, sources=pdf.parent.parent / "case", record_audit=False)
    passed, detail = by_name(report)["rebuild"]
    assert not passed and not report.ok, detail
    assert detail.startswith("differs from the rebuild from the sources, first at "
                             f"{where(manifest, index + 1)}: "), detail


# --------------------------------------------------------------------------- the document


def _open_action(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('The door was shut.');")})


def _attachment(writer: PdfWriter) -> None:
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]  # type: ignore[index]
    spec = DictionaryObject({
        NameObject("/Type"): NameObject("/Filespec"),
        NameObject("/F"): TextStringObject("statement.txt"),
        NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(
            _stream(b"I saw nothing."))})})
    names.extend([TextStringObject("statement.txt"), writer._add_object(spec)])


def _stream(data: bytes) -> DecodedStreamObject:
    made = DecodedStreamObject()
    made.set_data(data)
    return made


def _bookmark_target(writer: PdfWriter) -> None:
    first = writer.root_object["/Outlines"]["/First"].get_object()  # type: ignore[index]
    first[NameObject("/A")] = DictionaryObject({
        NameObject("/S"): NameObject("/URI"),
        NameObject("/URI"): TextStringObject("https://forger.example/")})


@pytest.mark.parametrize("change, named", [
    (_open_action, "the action run when the PDF is opened (/OpenAction) differs from the "
                   "rebuild's (first at catalog./OpenAction)"),
    (_attachment, "the attached files (/Names /EmbeddedFiles) differ from the rebuild's "
                  "(first at catalog./Names./EmbeddedFiles./Names[2])"),
    (_bookmark_target, "the bookmarks differ from the rebuild's (first at "
                       "bookmarks[0].entries./A./D)"),
])
def test_what_the_document_does_is_compared_too(
    pristine: Path, other_versions: None, tmp_path: Path,
    change: Callable[[PdfWriter], None], named: str,
) -> None:
    pdf = copy_of(pristine, tmp_path / "copy")
    writer = PdfWriter(clone_from=PdfReader(pdf))
    change(writer)
    with pdf.open("wb") as handle:
        writer.write(handle)
    forge_sidecar(pdf)
    report = verify_bundle(pdf, sources=tmp_path / "copy" / "case", record_audit=False)
    assert [check.name for check in report.failed] == ["rebuild"]
    assert by_name(report)["rebuild"][1] == (
        f"differs from the rebuild from the sources, first at the document: {named}")


# --------------------------------------------------------------------------- forged versions


def _patch_certificate(writer: PdfWriter, manifest: dict, old: str, new: str) -> None:  # type: ignore[type-arg]
    """Replace the manifest hash the certificate prints (reportlab writes it as text)."""
    index = manifest["certificate_first_page"] - 1
    body = writer.pages[index]["/Contents"].get_object().get_data()
    assert body.count(old.encode()) == 1
    _replace_stream(writer, index, 0, body.replace(old.encode(), new.encode()))


def test_forged_library_versions_switch_nothing_off(pristine: Path, tmp_path: Path) -> None:
    """Route (b): white box over "WEDGEDOPEN1", the manifest's recorded pypdf changed, the
    manifest re-embedded, the certificate's hash patched, both sidecars regenerated."""
    pdf = copy_of(pristine, tmp_path / "copy")
    manifest = manifest_of(pdf)
    old_bytes = pdf.with_name("bundle.manifest.json").read_bytes()
    forged = json.loads(old_bytes)
    forged["libraries"]["pypdf"] = "4.2.0"
    new_bytes = (json.dumps(forged, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
    writer = PdfWriter(clone_from=PdfReader(pdf))
    doc = manifest["documents"][0]
    x0, y0, x1, y1 = _words(pdf, doc["first_page"] - 1)[0]  # "WEDGEDOPEN1"
    _draw_on_top(writer, doc["first_page"] - 1,
                 f"1 1 1 rg {x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re f".encode())
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]  # type: ignore[index]
    stream = names[1].get_object()["/EF"]["/F"].get_object()
    stream._data = zlib.compress(new_bytes, 9)
    _patch_certificate(writer, manifest, hashlib.sha256(old_bytes).hexdigest(),
                       hashlib.sha256(new_bytes).hexdigest())
    with pdf.open("wb") as handle:
        writer.write(handle)
    pdf.with_name("bundle.manifest.json").write_bytes(new_bytes)
    forge_sidecar(pdf)

    alone = verify_bundle(pdf, record_audit=False)  # the forgery is consistent with itself...
    assert alone.ok, alone.lines()
    assert "consistent with itself only" in alone.verdict()
    report = verify_bundle(pdf, sources=tmp_path / "copy" / "case", record_audit=False)
    assert [check.name for check in report.failed] == ["rebuild"]  # ...but not its sources
    assert "pypdf 4.2.0 -> " in by_name(report)["library versions"][1]
    assert by_name(report)["rebuild"][1].startswith(
        f"differs from the rebuild from the sources, first at document 1 (evidence/letter.pdf), "
        f"page {doc['first_label']}: what it shows differs: ")


# --------------------------------------------------------------------------- oldest pypdf


@pytest.fixture(scope="module")
def oldest_pypdf(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The oldest pypdf the package allows, installed into its own folder (once, in pytest's
    cache, when the cache is on: `make test-oldest` runs without it)."""
    cache = getattr(request.config, "cache", None)
    folder = (Path(cache.mkdir("oldest-pypdf")) if cache is not None
              else tmp_path_factory.mktemp("oldest-pypdf"))
    return install_oldest("pypdf", folder)


def test_the_oldest_pypdf_folder_is_not_spoilt_by_an_earlier_install(tmp_path: Path) -> None:
    """A cache folder left by an earlier lower bound (its pypdf and dist-info at the top, as
    the folder used to be laid out), and an install of this bound that did not finish."""
    version = declared_lower_bound("pypdf")
    (tmp_path / "pypdf").mkdir()
    (tmp_path / "pypdf" / "__init__.py").write_text("__version__ = '4.0.0'\n", encoding="utf-8")
    (tmp_path / "pypdf-4.0.0.dist-info").mkdir()
    (tmp_path / "pypdf-4.0.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: pypdf\nVersion: 4.0.0\n", encoding="utf-8")
    unfinished = tmp_path / f"pypdf-{version}"
    shutil.copytree(tmp_path / "pypdf-4.0.0.dist-info", unfinished / "pypdf-4.0.0.dist-info")
    folder = install_oldest("pypdf", tmp_path)
    seen = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m, pypdf; "
         "print(pypdf.__version__, m.version('pypdf'))"],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(folder)})
    installed = seen.stdout.split()
    assert installed[0] == installed[1] and installed[0].startswith(version), seen.stdout
    assert [p.name for p in folder.glob("pypdf-*.dist-info")] == [f"pypdf-{installed[0]}.dist-info"]
    assert install_oldest("pypdf", tmp_path) == folder  # (reused, not installed again)


def _verify_with(pypdf_folder: Path, pdf: Path, sources: Path) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(pypdf_folder), str(ROOT)])}
    run = subprocess.run([sys.executable, "-W", "ignore", "-m", "bundler", "bundle", "verify",
                          str(pdf), "--sources", str(sources)],
                         capture_output=True, text=True, env=env, timeout=600)
    return run.returncode, run.stdout


def test_recipient_with_the_oldest_allowed_pypdf(pristine: Path, oldest_pypdf: Path,
                                                 tmp_path: Path) -> None:
    version = declared_lower_bound("pypdf")
    check = subprocess.run([sys.executable, "-c", "import pypdf; print(pypdf.__version__)"],
                           capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(oldest_pypdf)})
    assert check.stdout.strip().startswith(version)
    code, out = _verify_with(oldest_pypdf, pristine / "out" / "bundle.pdf", pristine / "case")
    assert code == 0, out
    if check.stdout.strip() != pypdf_version:  # (`make test-oldest` builds with it too)
        assert f"-> {check.stdout.strip()}" in out  # the library versions line says so
    assert out.splitlines()[-1].startswith(f"VERIFIED: {pristine / 'out' / 'bundle.pdf'}: ")

    pdf = copy_of(pristine, tmp_path / "copy")
    manifest = manifest_of(pdf)
    doc = manifest["documents"][0]
    writer = PdfWriter(clone_from=PdfReader(pdf))
    x0, y0, x1, y1 = _words(pdf, doc["first_page"] - 1)[0]
    _draw_on_top(writer, doc["first_page"] - 1,
                 f"1 1 1 rg {x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re f".encode())
    with pdf.open("wb") as handle:
        writer.write(handle)
    forge_sidecar(pdf)
    code, out = _verify_with(oldest_pypdf, pdf, tmp_path / "copy" / "case")
    assert code == 1, out
    assert (f"FAIL  rebuild: differs from the rebuild from the sources, first at document 1 "
            f"(evidence/letter.pdf), page {doc['first_label']}: what it shows differs: ") in out


# --------------------------------------------------------------------------- tolerance


def _grey_page(path: Path, level: int) -> Path:
    """One page: a square of grey ``level`` (a lossless picture) filling exactly 400 x 400
    pixels at 100 dpi."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    drawing = canvas.Canvas(str(path), pagesize=(360, 360), invariant=1)
    drawing.drawImage(ImageReader(Image.new("RGB", (400, 400), (level,) * 3)), 36, 36,
                      width=288, height=288)
    drawing.showPage()
    drawing.save()
    return path


@pytest.mark.parametrize("apart, same", [(0, True), (8, True), (9, False), (60, False)])
def test_the_pixel_tolerance_is_8_of_255_levels(tmp_path: Path, apart: int,
                                                same: bool) -> None:
    from bundler.bundle.pixels import compare_rendered

    first = _grey_page(tmp_path / "a.pdf", 120)
    second = _grey_page(tmp_path / "b.pdf", 120 + apart)
    [view] = compare_rendered(first, second, 1)
    assert view.largest == apart
    assert (view.shows is None) is same, view
    if not same:
        assert view.shows == (f"what it shows differs: 160,000 pixel(s) by up to {apart} of "
                              "255 levels, 13-114 mm from its left edge and 13-114 mm from "
                              "its top")
