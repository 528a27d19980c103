"""A bundle as it was served: read it, and check it against itself and its sidecar files.

Below both ``build`` (a supplement continues the numbering of the bundle it follows) and
``verify`` (a recipient's checks), so neither needs the other's internals:

* ``open_bundle``: the parsed PDF and the ``manifest.json`` attached inside it, read with a
  size limit (a hostile PDF may hold a compressed stream that inflates without end);
* ``file_hash_check``: the bundle's exact bytes against ``BUNDLE.pdf.sha256`` beside it
  and/or the hash the sender gave (``--sha256``);
* ``manifest_check``: the embedded manifest is JSON within depth and size limits, a valid
  manifest, and identical byte for byte to the sidecar ``BUNDLE.manifest.json``;
* ``certificate_check``: the integrity certificate prints that manifest's SHA-256;
* ``supplement_check``: a supplementary bundle names the bundle it follows (and matches its
  SHA-256 when it lies beside it) and repeats none of its documents;
* ``page_count_check``, ``labels_check``, ``stamps_check``: every page is where, and
  numbered and stamped as, the manifest says (the stamp read from the page's own last
  content stream, falling back to the page's text);
* ``plain_pages``: the pages of a page tree laid out as this toolkit writes it (one node
  listing every page), read without walking the whole tree, a range at a time (so that two
  processes can each read half; anything else is read by pypdf's own walk, ``reader.pages``);
* ``read_served_bundle``: the file hash, manifest and certificate of a bundle a supplement
  follows, raising BadInput naming the first that fails.

What these checks prove on their own: the bundle agrees with itself and with the files
beside it. Anyone who changes the bundle can change its sidecars too; only a hash obtained
by another route, or a rebuild from the sources (``verify``), ties it to its sender.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeGuard

from pydantic import ValidationError
from pypdf import PageObject, PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from bundler.bundle.core import shown_label
from bundler.bundle.manifest import MANIFEST_VERSION, Manifest
from bundler.bundle.plan import roman
from bundler.bundle.stamp import as_printed, read_stamp, stamp_text
from bundler.errors import BadInput, InputNotFound
from bundler.fileio import sha256_file

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
# A manifest lists every document once (about 700 bytes each) and nests four levels deep
# (supplement_to.documents[N].field). The limits leave room for 20,000 documents while a
# hostile one can neither exhaust memory nor the interpreter's stack.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_MANIFEST_DEPTH = 16
HEX64 = re.compile(r"^[0-9a-f]{64}$")
NOT_OURS_HINT = (
    "Only bundles made by `bundler bundle build` can be checked this way; ask the sender "
    "for the bundle exactly as built, or compare its SHA-256 (sha256sum) with theirs."
)
# What reading a damaged PDF can raise (pypdf's own errors, and Python's from its parsers).
READ_ERRORS = (PyPdfError, OSError, ValueError, KeyError, IndexError, AttributeError,
               TypeError, RecursionError, zlib.error)
_NAME_TREE_DEPTH = 8  # /Kids levels followed to find the embedded manifest
_SHOWN_PROBLEMS = 3  # pages named in a FAIL line before "and N more"
# A plain page tree (``plain_pages``) stays well inside the limits pypdf's own walk enforces
# (100,000 nodes, 2,000,000 page-dictionary entries in pypdf 7): a tree beyond these is read
# by that walk, so it is refused exactly as before.
_PLAIN_MAX_PAGES = 50_000
_PLAIN_MAX_ENTRIES = 1_000_000
# What a page may inherit from the nodes above it (PDF 32000-1, 7.7.3.4; pypdf's list).
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
# A stamp is under 200 characters; a longer reading is not kept in ``PlainPages.stamps``.
_KEPT_STAMP = 1_000
READ_AGAIN = 0  # in ``PlainPages.stamps``: a reading too long to keep
Reading = str | int | None  # what stamp_on read on a page, or READ_AGAIN


class Pages(Protocol):
    """A bundle's pages in order: ``reader.pages`` (pypdf's walk of the page tree) or
    ``PlainPages``."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> PageObject: ...


def is_signed(data: bytes) -> bool:
    """Whether ``data`` may hold a PDF signature (its dictionary is never compressed:
    signing writes the signature into it in place). Here, not in ``signature``, so that
    verifying an unsigned bundle never loads pyHanko (half a second of start-up)."""
    return b"/ByteRange" in data


@dataclass(frozen=True)
class Check:
    """One check's outcome: a stable name, PASS or FAIL, one line of detail, and a warning
    when it passed without proving what it normally proves (e.g. no sidecar to compare).

    An ``info`` line (printed INFO) tells the reader something and proves nothing: it
    always passes, and the verdict does not count it.
    """

    name: str
    passed: bool
    detail: str
    warning: str | None = None
    info: bool = False

    def line(self) -> str:
        state = "INFO" if self.info else "PASS" if self.passed else "FAIL"
        return f"{state}  {self.name}: {self.detail}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "passed": self.passed,
                                "detail": self.detail}
        if self.warning is not None:
            data["warning"] = self.warning
        if self.info:
            data["info"] = True
        return data


def guarded(name: str, run: Callable[..., Check], *args: Any) -> Check:
    """Run one check; a PDF damaged where the check reads it fails that check, never crashes."""
    try:
        return run(*args)
    except READ_ERRORS as exc:
        return damaged(name, exc)


def damaged(name: str, exc: Exception) -> Check:
    logger.debug("%s check could not read the bundle", name, exc_info=exc)
    return Check(name, False, "could not be checked: the PDF is damaged where this check reads "
                 "it")


# --------------------------------------------------------------------------- the file


def sidecar_hash_path(pdf: Path) -> Path:
    return pdf.with_name(f"{pdf.name}.sha256")


def sidecar_manifest_path(pdf: Path) -> Path:
    stem = pdf.name[: -len(pdf.suffix)] if pdf.suffix.lower() == ".pdf" else pdf.name
    return pdf.with_name(f"{stem}.manifest.json")


def file_hash_check(pdf: Path, digest: str, expected: str | None,
                    earlier: Mapping[str, str] | None = None) -> Check:
    """The bundle's SHA-256 against the sidecar beside it and/or the one the sender gave.

    ``earlier``: for a signed bundle, the hashes of its first bytes (the bundle as built, as
    signed) and what they are; a sidecar or --sha256 given for one of those matches, saying
    which (see bundler/bundle/signature.py).
    """
    sidecar = sidecar_hash_path(pdf)
    earlier = earlier or {}
    problems: list[str] = []
    compared: list[str] = []
    if sidecar.is_file():
        recorded = _sidecar_hash(sidecar)
        if recorded is None:
            problems.append(f"the sidecar {sidecar.name} does not hold a SHA-256")
        elif recorded in earlier:
            compared.append(f"the sidecar {sidecar.name} for {earlier[recorded]}")
        elif recorded != digest:
            problems.append(f"differs from the sidecar {sidecar.name} (it says {recorded[:12]}, "
                            f"the file is {digest[:12]})")
        else:
            compared.append(f"the sidecar {sidecar.name}")
    if expected is not None:
        if expected in earlier:
            compared.append(f"--sha256 for {earlier[expected]}")
        elif expected != digest:
            problems.append(f"differs from --sha256 (given {expected[:12]}, the file is "
                            f"{digest[:12]})")
        else:
            compared.append("--sha256")
    if problems:
        return Check("file hash", False, "; ".join(problems))
    if not compared:
        return Check("file hash", True,
                     f"no sidecar {sidecar.name} and no --sha256 given, so not compared: "
                     f"the bundle's SHA-256 is {digest}",
                     warning=f"no {sidecar.name} beside the bundle and no --sha256: its hash "
                     "was compared with nothing")
    return Check("file hash", True, f"SHA-256 {digest} matches {' and '.join(compared)}")


def _sidecar_hash(sidecar: Path) -> str | None:
    try:
        with sidecar.open("rb") as handle:
            text = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return None
    words = text.split()
    value = words[0].lower() if words else ""
    return value if HEX64.match(value) else None


class _NotOurs(Exception):
    pass


class _NotPdf(Exception):
    pass


def open_bundle(pdf: Path, *, hash_failed: bool,
                revision: bytes | None = None) -> tuple[PdfReader, bytes] | None:
    """The reader and the embedded manifest's bytes; None if a changed file cannot be read.

    Raises BadInput when the file is not a PDF, not readable, encrypted or has no
    embedded manifest (unless ``hash_failed``: then the hash check already says why).
    With ``revision`` (a signed bundle's bytes as signed) that is what is read.
    """
    from bundler.evidence.pdfopen import pypdf_messages

    try:
        with pypdf_messages():
            if revision is not None:
                header = revision[:1024]
            else:
                with pdf.open("rb") as handle:
                    header = handle.read(1024)
            if b"%PDF-" not in header:
                raise _NotPdf
            reader = PdfReader(pdf if revision is None else io.BytesIO(revision), strict=False)
            if reader.is_encrypted:
                raise _NotOurs("it is encrypted (bundles made by this toolkit never are)")
            attached = embedded_file(reader, MANIFEST_NAME, MAX_MANIFEST_BYTES)
    except _NotPdf:
        if hash_failed:
            return None
        raise BadInput(f"{pdf}: is not a PDF file",
                       "Give the bundle's .pdf file as the sender sent it.") from None
    except _NotOurs as exc:
        raise BadInput(f"{pdf}: not a bundle made by this toolkit: {exc}",
                       NOT_OURS_HINT) from None
    except Exception:  # pypdf raises many kinds on damaged files
        if hash_failed:
            return None
        raise BadInput(f"{pdf}: is not a readable PDF",
                       "Ask the sender for a good copy of the bundle.") from None
    if attached is None:
        if hash_failed:
            return None
        raise BadInput(f"{pdf}: not a bundle made by this toolkit (it has no embedded "
                       f"{MANIFEST_NAME})", NOT_OURS_HINT)
    return reader, attached


def embedded_file(reader: PdfReader, name: str, limit: int) -> bytes | None:
    """The decoded bytes of the file attached as ``name`` (None when there is none).

    Read directly from the catalog's /EmbeddedFiles name tree, so a stream that inflates
    beyond ``limit`` bytes is refused (_NotOurs) before it fills the memory.
    """
    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names") if isinstance(root, DictionaryObject) else None
    names = names.get_object() if names is not None else None
    tree = names.get("/EmbeddedFiles") if isinstance(names, DictionaryObject) else None
    spec = _name_tree_lookup(tree, name, 0)
    if not isinstance(spec, DictionaryObject):
        return None
    files = spec.get("/EF")
    files = files.get_object() if files is not None else None
    stream = files.get("/F") if isinstance(files, DictionaryObject) else None
    stream = stream.get_object() if stream is not None else None
    if not isinstance(stream, StreamObject):
        return None
    return _bounded_data(stream, limit)


def _name_tree_lookup(node: Any, key: str, depth: int) -> Any:
    node = node.get_object() if node is not None else None
    if not isinstance(node, DictionaryObject) or depth > _NAME_TREE_DEPTH:
        return None
    pairs = node.get("/Names")
    pairs = pairs.get_object() if pairs is not None else None
    if isinstance(pairs, ArrayObject):
        for position in range(0, len(pairs) - 1, 2):
            if str(pairs[position].get_object()) == key:
                return pairs[position + 1].get_object()
    kids = node.get("/Kids")
    kids = kids.get_object() if kids is not None else None
    if isinstance(kids, ArrayObject):
        for kid in kids:
            found = _name_tree_lookup(kid, key, depth + 1)
            if found is not None:
                return found
    return None


def _bounded_data(stream: StreamObject, limit: int) -> bytes:
    """A stream's data, unfiltered or Flate-decoded, refusing more than ``limit`` bytes."""
    raw = stream._data if isinstance(stream._data, bytes) else b""
    filters = stream.get("/Filter")
    filters = filters.get_object() if filters is not None else None
    if isinstance(filters, ArrayObject) and len(filters) == 1:
        filters = filters[0].get_object()
    if filters is None:
        data = raw
    elif filters == "/FlateDecode" and stream.get("/DecodeParms") is None:
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, limit + 1)
    else:
        raise _NotOurs(f"its {MANIFEST_NAME} is stored in a way this toolkit never writes")
    if len(data) > limit:
        raise _NotOurs(f"its {MANIFEST_NAME} is larger than {limit // (1024 * 1024)} MB")
    return data


# --------------------------------------------------------------------------- manifest


def manifest_check(pdf: Path, embedded: bytes) -> tuple[Check, Manifest | None]:
    """The embedded manifest parses and is valid, and the sidecar beside it is identical."""
    try:
        raw = bounded_json(embedded)
    except ValueError as exc:
        return Check("manifest", False, f"the embedded {MANIFEST_NAME} is not valid JSON "
                     f"({exc})"), None
    version = raw.get("manifest_version") if isinstance(raw, dict) else None
    if isinstance(version, int) and version > MANIFEST_VERSION:
        return Check("manifest", False,
                     f"made by a newer version of the toolkit (manifest version {version}); "
                     "install the newest version to check it"), None
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "(top level)"
        return Check("manifest", False, f"the embedded {MANIFEST_NAME} is not a valid "
                     f"manifest ({where}: {first.get('msg', 'invalid')})"), None
    sidecar = sidecar_manifest_path(pdf)
    if not sidecar.is_file():
        return Check("manifest", True, f"embedded {MANIFEST_NAME} is valid; no sidecar "
                     f"{sidecar.name} to compare",
                     warning=f"no {sidecar.name} beside the bundle to compare its manifest "
                     "with"), manifest
    if sidecar.stat().st_size > MAX_MANIFEST_BYTES:
        return Check("manifest", False, f"the sidecar {sidecar.name} is larger than any "
                     "manifest (so not the one embedded in the bundle)"), manifest
    beside = sidecar.read_bytes()
    if beside == embedded:
        return Check("manifest", True, f"embedded {MANIFEST_NAME} is valid and identical to "
                     f"the sidecar {sidecar.name}"), manifest
    return Check("manifest", False, f"the sidecar {sidecar.name} differs from the manifest "
                 f"embedded in the bundle: {_first_difference(raw, beside)}"), manifest


def bounded_json(data: bytes) -> Any:
    """Parse JSON from a bundle, refusing (ValueError, plain English) what no manifest is:
    more than MAX_MANIFEST_BYTES, or nested deeper than MAX_MANIFEST_DEPTH."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise ValueError(f"larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    if _nesting(text) > MAX_MANIFEST_DEPTH:
        raise ValueError(f"nested more than {MAX_MANIFEST_DEPTH} levels deep, which no "
                         "manifest is")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"line {exc.lineno}: {exc.msg}") from None


_STRUCTURE = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]', re.S)


def _nesting(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (strings skipped), stopping as
    soon as it passes the limit."""
    depth = deepest = 0
    for token in _STRUCTURE.finditer(text):
        char = token.group()[0]
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_MANIFEST_DEPTH:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _first_difference(embedded: Any, beside: bytes) -> str:
    try:
        other = bounded_json(beside)
    except ValueError as exc:
        return f"it is not valid JSON ({exc})"
    path = first_differing_field(embedded, other)
    if path is None:
        return "same content, written differently (its SHA-256 no longer matches the certificate)"
    return f"first differing field: {path}"


def first_differing_field(a: Any, b: Any, path: str = "") -> str | None:
    """Dotted path (``documents[2].source_sha256``) of the first place ``a`` and ``b`` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            where = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                return where
            found = first_differing_field(a[key], b[key], where)
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for index, (left, right) in enumerate(zip(a, b, strict=False)):
            found = first_differing_field(left, right, f"{path}[{index}]")
            if found is not None:
                return found
        if len(a) != len(b):
            return f"{path}[{min(len(a), len(b))}]"
        return None
    if type(a) is not type(b) or a != b:
        return path or "(the whole manifest)"
    return None


# --------------------------------------------------------------------------- certificate


def certificate_check(pages: Pages, manifest: Manifest, embedded: bytes) -> Check:
    digest = hashlib.sha256(embedded).hexdigest()
    page_number = manifest.certificate_first_page
    if not 1 <= page_number <= len(pages):
        return Check("certificate", False, f"the manifest puts the certificate on page "
                     f"{page_number}, which the PDF does not have")
    text = page_text(pages, page_number - 1)
    if digest in "".join(text.split()):
        return Check("certificate", True, f"page {page_number} shows the manifest's SHA-256 "
                     f"{digest}")
    return Check("certificate", False, f"page {page_number} does not show the embedded "
                 f"manifest's SHA-256 {digest}: the manifest was changed after the bundle "
                 "was built")


def page_text(pages: Pages, index: int) -> str:
    from bundler.evidence.pdfopen import pypdf_messages

    try:
        with pypdf_messages():
            return pages[index].extract_text()
    except Exception:  # a damaged page has no readable text
        return ""


# --------------------------------------------------------------------------- supplement


def supplement_check(pdf: Path, manifest: Manifest) -> Check:
    """Say the bundle is a supplement, and which bundle it follows; compare that bundle's hash
    when it lies beside this one (it should be served with it)."""
    supplement = manifest.supplement_to
    assert supplement is not None
    first = manifest.documents[0].first_label if manifest.documents else "?"
    what = (f"supplementary bundle {supplement.number} to {supplement.file} (SHA-256 "
            f"{supplement.sha256[:12]}...): its document pages, from {first}, are numbered on "
            "from the bundles it follows")
    served = {(doc.source, doc.source_sha256) for doc in supplement.documents}
    repeated = [doc.source for doc in manifest.documents
                if (doc.source, doc.source_sha256) in served]
    if repeated:
        return Check("supplement", False, f"{what}; but it repeats documents already served: "
                     + ", ".join(repeated))
    name = supplement.file
    plain_name = bool(name) and not re.search(r"[/\\\x00]", name) and name not in (".", "..")
    earlier = pdf.with_name(name) if plain_name else pdf
    if earlier == pdf or not earlier.is_file():
        return Check("supplement", True, f"{what}; {supplement.file} is not beside it, so "
                     "not compared (verify it too)")
    digest = sha256_file(earlier)
    if digest != supplement.sha256:
        return Check("supplement", False, f"{what}; but the {supplement.file} beside it has "
                     f"SHA-256 {digest[:12]}...: not the bundle it supplements")
    return Check("supplement", True, f"{what}; the {supplement.file} beside it has that "
                 "SHA-256 (verify it too)")


# --------------------------------------------------------------------------- pages


def expected_labels(manifest: Manifest, limit: int | None = None) -> list[str]:
    """Every page's label, as the manifest's page-label ranges imply (at most ``limit``)."""
    labels: list[str] = []
    wanted = manifest.pages if limit is None else min(manifest.pages, limit)
    ranges = sorted(manifest.page_labels, key=lambda item: item.start_page)
    for position, item in enumerate(ranges):
        end = ranges[position + 1].start_page - 1 if position + 1 < len(ranges) else (
            manifest.pages)
        for offset in range(max(0, min(end, wanted) - item.start_page + 1)):
            if item.style == "none":  # a withheld document's placeholder: "45-51"
                labels.append(item.prefix)
                continue
            number = item.first_number + offset
            roman_ok = item.style == "lower-roman" and 0 < number < 5000
            text = roman(number) if roman_ok else str(number)
            labels.append(f"{item.prefix}{text}")
    return labels


class PlainPages:
    """The pages of a page tree laid out as this toolkit writes it: one /Pages node, which
    has nothing its pages could inherit, listing every page (each an indirect /Page
    dictionary). pypdf's own walk of such a tree (``reader.pages``) gives these pages, in
    this order, as the same objects; this reads them a range at a time (``stamps``), so that
    two processes can each read half, and builds any other page when it is asked for.
    A page that is not a /Page dictionary makes ``stamps`` give None: such a tree is then
    read by pypdf's walk instead (which decides what it is)."""

    def __init__(self, reader: PdfReader, kids: Sequence[IndirectObject]) -> None:
        self._reader = reader
        self._kids = list(kids)
        self._read: dict[int, PageObject] = {}

    def __len__(self) -> int:
        return len(self._kids)

    def __getitem__(self, index: int) -> PageObject:
        if not 0 <= index < len(self._kids):
            raise IndexError(f"no page {index}")
        page = self._read.get(index)
        if page is None:
            page = self._page(index)
            if page is None:  # ``stamps`` said so first: the caller reads pypdf's walk
                raise PyPdfError("not a page")
        return page

    def stamps(self, start: int, stop: int) -> tuple[list[Reading], int] | None:
        """What ``stamp_on`` reads on pages ``start`` to ``stop - 1`` (``READ_AGAIN`` where
        that is longer than any stamp: the check reads it again, one page at a time, so
        the list stays small), and how many entries their dictionaries hold (pypdf's walk
        refuses a tree with too many); None when one of them is not a /Page dictionary or
        cannot be read."""
        from bundler.evidence.pdfopen import pypdf_messages

        shown: list[Reading] = []
        entries = 0
        with pypdf_messages():
            for index in range(start, stop):
                try:
                    page = self._page(index)
                except READ_ERRORS:  # pypdf's walk then raises it (or not) as before
                    return None
                if page is None:
                    return None
                entries += len(page)
                self._read[index] = page
                reading = stamp_on(page)
                shown.append(READ_AGAIN if reading is not None and len(reading) > _KEPT_STAMP
                             else reading)
        return shown, entries

    def _page(self, index: int) -> PageObject | None:
        """The page as pypdf's walk makes it (nothing inherited), or None: not a /Page."""
        kid = self._kids[index]
        node = kid.get_object()
        if not _typed(node, "/Page"):
            return None
        page = PageObject(self._reader, kid)
        page.update(node)
        return page


def plain_pages(reader: PdfReader) -> PlainPages | None:
    """The bundle's pages as ``PlainPages`` when its page tree is laid out as this toolkit
    writes it (its pages then still to be read), else None: read ``reader.pages``."""
    try:
        node = reader.root_object.get("/Pages", None)
        node = node.get_object() if node is not None else None
        if not _typed(node, "/Pages") or any(name in node for name in _INHERITED):
            return None
        kids = node.get("/Kids", None)
        kids = kids.get_object() if kids is not None else None
    except READ_ERRORS:  # pypdf's walk then raises it as before (and each check says so)
        return None
    if not isinstance(kids, ArrayObject) or len(kids) > _PLAIN_MAX_PAGES:
        return None
    refs = [kid for kid in kids if isinstance(kid, IndirectObject)]
    if len(refs) != len(kids) or len({(kid.idnum, kid.generation) for kid in refs}) != len(refs):
        return None  # a page given directly, or listed twice
    return PlainPages(reader, refs)


def _typed(node: Any, kind: str) -> TypeGuard[DictionaryObject]:
    """A dictionary whose /Type is ``kind``, compared as pypdf's walk compares it."""
    if not isinstance(node, DictionaryObject) or "/Type" not in node:
        return False
    named: Any = node["/Type"]
    return bool(named == kind)


def plain_entries_allowed(entries: int) -> bool:
    """Whether pages holding ``entries`` entries in all stay within pypdf's limits."""
    return entries <= _PLAIN_MAX_ENTRIES


def page_count_check(pages: Pages, manifest: Manifest) -> Check:
    count = len(pages)
    problems = _layout_problems(manifest)
    if count != manifest.pages:
        problems.insert(0, f"the PDF has {count} pages, the manifest says {manifest.pages}")
    if problems:
        return Check("page count", False, "; ".join(problems))
    return Check("page count", True,
                 f"{count} pages: {manifest.front_matter_pages} front matter, "
                 f"{len(manifest.documents)} documents, {manifest.certificate_pages} "
                 "certificate, as the manifest says")


def _layout_problems(manifest: Manifest) -> list[str]:
    """Where the manifest contradicts itself about which page is which."""
    problems: list[str] = []
    page = manifest.front_matter_pages + 1
    for doc in manifest.documents:
        if doc.first_page != page or doc.last_page - doc.first_page + 1 != doc.pages:
            problems.append(f"the manifest's pages for document {doc.number} ({doc.source}) "
                            "do not follow on from the one before")
            break
        page = doc.last_page + 1
    if manifest.audience is not None:  # the redaction log comes before the certificate
        page += manifest.audience.log_pages
    if not problems and page != manifest.certificate_first_page:
        problems.append("the manifest's certificate does not follow the last document")
    if manifest.certificate_first_page + manifest.certificate_pages - 1 != manifest.pages:
        problems.append("the manifest's certificate does not end on its last page")
    return problems


def labels_check(reader: PdfReader, pages: Pages, manifest: Manifest,
                 labels: Sequence[str]) -> Check:
    from bundler.evidence.pdfopen import pypdf_messages

    if manifest.pages != len(pages):
        return Check("page labels", False, f"not compared: the PDF has {len(pages)} "
                     f"pages, the manifest {manifest.pages}")
    problems = _manifest_label_problems(manifest, labels)
    if problems:
        return Check("page labels", False, "; ".join(problems))
    try:
        with pypdf_messages():
            actual = _page_labels(reader, len(pages))
    except Exception:  # a damaged /PageLabels tree
        return Check("page labels", False, "the PDF's /PageLabels cannot be read")
    for number, (got, want) in enumerate(zip(actual, labels, strict=False), start=1):
        if got != want:
            return Check("page labels", False, f"page {number} is labelled {got!r} in the "
                         f"PDF, the manifest implies {want!r}")
    if len(actual) != len(labels):
        return Check("page labels", False, f"the PDF labels {len(actual)} pages, the "
                     f"manifest {len(labels)}")
    return Check("page labels", True, f"/PageLabels give all {len(labels)} pages the labels "
                 f"the manifest implies ({_span(labels)})")


def _page_labels(reader: PdfReader, count: int) -> list[str]:
    """``reader.page_labels`` for a document of ``count`` pages (pypdf's own property counts
    them by walking the page tree; ``PlainPages`` has counted them already)."""
    from pypdf import _page_labels

    many = getattr(_page_labels, "index2labels", None)  # pypdf >= 7: the tree read once
    if many is not None:
        return list(many(reader, count))
    return [_page_labels.index2label(reader, index) for index in range(count)]


def _manifest_label_problems(manifest: Manifest, labels: Sequence[str]) -> list[str]:
    if len(labels) != manifest.pages:
        return [f"the manifest's label ranges cover {len(labels)} pages, not {manifest.pages}"]
    for doc in manifest.documents:
        if not 1 <= doc.first_page <= doc.last_page <= len(labels):
            return [f"document {doc.number}'s pages lie outside the bundle"]
        if (labels[doc.first_page - 1], labels[doc.last_page - 1]) != (
                doc.first_label, doc.last_label):
            return [f"document {doc.number}'s labels in the manifest ({doc.first_label} to "
                    f"{doc.last_label}) disagree with its label ranges"]
    return []


def _span(labels: Sequence[str]) -> str:
    return f"{labels[0]} to {labels[-1]}" if labels else "none"


def stamps_check(pages: Pages, manifest: Manifest, labels: Sequence[str],
                 stamps: Sequence[Reading] | None = None) -> Check:
    """Every document page carries its stamp. ``stamps``: what ``stamp_on`` read on every
    page, when that was read already (``PlainPages.stamps``)."""
    from bundler.evidence.pdfopen import pypdf_messages

    chars = manifest.options.stamp_hash_chars
    bad = _Problems()
    checked = 0
    with pypdf_messages():
        for position, doc in enumerate(manifest.documents):
            first = stamp_text(shown_label(manifest.core, position, 0, doc.first_label),
                               manifest.reference, doc.number, doc.source_sha256)
            if first != doc.stamp:
                bad.append(f"the manifest's stamp for document {doc.number} is not the stamp "
                           "its fields imply")
            for page_number in range(doc.first_page, doc.last_page + 1):
                if not 1 <= page_number <= min(len(pages), len(labels)):
                    bad.append(f"page {page_number} (document {doc.number}) is missing")
                    break
                label = shown_label(manifest.core, position, page_number - doc.first_page,
                                    labels[page_number - 1])
                want = stamp_text(label, manifest.reference, doc.number, doc.source_sha256)
                checked += 1
                index = page_number - 1
                reading = stamps[index] if stamps is not None else READ_AGAIN
                shown = reading if reading is None or isinstance(reading, str) else (
                    stamp_on(pages[index]))
                problem = _stamp_problem(pages, index, shown, want, label, manifest.reference,
                                         f"sha256:{doc.source_sha256[:chars]}")
                if problem:
                    bad.append(f"page {label} (document {doc.number}, {doc.source}) {problem}")
    if bad.count:
        return Check("stamps", False, bad.said())
    return Check("stamps", True, f"all {checked} document pages carry their label, the "
                 f"reference {manifest.reference}, their document number and source hash")


class _Problems:
    """The first ``_SHOWN_PROBLEMS`` problems found, and how many there were (a hostile
    bundle can have one on every page, each as long as the page's stamp)."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.count = 0

    def append(self, problem: str) -> None:
        self.count += 1
        if len(self.shown) < _SHOWN_PROBLEMS:
            self.shown.append(problem)

    def said(self) -> str:
        more = self.count - len(self.shown)
        return "; ".join(self.shown) + (f"; and {more} more" if more > 0 else "")


def _stamp_problem(pages: Pages, index: int, shown: str | None, want: str, label: str,
                   reference: str, sha: str) -> str | None:
    """None when page ``index``, on which ``stamp_on`` read ``shown``, carries the stamp
    ``want``; else what is wrong with it."""
    if shown is not None:
        return None if shown == as_printed(want) else f"is stamped {shown!r}, expected {want!r}"
    try:  # not our layout (or altered): look for the parts in the page's text
        text = " ".join(pages[index].extract_text().split())
    except Exception:  # a damaged page
        return "cannot be read"
    missing = [part for part in (label, reference, sha) if part not in text]
    if missing:
        return "lacks " + ", ".join(repr(part) for part in missing) + " in its stamp"
    return None


def stamp_on(page: Any) -> str | None:
    """The text of the stamp in the page's last content stream, if it is laid out as ours."""
    try:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if isinstance(contents, ArrayObject) and contents:
            last = contents[-1].get_object()
        else:
            last = contents
        if not isinstance(last, StreamObject):
            return None
        return read_stamp(last.get_data())  # the layout is stamp.py's to know
    except Exception:  # a damaged stream: fall back to the page's text
        return None


# --------------------------------------------------------------------------- supplements


@dataclass(frozen=True)
class ServedBundle:
    """An earlier bundle checked before a supplement continues its numbering."""

    manifest: Manifest
    sha256: str  # of the PDF
    manifest_sha256: str  # of its embedded manifest (the one its certificate prints)


def read_served_bundle(pdf: Path, shown: str | None = None, called: str = "earlier bundle"
                       ) -> ServedBundle:
    """The manifest of an earlier bundle made by this toolkit, after checking it is intact.

    Checks what needs no sources: the sidecar hash (when ``PDF.sha256`` is beside it), the
    embedded manifest (valid, equal to the sidecar manifest when present) and the certificate
    (it prints that manifest's hash). Raises InputNotFound or BadInput naming ``shown``.
    """
    shown = shown if shown is not None else str(pdf)
    if not pdf.exists():
        raise InputNotFound(f"{shown}: {called} not found",
                            "Give the bundle as it was served (the .pdf file), with its "
                            ".pdf.sha256 and .manifest.json beside it.")
    if not pdf.is_file():
        raise BadInput(f"{shown}: is a folder, not a bundle PDF",
                       "Give the earlier bundle's .pdf file, e.g. out/bundle.pdf.")
    digest = sha256_file(pdf)
    hash_check = file_hash_check(pdf, digest, None)
    broken_hint = (f"Use the {called} exactly as it was served (check it with `bundler "
                   "bundle verify`), with its own .pdf.sha256 and .manifest.json beside it.")
    if not hash_check.passed:
        raise BadInput(f"{shown}: the {called} {hash_check.detail}", broken_hint)
    try:
        opened = open_bundle(pdf, hash_failed=False)
    except BadInput as exc:
        raise BadInput(exc.message.replace(str(pdf), shown, 1), exc.hint) from None
    assert opened is not None  # with hash_failed=False a bad file raises instead
    reader, embedded = opened
    checked, manifest = manifest_check(pdf, embedded)
    if manifest is None or not checked.passed:
        raise BadInput(f"{shown}: the {called}'s manifest: {checked.detail}", broken_hint)
    certificate = guarded("certificate", certificate_check, reader.pages, manifest, embedded)
    if not certificate.passed:
        raise BadInput(f"{shown}: the {called}'s certificate: {certificate.detail}",
                       broken_hint)
    return ServedBundle(manifest, digest, hashlib.sha256(embedded).hexdigest())
