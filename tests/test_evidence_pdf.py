"""open_pdf() and PDFs through render_pdf(): locked, damaged and repaired files."""

from __future__ import annotations

import base64
import logging
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bundler.errors import BadInput, InputNotFound, PasswordRequired
from bundler.evidence import identify, open_pdf, render_pdf
from tests import awkward


def test_good_pdf_opens_and_renders_as_itself(tmp_path: Path) -> None:
    path = awkward.make_pdf(tmp_path / "plan.pdf", pages=3)
    reader = open_pdf(path, source="evidence/plan.pdf")
    assert len(reader.pages) == 3
    rendition = render_pdf(identify(path, "evidence/plan.pdf"), workdir=tmp_path / "w")
    assert rendition.pdf == path.absolute()
    assert rendition.converter == "pdf"
    assert rendition.password is None
    assert rendition.outline == ()
    assert not (tmp_path / "w").exists()  # nothing converted, nothing written


def test_user_password_pdf_needs_its_password(tmp_path: Path) -> None:
    path = awkward.make_encrypted_pdf(tmp_path / "locked.pdf", user_password="s3cret")
    with pytest.raises(PasswordRequired, match=r"^evidence/locked\.pdf: .*locked with a password"):
        open_pdf(path, source="evidence/locked.pdf")
    with pytest.raises(
        PasswordRequired, match=r"^evidence/locked\.pdf: .*password given .*did not work"
    ):
        open_pdf(path, source="evidence/locked.pdf", password="wrong")
    reader = open_pdf(path, source="evidence/locked.pdf", password="s3cret")
    assert "Fictional evidence page 2" in reader.pages[1].extract_text()
    # render_pdf hands the password on to whoever copies the pages.
    rendition = render_pdf(
        identify(path, "evidence/locked.pdf"), workdir=tmp_path, password="s3cret"
    )
    assert rendition.password == "s3cret"
    with pytest.raises(PasswordRequired):
        render_pdf(identify(path, "evidence/locked.pdf"), workdir=tmp_path)


def test_owner_only_locked_pdf_opens_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = awkward.make_owner_locked_pdf(tmp_path / "locked-owner.pdf")
    with caplog.at_level(logging.WARNING):
        reader = open_pdf(path, source="evidence/locked-owner.pdf")
    assert len(reader.pages) == 2
    assert "Fictional evidence page 1" in reader.pages[0].extract_text()
    assert "evidence/locked-owner.pdf: the PDF is locked against changes" in caplog.text


DAMAGED: list[tuple[str, Callable[[Path], Path]]] = [
    ("truncated.pdf", awkward.make_truncated_pdf),
    ("garbage-after-header.pdf", awkward.make_garbage_after_header_pdf),
    ("no-pages.pdf", lambda p: awkward.make_no_pages_pdf(p)),
    ("lost-page.pdf", lambda p: awkward.make_pdf_missing_page_object(p)),
    ("lost-content.pdf", lambda p: awkward.make_pdf_missing_content(p)),
]


@pytest.mark.parametrize(("name", "make"), DAMAGED, ids=[d[0] for d in DAMAGED])
def test_damaged_pdfs_are_refused(tmp_path: Path, name: str, make: Callable[[Path], Path]) -> None:
    path = make(tmp_path / name)
    with pytest.raises(BadInput) as caught:
        open_pdf(path, source=f"evidence/{name}")
    assert str(caught.value).startswith(f"evidence/{name}: ")
    assert "\n" not in str(caught.value)


def test_repaired_pdf_is_accepted_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = awkward.make_bad_startxref_pdf(tmp_path / "offset.pdf")
    with caplog.at_level(logging.DEBUG):
        reader = open_pdf(path, source="evidence/offset.pdf")
    assert [p.extract_text().strip() for p in reader.pages] == [
        "Fictional evidence page 1",
        "Fictional evidence page 2",
    ]
    ours = [r for r in caplog.records if r.name.startswith("bundler")]
    assert len(ours) == 1
    assert ours[0].getMessage().startswith("evidence/offset.pdf: the PDF was slightly damaged")
    # pypdf's own messages are gathered into ours, not passed on raw.
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_missing_pdf(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound, match=r"^evidence/x\.pdf: file not found$"):
        open_pdf(tmp_path / "x.pdf", source="evidence/x.pdf")


def test_pypdf_logging_is_restored_afterwards(tmp_path: Path) -> None:
    before = logging.getLogger("pypdf").propagate
    open_pdf(awkward.make_bad_startxref_pdf(tmp_path / "a.pdf"), source="a.pdf")
    assert logging.getLogger("pypdf").propagate is before
    assert not logging.getLogger("pypdf").handlers


def test_pdf_missing_its_trailer_is_rebuilt_and_accepted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = awkward.make_pdf_without_trailer(tmp_path / "cut-end.pdf")
    with caplog.at_level(logging.WARNING):
        reader = open_pdf(path, source="evidence/cut-end.pdf")
    assert len(reader.pages) == 2
    assert "Fictional evidence page 2" in reader.pages[1].extract_text()
    assert "evidence/cut-end.pdf: the PDF was slightly damaged" in caplog.text


def test_corrupt_content_stream_is_refused(tmp_path: Path) -> None:
    path = awkward.make_pdf_bad_content_stream(tmp_path / "scrambled.pdf")
    with pytest.raises(BadInput, match=r"^evidence/scrambled\.pdf: the PDF is damaged"):
        open_pdf(path, source="evidence/scrambled.pdf")


def test_password_for_an_unlocked_pdf_is_not_passed_on(tmp_path: Path) -> None:
    path = awkward.make_pdf(tmp_path / "open.pdf")
    rendition = render_pdf(identify(path, "open.pdf"), workdir=tmp_path, password="unneeded")
    assert rendition.password is None


def test_no_raw_pypdf_exception_escapes_from_damaged_files(tmp_path: Path) -> None:
    """Hundreds of randomly damaged copies (fixed seed): each either opens or is
    refused with one of our errors naming the file; never a raw exception."""
    import random

    from bundler.errors import BundlerError

    originals = [
        awkward.pdf_bytes(3),
        awkward.make_encrypted_pdf(tmp_path / "enc.pdf").read_bytes(),
    ]
    rng = random.Random(20260301)
    path = tmp_path / "damaged.pdf"
    outcomes: set[str] = set()
    for _ in range(300):
        data = bytearray(rng.choice(originals))
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data))
            roll = rng.random()
            if roll < 0.5:
                data[at] = rng.randrange(256)
            elif roll < 0.75:
                del data[at : at + rng.randint(1, 60)]
            else:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
        path.write_bytes(bytes(data))
        try:
            open_pdf(path, source="evidence/damaged.pdf", password="s3cret")
            outcomes.add("opened")
        except BundlerError as exc:
            assert str(exc).startswith("evidence/damaged.pdf: "), str(exc)
            assert "\n" not in str(exc)
            outcomes.add(type(exc).__name__)
    assert {"opened", "BadInput"} <= outcomes


def test_pdf_missing_its_end_is_handed_on_as_a_copy_that_opens(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from pypdf import PdfReader

    path = awkward.make_pdf_without_trailer(tmp_path / "cut-end.pdf")
    with caplog.at_level(logging.WARNING):
        rendition = render_pdf(identify(path, "cut-end.pdf"), workdir=tmp_path / "w")
    assert rendition.pdf.parent == tmp_path / "w"
    assert rendition.pdf.read_bytes().startswith(path.read_bytes())
    reader = PdfReader(rendition.pdf)  # a plain reader, as the assembler uses
    assert [p.extract_text().strip() for p in reader.pages] == [
        "Fictional evidence page 1",
        "Fictional evidence page 2",
    ]
    assert caplog.text.count("cut-end.pdf: the PDF was slightly damaged") == 1


def test_owner_locked_attachment_warned_about_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from email.message import EmailMessage
    from email.policy import default

    message = EmailMessage(policy=default)
    message["From"] = "provider@example.org"
    message["Subject"] = "Plan"
    message.set_content("Attached.")
    locked = awkward.make_owner_locked_pdf(tmp_path / "locked.pdf")
    message.add_attachment(
        locked.read_bytes(), maintype="application", subtype="pdf", filename="plan.pdf"
    )
    path = tmp_path / "m.eml"
    path.write_bytes(message.as_bytes())
    with caplog.at_level(logging.WARNING):
        rendition = render_pdf(identify(path, "m.eml"), workdir=tmp_path / "w")
    assert rendition.outline == (("Attachment: plan.pdf", 1),)
    assert caplog.text.count("locked against changes") == 1


def _content_pdf(path: Path, filters: bytes, data: bytes) -> Path:
    """One page whose content stream holds ``data`` under ``filters`` (as written)."""
    from tests.awkward import _raw_pdf

    path.write_bytes(_raw_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        4: b"<< /Length %d /Filter %s >>\nstream\n" % (len(data), filters) + data
        + b"\nendstream",
    }))
    return path


_TEXT = b"BT /F1 12 Tf 72 720 Td (Fictional evidence) Tj ET"
_A85_FLATE = b"[/ASCII85Decode /FlateDecode]"
BROKEN_ASCII85 = [  # as reportlab writes them (ASCII85 over Flate), each damaged
    ("foreign character", _A85_FLATE,
     base64.a85encode(zlib.compress(_TEXT), adobe=True)[:-9] + b"\x7f" + b"rst~>"),
    ("no end marker", _A85_FLATE, base64.a85encode(zlib.compress(_TEXT), adobe=True)[:-2]),
    ("z inside a group", _A85_FLATE, b"<~9jqoz^BlbD-~>"),
    ("text after the end", _A85_FLATE,
     base64.a85encode(zlib.compress(_TEXT), adobe=True) + b"abc~>"),
    ("group over 2**32", _A85_FLATE, b"<~s8W-\"s8W-\"~>"),
    ("broken Flate beneath", _A85_FLATE,
     base64.a85encode(bytes((i * 37 + 11) % 256 for i in range(200)), adobe=True)),
]


@pytest.mark.parametrize(("name", "filters", "data"), BROKEN_ASCII85,
                         ids=[case[0] for case in BROKEN_ASCII85])
def test_a_broken_ascii85_content_stream_is_refused_as_pypdf_decodes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, filters: bytes,
        data: bytes) -> None:
    """The check removes an ASCII85 layer with the toolkit's own (faster) decoder: it
    refuses exactly what decoding through pypdf refused, with the same message."""
    from bundler.evidence import pdfopen

    path = _content_pdf(tmp_path / "scan.pdf", filters, data)
    with pytest.raises(BadInput) as ours:
        open_pdf(path, source="evidence/scan.pdf")
    monkeypatch.setattr(pdfopen, "_without_ascii85", lambda stream: None)
    with pytest.raises(BadInput) as pypdfs:
        open_pdf(path, source="evidence/scan.pdf")
    assert str(ours.value) == str(pypdfs.value)
    assert str(ours.value).startswith("evidence/scan.pdf: the PDF is damaged")


def test_a_good_ascii85_content_stream_passes(tmp_path: Path) -> None:
    data = base64.a85encode(zlib.compress(_TEXT), adobe=True, wrapcol=64)
    reader = open_pdf(_content_pdf(tmp_path / "letter.pdf", _A85_FLATE, data),
                      source="evidence/letter.pdf")
    assert reader.pages[0].get_contents().get_data() == _TEXT  # type: ignore[union-attr]


_A85_TEXT = st.lists(st.sampled_from([*b"!#5Suz~<> \n\x00\x7f", *b"9jqo^BlbD-BleB1"]),
                     max_size=40).map(bytes)


@given(body=_A85_TEXT, start=st.booleans(), end=st.sampled_from([b"~>", b"", b"~ >", b">"]))
def test_the_ascii85_shortcut_decodes_only_what_pypdf_decodes_silently(
        body: bytes, start: bool, end: bytes) -> None:
    """Whatever the characters: the shortcut either gives pypdf's bytes, or leaves the
    stream to pypdf (when pypdf refuses it, warns about it, or the shortcut is unsure)."""
    from pypdf.filters import ASCII85Decode
    from pypdf.generic import NameObject, StreamObject

    from bundler.evidence.pdfopen import _without_ascii85, pypdf_messages

    stream = StreamObject()
    stream[NameObject("/Filter")] = NameObject("/ASCII85Decode")
    stream._data = (b"<~" if start else b"") + body + end
    shortcut = _without_ascii85(stream)
    if shortcut is None:
        return
    with pypdf_messages() as messages:
        expected = ASCII85Decode.decode(stream._data)  # raises if pypdf refuses it
    assert not messages
    assert shortcut._data == expected
