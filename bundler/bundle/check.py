"""`bundler bundle check`: does a PDF bundle, made by anyone, meet a court's or tribunal's
rules? One PASS / WARN / FAIL line per rule, naming the pages concerned.

Unlike `bundle verify` (which proves a bundle made by this toolkit is the one built), this
reads any PDF a party sends (a merge made by another tool, a scanned bundle, a bundle
without bookmarks) the way a judge's viewer would, against a profile (``profiles``):

* ``file``: it opens without a password; damage repaired to read it; copying forbidden;
* ``page numbers``: each page prints its number near an edge (the bottom, else the top):
  the PDF page number or its page label, as the profile asks;
* ``page labels``: the numbers a viewer shows; none used twice;
* ``index``: a hyperlinked index near the front; every link in the file lands on a page
  inside it;
* ``bookmarks``: a bookmark for every document the index links to (and, where the profile
  asks, giving its page number);
* ``text``: every page has text (pages of pictures only: scans without OCR);
* ``opening view``: it opens at page 1 at 100%; bookmarks and links keep that zoom;
* ``page size``: A4, portrait or landscape;
* ``image resolution``: pictures at most the profile's dpi;
* ``limits``: pages and megabytes within the profile's (or the court's) limits;
* ``active content``: no JavaScript, launch actions, attachments beyond a manifest,
  multimedia or XFA; web links and links to other files named;
* ``fonts``: every font embedded;
* ``document lengths`` (profiles that limit them): bookmarked documents of a limited kind.

Reading is done by qpdf and poppler in bounded child processes (``pdfscan``, ``printed``);
a file they cannot read at all is one BadInput, never a traceback.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bundler.bundle.paper import is_a4
from bundler.bundle.pdfscan import Bookmark, PageInfo, Scan, opened
from bundler.bundle.printed import A4_SIZE, Size, Texts, a4_bottoms, crop, read_regions
from bundler.bundle.profiles import Level, Profile, get_profile
from bundler.errors import BadInput, ChecksFailed, InputNotFound

_FEW_TEXT_OPS = 12  # a page drawing no more text than this may hold only its page number
_SHOWN = 12  # page ranges named in a line before "and N more"
_NUMBERISH = re.compile(r"(?<![\w-])(?:[A-Za-z]{0,4}-?\d{1,6}|[ivxlcdm]{1,8})(?![\w-])")


@dataclass(frozen=True)
class RuleResult:
    name: str
    level: Level
    detail: str
    pages: tuple[int, ...] = ()

    def line(self) -> str:
        return f"{self.level.value}  {self.name}: {self.detail}"

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.name, "result": self.level.value, "detail": self.detail,
                "pages": list(self.pages)}


@dataclass
class CheckReport:
    bundle: str
    profile: Profile
    sha256: str
    pages: int
    size: int
    results: list[RuleResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(result.level is Level.FAIL for result in self.results)

    def count(self, level: Level) -> int:
        return sum(1 for result in self.results if result.level is level)

    def verdict(self) -> str:
        name = self.profile.name
        if self.ok:
            warnings = self.count(Level.WARN)
            tail = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
            return (f"MEETS {name}: {self.bundle}: {self.count(Level.PASS)} of "
                    f"{len(self.results)} rules passed{tail}")
        failed = [result.name for result in self.results if result.level is Level.FAIL]
        return (f"DOES NOT MEET {name}: {self.bundle}: {len(failed)} of {len(self.results)} "
                f"rules failed ({', '.join(failed)})")

    def header(self) -> str:
        note = f"; {self.profile.note}" if self.profile.note else ""
        return f"Checking {self.bundle} against {self.profile.name}: {self.profile.title}{note}"

    def lines(self) -> list[str]:
        return [self.header(), *(result.line() for result in self.results), self.verdict()]

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "sha256": self.sha256,
            "profile": self.profile.name,
            "pages": self.pages,
            "bytes": self.size,
            "ok": self.ok,
            "rules": [result.to_json() for result in self.results],
            "verdict": self.verdict(),
        }

    def raise_for_problems(self) -> None:
        if self.ok:
            return
        first = next(result for result in self.results if result.level is Level.FAIL)
        raise ChecksFailed(f"{self.bundle}: does not meet {self.profile.name}; first: "
                           f"{first.name}: {first.detail}",
                           "Ask whoever made the bundle to correct the pages named.")


def check_bundle(
    pdf: Path,
    profile: Profile | str | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    workers: int = 2,
) -> CheckReport:
    """Check ``pdf`` against ``profile`` (default: general). Raises InputNotFound, BadInput or
    PasswordRequired when the file cannot be read as a PDF at all; otherwise every problem
    is a line of the report."""
    report_progress = progress or (lambda _message: None)
    chosen = profile if isinstance(profile, Profile) else get_profile(profile)
    shown = str(pdf)
    if not pdf.exists():
        raise InputNotFound(f"{shown}: bundle not found",
                            "Check the path is spelt correctly (it names the .pdf file).")
    if not pdf.is_file():
        raise BadInput(f"{shown}: is a folder, not a PDF bundle",
                       "Give the bundle's .pdf file, e.g. bundle.pdf.")
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as background:
        # poppler reads the foot of every page (as if A4) while qpdf and this process read
        # the structure: the two cores work at once
        guess = background.submit(a4_bottoms, pdf, cancel=stop)
        report_progress("reading the structure (qpdf)")
        with ExitStack() as on_error:
            on_error.callback(stop.set)  # a file that cannot be read: stop poppler too
            structure = on_error.enter_context(opened(pdf, shown))
            sizes = structure.sizes()
            if not sizes:
                raise BadInput(f"{shown}: has no pages (or its page tree cannot be read)",
                               "Ask the sender for a good copy of the bundle.")
            report_progress(f"reading {len(sizes)} pages' content")
            scan = structure.scan()
            report_progress("reading the page numbers near each page's edges")
            if structure.path != pdf:
                stop.set()  # encrypted: the decrypted copy is read instead
            read_first = guess.result()
            texts = _edge_texts(structure.path, scan, sizes, chosen, read_first, workers)
    report = CheckReport(shown, chosen, _sha256(pdf), len(scan.pages), scan.size)
    candidates = set(_text_candidates(scan))
    edges, tops, wholes = texts["bottom"], texts["top"], texts["page"]
    targets = _document_starts(scan)
    report.results += [
        _file_rule(scan),
        _page_numbers_rule(scan, chosen, edges, tops),
        _labels_rule(scan, chosen),
        _index_rule(scan, targets),
        _bookmarks_rule(scan, chosen, targets),
        _text_rule(scan, chosen, candidates, wholes, edges, tops),
        _opening_rule(scan, chosen),
        _page_size_rule(scan, chosen),
        _resolution_rule(scan, chosen),
        _limits_rule(scan, chosen),
        _active_rule(scan, pdf),
        _fonts_rule(scan),
    ]
    if chosen.document_limits:
        report.results.append(_lengths_rule(scan, chosen))
    return report


def _edge_texts(pdf: Path, scan: Scan, sizes: Sequence[Size],
                profile: Profile, read_first: list[str] | None, workers: int) -> Texts:
    """Bottom texts of every page, top texts where no number shows at the bottom, and the
    whole text of pages that may have none of their own."""
    a4_crop = crop(A4_SIZE, "bottom")
    bottoms: dict[int, str | None] = {}
    if read_first is not None:
        bottoms = {number: read_first[number - 1] if number - 1 < len(read_first) else ""
                   for number, size in enumerate(sizes, start=1)
                   if crop(size, "bottom") == a4_crop}
    others = [number for number in range(1, len(sizes) + 1) if number not in bottoms]
    candidates = _text_candidates(scan)
    volume = _numbered_on(scan) is not None
    unmatched = [number for number, text in bottoms.items()
                 if not _shows_number(text, scan.pages[number - 1], profile, volume)]
    # the pages of other sizes need their foot read, and suspect pages everything: at once
    texts = read_regions(pdf, sizes, {"bottom": others, "top": candidates, "page": candidates},
                         workers=workers)
    texts["bottom"].update(bottoms)
    more = [number for number in others if number not in candidates
            and not _shows_number(texts["bottom"].get(number), scan.pages[number - 1], profile,
                                  volume)]
    tops = read_regions(pdf, sizes, {"top": [n for n in [*unmatched, *more]
                                             if n not in texts["top"]]}, workers=workers)
    texts["top"].update(tops["top"])
    return texts


def _text_candidates(scan: Scan) -> list[int]:
    """Pages that may have no text of their own: they draw no more text than the page
    drawing the least (a bundle's stamp is on every page), or their content is unreadable."""
    drawn = [page.text_ops for page in scan.pages if page.text_ops]
    least = min(min(drawn, default=0), _FEW_TEXT_OPS)
    return [page.number for page in scan.pages
            if page.text_ops is None or 0 < page.text_ops <= least]


def _sha256(pdf: Path) -> str:
    from bundler.fileio import sha256_file

    return sha256_file(pdf)


# --------------------------------------------------------------------------- pages named


def page_list(numbers: Iterable[int], labels: Sequence[str | None] | None = None) -> str:
    """'1-3, 7, 9-12' (with labels where they differ: '5 (A1)'), at most _SHOWN ranges."""
    ordered = sorted(set(numbers))
    spans: list[tuple[int, int]] = []
    for number in ordered:
        if spans and number == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], number)
        else:
            spans.append((number, number))

    def name(number: int) -> str:
        label = labels[number - 1] if labels and number - 1 < len(labels) else None
        return f"{number} ({label})" if label and label != str(number) else str(number)

    parts = [name(a) if a == b else f"{name(a)}-{name(b)}" for a, b in spans[:_SHOWN]]
    more = len(spans) - _SHOWN
    text = ", ".join(parts)
    if more > 0:
        rest = sum(b - a + 1 for a, b in spans[_SHOWN:])
        text += f" and {rest} more page{'s' if rest != 1 else ''}"
    return text


def _pages_word(numbers: Iterable[int]) -> str:
    return "page" if len(set(numbers)) == 1 else "pages"


def _labels(scan: Scan) -> list[str | None]:
    return [page.label for page in scan.pages]


# --------------------------------------------------------------------------- file


def _file_rule(scan: Scan) -> RuleResult:
    size = f"{scan.size / (1024 * 1024):.1f} MB"
    facts = f"PDF {scan.version}, {size}, {len(scan.pages):,} pages"
    problems: list[str] = []
    if scan.repairs:
        problems.append(f"damaged: it had to be repaired to be read ({scan.repairs[0]})")
    if scan.restrictions:
        problems.append("it forbids " + " and ".join(scan.restrictions))
    if not scan.pages:
        return RuleResult("file", Level.FAIL, f"{facts}: it has no pages")
    if problems:
        return RuleResult("file", Level.WARN, f"{facts}; " + "; ".join(problems))
    opens = "opens without a password" if not scan.encrypted else (
        "encrypted, but opens without a password and forbids nothing")
    return RuleResult("file", Level.PASS, f"{facts}; {opens}")


# --------------------------------------------------------------------------- numbers


def _numbered_on(scan: Scan) -> int | None:
    """N when the page labels number the file on from N > 1 (1st page N, 2nd N+1...): a
    later volume of a set, whose numbers run on from the volume before."""
    first = scan.pages[0].label if scan.pages else None
    if first is None or not first.isdigit() or int(first) <= 1:
        return None
    start = int(first)
    if all(page.label == str(start + page.number - 1) for page in scan.pages):
        return start
    return None


def _wanted(page: PageInfo, profile: Profile, volume: bool = False) -> list[str]:
    if profile.printed == "page":
        return [page.label] if volume and page.label else [str(page.number)]
    if profile.printed == "label":
        return [page.label or str(page.number)]
    return [str(page.number)] + ([page.label] if page.label else [])


_WORD = re.compile(r"[\w-]+")
_TOTAL = re.compile(r"(?i)(?:\bof|/)\s*\d+\b")  # "of 9", "/9": a count of pages, not one


def _words(text: str) -> set[str]:
    """The words of ``text`` as a page number is matched: runs of letters, digits and
    hyphens (so '5' is in 'Page 5 of 9' and '- 5 -', 'A1' is not in 'A12'), lower case,
    without page counts ('of 9')."""
    return {word.lower() for word in _WORD.findall(_TOTAL.sub(" ", text))}


def _shows(text: str, wanted: str) -> bool:
    return wanted.lower() in _words(text)


def _shows_number(text: str | None, page: PageInfo, profile: Profile,
                  volume: bool = False) -> bool:
    if text is None:
        return False
    words = _words(text)
    return any(want.lower() in words for want in _wanted(page, profile, volume))


def _page_numbers_rule(scan: Scan, profile: Profile, bottoms: dict[int, str | None],
                       tops: dict[int, str | None]) -> RuleResult:
    missing: list[int] = []
    other: list[tuple[int, str]] = []
    unread: list[int] = []
    volume = _numbered_on(scan) is not None
    for page in scan.pages:
        bottom, top = bottoms.get(page.number), tops.get(page.number)
        if (_shows_number(bottom, page, profile, volume)
                or _shows_number(top, page, profile, volume)):
            continue
        if bottom is None and top is None:
            unread.append(page.number)
            continue
        seen = _NUMBERISH.findall(_TOTAL.sub(" ", " ".join(filter(None, (bottom, top)))))
        if seen:
            other.append((page.number, seen[0]))
        else:
            missing.append(page.number)
    what = {"page": "its PDF page number", "label": "its page label",
            "either": "its PDF page number or page label"}[profile.printed]
    if volume and profile.printed == "page":
        what = "its number in the set (a later volume, numbered on from the one before)"
    if not (missing or other or unread):
        first, last = scan.pages[0], scan.pages[-1]
        span = (f"{first.label} to {last.label}" if (profile.printed == "label" or volume)
                and first.label else f"1 to {len(scan.pages):,}")
        return RuleResult("page numbers", Level.PASS,
                          f"every page prints {what} near its bottom or top edge ({span})")
    labels = _labels(scan)
    parts: list[str] = []
    if missing:
        parts.append(f"no page number near the edges of {_pages_word(missing)} "
                     f"{page_list(missing, labels)}")
    if other:
        numbers = [number for number, _seen in other]
        examples = ", ".join(f"page {number} shows {seen!r}" for number, seen in other[:3])
        parts.append(f"{_pages_word(numbers)} {page_list(numbers, labels)} print another "
                     f"number ({examples})")
    if unread:
        parts.append(f"{_pages_word(unread)} {page_list(unread, labels)} could not be read")
    every = [*missing, *(n for n, _s in other), *unread]
    return RuleResult("page numbers", Level.FAIL,
                      f"each page must print {what}: " + "; ".join(parts), tuple(sorted(every)))


def _labels_rule(scan: Scan, profile: Profile) -> RuleResult:
    count = len(scan.pages)
    if not scan.labels_present:
        if profile.printed == "page":
            return RuleResult("page labels", Level.PASS,
                              "none: viewers show the PDF page numbers, the numbers the "
                              "guidance asks pages to print")
        return RuleResult("page labels", profile.labels,
                          "none: a viewer's page box shows PDF page numbers, which may not "
                          "be the numbers printed on the pages")
    labels = _labels(scan)
    seen: dict[str, int] = {}
    twice: list[tuple[str, int, int]] = []
    for page in scan.pages:
        label = page.label or ""
        if label in seen and len(twice) < 50:
            twice.append((label, seen[label], page.number))
        seen.setdefault(label, page.number)
    if twice:
        examples = ", ".join(f"{label!r} on pages {a} and {b}" for label, a, b in twice[:3])
        return RuleResult("page labels", Level.FAIL,
                          f"labels used twice (a citation would be ambiguous): {examples}",
                          tuple(b for _l, _a, b in twice))
    start = _numbered_on(scan)
    if start is not None:
        return RuleResult("page labels", Level.PASS,
                          f"all {count:,} pages labelled {labels[0]} to {labels[-1]}: numbered "
                          f"on from {start}, as a later volume of a set is")
    if profile.printed == "page":
        differ = [page.number for page in scan.pages if page.label != str(page.number)]
        if differ:
            return RuleResult("page labels", Level.FAIL,
                              f"{_pages_word(differ)} {page_list(differ, labels)} "
                              "labelled otherwise than their PDF page number (the guidance "
                              "numbers every page from 1 on the first)", tuple(differ))
    return RuleResult("page labels", Level.PASS,
                      f"all {count:,} pages labelled, none twice ({labels[0]} to {labels[-1]})")


# --------------------------------------------------------------------------- navigation


def _index_pages(scan: Scan) -> list[int]:
    """Pages near the front whose links lead to other pages of the file: the index."""
    front = max(10, min(60, len(scan.pages) // 20 + 5))
    counts: dict[int, int] = {}
    for link in scan.links:
        if link.page <= front and link.target.kind == "page" and link.target.page != link.page:
            counts[link.page] = counts.get(link.page, 0) + 1
    return sorted(page for page, count in counts.items() if count >= 2)


def _document_starts(scan: Scan) -> list[int]:
    """The pages the index links to (each a document's first page)."""
    index = set(_index_pages(scan))
    return sorted({link.target.page for link in scan.links
                   if link.page in index and link.target.kind == "page"
                   and link.target.page is not None and link.target.page not in index})


def _index_rule(scan: Scan, starts: Sequence[int]) -> RuleResult:
    index = _index_pages(scan)
    broken = [link for link in scan.links if link.target.kind == "broken"]
    front = max(10, min(60, len(scan.pages) // 20 + 5))
    labels = _labels(scan)
    if not index and _numbered_on(scan) is not None:
        return RuleResult("index", Level.WARN,
                          f"no index in this file: it is numbered on from "
                          f"{_numbered_on(scan)}, so it reads as a later volume of a set, whose "
                          "index should be in its first volume (check that one too)")
    if not index:
        first = min(front, len(scan.pages))
        tail = (f"; and links that lead nowhere on {page_list([b.page for b in broken])}"
                if broken else "")
        return RuleResult("index", Level.FAIL,
                          f"no hyperlinked index: none of {_pages_word(range(1, first + 1))} "
                          f"{page_list(range(1, first + 1))} links to the documents{tail}",
                          tuple(range(1, first + 1)))
    entries = sum(1 for link in scan.links if link.page in index and link.target.kind == "page")
    where = f"on {_pages_word(index)} {page_list(index, labels)}"
    if broken:
        pages = [link.page for link in broken]
        reasons = sorted({link.target.detail for link in broken})[:2]
        return RuleResult("index", Level.FAIL,
                          f"{entries} index entries {where}, but {len(broken)} link(s) lead "
                          f"nowhere, on {_pages_word(pages)} {page_list(pages, labels)} "
                          f"({'; '.join(reasons)})", tuple(sorted(set(pages))))
    return RuleResult("index", Level.PASS,
                      f"{entries} entries {where}, linking to {len(starts)} documents; every "
                      "link in the file lands on a page inside it")


def _bookmarks_rule(scan: Scan, profile: Profile, starts: Sequence[int]) -> RuleResult:
    marks = scan.bookmarks
    labels = _labels(scan)
    if not marks:
        return RuleResult("bookmarks", Level.FAIL, "the bundle has no bookmarks"
                          + (f" (documents start on pages {page_list(starts, labels)})"
                             if starts else ""), tuple(starts))
    broken = [mark for mark in marks if mark.target.kind != "page"]
    marked = {mark.target.page for mark in marks if mark.target.kind == "page"}
    unmarked = [page for page in starts if page not in marked]
    problems: list[str] = []
    level = Level.PASS
    if broken:
        names = ", ".join(repr(mark.title[:60]) for mark in broken[:3])
        problems.append(f"{len(broken)} bookmark(s) lead nowhere in the file ({names})")
        level = Level.FAIL
    if unmarked:
        problems.append(f"no bookmark for the documents starting on {_pages_word(unmarked)} "
                        f"{page_list(unmarked, labels)}")
        level = Level.FAIL
    if profile.bookmark_pages is not None and starts:
        untold = _without_page_numbers(marks, scan, set(starts))
        if untold:
            names = ", ".join(repr(mark.title[:60]) for mark in untold[:3])
            problems.append(f"{len(untold)} document bookmark(s) do not give the document's "
                            f"page number ({names})")
            if level is Level.PASS or profile.bookmark_pages is Level.FAIL:
                level = profile.bookmark_pages
    if problems:
        pages = sorted({*unmarked, *(m.target.page for m in broken if m.target.page)})
        return RuleResult("bookmarks", level, "; ".join(problems), tuple(pages))
    if not starts:
        return RuleResult("bookmarks", Level.PASS,
                          f"{len(marks)} bookmarks, each landing on a page (with no index, "
                          "the documents could not be matched to them)")
    return RuleResult("bookmarks", Level.PASS,
                      f"{len(marks)} bookmarks: one for each of the {len(starts)} documents the "
                      "index lists, each landing on a page")


def _without_page_numbers(marks: Sequence[Bookmark], scan: Scan,
                          starts: set[int]) -> list[Bookmark]:
    untold: list[Bookmark] = []
    done: set[int] = set()
    for mark in marks:
        page = mark.target.page
        if mark.target.kind != "page" or page not in starts or page in done:
            continue
        info = scan.pages[page - 1]
        wanted = [str(page)] + ([info.label] if info.label else [])
        if any(_shows(mark.title, want) for want in wanted):
            done.add(page)
    for mark in marks:
        page = mark.target.page
        if mark.target.kind == "page" and page in starts and page not in done:
            untold.append(mark)
            done.add(page)
    return untold


# --------------------------------------------------------------------------- content


_HEXISH = re.compile(r"[0-9a-f]{8,}")


def _repeated_words(texts: Iterable[str | None], pages: int) -> set[str]:
    """Words printed near the edge of at least half the pages (a reference, 'Page', 'doc'):
    a bundle's own stamp, not a page's text."""
    counts: dict[str, int] = {}
    for text in texts:
        for word in _words(text or ""):
            counts[word] = counts.get(word, 0) + 1
    return {word for word, count in counts.items() if count * 2 >= pages}


def _has_own_words(text: str | None, stamp: set[str]) -> bool:
    """Whether an edge band holds words of the page's own (not numbers, hashes or stamp)."""
    return any(len(word) > 1 and word not in stamp and not _NUMBERISH.fullmatch(word)
               and not _HEXISH.fullmatch(word) for word in _words(text or ""))


def _text_rule(scan: Scan, profile: Profile, candidates: set[int],
               wholes: dict[int, str | None], bottoms: dict[int, str | None],
               tops: dict[int, str | None]) -> RuleResult:
    """Pages without text of their own: those drawing no text at all, and those whose few
    words (read whole) are only the bundle's stamp, page numbers and hashes."""
    pictures: list[int] = []
    blank: list[int] = []
    unread: list[int] = []
    stamp = _repeated_words(bottoms.values(), len(scan.pages)) | _repeated_words(
        (tops.get(page) for page in bottoms), len(scan.pages))
    for page in scan.pages:
        if page.text_ops != 0 and page.number not in candidates:
            continue
        if page.text_ops != 0:
            whole = wholes.get(page.number)
            if whole is None and page.text_ops is None:
                unread.append(page.number)
                continue
            if whole is None or _has_own_words(whole, stamp):
                continue  # it draws text, and that text could not be read: not held against it
        (pictures if page.has_images else blank).append(page.number)
    labels = _labels(scan)
    if not pictures and not blank and not unread:
        return RuleResult("text", Level.PASS,
                          f"all {len(scan.pages):,} pages have text (searchable and copyable)")
    parts: list[str] = []
    level = Level.WARN
    if pictures:
        parts.append(f"{_pages_word(pictures)} {page_list(pictures, labels)} "
                     "show pictures with no text: scans without OCR cannot be searched or "
                     "copied (run OCR on them)")
        level = Level.FAIL if profile.ocr else Level.WARN
    if blank:
        verb = "has" if len(blank) == 1 else "have"
        parts.append(f"{_pages_word(blank)} {page_list(blank, labels)} {verb} no text or "
                     "pictures (blank, or text drawn as shapes)")
    if unread:
        parts.append(f"the content of {_pages_word(unread)} {page_list(unread, labels)} "
                     "could not be read (too large or damaged)")
    return RuleResult("text", level, "; ".join(parts),
                      tuple(sorted([*pictures, *blank, *unread])))


def _opening_rule(scan: Scan, profile: Profile) -> RuleResult:
    target = scan.open_action
    if scan.open_action_kind == "action":
        return RuleResult("opening view", Level.FAIL,
                          f"it runs an action when opened ({target.detail if target else '?'})"
                          " instead of showing page 1 at 100%")
    if target is None:
        return RuleResult("opening view", profile.opening,
                          "no opening view is set: viewers open it at their own zoom, not at "
                          "page 1 at 100%")
    if target.page != 1 or target.fit != "XYZ" or target.zoom != 1:
        shown = (f"page {target.page}" if target.page else "no page") + (
            f" at {target.zoom * 100:g}%" if target.zoom else
            (f" fitted ({target.fit})" if target.fit not in ("", "XYZ") else
             " at the reader's zoom"))
        return RuleResult("opening view", profile.opening,
                          f"it opens at {shown}, not at page 1 at 100%")
    zooming = [mark for mark in scan.bookmarks if mark.target.sets_zoom]
    zoom_links = [link for link in scan.links if link.target.sets_zoom]
    if zooming or zoom_links:
        parts = []
        if zooming:
            parts.append(f"{len(zooming)} bookmark(s)")
        if zoom_links:
            parts.append(f"{len(zoom_links)} link(s)")
        return RuleResult("opening view", Level.WARN,
                          "opens at page 1 at 100%, but " + " and ".join(parts) + " change "
                          "the zoom when used (e.g. fit the page)")
    return RuleResult("opening view", Level.PASS,
                      "opens at page 1 at 100%; bookmarks and links keep the reader's zoom")


def _is_a4(page: PageInfo) -> bool:
    return is_a4(page.width, page.height)


def _mm(points: float) -> str:
    return f"{points * 25.4 / 72:.0f}"


def _page_size_rule(scan: Scan, profile: Profile) -> RuleResult:
    other = [page for page in scan.pages if not _is_a4(page)]
    landscape = sum(1 for page in scan.pages if page.width > page.height)
    labels = _labels(scan)
    if other:
        sizes: dict[str, list[int]] = {}
        for page in other:
            sizes.setdefault(f"{_mm(page.width)} x {_mm(page.height)} mm", []).append(
                page.number)
        described = "; ".join(f"{size} on {_pages_word(numbers)} {page_list(numbers, labels)}"
                              for size, numbers in list(sizes.items())[:4])
        return RuleResult("page size", profile.a4,
                          f"{len(other)} page(s) not A4: {described}",
                          tuple(page.number for page in other))
    return RuleResult("page size", Level.PASS,
                      f"all pages A4 ({len(scan.pages) - landscape:,} portrait, "
                      f"{landscape:,} landscape)")


def _resolution_rule(scan: Scan, profile: Profile) -> RuleResult:
    limit = profile.max_dpi * 1.02
    over: dict[int, float] = {}
    pictures = 0
    for page in scan.pages:
        for picture in page.pictures:
            if picture.pixels[0] * picture.pixels[1] < 100_000:
                continue  # a small picture (a logo, a signature) costs nothing to show
            pictures += 1
            dpi = max(picture.dpi)
            if dpi > limit:
                over[page.number] = max(over.get(page.number, 0.0), dpi)
    if over:
        worst = max(over.values())
        return RuleResult("image resolution", Level.WARN,
                          f"pictures above {profile.max_dpi} dpi (slow to show) on "
                          f"{_pages_word(list(over))} {page_list(over, _labels(scan))} (up to "
                          f"{worst:.0f} dpi)", tuple(sorted(over)))
    return RuleResult("image resolution", Level.PASS,
                      f"{pictures} picture(s), none above {profile.max_dpi} dpi")


def _limits_rule(scan: Scan, profile: Profile) -> RuleResult:
    megabytes = scan.size / (1024 * 1024)
    problems: list[str] = []
    if profile.max_pages is not None and len(scan.pages) > profile.max_pages:
        problems.append(f"{len(scan.pages):,} pages, over the limit of {profile.max_pages:,}")
    if profile.max_mb is not None and megabytes > profile.max_mb:
        problems.append(f"{megabytes:.1f} MB, over the limit of {profile.max_mb:g} MB")
    if problems:
        return RuleResult("limits", Level.FAIL, "; ".join(problems) + " (split it into "
                          "volumes, or ask the court's permission)")
    set_limits = [f"{profile.max_pages:,} pages" if profile.max_pages is not None else "",
                  f"{profile.max_mb:g} MB" if profile.max_mb is not None else ""]
    named = " and ".join(filter(None, set_limits))
    within = f"within {named}" if named else (
        "no limit set (give --max-pages or --max-mb for a court's)")
    return RuleResult("limits", Level.PASS,
                      f"{len(scan.pages):,} pages, {megabytes:.1f} MB: {within}")


_KINDS = {
    "javascript": "JavaScript", "launch": "actions that start programs",
    "embedded-goto": "links into attached files", "multimedia": "sound, video or 3D",
    "xfa": "an XFA form", "submit": "form actions that send data",
}


def _active_rule(scan: Scan, pdf: Path) -> RuleResult:
    failures: list[str] = []
    warnings: list[str] = []
    pages: set[int] = set()
    by_kind: dict[str, list[str]] = {}
    for finding in scan.findings:
        by_kind.setdefault(finding.kind, []).append(finding.where)
        if finding.page is not None:
            pages.add(finding.page)
    for kind, places in by_kind.items():
        text = f"{_KINDS.get(kind, kind)} ({', '.join(places[:3])}" + (
            f" and {len(places) - 3} more)" if len(places) > 3 else ")")
        (warnings if kind == "submit" else failures).append(text)
    extra = [name for name, data in scan.attachments if not _is_manifest(name, data)]
    manifests = len(scan.attachments) - len(extra)
    if extra or manifests > 1:
        named = extra + (["a second manifest"] if manifests > 1 else [])
        failures.append("attached files beyond a manifest: " + ", ".join(named[:5]))
    web = [link for link in scan.links if link.target.kind == "web"]
    files = [link for link in scan.links if link.target.kind == "file"]
    volumes = [link for link in files if _is_volume_of(link.target.detail, pdf)]
    others = [link for link in files if link not in volumes]
    if web:
        warnings.append(f"links to web addresses on {_pages_word([w.page for w in web])} "
                        f"{page_list(w.page for w in web)} (e.g. {web[0].target.detail[:80]})")
    if others:
        names = sorted({link.target.detail for link in others})
        warnings.append(f"links to other files ({', '.join(names[:3])}) on "
                        f"{page_list(link.page for link in others)}")
    missing = sorted({link.target.detail for link in volumes
                      if not (pdf.parent / link.target.detail).is_file()})
    if missing:
        warnings.append(f"links to volumes not beside it: {', '.join(missing[:3])}")
    pages |= {link.page for link in web + others}
    if failures:
        return RuleResult("active content", Level.FAIL, "; ".join(failures + warnings),
                          tuple(sorted(pages)))
    if warnings:
        return RuleResult("active content", Level.WARN, "; ".join(warnings),
                          tuple(sorted(pages)))
    parts = ["no JavaScript, launch actions or multimedia"]
    parts.append("one attached manifest" if manifests else "no attached files")
    if volumes:
        parts.append(f"links to the other volumes ({', '.join(sorted({v.target.detail for v in volumes})[:3])})")
    return RuleResult("active content", Level.PASS, "; ".join(parts))


def _is_manifest(name: str, data: bytes | None) -> bool:
    """A bundle manifest: named so, and a JSON object (``data`` is at most 16 MB)."""
    base = name.rsplit("/", 1)[-1]
    if data is None or not (base == "manifest.json" or base.endswith(".manifest.json")):
        return False
    try:
        return isinstance(json.loads(data), dict)
    except (ValueError, RecursionError):
        return False


def _is_volume_of(name: str, pdf: Path) -> bool:
    """``name`` is a plain file name of another volume of the same set (OUT-vol2.pdf)."""
    if not name or "/" in name or "\\" in name:
        return False
    own = re.sub(r"-vol\d+$", "", pdf.stem)
    return re.fullmatch(re.escape(own) + r"-vol\d+\.pdf", name, re.I) is not None


def _fonts_rule(scan: Scan) -> RuleResult:
    pages_of: dict[str, list[int]] = {}
    for page in scan.pages:
        for ref in page.fonts:
            info = scan.fonts.get(ref)
            if info is not None and info.status != "embedded":
                pages_of.setdefault(info.name, []).append(page.number)
    missing = {name: pages for name, pages in pages_of.items()
               if any(info.name == name and info.status == "missing"
                      for info in scan.fonts.values())}
    standard = {name: pages for name, pages in pages_of.items() if name not in missing}
    labels = _labels(scan)

    def describe(table: dict[str, list[int]]) -> str:
        return "; ".join(f"{name} on {_pages_word(pages)} {page_list(pages, labels)}"
                         for name, pages in sorted(table.items())[:4])

    if missing:
        pages = sorted({page for numbers in missing.values() for page in numbers})
        return RuleResult("fonts", Level.FAIL,
                          f"fonts not embedded (readers substitute others, which can change "
                          f"the text shown): {describe(missing)}", tuple(pages))
    if standard:
        pages = sorted({page for numbers in standard.values() for page in numbers})
        return RuleResult("fonts", Level.WARN,
                          "standard PDF fonts not embedded (every reader has its own copy): "
                          f"{describe(standard)}", tuple(pages))
    return RuleResult("fonts", Level.PASS, f"all {len(scan.fonts)} fonts are embedded")


def _lengths_rule(scan: Scan, profile: Profile) -> RuleResult:
    """Bookmarked documents of a kind the profile limits (e.g. a chronology of 10 pages)."""
    marks = [mark for mark in scan.bookmarks if mark.target.kind == "page"]
    over: list[str] = []
    pages: list[int] = []
    for position, mark in enumerate(marks):
        title = mark.title.lower()
        limit = next((most for words, most in profile.document_limits if words in title), None)
        start = mark.target.page
        if limit is None or start is None:
            continue
        end = next((later.target.page for later in marks[position + 1:]
                    if later.depth <= mark.depth and later.target.page
                    and later.target.page > start), len(scan.pages) + 1)
        length = end - start
        if length > limit:
            over.append(f"{mark.title[:60]!r} runs to {length} pages (at most {limit})")
            pages.append(start)
    if over:
        return RuleResult("document lengths", Level.WARN, "; ".join(over[:4]), tuple(pages))
    return RuleResult("document lengths", Level.PASS,
                      "no bookmarked document of a limited kind is over its length")
