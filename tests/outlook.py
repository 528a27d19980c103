"""A small writer of Outlook .msg files, for tests (all content fictional).

extract-msg only reads .msg files, but it ships an OLE compound-file writer
(``extract_msg.ole_writer.OleWriter``, which it uses to export embedded
messages); this module lays out the MS-OXMSG streams and storages on top of it:
a property stream per object (fixed-size values inline, variable-size ones in
``__substg1.0_TTTTTTTT`` streams), one storage per recipient and attachment,
and embedded messages as ``__substg1.0_3701000D`` storages.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass, field
from pathlib import Path

from extract_msg.ole_writer import OleWriter

PT_LONG = 0x0003
PT_BOOLEAN = 0x000B
PT_OBJECT = 0x000D
PT_UNICODE = 0x001F
PT_SYSTIME = 0x0040
PT_BINARY = 0x0102

_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)


@dataclass
class MsgAttachment:
    name: str
    data: bytes = b""
    embedded: MsgMessage | None = None
    content_id: str = ""
    hidden: bool = False
    method: int = 0  # PR_ATTACH_METHOD if not the usual one; no data stream is written then
    url: str = ""  # PR_ATTACH_LONG_PATHNAME, for links (method 7)


@dataclass
class MsgMessage:
    subject: str = ""
    sender_name: str = ""
    sender_email: str = ""
    to: list[tuple[str, str]] = field(default_factory=list)  # (display name, address)
    cc: list[tuple[str, str]] = field(default_factory=list)
    sent: dt.datetime | None = None
    body: str | None = None
    html: bytes | None = None
    html_codepage: int | None = None
    rtf: bytes | None = None  # uncompressed RTF, stored "uncompressed" in PR_RTF_COMPRESSED
    message_class: str = "IPM.Note"
    headers: str | None = None  # PR_TRANSPORT_MESSAGE_HEADERS
    recipient_table: bool = True  # False: only the PR_DISPLAY_TO/CC name lists
    attachments: list[MsgAttachment] = field(default_factory=list)


def _filetime(when: dt.datetime) -> int:
    return int((when - _FILETIME_EPOCH).total_seconds() * 10_000_000)


def _compressed_rtf_uncompressed(rtf: bytes) -> bytes:
    """PR_RTF_COMPRESSED in its 'uncompressed' form (MS-OXRTFCP 2.1.3.1, magic MELA)."""
    size = len(rtf) + 12
    return struct.pack("<IIII", size, len(rtf), 0x414C454D, 0) + rtf


class _Props:
    def __init__(self) -> None:
        self.fixed: list[tuple[int, int, bytes]] = []  # (tag, flags, 8-byte value)
        self.streams: dict[str, bytes] = {}

    def long(self, prop: int, value: int) -> None:
        self.fixed.append(((prop << 16) | PT_LONG, 6, struct.pack("<Ixxxx", value)))

    def boolean(self, prop: int, value: bool) -> None:
        self.fixed.append(((prop << 16) | PT_BOOLEAN, 6, struct.pack("<Hxxxxxx", int(value))))

    def time(self, prop: int, when: dt.datetime) -> None:
        self.fixed.append(((prop << 16) | PT_SYSTIME, 6, struct.pack("<Q", _filetime(when))))

    def text(self, prop: int, value: str) -> None:
        data = value.encode("utf-16-le")
        self._variable(prop, PT_UNICODE, data, len(data) + 2)

    def binary(self, prop: int, value: bytes) -> None:
        self._variable(prop, PT_BINARY, value, len(value))

    def _variable(self, prop: int, kind: int, data: bytes, size: int) -> None:
        tag = (prop << 16) | kind
        self.fixed.append((tag, 6, struct.pack("<II", size, 0)))
        self.streams[f"__substg1.0_{tag:08X}"] = data

    def stream(self, header: bytes) -> bytes:
        return header + b"".join(
            struct.pack("<II", tag, flags) + value for tag, flags, value in self.fixed
        )


def _write_message(writer: OleWriter, prefix: list[str], message: MsgMessage, *, top: bool) -> None:
    props = _Props()
    props.text(0x001A, message.message_class)
    props.long(0x340D, 0x00040000)  # store supports Unicode
    props.long(0x0E07, 1)  # read, not "unsent": it has been sent
    if message.subject:
        props.text(0x0037, message.subject)
    if message.sender_name:
        props.text(0x0C1A, message.sender_name)
    if message.sender_email:
        props.text(0x5D01, message.sender_email)
        props.text(0x0C1F, message.sender_email)
    if message.sent is not None:
        props.time(0x0039, message.sent)
        props.time(0x0E06, message.sent)
    if message.body is not None:
        props.text(0x1000, message.body)
    if message.html is not None:
        props.binary(0x1013, message.html)
    if message.html_codepage is not None:
        props.long(0x3FDE, message.html_codepage)
    if message.rtf is not None:
        props.binary(0x1009, _compressed_rtf_uncompressed(message.rtf))
    if message.headers is not None:
        props.text(0x007D, message.headers)
    if message.to:
        props.text(0x0E04, "; ".join(name for name, _ in message.to))
    if message.cc:
        props.text(0x0E03, "; ".join(name for name, _ in message.cc))
    recipients = [(1, r) for r in message.to] + [(2, r) for r in message.cc]
    if not message.recipient_table:
        recipients = []
    counts = struct.pack(
        "<IIII",
        len(recipients),
        len(message.attachments),
        len(recipients),
        len(message.attachments),
    )
    header = b"\0" * 8 + counts + (b"\0" * 8 if top else b"")
    for name, data in props.streams.items():
        writer.addEntry([*prefix, name], data)
    writer.addEntry([*prefix, "__properties_version1.0"], props.stream(header))
    if top:
        for stream in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
            writer.addEntry(["__nameid_version1.0", stream], b"")
    for number, (kind, (display, address)) in enumerate(recipients):
        folder = [*prefix, f"__recip_version1.0_#{number:08X}"]
        rprops = _Props()
        rprops.long(0x0C15, kind)
        rprops.long(0x3000, number)
        rprops.text(0x3001, display)
        rprops.text(0x3003, address)
        rprops.text(0x39FE, address)
        rprops.text(0x3002, "SMTP")
        writer.addEntry(folder, storage=True)
        for name, data in rprops.streams.items():
            writer.addEntry([*folder, name], data)
        writer.addEntry([*folder, "__properties_version1.0"], rprops.stream(b"\0" * 8))
    for number, attachment in enumerate(message.attachments):
        folder = [*prefix, f"__attach_version1.0_#{number:08X}"]
        aprops = _Props()
        aprops.long(0x0E21, number)
        aprops.long(0x370B, 0xFFFFFFFF)
        aprops.text(0x3707, attachment.name)
        aprops.text(0x3704, attachment.name[:12])
        aprops.text(0x3001, attachment.name)
        if attachment.content_id:
            aprops.text(0x3712, attachment.content_id)
        if attachment.hidden:
            aprops.boolean(0x7FFE, True)
        writer.addEntry(folder, storage=True)
        if attachment.embedded is not None:
            aprops.long(0x3705, 5)  # ATTACH_EMBEDDED_MSG
            aprops.fixed.append(((0x3701 << 16) | PT_OBJECT, 6, struct.pack("<II", 0xFFFFFFFF, 0)))
            inner = [*folder, "__substg1.0_3701000D"]
            writer.addEntry(inner, storage=True)
            _write_message(writer, inner, attachment.embedded, top=False)
        elif attachment.method:
            aprops.long(0x3705, attachment.method)
            if attachment.url:
                aprops.text(0x3708, attachment.url)
        else:
            aprops.long(0x3705, 1)  # ATTACH_BY_VALUE
            aprops.binary(0x3701, attachment.data)
        for name, data in aprops.streams.items():
            writer.addEntry([*folder, name], data)
        writer.addEntry([*folder, "__properties_version1.0"], aprops.stream(b"\0" * 8))


def msg_bytes(message: MsgMessage) -> bytes:
    """The bytes of an Outlook .msg file holding ``message``."""
    writer = OleWriter()
    _write_message(writer, [], message, top=True)
    import io

    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def write_msg(path: Path, message: MsgMessage) -> Path:
    path.write_bytes(msg_bytes(message))
    return path
