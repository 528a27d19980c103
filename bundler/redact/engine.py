"""Redact one document: find what to remove, remove it, and say what was removed.

1. *Find*: the words of every page (``words``: poppler for the text a PDF carries; tesseract
   for pages that are mostly picture: scans, photographs, pages with no text); the terms and
   patterns of the rules (``terms``) mark runs of words, each becoming one box per line;
   regions the officer drew are added. Annotations whose text holds a term (a comment, a
   link to an e-mail address) and annotations under a box are removed.
2. *Remove*: each page with boxes has what lies under them taken out of its content
   (``strip``). A page that engine cannot clear (a font it cannot place, an inline image, a
   form field under a box), or where poppler still reads a word under a box afterwards, is
   re-rendered as a picture with the boxes burnt in (``raster``).
3. *Report*: one entry per page, kind of data and reason (how many boxes, how removed): the
   redaction log. Never the text removed.

Same input, same rules, same tools: same bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from bundler.bundle.stamp import PageGeometry
from bundler.redact.strip import COVERED, Box, NotUnderstood, Stripper
from bundler.redact.terms import DataKind, Hit, Matcher, find_hits, redact_line
from bundler.redact.words import (
    Rect,
    Word,
    display_geometry,
    from_display,
    ocr_words,
    text_words,
)

logger = logging.getLogger(__name__)

MM = 72 / 25.4
PAD = 1.0  # points added around each word's box
PICTURE_SHARE = 0.5  # pages this much covered by pictures are read by OCR too
STRIPPED = "removed from the page"
RENDERED = "page re-rendered"
_ANNOTATION_TEXT = ("/Contents", "/T", "/Subj", "/RC", "/TU", "/V", "/NM")


@dataclass(frozen=True)
class Region:
    """A rectangle the officer marked: page (1-based) and millimetres from the displayed
    page's top-left corner."""

    page: int
    left: float
    top: float
    width: float
    height: float
    reason: str


@dataclass(frozen=True)
class Rules:
    """Everything to redact in one document."""

    matcher: Matcher
    regions: tuple[Region, ...] = ()

    @property
    def empty(self) -> bool:
        return self.matcher.empty and not self.regions


@dataclass(frozen=True)
class Entry:
    """One line of the redaction log (never the text removed)."""

    page: int  # 1-based, in the document
    kind: DataKind
    reason: str
    boxes: int
    method: str  # STRIPPED or RENDERED (or "annotation removed")


@dataclass(frozen=True)
class Redacted:
    """A redacted copy of a document, and its log."""

    pdf: Path
    entries: tuple[Entry, ...]
    rendered_pages: tuple[int, ...]  # 0-based pages that became pictures
    ocr_pages: tuple[int, ...]  # 0-based pages read by OCR
    boxes: tuple[tuple[Rect, ...], ...]  # per page: each box, user space of the original
    textless: tuple[int, ...] = ()  # 0-based pages that had no text and now carry reason codes



@dataclass
class _Page:
    boxes: list[tuple[Box, DataKind]]
    words: list[Word]
    drop_annotations: list[int]
    dropped_kinds: list[tuple[DataKind, str]]
    rasterise: str | None = None  # why the page must be re-rendered


def redact_pdf(
    pdf: Path,
    password: str | None,
    rules: Rules,
    workdir: Path,
    where: str,
    report: Callable[[str], None] = lambda _m: None,
    method: str = "auto",
) -> Redacted | None:
    """A redacted copy of ``pdf`` in ``workdir``, or None when nothing in it is marked.

    ``method``: "auto" removes from the page's content where it can and re-renders the
    pages it cannot; "render" re-renders every page with a box (for comparison).
    """
    from bundler.evidence.pdfopen import pypdf_messages

    if rules.empty:
        return None
    with pypdf_messages():
        reader = PdfReader(pdf, strict=False)
        if reader.is_encrypted:
            reader.decrypt(password or "")
        plain = _plain(reader, pdf, workdir)
        pages = list(reader.pages)
        found = _find(plain, pages, rules, workdir, where, report)
        if not any(page.boxes or page.drop_annotations for page in found):
            return None
        if method == "render":
            for page in found:
                if page.boxes:
                    page.rasterise = page.rasterise or "re-rendering chosen"
        return _remove(plain, reader, found, workdir, where)


def mark_pdf(
    pdf: Path,
    password: str | None,
    rules: Rules,
    workdir: Path,
    where: str,
    report: Callable[[str], None] = lambda _m: None,
) -> Redacted | None:
    """A copy of ``pdf`` with what ``rules`` would redact outlined in red, nothing removed
    (the tribunal's unedited bundle shows what the parties' bundles do not); None when
    nothing is marked."""
    from bundler.evidence.pdfopen import pypdf_messages

    if rules.empty:
        return None
    with pypdf_messages():
        reader = PdfReader(pdf, strict=False)
        if reader.is_encrypted:
            reader.decrypt(password or "")
        plain = _plain(reader, pdf, workdir)
        found = _find(plain, list(reader.pages), rules, workdir, where, report)
        if not any(page.boxes for page in found):
            return None
        writer = PdfWriter()
        painter = Stripper(writer)
        for page, finding in zip(reader.pages, found, strict=True):
            added = writer.add_page(page)
            if finding.boxes:
                painter.mark_page(added, [box for box, _kind in finding.boxes],
                                  _geometry(added))
        _copy_outline(reader, writer)
        digest = hashlib.sha256(plain.read_bytes()).hexdigest()[:20]
        out = workdir / f"marked-{digest}.pdf"
        with out.open("wb") as handle:
            writer.write(handle)
    entries = tuple(Entry(e.page, e.kind, e.reason, e.boxes, "marked")
                    for e in _entries(found, {}) if e.method == STRIPPED)
    return Redacted(out, entries, (), tuple(i for i, page in enumerate(found)
                                            if any(w.ocr for w in page.words)),
                    tuple(tuple(box.rect for box, _kind in page.boxes) for page in found),
                    _textless(found, {}))


def _textless(found: Sequence[_Page], rendered: dict[int, str]) -> tuple[int, ...]:
    """Pages that had no text of their own and now show reason codes as text: ``--ocr``
    must still read them (a re-rendered page has its own text layer already)."""
    return tuple(i for i, page in enumerate(found) if page.boxes and i not in rendered
                 and not any(not w.ocr for w in page.words))


def _plain(reader: PdfReader, pdf: Path, workdir: Path) -> Path:
    """A copy poppler can open without a password (never put one on a command line)."""
    if not reader.is_encrypted:
        return pdf
    from bundler.bundle.ocr import plain_copy

    digest = hashlib.sha256(str(pdf).encode()).hexdigest()[:16]
    return plain_copy(reader, workdir / f"plain-{digest}.pdf")


# ---------------------------------------------------------------------- finding


def _find(plain: Path, pages: Sequence[Any], rules: Rules, workdir: Path, where: str,
          report: Callable[[str], None]) -> list[_Page]:
    text = text_words(plain, pages, where)
    found = [_Page([], list(words), [], []) for words in text]
    if not rules.matcher.empty:
        pictures = _picture_pages(plain, pages)
        read = [index for index, words in enumerate(text) if not words or index in pictures]
        if read:
            _read_pictures(plain, pages, read, found, workdir, where, report)
    for index, page in enumerate(found):
        text_only = [w for w in page.words if not w.ocr]
        read_words = [w for w in page.words if w.ocr]
        for words, fuzzy in ((text_only, False), (read_words, True)):
            for hit in find_hits([w.text for w in words], rules.matcher, fuzzy=fuzzy):
                page.boxes.extend(_hit_boxes(words, hit))
        geometry = display_geometry(pages[index], visible=True)
        for region in rules.regions:
            if region.page == index + 1:
                rect = from_display(geometry, region.left * MM, region.top * MM,
                                    (region.left + region.width) * MM,
                                    (region.top + region.height) * MM)
                page.boxes.append((Box(rect, region.reason, whole=True), DataKind.REGION))
        page.boxes = _merged(page.boxes)
        _check_annotations(pages[index], page, rules.matcher)
    for region in rules.regions:
        if not 1 <= region.page <= len(pages):
            logger.warning("%s: a redaction region is on page %d, but the document has %d "
                           "page(s); it was not applied", where, region.page, len(pages))
    return found


def _picture_pages(pdf: Path, pages: Sequence[Any]) -> set[int]:
    """Pages at least ``PICTURE_SHARE`` covered by pictures (by ``pdfimages -list``)."""
    program = shutil.which("pdfimages")
    if program is None:
        return set()
    try:
        done = subprocess.run([program, "-list", str(pdf)], capture_output=True, timeout=120,
                              check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return set(range(len(pages)))
    covered: dict[int, float] = {}
    for line in done.stdout.decode("ascii", "replace").splitlines()[2:]:
        cells = line.split()
        if len(cells) < 14 or cells[2] != "image":
            continue
        try:
            page, width, height = int(cells[0]), int(cells[3]), int(cells[4])
            x_ppi, y_ppi = float(cells[12]), float(cells[13])
        except ValueError:
            continue
        if x_ppi > 0 and y_ppi > 0:
            covered[page - 1] = covered.get(page - 1, 0.0) + \
                (width / x_ppi * 72) * (height / y_ppi * 72)
    result = set()
    for index, area in covered.items():
        if 0 <= index < len(pages):
            geometry = display_geometry(pages[index], visible=True)
            if area >= PICTURE_SHARE * geometry.width * geometry.height:
                result.add(index)
    return result


def _read_pictures(pdf: Path, pages: Sequence[Any], read: list[int], found: list[_Page],
                   workdir: Path, where: str, report: Callable[[str], None]) -> None:
    from bundler.bundle.ocr import PageJob, find_engine, recognise_words, render_dpi
    from bundler.errors import MissingTool

    try:
        engine = find_engine()
    except MissingTool as exc:
        raise MissingTool(
            f"{where}: has {len(read)} scanned or picture page(s) that must be read to be "
            f"redacted, which needs Tesseract OCR ({exc.message.split('(', 1)[-1].rstrip(')')})",
            "Install it (Debian: sudo apt-get install tesseract-ocr tesseract-ocr-eng).") \
            from None
    jobs = [PageJob(0, index, pdf, where, render_dpi(pages[index])) for index in read]
    report(f"{where}: reading {len(jobs)} picture page(s) for redaction (OCR)")
    for job, table in zip(jobs, recognise_words(engine, jobs, workdir, report), strict=True):
        geometry = display_geometry(pages[job.page], visible=True)
        found[job.page].words.extend(ocr_words(table, geometry, job.dpi))


def _merged(boxes: list[tuple[Box, DataKind]]) -> list[tuple[Box, DataKind]]:
    """Overlapping boxes of one reason (a full name and its parts) as one box; the kind
    kept is the first found (names before patterns)."""
    merged: list[tuple[Box, DataKind]] = []
    for box, kind in boxes:
        for position, (other, other_kind) in enumerate(merged):
            if (other.reason == box.reason and other.whole == box.whole
                    and _overlap(other.rect, box.rect) > 0 and _same_line(other.rect, box.rect)):
                a, b = other.rect, box.rect
                union = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                merged[position] = (Box(union, box.reason, box.whole), other_kind)
                break
        else:
            merged.append((box, kind))
    return merged


def _same_line(a: Rect, b: Rect) -> bool:
    """Whether two boxes overlap by half the smaller one's extent both ways (a name and
    its parts; not neighbouring words, nor the ends of two lines, whatever the rotation)."""
    across = min(a[2], b[2]) - max(a[0], b[0])
    up = min(a[3], b[3]) - max(a[1], b[1])
    return (across >= 0.5 * min(a[2] - a[0], b[2] - b[0])
            and up >= 0.5 * min(a[3] - a[1], b[3] - b[1]))


def _hit_boxes(words: Sequence[Word], hit: Hit) -> list[tuple[Box, DataKind]]:
    """One box per line the hit's words are on."""
    lines: dict[int, Rect] = {}
    for word in words[hit.first: hit.last + 1]:
        x0, y0, x1, y1 = word.box
        known = lines.get(word.line)
        lines[word.line] = word.box if known is None else (
            min(known[0], x0), min(known[1], y0), max(known[2], x1), max(known[3], y1))
    return [(Box((x0 - PAD, y0 - PAD, x1 + PAD, y1 + PAD), hit.reason), hit.kind)
            for x0, y0, x1, y1 in lines.values()]


def _check_annotations(page: Any, found: _Page, matcher: Matcher) -> None:
    """Annotations whose text is marked, or that lie under a box, are removed."""
    annotations = page.get("/Annots")
    annotations = annotations.get_object() if annotations is not None else None
    if not isinstance(annotations, ArrayObject):
        return
    rects = [box.rect for box, _kind in found.boxes]
    for position, raw in enumerate(annotations):
        annotation = raw.get_object() if raw is not None else None
        if not isinstance(annotation, DictionaryObject):
            continue
        text = " ".join(_annotation_text(annotation))
        _line, hits = redact_line(text, matcher) if text else ("", [])
        under = _annotation_rect(annotation)
        touches = under is not None and any(_overlap(under, rect) > 0 for rect in rects)
        if annotation.get("/Subtype") == "/Widget" and touches:
            found.rasterise = "a form field lies under a box"
            continue
        if hits or touches:
            found.drop_annotations.append(position)
            for hit in hits:
                found.dropped_kinds.append((hit.kind, hit.reason))
            if touches and not hits:
                reason = found.boxes[0][0].reason if found.boxes else "TP"
                found.dropped_kinds.append((found.boxes[0][1], reason))


def _annotation_text(annotation: DictionaryObject) -> list[str]:
    texts = [str(annotation[key]) for key in _ANNOTATION_TEXT
             if isinstance(annotation.get(key), str)]
    action = annotation.get("/A")
    action = action.get_object() if action is not None else None
    if isinstance(action, DictionaryObject) and isinstance(action.get("/URI"), (str, bytes)):
        uri = action["/URI"]
        texts.append(uri.decode("latin-1") if isinstance(uri, bytes) else str(uri))
    return texts


def _annotation_rect(annotation: DictionaryObject) -> Rect | None:
    rect = annotation.get("/Rect")
    if rect is None:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in rect.get_object())
    except (AttributeError, TypeError, ValueError):
        return None
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _overlap(a: Rect, b: Rect) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


# ---------------------------------------------------------------------- removing


def _remove(plain: Path, reader: PdfReader, found: list[_Page], workdir: Path,
            where: str) -> Redacted:
    from bundler.redact.raster import render_page

    digest = hashlib.sha256(plain.read_bytes()).hexdigest()[:20]
    # Stage 1: the pages without the annotations that go (what a re-rendered page shows).
    cleared = PdfWriter()
    for page, finding in zip(reader.pages, found, strict=True):
        added = cleared.add_page(page)
        _drop_annotations(added, finding.drop_annotations)
    base = workdir / f"redact-{digest}-base.pdf"
    with base.open("wb") as handle:
        cleared.write(handle)
    # Stage 2: strip what it can; re-render the rest.
    base_reader = PdfReader(base, strict=False)
    stripped = PdfWriter()
    stripper = Stripper(stripped)
    rasterise: dict[int, str] = {}
    for index, (page, finding) in enumerate(zip(base_reader.pages, found, strict=True)):
        added = stripped.add_page(page)
        if not finding.boxes:
            continue
        if finding.rasterise is not None:
            rasterise[index] = finding.rasterise
            continue
        try:
            stripper.redact_page(added, [box for box, _kind in finding.boxes],
                                 _geometry(added))
        except NotUnderstood as exc:
            rasterise[index] = str(exc)
    trial = workdir / f"redact-{digest}-stripped.pdf"
    with trial.open("wb") as handle:
        stripped.write(handle)
    trial_reader = PdfReader(trial, strict=False)
    for index, words in enumerate(text_words(trial, trial_reader.pages, where)):
        boxes = found[index].boxes
        if index in rasterise or not boxes:
            continue
        leftover = _still_readable(words, boxes)
        if leftover:
            rasterise[index] = "poppler still reads text under a box"
    for index, why in sorted(rasterise.items()):
        logger.debug("%s: page %d re-rendered for redaction (%s)", where, index + 1, why)
    # Stage 3: the final document.
    final = PdfWriter()
    for index, page in enumerate(trial_reader.pages):
        if index in rasterise:
            finding = found[index]
            geometry = display_geometry(base_reader.pages[index], visible=True)
            page_boxes = [box for box, _kind in finding.boxes]
            index_of = _BoxIndex([b.rect for b in page_boxes])
            kept = [w for w in finding.words if not _covered(w.box, index_of.near(w.box))]
            one = render_page(base, index, geometry, page_boxes, kept, where, workdir)
            final.add_page(PdfReader(io.BytesIO(one)).pages[0])
        else:
            final.add_page(page)
    _copy_outline(reader, final)
    out = workdir / f"redact-{digest}.pdf"
    with out.open("wb") as handle:
        final.write(handle)
    base.unlink()
    trial.unlink()
    return Redacted(out, _entries(found, rasterise), tuple(sorted(rasterise)),
                    tuple(i for i, page in enumerate(found) if any(w.ocr for w in page.words)),
                    tuple(tuple(box.rect for box, _kind in page.boxes) for page in found),
                    _textless(found, rasterise))


def _geometry(page: Any) -> PageGeometry:
    return display_geometry(page, visible=True)


def _drop_annotations(page: Any, positions: Sequence[int]) -> None:
    if not positions:
        return
    annotations = page.get("/Annots")
    annotations = annotations.get_object() if annotations is not None else None
    if not isinstance(annotations, ArrayObject):
        return
    kept = ArrayObject(a for i, a in enumerate(annotations) if i not in set(positions))
    page[NameObject("/Annots")] = kept


def _still_readable(words: Sequence[Word], boxes: Sequence[tuple[Box, DataKind]]) -> list[Word]:
    """Words poppler reads under a box after stripping (the reason codes excepted)."""
    reasons = {box.reason for box, _kind in boxes}
    index = _BoxIndex([box.rect for box, _kind in boxes])
    return [w for w in words if w.text not in reasons and _covered(w.box, index.near(w.box))]


class _BoxIndex:
    """Boxes by horizontal band of the page, so a word is compared with the few near it."""

    BAND = 24.0

    def __init__(self, rects: Sequence[Rect]) -> None:
        self.bands: dict[int, list[Rect]] = {}
        for rect in rects:
            for band in range(int(rect[1] // self.BAND), int(rect[3] // self.BAND) + 1):
                self.bands.setdefault(band, []).append(rect)

    def near(self, box: Rect) -> list[Rect]:
        found: list[Rect] = []
        for band in range(int(box[1] // self.BAND), int(box[3] // self.BAND) + 1):
            found.extend(r for r in self.bands.get(band, ()) if _overlap(box, r) > 0)
        return found


def _covered(box: Rect, rects: Sequence[Rect]) -> bool:
    area = (box[2] - box[0]) * (box[3] - box[1])
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any((r[0] <= cx <= r[2] and r[1] <= cy <= r[3])
               or (area > 0 and _overlap(box, r) >= COVERED * area) for r in rects)


def _copy_outline(reader: PdfReader, writer: PdfWriter) -> None:
    """The document's own bookmarks (their titles are checked by the bundle builder)."""
    def walk(items: list[Any], parent: Any, depth: int) -> None:
        last = parent
        for item in items:
            if isinstance(item, list):
                if depth < 8:
                    walk(item, last, depth + 1)
                continue
            try:
                number = reader.get_destination_page_number(item)
            except Exception:  # a damaged bookmark is left out
                continue
            if number is None or not 0 <= number < len(writer.pages):
                continue
            title = " ".join(str(item.title or "").split())[:200] or f"page {number + 1}"
            last = writer.add_outline_item(title=TextStringObject(title), page_number=number,
                                           parent=parent)

    try:
        walk(list(reader.outline), None, 0)
    except Exception:  # damaged bookmarks: the pages are fine
        logger.debug("bookmarks not copied", exc_info=True)


def _entries(found: Sequence[_Page], rasterise: dict[int, str]) -> tuple[Entry, ...]:
    entries: list[Entry] = []
    for index, page in enumerate(found):
        method = RENDERED if index in rasterise else STRIPPED
        counts: dict[tuple[DataKind, str], int] = {}
        for box, kind in page.boxes:
            counts[(kind, box.reason)] = counts.get((kind, box.reason), 0) + 1
        for (kind, reason), count in sorted(counts.items(), key=lambda i: (i[0][0].value, i[0][1])):
            entries.append(Entry(index + 1, kind, reason, count, method))
        dropped: dict[tuple[DataKind, str], int] = {}
        for kind, reason in page.dropped_kinds:
            dropped[(kind, reason)] = dropped.get((kind, reason), 0) + 1
        for (kind, reason), count in sorted(dropped.items(),
                                            key=lambda i: (i[0][0].value, i[0][1])):
            entries.append(Entry(index + 1, kind, reason, count, "annotation removed"))
    return tuple(entries)
