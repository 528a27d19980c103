"""E-mail messages (.eml and Outlook .msg) -> the message's pages, then each attachment's pages.

Both formats are read into one neutral structure (``MailMessage``: headers,
body text, attachments with their bytes) that one renderer turns into pages:
``.eml`` files here, with the standard library's parser; Outlook ``.msg``
files in ``outlook.py``, with extract-msg.

The message is printed with its From, To, Cc, Date and Subject, a list of
every attachment (name and size in bytes) and its text (the plain-text part,
or the HTML part reduced to text when there is no plain one). Each attachment
of a supported type is then converted by the same functions as any other
evidence and appended, with a bookmark "Attachment: NAME" (attached e-mails of
either format recursively). Attachments that cannot be included are listed
with the reason, and a warning names them.

Broken messages are shown as well as they can be: unknown character sets are
decoded as UTF-8 with replacement marks (a warning says so), malformed headers
as their raw text.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import hashlib
import html
import io
import logging
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from html.parser import HTMLParser
from pathlib import Path

from pypdf import PdfWriter

from bundler.errors import BadInput, ConversionFailed, InputNotFound, PasswordRequired
from bundler.evidence.layout import TextFlow, new_canvas
from bundler.evidence.model import MAIL_TYPES, MSG, Evidence, Rendition
from bundler.evidence.pdfopen import check_pdf, pypdf_messages
from bundler.evidence.text import warn_uncovered
from bundler.fileio import write_bytes_atomic

logger = logging.getLogger(__name__)

MAX_DEPTH = 4  # forwarded messages inside forwarded messages...
_HEADERS = (
    ("From", "From:"),
    ("To", "To:"),
    ("Cc", "Cc:"),
    ("Date", "Date:"),
    ("Subject", "Subject:"),
)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class MailAttachment:
    """One attachment, as the renderer needs it (format-neutral)."""

    number: int
    name: str
    size: int
    payload: bytes
    inline: bool
    note: str = ""
    rendition: Rendition | None = None
    pages: int = 0


@dataclass
class MailMessage:
    """One e-mail, format-neutral: what the renderer prints, in order."""

    headers: list[tuple[str, str]]  # (label, value) for From, To, Cc, Date, Subject
    body: str
    attachments: list[MailAttachment] = field(default_factory=list)


NO_TEXT = "(This message has no text.)"


def ordered_headers(values: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) for From, To, Cc, Date, Subject, from values keyed by header name."""
    return [(label, " ".join(values.get(name, "").split())) for name, label in _HEADERS]


def render_email(evidence: Evidence, workdir: Path, caption: str = "", depth: int = 0) -> Rendition:
    """Convert a .eml or .msg file; see the module docstring."""
    if evidence.media_type == MSG:
        from bundler.evidence.outlook import read_msg

        parsed = read_msg(evidence)
    else:
        parsed = _read_eml(evidence)
    folder = workdir / f"{evidence.sha256[:20]}-email"
    folder.mkdir(parents=True, exist_ok=True)
    _convert_attachments(parsed, evidence, folder, depth)

    message_pdf = folder / "message.pdf"
    message_pages = _write_message_pdf(message_pdf, parsed, evidence)

    writer = PdfWriter()
    outline: list[tuple[str, int]] = []
    tool_versions: dict[str, str] = {}
    if evidence.media_type == MSG:
        from bundler.evidence.outlook import reader_versions

        tool_versions.update(reader_versions())
    with pypdf_messages():
        writer.append(str(message_pdf), import_outline=False)
        page = message_pages
        for attachment in parsed.attachments:
            rendition = attachment.rendition
            if rendition is None:
                continue
            reader = check_pdf(
                rendition.pdf, source=evidence.source, password=rendition.password
            ).reader
            outline.append((f"Attachment: {attachment.name}", page))
            outline.extend((title, page + index) for title, index in rendition.outline)
            writer.append(reader, import_outline=False)
            tool_versions.update(rendition.tool_versions)
            page += len(reader.pages)
        writer.add_metadata({"/Producer": "supported-housing-bundler (pypdf)"})
        out = workdir / f"{evidence.sha256[:20]}-email.pdf"
        buffer = io.BytesIO()
        writer.write(buffer)
    write_bytes_atomic(out, buffer.getvalue())
    return Rendition(
        pdf=out,
        password=None,
        outline=tuple(outline),
        converter="email",
        tool_versions=tool_versions,
    )


def _read_eml(evidence: Evidence) -> MailMessage:
    try:
        message = email.message_from_bytes(evidence.path.read_bytes(), policy=email.policy.default)
    except FileNotFoundError:
        raise InputNotFound.for_path(evidence.source) from None
    except Exception as exc:  # the parser is lenient; anything raised here is a broken file
        raise BadInput(
            f"{evidence.source}: the e-mail cannot be read ({type(exc).__name__})"
        ) from exc
    try:
        return _parse(message, evidence.source)
    except Exception as exc:  # a message broken in a way the lenient parser did not expect
        raise BadInput(
            f"{evidence.source}: the e-mail cannot be read ({type(exc).__name__})"
        ) from exc


# ------------------------------------------------------------------ parsing


def _parse(message: EmailMessage, source: str) -> MailMessage:
    headers = [(label, _header(message, name)) for name, label in _HEADERS]
    body_part = _body_part(message)
    skip = _body_alternatives(message, body_part)
    body = NO_TEXT
    if body_part is not None:
        text = _text_of(body_part, source)
        if body_part.get_content_subtype() == "html":
            text = html_to_text(text)
        body = text.strip("\n") or NO_TEXT
    attachments: list[MailAttachment] = []
    for number, (part, inline) in enumerate(_attachment_parts(message, skip), start=1):
        payload = _payload_bytes(part)
        attachments.append(
            MailAttachment(
                number=number,
                name=_attachment_name(part, number),
                size=len(payload),
                payload=payload,
                inline=inline,
            )
        )
    return MailMessage(headers=headers, body=body, attachments=attachments)


def _header(message: Message, name: str) -> str:
    values: list[str] = []
    for key, raw in message.raw_items() if isinstance(message, EmailMessage) else message.items():
        if key.lower() != name.lower():
            continue
        try:
            value = str(message.policy.header_fetch_parse(key, raw))
        except Exception:
            value = _decode_raw_header(str(raw))
        values.append(" ".join(value.split()))
    return "; ".join(values)


def _decode_raw_header(raw: str) -> str:
    try:
        pieces = email.header.decode_header(raw)
    except Exception:
        return raw
    out: list[str] = []
    for chunk, charset in pieces:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(_decode_bytes(chunk, charset or "utf-8")[0])
    return "".join(out)


def _body_part(message: EmailMessage) -> Message | None:
    try:
        return message.get_body(preferencelist=("plain",)) or message.get_body(
            preferencelist=("html",)
        )
    except Exception:
        return None


def _body_alternatives(message: EmailMessage, body: Message | None) -> set[int]:
    """ids of the body part and its text siblings in the same multipart/alternative."""
    if body is None:
        return set()
    skip = {id(body)}
    for part in _walk(message):
        if part.get_content_type() == "multipart/alternative":
            children = list(part.iter_parts()) if isinstance(part, EmailMessage) else []
            if any(_contains(child, body) for child in children):
                for child in children:
                    for leaf in _walk(child):
                        if leaf.get_content_maintype() == "text" and not leaf.get_filename():
                            skip.add(id(leaf))
    return skip


def _contains(part: Message, target: Message) -> bool:
    return any(leaf is target for leaf in _walk(part))


def _walk(part: Message) -> list[Message]:
    """Every part, without descending into attached messages (those are attachments)."""
    found = [part]
    if part.get_content_type() != "message/rfc822" and part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    found.extend(_walk(sub))
    return found


def _attachment_parts(message: EmailMessage, skip: set[int]) -> list[tuple[Message, bool]]:
    parts: list[tuple[Message, bool]] = []
    parents: dict[int, Message] = {}
    for part in _walk(message):
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list) and part.get_content_type() != "message/rfc822":
            for sub in payload:
                parents[id(sub)] = part
    for part in _walk(message):
        if part is message and part.is_multipart():
            continue
        if part.get_content_type() != "message/rfc822" and part.is_multipart():
            continue
        if id(part) in skip:
            continue  # the text shown as the message body
        disposition = (part.get_content_disposition() or "").lower()
        parent = parents.get(id(part))
        inline = (
            disposition != "attachment"
            and part.get("Content-ID") is not None
            and parent is not None
            and parent.get_content_type() == "multipart/related"
        )
        parts.append((part, inline))
    return parts


def _payload_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            try:
                return bytes(inner[0].as_bytes(policy=email.policy.default))
            except Exception:
                return bytes(str(inner[0]).encode("utf-8", "replace"))
        return b""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "replace") if isinstance(raw, str) else b""


def _attachment_name(part: Message, number: int) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        name = " ".join(str(name).replace("/", "_").replace("\\", "_").split())
    if not name and part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        subject = (
            _header(inner[0], "Subject")
            if isinstance(inner, list) and inner and isinstance(inner[0], Message)
            else ""
        )
        name = f"{subject or 'forwarded message'}.eml"
    return name or f"attachment {number} ({part.get_content_type()})"


def _text_of(part: Message, source: str) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "utf-8"
    text, known = _decode_bytes(payload, charset)
    if not known:
        logger.warning(
            "%s: the e-mail's text uses a character set that cannot be read (%s); "
            "shown with replacement marks",
            source,
            charset[:40],
        )
    return text


def _decode_bytes(data: bytes, charset: str) -> tuple[str, bool]:
    """Decode with the declared charset; (text, whether it decoded cleanly)."""
    try:
        return data.decode(charset), True
    except LookupError:
        pass
    except UnicodeDecodeError:
        return data.decode(charset, "replace"), False
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), False


class _TextFromHTML(HTMLParser):
    _BLOCKS = frozenset(
        {
            "p",
            "div",
            "br",
            "tr",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "table",
            "blockquote",
            "hr",
            "pre",
        }
    )
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.out.append("\n")
        if tag == "li":
            self.out.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS or tag in {"td", "th"}:
            self.out.append("\n" if tag in self._BLOCKS else "  ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Readable text from an HTML e-mail body (no scripts, styles or tags)."""
    parser = _TextFromHTML()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:
        return html.unescape(re.sub(r"<[^>]+>", " ", markup))
    lines = [" ".join(line.split()) for line in "".join(parser.out).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# ------------------------------------------------------------- attachments


def _convert_attachments(parsed: MailMessage, evidence: Evidence, folder: Path, depth: int) -> None:
    from bundler.evidence.render import render_pdf
    from bundler.evidence.sniff import identify

    for attachment in parsed.attachments:
        if attachment.note:  # the reader already knows it cannot be included
            logger.warning(
                "%s: attachment %s not included (%s)",
                evidence.source,
                attachment.name,
                attachment.note.removeprefix("not included: "),
            )
            continue
        if attachment.inline:
            attachment.note = "shown inside the message; not included separately"
            continue
        if attachment.size == 0:
            attachment.note = "not included: empty"
            continue
        if attachment.name.lower().endswith((".p7s", ".p7c")):
            # The sender's S/MIME signature: data for mail programs, nothing to print.
            attachment.note = "the sender's digital signature; not included"
            continue
        label = f"{evidence.source} (attachment {attachment.name})"
        path = folder / f"att{attachment.number:02d}-{_safe_filename(attachment.name)}"
        path.write_bytes(attachment.payload)
        try:
            child = identify(path, label)
            if child.media_type in MAIL_TYPES and depth >= MAX_DEPTH:
                attachment.note = "not included: messages nested too deeply"
                continue
            if child.media_type in MAIL_TYPES:
                attachment.rendition = render_email(child, folder, depth=depth + 1)
            else:
                attachment.rendition = render_pdf(child, workdir=folder)
        except (BadInput, PasswordRequired, ConversionFailed) as exc:
            unsupported = isinstance(exc, BadInput) and "cannot be used as evidence" in str(exc)
            attachment.note = (
                "not included: type not supported"
                if unsupported
                else "not included: " + _reason(exc)
            )
            logger.warning(
                "%s: attachment %s not included (%s)",
                evidence.source,
                attachment.name,
                attachment.note.removeprefix("not included: "),
            )
            continue
        with pypdf_messages():
            reader = check_pdf(
                attachment.rendition.pdf, source=label, password=attachment.rendition.password
            ).reader
            attachment.pages = len(reader.pages)


def _reason(exc: Exception) -> str:
    if isinstance(exc, PasswordRequired):
        return "locked with a password"
    if isinstance(exc, ConversionFailed):
        return "could not be converted"
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else "damaged"


def _safe_filename(name: str) -> str:
    """A short ASCII file name keeping the extension (identify checks it against content)."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    digest = hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:8]
    safe_suffix = _SAFE_NAME.sub("", suffix)[:10].lower()
    safe_stem = _SAFE_NAME.sub("_", stem)[:40].strip("_") or "attachment"
    return f"{safe_stem}-{digest}" + (f".{safe_suffix}" if safe_suffix else "")


# ------------------------------------------------------------------ drawing


def _write_message_pdf(path: Path, parsed: MailMessage, evidence: Evidence) -> int:
    buffer = io.BytesIO()
    flow = TextFlow(new_canvas(buffer))
    flow.paragraph("E-mail message", bold=True, size=13)
    flow.paragraph(f"File: {Path(evidence.source).name}", size=8)
    flow.space(4)
    for label, value in parsed.headers:
        flow.field(label, value or "(none)")
    flow.space(4)
    count = len(parsed.attachments)
    flow.paragraph(f"Attachments ({count}):" if count else "Attachments: none", bold=True)
    for attachment in parsed.attachments:
        line = f"{attachment.number}. {attachment.name} ({attachment.size:,} bytes)"
        if attachment.note:
            line += f" ({attachment.note})"
        elif attachment.rendition is not None:
            pages = attachment.pages
            line += f" (included after the message: {pages} page{'s' if pages != 1 else ''})"
        flow.paragraph(line)
    flow.space(4)
    flow.rule()
    flow.space(4)
    flow.long_text(parsed.body, source=evidence.source, what="the message's text")
    pages = flow.finish()
    flow.canvas.save()
    warn_uncovered(evidence.source, flow.missing)
    write_bytes_atomic(path, buffer.getvalue())
    return pages
