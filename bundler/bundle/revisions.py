"""What changed in a PDF after one of its revisions, by kind: the later updates of a
signed bundle, read object by object rather than trusting any viewer's verdict.

A PDF can be changed without touching its earlier bytes: an *incremental update* appends
new versions of objects and a new cross-reference section. A signature covers the bytes
up to its own revision, so what matters is what the later updates change. Every object an
update writes that existed in the signed revision is compared with its signed value, and
each difference is named:

* ``annotation``: a comment added to a page (note, highlight, ink, stamp...): judges
  annotate bundles, so this is reported and allowed by the caller;
* ``signature field``: a signature widget added to a page (what signing itself adds);
* ``page content``: a page's own dictionary or anything it draws with (content streams,
  images, fonts, resources) changed;
* ``metadata``: the document information dictionary (``/Info``) or XMP metadata changed;
* ``structure``: anything else: the catalogue, page tree, bookmarks, attached files
  (the manifest), an annotation present when signed changed or removed, a link or form
  field added, an object deleted.

New objects that nothing changed points to are unreachable and so cannot change what a
reader sees: they are not reported. pyHanko's reader supplies each revision's view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

Key = tuple[int, int]  # (object number, generation)

# Markup annotations a reader adds as comments (ISO 32000-2, 12.5.6); Redact, FileAttachment,
# Sound and the multimedia ones are left out: they remove, attach or play, not comment.
COMMENT_SUBTYPES = frozenset({
    "/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine",
    "/Highlight", "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink",
    "/Popup",
})
_RESOURCE_KINDS = ("/XObject", "/Font", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading",
                   "/Properties")
_MAX_DEPTH = 32  # page tree and form nesting: deeper is hostile, not a document
_DESCRIBED_TYPES = {
    "/Catalog": "a document catalogue",
    "/Pages": "the page tree",
    "/Outlines": "the bookmarks",
    "/Filespec": "an attached file's entry",
    "/EmbeddedFile": "an attached file",
    "/Annot": "an annotation",
    "/Sig": "a signature",
    "/XObject": "an image or drawing",
    "/Font": "a font",
    "/Metadata": "XMP metadata",
    "/Action": "a link's action",
    "/ObjStm": "an object stream",
}


class ChangeKind(StrEnum):
    ANNOTATION = "annotation"
    SIGNATURE_FIELD = "signature field"
    PAGE_CONTENT = "page content"
    METADATA = "metadata"
    STRUCTURE = "structure"


@dataclass(frozen=True)
class Change:
    """One difference from the base revision, named for people."""

    kind: ChangeKind
    what: str  # e.g. "page 3: a Highlight comment", "document information (/Info): /Title"
    keys: frozenset[str] = frozenset()  # the catalogue or /Info keys concerned


def changes_since(reader: PdfFileReader, base: int, until: int | None = None) -> list[Change]:
    """Every change revision ``until`` (default: the last) makes to revision ``base``."""
    last = reader.xrefs.total_revisions - 1 if until is None else until
    if last <= base:
        return []
    return _Diff(reader, base, last).changes()


class _View:
    """One revision: its objects, trailer, pages and what each object is for."""

    def __init__(self, reader: PdfFileReader, revision: int) -> None:
        self.reader = reader
        self.revision = revision
        self.resolver: HistoricalResolver = reader.get_historical_resolver(revision)
        self.trailer = self.resolver.trailer_view
        self._pages: list[Key] | None = None
        self._content: dict[Key, int] | None = None
        self._arrays: dict[Key, tuple[Key, int]] | None = None

    def exists(self, key: Key) -> bool:
        ref = generic.Reference(key[0], key[1], pdf=self.reader)
        return self.reader.xrefs.get_historical_ref(ref, self.revision) is not None

    def get(self, key: Key) -> Any:
        return self.resolver.get_object(generic.Reference(key[0], key[1], pdf=self.resolver))

    def trailer_key(self, name: str) -> Key | None:
        return _key(_raw(self.trailer, name))

    def catalog_key(self, name: str) -> Key | None:
        root = self.trailer_key("/Root")
        catalog = self.get(root) if root else None
        return _key(_raw(catalog, name)) if isinstance(catalog, generic.DictionaryObject) else None

    def pages(self) -> list[Key]:
        """The page dictionaries, in order (the page tree walked once, cycles refused)."""
        if self._pages is None:
            found: list[Key] = []
            seen: set[Key] = set()
            root = self.trailer_key("/Root")
            catalog = self.get(root) if root else None
            top = _key(_raw(catalog, "/Pages")) if isinstance(
                catalog, generic.DictionaryObject) else None
            if top is not None:
                self._walk_pages(top, found, seen, 0)
            self._pages = found
        return self._pages

    def _walk_pages(self, key: Key, found: list[Key], seen: set[Key], depth: int) -> None:
        if key in seen or depth > _MAX_DEPTH:
            return
        seen.add(key)
        node = self.get(key)
        if not isinstance(node, generic.DictionaryObject):
            return
        kids = _deref(_raw(node, "/Kids"))
        if _name(node, "/Type") == "/Page" or not isinstance(kids, generic.ArrayObject):
            found.append(key)
            return
        for kid in kids:
            kid_key = _key(kid)
            if kid_key is not None:
                self._walk_pages(kid_key, found, seen, depth + 1)

    def page_number(self, key: Key) -> int | None:
        """The 1-based number of the page ``key``, found by climbing its /Parent chain and
        counting the pages before it at each level (no walk over every page); None when it
        is not a page of this revision's page tree."""
        if _name(self.get(key), "/Type") != "/Page":
            return None
        index, current, seen = 0, key, {key}
        while True:
            parent_key = _key(_raw(self.get(current), "/Parent"))
            if parent_key is None or parent_key in seen or len(seen) > _MAX_DEPTH:
                break
            seen.add(parent_key)
            kids = _deref(_raw(self.get(parent_key), "/Kids"))
            if not isinstance(kids, generic.ArrayObject):
                return None
            keys = [_key(kid) for kid in kids]
            if current not in keys:
                return None
            earlier = keys[: keys.index(current)]
            flat = _count(self.get(parent_key)) == len(keys)  # every kid is a page
            index += len(earlier) if flat else sum(self._pages_in(kid) for kid in earlier)
            current = parent_key
        root = self.trailer_key("/Root")
        top = _key(_raw(self.get(root), "/Pages")) if root is not None else None
        return index + 1 if current == top else None

    def _pages_in(self, key: Key | None) -> int:
        node = self.get(key) if key is not None else None
        return _count(node) if _name(node, "/Type") == "/Pages" else 1

    def page_dict(self, key: Key) -> generic.DictionaryObject:
        page = self.get(key)
        return page if isinstance(page, generic.DictionaryObject) else _empty()

    def annotations(self, page: Key) -> list[tuple[Any, ...]]:
        """Identities of a page's annotations: (number, generation) or a direct dict's text."""
        annots = _deref(_raw(self.page_dict(page), "/Annots"))
        if not isinstance(annots, generic.ArrayObject):
            return []
        found: list[tuple[Any, ...]] = []
        for entry in annots:
            key = _key(entry)
            found.append(key if key is not None else ("direct", str(entry)[:4000]))
        return found

    def annotation_arrays(self) -> dict[Key, tuple[Key, int]]:
        """Indirect /Annots arrays -> the page (and its 1-based number) they belong to."""
        if self._arrays is None:
            found: dict[Key, tuple[Key, int]] = {}
            for number, page in enumerate(self.pages(), start=1):
                key = _key(_raw(self.page_dict(page), "/Annots"))
                if key is not None:
                    found.setdefault(key, (page, number))
            self._arrays = found
        return self._arrays

    def annotation_owners(self) -> dict[Key, int]:
        """Annotations -> the page (1-based) showing them."""
        found: dict[Key, int] = {}
        for number, page in enumerate(self.pages(), start=1):
            for entry in self.annotations(page):
                if entry[0] != "direct":
                    found.setdefault((entry[0], entry[1]), number)
        return found

    def content_owners(self) -> dict[Key, int]:
        """Everything pages draw with (contents, resources, images, fonts) -> first page."""
        if self._content is None:
            found: dict[Key, int] = {}
            for number, page in enumerate(self.pages(), start=1):
                page_dict = self.page_dict(page)
                self._mark(_raw(page_dict, "/Contents"), number, found, 0)
                self._mark_resources(_raw(page_dict, "/Resources"), number, found, 0)
            self._content = found
        return self._content

    def _mark(self, value: Any, page: int, found: dict[Key, int], depth: int) -> None:
        if not _claim(value, page, found):
            return
        target = _deref(value)
        if isinstance(target, generic.ArrayObject) and depth < 2:
            for item in target:
                self._mark(item, page, found, depth + 1)

    def _mark_resources(self, value: Any, page: int, found: dict[Key, int], depth: int) -> None:
        if depth > 3 or not _claim(value, page, found):
            return
        resources = _deref(value)
        if not isinstance(resources, generic.DictionaryObject):
            return
        for kind in _RESOURCE_KINDS:
            group = _raw(resources, kind)
            self._mark(group, page, found, 2)
            group = _deref(group)
            if not isinstance(group, generic.DictionaryObject):
                continue
            for name in list(group.keys()):
                item = _raw(group, name)
                item_key = _key(item)
                if item_key is None or item_key in found:
                    continue
                found[item_key] = page
                target = _deref(item)
                if isinstance(target, generic.StreamObject):  # a form draws with resources
                    self._mark_resources(_raw(target, "/Resources"), page, found, depth + 1)


@dataclass
class _Diff:
    reader: PdfFileReader
    base: int
    last: int
    found: list[Change] = field(default_factory=list)
    pages_done: set[int] = field(default_factory=set)

    def changes(self) -> list[Change]:
        self.old = _View(self.reader, self.base)
        self.new = _View(self.reader, self.last)
        touched: set[Key] = set()
        freed: set[Key] = set()
        for revision in range(self.base + 1, self.last + 1):
            touched |= {(ref.idnum, ref.generation)
                        for ref in self.reader.xrefs.explicit_refs_in_revision(revision)}
            freed |= {(ref.idnum, ref.generation)
                      for ref in self.reader.xrefs.refs_freed_in_revision(revision)}
        skip = {(ref.idnum, ref.generation) for ref in self.reader.xrefs.xref_stream_refs}
        self._trailer_changes()
        changed = [key for key in sorted(touched - skip)
                   if self.old.exists(key) and not _same(self.old.get(key), self.new.get(key))]
        for key in changed:
            self._classify(key)
        for key in sorted(freed):
            if self.old.exists(key):
                self.found.append(Change(ChangeKind.STRUCTURE,
                                         f"{self._describe(key)} was deleted"))
        # pages added, removed or moved change a page tree node or the catalogue: reported
        return _unique(self.found)

    # ------------------------------------------------------------------ trailer

    def _trailer_changes(self) -> None:
        old, new = self.old, self.new
        if old.trailer_key("/Root") != new.trailer_key("/Root"):
            self.found.append(Change(ChangeKind.STRUCTURE, "the document catalogue was "
                                     "replaced (/Root)"))
        if not _same(_raw(old.trailer, "/Encrypt"), _raw(new.trailer, "/Encrypt")):
            self.found.append(Change(ChangeKind.STRUCTURE, "the encryption (/Encrypt)"))
        before, after = old.trailer_key("/Info"), new.trailer_key("/Info")
        if before != after:
            old_info = old.get(before) if before else _empty()
            new_info = new.get(after) if after else _empty()
            keys = _changed_keys(old_info, new_info)
            self.found.append(Change(ChangeKind.METADATA, "document information (/Info) "
                                     f"replaced: {_names(keys)}", frozenset(keys)))

    # ------------------------------------------------------------------ objects

    def _classify(self, key: Key) -> None:
        old, new = self.old, self.new
        number = old.page_number(key)
        if number is not None:
            self._page_changed(key, number)
        elif key == old.trailer_key("/Root"):
            self._catalog_changed(key)
        elif key == old.trailer_key("/Info"):
            keys = _changed_keys(old.get(key), new.get(key))
            self.found.append(Change(ChangeKind.METADATA, "document information (/Info): "
                                     f"{_names(keys)}", frozenset(keys)))
        elif key == old.catalog_key("/Metadata"):
            self.found.append(Change(ChangeKind.METADATA, "XMP metadata (/Metadata)"))
        elif key == old.catalog_key("/AcroForm"):
            self.found.append(Change(ChangeKind.STRUCTURE, "the form fields (/AcroForm)",
                                     frozenset({"/AcroForm"})))
        elif key in old.annotation_arrays():
            self._annotations_changed(*old.annotation_arrays()[key])
        elif key in old.annotation_owners():
            page = old.annotation_owners()[key]
            self.found.append(Change(ChangeKind.STRUCTURE, f"page {page}: an annotation present "
                                     f"when signed ({_subtype(old.get(key)).lstrip('/')}) was changed"))
        elif key in old.content_owners():
            page = old.content_owners()[key]
            self.found.append(Change(ChangeKind.PAGE_CONTENT, f"page {page}: "
                                     f"{self._describe(key)} it draws with was changed"))
        else:
            self.found.append(Change(ChangeKind.STRUCTURE, f"{self._describe(key)} was changed"))

    def _page_changed(self, key: Key, number: int) -> None:
        keys = _changed_keys(self.old.page_dict(key), self.new.page_dict(key))
        content = sorted(keys - {"/Annots"})
        if content:
            self.found.append(Change(ChangeKind.PAGE_CONTENT, f"page {number}: "
                                     f"{_names(set(content))} changed", frozenset(content)))
        if "/Annots" in keys:
            self._annotations_changed(key, number)

    def _annotations_changed(self, page: Key, number: int) -> None:
        if number in self.pages_done:
            return
        self.pages_done.add(number)
        before = self.old.annotations(page)
        after = self.new.annotations(page)
        removed = [entry for entry in before if entry not in after]
        if removed:
            kinds = sorted({self._subtype_of(self.old, entry) for entry in removed})
            self.found.append(Change(ChangeKind.STRUCTURE, f"page {number}: {len(removed)} "
                                     f"annotation(s) present when signed removed "
                                     f"({', '.join(kinds)})"))
        for entry in after:
            if entry in before:
                continue
            annotation = self._resolve(self.new, entry)
            subtype = _subtype(annotation)
            if subtype in COMMENT_SUBTYPES:
                self.found.append(Change(ChangeKind.ANNOTATION,
                                         f"page {number}: {subtype.lstrip('/')}"))
            elif subtype == "/Widget" and _is_signature_field(annotation):
                self.found.append(Change(ChangeKind.SIGNATURE_FIELD,
                                         f"page {number}: a signature field"))
            else:
                self.found.append(Change(ChangeKind.STRUCTURE, f"page {number}: an added "
                                         f"{subtype.lstrip('/') or 'unknown'} annotation (not a "
                                         "comment)"))

    def _catalog_changed(self, key: Key) -> None:
        keys = _changed_keys(self.old.get(key), self.new.get(key))
        if "/Metadata" in keys:
            self.found.append(Change(ChangeKind.METADATA, "XMP metadata (/Metadata)",
                                     frozenset({"/Metadata"})))
        for name in sorted(keys - {"/Metadata"}):
            self.found.append(Change(ChangeKind.STRUCTURE, f"the document catalogue: {name}",
                                     frozenset({name})))

    # ------------------------------------------------------------------ words

    def _resolve(self, view: _View, entry: tuple[Any, ...]) -> Any:
        if entry[0] == "direct":
            return None
        return view.get((entry[0], entry[1]))

    def _subtype_of(self, view: _View, entry: tuple[Any, ...]) -> str:
        return _subtype(self._resolve(view, entry)).lstrip("/") or "unknown"

    def _describe(self, key: Key) -> str:
        try:
            obj = self.old.get(key)
        except Exception:  # a damaged object is still an object
            obj = None
        if isinstance(obj, generic.DictionaryObject):
            kind = _name(obj, "/Type")
            if kind in _DESCRIBED_TYPES:
                return f"{_DESCRIBED_TYPES[kind]} (object {key[0]})"
            if "/Title" in obj and "/Parent" in obj:
                return f"a bookmark (object {key[0]})"
            if isinstance(obj, generic.StreamObject):
                return f"a content stream (object {key[0]})"
        return f"object {key[0]}"


# --------------------------------------------------------------------------- helpers


def _empty() -> generic.DictionaryObject:
    return generic.DictionaryObject()  # type: ignore[no-untyped-call]


def _claim(value: Any, page: int, found: dict[Key, int]) -> bool:
    """Mark an indirect ``value`` as drawn on ``page``; False when already marked."""
    key = _key(value)
    if key is None:
        return True
    if key in found:
        return False
    found[key] = page
    return True


def _raw(container: Any, name: str) -> Any:
    if not isinstance(container, generic.DictionaryObject) or name not in container:
        return None
    return container.raw_get(name)


def _deref(value: Any) -> Any:
    if isinstance(value, generic.IndirectObject):
        return value.get_object()  # type: ignore[no-untyped-call]
    return value


def _key(value: Any) -> Key | None:
    if isinstance(value, generic.IndirectObject):
        return value.idnum, value.generation
    return None


def _name(container: Any, name: str) -> str:
    value = _deref(_raw(container, name))
    return str(value) if isinstance(value, generic.NameObject) else ""


def _subtype(annotation: Any) -> str:
    return _name(annotation, "/Subtype")


def _count(node: Any) -> int:
    value = _deref(_raw(node, "/Count"))
    return int(value) if isinstance(value, int) and value >= 0 else 0


def _is_signature_field(widget: Any) -> bool:
    if _name(widget, "/FT") == "/Sig":
        return True
    parent = _deref(_raw(widget, "/Parent"))
    return _name(parent, "/FT") == "/Sig"


def _changed_keys(before: Any, after: Any) -> set[str]:
    left = before if isinstance(before, generic.DictionaryObject) else _empty()
    right = after if isinstance(after, generic.DictionaryObject) else _empty()
    return {str(name) for name in set(left.keys()) | set(right.keys())
            if not _same(_raw(left, name), _raw(right, name))}


def _names(keys: set[str]) -> str:
    return ", ".join(sorted(keys)) or "its entries"


def _same(a: Any, b: Any, depth: int = 0) -> bool:
    """Equal as PDF values: references by number, streams by their stored bytes."""
    if depth > 64:
        return False
    if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
        return _key(a) == _key(b)
    if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
        return (isinstance(a, generic.StreamObject) and isinstance(b, generic.StreamObject)
                and a.encoded_data == b.encoded_data and _same_dict(a, b, depth))
    if isinstance(a, generic.DictionaryObject) or isinstance(b, generic.DictionaryObject):
        return (isinstance(a, generic.DictionaryObject) and isinstance(b, generic.DictionaryObject)
                and _same_dict(a, b, depth))
    if isinstance(a, generic.ArrayObject) or isinstance(b, generic.ArrayObject):
        return (isinstance(a, generic.ArrayObject) and isinstance(b, generic.ArrayObject)
                and len(a) == len(b)
                and all(_same(x, y, depth + 1) for x, y in zip(a, b, strict=True)))
    return type(a) is type(b) and bool(a == b)


def _same_dict(a: generic.DictionaryObject, b: generic.DictionaryObject, depth: int) -> bool:
    if set(a.keys()) != set(b.keys()):
        return False
    return all(_same(a.raw_get(name), b.raw_get(name), depth + 1) for name in a)


def _unique(changes: list[Change]) -> list[Change]:
    return list(dict.fromkeys(changes))

