"""Render two PDFs page by page and compare what each page shows (PDFium, via pypdfium2).

``verify --sources`` uses this when a rebuild is not byte-identical to the bundle (other
library versions, or a change): every page of both is rendered at DPI in RGB, and a page
shows the same as its rebuild when **no pixel's red, green or blue differs by more than
LEVELS of 255**. Nothing else is allowed: no count of differing pixels, no blurring.

Why the tolerance cannot hide a visible change. At 100 dpi a pixel is 0.72 pt square
(0.25 mm); a pixel's value is the share of it that ink covers, blended. Black on white,
8 of 255 levels is 3% of one pixel: 0.016 square points of ink, a dot a fifth of the
width of a full stop. A covered word, a changed letter or figure, a moved line or a
different photograph changes whole pixels by far more (a letter's stroke alone changes
dozens of pixels by over 100 levels). What the tolerance does absorb: a photograph
decoded or resampled by another version of an image library (differences of 1 to 3
levels), and anti-aliasing shifts below a hundredth of a point. The tests hold both
sides of this (tests/test_verify_as_seen.py).

PDFium is fast (about 10 ms a page at 100 dpi) and renders what Chrome and Edge show. It
runs in child processes (``python -m bundler.bundle.pixels``), one per core, so a page
built to exhaust the renderer costs at most MEMORY_LIMIT of memory and PAGE_SECONDS of
time before the parent stops it and reports that page; the parent never loads PDFium.
Each child also extracts each page's text (PDFium's, as a viewer's search and copy see
it) and says whether the two pages' texts are the same, never what they say.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import resource
import selectors
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DPI = 100
LEVELS = 8  # the largest difference, of 255, allowed in any channel of any pixel
MAX_PIXELS = 40_000_000  # a page larger than this at DPI (beyond A0) is rendered smaller
MEMORY_LIMIT = 2 * 1024**3  # address space of one rendering child
PAGE_SECONDS = 120.0  # the longest one page (both renderings) may take
_MM_PER_INCH = 25.4


@dataclass(frozen=True)
class PageView:
    """How page ``page`` (1-based) of a bundle compares with the same page of its rebuild."""

    page: int
    shows: str | None  # None: the same within the tolerance; else what differs
    text_same: bool
    largest: int = 0  # the largest channel difference found (0..255)


def compare_rendered(
    bundle: Path,
    rebuild: Path,
    pages: int,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> list[PageView]:
    """Every page of ``bundle`` against the same page of ``rebuild``, in page order.

    A page the renderer cannot draw (damaged, or beyond the limits) is reported as
    differing, naming why; so is every page after it in the same child's share.
    """
    if pages < 1:
        return []
    count = workers or max(1, min(os.cpu_count() or 1, 4, pages // 20 or 1))
    shares = _shares(pages, count)
    report = progress or (lambda _message: None)
    children = [_start(bundle, rebuild, first, last) for first, last in shares]
    found: dict[int, PageView] = {}
    try:
        for view in _collect(children, shares):
            found[view.page] = view
            if len(found) % 200 == 0:
                report(f"compared {len(found)} of {pages} pages as rendered")
    finally:
        for child in children:
            _stop(child)
    return [found.get(page) or PageView(page, "could not be rendered", False)
            for page in range(1, pages + 1)]


def _shares(pages: int, count: int) -> list[tuple[int, int]]:
    """Contiguous page ranges, one per child (neighbouring pages share fonts and images)."""
    size = -(-pages // count)
    return [(first, min(first + size - 1, pages)) for first in range(1, pages + 1, size)]


def _start(bundle: Path, rebuild: Path, first: int, last: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bundler.bundle.pixels", str(bundle), str(rebuild), str(first),
         str(last)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.kill()
    child.wait()
    if child.stdout is not None:
        child.stdout.close()


def _collect(children: list[subprocess.Popen[bytes]],
             shares: list[tuple[int, int]]) -> Iterator[PageView]:
    """Read each child's lines as they come; a child silent for PAGE_SECONDS is stopped,
    and the page it was on (and the rest of its share) reported as not rendered."""
    selector = selectors.DefaultSelector()
    next_page = {id(child): first for child, (first, _last) in zip(children, shares, strict=True)}
    buffers = {id(child): b"" for child in children}
    heard = {id(child): time.monotonic() for child in children}
    for child in children:
        assert child.stdout is not None
        os.set_blocking(child.stdout.fileno(), False)
        selector.register(child.stdout, selectors.EVENT_READ, child)
    open_children = {id(child): child for child in children}
    ends = {id(child): last for child, (_first, last) in zip(children, shares, strict=True)}
    while open_children:
        events = selector.select(timeout=1.0)
        for key, _mask in events:
            child = key.data
            chunk = os.read(key.fd, 1 << 16)
            if chunk:
                heard[id(child)] = time.monotonic()
                buffers[id(child)] += chunk
                *lines, buffers[id(child)] = buffers[id(child)].split(b"\n")
                for line in lines:
                    view = _parse(line)
                    if view is not None:
                        next_page[id(child)] = view.page + 1
                        yield view
                continue
            selector.unregister(key.fileobj)
            del open_children[id(child)]
            yield from _unfinished(child, next_page[id(child)], ends[id(child)], stopped=False)
        now = time.monotonic()
        for ident, child in list(open_children.items()):
            if now - heard[ident] > PAGE_SECONDS:
                assert child.stdout is not None
                selector.unregister(child.stdout)
                del open_children[ident]
                child.kill()
                yield from _unfinished(child, next_page[ident], ends[ident], stopped=True)
    selector.close()


def _unfinished(child: subprocess.Popen[bytes], page: int, last: int,
                *, stopped: bool) -> Iterator[PageView]:
    if page > last:
        return
    child.wait()
    why = (f"could not be rendered within {PAGE_SECONDS:.0f} seconds" if stopped else
           "could not be rendered (the renderer stopped: the page is damaged or too large)")
    yield PageView(page, why, False)
    for later in range(page + 1, last + 1):
        yield PageView(later, "not compared (an earlier page could not be rendered)", False)


def _parse(line: bytes) -> PageView | None:
    try:
        data = json.loads(line)
        return PageView(int(data["page"]), data["shows"], bool(data["text_same"]),
                        int(data.get("largest", 0)))
    except (ValueError, KeyError, TypeError):
        return None


# --------------------------------------------------------------------------- in the child


def _render_pair(bundle: Any, rebuild: Any, index: int) -> dict[str, Any]:
    """Render page ``index`` of both documents and compare pixels and text."""
    ours, theirs = bundle[index], rebuild[index]
    try:
        size_ours, size_theirs = ours.get_size(), theirs.get_size()
        if _rounded(size_ours) != _rounded(size_theirs):
            return {"shows": f"its size differs ({_mm(size_ours)} against {_mm(size_theirs)} "
                    "in the rebuild)", "text_same": False}
        scale = _scale(size_ours)
        first = ours.render(scale=scale, rev_byteorder=True, prefer_bgrx=True)
        second = theirs.render(scale=scale, rev_byteorder=True, prefer_bgrx=True)
        shows, largest = _difference(first, second, scale)
        return {"shows": shows, "largest": largest,
                "text_same": _text(ours) == _text(theirs)}
    finally:
        ours.close()
        theirs.close()


def _scale(size: tuple[float, float]) -> float:
    scale = DPI / 72.0
    pixels = size[0] * scale * size[1] * scale
    if pixels > MAX_PIXELS:
        scale *= (MAX_PIXELS / pixels) ** 0.5
    return scale


def _rounded(size: tuple[float, float]) -> tuple[float, float]:
    return round(size[0], 1), round(size[1], 1)


def _mm(size: tuple[float, float]) -> str:
    width, height = (value / 72.0 * _MM_PER_INCH for value in size)
    return f"{width:.0f} x {height:.0f} mm"


def _difference(first: Any, second: Any, scale: float) -> tuple[str | None, int]:
    """None when every channel of every pixel is within LEVELS; else where and how much."""
    if (first.width, first.height) != (second.width, second.height):
        return "its size as rendered differs", 255
    size = first.stride * first.height
    if first.stride == second.stride and _libc().memcmp(first.buffer, second.buffer,
                                                       ctypes.c_size_t(size)) == 0:
        return None, 0  # identical: the usual case, in well under a millisecond
    from PIL import ImageChops

    one = first.to_pil().convert("RGB")
    two = second.to_pil().convert("RGB")
    red, green, blue = ImageChops.difference(one, two).split()
    worst = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    largest = worst.getextrema()[1]
    assert isinstance(largest, int)
    if largest <= LEVELS:
        return None, largest
    over = worst.point(lambda value: 255 if value > LEVELS else 0)
    count = over.histogram()[255]
    left, top, right, bottom = over.getbbox() or (0, 0, 0, 0)
    per_mm = scale * 72.0 / _MM_PER_INCH
    return (f"what it shows differs: {count:,} pixel(s) by up to {largest} of 255 levels, "
            f"{left / per_mm:.0f}-{right / per_mm:.0f} mm from its left edge and "
            f"{top / per_mm:.0f}-{bottom / per_mm:.0f} mm from its top"), largest


@functools.cache
def _libc() -> Any:
    """The C library, for memcmp: Python compares two 4 MB buffers ten times slower."""
    return ctypes.CDLL(None)


def _text(page: Any) -> str:
    textpage = page.get_textpage()
    try:
        return " ".join(textpage.get_text_bounded().split())
    finally:
        textpage.close()


def _limit_memory() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    if soft == resource.RLIM_INFINITY or soft > wanted:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def main(argv: list[str]) -> int:
    """``python -m bundler.bundle.pixels BUNDLE REBUILD FIRST LAST``: one JSON line a page."""
    _limit_memory()
    import pypdfium2

    bundle_path, rebuild_path, first, last = argv[0], argv[1], int(argv[2]), int(argv[3])
    bundle = pypdfium2.PdfDocument(bundle_path)
    rebuild = pypdfium2.PdfDocument(rebuild_path)
    out = sys.stdout
    for page in range(first, last + 1):
        try:
            result = _render_pair(bundle, rebuild, page - 1)
        except (pypdfium2.PdfiumError, MemoryError, ValueError, IndexError) as exc:
            result = {"shows": f"could not be rendered ({type(exc).__name__})",
                      "text_same": False}
        out.write(json.dumps({"page": page, **result}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
