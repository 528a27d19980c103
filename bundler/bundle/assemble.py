"""Merge front matter, every document's pages and the certificate into one PDF (pypdf).

For each source page: clone it without its annotations and page actions, flatten form
fields into the page, keep only harmless annotations (internal links remapped to the
bundle's pages, markup such as highlights; web links are dropped with a warning, their text
staying on the page, so the bundle opens nothing outside itself), stamp it (see ``stamp``), then
add the index links, bookmarks, ``/PageLabels``, the embedded manifest, metadata, the
opening view (first page, 100% zoom) and a file identifier derived from the manifest's
hash, so the bytes are the same on every build.

Nothing a source PDF carries at document level (JavaScript, OpenAction, embedded files,
AcroForm, names) is copied: only pages are.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from bundler.bundle.frontmatter import CERTIFICATE_TITLE, LinkArea, Part
from bundler.bundle.objectspool import ObjectSpool, Relocatable, relocatable
from bundler.bundle.ocr import LayerGrafter, layer_matrix
from bundler.bundle.plan import LabelStyle, Plan
from bundler.bundle.stamp import (
    FONT_RESOURCE,
    LABEL_FONT,
    LABEL_RESOURCE,
    Matrix,
    PageGeometry,
    content_matrix,
    core_label,
    details_text,
    fitted_geometry,
    page_geometry,
    prefix_bytes,
    suffix_bytes,
    transform_rect,
)
from bundler.bundle.workers import Crew, in_order, take
from bundler.errors import BadInput, BundlerError
from bundler.evidence.filters import ascii85_decode, ascii_hex_decode

logger = logging.getLogger(__name__)

# Page keys never copied: annotations are re-added selectively, the rest is interactive
# or refers to structures we do not copy.
EXCLUDED_PAGE_KEYS = ("/Annots", "/AA", "/B", "/Thumb", "/PieceInfo", "/StructParents")
# A page fitted onto an A4 sheet: its own boxes and turn are replaced by the sheet's
_SHEET_DROPPED_KEYS = ("/CropBox", "/BleedBox", "/TrimBox", "/ArtBox", "/Rotate")
MARKUP_ANNOTATIONS = frozenset({
    "/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine",
    "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink",
})
_ANNOTATION_DROP_KEYS = ("/P", "/Popup", "/IRT", "/A", "/AA", "/Parent", "/StructParent")
_HIDDEN = 2
_NO_VIEW = 32


@dataclass(frozen=True)
class AssemblyDocument:
    """One document to merge: its PDF and what to print about it."""

    pdf: Path
    password: str | None
    source: str  # as written by the user (messages)
    title: str
    number: int | str
    sha256: str
    outline: tuple[tuple[str, int], ...]  # extra bookmarks from the conversion
    # --ocr: (0-based page, text-only PDF page from tesseract) for pages that had no text
    text_layers: tuple[tuple[int, Path], ...] = ()
    # an edition's note in the footer band of each page (0-based page -> note)
    markers: tuple[tuple[int, str], ...] = ()
    fit_a4: bool = False  # pages that are not A4 go onto A4 sheets (a profile requiring A4)
    main_labels: tuple[str, ...] = ()  # a core bundle's document: its pages' main labels


@dataclass(frozen=True)
class BundleInfo:
    reference: str
    title: str
    authority: str | None
    officer: str | None
    build_date: dt.date
    tool: str  # "supported-housing-bundler 0.1.0"


class _Context:
    """Shared objects for one assembly: the stamp fonts and cached prefix streams."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self.font_ref = writer._add_object(_standard_font("/Helvetica"))
        self.label_font_ref = writer._add_object(_standard_font(f"/{LABEL_FONT}"))
        self.prefixes: dict[bytes, IndirectObject] = {}
        self.field_counter = 0
        self.seen_images: set[int] = set()  # streams already freed of ASCII layers
        self.grafter: LayerGrafter | None = None  # made on the first recognised page
        # each bundle page's reference and displayed top-left corner (where links land),
        # (a document's pages are on disk once merged: see ``objectspool``)
        self.anchors: list[tuple[IndirectObject, float, float]] = []

    def anchor_new_pages(self) -> None:
        """Record where each page added since the last call is displayed."""
        pages = self.writer.pages
        for index in range(len(self.anchors), len(pages)):
            page = pages[index]
            self.anchors.append((cast(IndirectObject, page.indirect_reference), *page_top(page)))

    def stream(self, data: bytes, compress: bool = False) -> IndirectObject:
        stream = DecodedStreamObject()
        stream.set_data(data)
        if compress:
            return self.writer._add_object(stream.flate_encode(level=9))
        return self.writer._add_object(stream)

    def prefix(self, data: bytes) -> IndirectObject:
        ref = self.prefixes.get(data)
        if ref is None:
            ref = self.stream(data)
            self.prefixes[data] = ref
        return ref


def _standard_font(name: str) -> DictionaryObject:
    return DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject(name),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    })


def open_rendition(path: Path, password: str | None) -> PdfReader:
    """Reopen a PDF already checked by the evidence layer (lazily: pages parse on use)."""
    from bundler.evidence.pdfopen import pypdf_messages

    with pypdf_messages():
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            reader.decrypt(password or "")
    return reader


def assemble_bundle(
    out: BinaryIO,
    *,
    info: BundleInfo,
    plan: Plan,
    draw: Callable[[Callable[[], None] | None], tuple[bytes, bytes]],
    index_links: Sequence[LinkArea],
    documents: Sequence[AssemblyDocument],
    readers: Callable[[int], PdfReader],
    manifest_json: bytes,
    progress: Callable[[str], None] | None = None,
    log: bytes = b"",
    log_title: str = "Redaction log",
    front_parts: Sequence[Part] = (),
    crew: Crew | None = None,
    owners: dict[int, int] | None = None,
) -> None:
    """Write the whole bundle to ``out``; ``draw(tick)`` draws the front matter and the
    certificate (returns their PDF bytes), calling ``tick`` now and then; ``readers(i)``
    opens document i's PDF; ``log``
    (an edition's redaction log) goes between the documents and the certificate;
    ``front_parts`` (the index, the findings table, the chronology) are bookmarked;
    ``crew``: worker processes merging the documents (see ``merge_document``), each given
    back the ones it prepared (``owners``: position -> worker); without, they are merged here."""
    writer = PdfWriter()
    context = _Context(writer)
    # pypdf makes reference cycles (every object points back at its document), so the
    # cyclic garbage collector keeps re-scanning the growing writer: measured at 20% of
    # the build. It is paused while merging; each source's objects are released by hand.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _assemble(out, writer, context, info=info, plan=plan, draw=draw,
                  index_links=index_links, documents=documents, readers=readers,
                  manifest_json=manifest_json, progress=progress,
                  log=log, log_title=log_title, front_parts=front_parts, crew=crew,
                  owners=owners)
    finally:
        if collecting:
            gc.enable()


def _assemble(
    out: BinaryIO,
    writer: PdfWriter,
    context: _Context,
    *,
    info: BundleInfo,
    plan: Plan,
    draw: Callable[[Callable[[], None] | None], tuple[bytes, bytes]],
    index_links: Sequence[LinkArea],
    documents: Sequence[AssemblyDocument],
    readers: Callable[[int], PdfReader],
    manifest_json: bytes,
    progress: Callable[[str], None] | None,
    log: bytes,
    log_title: str,
    front_parts: Sequence[Part],
    crew: Crew | None,
    owners: dict[int, int] | None,
) -> None:
    import io

    from bundler.evidence.pdfopen import pypdf_messages

    with pypdf_messages():
        merging = _Merging(tuple(documents),
                           tuple(planned.first_page for planned in plan.documents),
                           tuple(plan.labels), info.reference, _shared_objects(context),
                           readers if crew is None else None)
        # The workers start merging now; this process draws the front matter and the
        # certificate meanwhile, taking their results now and then (``Crew.pump``).
        merged_documents = in_order(crew, merge_kept, merging, len(documents), owners)
        front_matter, certificate = draw(crew.pump if crew is not None else None)
        for page in PdfReader(io.BytesIO(front_matter)).pages:
            writer.add_page(page)
        context.anchor_new_pages()
        # From here on each document's objects go to the spool once it is merged; the
        # catalog, the page tree and the front matter (which gets the index links) stay.
        with ObjectSpool(writer) as spool:
            own_outlines: list[list[_Mark]] = []
            for position, merged in enumerate(merged_documents):
                if progress is not None and (position % 10 == 0
                                             or position == len(documents) - 1):
                    progress(f"stamping document {position + 1} of {len(documents)}")
                _splice(context, spool, merged)
                own_outlines.append(list(merged.outline))
            if log:
                for page in PdfReader(io.BytesIO(log)).pages:
                    writer.add_page(page)
            for page in PdfReader(io.BytesIO(certificate)).pages:
                writer.add_page(page)
            if len(writer.pages) != plan.total_pages:
                raise RuntimeError(
                    f"planned {plan.total_pages} pages, assembled {len(writer.pages)}")
            context.anchor_new_pages()
            _add_index_links(context, index_links, plan)
            _add_bookmarks(context, plan, documents, own_outlines, log_title, front_parts)
            _add_page_labels(writer, plan)
            _add_attachment(writer, manifest_json)
            _set_catalog(writer, info)
            digest = hashlib.sha256(manifest_json + certificate).digest()[:16]
            writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
            if progress is not None:
                progress(f"writing {plan.total_pages} pages")
            writer.write(out)


# A fresh writer's own objects: 1 its information, 2 its page tree, 3 its catalog; then
# (``_Context``) 4 and 5 the stamp's fonts. A document merged in a writer of its own starts
# at 6; its references to 2, 4 and 5 are to the bundle's page tree and fonts.
_PAGE_TREE, _FONTS, _FIRST_OWN = 2, (4, 5), 6


@dataclass(frozen=True)
class _Merged:
    """One document's pages merged and stamped in a writer of their own, ready to be
    numbered into the bundle (``objectspool.relocatable``)."""

    objects: Relocatable
    pages: tuple[int, ...]  # which of ``objects`` are its pages, in order
    tops: tuple[tuple[float, float], ...]  # each page's displayed top-left corner
    outline: tuple[_Mark, ...]  # the document's own bookmarks, at its pages in the bundle
    header: str  # the PDF version its pages need ("%PDF-1.7")


@dataclass(frozen=True)
class _Merging:
    """What merging any document of a bundle needs (sent once to each worker process)."""

    documents: tuple[AssemblyDocument, ...]
    first_pages: tuple[int, ...]
    labels: tuple[str, ...]
    reference: str
    shared: dict[int, bytes]  # see ``_shared_objects``
    readers: Callable[[int], PdfReader] | None  # here: each document's reader; in a worker:
    # the one it kept (``kept_reader_key``), or the PDF is read again


def kept_reader_key(pdf: Path) -> tuple[str, str]:
    """Under what a worker keeps the reader that checked ``pdf`` (see ``workers.keep``)."""
    return ("checked", str(pdf))


def merge_kept(merging: _Merging, position: int) -> _Merged:
    """``merge_document`` for the document at ``position``, from the reader that checked it
    when there is one (a document whose rendition has since changed is read again)."""
    doc = merging.documents[position]
    if merging.readers is not None:
        reader = merging.readers(position)
    else:
        reader = take(kept_reader_key(doc.pdf)) or open_rendition(doc.pdf, doc.password)
    return merge_document(doc, reader, merging.first_pages[position], merging.labels,
                          merging.reference, merging.shared)


def _shared_objects(context: _Context) -> dict[int, bytes]:
    """How a document merged apart writes its references to the bundle's shared objects."""
    return {_PAGE_TREE: b"%d 0 R" % context.writer._pages.idnum,
            _FONTS[0]: b"%d 0 R" % context.font_ref.idnum,
            _FONTS[1]: b"%d 0 R" % context.label_font_ref.idnum}


def merge_document(doc: AssemblyDocument, reader: PdfReader, first_page: int,
                   labels: Sequence[str], reference: str, shared: dict[int, bytes]) -> _Merged:
    """Merge and stamp one document's pages into a writer of its own and serialise them.

    The same in this process or a worker process, and independent of every other document
    (a document's stamp prefixes, form fields and recognised-text fonts are its own), so the
    bundle is the same byte for byte whatever the number of processes. ``reader`` is closed.
    """
    from bundler.evidence.pdfopen import pypdf_messages

    writer = PdfWriter()
    context = _Context(writer)
    if (writer._pages.idnum, context.font_ref.idnum,
            context.label_font_ref.idnum) != (_PAGE_TREE, *_FONTS):
        raise RuntimeError("this version of pypdf numbers a new writer's objects differently")
    try:
        with pypdf_messages():
            try:
                _add_document(context, reader, doc, first_page, labels, reference)
                pages = [cast(IndirectObject, page.indirect_reference).idnum
                         for page in writer.pages]
                tops = tuple(page_top(page) for page in writer.pages)
                objects = relocatable(writer._objects[_FIRST_OWN - 1:], _FIRST_OWN, shared)
            except BundlerError:
                raise
            except Exception as exc:  # damage the evidence checks could not see
                raise BadInput(
                    f"{doc.source}: part of the PDF is damaged and it cannot be merged "
                    f"({type(exc).__name__})"
                ) from exc
            outline = _own_outline(reader, doc.source, first_page - 1)
        return _Merged(objects, tuple(number - _FIRST_OWN for number in pages), tops,
                       tuple(outline), writer.pdf_header)
    finally:
        _release(writer, reader)


def _release(writer: PdfWriter, reader: PdfReader) -> None:
    """Drop a merged document: the writer's objects and maps (the reader is among their
    keys), then the reader's parsed objects and the file's bytes (``close``). pypdf's objects
    are in reference cycles that only the paused garbage collector would otherwise free."""
    writer._objects.clear()
    writer.flattened_pages = []
    writer._merged_in_pages.clear()
    writer._id_translated.clear()
    reader.close()
    reader.stream.close()  # (close leaves a stream it was given open)


def _splice(context: _Context, spool: ObjectSpool, merged: _Merged) -> None:
    """Number a merged document's objects after the bundle's, into the spool, and append
    its pages to the bundle's page tree."""
    writer = context.writer
    first = spool.splice(merged.objects)
    tree = cast(DictionaryObject, writer._pages.get_object())
    kids = cast(ArrayObject, tree["/Kids"])
    flattened = cast(list[Any], writer.flattened_pages)
    for page, (left, top) in zip(merged.pages, merged.tops, strict=True):
        ref = IndirectObject(first + page, 0, writer)
        kids.append(ref)
        flattened.append(None)
        context.anchors.append((ref, left, top))
    tree[NameObject("/Count")] = NumberObject(len(kids))
    writer.pdf_header = max(writer.pdf_header, merged.header)


def _geometry(page: Any) -> PageGeometry:
    media = tuple(float(v) for v in page.mediabox)
    crop_raw = page.get("/CropBox")
    crop = tuple(float(v) for v in crop_raw.get_object()) if crop_raw is not None else None
    rotate = int(page.get("/Rotate", 0) or 0)
    return page_geometry(
        cast(tuple[float, float, float, float], media),
        cast(tuple[float, float, float, float] | None, crop),
        rotate,
    )


def displayed_sizes(reader: PdfReader) -> list[tuple[float, float]]:
    """Each page's visible size as displayed (width, height in points), in order."""
    return [(geometry.width, geometry.height)
            for geometry in (_geometry(page) for page in reader.pages)]


def _add_document(
    context: _Context,
    reader: PdfReader,
    doc: AssemblyDocument,
    first_page: int,
    labels: Sequence[str],
    reference: str,
) -> None:
    writer = context.writer
    added: list[tuple[Any, Any]] = []
    page_map: dict[int, IndirectObject] = {}
    for source_page in reader.pages:
        target = writer.add_page(source_page, excluded_keys=EXCLUDED_PAGE_KEYS)
        added.append((source_page, target))
        if source_page.indirect_reference is not None:
            page_map[source_page.indirect_reference.idnum] = cast(
                IndirectObject, target.indirect_reference
            )
    named: dict[str, Any] | None = None
    web_links = 0
    layers = dict(doc.text_layers)
    markers = dict(doc.markers)
    for offset, (source_page, target) in enumerate(added):
        geometry = _geometry(source_page)
        onto = fitted_geometry(geometry) if doc.fit_a4 else None
        if onto is not None:
            _onto_sheet(target, onto)
        matrix = content_matrix(geometry, onto)
        extra = bytearray()
        annotations = ArrayObject()
        for raw in source_page.get("/Annots", None) or ():
            annotation = raw.get_object() if raw is not None else None
            if not isinstance(annotation, DictionaryObject):
                continue
            subtype = annotation.get("/Subtype")
            flags = int(annotation.get("/F", 0) or 0)
            if flags & (_HIDDEN | _NO_VIEW):
                continue
            if subtype == "/Widget":
                extra += _flatten_widget(context, target, annotation, doc.source)
            elif subtype == "/Link":
                if _is_web_link(annotation):
                    web_links += 1
                    continue
                if named is None and _needs_names(annotation):
                    named = _named_destinations(reader)
                kept = _safe_link(annotation, page_map, named or {})
                if kept is not None:
                    annotations.append(_place(context, kept, matrix))
            elif subtype in MARKUP_ANNOTATIONS:
                clone = annotation.clone(writer, True, _ANNOTATION_DROP_KEYS)
                for key in _ANNOTATION_DROP_KEYS:
                    clone.pop(key, None)
                annotations.append(_place(context, clone, matrix))
        if annotations:
            target[NameObject("/Annots")] = annotations
        _strip_ascii_images(context, target)
        label = labels[first_page - 1 + offset]
        if doc.main_labels:
            label = core_label(label, doc.main_labels[offset])
        details = details_text(reference, doc.number, doc.sha256)
        layer = layers.get(offset)
        under = _text_layer(context, target, geometry, layer) if layer is not None else None
        _stamp(context, target, geometry, bytes(extra), (label, details), under,
               markers.get(offset), onto)
    if web_links:
        logger.warning("%s: %d web link(s) no longer open anything in the bundle (the text on "
                       "the page is unchanged; the source file keeps them)", doc.source,
                       web_links)


def _text_layer(context: _Context, page: Any, geometry: PageGeometry,
                layer_pdf: Path) -> IndirectObject:
    """The stream drawing a recognised page's invisible text (see ``ocr``).

    It goes right after the shared prefix, before the page's own content: there the
    coordinate system is exactly the page's (shrunk) user space, whatever state the page's
    own content leaves behind, and invisible text under the image still searches and copies.
    """
    if context.grafter is None:
        context.grafter = LayerGrafter(context.writer)
    form, width, height = context.grafter.form(layer_pdf)
    name = context.grafter.next_name()
    resources = _resources(context, page)
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = DictionaryObject()
        resources[NameObject("/XObject")] = xobjects
    cast(DictionaryObject, xobjects.get_object())[NameObject(name)] = form
    matrix = layer_matrix(geometry, width, height)
    return context.stream(f"q {' '.join(_fmt(v) for v in matrix)} cm {name} Do Q\n"
                          .encode("ascii"))


def _onto_sheet(page: Any, sheet: PageGeometry) -> None:
    """Make ``page`` the A4 sheet its content is fitted onto (``stamp.fitted_geometry``)."""
    page[NameObject("/MediaBox")] = ArrayObject(FloatObject(round(v, 4)) for v in sheet.box)
    for key in _SHEET_DROPPED_KEYS:
        page.pop(key, None)


def _stamp(context: _Context, page: Any, geometry: PageGeometry, extra: bytes,
           text: tuple[str, str], under: IndirectObject | None = None,
           marker: str | None = None, onto: PageGeometry | None = None) -> None:
    """Wrap the page's content and draw the footer: ``text`` is (label, details); ``onto``
    the A4 sheet a page of other paper is fitted onto."""
    resources = _resources(context, page)
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = DictionaryObject()
        resources[NameObject("/Font")] = fonts
    font_dict = cast(DictionaryObject, fonts.get_object())
    font_dict[NameObject(FONT_RESOURCE)] = context.font_ref
    font_dict[NameObject(LABEL_RESOURCE)] = context.label_font_ref
    contents = page.get("/Contents")
    parts = ArrayObject([context.prefix(prefix_bytes(geometry, onto))])
    if contents is not None:
        resolved = contents.get_object()
        if isinstance(resolved, ArrayObject):
            parts.extend(item for item in resolved if not isinstance(item, NullObject))
        elif isinstance(contents, IndirectObject):
            parts.append(contents)
        elif isinstance(resolved, StreamObject):
            parts.append(context.writer._add_object(resolved))
        for part in parts[1:]:
            stream = part.get_object()
            if isinstance(stream, StreamObject) and id(stream) not in context.seen_images:
                context.seen_images.add(id(stream))
                _strip_ascii_layer(stream)
    if under is not None:
        parts.insert(1, under)
    if extra:  # flattened form fields: a stream of their own, so the last holds only the stamp
        parts.append(context.stream(b"\n" + extra, compress=True))
    parts.append(context.stream(suffix_bytes(onto or geometry, *text, marker), compress=True))
    page[NameObject("/Contents")] = parts


def _resources(context: _Context, page: Any) -> DictionaryObject:
    resources = page.get("/Resources")
    if resources is None or not isinstance(resources.get_object(), DictionaryObject):
        resources = DictionaryObject()
        page[NameObject("/Resources")] = resources
    return cast(DictionaryObject, resources.get_object())


def _place(context: _Context, annotation: DictionaryObject, matrix: Matrix) -> IndirectObject:
    """Move an annotation with the shrunk page content and add it to the writer."""
    rect = annotation.get("/Rect")
    if rect is not None:
        x0, y0, x1, y1 = (float(v) for v in rect.get_object())
        annotation[NameObject("/Rect")] = ArrayObject(
            FloatObject(round(v, 4)) for v in transform_rect(matrix, (x0, y0, x1, y1))
        )
    quads = annotation.get("/QuadPoints")
    if quads is not None:
        values = [float(v) for v in quads.get_object()]
        moved: list[float] = []
        for i in range(0, len(values) - 1, 2):
            a, b, c, d, e, f = matrix
            x, y = values[i], values[i + 1]
            moved += [a * x + c * y + e, b * x + d * y + f]
        annotation[NameObject("/QuadPoints")] = ArrayObject(
            FloatObject(round(v, 4)) for v in moved
        )
    ref = getattr(annotation, "indirect_reference", None)
    if ref is not None and ref.pdf is context.writer:
        return cast(IndirectObject, ref)
    return context.writer._add_object(annotation)


def _needs_names(annotation: DictionaryObject) -> bool:
    dest = annotation.get("/Dest")
    action = annotation.get("/A")
    if action is not None:
        action = action.get_object()
        if isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo":
            dest = action.get("/D")
    return dest is not None and not isinstance(dest.get_object(), ArrayObject)


def _named_destinations(reader: PdfReader) -> dict[str, Any]:
    try:
        return dict(reader.named_destinations)
    except Exception:  # a damaged names tree only loses internal links
        return {}


def _is_web_link(annotation: DictionaryObject) -> bool:
    """A link whose action opens an address outside the bundle (/URI)."""
    action = annotation.get("/A")
    action = action.get_object() if action is not None else None
    return isinstance(action, DictionaryObject) and action.get("/S") == "/URI"


def _safe_link(
    annotation: DictionaryObject, page_map: dict[int, IndirectObject], named: dict[str, Any]
) -> DictionaryObject | None:
    """A new link keeping only a jump to a page of the same document."""
    rect = annotation.get("/Rect")
    if rect is None:
        return None
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject(FloatObject(float(v)) for v in rect.get_object()),
        NameObject("/Border"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(0)]),
    })
    action = annotation.get("/A")
    action = action.get_object() if action is not None else None
    if isinstance(action, DictionaryObject):
        kind = action.get("/S")
        if kind != "/GoTo":
            return None  # JavaScript, Launch, GoToR, SubmitForm, Named...: dropped
        dest: Any = action.get("/D")
    else:
        dest = annotation.get("/Dest")
    if dest is None:
        return None
    dest = dest.get_object()
    if not isinstance(dest, ArrayObject):
        found = named.get(str(dest))
        page = getattr(found, "page", None) if found is not None else None
        if page is None:
            return None
        dest = ArrayObject([page, NameObject("/Fit")])
    if not dest:
        return None
    target = dest[0]
    if not isinstance(target, IndirectObject) or target.idnum not in page_map:
        return None
    link[NameObject("/Dest")] = ArrayObject([page_map[target.idnum], NameObject("/Fit")])
    return link


def _flatten_widget(
    context: _Context, page: Any, widget: DictionaryObject, source: str
) -> bytes:
    """Draw a form field's appearance into the page (its value stays visible)."""
    rect = widget.get("/Rect")
    if rect is None:
        return b""
    rx0, ry0, rx1, ry1 = _ordered([float(v) for v in rect.get_object()])
    appearance = _normal_appearance(widget)
    if appearance is None:
        return _field_text_fallback(widget, (rx0, ry0, rx1, ry1), source)
    clone = cast(StreamObject, appearance.clone(context.writer))
    bbox = clone.get("/BBox")
    if bbox is None:
        return b""
    matrix_raw = clone.get("/Matrix")
    form_matrix: Matrix = (
        cast(Matrix, tuple(float(v) for v in matrix_raw.get_object()))
        if matrix_raw is not None and len(matrix_raw.get_object()) == 6
        else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    )
    bx0, by0, bx1, by1 = transform_rect(form_matrix, _ordered([float(v) for v in bbox]))
    if bx1 - bx0 <= 0 or by1 - by0 <= 0:
        return b""
    sx = (rx1 - rx0) / (bx1 - bx0)
    sy = (ry1 - ry0) / (by1 - by0)
    clone[NameObject("/Type")] = NameObject("/XObject")
    clone[NameObject("/Subtype")] = NameObject("/Form")
    context.field_counter += 1
    name = f"/BundlerField{context.field_counter}"
    resources = _resources(context, page)
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = DictionaryObject()
        resources[NameObject("/XObject")] = xobjects
    ref = clone.indirect_reference
    if ref is None or ref.pdf is not context.writer:
        ref = context.writer._add_object(clone)
    cast(DictionaryObject, xobjects.get_object())[NameObject(name)] = ref
    cm = " ".join(_fmt(v) for v in (sx, 0, 0, sy, rx0 - bx0 * sx, ry0 - by0 * sy))
    return f"q {cm} cm {name} Do Q\n".encode("ascii")


def _normal_appearance(widget: DictionaryObject) -> StreamObject | None:
    ap = widget.get("/AP")
    if ap is None:
        return None
    normal = ap.get_object().get("/N") if isinstance(ap.get_object(), DictionaryObject) else None
    if normal is None:
        return None
    normal = normal.get_object()
    if isinstance(normal, StreamObject):
        return normal
    if isinstance(normal, DictionaryObject):
        state = widget.get("/AS")
        if state is None or state not in normal:
            return None
        chosen = normal[state].get_object()
        return chosen if isinstance(chosen, StreamObject) else None
    return None


def _field_text_fallback(
    widget: DictionaryObject, rect: tuple[float, float, float, float], source: str
) -> bytes:
    """A field with a value but no appearance (NeedAppearances, as pdflatex writes them):
    print its value plainly: a text or choice field's text, an "X" in a ticked box."""
    text = _field_value_text(widget)
    if not text:
        return b""
    logger.warning("%s: a form field had no drawn appearance; its value was printed plainly",
                   source)
    safe = text.encode("cp1252", "replace").decode("latin-1")
    safe = safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    x0, y0, _x1, y1 = rect
    size = max(4.0, min(10.0, (y1 - y0) - 2))
    y = y0 + max(1.0, ((y1 - y0) - size) / 2)
    body = (f"q BT 0 g {FONT_RESOURCE} {_fmt(size)} Tf {_fmt(x0 + 2)} {_fmt(y)} Td ({safe}) Tj "
            "ET Q\n")
    return body.encode("latin-1")


_RADIO = 1 << 15
_PUSHBUTTON = 1 << 16


def _field_value_text(widget: DictionaryObject) -> str:
    """What a field without an appearance shows: its text, or "X" for a ticked box."""
    kind = _inherited(widget, "/FT")
    value = _inherited(widget, "/V")
    if kind == "/Btn":
        flags = int(_inherited(widget, "/Ff") or 0)
        if flags & _PUSHBUTTON:
            return ""
        state = widget.get("/AS")
        if state is None and not flags & _RADIO:
            state = value  # a check box's value is its state
        on = isinstance(state, NameObject) and state != "/Off"
        return "X" if on else ""
    if isinstance(value, ArrayObject):  # a list box with several choices
        return ", ".join(filter(None, (_as_text(item.get_object()) for item in value)))
    return _as_text(value)


def _as_text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, NameObject) or not isinstance(value, str):
        return ""
    return " ".join(value.split())


def _inherited(widget: DictionaryObject, key: str) -> Any:
    """A field attribute from the widget or the field it belongs to (ISO 32000-1, 12.7.3.1)."""
    node: Any = widget
    for _level in range(8):
        if not isinstance(node, DictionaryObject):
            return None
        if key in node:
            found = node[key]
            return found.get_object() if found is not None else None
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _ordered(values: list[float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = values[:4]
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _fmt(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def page_top(page: Any) -> tuple[float, float]:
    """(left, top) in user space of the page's top-left corner as displayed."""
    from bundler.bundle.stamp import apply

    geometry = _geometry(page)
    return apply(geometry.display_to_user, 0.0, geometry.height)


def destination(context: _Context, page_index: int) -> ArrayObject:
    """Go to the top of page ``page_index`` (0-based) keeping the reader's zoom: /XYZ with
    the displayed top-left corner and a null zoom (a /Fit would change the zoom)."""
    page, left, top = context.anchors[page_index]
    return ArrayObject([page, NameObject("/XYZ"),
                        FloatObject(round(left, 3)), FloatObject(round(top, 3)), NullObject()])


def _add_index_links(context: _Context, areas: Sequence[LinkArea], plan: Plan) -> None:
    """Each link area (an index row, a cited page) goes to its page keeping the reader's
    zoom; in a set of volumes, an index entry for a document in another volume opens that
    file at that page (a remote go-to, which viewers that open local files follow)."""
    writer = context.writer
    by_page: dict[int, ArrayObject] = {}
    for area in areas:
        link = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject(FloatObject(round(v, 3)) for v in area.rect),
            NameObject("/Border"): ArrayObject([NumberObject(0)] * 3),
        })
        if area.remote is not None:
            name, page = area.remote
            link[NameObject("/A")] = DictionaryObject({
                NameObject("/S"): NameObject("/GoToR"),
                NameObject("/F"): DictionaryObject({
                    NameObject("/Type"): NameObject("/Filespec"),
                    NameObject("/F"): TextStringObject(name),
                    NameObject("/UF"): TextStringObject(name)}),
                NameObject("/D"): ArrayObject([NumberObject(page), NameObject("/XYZ"),
                                               NullObject(), NullObject(), NullObject()]),
                NameObject("/NewWindow"): _true(),
            })
        else:
            link[NameObject("/Dest")] = destination(context, area.target_page(plan))
        by_page.setdefault(area.page, ArrayObject()).append(writer._add_object(link))
    for page_index, annots in sorted(by_page.items()):  # front matter: in memory
        writer.pages[page_index][NameObject("/Annots")] = annots


def _add_page_labels(writer: PdfWriter, plan: Plan) -> None:
    nums = ArrayObject()
    for label_range in plan.ranges:
        entry = DictionaryObject()
        if label_range.style is not LabelStyle.NONE:
            entry[NameObject("/S")] = NameObject(label_range.style.value)
        if label_range.prefix:
            entry[NameObject("/P")] = TextStringObject(label_range.prefix)
        if label_range.first != 1:
            entry[NameObject("/St")] = NumberObject(label_range.first)
        nums.extend([NumberObject(label_range.start), entry])
    writer.root_object[NameObject("/PageLabels")] = DictionaryObject({NameObject("/Nums"): nums})


def _add_attachment(writer: PdfWriter, manifest_json: bytes) -> None:
    """Attach the manifest as ``manifest.json`` (ISO 32000-1, 7.11.4), written out here
    rather than by pypdf's helper so every supported pypdf writes the same objects."""
    stream = DecodedStreamObject()
    stream._data = zlib.compress(manifest_json, 9)
    stream.update({
        NameObject("/Type"): NameObject("/EmbeddedFile"),
        NameObject("/Subtype"): NameObject("/application#2Fjson"),
        NameObject("/Filter"): NameObject("/FlateDecode"),
        NameObject("/Params"): DictionaryObject(
            {NameObject("/Size"): NumberObject(len(manifest_json))}),
    })
    spec = DictionaryObject({
        NameObject("/Type"): NameObject("/Filespec"),
        NameObject("/F"): TextStringObject("manifest.json"),
        NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(stream)}),
        NameObject("/UF"): TextStringObject("manifest.json"),
        NameObject("/Desc"): TextStringObject("Bundle manifest (bundler bundle verify)"),
        NameObject("/AFRelationship"): NameObject("/Data"),
    })
    spec_ref = writer._add_object(spec)
    tree = DictionaryObject({NameObject("/Names"): ArrayObject(
        [TextStringObject("manifest.json"), spec_ref])})
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/EmbeddedFiles"): writer._add_object(tree)})
    writer.root_object[NameObject("/AF")] = ArrayObject([spec_ref])


def _set_catalog(writer: PdfWriter, info: BundleInfo) -> None:
    first = writer.pages[0].indirect_reference
    writer.root_object[NameObject("/OpenAction")] = ArrayObject(
        [first, NameObject("/XYZ"), NullObject(), NullObject(), NumberObject(1)]
    )
    writer.root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
    writer.root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    writer.root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): cast(PdfObject, _true())}
    )
    stamp = info.build_date.strftime("D:%Y%m%d000000Z")
    metadata: dict[str, Any] = {
        "/Title": f"{info.reference}: {info.title}",
        "/Subject": f"Evidence bundle {info.reference}",
        "/Creator": info.tool,
        "/Producer": info.tool,
        "/CreationDate": stamp,
        "/ModDate": stamp,
    }
    if info.authority:
        metadata["/Author"] = info.authority
    writer.add_metadata(metadata)


def _true() -> Any:
    from pypdf.generic import BooleanObject

    return BooleanObject(True)


@dataclass
class _Mark:
    """A bookmark: title, 0-based bundle page, children."""

    title: str
    page: int
    children: list[_Mark]


def _own_outline(reader: PdfReader, source: str, base: int) -> list[_Mark]:
    """The document's own bookmarks, moved to its pages in the bundle."""
    count = len(reader.pages)

    def walk(items: list[Any], depth: int) -> list[_Mark]:
        marks: list[_Mark] = []
        for item in items:
            if isinstance(item, list):
                if depth < 8:
                    children = walk(item, depth + 1)
                    (marks[-1].children if marks else marks).extend(children)
                continue
            number = reader.get_destination_page_number(item)
            if number is None or not 0 <= number < count:
                continue
            title = " ".join(str(item.title or "").split())[:200] or f"page {number + 1}"
            marks.append(_Mark(title, base + number, []))
        return marks

    try:
        return walk(list(reader.outline), 0)
    except Exception:  # damaged bookmarks: the pages are fine, the bookmarks are not kept
        logger.warning("%s: its own bookmarks are damaged and were left out", source)
        return []


def _add_bookmarks(
    context: _Context,
    plan: Plan,
    documents: Sequence[AssemblyDocument],
    own_outlines: Sequence[list[_Mark]],
    log_title: str = "Redaction log",
    front_parts: Sequence[Part] = (),
) -> None:
    """Cover, the front matter's parts, each section and its documents (with their own
    bookmarks), the redaction log and the certificate, each giving its pages like the
    documents' do; every one keeps the reader's zoom."""
    from pypdf.generic import Fit

    from bundler.bundle.plan import label_span

    def add(mark: _Mark, parent: IndirectObject | None, is_open: bool) -> IndirectObject:
        page, left, top = context.anchors[mark.page]
        ref = context.writer.add_outline_item(
            title=mark.title, page_number=page, parent=parent, is_open=is_open,
            fit=Fit.xyz(round(left, 3), round(top, 3), None),
        )
        for child in mark.children:
            add(child, ref, False)
        return ref

    def own(title: str, first: int, last: int) -> _Mark:  # a part the bundle makes itself
        span = label_span(plan.labels[first], plan.labels[last])
        return _Mark(f"{title} ({span})", first, [])

    add(own("Cover", 0, 0), None, False)
    for part in front_parts:
        add(_Mark(f"{part.title} ({part.span})", part.first_page, []), None, False)
    if not front_parts and plan.front_pages > 1:
        add(own("Index", 1, plan.front_pages - 1), None, False)
    position = 0
    for section in plan.sections:
        section_ref = add(_Mark(f"{section.label}  {section.title}", section.first_page - 1, []),
                          None, True)
        while position < len(plan.documents) and plan.documents[position].section == section.label:
            planned = plan.documents[position]
            doc = documents[position]
            base = planned.first_page - 1
            children = [_Mark(title, base + index, []) for title, index in doc.outline
                        if 0 <= index < planned.pages]
            children += own_outlines[position]
            span = label_span(planned.first_label, planned.last_label)
            add(_Mark(bookmark_title(f"{planned.number}  ", doc.title, f" ({span})"), base,
                      children), section_ref, False)
            position += 1
    if plan.log_pages:
        add(own(log_title, plan.log_first_page - 1, plan.certificate_first_page - 2), None,
            False)
    add(own(CERTIFICATE_TITLE, plan.certificate_first_page - 1, plan.total_pages - 1), None,
        False)


BOOKMARK_LIMIT = 100  # characters: a bookmark panel shows about this many


def bookmark_title(head: str, title: str, tail: str) -> str:
    """``head + title + tail`` in under BOOKMARK_LIMIT characters: a long title is cut at a
    word with an ellipsis (the index and the manifest keep it whole)."""
    room = BOOKMARK_LIMIT - 1 - len(head) - len(tail)
    if len(title) > room:
        cut = title[: max(room - 1, 1)]
        if " " in cut[room // 2:]:
            cut = cut[: cut.rindex(" ")]
        title = cut.rstrip(" ,;:-") + "\u2026"
    return f"{head}{title}{tail}"


_ASCII_FILTERS = {"/ASCII85Decode": "a85", "/A85": "a85", "/ASCIIHexDecode": "hex", "/AHx": "hex"}


def _strip_ascii_images(context: _Context, page: Any) -> None:
    """Remove an ASCII85/ASCIIHex layer from the page's images (as qpdf does by default).

    Such layers (reportlab adds one to every stream) only make binary data 25% to 100%
    larger; the filters beneath (DCT, Flate) are kept byte for byte.
    """
    resources = page.get("/Resources")
    if resources is None:
        return
    xobjects = resources.get_object().get("/XObject")
    if xobjects is None:
        return
    for ref in xobjects.get_object().values():
        image = ref.get_object()
        if not isinstance(image, StreamObject) or image.get("/Subtype") != "/Image":
            continue
        if id(image) in context.seen_images:
            continue
        context.seen_images.add(id(image))
        _strip_ascii_layer(image)


def _strip_ascii_layer(stream: StreamObject) -> None:
    filters = stream.get("/Filter")
    if isinstance(filters, NameObject):
        filters = ArrayObject([filters])
    if not isinstance(filters, ArrayObject) or not filters:
        return
    kind = _ASCII_FILTERS.get(str(filters[0]))
    if kind is None:
        return
    try:
        data = ascii85_decode(stream._data) if kind == "a85" else ascii_hex_decode(stream._data)
    except (ValueError, struct.error):  # leave a stream we cannot decode exactly as it was
        return
    stream._data = data
    rest = ArrayObject(filters[1:])
    if not rest:
        del stream["/Filter"]
        stream.pop("/DecodeParms", None)
        return
    stream[NameObject("/Filter")] = rest[0] if len(rest) == 1 else rest
    parms = stream.get("/DecodeParms")
    if isinstance(parms, ArrayObject) and len(parms) == len(filters):
        trimmed = ArrayObject(parms[1:])
        stream[NameObject("/DecodeParms")] = trimmed[0] if len(trimmed) == 1 else trimmed
