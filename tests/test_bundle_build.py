"""`bundler bundle build` read back as a recipient would: pdftotext on every page, page
labels, links and bookmarks resolved to page numbers, hashes recomputed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, NullObject

from bundler.bundle.build import BuildResult, build_bundle
from bundler.bundle.stamp import BAND
from tests import bundle_fixtures as fx

DATE = dt.date(2026, 3, 1)
REFERENCE = "HB-APPEAL-2026-0142"

SPEC = f"""\
reference: {REFERENCE}
title: Riverside House, Housing Benefit appeal bundle
authority: Fictional Borough Council
officer: A. Officer
sections:
  - label: A
    title: Scheme-level review
    documents:
      - file: evidence/text.pdf
        title: Model occupancy agreement
        date: 2026-01-10
      - file: evidence/landscape.pdf
        title: Site plan (landscape)
      - file: evidence/rot90.pdf
        title: Rotated scan
      - file: evidence/rot270.pdf
        title: Rotated the other way
  - label: B
    title: Provider information received against para 85
    documents:
      - file: evidence/cropped.pdf
        title: Cropped page
      - file: evidence/inherited.pdf
        title: Page with inherited box and rotation
      - file: evidence/outlined.pdf
        title: Staffing structure with its own bookmarks
  - label: C
    title: Resident R01
    documents:
      - file: evidence/active.pdf
        title: Document that carried JavaScript
      - file: evidence/form.pdf
        title: Consent form (filled)
      - file: evidence/text-copy.pdf
        title: The same agreement sent again
"""

WORDS = {  # source file -> (distinctive word, pages)
    "text.pdf": ("TEXTWORD", 2),
    "landscape.pdf": ("LANDWORD", 1),
    "rot90.pdf": ("ROT90WORD", 1),
    "rot270.pdf": ("ROT270WORD", 1),
    "cropped.pdf": ("CROPWORD", 1),
    "inherited.pdf": ("INHWORD", 1),
    "outlined.pdf": ("OUTWORD", 3),
    "active.pdf": ("JSWORD", 2),
    "form.pdf": ("FORMWORD", 1),
    "text-copy.pdf": ("TEXTWORD", 2),
}


def make_case(folder: Path) -> Path:
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    fx.make_text_pdf(evidence / "text.pdf", "TEXTWORD", 2)
    fx.make_landscape_pdf(evidence / "landscape.pdf")
    fx.make_rotated_pdf(evidence / "rot90.pdf", 90)
    fx.make_rotated_pdf(evidence / "rot270.pdf", 270)
    fx.make_cropped_pdf(evidence / "cropped.pdf")
    fx.make_inherited_pdf(evidence / "inherited.pdf")
    fx.make_outlined_pdf(evidence / "outlined.pdf")
    fx.make_active_pdf(evidence / "active.pdf")
    fx.make_form_pdf(evidence / "form.pdf")
    shutil.copyfile(evidence / "text.pdf", evidence / "text-copy.pdf")
    spec = folder / "bundle.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return spec


@dataclass(frozen=True)
class Built:
    spec: Path
    result: BuildResult
    manifest: dict  # type: ignore[type-arg]
    words: list[fx.PageWords]
    warnings: list[str]


def _build(tmp: Path, numbering: str) -> Built:
    spec = make_case(tmp / "case")
    with fx.warnings_logged() as warnings:
        result = build_bundle(spec, tmp / "out" / "bundle.pdf", numbering=numbering,
                              build_date=DATE)
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    return Built(spec, result, manifest, fx.words_by_page(result.pdf), warnings)



@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("continuous"), "continuous")


@pytest.fixture(scope="module")
def sectioned(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("sectioned"), "sectioned")


def _labels(manifest: dict) -> list[str]:  # type: ignore[type-arg]
    """Every page's label, from the manifest's documents and ranges."""
    labels: list[str] = []
    ranges = manifest["page_labels"]
    for position, item in enumerate(ranges):
        end = ranges[position + 1]["start_page"] - 1 if position + 1 < len(ranges) else (
            manifest["pages"])
        for offset in range(end - item["start_page"] + 1):
            number = item["first_number"] + offset
            if item["style"] == "lower-roman":
                from bundler.bundle.plan import roman

                labels.append(item["prefix"] + roman(number))
            else:
                labels.append(f"{item['prefix']}{number}")
    return labels


# --------------------------------------------------------------------------- numbering


@pytest.mark.parametrize("which", ["built", "sectioned"])
def test_every_page_shows_its_label_and_page_labels_match(
    which: str, request: pytest.FixtureRequest
) -> None:
    bundle: Built = request.getfixturevalue(which)
    reader = PdfReader(bundle.result.pdf)
    labels = _labels(bundle.manifest)
    assert len(reader.pages) == bundle.manifest["pages"] == len(labels) == bundle.result.pages
    assert list(reader.page_labels) == labels
    if which == "built":
        assert labels == [str(n) for n in range(1, len(labels) + 1)]
    else:
        assert labels[0] == "i" and labels[1] == "ii"
        assert labels[-1] == "cert-1"
        assert [d["first_label"] for d in bundle.manifest["documents"]][:2] == ["A1", "A3"]
    for number, (page, label) in enumerate(zip(bundle.words, labels, strict=True), start=1):
        seen = fx.footer(page)
        assert seen.label.text == label, f"page {number}: footer {seen}"
        assert seen.details.startswith(REFERENCE), f"page {number}: footer {seen}"


@pytest.mark.parametrize("which", ["built", "sectioned"])
def test_page_label_is_bold_at_least_10pt_at_the_bottom_right(
    which: str, request: pytest.FixtureRequest
) -> None:
    """What the 2021 judiciary guidance asks: page numbers a judge can see. On every page as
    displayed (landscape, rotated, cropped too) the label is the rightmost word of the
    footer, within 10% of the right edge, below the document's own content, drawn in
    Helvetica-Bold of at least 10 pt; the reference, document number and hash are smaller."""
    bundle: Built = request.getfixturevalue(which)
    labels = _labels(bundle.manifest)
    for number, (page, label) in enumerate(zip(bundle.words, labels, strict=True), start=1):
        seen = fx.footer(page)
        assert seen.label.text == label
        assert seen.label.x1 > page.width * 0.9, f"page {number}: label not at the right"
        assert seen.label.x1 < page.width - 4, f"page {number}: label off the edge"
        assert page.height - fx.FOOTER_BAND < seen.label.y1 <= page.height - 3
        above = [w for w in page.words if w.y1 <= page.height - fx.FOOTER_BAND]
        assert all(w.y1 < seen.label.y0 for w in above)  # clear of the page's own text
        drawn = fx.drawn_texts(bundle.result.pdf, number)
        [mark] = [d for d in drawn if d.text == label and d.font == "Helvetica-Bold"]
        assert mark.size >= 10, f"page {number}: label {mark.size} pt"
        small = [d for d in drawn if REFERENCE in d.text and d.font == "Helvetica"]
        assert small and all(d.size < mark.size for d in small)


def test_document_pages_carry_number_and_source_hash(built: Built) -> None:
    for doc in built.manifest["documents"]:
        for page_number in range(doc["first_page"], doc["last_page"] + 1):
            details = fx.footer(built.words[page_number - 1]).details
            assert f"doc {doc['number']}" in details
            assert f"sha256:{doc['source_sha256'][:12]}" in details
        seen = fx.footer(built.words[doc["first_page"] - 1])
        assert doc["stamp"] == f"{seen.label.text}  " + seen.details.replace(
            f"{REFERENCE} doc {doc['number']} ", f"{REFERENCE}  doc {doc['number']}  ")


def test_each_document_content_lands_on_its_pages(built: Built) -> None:
    for doc in built.manifest["documents"]:
        word, pages = WORDS[Path(doc["source"]).name]
        assert doc["pages"] == pages
        for offset in range(pages):
            text = built.words[doc["first_page"] - 1 + offset].text
            assert f"{word}{offset + 1}" in text, (doc["source"], offset)


# --------------------------------------------------------------------------- geometry


@pytest.mark.parametrize(
    "source, landscape",
    [("text.pdf", False), ("landscape.pdf", True), ("rot90.pdf", True), ("rot270.pdf", True),
     ("cropped.pdf", False), ("inherited.pdf", False)],
)
def test_stamp_is_upright_at_the_bottom_and_never_covers_content(
    built: Built, source: str, landscape: bool
) -> None:
    doc = next(d for d in built.manifest["documents"] if d["source"].endswith("/" + source))
    page = built.words[doc["first_page"] - 1]
    assert (page.width > page.height) is landscape  # landscape stays landscape
    [stamp] = page.find("sha256:")
    assert stamp.x1 - stamp.x0 > stamp.y1 - stamp.y0  # reads left to right, not sideways
    assert stamp.x0 >= 0 and stamp.x1 <= page.width  # inside the visible area
    assert page.height - BAND <= stamp.y1 <= page.height
    word, _pages = WORDS[source]
    [low] = page.find(f"low{word}1")  # the page's own lowest line stays above the band
    assert low.y1 < page.height - BAND
    label = fx.footer(page).label  # the bold page label at the bottom right, as displayed
    assert label.x0 > stamp.x1 and label.x1 > page.width * 0.9


def test_cropped_page_still_hides_what_its_crop_box_hid(built: Built) -> None:
    doc = next(d for d in built.manifest["documents"] if d["source"].endswith("cropped.pdf"))
    assert not built.words[doc["first_page"] - 1].find("OUTSIDEWORD")
    reader = PdfReader(built.result.pdf)
    page = reader.pages[doc["first_page"] - 1]
    assert [float(v) for v in page.cropbox] == [100, 70, 650, 850]  # page size unchanged


# --------------------------------------------------------------------------- navigation


def test_index_entries_link_to_each_documents_first_page(built: Built) -> None:
    reader = PdfReader(built.result.pdf)
    front = built.manifest["front_matter_pages"]
    links = fx.front_links(reader, front)
    targets = [target for target, _dest in links]
    certificate = built.manifest["certificate_first_page"]
    assert targets == [d["first_page"] for d in built.manifest["documents"]] + [certificate]
    for _target, dest in links:  # lands on the page's top, keeping the reader's zoom
        assert dest[1] == "/XYZ" and isinstance(dest[4], NullObject)
    index_text = " ".join(p.text for p in built.words[1:front])
    for doc in built.manifest["documents"]:
        assert doc["source_sha256"][:12] in index_text
    assert "Integrity certificate" in index_text


def test_bookmarks_for_sections_and_documents_land_on_their_pages(built: Built) -> None:
    reader = PdfReader(built.result.pdf)
    outline = reader.outline
    found: dict[str, int] = {}

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found[f"{depth}:{item.title}"] = reader.get_destination_page_number(item) + 1

    walk(outline, 0)
    for section in built.manifest["sections"]:
        assert found[f"0:{section['label']}  {section['title']}"] == section["first_page"]
    for doc in built.manifest["documents"]:
        span = doc["first_label"] if doc["pages"] == 1 else (
            f"{doc['first_label']}\u2013{doc['last_label']}")
        assert found[f"1:{doc['number']}  {doc['title']} ({span})"] == doc["first_page"]
    outlined = next(d for d in built.manifest["documents"] if d["source"].endswith("outlined.pdf"))
    assert found["2:Part 1"] == outlined["first_page"]
    assert found["2:Part 2"] == outlined["first_page"] + 2
    certificate = built.manifest["certificate_first_page"]
    pages = built.manifest["pages"]  # the bundle's own parts give their pages too
    span = str(certificate) if certificate == pages else f"{certificate}\u2013{pages}"
    assert found[f"0:Integrity certificate ({span})"] == certificate
    assert found["0:Cover (1)"] == 1
    assert found["0:Index (2)"] == 2


def test_every_bookmark_keeps_the_readers_zoom(built: Built) -> None:
    """A bookmark goes to the top of its page (/XYZ left top) with a null zoom, so the
    reader's chosen zoom stays as it was (/Fit would change it)."""
    reader = PdfReader(built.result.pdf)
    seen = 0

    def walk(items: list) -> None:  # type: ignore[type-arg]
        nonlocal seen
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            seen += 1
            assert item["/Type"] == "/XYZ", item.title
            assert item.get("/Zoom") is None or isinstance(item["/Zoom"], NullObject)
            page = reader.pages[reader.get_destination_page_number(item)]
            if page.rotation == 0:
                assert float(item["/Top"]) == pytest.approx(float(page.cropbox.top))

    walk(reader.outline)
    assert seen > 10


def test_opens_on_first_page_at_100_percent_with_metadata(built: Built) -> None:
    reader = PdfReader(built.result.pdf)
    action = reader.trailer["/Root"]["/OpenAction"]
    assert reader.get_page_number(action[0].get_object()) == 0
    assert action[1] == "/XYZ" and action[4] == 1
    assert reader.metadata is not None
    assert reader.metadata.title == f"{REFERENCE}: Riverside House, Housing Benefit appeal bundle"
    assert reader.metadata["/CreationDate"] == "D:20260301000000Z"


# --------------------------------------------------------------------------- integrity


def test_manifest_hashes_equal_the_source_files(built: Built) -> None:
    folder = built.spec.parent
    assert built.manifest["reference"] == REFERENCE
    assert built.manifest["build_date"] == "2026-03-01"
    assert built.manifest["options"]["numbering"] == "continuous"
    for doc in built.manifest["documents"]:
        data = (folder / doc["source"]).read_bytes()
        assert doc["source_sha256"] == hashlib.sha256(data).hexdigest()
        assert doc["media_type"] == "application/pdf"
        assert doc["converter"] == "pdf"
    assert built.manifest["audit_head"] is None
    for name in ("pypdf", "reportlab", "Pillow", "zlib"):
        assert built.manifest["libraries"][name]


def test_manifest_file_is_sorted_json_and_attached_inside(built: Built) -> None:
    raw = built.result.manifest.read_bytes()
    assert raw.endswith(b"}\n")
    assert raw == (json.dumps(json.loads(raw), sort_keys=True, indent=2, ensure_ascii=False)
                   + "\n").encode("utf-8")
    reader = PdfReader(built.result.pdf)
    assert reader.attachments == {"manifest.json": [raw]}


def test_sidecar_passes_sha256sum_check(built: Built) -> None:
    sidecar = built.result.sidecar
    digest = hashlib.sha256(built.result.pdf.read_bytes()).hexdigest()
    assert sidecar.read_text() == f"{digest}  bundle.pdf\n"
    check = subprocess.run(["sha256sum", "-c", sidecar.name], cwd=sidecar.parent,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_certificate_lists_full_hashes_and_the_manifest_hash(built: Built) -> None:
    first = built.manifest["certificate_first_page"]
    text = " ".join(p.text for p in built.words[first - 1 :])
    assert hashlib.sha256(built.result.manifest.read_bytes()).hexdigest() in text
    for doc in built.manifest["documents"]:
        assert doc["source_sha256"] in text
    assert "sha256sum -c bundle.pdf.sha256" in text
    assert "bundler bundle verify bundle.pdf" in text


def test_two_builds_are_byte_identical(built: Built, tmp_path: Path) -> None:
    again = build_bundle(built.spec, tmp_path / "bundle.pdf", build_date=DATE)
    assert again.pdf.read_bytes() == built.result.pdf.read_bytes()
    assert again.manifest.read_bytes() == built.result.manifest.read_bytes()
    assert again.sidecar.read_bytes() == built.result.sidecar.read_bytes()


# --------------------------------------------------------------------------- sanitising


def test_active_content_is_removed(built: Built) -> None:
    raw = built.result.pdf.read_bytes()
    for marker in (rb"/JavaScript", rb"/JS\b", rb"/Launch", rb"payload\.exe", rb"/AA\b",
                   rb"/AcroForm"):
        assert not re.search(marker, raw), marker
    reader = PdfReader(built.result.pdf)
    assert list(reader.attachments) == ["manifest.json"]
    doc = next(d for d in built.manifest["documents"] if d["source"].endswith("active.pdf"))
    page = reader.pages[doc["first_page"] - 1]
    assert not page.get("/Annots")  # the JavaScript link and the web link are both gone
    assert b"https://example.org" not in raw and b"/URI" not in raw


def test_web_links_are_dropped_with_a_warning_naming_the_file(built: Built) -> None:
    assert ("evidence/active.pdf: 1 web link(s) no longer open anything in the bundle (the "
            "text on the page is unchanged; the source file keeps them)") in built.warnings


def test_filled_form_value_stays_visible_after_flattening(built: Built) -> None:
    doc = next(d for d in built.manifest["documents"] if d["source"].endswith("form.pdf"))
    assert "FILLEDVALUE42" in built.words[doc["first_page"] - 1].text
    page = PdfReader(built.result.pdf).pages[doc["first_page"] - 1]
    subtypes = [a.get_object().get("/Subtype") for a in page.get("/Annots", []) or []]
    assert "/Widget" not in subtypes


def test_duplicates_warn_naming_both_files(built: Built) -> None:
    assert any("evidence/text-copy.pdf" in m and "evidence/text.pdf" in m
               for m in built.warnings), built.warnings
    assert len(built.manifest["documents"]) == 10  # the build went on


def test_page_contents_are_wrapped_not_rewritten(built: Built) -> None:
    """The original content stream is kept byte for byte between our q ... Q streams."""
    reader = PdfReader(built.result.pdf)
    doc = built.manifest["documents"][0]
    contents = reader.pages[doc["first_page"] - 1]["/Contents"]
    assert isinstance(contents, ArrayObject) and len(contents) == 3
    source = PdfReader(built.spec.parent / doc["source"]).pages[0]["/Contents"].get_object()
    assert [contents[0].get_object().get_data()[:2],
            contents[1].get_object().get_data(),
            contents[2].get_object().get_data().lstrip()[:2]] == [
        b"q\n", source.get_data(), b"Q\n"]


def test_manifest_round_trips_through_its_model(built: Built) -> None:
    from bundler.bundle.manifest import Manifest

    raw = built.result.manifest.read_bytes()
    assert Manifest.model_validate_json(raw).to_json_bytes() == raw


def test_front_matter_and_certificate_are_a4_portrait(built: Built) -> None:
    reader = PdfReader(built.result.pdf)
    generated = [*range(built.manifest["front_matter_pages"]),
                 *range(built.manifest["certificate_first_page"] - 1, built.manifest["pages"])]
    for index in generated:
        box = reader.pages[index].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_output_is_a_well_formed_pdf(built: Built) -> None:
    check = subprocess.run(["qpdf", "--check", str(built.result.pdf)], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout
    reader = PdfReader(built.result.pdf, strict=True)  # exact cross-reference offsets
    assert len(reader.pages) == built.manifest["pages"]
