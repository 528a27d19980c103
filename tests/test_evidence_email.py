"""E-mails: headers, body, attachment list, attachments converted and bookmarked."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pypdf import PdfReader

from bundler.evidence import identify, render_pdf
from bundler.evidence.mail import html_to_text
from tests import awkward


def _render(
    path: Path, tmp_path: Path, name: str | None = None
) -> tuple[Path, tuple[tuple[str, int], ...]]:
    rendition = render_pdf(identify(path, f"mail/{name or path.name}"), workdir=tmp_path / "w")
    assert rendition.converter == "email"
    assert rendition.password is None
    return rendition.pdf, rendition.outline


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_message_headers_body_and_attachment_list(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = awkward.make_eml(tmp_path / "reply.eml")
    with caplog.at_level(logging.WARNING):
        pdf, _ = _render(source, tmp_path)
    reader = PdfReader(pdf)
    first = _flat(reader.pages[0].extract_text())
    for expected in (
        "From:",
        "Ελένη Παπαδοπούλου <eleni@provider.example.org>",
        "To:",
        "hb-review@council.example.gov.uk",
        "Cc:",
        "Łukasz Nowak",
        "Дмитрий",
        "Date:",
        "Tue, 03 Mar 2026 09:15:00 +0000",
        "Subject:",
        "Support plan for Siân and Zoë",
        "Please find the support plan attached.",
        "Attachments (3):",
        "support-plan.pdf (",
        "Zoë's room.jpg (",
        "rota.xlsx (",
        "(not included: type not supported)",
    ):
        assert expected in first, expected
    assert "HTML version" not in first  # the plain part is preferred
    # Sizes are the decoded attachment sizes in bytes.
    assert f"support-plan.pdf ({len(awkward.pdf_bytes(2, 'Support plan page')):,} bytes)" in first
    assert "mail/reply.eml: attachment rota.xlsx not included (type not supported)" in caplog.text


def test_attachments_follow_the_message_with_bookmarks(tmp_path: Path) -> None:
    pdf, outline = _render(awkward.make_eml(tmp_path / "reply.eml"), tmp_path)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1 + 2 + 1
    assert outline == (("Attachment: support-plan.pdf", 1), ("Attachment: Zoë's room.jpg", 3))
    assert "Support plan page 1" in reader.pages[1].extract_text()
    assert "Support plan page 2" in reader.pages[2].extract_text()
    assert reader.pages[3].images  # the photo
    assert "Zoë's room.jpg" in reader.pages[3].extract_text()


def test_word_attachment_goes_through_libreoffice(tmp_path: Path) -> None:
    rendition = render_pdf(
        identify(awkward.make_eml(tmp_path / "m.eml", with_docx=True), "m.eml"),
        workdir=tmp_path / "w",
    )
    titles = [title for title, _ in rendition.outline]
    assert titles[-1] == "Attachment: tenancy.docx"
    last = rendition.outline[-1][1]
    assert "Tenancy agreement for Дмитрий" in PdfReader(rendition.pdf).pages[last].extract_text()
    assert "LibreOffice" in rendition.tool_versions


def test_forwarded_message_is_converted_recursively(tmp_path: Path) -> None:
    inner = awkward.make_eml(tmp_path / "inner.eml")
    pdf, outline = _render(awkward.make_eml_forwarding(tmp_path / "fwd.eml", inner), tmp_path)
    reader = PdfReader(pdf)
    assert outline[0] == ("Attachment: Support plan for Siân and Zoë.eml", 1)
    assert ("Attachment: support-plan.pdf", 2) in outline
    assert "Ελένη Παπαδοπούλου" in reader.pages[1].extract_text()
    assert len(reader.pages) == 1 + 4


def test_html_only_message_is_reduced_to_text(tmp_path: Path) -> None:
    pdf, _ = _render(awkward.make_eml_html_only(tmp_path / "h.eml"), tmp_path)
    text = _flat(awkward.pdf_text(pdf))
    assert "Visits on Monday & Friday." in text
    assert "Siân" in text and "Zoë" in text
    assert "alert" not in text and "color" not in text and "<p>" not in text


def test_undecodable_charset_does_not_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        pdf, _ = _render(awkward.make_eml_bad_charset(tmp_path / "k.eml"), tmp_path)
    text = awkward.pdf_text(pdf)
    assert "visit went well." in text
    assert "Qapla! notes" in text
    assert "zoe@example.org" in text
    assert "mail/k.eml: the e-mail's text uses a character set that cannot be read" in caplog.text


def test_two_renders_are_byte_identical(tmp_path: Path) -> None:
    path = awkward.make_eml(tmp_path / "same.eml")
    first = render_pdf(identify(path, "same.eml"), workdir=tmp_path / "a")
    second = render_pdf(identify(path, "same.eml"), workdir=tmp_path / "b")
    assert first.pdf.read_bytes() == second.pdf.read_bytes()
    assert first.outline == second.outline


def test_html_to_text_keeps_words_apart() -> None:
    assert html_to_text("<p>One <b>two</b></p><p>three&nbsp;four</p>") == "One two\n\nthree four"


def test_locked_pdf_attachment_is_listed_not_included(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from email.message import EmailMessage
    from email.policy import default

    message = EmailMessage(policy=default)
    message["From"] = "provider@example.org"
    message["Subject"] = "Locked plan"
    message.set_content("The plan is attached; password to follow.")
    locked = awkward.make_encrypted_pdf(tmp_path / "locked.pdf")
    message.add_attachment(
        locked.read_bytes(), maintype="application", subtype="pdf", filename="plan.pdf"
    )
    path = tmp_path / "locked.eml"
    path.write_bytes(message.as_bytes())
    with caplog.at_level(logging.WARNING):
        pdf, outline = _render(path, tmp_path)
    assert outline == ()
    assert len(PdfReader(pdf).pages) == 1
    assert "plan.pdf (" in awkward.pdf_text(pdf)
    assert "(not included: locked with a password)" in _flat(awkward.pdf_text(pdf))
    assert "mail/locked.eml: attachment plan.pdf not included (locked with a password)" in (
        caplog.text
    )


def test_message_that_is_only_an_attachment(tmp_path: Path) -> None:
    from email.message import EmailMessage
    from email.policy import default

    message = EmailMessage(policy=default)
    message["From"] = "scanner@council.example.gov.uk"
    message["Subject"] = "Scan"
    message.set_content(
        awkward.pdf_bytes(1, "Scanned page"),
        maintype="application",
        subtype="pdf",
        filename="scan.pdf",
    )
    path = tmp_path / "scan.eml"
    path.write_bytes(message.as_bytes())
    pdf, outline = _render(path, tmp_path)
    assert outline == (("Attachment: scan.pdf", 1),)
    reader = PdfReader(pdf)
    assert "(This message has no text.)" in reader.pages[0].extract_text()
    assert "Scanned page" in reader.pages[1].extract_text()
