"""Outlook .msg e-mails: read with extract-msg, printed by the same renderer as .eml.

The .msg files are written by tests/outlook.py (MS-OXMSG streams laid out with
extract-msg's own OLE writer); extract-msg and libmagic read them as real files.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from pypdf import PdfReader

from bundler.errors import BadInput
from bundler.evidence import identify, render_pdf
from bundler.evidence.model import EML, MSG
from bundler.evidence.outlook import rtf_to_text
from tests import awkward
from tests.outlook import MsgAttachment, MsgMessage, write_msg

SENT = dt.datetime(2026, 3, 3, 9, 15, tzinfo=dt.UTC)


def _xlsx_bytes() -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return awkward.make_xlsx(Path(folder) / "rota.xlsx").read_bytes()


def _message(**changes: object) -> MsgMessage:
    message = MsgMessage(
        subject="Support plan for Siân and Zoë",
        sender_name="Ελένη Παπαδοπούλου",
        sender_email="eleni@provider.example.org",
        to=[("HB Review", "hb-review@council.example.gov.uk")],
        cc=[("Łukasz Nowak", "lukasz@example.org"), ("Дмитрий", "dmitry@example.org")],
        sent=SENT,
        body="Please find the support plan attached.\r\nRegards",
        attachments=[
            MsgAttachment("support-plan.pdf", awkward.pdf_bytes(2, "Support plan page")),
            MsgAttachment("Zoë's room.jpg", awkward._jpeg_bytes()),
            MsgAttachment("rota.xlsx", _xlsx_bytes()),
        ],
    )
    for key, value in changes.items():
        setattr(message, key, value)
    return message


def _render(path: Path, tmp_path: Path) -> tuple[Path, tuple[tuple[str, int], ...]]:
    rendition = render_pdf(identify(path, f"mail/{path.name}"), workdir=tmp_path / "w")
    assert rendition.converter == "email"
    assert rendition.password is None
    return rendition.pdf, rendition.outline


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_msg_is_recognised_by_content(tmp_path: Path) -> None:
    import magic

    path = write_msg(tmp_path / "reply.msg", _message())
    assert magic.from_file(str(path), mime=True) == "application/vnd.ms-outlook"
    assert identify(path, "mail/reply.msg").media_type == MSG


def test_headers_body_and_attachment_list(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write_msg(tmp_path / "reply.msg", _message())
    with caplog.at_level(logging.WARNING):
        pdf, outline = _render(path, tmp_path)
    reader = PdfReader(pdf)
    first = _flat(reader.pages[0].extract_text())
    for expected in (
        "E-mail message",
        "File: reply.msg",
        "From: Ελένη Παπαδοπούλου <eleni@provider.example.org>",
        "To: HB Review <hb-review@council.example.gov.uk>",
        "Łukasz Nowak <lukasz@example.org>",
        "Дмитрий <dmitry@example.org>",
        "Date: Tue, 03 Mar 2026 09:15:00 +0000",
        "Subject: Support plan for Siân and Zoë",
        "Please find the support plan attached.",
        "Attachments (3):",
        f"support-plan.pdf ({len(awkward.pdf_bytes(2, 'Support plan page')):,} bytes)",
        "Zoë's room.jpg (",
        "rota.xlsx (",
    ):
        assert expected in first, expected
    assert "rota.xlsx (" in first and "(not included: type not supported)" in first
    assert "mail/reply.msg: attachment rota.xlsx not included (type not supported)" in caplog.text
    # The attachments follow, bookmarked, exactly as for an .eml.
    assert outline == (("Attachment: support-plan.pdf", 1), ("Attachment: Zoë's room.jpg", 3))
    assert len(reader.pages) == 1 + 2 + 1
    assert "Support plan page 2" in reader.pages[2].extract_text()
    assert reader.pages[3].images


def test_same_pages_as_the_same_message_sent_as_eml(tmp_path: Path) -> None:
    """One renderer: the .msg's first page matches the .eml's line for line."""
    from email.message import EmailMessage
    from email.policy import default

    eml = EmailMessage(policy=default)
    eml["From"] = "Ελένη Παπαδοπούλου <eleni@provider.example.org>"
    eml["To"] = "HB Review <hb-review@council.example.gov.uk>"
    eml["Date"] = "Tue, 03 Mar 2026 09:15:00 +0000"
    eml["Subject"] = "Visit"
    eml.set_content("Visit confirmed for Monday.\n")
    eml_path = tmp_path / "same.eml"
    eml_path.write_bytes(eml.as_bytes())
    msg_path = write_msg(
        tmp_path / "same.msg",
        _message(subject="Visit", cc=[], body="Visit confirmed for Monday.\r\n", attachments=[]),
    )
    eml_pdf, _ = _render(eml_path, tmp_path)
    msg_pdf, _ = _render(msg_path, tmp_path)
    eml_text = PdfReader(eml_pdf).pages[0].extract_text().replace("same.eml", "same.msg")
    assert PdfReader(msg_pdf).pages[0].extract_text() == eml_text


def test_embedded_msg_and_attached_eml_are_converted_recursively(tmp_path: Path) -> None:
    inner = _message(
        subject="Earlier note",
        sender_name="Łukasz Nowak",
        sender_email="lukasz@example.org",
        cc=[],
        body="Inner body for Zoë.",
        attachments=[MsgAttachment("plan.pdf", awkward.pdf_bytes(1, "Inner plan page"))],
    )
    eml = awkward.make_eml_html_only(tmp_path / "h.eml")
    outer = _message(
        body="Forwarding two messages.",
        attachments=[
            MsgAttachment("Earlier note", embedded=inner),
            MsgAttachment("visit.eml", eml.read_bytes()),
        ],
    )
    pdf, outline = _render(write_msg(tmp_path / "fwd.msg", outer), tmp_path)
    reader = PdfReader(pdf)
    assert outline == (
        ("Attachment: Earlier note.msg", 1),
        ("Attachment: plan.pdf", 2),
        ("Attachment: visit.eml", 3),
    )
    assert "Inner body for Zoë." in reader.pages[1].extract_text()
    assert "Inner plan page 1" in reader.pages[2].extract_text()
    assert "Visits on Monday & Friday." in _flat(reader.pages[3].extract_text())
    assert len(reader.pages) == 4


def test_html_only_body_is_reduced_to_text(tmp_path: Path) -> None:
    html = (
        "<html><head><style>p {color: red}</style><script>alert(1)</script></head>"
        "<body><p>Visits on Monday &amp; Friday.</p><p>Siân and Zoë</p></body></html>"
    ).encode("cp1252", "xmlcharrefreplace")
    message = _message(body=None, html=html, html_codepage=1252, attachments=[])
    pdf, _ = _render(write_msg(tmp_path / "h.msg", message), tmp_path)
    text = _flat(awkward.pdf_text(pdf))
    assert "Visits on Monday & Friday." in text
    assert "Siân and Zoë" in text
    assert "alert" not in text and "color" not in text and "<p>" not in text


def test_inline_picture_of_an_html_body_is_listed_not_repeated(tmp_path: Path) -> None:
    html = b'<html><body><p>Photo below.</p><img src="cid:img001@example"></body></html>'
    message = _message(
        body=None,
        html=html,
        attachments=[
            MsgAttachment("image001.jpg", awkward._jpeg_bytes(), content_id="img001@example")
        ],
    )
    pdf, outline = _render(write_msg(tmp_path / "i.msg", message), tmp_path)
    assert outline == ()
    assert "image001.jpg" in _flat(awkward.pdf_text(pdf))
    assert "shown inside the message; not included separately" in _flat(awkward.pdf_text(pdf))


RTF_PLAIN = (
    rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Calibri;}}{\colortbl;\red0\green0\blue0;}"
    rb"{\*\generator Riched20;}\f0 Visit notes for Zo\'eb and Si\u226?n.\par "
    rb"\u1044?\u1084?\u1080?\u1090?\u1088?\u1080?\u1081? \endash  done.\par}"
)
RTF_HTML = (
    rb"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}}"
    rb"{\*\htmltag19 <html>}{\*\htmltag34 <body>}{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 "
    rb"Encapsulated visit on Monday for Zo\'eb.{\*\htmltag72 </p>}\htmlrtf }\htmlrtf0 "
    rb"{\*\htmltag42 </body>}{\*\htmltag27 </html>}}"
)


@pytest.mark.parametrize(
    ("rtf", "expected"),
    [
        (RTF_PLAIN, "Visit notes for Zoë and Siân. Дмитрий – done."),
        (RTF_HTML, "Encapsulated visit on Monday for Zoë."),
    ],
    ids=["rtf", "html-in-rtf"],
)
def test_rtf_only_body_is_reduced_to_text(tmp_path: Path, rtf: bytes, expected: str) -> None:
    message = _message(body=None, rtf=rtf, attachments=[])
    pdf, _ = _render(write_msg(tmp_path / "r.msg", message), tmp_path)
    text = _flat(awkward.pdf_text(pdf))
    assert expected in text
    assert "Calibri" not in text and "htmltag" not in text and "rtf1" not in text


def test_rtf_to_text_keeps_escapes_and_drops_tables() -> None:
    assert rtf_to_text(RTF_PLAIN) == "Visit notes for Zoë and Siân.\nДмитрий – done."
    assert rtf_to_text(rb"{\rtf1 a\{b\}c\\d\tab e}") == "a{b}c\\d\te"


def test_date_from_internet_headers_when_outlook_kept_them(tmp_path: Path) -> None:
    headers = (
        "From: Provider <p@example.org>\r\nTo: hb@example.gov.uk\r\n"
        "Date: Wed, 04 Mar 2026 17:05:00 +0100\r\nSubject: Visit\r\n\r\n"
    )
    pdf, _ = _render(write_msg(tmp_path / "h.msg", _message(headers=headers)), tmp_path)
    first = _flat(PdfReader(pdf).pages[0].extract_text())
    assert "Date: Wed, 04 Mar 2026 17:05:00 +0100" in first
    assert "From: Provider <p@example.org>" in first


def test_stored_date_is_shown_in_utc_whatever_the_computer_zone() -> None:
    from types import SimpleNamespace

    from bundler.evidence.outlook import _date

    paris = dt.timezone(dt.timedelta(hours=1))
    fake = SimpleNamespace(headerInit=False, headerText=None, date=SENT.astimezone(paris))
    assert _date(fake) == "Tue, 03 Mar 2026 09:15:00 +0000"
    assert _date(SimpleNamespace(headerInit=False, headerText=None, date=None)) == ""


def test_two_renders_are_byte_identical(tmp_path: Path) -> None:
    inner = _message(subject="Inner", attachments=[])
    path = write_msg(
        tmp_path / "same.msg",
        _message(attachments=[*_message().attachments, MsgAttachment("inner", embedded=inner)]),
    )
    first = render_pdf(identify(path, "same.msg"), workdir=tmp_path / "a")
    second = render_pdf(identify(path, "same.msg"), workdir=tmp_path / "b")
    assert first.pdf.read_bytes() == second.pdf.read_bytes()
    assert first.outline == second.outline


@pytest.mark.parametrize("keep", [100, 600, 3000])
def test_damaged_msg_is_refused_naming_it(tmp_path: Path, keep: int) -> None:
    path = write_msg(tmp_path / "cut.msg", _message())
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(BadInput) as caught:
        render_pdf(identify(path, "mail/cut.msg"), workdir=tmp_path / "w")
    message = str(caught.value)
    assert message.startswith("mail/cut.msg: ")
    assert "damaged" in message and "Outlook message" in message
    assert "\n" not in message
    assert "Outlook" in caught.value.hint


@pytest.mark.parametrize(
    ("message_class", "words"),
    [
        ("IPM.Note.SMIME", "is encrypted (S/MIME)"),
        ("IPM.Note.rpmsg.Microsoft.Voicemail.UM.CA", "is protected with rights management"),
    ],
)
def test_encrypted_msg_is_refused_clearly(tmp_path: Path, message_class: str, words: str) -> None:
    message = _message(
        message_class=message_class,
        body=None,
        attachments=[MsgAttachment("smime.p7m", b"0\x82\x01\x00not really cms")],
    )
    path = write_msg(tmp_path / "secret.msg", message)
    with pytest.raises(BadInput) as caught:
        render_pdf(identify(path, "mail/secret.msg"), workdir=tmp_path / "w")
    assert str(caught.value).startswith(f"mail/secret.msg: the Outlook message {words}")
    assert "print it to PDF" in caught.value.hint


def test_outlook_item_that_is_not_an_email_is_refused(tmp_path: Path) -> None:
    path = write_msg(tmp_path / "card.msg", _message(message_class="IPM.Contact"))
    with pytest.raises(
        BadInput, match=r"^mail/card\.msg: is an Outlook item that is not an e-mail"
    ):
        render_pdf(identify(path, "mail/card.msg"), workdir=tmp_path / "w")


def test_msg_and_eml_named_as_each_other_are_converted_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    msg_as_eml = write_msg(tmp_path / "a.eml", _message(attachments=[]))
    eml_as_msg = awkward.make_eml(tmp_path / "b.msg")
    with caplog.at_level(logging.WARNING):
        assert identify(msg_as_eml, "mail/a.eml").media_type == MSG
        assert identify(eml_as_msg, "mail/b.msg").media_type == EML
    assert "mail/a.eml: named .eml but its content is an Outlook e-mail message" in caplog.text
    assert "mail/b.msg: named .msg but its content is an e-mail message (.eml)" in caplog.text


def test_msg_rendition_records_the_extract_msg_version(tmp_path: Path) -> None:
    from importlib.metadata import version

    path = write_msg(tmp_path / "v.msg", _message(attachments=[]))
    rendition = render_pdf(identify(path, "v.msg"), workdir=tmp_path / "w")
    assert rendition.tool_versions == {"extract-msg": version("extract-msg")}


def test_signed_message_shows_its_text_and_attachments(tmp_path: Path) -> None:
    """Clear-signed S/MIME (IPM.Note.SMIME.MultipartSigned): readable, so included."""
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    signed = MIMEMultipart("signed", protocol="application/pkcs7-signature", micalg="sha-256")
    content = MIMEMultipart("mixed")
    content.attach(MIMEText("Signed visit notes for Zoë.", "plain", "utf-8"))
    plan = MIMEApplication(awkward.pdf_bytes(1, "Signed plan page"), "pdf")
    plan.add_header("Content-Disposition", "attachment", filename="plan.pdf")
    content.attach(plan)
    signed.attach(content)
    signature = MIMEApplication(bytes(range(256)) * 4, "pkcs7-signature")
    signature.add_header("Content-Disposition", "attachment", filename="smime.p7s")
    signed.attach(signature)
    message = _message(
        message_class="IPM.Note.SMIME.MultipartSigned",
        body=None,
        attachments=[MsgAttachment("smime.p7m", signed.as_bytes())],
    )
    pdf, outline = _render(write_msg(tmp_path / "signed.msg", message), tmp_path)
    assert outline == (("Attachment: plan.pdf", 1),)
    first = _flat(PdfReader(pdf).pages[0].extract_text())
    assert "Signed visit notes for Zoë." in first
    assert "smime.p7s (1,024 bytes) (the sender's digital signature; not included)" in first
    assert "Signed plan page 1" in PdfReader(pdf).pages[1].extract_text()


def test_recipients_from_the_display_lists_when_the_table_is_missing(tmp_path: Path) -> None:
    message = _message(recipient_table=False, attachments=[])
    pdf, _ = _render(write_msg(tmp_path / "d.msg", message), tmp_path)
    first = _flat(PdfReader(pdf).pages[0].extract_text())
    assert "To: HB Review" in first
    assert "Cc: Łukasz Nowak; Дмитрий" in first


def test_links_and_broken_attachments_are_listed_and_the_message_still_shown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    message = _message(
        attachments=[
            MsgAttachment(
                "Tenancy.docx", method=7, url="https://council.example.gov.uk/share/Tenancy.docx"
            ),
            MsgAttachment("lost.pdf", method=1),  # "by value" but its data stream is missing
            MsgAttachment("plan.pdf", awkward.pdf_bytes(1, "Plan page")),
        ]
    )
    with caplog.at_level(logging.WARNING):
        pdf, outline = _render(write_msg(tmp_path / "links.msg", message), tmp_path)
    first = _flat(PdfReader(pdf).pages[0].extract_text())
    assert "Please find the support plan attached." in first
    assert "Tenancy.docx (0 bytes) (not included: a link to a file stored online" in first
    assert "lost.pdf (0 bytes) (not included: the attachment is damaged" in first
    assert outline == (("Attachment: plan.pdf", 1),)
    assert "mail/links.msg: attachment lost.pdf not included (the attachment is damaged" in (
        caplog.text
    )
