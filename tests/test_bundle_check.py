"""`bundler bundle check` on bundles made by anyone: plain merges made with qpdf and pypdf,
a bundle without bookmarks, a scanned bundle, damaged and hostile PDFs, and this toolkit's
own bundles (which must meet their own profile), read back as a judge's viewer would."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from bundler.bundle.check import check_bundle, page_list
from bundler.bundle.profiles import PROFILES, get_profile, with_limits
from bundler.cli import _PROFILE_NAMES, cli
from bundler.errors import BadInput, PasswordRequired
from tests import awkward
from tests import bundle_fixtures as fx
from tests.pki import Pki
from tests.test_bundle_cli import write_spec


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["bundle", *args])
    return result.exit_code, result.stdout, result.stderr


def rules(report_lines: list[str]) -> dict[str, str]:
    """Each rule's line by its name (the lines between the header and the verdict)."""
    return {line.split(":", 1)[0][6:]: line for line in report_lines[1:-1]}


def own_numbered_pdf(path: Path, word: str, pages: int, pagesize: tuple[float, float] = A4,
                     ) -> Path:
    """A document that numbers its own pages 'Page k of n' at its foot, as letters do."""
    c = canvas.Canvas(str(path), pagesize=pagesize, invariant=True)
    width, height = pagesize
    for number in range(1, pages + 1):
        c.setFont("Helvetica", 11)
        for line in range(20):
            c.drawString(72, height - 100 - 16 * line, f"{word} line {line} of page {number}")
        c.drawString(width / 2 - 30, 30, f"Page {number} of {pages}")
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("three")
    return [own_numbered_pdf(folder / "a.pdf", "ALPHA", 2),
            own_numbered_pdf(folder / "b.pdf", "BRAVO", 3),
            own_numbered_pdf(folder / "c.pdf", "CHARLIE", 2)]


@pytest.fixture(scope="module")
def qpdf_merge(three: list[Path]) -> Path:
    out = three[0].with_name("qpdf-merge.pdf")
    subprocess.run(["qpdf", "--empty", "--pages", *map(str, three), "--", str(out)], check=True)
    return out


@pytest.fixture(scope="module")
def toolkit_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ours")
    fx.make_text_pdf(folder / "a.pdf", "AWORD", 2)
    fx.make_landscape_pdf(folder / "plan.pdf")
    own_numbered_pdf(folder / "letter.pdf", "LETTER", 3)
    spec = write_spec(folder, [("a.pdf", "Support plan"), ("plan.pdf", "Site plan"),
                               ("letter.pdf", "Letter to the provider")])
    from bundler.bundle.build import build_bundle

    return build_bundle(spec, folder / "out" / "bundle.pdf").pdf


# --------------------------------------------------------------------------- merges


def test_a_plain_qpdf_merge_fails_index_bookmarks_and_page_numbers_naming_pages(
    qpdf_merge: Path,
) -> None:
    code, out, err = run("check", str(qpdf_merge), "--profile", "judiciary-2021")
    assert code == 1, err
    lines = out.strip().splitlines()
    found = rules(lines)
    assert found["index"].startswith("FAIL  index: no hyperlinked index: none of pages 1-7")
    assert found["bookmarks"] == "FAIL  bookmarks: the bundle has no bookmarks"
    # the first document's own "Page 1 of 2", "Page 2 of 2" happen to be right; the others
    # print their own numbers, not the bundle's
    assert found["page numbers"].startswith("FAIL  page numbers: each page must print its "
                                            "PDF page number: pages 3-7 print another number")
    assert "page 3 shows '1'" in found["page numbers"]
    assert found["text"].startswith("PASS") and found["active content"].startswith("PASS")
    assert lines[-1].startswith(f"DOES NOT MEET judiciary-2021: {qpdf_merge}: 4 of 12 rules "
                                "failed (page numbers, index, bookmarks, opening view)")


def test_a_pypdf_merge_with_bookmarks_but_no_index(three: list[Path], tmp_path: Path) -> None:
    writer = PdfWriter()
    for path in three:
        writer.append(str(path), outline_item=path.stem.upper())
    merged = tmp_path / "pypdf-merge.pdf"
    with merged.open("wb") as handle:
        writer.write(handle)
    report = check_bundle(merged, "general")
    found = rules(report.lines())
    assert found["index"].startswith("FAIL  index: no hyperlinked index")
    assert found["bookmarks"] == ("PASS  bookmarks: 3 bookmarks, each landing on a page (with no "
                                  "index, the documents could not be matched to them)")
    assert found["page labels"] == ("WARN  page labels: none: a viewer's page box shows PDF "
                                    "page numbers, which may not be the numbers printed on the "
                                    "pages")
    assert not report.ok


def test_this_toolkits_bundle_meets_every_profile_it_is_numbered_for(
    toolkit_bundle: Path,
) -> None:
    for name in ("general", "judiciary-2021", "sscs"):
        report = check_bundle(toolkit_bundle, name)
        assert report.ok, report.lines()
        found = rules(report.lines())
        for rule in ("page numbers", "page labels", "index", "bookmarks", "text", "page size",
                     "image resolution", "limits", "active content"):
            assert found[rule].startswith("PASS"), found[rule]
    found = rules(check_bundle(toolkit_bundle, "judiciary-2021").lines())
    # three documents and the integrity certificate, which the index lists too
    assert found["index"] == ("PASS  index: 4 entries on page 2, linking to 4 documents; every "
                              "link in the file lands on a page inside it")
    assert found["page size"] == "PASS  page size: all pages A4 (8 portrait, 1 landscape)"
    assert found["active content"] == ("PASS  active content: no JavaScript, launch actions or "
                                       "multimedia; one attached manifest")


def test_the_same_bundle_without_bookmarks_fails_naming_each_document(
    toolkit_bundle: Path, tmp_path: Path,
) -> None:
    writer = PdfWriter(clone_from=toolkit_bundle)
    del writer.root_object["/Outlines"]
    bare = tmp_path / "no-bookmarks.pdf"
    writer.write(bare)
    found = rules(check_bundle(bare, "judiciary-2021").lines())
    assert found["bookmarks"] == ("FAIL  bookmarks: the bundle has no bookmarks (documents "
                                  "start on pages 3, 5-6, 9)")  # 9: the certificate
    assert found["index"].startswith("PASS")


def test_a_scanned_bundle_names_its_pages_without_text(tmp_path: Path) -> None:
    scanned = tmp_path / "scanned.pdf"
    c = canvas.Canvas(str(scanned), pagesize=A4, invariant=True)
    for number in range(1, 4):
        picture = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(picture)
        for row in range(40):
            draw.rectangle((100, 100 + row * 38, 1100, 118 + row * 38), fill=30)
        draw.text((600, 1700), str(number), fill=0)
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        c.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, *A4)
        c.showPage()
    c.save()
    judiciary = rules(check_bundle(scanned, "judiciary-2021").lines())
    assert judiciary["text"] == (
        "FAIL  text: pages 1-3 show pictures with no text: scans without OCR cannot be "
        "searched or copied (run OCR on them)")
    assert judiciary["page numbers"] == ("FAIL  page numbers: each page must print its PDF "
                                         "page number: no page number near the edges of pages "
                                         "1-3")
    assert judiciary["image resolution"] == "PASS  image resolution: 3 picture(s), none above 300 dpi"
    general = rules(check_bundle(scanned, "general").lines())
    assert general["text"].startswith("WARN  text: pages 1-3 show pictures with no text")


def test_a_picture_above_300_dpi_and_a_letter_page_are_named(tmp_path: Path) -> None:
    pdf = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=True)
    c.drawString(72, 700, "A normal page")
    c.drawString(290, 20, "1")
    c.showPage()
    c.setPageSize(letter)
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 2400), (200, 30, 30)).save(buffer, "PNG")
    c.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 72, 300, 288, 288)  # 4 in: 600 dpi
    c.drawString(72, 700, "A photograph of the kitchen")
    c.drawString(300, 20, "2")
    c.showPage()
    c.save()
    found = rules(check_bundle(pdf, "pd27a").lines())
    assert found["image resolution"] == ("WARN  image resolution: pictures above 300 dpi (slow "
                                         "to show) on page 2 (up to 600 dpi)")
    assert found["page size"] == "FAIL  page size: 1 page(s) not A4: 216 x 279 mm on page 2"
    assert found["page numbers"].startswith("PASS")


# --------------------------------------------------------------------------- rules


def test_javascript_attachments_and_web_links_are_named(tmp_path: Path) -> None:
    active = fx.make_active_pdf(tmp_path / "active.pdf")
    found = rules(check_bundle(active, "general").lines())
    assert found["active content"] == (
        "FAIL  active content: JavaScript (the document catalog, object 10, page 1); actions "
        "that start programs (page 1); attached files beyond a manifest: payload.exe; links to "
        "web addresses on page 1 (e.g. https://example.org/guidance)")


def test_links_that_lead_nowhere_fail_the_index(toolkit_bundle: Path, tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=toolkit_bundle)
    index_page = writer.pages[1]
    first = index_page["/Annots"][0].get_object()
    first[NameObject("/Dest")] = TextStringObject("no-such-place")
    broken = tmp_path / "broken.pdf"
    writer.write(broken)
    found = rules(check_bundle(broken, "general").lines())
    assert found["index"] == ("FAIL  index: 3 index entries on page 2, but 1 link(s) lead "
                              "nowhere, on page 2 (the named destination 'no-such-place' does "
                              "not exist)")


def test_labels_used_twice_and_labels_other_than_page_numbers(tmp_path: Path) -> None:
    writer = PdfWriter()
    for number in range(1, 5):
        writer.add_blank_page(*A4)
        del number
    writer.set_page_label(0, 3, style="/D", prefix="A")  # A1..A4
    writer.set_page_label(2, 3, style="/D", prefix="A")  # A1, A2 again
    pdf = tmp_path / "labels.pdf"
    writer.write(pdf)
    found = rules(check_bundle(pdf, "general").lines())
    assert found["page labels"].startswith("FAIL  page labels: labels used twice (a citation "
                                           "would be ambiguous): 'A1' on pages 1 and 3")
    judiciary = rules(check_bundle(pdf, "judiciary-2021").lines())
    assert judiciary["page labels"].startswith("FAIL")
    assert judiciary["text"].startswith("WARN  text: pages 1 (A1)-4 (A2) have no text or "
                                        "pictures")


def test_limits_from_the_profile_and_from_the_court(toolkit_bundle: Path) -> None:
    report = check_bundle(toolkit_bundle, with_limits(get_profile("general"), 5, 0.1))
    found = rules(report.lines())
    assert found["limits"].startswith("FAIL  limits: 9 pages, over the limit of 5; ")
    assert "over the limit of 0.1 MB" in found["limits"]
    assert not report.ok
    assert get_profile("pd27a").max_pages == 350


def test_opening_view_other_than_page_one_at_100_percent(toolkit_bundle: Path,
                                                         tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=toolkit_bundle)
    writer.root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[2].indirect_reference, NameObject("/Fit")])
    moved = tmp_path / "opens-fitted.pdf"
    writer.write(moved)
    assert rules(check_bundle(moved, "judiciary-2021").lines())["opening view"] == (
        "FAIL  opening view: it opens at page 3 fitted (Fit), not at page 1 at 100%")
    assert rules(check_bundle(moved, "general").lines())["opening view"].startswith("WARN")


def test_fonts_not_embedded_are_named(tmp_path: Path) -> None:
    pdf = tmp_path / "arialish.pdf"
    writer = PdfWriter()
    page = writer.add_blank_page(*A4)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/TrueType"),
                             NameObject("/BaseFont"): NameObject("/Calibri")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET BT /F1 12 Tf 290 20 Td (1) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.write(pdf)
    found = rules(check_bundle(pdf, "general").lines())
    assert found["fonts"].startswith("FAIL  fonts: fonts not embedded (readers substitute "
                                     "others, which can change the text shown): Calibri on "
                                     "page 1")
    assert found["page numbers"].startswith("PASS")


# --------------------------------------------------------------------------- damaged, hostile


def test_not_a_pdf_and_a_password_give_one_line_errors(tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_text("not a pdf at all\n")
    with pytest.raises(BadInput, match=r"fake.pdf: is not a PDF file, or is too damaged"):
        check_bundle(fake)
    code, _out, err = run("check", str(fake))
    assert code == 4 and err.startswith("error: ") and "Traceback" not in err
    locked = awkward.make_encrypted_pdf(tmp_path / "locked.pdf")
    with pytest.raises(PasswordRequired, match="needs a password to open"):
        check_bundle(locked)
    code, _out, err = run("check", str(locked))
    assert code == 5 and "Traceback" not in err
    code, _out, err = run("check", str(tmp_path / "missing.pdf"))
    assert code == 3


def test_a_pdf_without_pages_is_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    PdfWriter().write(empty)
    code, out, err = run("check", str(empty))
    assert (code, out) == (4, "")
    assert err.splitlines()[0] == f"error: {empty}: has no pages (or its page tree cannot be read)"


def test_an_owner_locked_bundle_is_read_and_its_restrictions_named(tmp_path: Path) -> None:
    open_to_all = awkward.make_owner_locked_pdf(tmp_path / "owner.pdf")
    assert rules(check_bundle(open_to_all).lines())["file"].endswith(
        "encrypted, but opens without a password and forbids nothing")
    writer = PdfWriter(clone_from=own_numbered_pdf(tmp_path / "plain.pdf", "WORD", 2))
    writer.encrypt(user_password="", owner_password="owner-only", permissions_flag=0,
                   algorithm="AES-128")
    restricted = tmp_path / "restricted.pdf"
    writer.write(restricted)
    found = rules(check_bundle(restricted).lines())
    assert found["file"].startswith("WARN  file: PDF ")
    assert found["file"].endswith("it forbids copying text and printing and screen readers")
    assert found["page numbers"].startswith("PASS")  # read from the decrypted copy


def test_a_damaged_bundle_is_repaired_and_said_so(toolkit_bundle: Path, tmp_path: Path) -> None:
    data = toolkit_bundle.read_bytes()
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(data.replace(b"startxref", b"startxrEF"))
    report = check_bundle(damaged, "general")
    found = rules(report.lines())
    assert found["file"].startswith("WARN  file: PDF ")
    assert "damaged: it had to be repaired to be read" in found["file"]
    assert found["page numbers"].startswith("PASS")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(data[: len(data) // 3])
    try:
        cut = check_bundle(truncated, "general")
    except BadInput as exc:  # too little left to read: one line
        assert "truncated.pdf" in exc.message
    else:
        assert not cut.ok or cut.pages < 9


def test_hostile_structures_end_in_bounded_reads(tmp_path: Path) -> None:
    writer = PdfWriter()
    page = writer.add_blank_page(*A4)
    # a content stream that inflates to far more than any page needs
    bomb = StreamObject()
    bomb._data = zlib.compress(b"q " * (40 * 1024 * 1024), 9)
    bomb[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(bomb)
    # a bookmark that points back at itself
    item = DictionaryObject({NameObject("/Title"): TextStringObject("loop")})
    ref = writer._add_object(item)
    item[NameObject("/Next")] = ref
    item[NameObject("/Dest")] = ArrayObject([page.indirect_reference, NameObject("/Fit")])
    writer.root_object[NameObject("/Outlines")] = writer._add_object(DictionaryObject(
        {NameObject("/First"): ref, NameObject("/Last"): ref,
         NameObject("/Count"): NumberObject(1)}))
    hostile = tmp_path / "hostile.pdf"
    writer.write(hostile)
    report = check_bundle(hostile, "general")
    found = rules(report.lines())
    assert found["bookmarks"].startswith("PASS  bookmarks: 1 bookmarks")
    # the page's content is not read past the limit: its text is not known, and not invented
    assert found["text"] == ("WARN  text: the content of page 1 could not be read (too large "
                             "or damaged)")


# --------------------------------------------------------------------------- output


def test_json_report_and_exit_codes(toolkit_bundle: Path, qpdf_merge: Path) -> None:
    code, out, _err = run("check", str(toolkit_bundle), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["ok"] is True and data["profile"] == "general" and data["pages"] == 9
    assert {rule["rule"] for rule in data["rules"]} >= {"page numbers", "index", "bookmarks"}
    import hashlib

    assert data["sha256"] == hashlib.sha256(toolkit_bundle.read_bytes()).hexdigest()
    code, out, _err = run("check", str(qpdf_merge), "--json", "--profile", "judiciary-2021")
    assert code == 1
    failed = {rule["rule"]: rule["pages"] for rule in json.loads(out)["rules"]
              if rule["result"] == "FAIL"}
    assert failed["page numbers"] == [3, 4, 5, 6, 7]


def test_profiles_in_the_cli_match_the_library() -> None:
    assert set(_PROFILE_NAMES) == set(PROFILES)
    with pytest.raises(BadInput, match="profile 'nope' is not one of"):
        get_profile("nope")
    code, _out, err = run("check", "x.pdf", "--profile", "nope")
    assert code == 2 and "nope" in err


def test_page_lists_are_short() -> None:
    assert page_list([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"
    assert page_list([5, 6], ["i", "ii", "iii", "iv", "A1", "A2"]) == "5 (A1)-6 (A2)"
    assert page_list(range(1, 100, 2)).endswith("and 38 more pages")


def test_a_sealed_bundle_meets_its_profile(toolkit_bundle: Path, tmp_path: Path,
                                           pki: Pki) -> None:
    folder = tmp_path / "out"
    shutil.copytree(toolkit_bundle.parent, folder)
    signed = folder / "bundle-signed.pdf"
    code, _out, err = run("sign", str(folder / "bundle.pdf"), "-o", str(signed), "--key",
                          str(pki.signer_key), "--cert", str(pki.signer_cert), "--chain",
                          str(pki.root))
    assert code == 0, err
    report = check_bundle(signed, "judiciary-2021")
    assert report.ok, report.lines()
    found = rules(report.lines())
    assert found["active content"] == ("PASS  active content: no JavaScript, launch actions or "
                                       "multimedia; one attached manifest")


def test_an_incremental_update_is_read(toolkit_bundle: Path, tmp_path: Path) -> None:
    """An incremental update (as annotating tools add) is read as the file is now."""
    original = toolkit_bundle.read_bytes()
    writer = PdfWriter(io.BytesIO(original), incremental=True)
    writer.add_metadata({"/Keywords": "later"})
    updated = tmp_path / "updated.pdf"
    with updated.open("wb") as handle:
        writer.write(handle)
    assert updated.read_bytes().startswith(original)
    assert check_bundle(updated, "judiciary-2021").ok
    assert len(PdfReader(updated).pages) == 9


def test_the_sample_bundle_meets_the_judiciary_guidance(sample_case: Path) -> None:
    """The sample case's bundle as `make demo` builds it (scans read by OCR) meets
    judiciary-2021; without OCR its two scanned consent forms are named."""
    from bundler.bundle.build import build_bundle

    out = sample_case / "out" / "bundle.pdf"
    build_bundle(sample_case, out, build_date=dt.date(2026, 11, 20), ocr=True)
    report = check_bundle(out, "judiciary-2021")
    assert report.ok, report.lines()
    found = rules(report.lines())
    for rule in ("page numbers", "index", "bookmarks", "text", "page size", "image resolution",
                 "active content"):
        assert found[rule].startswith("PASS"), found[rule]
    plain = build_bundle(sample_case, sample_case / "out" / "plain.pdf",
                         build_date=dt.date(2026, 11, 20))
    text = rules(check_bundle(plain.pdf, "judiciary-2021").lines())["text"]
    assert text.startswith("FAIL  text: pages ") and "show pictures with no text" in text
    assert len(rules(check_bundle(plain.pdf, "judiciary-2021").lines())) == 12


LOOPS = (b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R/Outlines 5 0 R>> endobj\n"
         b"2 0 obj <</Type/Pages/Kids[3 0 R 2 0 R]/Count 2>> endobj\n"
         b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
         b"/Annots[7 0 R]>> endobj\n"
         b"4 0 obj <</Length 7>> stream\nq 1 0 0\nendstream endobj\n"
         b"5 0 obj <</First 8 0 R>> endobj\n"
         b"7 0 obj <</Subtype/Link/Rect[0 0 10 10]/A <</S/Launch/F(cmd.exe)/Next 7 0 R>> >>"
         b" endobj\n"
         b"8 0 obj <</Title(x)/Next 8 0 R/First 8 0 R/Dest[99 0 R /Fit]>> endobj\n"
         b"trailer <</Root 1 0 R>>\n%%EOF\n")


def test_loops_in_the_page_tree_bookmarks_and_actions_are_walked_once(tmp_path: Path) -> None:
    looped = tmp_path / "loops.pdf"
    looped.write_bytes(LOOPS)
    found = rules(check_bundle(looped, "general").lines())
    assert found["file"] == ("WARN  file: PDF 1.4, 0.0 MB, 1 pages; damaged: it had to be "
                             "repaired to be read (file is damaged)")
    assert found["bookmarks"] == "FAIL  bookmarks: 1 bookmark(s) lead nowhere in the file ('x')"
    assert found["active content"] == "FAIL  active content: actions that start programs (page 1)"
    assert found["index"] == ("FAIL  index: no hyperlinked index: none of page 1 links to the "
                              "documents")


def test_a_page_label_number_given_twice_is_read_not_a_crash(tmp_path: Path) -> None:
    """A hostile number tree may give the same page twice: the check reports, it does not
    stop with an internal error (it used to compare the two label dictionaries)."""
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(*A4)
    writer.root_object[NameObject("/PageLabels")] = DictionaryObject({
        NameObject("/Nums"): ArrayObject([
            NumberObject(0), DictionaryObject({NameObject("/S"): NameObject("/D")}),
            NumberObject(0), DictionaryObject({NameObject("/S"): NameObject("/r")}),
            NumberObject(1), DictionaryObject({NameObject("/P"): TextStringObject("A-")}),
        ])})
    pdf = tmp_path / "twice.pdf"
    writer.write(pdf)
    code, out, err = run("check", str(pdf))
    assert code == 1, err
    assert "internal" not in err
    # the later entry for page 1 is the one read (roman), then the prefix alone on 2 and 3
    assert rules(out.splitlines())["page labels"] == (
        "FAIL  page labels: labels used twice (a citation would be ambiguous): 'A-' on pages "
        "2 and 3")
    assert "pages 1 (i)-3 (A-)" in out
