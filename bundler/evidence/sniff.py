"""Identify an evidence file from its content, not its name.

python-magic (libmagic) does the first pass. Office files are ZIP containers
that libmagic often reports as plain ``application/zip`` (LibreOffice and some
phone apps write them that way), so the container's ``[Content_Types].xml``
(OOXML) or ``mimetype`` member (OpenDocument) settles what they really are.
The file's extension must then agree with its content: a ``.pdf`` that is
really a JPEG is refused, naming what it really is. Within one family the
content wins with a warning instead (an RTF saved as ``.doc``, a PNG
screenshot saved as ``.jpg``): the conversion is the same either way.

Text must be UTF-8 (a byte-order mark is accepted), or UTF-16 with its
byte-order mark (Notepad's "Unicode"). Text in a legacy Windows
code page (Notepad's old "ANSI", usually Windows-1252) is refused rather than
guessed at: the same bytes mean different letters in Windows-1250 (Polish,
Czech) and Windows-1251 (Russian), and a bundle must not misspell a resident's
name. The hint tells the officer how to re-save the note as UTF-8.
"""

from __future__ import annotations

import email.parser
import email.policy
import logging
import os
import stat
import zipfile
from pathlib import Path

from bundler.errors import BadInput, InputNotFound, MissingTool
from bundler.evidence.model import (
    DOC,
    DOCX,
    EML,
    GIF,
    HEIC,
    HEIF,
    IMAGE_TYPES,
    JPEG,
    MAIL_TYPES,
    MSG,
    ODT,
    OFFICE_TYPES,
    PDF,
    PNG,
    RTF,
    SUPPORTED_MEDIA_TYPES,
    TEXT,
    TIFF,
    WEBP,
    Evidence,
)
from bundler.fileio import sha256_file

logger = logging.getLogger(__name__)

SUPPORTED_HINT = (
    "Supported evidence is PDF, JPEG/PNG/TIFF/HEIC/WebP/GIF pictures, "
    "Word (.docx, .doc, .odt, .rtf), e-mail (.eml, Outlook .msg) and UTF-8 text; "
    "save or print the document as PDF and list the PDF instead."
)

# What each extension promises about the content.
_EXTENSION_TYPES: dict[str, frozenset[str]] = {
    ".pdf": frozenset({PDF}),
    ".jpg": frozenset({JPEG}),
    ".jpeg": frozenset({JPEG}),
    ".jpe": frozenset({JPEG}),
    ".png": frozenset({PNG}),
    ".tif": frozenset({TIFF}),
    ".tiff": frozenset({TIFF}),
    ".heic": frozenset({HEIC, HEIF}),
    ".heif": frozenset({HEIC, HEIF}),
    ".webp": frozenset({WEBP}),
    ".gif": frozenset({GIF}),
    ".docx": frozenset({DOCX}),
    ".doc": frozenset({DOC}),
    ".odt": frozenset({ODT}),
    ".rtf": frozenset({RTF}),
    ".eml": frozenset({EML}),
    ".msg": frozenset({MSG}),
    ".txt": frozenset({TEXT}),
}

# Friendly names, used to say what a file really is.
_DESCRIPTIONS: dict[str, str] = {
    PDF: "a PDF document",
    JPEG: "a JPEG picture",
    PNG: "a PNG picture",
    TIFF: "a TIFF picture",
    DOCX: "a Word document (.docx)",
    DOC: "an old-style Word document (.doc)",
    ODT: "an OpenDocument text document (.odt)",
    RTF: "a rich text document (.rtf)",
    EML: "an e-mail message (.eml)",
    MSG: "an Outlook e-mail message (.msg)",
    TEXT: "plain text",
    "application/zip": "a ZIP archive",
    "application/gzip": "a gzip archive",
    "application/x-7z-compressed": "a 7-Zip archive",
    "application/x-rar": "a RAR archive",
    "application/vnd.rar": "a RAR archive",
    "application/x-tar": "a tar archive",
    GIF: "a GIF picture",
    WEBP: "a WebP picture",
    HEIC: "an HEIC (iPhone) picture",
    HEIF: "an HEIF picture",
    "image/bmp": "a BMP picture",
    "image/x-ms-bmp": "a BMP picture",
    "image/svg+xml": "an SVG drawing",
    "text/html": "a web page (HTML)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        "an Excel spreadsheet (.xlsx)"
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "a PowerPoint presentation (.pptx)"
    ),
    "application/vnd.ms-excel": "an old-style Excel spreadsheet (.xls)",
    "application/vnd.ms-powerpoint": "an old-style PowerPoint presentation (.ppt)",
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
    "application/x-executable": "a computer program",
    "application/x-pie-executable": "a computer program",
    "application/x-sharedlib": "a computer program",
    "application/x-dosexec": "a Windows program",
    "application/x-mach-binary": "a computer program",
    "application/octet-stream": "unrecognised binary data",
    "application/x-empty": "empty",
}

_ZIP_LIKE = frozenset(
    {
        "application/zip",
        "application/x-zip-compressed",
        "application/octet-stream",
        "application/java-archive",
    }
)
_OLE_LIKE = frozenset(
    {
        "application/msword",
        "application/CDFV2",
        "application/x-ole-storage",
        "application/vnd.ms-office",
    }
)
_OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
_WORD_STREAM = "WordDocument".encode("utf-16-le")
# Password-protected .docx/.xlsx are OLE containers holding an encrypted package.
_PROTECTED_OFFICE = frozenset({"application/encrypted", "application/CDFV2-encrypted"})
_OOXML_WORD_PARTS = (
    "wordprocessingml.document.main+xml",
    "wordprocessingml.template.main+xml",
    "ms-word.document.macroenabled.main+xml",
    "ms-word.template.macroenabledtemplate.main+xml",
)
_MAX_MEMBER = 1 << 20  # never read more than 1 MiB of a container's manifest
_EMAIL_HEADERS = ("from", "to", "date", "subject", "message-id", "received", "mime-version")


def describe(media_type: str) -> str:
    """A plain-English name for a media type."""
    return _DESCRIPTIONS.get(media_type, f"of type {media_type}")


def identify(path: Path, source: str, *, name: str | None = None) -> Evidence:
    """Identify ``path`` by its content; ``source`` is the path as the user wrote it.

    The content must agree with ``name`` (default: the file's own name): the name
    the file will carry, e.g. an upload's name or the name ``evidence add --as`` gives.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputNotFound.for_path(source) from None
    except NotADirectoryError:
        raise InputNotFound.for_path(source) from None
    except PermissionError:
        raise BadInput(
            f"{source}: cannot be read (permission denied)",
            "Ask IT to give you read access to the file, or copy it somewhere you can read.",
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise BadInput(
            f"{source}: is a folder, not a file",
            "List each file inside the folder separately.",
        )
    if not stat.S_ISREG(info.st_mode):
        raise BadInput(f"{source}: is not an ordinary file", "List the document file itself.")
    if info.st_size == 0:
        raise BadInput(
            f"{source}: the file is empty (0 bytes)",
            "The copy was probably interrupted; ask the sender for the file again.",
        )
    if not os.access(path, os.R_OK):
        raise BadInput(
            f"{source}: cannot be read (permission denied)",
            "Ask IT to give you read access to the file, or copy it somewhere you can read.",
        )
    media_type = _content_type(path, source)
    media_type = _reconcile_with_extension(path, source, media_type, name or path.name)
    if media_type == TEXT:
        _check_utf8(path, source)
    return Evidence(
        path=path.absolute(),
        source=source,
        sha256=sha256_file(path),
        size=info.st_size,
        media_type=media_type,
    )


def _magic_type(path: Path, source: str) -> str:
    try:
        import magic
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise MissingTool(
            "python-magic or libmagic is not installed (needed to recognise file types)",
            "Install the Debian package libmagic1 and the Python package python-magic.",
        ) from exc
    try:
        raw = str(magic.from_file(str(path), mime=True))
    except Exception as exc:  # libmagic raises its own MagicException or OSError
        raise BadInput(
            f"{source}: its type could not be recognised ({type(exc).__name__})",
        ) from exc
    # libmagic sometimes appends remarks ("application/x-executable, no program header").
    return raw.split(";")[0].split(",")[0].strip() or "application/octet-stream"


def _content_type(path: Path, source: str) -> str:
    """Media type from content, with containers and synonyms resolved."""
    raw = _magic_type(path, source)
    if raw in {"text/rtf", "application/rtf"}:
        return RTF
    if raw in _ZIP_LIKE or raw.startswith(
        ("application/vnd.openxmlformats", "application/vnd.oasis.opendocument")
    ):
        if zipfile.is_zipfile(path):
            return _zip_container_type(path, source)
        if raw != "application/octet-stream":
            raise BadInput(
                f"{source}: is a damaged or incomplete {_container_name(raw)} "
                "(its table of contents is missing)",
            )
        return raw
    if raw in _OLE_LIKE:
        if _ole_has_word_stream(path):
            return DOC
        return MSG if _ole_has_message_streams(path) else raw
    if raw == "image/x-tiff":
        return TIFF
    if raw == "message/rfc822" or raw.startswith("message/"):
        return EML
    if raw.startswith("text/") and raw not in {"text/html", "text/xml"}:
        return TEXT
    return raw


def _zip_container_type(path: Path, source: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as member:
                    manifest = member.read(_MAX_MEMBER).decode("utf-8", "replace").lower()
                if any(part in manifest for part in _OOXML_WORD_PARTS):
                    return DOCX
                if "spreadsheetml" in manifest or "ms-excel" in manifest:
                    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if "presentationml" in manifest or "ms-powerpoint" in manifest:
                    return (
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
                    )
                return "application/zip"
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(200).decode("ascii", "replace").strip()
                if declared in {ODT, "application/vnd.oasis.opendocument.text-template"}:
                    return ODT
                return declared or "application/zip"
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, KeyError) as exc:
        raise BadInput(
            f"{source}: is a damaged or unreadable ZIP-based file ({type(exc).__name__})",
        ) from exc
    return "application/zip"


def _container_name(raw: str) -> str:
    if "wordprocessingml" in raw or raw == ODT:
        return "Word document"
    if raw.startswith(("application/vnd.openxmlformats", "application/vnd.oasis")):
        return "office document"
    return "ZIP file"


def _ole_has_word_stream(path: Path) -> bool:
    """An OLE compound file (old Office) holds Word text in a stream named WordDocument."""
    with path.open("rb") as handle:
        head = handle.read(4 << 20)
    return _WORD_STREAM in head


def _ole_has_message_streams(path: Path) -> bool:
    """An Outlook message (MS-OXMSG) has a property stream and a message class at its root."""
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            return bool(
                ole.exists("__properties_version1.0") and ole.exists("__substg1.0_001A001F")
            )
    except Exception:  # not readable as a compound file: leave the type as libmagic said
        return False


def _starts_like_ole(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(8) == _OLE_SIGNATURE


def _looks_like_email(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(64 << 10)
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
    except Exception:
        return False
    present = {key.lower() for key in headers}
    return len(present.intersection(_EMAIL_HEADERS)) >= 2 and (
        "from" in present or "subject" in present
    )


def _reconcile_with_extension(path: Path, source: str, media_type: str, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if media_type in _PROTECTED_OFFICE:
        raise BadInput(
            f"{source}: is a password-protected Office document",
            "Ask the sender for an unprotected copy, or open it with the password, save it "
            "as PDF and list the PDF instead.",
        )
    expected = _EXTENSION_TYPES.get(suffix)
    if suffix == ".msg" and media_type not in SUPPORTED_MEDIA_TYPES and _starts_like_ole(path):
        raise BadInput(
            f"{source}: is a damaged or incomplete Outlook message (.msg)",
            "Ask the sender for the e-mail again, or open it in Outlook, print it to PDF and "
            "list the PDF instead.",
        )
    if (
        suffix == ".eml"
        and (media_type.startswith("text/") or media_type == "application/octet-stream")
        and _looks_like_email(path)
    ):
        return EML
    if suffix == ".txt" and (media_type == EML or media_type.startswith("text/")):
        return TEXT  # e.g. an e-mail or HTML pasted into a note: show it as the text it is
    if expected is not None and media_type in expected:
        return media_type
    if expected is not None and _same_family(expected, media_type):
        # Old systems often save RTF or .docx under a .doc name, and phones PNG
        # screenshots under .jpg; the content is converted as what it is, so the
        # wrong name is harmless, but say so.
        logger.warning(
            "%s: named %s but its content is %s; converting it as what it is",
            source,
            suffix,
            describe(media_type),
        )
        return media_type
    if expected is None and media_type in SUPPORTED_MEDIA_TYPES:
        return media_type
    if expected is None:
        raise BadInput(
            f"{source}: cannot be used as evidence: its content is {describe(media_type)}"
            + _detail(path, media_type),
            SUPPORTED_HINT,
        )
    raise BadInput(
        f"{source}: named {suffix} but its content is {describe(media_type)}"
        + _detail(path, media_type),
        "Ask the sender for the real file, or rename it to match what it is "
        "(check it opens correctly first).",
    )


def _same_family(expected: frozenset[str], media_type: str) -> bool:
    return any(
        expected <= family and media_type in family
        for family in (OFFICE_TYPES, IMAGE_TYPES, MAIL_TYPES)
    )


def _detail(path: Path, media_type: str) -> str:
    """libmagic's own description for types we have no friendly name for."""
    if media_type in _DESCRIPTIONS:
        return ""
    try:
        import magic

        text = str(magic.from_file(str(path))).split(",")[0].strip()
    except Exception:
        return ""
    return f" ({text[:60]})" if text else ""


def _check_utf8(path: Path, source: str) -> None:
    from bundler.evidence.text import decode_text, read_text_bytes

    data = read_text_bytes(path, source)
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        raise BadInput(
            f"{source}: is text but not in UTF-8 (probably an older Windows encoding)",
            "Open it in Notepad, choose Save As with Encoding 'UTF-8', and list that copy.",
        ) from None
    if "\x00" in text:
        raise BadInput(
            f"{source}: is not plain text (it contains binary data)",
            SUPPORTED_HINT,
        )
