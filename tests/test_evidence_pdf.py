"""open_pdf() and PDFs through render_pdf(): locked, damaged and repaired files."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

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
