"""Outlook .msg files -> the neutral ``MailMessage`` that mail.py renders.

Read with extract-msg (MS-OXMSG): From, To, Cc, Date, Subject; the body as
plain text, else the HTML body reduced to text, else the RTF body reduced to
text; and every attachment's name, size and bytes. An attached Outlook message
is handed on as a .msg file of its own (extract-msg writes it back out), so it
is converted recursively like any other attachment.

The Date is the one in the message's Internet headers when Outlook kept them,
otherwise the sent time stored in the file, shown in UTC (never the computer's
own time zone, so every machine prints the same).

Refused with one line naming the file: a damaged file, an Outlook item that is
not an e-mail (a contact, a task...), and a message whose body is encrypted
(S/MIME) or protected with rights management: only the recipient's Outlook
can open those.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
from typing import Any

from bundler.errors import BadInput, InputNotFound
from bundler.evidence.mail import (
    NO_TEXT,
    MailAttachment,
    MailMessage,
    html_to_text,
    ordered_headers,
)
from bundler.evidence.model import Evidence

logger = logging.getLogger(__name__)

_PROTECTED_HINT = (
    "Open it in Outlook (which can unlock it), print it to PDF, and list the PDF instead."
)
_NOT_MAIL_HINT = "Open it in Outlook, print it to PDF, and list the PDF instead."
# Message classes shown as e-mails: notes, delivery reports, meeting requests, posts.
_MAIL_CLASSES = ("ipm.note", "report.", "ipm.schedule.meeting", "ipm.post", "ipm.skypeteams")
# Windows code pages Outlook stores HTML bodies in (PR_INTERNET_CPID), by number.
_CODEPAGES = {65001: "utf-8", 20127: "ascii", 28591: "latin-1", 1200: "utf-16-le"}


def read_msg(evidence: Evidence) -> MailMessage:
    """The message in ``evidence`` (an Outlook .msg file)."""
    try:
        import extract_msg
        from extract_msg.msg_classes.message_base import MessageBase
    except ImportError as exc:  # pragma: no cover - depends on the installation
        from bundler.errors import MissingTool

        raise MissingTool(
            f"{evidence.source}: extract-msg is not installed (needed for Outlook messages)",
            "Reinstall supported-housing-bundler with its dependencies, or save the e-mail "
            "from Outlook as PDF.",
        ) from exc
    if not evidence.path.exists():
        raise InputNotFound.for_path(evidence.source)
    try:
        from extract_msg.enums import ErrorBehavior

        # A damaged or unusual attachment becomes a "broken" one (listed, not
        # included) instead of making the whole message unreadable.
        tolerant = ErrorBehavior.ATTACH_SUPPRESS_ALL | ErrorBehavior.STANDARDS_VIOLATION
        msg = extract_msg.openMsg(str(evidence.path), delayAttachments=True, errorBehavior=tolerant)
    except Exception as exc:  # extract-msg and olefile raise many kinds on damaged files
        raise _damaged(evidence, exc) from exc
    try:
        kind = str(msg.classType or "").lower()
        if kind.endswith(".smime") or (".smime." in kind and "multipartsigned" not in kind):
            raise BadInput(
                f"{evidence.source}: the Outlook message is encrypted (S/MIME) and cannot be read "
                "here",
                _PROTECTED_HINT,
            )
        if "rpmsg" in kind:
            raise BadInput(
                f"{evidence.source}: the Outlook message is protected with rights management "
                "and cannot be read here",
                _PROTECTED_HINT,
            )
        if not isinstance(msg, MessageBase) or not kind.startswith(_MAIL_CLASSES):
            raise BadInput(
                f"{evidence.source}: is an Outlook item that is not an e-mail "
                f"({_safe_class(kind)})",
                _NOT_MAIL_HINT,
            )
        return _read(msg, evidence)
    except BadInput:
        raise
    except Exception as exc:
        raise _damaged(evidence, exc) from exc
    finally:
        msg.close()


def reader_versions() -> dict[str, str]:
    """The version of extract-msg (recorded in the manifest: it shapes what is printed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return {"extract-msg": version("extract-msg")}
    except PackageNotFoundError:  # pragma: no cover - depends on the installation
        return {}


def _damaged(evidence: Evidence, exc: BaseException) -> BadInput:
    return BadInput(
        f"{evidence.source}: the Outlook message is damaged and cannot be read "
        f"({type(exc).__name__})",
        "Ask the sender for the e-mail again, or open it in Outlook, print it to PDF and list "
        "the PDF instead.",
    )


def _safe_class(kind: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", kind)[:40] or "unknown kind"


def _read(msg: Any, evidence: Evidence) -> MailMessage:
    html = _html_body(msg, evidence)
    values = {
        "From": _text(msg.sender),
        "To": _text(msg.to) or _stream_text(msg, "0E04"),  # else the display list
        "Cc": _text(msg.cc) or _stream_text(msg, "0E03"),
        "Date": _date(msg),
        "Subject": _text(msg.subject),
    }
    body = _body(msg, html, evidence)
    attachments: list[MailAttachment] = []
    for number, attachment in enumerate(msg.attachments, start=1):
        attachments.append(_attachment(attachment, number, html))
    return MailMessage(
        headers=ordered_headers(values), body=body or NO_TEXT, attachments=attachments
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _stream_text(msg: Any, prop: str) -> str:
    """A string property by its id (PR_DISPLAY_TO is 0E04, PR_DISPLAY_CC 0E03)."""
    try:
        return _text(msg.getStringStream(f"__substg1.0_{prop}"))
    except Exception:  # an unreadable stream: shown as "(none)"
        return ""


def _date(msg: Any) -> str:
    if msg.headerInit and msg.headerText:
        value = msg.header.get("date")
        if isinstance(value, str) and value.strip():
            return value
    when = msg.date
    if not isinstance(when, dt.datetime) or when.year >= 4500:  # 4500: Outlook's "no date"
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return email.utils.format_datetime(when.astimezone(dt.UTC))


# ----------------------------------------------------------------- bodies


def _body(msg: Any, html: str | None, evidence: Evidence) -> str:
    plain = msg.getStringStream("__substg1.0_1000")
    if plain is None:
        plain = getattr(msg, "signedBody", None)
    if isinstance(plain, bytes):
        plain = plain.decode("utf-8", "replace")
    if isinstance(plain, str) and plain.strip():
        return plain.replace("\r\n", "\n").strip("\n")
    if html is not None and html.strip():
        return html_to_text(html)
    return _rtf_body(msg, evidence)


def _html_body(msg: Any, evidence: Evidence) -> str | None:
    """The HTML body as stored (not generated from other bodies), decoded."""
    data = msg.getStream("__substg1.0_10130102")
    if data is None:
        data = getattr(msg, "signedHtmlBody", None)
    if not isinstance(data, bytes) or not data:
        return None
    codepage = msg.getPropertyVal("3FDE0003")
    for encoding in (_codec(codepage), _meta_charset(data), "utf-8"):
        if encoding is None:
            continue
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    logger.warning(
        "%s: the e-mail's text uses a character set that cannot be read; "
        "shown with replacement marks",
        evidence.source,
    )
    return data.decode("utf-8", "replace")


def _codec(codepage: object) -> str | None:
    if not isinstance(codepage, int) or codepage <= 0:
        return None
    return _CODEPAGES.get(codepage, f"cp{codepage}")


def _meta_charset(data: bytes) -> str | None:
    found = re.search(rb"""charset=["']?([A-Za-z0-9_.:-]{1,40})""", data[:4096])
    return found.group(1).decode("ascii") if found else None


def _rtf_body(msg: Any, evidence: Evidence) -> str:
    """Text of the RTF body, the only body some Outlook messages have."""
    try:
        rtf = msg.rtfBody
    except Exception:  # a damaged compressed-RTF stream: there is no text to show
        rtf = None
    if not isinstance(rtf, bytes) or not rtf:
        return ""
    from extract_msg.enums import DeencapType

    for kind in (DeencapType.HTML, DeencapType.PLAIN):
        try:
            inner = msg.deencapsulateBody(rtf, kind)
        except Exception:  # RTFDE raises its own kinds on RTF it does not expect
            inner = None
        if isinstance(inner, bytes):
            inner = inner.decode("utf-8", "replace")
        if isinstance(inner, str) and inner.strip():
            return html_to_text(inner) if kind == DeencapType.HTML else inner.strip("\n")
    return rtf_to_text(rtf)


_RTF_TOKEN = re.compile(
    rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z'])|([{}])|([^\\{}\r\n]+)|[\r\n]+"
)
# Groups that hold no body text (fonts, colours, styles, pictures, document information).
_RTF_SKIP = frozenset(
    {
        "fonttbl",
        "colortbl",
        "stylesheet",
        "info",
        "pict",
        "object",
        "header",
        "footer",
        "headerl",
        "headerr",
        "footerl",
        "footerr",
        "listtable",
        "listoverridetable",
        "rsidtbl",
        "generator",
        "xmlnstbl",
        "themedata",
        "colorschememapping",
        "datastore",
        "latentstyles",
        "filetbl",
        "revtbl",
    }
)
_RTF_CHARS = {
    "par": "\n",
    "line": "\n",
    "sect": "\n",
    "page": "\n",
    "row": "\n",
    "cell": "  ",
    "tab": "\t",
    "emdash": "\u2014",
    "endash": "\u2013",
    "bullet": "\u2022",
    "lquote": "\u2018",
    "rquote": "\u2019",
    "ldblquote": "\u201c",
    "rdblquote": "\u201d",
    "emspace": " ",
    "enspace": " ",
}


def rtf_to_text(data: bytes) -> str:
    """Readable text from an RTF document: control words dropped, special characters kept."""
    codec = "cp1252"
    found = re.search(rb"\\ansicpg(\d+)", data[:2048])
    if found:
        candidate = _codec(int(found.group(1)))
        if candidate:
            try:
                "".encode(candidate)
                codec = candidate
            except LookupError:
                pass
    out: list[str] = []
    stack: list[tuple[bool, int]] = []
    skipping, uc = False, 1
    pending = 0  # fallback characters still to skip after a \uN
    starred = False
    for match in _RTF_TOKEN.finditer(data):
        word, number, hexbyte, symbol, brace, text = match.groups()
        if brace == b"{":
            stack.append((skipping, uc))
            starred = True  # only the very next token can be \*
            continue
        if brace == b"}":
            skipping, uc = stack.pop() if stack else (False, 1)
            pending, starred = 0, False
            continue
        at_group_start, starred = starred, False
        if symbol is not None:
            if symbol == b"*" and at_group_start:
                skipping = True
            elif not skipping and symbol in {b"\\", b"{", b"}"}:
                out.append(symbol.decode("ascii"))
            elif not skipping and symbol == b"~":
                out.append("\u00a0")
            elif not skipping and symbol in {b"\n", b"\r"}:
                out.append("\n")
            continue
        if word is not None:
            name = word.decode("ascii")
            if name in _RTF_SKIP:
                skipping = True
            elif name == "uc" and number is not None:
                uc = max(0, int(number))
            elif name == "u" and number is not None:
                if not skipping:
                    value = int(number)
                    out.append(chr(value + 65536 if value < 0 else value))
                pending = uc
            elif not skipping and name in _RTF_CHARS:
                out.append(_RTF_CHARS[name])
            continue
        if hexbyte is not None:
            if pending:
                pending -= 1
            elif not skipping:
                out.append(bytes([int(hexbyte, 16)]).decode(codec, "replace"))
            continue
        if text is not None and not skipping:
            chunk = text.decode(codec, "replace")
            if pending:
                skip = min(pending, len(chunk))
                chunk, pending = chunk[skip:], pending - skip
            out.append(chunk)
    lines = [line.rstrip() for line in "".join(out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


# ------------------------------------------------------------- attachments


def _attachment(attachment: Any, number: int, html: str | None) -> MailAttachment:
    from extract_msg.enums import AttachmentType

    note = ""
    kind = getattr(attachment, "type", None)
    try:
        data = attachment.data
    except Exception:  # links (web attachments) and broken ones have no data
        data = None
    name = _attachment_name(attachment, number)
    if kind == AttachmentType.SIGNED_EMBEDDED:
        # A message inside a signed message: extract-msg has its MIME text, an .eml.
        raw = getattr(attachment, "asBytes", None)
        payload = raw if isinstance(raw, bytes) else b""
        name = name or "attached message"
        if not name.lower().endswith(".eml"):
            name += ".eml"
    elif kind == AttachmentType.MSG or (data is not None and not isinstance(data, bytes)):
        try:
            payload = bytes(data.exportBytes())
        except Exception:  # a damaged embedded message: listed, not included
            payload = b""
            note = "not included: the attached message is damaged"
        subject = _text(getattr(data, "subject", None))
        if not name:
            name = f"{subject or 'attached message'}.msg"
        elif not name.lower().endswith(".msg"):
            name += ".msg"
    else:
        payload = data if isinstance(data, bytes) else b""
        if kind == AttachmentType.WEB:
            note = "not included: a link to a file stored online, not the file itself"
        elif kind in {AttachmentType.BROKEN, AttachmentType.UNSUPPORTED} and not payload:
            note = "not included: the attachment is damaged or of an unknown kind"
    if not name:
        name = f"attachment {number}"
    cid = _text(getattr(attachment, "cid", None)).strip("<>")
    inline = bool(cid) and (
        bool(getattr(attachment, "hidden", False)) or f"cid:{cid}" in (html or "")
    )
    return MailAttachment(
        number=number, name=name, size=len(payload), payload=payload, inline=inline, note=note
    )


def _attachment_name(attachment: Any, number: int) -> str:
    for attribute in ("longFilename", "name", "shortFilename", "displayName"):
        try:
            value = getattr(attachment, attribute, None)
        except Exception:
            value = None
        if isinstance(value, str) and value.strip():
            return " ".join(value.replace("/", "_").replace("\\", "_").split())
    return ""
