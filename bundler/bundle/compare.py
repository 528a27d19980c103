"""Compare a bundle with its rebuild as a reader sees them, whatever wrote their bytes.

Two PDFs written by different versions of pypdf (or zlib, or reportlab) from the same
pages differ in their bytes but must not differ in anything a reader can see or that a
viewer can do. This module compares exactly that, and nothing less:

* **what every page shows**: rendered and compared pixel by pixel (``pixels``: 100 dpi,
  no channel of any pixel more than 8 of 255 apart), front matter and certificate included;
* **what every page says**: its text as a viewer's search and copy extract it (PDFium),
  leaving out only the invisible text OCR added when the caller says another tesseract
  read it (``skip_ocr_text``); what those pages show is still compared;
* **what every page does**: its annotations (links and where they lead, comments,
  attachments, form fields), its actions (/AA), its size, crop and rotation;
* **what the document does**: the whole catalog, page tree aside: the action run on
  opening (/OpenAction) and document actions (/AA), names trees (/JavaScript,
  /EmbeddedFiles and their content, /Dests), attached files (/AF), page labels, forms,
  optional content, viewer settings; every bookmark (title, where it leads, any action)
  and the document information (title, author) a viewer shows.

Structure is compared as canonical values: dictionaries by key, references followed (a
reference to a page becomes that page's number), numbers to 0.01, streams by their
decoded content. Left out, because they are how a writer stores things rather than what
they are: object numbers, stream encodings and lengths, the page tree's own nodes
(inherited page attributes are compared on each page), links between bookmarks
(/Parent, /Prev, /Next, /First, /Last, compared as the bookmark tree itself) and
whether a bookmark starts open (/Count).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
)

from bundler.bundle.pixels import PageView, compare_rendered
from bundler.bundle.served import first_differing_field

MAX_NODES = 2_000_000  # values in one document's structure (a bundle of 10,000 pages: ~200,000)
MAX_DEPTH = 48
MAX_STREAM_BYTES = 64 * 1024 * 1024  # one decoded stream (an attachment, an appearance)
_STREAM_KEYS = frozenset({"/Length", "/Filter", "/DecodeParms", "/DL"})
_BOOKMARK_LINKS = frozenset({"/Parent", "/Prev", "/Next", "/First", "/Last", "/Count"})
_PAGE_KEYS_ELSEWHERE = frozenset({
    "/Contents", "/Resources",  # what the page shows: rendered
    "/Annots",  # compared one by one
    "/Parent", "/Type",  # the page tree's own links
    "/MediaBox", "/CropBox", "/Rotate",  # compared as inherited, in the page's geometry
})
_ANNOTATION_LINKS = frozenset({"/P", "/Parent"})  # back to the page or field
_WHAT = {  # document-level paths, as a reader would name what differs
    "catalog./OpenAction": "the action run when the PDF is opened (/OpenAction) differs",
    "catalog./AA": "the document's actions (/AA) differ",
    "catalog./Names./JavaScript": "the document's JavaScript (/Names /JavaScript) differs",
    "catalog./Names./EmbeddedFiles": "the attached files (/Names /EmbeddedFiles) differ",
    "catalog./Names": "the names tree (/Names) differs",
    "catalog./AF": "the attached files (/AF) differ",
    "catalog./PageLabels": "the page labels (/PageLabels) differ",
    "catalog./AcroForm": "the form fields (/AcroForm) differ",
    "catalog./OCProperties": "the optional content (layers, /OCProperties) differs",
    "catalog": "the document catalog differs",
    "bookmarks": "the bookmarks differ",
    "information": "the document information (title, author...) differs",
}
_PAGE_WHAT = {
    "annotations": "its annotations (links, comments, attachments, fields) differ",
    "page./AA": "its actions (/AA) differ",
    "page": "its page dictionary differs",
    "geometry": "its size, crop box or rotation differs",
}


class StructureTooLarge(ValueError):
    """A structure beyond MAX_NODES or MAX_DEPTH: no bundle this toolkit builds has one."""


@dataclass(frozen=True)
class Difference:
    """One way the bundle differs from its rebuild: on ``page`` (1-based), or the whole
    document when ``page`` is None."""

    page: int | None
    what: str


@dataclass(frozen=True)
class Comparison:
    differences: list[Difference]  # by page, then the document's
    pages: int
    ocr_text_left_out: int  # pages whose OCR text was not compared (another tesseract)
    largest_within: int  # the largest pixel difference on pages within the tolerance

    @property
    def same(self) -> bool:
        return not self.differences

    def pages_differing(self) -> list[int]:
        return sorted({item.page for item in self.differences if item.page is not None})


def compare_as_seen(
    bundle: Path,
    rebuild: Path,
    *,
    skip_ocr_text: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Comparison:
    """Compare ``bundle`` with ``rebuild`` page by page and as documents (module docstring)."""
    from bundler.evidence.pdfopen import pypdf_messages

    report = progress or (lambda _message: None)
    with pypdf_messages():
        ours, theirs = PdfReader(bundle, strict=False), PdfReader(rebuild, strict=False)
        count, their_count = len(ours.pages), len(theirs.pages)
        if count != their_count:
            return Comparison([Difference(None, f"it has {count} pages, the rebuild "
                                          f"{their_count}")], count, 0, 0)
        report(f"comparing the rendering of all {count} pages")
        views = compare_rendered(bundle, rebuild, count, report)
        report("comparing links, actions, attachments, bookmarks and text")
        differences: list[Difference] = []
        left_out = 0
        page_ids = (_page_numbers(ours), _page_numbers(theirs))
        for index, view in enumerate(views):
            found = _page_difference(ours.pages[index], theirs.pages[index], view, page_ids)
            if found is None and not view.text_same:
                if skip_ocr_text and _same_text_without_ocr(ours.pages[index],
                                                            theirs.pages[index]):
                    left_out += 1
                else:
                    found = "its text differs (what a search or copy finds on it)"
            if found is not None:
                differences.append(Difference(index + 1, found))
        differences += _document_differences(ours, theirs)
    largest = max((view.largest for view in views if view.shows is None), default=0)
    return Comparison(differences, count, left_out, largest)


# --------------------------------------------------------------------------- documents


def _document_differences(ours: PdfReader, theirs: PdfReader) -> list[Difference]:
    try:
        mine = _document_structure(ours)
    except StructureTooLarge as exc:
        return [Difference(None, f"its structure is {exc}, beyond any bundle this toolkit "
                           "builds")]
    path = first_differing_field(mine, _document_structure(theirs))
    if path is None:
        return []
    return [Difference(None, f"{_name_of(path, _WHAT)} from the rebuild's (first at "
                       f"{path})")]


def _document_structure(reader: PdfReader) -> dict[str, Any]:
    pages = _page_numbers(reader)
    budget = _Budget()
    root = reader.trailer["/Root"].get_object()
    catalog = _without(root, {"/Pages", "/Outlines"})
    info = reader.trailer.get("/Info")
    outlines = root.get("/Outlines") if isinstance(root, DictionaryObject) else None
    return {
        "catalog": _canonical(catalog, pages, budget),
        "bookmarks": _bookmarks(outlines, pages, budget),
        "information": _canonical(info, pages, budget),
    }


def _bookmarks(outlines: Any, pages: dict[int, int], budget: _Budget) -> list[Any]:
    """Every bookmark: its entries (title, destination or action...) and its children."""
    root = outlines.get_object() if outlines is not None else None
    if not isinstance(root, DictionaryObject):
        return []
    seen: set[int] = set()

    def children(parent: DictionaryObject, depth: int) -> list[Any]:
        if depth > MAX_DEPTH:
            raise StructureTooLarge("nested too deep")
        items: list[Any] = []
        node = parent.get("/First")
        while node is not None:
            if isinstance(node, IndirectObject):
                if node.idnum in seen:
                    raise StructureTooLarge("a bookmark loop")
                seen.add(node.idnum)
            item = node.get_object()
            if not isinstance(item, DictionaryObject):
                break
            budget.spend()
            entries = _canonical(_without(item, _BOOKMARK_LINKS), pages, budget)
            items.append({"entries": entries, "children": children(item, depth + 1)})
            node = item.get("/Next")
        return items

    return children(root, 0)


# --------------------------------------------------------------------------- pages


def _page_difference(ours: PageObject, theirs: PageObject, view: PageView,
                     page_ids: tuple[dict[int, int], dict[int, int]]) -> str | None:
    """What differs on one page: the rendering first, then what the page does."""
    if view.shows is not None:
        return view.shows
    try:
        mine = _page_structure(ours, page_ids[0])
    except StructureTooLarge as exc:
        return f"its structure is {exc}, beyond any bundle this toolkit builds"
    path = first_differing_field(mine, _page_structure(theirs, page_ids[1]))
    if path is None:
        return None
    return f"{_name_of(path, _PAGE_WHAT)} from the rebuild's (first at {path})"


def _page_structure(page: PageObject, pages: dict[int, int]) -> dict[str, Any]:
    budget = _Budget()
    annotations = page.get("/Annots")
    annotations = annotations.get_object() if annotations is not None else None
    listed = list(annotations) if isinstance(annotations, ArrayObject) else []
    return {
        "geometry": {
            "media": _box(page.mediabox),
            "crop": _box(page.cropbox),
            "rotate": int(page.rotation) % 360,
        },
        "page": _canonical(_without(page, _PAGE_KEYS_ELSEWHERE), pages, budget),
        "annotations": [
            _canonical(_without(item.get_object(), _ANNOTATION_LINKS), pages, budget)
            for item in listed
        ],
    }


def _box(box: Any) -> list[float]:
    return [round(float(value), 2) for value in (box.left, box.bottom, box.right, box.top)]


_LAYER_CALL = re.compile(rb"\Aq [-0-9. ]+ cm /BundlerOCR\d+ Do Q\n\Z")


def _same_text_without_ocr(ours: PageObject, theirs: PageObject) -> bool:
    """Whether the two pages' texts match once their OCR text layers are left out.

    The layer is the stream right after the stamp's shared prefix that only draws a
    /BundlerOCR form (see assemble); a page without one is compared whole.
    """
    return _text_without_layer(ours) == _text_without_layer(theirs)


def _text_without_layer(page: PageObject) -> str:
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    if isinstance(contents, ArrayObject) and len(contents) >= 3:
        call = contents[1].get_object()
        if isinstance(call, StreamObject) and _LAYER_CALL.match(call.get_data()):
            copy = PageObject(page.pdf, page.indirect_reference)
            copy.update(page)
            copy[NameObject("/Contents")] = ArrayObject([contents[0], *contents[2:]])
            page = copy
    return " ".join(page.extract_text().split())


# --------------------------------------------------------------------------- values


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_NODES

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise StructureTooLarge("too large")


def _page_numbers(reader: PdfReader) -> dict[int, int]:
    """Object number of each page -> its 1-based page number."""
    numbers: dict[int, int] = {}
    for index, page in enumerate(reader.pages, start=1):
        if page.indirect_reference is not None:
            numbers.setdefault(page.indirect_reference.idnum, index)
    return numbers


def _without(value: Any, keys: frozenset[str] | set[str]) -> Any:
    value = value.get_object() if value is not None else None
    if not isinstance(value, DictionaryObject) or isinstance(value, StreamObject):
        return value
    return DictionaryObject({key: item for key, item in value.items() if key not in keys})


def _canonical(value: Any, pages: dict[int, int], budget: _Budget,
               depth: int = 0, path: frozenset[int] = frozenset()) -> Any:
    """A plain value (dict, list, str, number) standing for ``value`` as a reader meets it."""
    budget.spend()
    if depth > MAX_DEPTH:
        raise StructureTooLarge("nested too deep")
    if isinstance(value, IndirectObject):
        if value.idnum in pages:
            return {"page": pages[value.idnum]}
        if value.idnum in path:
            return "(refers back to itself)"
        return _canonical(value.get_object(), pages, budget, depth + 1, path | {value.idnum})
    if isinstance(value, StreamObject):
        entries = {str(key): _canonical(item, pages, budget, depth + 1, path)
                   for key, item in value.items() if key not in _STREAM_KEYS}
        entries["(content)"] = _stream_digest(value)
        return entries
    if isinstance(value, DictionaryObject):
        return {str(key): _canonical(item, pages, budget, depth + 1, path)
                for key, item in value.items()}
    if isinstance(value, ArrayObject):
        return [_canonical(item, pages, budget, depth + 1, path) for item in value]
    if isinstance(value, BooleanObject):
        return bool(value)
    if isinstance(value, (FloatObject, NumberObject, int, float)):
        return round(float(value), 2)
    if isinstance(value, NameObject):
        return f"name {value}"
    if isinstance(value, bytes):
        return f"bytes {value.hex()}"
    if isinstance(value, str):
        return f"text {value}"
    if value is None or isinstance(value, NullObject):
        return None
    return f"other {type(value).__name__}"


def _stream_digest(stream: StreamObject) -> str:
    """SHA-256 of a stream's content: decoded when it is Flate (the only encoding that
    another zlib writes differently), else its stored bytes and their filters."""
    raw = stream._data if isinstance(stream._data, bytes) else b""
    filters = stream.get("/Filter")
    filters = filters.get_object() if filters is not None else None
    if isinstance(filters, ArrayObject) and len(filters) == 1:
        filters = filters[0].get_object()
    if filters == "/FlateDecode" and stream.get("/DecodeParms") is None:
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(raw, MAX_STREAM_BYTES + 1)
        except zlib.error:
            return "damaged " + hashlib.sha256(raw).hexdigest()
        if len(data) > MAX_STREAM_BYTES:
            raise StructureTooLarge("too large (a stream inflates beyond "
                                    f"{MAX_STREAM_BYTES // (1024 * 1024)} MB)")
        return "decoded " + hashlib.sha256(data).hexdigest()
    if filters is None:
        return "decoded " + hashlib.sha256(raw).hexdigest()
    return f"stored {filters} " + hashlib.sha256(raw).hexdigest()


def _name_of(path: str, names: dict[str, str]) -> str:
    """The plain-English name of the longest known prefix of a differing path."""
    for prefix in sorted(names, key=len, reverse=True):
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return names[prefix]
    return names.get(path.split(".")[0].split("[")[0], "its structure differs")

