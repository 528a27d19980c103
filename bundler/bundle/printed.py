"""The text a reader sees in a region of each page (near its bottom or top edge, or all of it),
read by poppler's ``pdftotext`` in bounded child processes.

``pdftotext`` crops in display space (after /Rotate, from the top-left of the crop box), so
the bottom of a landscape page is its bottom as shown. One crop rectangle serves pages of
one height: pages are grouped by height; a group that fills long runs is read in place
(pages of other heights inside a run are read and ignored), long runs split so both cores
work; scattered pages are copied into a small PDF first. Only the crop region's characters
are laid out, which is what makes reading the edges of every page cheap.
"""

from __future__ import annotations

import math
import tempfile
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bundler.bundle.pdftools import ToolFailed, run_bounded, tool

BAND = 72.0  # points from the edge where a page number is looked for (one inch)
_GAP = 50  # pages of a gap read in passing rather than starting another run
_SPLIT = 400  # runs longer than this are split between the workers


A4_SIZE = (595.28, 841.89, 0.0)  # most bundles: read before the page sizes are known


@dataclass(frozen=True)
class _Run:
    region: str
    first: int  # 1-based, inclusive, in the file read
    last: int
    y: int  # crop rectangle, in points from the top-left of the displayed crop box
    height: int
    width: int
    pages: tuple[int, ...]  # the bundle's page numbers of first..last

    @property
    def count(self) -> int:
        return self.last - self.first + 1


Texts = dict[str, dict[int, str | None]]  # region -> page -> its text (None: unreadable)


def a4_bottoms(pdf: Path, timeout: float = 3600, cancel: threading.Event | None = None,
               workers: int = 2) -> list[str] | None:
    """The bottom band of every page, cropped as for an A4 portrait page.

    Started before the page sizes are known (most bundles are A4 portrait), so poppler
    reads while qpdf and the structure's examination go on; pages of another height are
    read again by ``read_regions``. None when it fails.
    """
    y, height = crop(A4_SIZE, "bottom")
    try:
        count = int(run_bounded([tool("qpdf", "qpdf"), "--show-npages", "--", str(pdf)],
                                timeout=60, max_output=4096, ok_status=(0, 3),
                                cancel=cancel).out.split()[0])
    except (ToolFailed, ValueError, IndexError):
        return None
    parts = [_Run("bottom", first, last, y, height, 2000, ()) for first, last in
             (_split(1, count) if workers > 1 else [(1, count)])]

    def read(run: _Run) -> list[str] | None:
        return _read(pdf, run, timeout, cancel)[1]

    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        texts = list(pool.map(read, parts))
    if any(part is None for part in texts):
        return None
    return [text for part in texts for text in part or ()]


def read_regions(
    pdf: Path,
    sizes: Sequence[Size],
    wanted: dict[str, Iterable[int]],
    *,
    workers: int = 2,
    timeout: float | None = None,
) -> Texts:
    """The text in each region (bottom | top | page) of the pages wanted there (1-based).

    ``sizes`` holds every page's displayed (width, height). A page whose run could not be
    read (the tool failed or ran out of time) maps to None. Pages of one height that lie in
    a few long runs are read in place; scattered ones (landscape pages, a few suspect pages)
    are first copied, once for every region, into a small PDF by qpdf, since poppler pays to
    find a page deep in a large file each time it starts.
    """
    limit = timeout if timeout is not None else 120 + 0.05 * len(sizes)
    widest = 10 + math.ceil(max((width for width, _height, _top in sizes), default=612))
    found: Texts = {region: {} for region in wanted}
    direct: list[_Run] = []
    scattered: dict[tuple[str, int, int], list[int]] = {}
    for region, pages in wanted.items():
        by_crop: dict[tuple[int, int], list[int]] = {}
        for number in sorted(set(pages)):
            by_crop.setdefault(crop(sizes[number - 1], region), []).append(number)
        for (y, height), numbers in by_crop.items():
            spans = _spans(numbers)
            if len(spans) <= 2 or len(numbers) * 4 >= len(sizes):
                direct += [_Run(region, first, last, y, height, widest,
                                tuple(range(first, last + 1)))
                           for span in spans for first, last in _split(*span)]
            else:
                scattered[(region, y, height)] = numbers
    with tempfile.TemporaryDirectory(prefix="bundler-pages-") as work:
        jobs = [(pdf, run) for run in direct]
        if scattered:
            order = sorted({number for numbers in scattered.values() for number in numbers})
            position = {number: index for index, number in enumerate(order, start=1)}
            subset = Path(work) / "pages.pdf"
            if _extract(pdf, order, subset, limit):
                for (region, y, height), numbers in scattered.items():
                    for first, last in _spans([position[n] for n in numbers]):
                        jobs.append((subset, _Run(region, first, last, y, height, widest,
                                                  tuple(order[first - 1:last]))))
            else:
                for (region, _y, _h), numbers in scattered.items():
                    found[region].update(dict.fromkeys(numbers))
        wanted_sets = {region: set(pages) for region, pages in wanted.items()}
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for run, texts in pool.map(lambda job: _read(job[0], job[1], limit), jobs):
                for offset, number in enumerate(run.pages):
                    if number not in wanted_sets[run.region] or (
                            crop(sizes[number - 1], run.region) != (run.y, run.height)):
                        continue  # a page of another height, or not wanted, read in passing
                    found[run.region][number] = None if texts is None else (
                        texts[offset] if offset < len(texts) else "")
    return found


def _read(pdf: Path, run: _Run, limit: float,
          cancel: threading.Event | None = None) -> tuple[_Run, list[str] | None]:
    argv = [tool("pdftotext", "poppler-utils"), "-q", "-cropbox", "-enc", "UTF-8",
            "-f", str(run.first), "-l", str(run.last)]
    if run.region != "page":
        argv += ["-x", "0", "-y", str(run.y), "-W", str(run.width), "-H", str(run.height)]
    try:
        out = run_bounded([*argv, str(pdf), "-"], timeout=limit,
                          max_output=(64 << 20) + run.count * 65536, cancel=cancel).out
    except ToolFailed:
        return run, None
    return run, out.decode("utf-8", "replace").split("\f")[:run.count]


def _extract(pdf: Path, numbers: Sequence[int], out: Path, limit: float) -> bool:
    """Copy pages ``numbers`` (in that order) of ``pdf`` into ``out`` with qpdf."""
    args = out.with_suffix(".args")
    args.write_text("\n".join(["--empty", "--pages", str(pdf),
                                ",".join(str(n) for n in numbers), "--", str(out)]) + "\n",
                    encoding="utf-8")
    try:
        run_bounded([tool("qpdf", "qpdf"), f"@{args}"], timeout=limit, max_output=1 << 20,
                    ok_status=(0, 3))
    except ToolFailed:
        return False
    return out.is_file()


Size = tuple[float, float, float]  # displayed width, height, top of the visible area


def crop(size: Size, region: str) -> tuple[int, int]:
    """(y, height) of the crop rectangle, whole points, for a page of ``size``.

    pdftotext measures from the top-left of the media box as displayed; the region is
    measured from the visible area's edge (the crop box's), where a bundle prints."""
    _width, height, top = size
    band = min(BAND, height / 3)
    if region == "bottom":
        return max(0, math.floor(top + height - band)), math.ceil(band) + 1
    if region == "top":
        return max(0, math.floor(top)), math.ceil(band) + 1
    return 0, 0  # the whole page


def _spans(numbers: list[int]) -> list[tuple[int, int]]:
    """Spans covering the sorted page numbers, joined across gaps of up to _GAP pages."""
    spans: list[tuple[int, int]] = []
    for number in numbers:
        if spans and number - spans[-1][1] <= _GAP:
            spans[-1] = (spans[-1][0], number)
        else:
            spans.append((number, number))
    return spans


def _split(first: int, last: int) -> list[tuple[int, int]]:
    count = last - first + 1
    if count <= _SPLIT:
        return [(first, last)]
    middle = first + count // 2
    return [(first, middle - 1), (middle, last)]
