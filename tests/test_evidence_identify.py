"""identify(): the type comes from the content, and the name must agree with it."""

from __future__ import annotations

import hashlib
import logging
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bundler.errors import BadInput, BundlerError, InputNotFound
from bundler.evidence import identify
from bundler.evidence.model import DOCX, EML, JPEG, ODT, PDF, PNG, RTF, TEXT, TIFF
from tests import awkward


def _make_png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGBA", (40, 30), (0, 0, 255, 128)).save(path, "PNG")
    return path


def _make_tiff(path: Path) -> Path:
    from PIL import Image

    Image.new("L", (40, 30), 90).save(path, "TIFF")
    return path


def _make_eml(path: Path) -> Path:
    path.write_bytes(
        b"From: Officer <officer@example.gov.uk>\r\nTo: provider@example.org\r\n"
        b"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nSubject: Visit\r\n\r\nHello.\r\n"
    )
    return path


def _make_eml_magic_calls_text(path: Path) -> Path:
    # Starts with a header libmagic does not take for mail, but stdlib parses it.
    path.write_bytes(
        b"Subject: Visit follow-up\nX-Note: exported\nFrom: a@example.org\n"
        b"Date: Mon, 02 Mar 2026 10:00:00 +0000\n\nBody text.\n"
    )
    return path


def _make_rtf(path: Path) -> Path:
    path.write_bytes(rb"{\rtf1\ansi\deff0 {\fonttbl {\f0 Arial;}}\f0 Support plan review.\par}")
    return path


def _make_odt(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return path


def _make_odt_mimetype_not_first(path: Path) -> Path:
    """libmagic only recognises ODF when `mimetype` is the first member: this says zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    return path


def _make_docx_as_plain_zip(path: Path) -> Path:
    """A .docx whose first members are docProps/, so libmagic says octet-stream."""
    source = awkward.make_docx(path.with_suffix(".orig.docx"))
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        names = sorted(original.namelist(), key=lambda n: (not n.startswith("docProps"), n))
        for name in names:
            copy.writestr(name, original.read(name))
    return path


GOOD: list[tuple[str, Callable[[Path], Path], str]] = [
    ("a.pdf", awkward.make_pdf, PDF),
    ("photo.jpg", awkward.make_jpeg, JPEG),
    ("photo.JPEG", awkward.make_jpeg, JPEG),
    ("scan.png", _make_png, PNG),
    ("scan.tif", _make_tiff, TIFF),
    ("letter.docx", awkward.make_docx, DOCX),
    ("zipped.docx", _make_docx_as_plain_zip, DOCX),
    ("notes.odt", _make_odt, ODT),
    ("zipped.odt", _make_odt_mimetype_not_first, ODT),
    ("plan.rtf", _make_rtf, RTF),
    ("mail.eml", _make_eml, EML),
    ("mail2.eml", _make_eml_magic_calls_text, EML),
    ("note.txt", awkward.make_utf8_text, TEXT),
    ("note-bom.txt", lambda p: awkward.make_utf8_text(p, bom=True), TEXT),
    ("no-extension", awkward.make_pdf, PDF),
]


@pytest.mark.parametrize(("name", "make", "media_type"), GOOD, ids=[g[0] for g in GOOD])
def test_identifies_supported_types(
    tmp_path: Path, name: str, make: Callable[[Path], Path], media_type: str
) -> None:
    path = make(tmp_path / name)
    evidence = identify(path, f"evidence/{name}")
    assert evidence.media_type == media_type
    assert evidence.source == f"evidence/{name}"
    assert evidence.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert evidence.size == path.stat().st_size
    assert evidence.path.is_absolute()


@pytest.mark.parametrize(
    ("make", "magic_says"),
    [
        (_make_docx_as_plain_zip, "application/octet-stream"),
        (_make_odt_mimetype_not_first, "application/zip"),
        (_make_eml_magic_calls_text, "text/plain"),
    ],
)
def test_awkward_fixtures_really_fool_libmagic(
    tmp_path: Path, make: Callable[[Path], Path], magic_says: str
) -> None:
    import magic

    assert magic.from_file(str(make(tmp_path / "f")), mime=True) == magic_says


BAD: list[tuple[str, Callable[[Path], Path], str]] = [
    ("empty.pdf", awkward.make_empty, "empty"),
    ("photo.pdf", awkward.make_jpeg_named_pdf, "named .pdf but its content is a JPEG picture"),
    ("garbage.bin", awkward.make_garbage, "unrecognised"),
    ("bundle.zip", awkward.make_zip_of_things, "ZIP archive"),
    ("sheet.xlsx", awkward.make_xlsx, "Excel spreadsheet"),
    ("sheet.docx", awkward.make_xlsx, "named .docx but its content is an Excel spreadsheet"),
    ("program", awkward.make_executable, "program"),
    ("cut.docx", awkward.make_truncated_docx, "damaged or incomplete Word document"),
    ("ansi.txt", awkward.make_cp1252_text, "not in UTF-8"),
    ("note.eml", awkward.make_utf8_text, "named .eml"),
    ("photo.txt", awkward.make_jpeg, "named .txt but its content is a JPEG picture"),
    ("mail.eml", awkward.make_pdf, "named .eml but its content is a PDF document"),
    ("letter.docx", awkward.make_pdf, "named .docx but its content is a PDF document"),
    ("mail.txt.jpg", awkward.make_utf8_text, "named .jpg but its content is plain text"),
]


@pytest.mark.parametrize(("name", "make", "words"), BAD, ids=[b[0] for b in BAD])
def test_refuses_bad_inputs_naming_the_file(
    tmp_path: Path, name: str, make: Callable[[Path], Path], words: str
) -> None:
    path = make(tmp_path / name)
    with pytest.raises(BadInput) as caught:
        identify(path, f"evidence/{name}")
    message = str(caught.value)
    assert message.startswith(f"evidence/{name}: ")
    assert words in message
    assert "\n" not in message
    assert caught.value.hint


def test_missing_file_is_input_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound, match=r"^evidence/gone\.pdf: file not found$"):
        identify(tmp_path / "gone.pdf", "evidence/gone.pdf")


def test_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    with pytest.raises(BadInput, match=r"^evidence/photos: is a folder"):
        identify(tmp_path / "photos", "evidence/photos")


def test_rtf_named_doc_is_accepted_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _make_rtf(tmp_path / "old.doc")
    with caplog.at_level(logging.WARNING):
        evidence = identify(path, "old.doc")
    assert evidence.media_type == RTF
    assert "old.doc: named .doc but its content is a rich text document" in caplog.text


def test_png_named_jpg_is_accepted_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _make_png(tmp_path / "screenshot.jpg")
    with caplog.at_level(logging.WARNING):
        evidence = identify(path, "screenshot.jpg")
    assert evidence.media_type == PNG
    assert "screenshot.jpg: named .jpg but its content is a PNG picture" in caplog.text


def test_every_error_is_a_bundler_error(tmp_path: Path) -> None:
    for name, make, _ in BAD:
        with pytest.raises(BundlerError):
            identify(make(tmp_path / name), name)


@pytest.mark.parametrize("magic_says", ["application/encrypted", "application/CDFV2-encrypted"])
def test_password_protected_office_file_gets_its_own_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, magic_says: str
) -> None:
    # libmagic names a password-protected .docx like this (an OLE box holding an
    # encrypted package); making a real one needs Office, so libmagic's answer is faked.
    from bundler.evidence import sniff

    monkeypatch.setattr(sniff, "_magic_type", lambda path, source: magic_says)
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(BadInput) as caught:
        identify(path, "evidence/locked.docx")
    assert str(caught.value) == "evidence/locked.docx: is a password-protected Office document"
    assert "unprotected copy" in caught.value.hint
