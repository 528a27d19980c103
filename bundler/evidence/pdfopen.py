"""Open a PDF and prove every page can be read before a build relies on it.

pypdf repairs many damaged files on the fly (a wrong ``startxref``, a broken
cross-reference table) and reports what it did through ``logging``; it also
quietly substitutes nothing (a null object) for objects a truncated file lost.
The policy here:

* repairs that still leave every page and its content stream readable are
  accepted, with one warning naming the file;
* a page count that disagrees with the page tree, a page whose content or
  resources point at missing objects, or a content stream that cannot be
  decoded means pages are missing or blank: the file is refused (BadInput);
* owner-password-only PDFs (locked against editing or printing) are opened,
  with a warning; a user password must be given and must work
  (PasswordRequired otherwise).

No pypdf exception or log message ever leaves this module raw.
"""

from __future__ import annotations

import io
import logging
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError
from pypdf.filters import decode_stream_data
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    PdfObject,
    StreamObject,
)

from bundler.errors import BadInput, InputNotFound, MissingTool, PasswordRequired
from bundler.evidence.filters import ascii85_decode

logger = logging.getLogger(__name__)

# pypdf messages that mean an object the file refers to is not there.
_MISSING_MARKERS = ("not defined", "cannot find", "does not exist", "invalid reference")

_capture_lock = threading.Lock()
_capture_users = 0
_collectors: dict[int, list[PypdfMessage]] = {}
_saved_propagate = True
_END_MARKER = b"\nstartxref\n0\n%%EOF\n"


class PypdfMessage(NamedTuple):
    """Something pypdf reported: the module that said it, and what it said."""

    source: str
    text: str

    def __str__(self) -> str:
        return self.text


class _Collector(logging.Handler):
    """Routes pypdf's log records to the collector of the thread that logged them."""

    def emit(self, record: logging.LogRecord) -> None:
        bucket = _collectors.get(record.thread or 0)
        if bucket is not None:
            try:
                text = record.getMessage()
            except Exception:  # a malformed pypdf message must not break reading
                text = str(record.msg)
            bucket.append(PypdfMessage(record.name, text))


_handler = _Collector(level=logging.DEBUG)


@contextmanager
def pypdf_messages() -> Iterator[list[PypdfMessage]]:
    """Collect (and silence) what pypdf logs (and, in the main thread, warns) while the
    block runs in this thread.

    Also usable by other modules reading PDFs (e.g. the bundle assembler).
    """
    global _capture_users, _saved_propagate
    pypdf_logger = logging.getLogger("pypdf")
    bucket: list[PypdfMessage] = []
    ident = threading.get_ident()
    with _capture_lock:
        if _capture_users == 0:
            _saved_propagate = pypdf_logger.propagate
            pypdf_logger.addHandler(_handler)
            pypdf_logger.propagate = False
        _capture_users += 1
        previous = _collectors.get(ident)
        _collectors[ident] = bucket
    try:
        if threading.current_thread() is threading.main_thread():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                yield bucket
            bucket.extend(PypdfMessage("warnings", str(item.message)) for item in caught)
        else:
            # catch_warnings changes process-wide state and is unsafe in threads;
            # pypdf reports reading problems through logging, caught above.
            yield bucket
    finally:
        with _capture_lock:
            if previous is None:
                _collectors.pop(ident, None)
            else:
                previous.extend(bucket)
                _collectors[ident] = previous
            _capture_users -= 1
            if _capture_users == 0:
                pypdf_logger.removeHandler(_handler)
                pypdf_logger.propagate = _saved_propagate


def open_pdf(path: Path, *, source: str, password: str | None = None) -> PdfReader:
    """Open and check a PDF; see the module docstring for what is refused."""
    checked = check_pdf(path, source=source, password=password)
    for warning in checked.warnings:
        logger.warning("%s", warning)
    return checked.reader


class CheckedPDF(NamedTuple):
    """A PDF that passed the checks, with what should be said about it."""

    reader: PdfReader  # holding its page tree only: what the check read is not kept
    warnings: tuple[str, ...]  # one-line warnings naming the file (not yet logged)
    repaired: bytes | None  # when the file itself cannot be reopened as it is: bytes that can


def check_pdf(path: Path, *, source: str, password: str | None = None) -> CheckedPDF:
    """``open_pdf`` without logging: for callers that reopen a file already reported on."""
    if not path.exists():
        raise InputNotFound.for_path(source)
    warnings_: list[str] = []
    with pypdf_messages() as messages:
        try:
            reader, repaired = _read(path, source, messages)
            reader = _decrypt(reader, source, password, warnings_)
            _check_pages(reader, source, messages)
        except (PasswordRequired, BadInput, MissingTool):
            raise
        except DependencyError as exc:
            raise MissingTool(
                f"{source}: the 'cryptography' package is needed to open this encrypted PDF",
                "Reinstall the toolkit (pip install 'supported-housing-bundler') to get it.",
            ) from exc
        except FileNotDecryptedError as exc:
            raise PasswordRequired(f"{source}: the PDF is locked with a password") from exc
        except RecursionError as exc:
            raise BadInput(f"{source}: the PDF's structure is damaged (it loops)") from exc
        except MemoryError as exc:
            raise BadInput(f"{source}: the PDF is damaged (impossible sizes)") from exc
        except Exception as exc:  # pypdf raises many kinds on broken files: never leak them
            raise BadInput(
                f"{source}: the PDF is damaged and cannot be read ({_short(exc)})"
            ) from exc
    repairs = [m.text for m in messages if m.text.strip()]
    if repairs:
        warnings_.append(
            f"{source}: the PDF was slightly damaged but every page could be read "
            f"({len(repairs)} repair{'' if len(repairs) == 1 else 's'}, "
            f"e.g. {_short_text(repairs[0])})"
        )
    return CheckedPDF(reader, tuple(warnings_), repaired)


def _read(path: Path, source: str, messages: list[PypdfMessage]) -> tuple[PdfReader, bytes | None]:
    try:
        return PdfReader(path, strict=False), None
    except FileNotFoundError:
        raise InputNotFound.for_path(source) from None
    except PermissionError:
        raise BadInput(f"{source}: cannot be read (permission denied)") from None
    except Exception:
        data = path.read_bytes()
        if b"%%EOF" in data[-1024:]:
            raise
    # The end of the file is missing (an interrupted download or copy): pypdf
    # can rebuild the cross-reference table if told where the end is. Whether
    # the pages survived is then checked like any other file's.
    messages.insert(0, PypdfMessage("bundler", "the end of the file was missing"))
    repaired = data + _END_MARKER
    return PdfReader(io.BytesIO(repaired), strict=False), repaired


def _decrypt(
    reader: PdfReader, source: str, password: str | None, warnings_: list[str]
) -> PdfReader:
    if not reader.is_encrypted:
        return reader
    if reader.decrypt("") != PasswordType.NOT_DECRYPTED:
        warnings_.append(
            f"{source}: the PDF is locked against changes (owner password); opened it to read only"
        )
        return reader
    if password is None or password == "":
        raise PasswordRequired(f"{source}: the PDF is locked with a password")
    if reader.decrypt(password) == PasswordType.NOT_DECRYPTED:
        raise PasswordRequired(
            f"{source}: the password given for this PDF did not work",
            "Check the password with the sender (it is case-sensitive) and correct it in "
            "the bundle spec.",
        )
    return reader


def _check_pages(reader: PdfReader, source: str, messages: list[PypdfMessage]) -> None:
    count = len(reader.pages)
    if count == 0:
        raise BadInput(f"{source}: the PDF has no pages")
    declared = _declared_page_count(reader)
    if declared is not None and declared > count:
        raise BadInput(
            f"{source}: the PDF is damaged: it should have {declared} pages but only "
            f"{count} can be found"
        )
    parsed = set(reader.resolved_objects)  # the page tree: what counting the pages read
    for index in range(count):
        before = len(messages)
        page = reader.pages[index]
        _ = page.mediabox  # every page needs a size
        raw = page.get("/Contents")
        if raw is not None:
            _require_present(raw, source, index, "content")
            _decode_streams(raw)
        resources = page.get("/Resources")
        if resources is not None:
            _require_present(resources, source, index, "resources")
            resolved = resources.get_object()
            if isinstance(resolved, DictionaryObject):
                for kind in ("/XObject", "/Font"):
                    group = resolved.get(kind)
                    if group is None:
                        continue
                    group = group.get_object()
                    if isinstance(group, DictionaryObject):
                        for key in group:
                            _require_present(group.raw_get(key), source, index, "pictures or fonts")
        if any(_is_fatal(m) for m in messages[before:]):
            raise BadInput(
                f"{source}: the PDF is damaged: page {index + 1} is incomplete or unreadable"
            )
    # The reader is kept to merge the pages (parsed once): it keeps only the page tree, as
    # if it had just been opened and its pages counted; what the check read (contents,
    # pictures, fonts) is read again when merged, one document at a time.
    for key in set(reader.resolved_objects) - parsed:
        del reader.resolved_objects[key]


def _decode_streams(obj: Any) -> None:
    """Decompress a page's content stream(s), without parsing the operators.

    Decoded as pypdf decodes them (the same errors and messages), but without keeping a
    decoded copy in the reader; an ASCII85 layer (reportlab puts one on every stream) is
    removed by the toolkit's own decoder, several times faster than pypdf's.
    """
    resolved = obj.get_object() if isinstance(obj, IndirectObject) else obj
    if isinstance(resolved, StreamObject):
        layers = _without_ascii85(resolved) or resolved
        if "/Filter" in layers:  # (without one, pypdf reads a stream as its own data)
            decode_stream_data(layers)
    elif isinstance(resolved, ArrayObject):
        for item in resolved:
            _decode_streams(item)


_WHITESPACE = b"\x00\t\n\x0c\r "  # as pypdf's ASCII85 decoder ignores them
_FAST_ASCII85_LIMIT = 16 * 1024 * 1024  # bytes: far below pypdf's decoding-work limit


def _without_ascii85(stream: StreamObject) -> StreamObject | None:
    """``stream`` with its first filter, ASCII85, already applied; None when pypdf itself
    must decode it: when the layer is not one pypdf decodes without a word (no end marker,
    a ``z`` inside a group, any character it refuses: decoding it then fails, or is
    reported, exactly as before) or the filters or parameters are written unusually."""
    filters = stream.get("/Filter")
    names = [filters] if isinstance(filters, NameObject) else filters
    if not isinstance(names, ArrayObject | list) or not names or names[0] != "/ASCII85Decode":
        return None  # (the short name /A85 is deprecated: pypdf says so, let it)
    parms = stream.get("/DecodeParms")
    if parms is not None and not (isinstance(parms, ArrayObject) and len(parms) == len(names)):
        return None
    data = stream._data
    if not data or len(data) > _FAST_ASCII85_LIMIT:
        return None
    data = data.strip(_WHITESPACE)  # pypdf's own normalisation, then what a85decode does
    if len(data) > 2 and data.endswith(b">"):
        data = data[:-1].rstrip(_WHITESPACE) + data[-1:]
    if not data.endswith(b"~>"):
        return None
    body = data[2:-2] if data.startswith(b"<~") else data[:-2]
    body = body.translate(None, _WHITESPACE)
    if b"~" in body or (b"z" in body and any(len(group) % 5 for group in body.split(b"z")[:-1])):
        return None
    try:
        decoded = ascii85_decode(body)
    except (ValueError, struct.error):
        return None
    rest = StreamObject()
    rest._data = decoded
    if len(names) > 1:
        rest[NameObject("/Filter")] = ArrayObject(names[1:])
        if parms is not None:
            rest[NameObject("/DecodeParms")] = ArrayObject(parms[1:])
    return rest


def _declared_page_count(reader: PdfReader) -> int | None:
    try:
        root: Any = reader.trailer["/Root"].get_object()
        pages: Any = root["/Pages"].get_object()
        value = pages.get("/Count")
        return int(value) if value is not None else None
    except Exception:
        return None


def _require_present(obj: PdfObject | Any, source: str, index: int, what: str) -> None:
    resolved = obj.get_object() if isinstance(obj, IndirectObject) else obj
    if resolved is None or isinstance(resolved, NullObject):
        raise BadInput(f"{source}: the PDF is damaged: page {index + 1} is missing its {what}")
    if isinstance(resolved, ArrayObject):
        for item in resolved:
            _require_present(item, source, index, what)


def _is_fatal(message: PypdfMessage) -> bool:
    """Missing objects, or content that could only be partly decompressed or decrypted."""
    if message.source.startswith(("pypdf.filters", "pypdf._crypt_providers")):
        return True
    lowered = message.text.lower()
    return any(marker in lowered for marker in _MISSING_MARKERS)


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return _short_text(text)


def _short_text(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


__all__ = ["CheckedPDF", "PypdfMessage", "check_pdf", "open_pdf", "pypdf_messages"]
