"""Read any PDF's structure for `bundle check`: pages, labels, links, bookmarks, fonts,
images, actions and attachments.

qpdf does the parsing (``qpdf --json``, in a bounded child: see ``pdftools``) and repairs
what it can; this module reads its JSON, which names every object (``"12 0 R"``), and
follows references itself with limits on depth and count, so a hostile structure (loops,
deep nesting, a million bookmarks) ends in a bounded walk. Page content streams are read
straight from the file at the offsets qpdf reports (streams are never inside object
streams) and decoded with size limits; from them come the number of text-showing
operators each page draws and where each picture is drawn (its resolution). Nothing here
needs the toolkit's own manifest: the same reading serves bundles made by anything.

An encrypted file that opens without a password is decrypted by qpdf into a temporary
copy first (its streams are unreadable otherwise); one that needs a password stops with
PasswordRequired.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import mmap
import re
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bundler.bundle.pdftools import ToolFailed, run_bounded, tool
from bundler.errors import BadInput, PasswordRequired

MAX_JSON = 512 * 1024 * 1024  # qpdf's description of the file
MAX_STREAM = 32 * 1024 * 1024  # one decoded content stream
MAX_CONTENT = 2 * 1024**3  # all content streams read, decoded
MAX_WALK = 200_000  # objects visited by one walk (outline, name tree, actions)
MAX_DEPTH = 32
MAX_FORM_DEPTH = 6
_REF = re.compile(r"^(\d+) (\d+) R$")
_HEADER = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
_STREAM_KEYWORD = re.compile(rb"stream(?:\r\n|\n|\r)")
_TEXT_SHOW = re.compile(rb"(?:\)|>|\])\s*(?:Tj|TJ|'|\")(?![A-Za-z0-9_])")
_DELIM = rb"\s\[\]()<>{}/%"
_TOKENS = re.compile(
    rb"\((?:[^()\\]|\\.)*\)"  # a literal string (skipped)
    rb"|<[0-9A-Fa-f\s]*>"  # a hex string (skipped)
    rb"|%[^\r\n]*"  # a comment
    rb"|/([^" + _DELIM + rb"]+)\s+Do(?![^" + _DELIM + rb"])"
    rb"|((?:[-+]?(?:\d+\.?\d*|\.\d+)\s+){6})cm(?![^" + _DELIM + rb"])"
    rb"|(?<![^" + _DELIM + rb"])([qQ])(?![^" + _DELIM + rb"])"
    rb"|(?<![^" + _DELIM + rb"])BI(?![^" + _DELIM + rb"]).*?(?<![^" + _DELIM + rb"])EI"
    rb"(?![^" + _DELIM + rb"])",
    re.S,
)
_ACTIVE_MARKERS = tuple(f'"/{name}"'.encode() for name in (
    "JS", "JavaScript", "Launch", "GoToE", "SubmitForm", "ImportData", "RichMedia", "Screen",
    "Movie", "Sound", "3D"))
TEXT_ENOUGH = 16  # text-showing operators after which a page surely has text of its own
STANDARD_FONTS = frozenset({
    "Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic", "Helvetica",
    "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique", "Courier",
    "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Symbol", "ZapfDingbats",
    # the names Acrobat treats as the same fonts
    "Arial", "Arial,Bold", "Arial,Italic", "Arial,BoldItalic", "TimesNewRoman",
    "TimesNewRoman,Bold", "TimesNewRoman,Italic", "TimesNewRoman,BoldItalic", "CourierNew",
    "CourierNew,Bold", "CourierNew,Italic", "CourierNew,BoldItalic",
})
Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Target:
    """Where a link or bookmark leads."""

    kind: str  # page | broken | web | file | action | none
    page: int | None = None  # 1-based, for kind page (and file, when given)
    detail: str = ""  # the address, file name, action or why it is broken
    sets_zoom: bool = False  # Fit, FitH... or an XYZ zoom other than 100%
    fit: str = ""  # XYZ, Fit, FitH...
    zoom: float | None = None  # an XYZ destination's zoom (1 = 100%; None keeps the reader's)


@dataclass(frozen=True)
class Link:
    page: int  # the page the link is on (1-based)
    target: Target


@dataclass(frozen=True)
class Bookmark:
    title: str
    depth: int  # 0 = top level
    target: Target


@dataclass(frozen=True)
class Picture:
    pixels: tuple[int, int]
    dpi: tuple[float, float]
    area: float  # share of the page it covers (0..1, clipped)


@dataclass
class PageInfo:
    number: int  # 1-based
    width: float  # as displayed, points
    height: float
    rotate: int
    label: str | None = None
    text_ops: int | None = 0  # text-showing operators drawn; None: content unreadable
    has_images: bool = False
    pictures: list[Picture] = field(default_factory=list)
    fonts: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class FontInfo:
    name: str
    status: str  # embedded | standard | missing


@dataclass(frozen=True)
class Finding:
    """Active content or an attachment: what it is, and where."""

    kind: str  # javascript | launch | embedded-goto | attachment | multimedia | xfa | submit
    where: str  # "page 3", "the document's opening action", "object 12"
    page: int | None = None
    name: str = ""


@dataclass
class Scan:
    """Everything `bundle check` reads from one PDF."""

    path: Path
    size: int
    version: str
    pages: list[PageInfo]
    labels_present: bool
    links: list[Link]
    bookmarks: list[Bookmark]
    open_action: Target | None
    open_action_kind: str  # "none" | "destination" | "action"
    findings: list[Finding]
    attachments: list[tuple[str, bytes | None]]  # name, its bytes when it could be read
    fonts: dict[str, FontInfo]
    encrypted: bool
    restrictions: list[str]  # what the owner password forbids (copying, printing...)
    repairs: list[str]  # qpdf's warnings: damage it repaired
    scanned_path: Path  # the file text is read from (a decrypted copy when encrypted)


# --------------------------------------------------------------------------- qpdf


@contextmanager
def opened(path: Path, shown: str, timeout: float = 600) -> Iterator[PdfStructure]:
    """Read ``path``'s structure (qpdf); ``sizes()`` is quick, ``scan()`` reads the rest. The
    file text is read from (``path``, or a decrypted copy) stays readable inside the block."""
    qpdf = tool("qpdf", "qpdf")
    with tempfile.TemporaryDirectory(prefix="bundler-check-") as work:
        description, repairs = _describe(qpdf, path, shown, timeout)
        encrypt = description.get("encrypt") or {}
        target = path
        if encrypt.get("encrypted"):
            target = Path(work) / "decrypted.pdf"
            try:
                run_bounded([qpdf, "--decrypt", "--", str(path), str(target)], timeout=timeout,
                            max_output=1 << 20, ok_status=(0, 3))
            except ToolFailed as exc:
                raise BadInput(f"{shown}: is encrypted and could not be decrypted to check "
                               f"it (qpdf {exc})") from None
            description, _again = _describe(qpdf, target, shown, timeout)
        offsets = _offsets(qpdf, target, timeout)
        structure = PdfStructure(description, target, offsets, path, repairs, encrypt)
        try:
            yield structure
        finally:
            structure.close()


def _describe(qpdf: str, path: Path, shown: str, timeout: float) -> tuple[dict[str, Any],
                                                                         list[str]]:
    """qpdf's JSON description of the file, and the damage qpdf repaired to read it."""
    # (pages and bookmarks are walked here, loops stopped: qpdf's outline walk, which its
    # "pages" key makes too, is not bounded)
    argv = [qpdf, "--json=2", "--json-key=qpdf", "--json-key=encrypt",
            "--json-stream-data=none", "--", str(path)]
    try:  # status 3: it succeeded, after repairing damage (its warnings say what)
        finished = run_bounded(argv, timeout=timeout, max_output=MAX_JSON, ok_status=(0, 3))
    except ToolFailed as exc:
        raise _unreadable(exc, shown, str(path)) from None
    try:
        data = json.loads(finished.out)
    except (ValueError, RecursionError):
        raise BadInput(f"{shown}: its structure is too deeply nested or too large to check",
                       "Ask the sender for a plain copy of the bundle (printed to PDF "
                       "again).") from None
    if not isinstance(data, dict):
        raise BadInput(f"{shown}: is not a readable PDF")
    # whether any object could hold active content, found in C before walking in Python
    data["bundler:active"] = any(marker in finished.out for marker in _ACTIVE_MARKERS)
    repairs = [line.split("WARNING: ", 1)[-1].replace(f"{path}: ", "").strip()
               for line in finished.err.splitlines() if "WARNING" in line]
    return data, repairs[:20] if finished.status == 3 else []


def _unreadable(exc: ToolFailed, shown: str, path: str) -> BadInput | PasswordRequired:
    text = exc.stderr.replace(path, "").lower()  # (a file may be named "password.pdf")
    if "invalid password" in text:
        return PasswordRequired(f"{shown}: needs a password to open",
                                "Courts and tribunals need bundles that open without a "
                                "password: ask the sender for an unlocked copy.")
    if exc.status is None or exc.status < 0 or "bad_alloc" in text or "memory" in text:
        return BadInput(f"{shown}: is too large or too deeply tangled to check (the reader ran "
                        f"out of memory or time: {exc})",
                        "Ask the sender for a plain copy of the bundle (printed to PDF again).")
    if "not a pdf" in text or "header" in text or exc.status == 2:
        return BadInput(f"{shown}: is not a PDF file, or is too damaged to read",
                        "Ask the sender for a good copy of the bundle.")
    return BadInput(f"{shown}: could not be read to check it (qpdf {exc})",
                    "Ask the sender for a good copy of the bundle.")


def _offsets(qpdf: str, path: Path, timeout: float) -> dict[int, int]:
    try:
        out = run_bounded([qpdf, "--show-xref", "--", str(path)], timeout=timeout,
                          max_output=MAX_JSON, ok_status=(0, 3)).out
    except ToolFailed:
        return {}
    offsets: dict[int, int] = {}
    for found in re.finditer(rb"^(\d+)/\d+: uncompressed; offset = (\d+)", out, re.M):
        offsets[int(found.group(1))] = int(found.group(2))
    return offsets


# --------------------------------------------------------------------------- reading


def text_of(value: Any) -> str:
    """A PDF string from qpdf's JSON ("u:text" or "b:hex"), or a name without its slash."""
    if not isinstance(value, str):
        return ""
    if value.startswith("u:"):
        return value[2:]
    if value.startswith("b:"):
        try:
            raw = bytes.fromhex(value[2:])
        except ValueError:
            return ""
        if raw.startswith((b"\xfe\xff", b"\xff\xfe")):
            return raw.decode("utf-16", "replace")
        return raw.decode("latin-1")
    if value.startswith("/"):
        return value[1:]
    return value


def _number(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value) if math.isfinite(value) else default


class PdfStructure:
    """One PDF as qpdf describes it, with references followed on demand."""

    def __init__(self, description: dict[str, Any], path: Path, offsets: dict[int, int],
                 original: Path, repairs: list[str], encrypt: dict[str, Any]) -> None:
        self.path = path  # the file to read text from
        self.original = original
        self.repairs = repairs
        self.encrypt = encrypt
        self.offsets = offsets
        qpdf = description.get("qpdf")
        table = qpdf[1] if isinstance(qpdf, list) and len(qpdf) > 1 else {}
        header = qpdf[0] if isinstance(qpdf, list) and qpdf else {}
        self.version = str(header.get("pdfversion", "?")) if isinstance(header, dict) else "?"
        self.objects: dict[str, Any] = {}
        self.streams: set[str] = set()
        for key, entry in (table.items() if isinstance(table, dict) else ()):
            if not isinstance(entry, dict):
                continue
            name = key[4:] if key.startswith("obj:") else key
            if "stream" in entry and isinstance(entry["stream"], dict):
                self.objects[name] = entry["stream"].get("dict", {})
                self.streams.add(name)
            else:
                self.objects[name] = entry.get("value")
        self.description = description
        self.active_words = bool(description.get("bundler:active", True))
        trailer = self.objects.get("trailer")
        root = self.get(trailer.get("/Root")) if isinstance(trailer, dict) else None
        self.root: dict[str, Any] = root if isinstance(root, dict) else {}
        self.page_refs: list[str] = self._page_tree()
        self.page_index = {ref: number for number, ref in enumerate(self.page_refs, start=1)}
        self.decoded = 0
        self._names: dict[str, Any] | None = None
        self._forms: dict[str, int | None] = {}
        self._mapped: bytes | mmap.mmap | None = None
        self._sizes: list[tuple[tuple[float, float, int, float, float],
                                tuple[float, float, float, float]]] | None = None

    def _page_tree(self) -> list[str]:
        """The pages in order: the page tree's leaves, each node visited once."""
        pages: list[str] = []
        seen: set[str] = set()
        stack: list[tuple[Any, int]] = [(self.root.get("/Pages"), 0)]
        while stack and len(pages) < MAX_WALK:
            ref, depth = stack.pop()
            if not isinstance(ref, str) or ref in seen or depth > MAX_DEPTH:
                continue
            seen.add(ref)
            node = self.dict_of(ref)
            kids = node.get("/Kids")
            if node.get("/Type") == "/Page" or (kids is None and "/Type" not in node):
                pages.append(ref)
                continue
            stack.extend((kid, depth + 1) for kid in reversed(self.list_of(kids)[:MAX_WALK]))
        return pages

    def get(self, value: Any) -> Any:
        """``value`` with references followed (at most a few hops)."""
        for _hop in range(8):
            if isinstance(value, str) and _REF.match(value):
                value = self.objects.get(value)
            else:
                return value
        return None

    def dict_of(self, value: Any) -> dict[str, Any]:
        found = self.get(value)
        return found if isinstance(found, dict) else {}

    def list_of(self, value: Any) -> list[Any]:
        found = self.get(value)
        return found if isinstance(found, list) else []

    # ------------------------------------------------------------------ the whole file

    def sizes(self) -> list[tuple[float, float, float]]:
        """Every page's (width, height) as displayed and how far below the top of its media
        box (as displayed) the visible area starts, in points: what ``printed`` crops by."""
        if self._sizes is None:
            self._sizes = [self._geometry(self.dict_of(ref)) for ref in self.page_refs]
        return [(shown[0], shown[1], shown[4]) for shown, _box in self._sizes]

    def scan(self) -> Scan:
        original, repairs, encrypt = self.original, self.repairs, self.encrypt
        pages = [self._page(number, ref) for number, ref in enumerate(self.page_refs, start=1)]
        labels = self._labels(len(pages))
        for page, label in zip(pages, labels or [], strict=False):
            page.label = label
        links = [link for number, ref in enumerate(self.page_refs, start=1)
                 for link in self._links(number, ref)]
        open_kind, open_target = self._open_action()
        findings, attachments = self._active_content()
        caps = encrypt.get("capabilities") or {}
        restrictions = [what for key, what in (("extract", "copying text"),
                                                ("printhigh", "printing"),
                                                ("accessibility", "screen readers"))
                        if caps.get(key) is False]
        return Scan(
            path=original,
            size=original.stat().st_size,
            version=self.version,
            pages=pages,
            labels_present=labels is not None,
            links=links,
            bookmarks=self._bookmarks(),
            open_action=open_target,
            open_action_kind=open_kind,
            findings=findings,
            attachments=attachments,
            fonts=self._font_table(pages),
            encrypted=bool(encrypt.get("encrypted")),
            restrictions=restrictions,
            repairs=repairs,
            scanned_path=self.path,
        )

    # ------------------------------------------------------------------ pages

    def _inherited(self, page: dict[str, Any], key: str) -> Any:
        node: Any = page
        for _level in range(MAX_DEPTH):
            if not isinstance(node, dict):
                return None
            if key in node:
                return self.get(node[key])
            node = self.get(node.get("/Parent"))
        return None

    def _geometry(self, page: dict[str, Any]) -> tuple[tuple[float, float, int, float, float],
                                                       tuple[float, float, float, float]]:
        """((width, height, rotate, user unit, top offset) as displayed, the visible box)."""
        media = _box(self.list_of(self._inherited(page, "/MediaBox"))) or (0, 0, 612, 792)
        crop = _box(self.list_of(self._inherited(page, "/CropBox")))
        box = media
        if crop is not None:
            inter = (max(crop[0], media[0]), max(crop[1], media[1]), min(crop[2], media[2]),
                     min(crop[3], media[3]))
            if inter[2] - inter[0] > 1 and inter[3] - inter[1] > 1:
                box = inter
        unit = _number(page.get("/UserUnit"), 1.0) or 1.0
        rotate = int(_number(self._inherited(page, "/Rotate"))) % 360
        width, height = (box[2] - box[0]) * unit, (box[3] - box[1]) * unit
        if rotate in (90, 270):
            width, height = height, width
        # where the visible box's top edge is, below the top of the media box as displayed
        top = {0: media[3] - box[3], 90: box[0] - media[0], 180: box[1] - media[1],
               270: media[2] - box[2]}.get(rotate, 0.0) * unit
        return (round(width, 2), round(height, 2), rotate, unit, round(top, 2)), box

    def _page(self, number: int, ref: str) -> PageInfo:
        page = self.dict_of(ref)
        if self._sizes is None:
            self.sizes()
        assert self._sizes is not None
        (width, height, rotate, unit, _top), box = self._sizes[number - 1]
        info = PageInfo(number, width, height, rotate)
        resources = self.dict_of(self._inherited(page, "/Resources"))
        info.fonts = self._fonts_in(resources, 0)
        contents = self.get(page.get("/Contents"))
        parts = contents if isinstance(contents, list) else [page.get("/Contents")]
        xobjects = self.dict_of(resources.get("/XObject"))
        # Without XObjects, only whether the page draws more than a few strings matters:
        # the start of each stream is enough for most pages.
        for want in ((None,) if xobjects else (16384, None)):
            data = b""
            for part in parts[:4096]:
                chunk = self._stream_data(part, want)
                if chunk is None or len(data) + len(chunk) > MAX_STREAM:
                    info.text_ops = None
                    return info
                data += chunk + b"\n"
            info.text_ops = _count_text(data)
            if info.text_ops >= TEXT_ENOUGH:
                break
        if xobjects and b"Do" in data:
            self._walk(data, resources, _IDENTITY, info, (box[2] - box[0]) * (box[3] - box[1]),
                       unit, 0)
        info.has_images = info.has_images or bool(info.pictures)
        return info

    def _walk(self, data: bytes, resources: dict[str, Any], ctm: Matrix, info: PageInfo,
              page_area: float, unit: float, depth: int) -> None:
        """Follow q/Q/cm and Do: where each picture is drawn, and text inside forms."""
        xobjects = self.dict_of(resources.get("/XObject"))
        stack: list[Matrix] = []
        for found in _TOKENS.finditer(data):
            name, numbers, q = found.group(1), found.group(2), found.group(3)
            if q == b"q":
                if len(stack) < 256:
                    stack.append(ctm)
            elif q == b"Q":
                if stack:
                    ctm = stack.pop()
            elif numbers is not None:
                try:
                    values = tuple(float(v) for v in numbers.split())
                except ValueError:
                    continue
                ctm = _multiply(values, ctm)  # type: ignore[arg-type]
            elif name is not None:
                ref = xobjects.get("/" + _unescape_name(name))
                xobject = self.dict_of(ref)
                subtype = xobject.get("/Subtype")
                if subtype == "/Image":
                    info.has_images = True
                    if not xobject.get("/ImageMask"):
                        info.pictures.append(_picture(xobject, ctm, page_area, unit))
                elif subtype == "/Form" and depth < MAX_FORM_DEPTH and isinstance(ref, str):
                    self._form(ref, xobject, ctm, info, page_area, unit, depth)

    def _form(self, ref: str, form: dict[str, Any], ctm: Matrix, info: PageInfo,
              page_area: float, unit: float, depth: int) -> None:
        data = self._stream_data(ref)
        if data is None:
            return
        info.text_ops = (info.text_ops or 0) + _count_text(data)
        matrix = _matrix(self.list_of(form.get("/Matrix")))
        resources = self.dict_of(form.get("/Resources"))
        info.fonts |= self._fonts_in(resources, depth + 1)
        if b"Do" in data:
            self._walk(data, resources, _multiply(matrix, ctm), info, page_area, unit,
                       depth + 1)

    def _fonts_in(self, resources: dict[str, Any], depth: int) -> set[str]:
        fonts = self.dict_of(resources.get("/Font"))
        found = {value if isinstance(value, str) else f"direct:{name}"
                 for name, value in list(fonts.items())[:1024]}
        if depth < 2:  # forms a page can draw: their own fonts
            for value in list(self.dict_of(resources.get("/XObject")).values())[:256]:
                if not isinstance(value, str) or value in self._forms:
                    continue
                self._forms[value] = None
                form = self.dict_of(value)
                if form.get("/Subtype") == "/Form":
                    found |= self._fonts_in(self.dict_of(form.get("/Resources")), depth + 1)
        return found

    def _stream_data(self, ref: Any, want: int | None = None) -> bytes | None:
        """A stream's decoded bytes (at least the first ``want``), read from the file; None
        when it cannot be read."""
        if not isinstance(ref, str) or ref not in self.streams:
            return None
        found = _REF.match(ref)
        offset = self.offsets.get(int(found.group(1))) if found else None
        if offset is None:
            return None
        spec = self.dict_of(ref)
        length = self.get(spec.get("/Length"))
        if not isinstance(length, int) or length < 0 or length > 512 * 1024 * 1024:
            return None
        data_map = self._file()
        for window in (1024, 65536):
            head = data_map[offset:offset + window]
            if not _HEADER.match(head):
                return None
            keyword = _STREAM_KEYWORD.search(head)
            if keyword is not None:
                break
        else:
            return None
        start = offset + keyword.end()
        raw = data_map[start:start + length]
        data = _decode(raw, self.get(spec.get("/Filter")), self.get(spec.get("/DecodeParms")),
                       want)
        if data is not None:
            self.decoded += len(data)
            if self.decoded > MAX_CONTENT:
                return None
        return data

    def _file(self) -> bytes | mmap.mmap:
        if self._mapped is None:
            with self.path.open("rb") as handle:
                size = handle.seek(0, 2)
                self._mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if (
                    size) else b""
        return self._mapped

    def close(self) -> None:
        if isinstance(self._mapped, mmap.mmap):
            self._mapped.close()
        self._mapped = None

    # ------------------------------------------------------------------ labels

    def _labels(self, count: int) -> list[str] | None:
        tree = self.root.get("/PageLabels")
        if tree is None:
            return None
        pairs: list[tuple[Any, Any]] = []
        self._tree_leaves(tree, "/Nums", pairs, 0, set())
        entries = sorted(((key, self.dict_of(value)) for key, value in pairs
                          if isinstance(key, int) and not isinstance(key, bool)
                          and 0 <= key < count), key=lambda entry: entry[0])
        if not entries or entries[0][0] != 0:
            entries.insert(0, (0, {"/S": "/D"}))
        labels: list[str] = []
        for position, (start, spec) in enumerate(entries):
            end = entries[position + 1][0] if position + 1 < len(entries) else count
            first = int(_number(self.get(spec.get("/St")), 1.0)) or 1
            prefix = text_of(self.get(spec.get("/P")))
            style = self.get(spec.get("/S"))
            labels.extend(prefix + _label_number(style, first + offset)
                          for offset in range(end - start))
        return labels[:count]

    def _tree_leaves(self, node: Any, leaf_key: str, out: list[tuple[Any, Any]], depth: int,
                     seen: set[str]) -> None:
        """The key/value pairs of a number tree (``leaf_key`` /Nums) or a name tree (/Names),
        in the tree's order; bounded in depth, breadth and size, and loops are cut."""
        if depth > MAX_DEPTH or len(out) > MAX_WALK:
            return
        if isinstance(node, str):
            if node in seen:
                return
            seen.add(node)
        node = self.dict_of(node)
        items = self.list_of(node.get(leaf_key))
        out.extend((items[position], items[position + 1])
                   for position in range(0, len(items) - 1, 2))
        for kid in self.list_of(node.get("/Kids"))[:4096]:
            self._tree_leaves(kid, leaf_key, out, depth + 1, seen)

    def _name_tree(self, node: Any, out: dict[str, Any]) -> None:
        """A name tree's entries added to ``out`` (the first entry for a name wins)."""
        pairs: list[tuple[Any, Any]] = []
        self._tree_leaves(node, "/Names", pairs, 0, set())
        for key, value in pairs:
            out.setdefault(text_of(key), value)

    # ------------------------------------------------------------------ destinations

    def _named(self) -> dict[str, Any]:
        if self._names is None:
            names: dict[str, Any] = {}
            for key, value in list(self.dict_of(self.root.get("/Dests")).items())[:MAX_WALK]:
                names[key] = value
            tree = self.dict_of(self.root.get("/Names")).get("/Dests")
            self._name_tree(tree, names)
            self._names = names
        return self._names

    def destination(self, dest: Any) -> Target:
        value = self.get(dest)
        if isinstance(value, str):  # a named destination
            key = text_of(value)
            value = self.get(self._named().get(key if not value.startswith("/") else value[1:],
                                               self._named().get(value)))
            if isinstance(value, dict):
                value = self.get(value.get("/D"))
            if value is None:
                return Target("broken", detail=f"the named destination {key!r} does not exist")
        if not isinstance(value, list) or not value:
            return Target("broken", detail="no destination")
        page = self.page_index.get(value[0]) if isinstance(value[0], str) else None
        if page is None:
            return Target("broken", detail="a page that is not in the file")
        fit = value[1] if len(value) > 1 and isinstance(value[1], str) else ""
        raw_zoom = value[4] if fit == "/XYZ" and len(value) > 4 else None
        zoom = _number(raw_zoom, 0.0) or None
        sets_zoom = fit not in ("", "/XYZ") or (zoom is not None and zoom != 1)
        return Target("page", page, sets_zoom=sets_zoom, fit=fit.lstrip("/"), zoom=zoom)

    def action(self, action: Any, depth: int = 0) -> Target:
        spec = self.dict_of(action)
        kind = spec.get("/S")
        if kind == "/GoTo":
            return self.destination(spec.get("/D"))
        if kind == "/URI":
            return Target("web", detail=text_of(self.get(spec.get("/URI")))[:200])
        if kind == "/GoToR":
            return Target("file", _remote_page(self.get(spec.get("/D"))),
                          detail=self._file_name(spec.get("/F")))
        if kind is None:
            return Target("none", detail="no action")
        return Target("action", detail=text_of(kind))

    def _file_name(self, value: Any) -> str:
        value = self.get(value)
        if isinstance(value, dict):
            value = self.get(value.get("/UF")) or self.get(value.get("/F"))
        return text_of(value)[:300]

    # ------------------------------------------------------------------ links, bookmarks

    def _links(self, number: int, ref: str) -> Iterator[Link]:
        page = self.dict_of(ref)
        for annotation in self.list_of(page.get("/Annots"))[:4096]:
            spec = self.dict_of(annotation)
            if spec.get("/Subtype") != "/Link":
                continue
            if "/Dest" in spec:
                yield Link(number, self.destination(spec["/Dest"]))
            elif "/A" in spec:
                yield Link(number, self.action(spec["/A"]))
            else:
                yield Link(number, Target("none", detail="no destination"))

    def _bookmarks(self) -> list[Bookmark]:
        marks: list[Bookmark] = []
        outlines = self.dict_of(self.root.get("/Outlines"))
        seen: set[str] = set()

        def walk(first: Any, depth: int) -> None:
            item_ref = first
            while isinstance(item_ref, str) and item_ref not in seen and len(marks) < MAX_WALK:
                seen.add(item_ref)
                item = self.dict_of(item_ref)
                title = " ".join(text_of(self.get(item.get("/Title"))).split())
                if "/Dest" in item:
                    target = self.destination(item["/Dest"])
                elif "/A" in item:
                    target = self.action(item["/A"])
                else:
                    target = Target("none", detail="no destination")
                marks.append(Bookmark(title, depth, target))
                if depth < MAX_DEPTH:
                    walk(item.get("/First"), depth + 1)
                item_ref = item.get("/Next")

        walk(outlines.get("/First"), 0)
        return marks

    def _open_action(self) -> tuple[str, Target | None]:
        action = self.root.get("/OpenAction")
        value = self.get(action)
        if value is None:
            return "none", None
        if isinstance(value, list):
            return "destination", self.destination(value)
        target = self.action(value)
        return ("destination" if target.kind == "page" else "action"), target

    # ------------------------------------------------------------------ fonts

    def _font_table(self, pages: list[PageInfo]) -> dict[str, FontInfo]:
        table: dict[str, FontInfo] = {}
        for page in pages:
            for ref in page.fonts:
                if ref not in table:
                    table[ref] = self._font(ref)
        return table

    def _font(self, ref: str) -> FontInfo:
        font = self.dict_of(ref)
        name = text_of(self.get(font.get("/BaseFont"))) or "(unnamed)"
        subtype = font.get("/Subtype")
        if subtype == "/Type3":
            return FontInfo(name, "embedded")
        if subtype == "/Type0":
            kids = self.list_of(font.get("/DescendantFonts"))
            font = self.dict_of(kids[0]) if kids else {}
        descriptor = self.dict_of(font.get("/FontDescriptor"))
        if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            return FontInfo(name, "embedded")
        plain = name.split("+", 1)[-1] if re.match(r"^[A-Z]{6}\+", name) else name
        return FontInfo(name, "standard" if plain in STANDARD_FONTS else "missing")

    # ------------------------------------------------------------------ active content

    def _active_content(self) -> tuple[list[Finding], list[tuple[str, bytes | None]]]:
        where: dict[str, tuple[str, int | None]] = {}
        for number, ref in enumerate(self.page_refs, start=1):
            where[ref] = (f"page {number}", number)
            for annotation in self.list_of(self.dict_of(ref).get("/Annots"))[:4096]:
                if isinstance(annotation, str):
                    where.setdefault(annotation, (f"page {number}", number))
        root_ref = self._root_ref()
        if root_ref:
            where[root_ref] = ("the document catalog", None)
        findings: list[Finding] = []
        if "/XFA" in self.dict_of(self.root.get("/AcroForm")):
            findings.append(Finding("xfa", "the document's form (XFA)"))
        if not self.active_words:
            return findings, self._attachments()
        for ref, value in self.objects.items():
            if ref == "trailer" or len(findings) > 1000:
                continue
            place, page = where.get(ref, (f"object {ref.split()[0]}", None))
            for kind in self._kinds(value, 0):
                findings.append(Finding(kind, place, page))
        return _unique(findings), self._attachments()

    def _root_ref(self) -> str | None:
        trailer = self.objects.get("trailer")
        ref = trailer.get("/Root") if isinstance(trailer, dict) else None
        return ref if isinstance(ref, str) else None

    def _kinds(self, value: Any, depth: int) -> Iterator[str]:
        if depth > 12:
            return
        if isinstance(value, dict):
            action = value.get("/S")
            if action == "/JavaScript" or "/JS" in value:
                yield "javascript"
            elif action == "/Launch":
                yield "launch"
            elif action == "/GoToE":
                yield "embedded-goto"
            elif action in ("/SubmitForm", "/ImportData"):
                yield "submit"
            if value.get("/Subtype") in ("/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"):
                yield "multimedia"
            for item in list(value.values())[:512]:
                if isinstance(item, dict | list):
                    yield from self._kinds(item, depth + 1)
        elif isinstance(value, list):
            for item in value[:512]:
                if isinstance(item, dict | list):
                    yield from self._kinds(item, depth + 1)

    def _attachments(self) -> list[tuple[str, bytes | None]]:
        """Every embedded file: by name in the catalog, and files attached to pages."""
        found: list[tuple[str, bytes | None]] = []
        tree: dict[str, Any] = {}
        self._name_tree(self.dict_of(self.root.get("/Names")).get("/EmbeddedFiles"), tree)
        seen_streams: set[str] = set()
        for name, spec in list(tree.items())[:1000]:
            stream = self.dict_of(self.dict_of(spec).get("/EF")).get("/F")
            if isinstance(stream, str):
                seen_streams.add(stream)
            found.append((name or self._file_name(spec), self._small_file(stream)))
        for ref in self.streams:
            if self.dict_of(ref).get("/Type") == "/EmbeddedFile" and ref not in seen_streams:
                found.append((f"(unnamed, object {ref.split()[0]})", None))
            if len(found) > 1000:
                break
        return found

    def _small_file(self, ref: Any) -> bytes | None:
        """An attachment's bytes when it is small enough to be a manifest (16 MB)."""
        if not isinstance(ref, str):
            return None
        spec = self.dict_of(ref)
        if "/DecodeParms" in spec:
            return None
        data = self._stream_data(ref)
        return data if data is not None and len(data) <= 16 * 1024 * 1024 else None


# --------------------------------------------------------------------------- helpers


def _count_text(data: bytes) -> int:
    """Text-showing operators in ``data``, counted up to TEXT_ENOUGH."""
    count = 0
    for _found in _TEXT_SHOW.finditer(data):
        count += 1
        if count >= TEXT_ENOUGH:
            break
    return count


def _box(values: list[Any]) -> tuple[float, float, float, float] | None:
    if len(values) != 4:
        return None
    x0, y0, x1, y1 = (_number(v) for v in values)
    box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return box if box[2] - box[0] > 0 and box[3] - box[1] > 0 else None


def _matrix(values: list[Any]) -> Matrix:
    if len(values) != 6:
        return _IDENTITY
    a, b, c, d, e, f = (_number(v) for v in values)
    return (a, b, c, d, e, f)


def _multiply(first: Matrix, second: Matrix) -> Matrix:
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = second
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


def _picture(image: dict[str, Any], ctm: Matrix, page_area: float, unit: float) -> Picture:
    """Pixels, resolution (dots per inch) and the share of the page an image covers."""
    width = int(_number(image.get("/Width")))
    height = int(_number(image.get("/Height")))
    a, b, c, d, _e, _f = ctm
    shown_w = math.hypot(a, b) * unit
    shown_h = math.hypot(c, d) * unit
    dpi_x = width / (shown_w / 72) if shown_w > 0.01 else 0.0
    dpi_y = height / (shown_h / 72) if shown_h > 0.01 else 0.0
    area = min(1.0, abs(a * d - b * c) / page_area) if page_area > 0 else 0.0
    return Picture((width, height), (round(dpi_x, 1), round(dpi_y, 1)), round(area, 3))


def _decode(raw: bytes, filters: Any, parms: Any, want: int | None = None) -> bytes | None:
    """``raw`` through its filters (Flate, ASCII85, ASCIIHex); with ``want`` and a single
    Flate filter, only about the first ``want`` bytes. None for other filters or damage."""
    names = filters if isinstance(filters, list) else ([filters] if filters else [])
    parms_list = parms if isinstance(parms, list) else [parms] * len(names)
    data = raw
    for position, name in enumerate(names):
        parm = parms_list[position] if position < len(parms_list) else None
        if isinstance(parm, dict) and _number(parm.get("/Predictor"), 1) > 1:
            return None  # predictors are for images, never seen on page content
        try:
            if name in ("/FlateDecode", "/Fl"):
                inflater = zlib.decompressobj()
                last = position == len(names) - 1
                data = inflater.decompress(data, want if want and last else MAX_STREAM + 1)
            elif name in ("/ASCII85Decode", "/A85"):
                text = data.strip()
                text = text[2:] if text.startswith(b"<~") else text
                data = base64.a85decode(text.split(b"~>")[0], adobe=False,
                                        ignorechars=b" \t\n\r\x0c\x00")
            elif name in ("/ASCIIHexDecode", "/AHx"):
                text = re.sub(rb"\s", b"", data.split(b">")[0])
                data = binascii.unhexlify(text + (b"0" if len(text) % 2 else b""))
            else:
                return None
        except (zlib.error, ValueError, binascii.Error):
            return None
        if len(data) > MAX_STREAM:
            return None
    return data


def _label_number(style: Any, number: int) -> str:
    if style == "/D":
        return str(number)
    if number <= 0:
        return ""
    if style in ("/r", "/R"):
        from bundler.bundle.plan import roman  # (imports the spec models: only when needed)

        text = roman(min(number, 100_000))
        return text.upper() if style == "/R" else text
    if style in ("/a", "/A"):
        letter = chr(ord("A") + (number - 1) % 26) * ((number - 1) // 26 + 1)
        return letter if style == "/A" else letter.lower()
    return ""


def _remote_page(dest: Any) -> int | None:
    if isinstance(dest, list) and dest and isinstance(dest[0], int) and not isinstance(
            dest[0], bool):
        return dest[0] + 1
    return None


def _unescape_name(raw: bytes) -> str:
    """A name token's text (#xx escapes decoded)."""
    text = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
    return text.decode("latin-1")


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out: list[Finding] = []
    for finding in findings:
        key = (finding.kind, finding.where)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out
