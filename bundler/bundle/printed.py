"""The text a reader sees in a region of each page (near its bottom or top edge, or between),
read by poppler's ``pdftotext`` in bounded child processes.

``pdftotext`` crops in display space (after /Rotate, from the top-left of the crop box), so
the bottom of a landscape page is its bottom as shown. One crop rectangle serves pages of
one height: pages are grouped by height, each group read in a few contiguous runs (pages of
other heights inside a run are read and ignored), and long runs are split so both cores
work. Only the crop region's characters are laid out, which is what makes this cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bundler.bundle.pdftools import ToolFailed, run_bounded, tool

BAND = 72.0  # points from the edge where a page number is looked for (one inch)
_MAX_RUNS = 16  # runs of pages per page height
_SPLIT = 400  # runs longer than this are split between the workers


@dataclass(frozen=True)
class _Run:
    first: int  # 1-based, inclusive
    last: int
    y: int  # crop rectangle, in points from the top-left of the displayed crop box
    height: int
    width: int


def region_texts(
    pdf: Path,
    sizes: Sequence[tuple[float, float]],
    pages: Iterable[int],
    region: str,
    *,
    workers: int = 2,
    timeout: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[int, str | None]:
    """The text in ``region`` (bottom | top | middle) of each of ``pages`` (1-based).

    ``sizes`` holds every page's displayed (width, height). A page whose run could not be
    read (the tool failed or ran out of time) maps to None.
    """
    wanted = sorted(set(pages))
    if not wanted:
        return {}
    pdftotext = tool("pdftotext", "poppler-utils")
    runs = _runs(sizes, wanted, region)
    found: dict[int, str | None] = {}
    limit = timeout if timeout is not None else 120 + 0.05 * len(sizes)

    def read(run: _Run) -> tuple[_Run, list[str] | None]:
        argv = [pdftotext, "-q", "-cropbox", "-enc", "UTF-8", "-f", str(run.first), "-l",
                str(run.last), "-x", "0", "-y", str(run.y), "-W", str(run.width), "-H",
                str(run.height), str(pdf), "-"]
        count = run.last - run.first + 1
        try:
            out = run_bounded(argv, timeout=limit, max_output=(64 << 20) + count * 8192).out
        except ToolFailed:
            return run, None
        return run, out.decode("utf-8", "replace").split("\f")[:count]

    wanted_set = set(wanted)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for done, (run, texts) in enumerate(pool.map(read, runs), start=1):
            for offset, number in enumerate(range(run.first, run.last + 1)):
                if number not in wanted_set or not _same_height(sizes, number, run, region):
                    continue
                if texts is None:
                    found.setdefault(number, None)
                else:
                    found[number] = texts[offset] if offset < len(texts) else ""
            if progress is not None and len(runs) > 2:
                progress(f"read the {region} of the pages: {done} of {len(runs)} runs")
    return found


def _crop(height: float, region: str) -> tuple[int, int]:
    """(y, height) of the crop rectangle, whole points, for a page ``height`` high."""
    band = min(BAND, height / 3)
    if region == "bottom":
        return max(0, math.floor(height - band)), math.ceil(band) + 1
    if region == "top":
        return 0, math.ceil(band)
    return math.ceil(band), max(1, math.floor(height - 2 * band))


def _same_height(sizes: Sequence[tuple[float, float]], number: int, run: _Run,
                 region: str) -> bool:
    return _crop(sizes[number - 1][1], region)[0] == run.y


def _runs(sizes: Sequence[tuple[float, float]], wanted: list[int], region: str) -> list[_Run]:
    by_crop: dict[tuple[int, int], list[int]] = {}
    widest = 10 + math.ceil(max((width for width, _height in sizes), default=612))
    for number in wanted:
        by_crop.setdefault(_crop(sizes[number - 1][1], region), []).append(number)
    runs: list[_Run] = []
    for (y, height), numbers in by_crop.items():
        for first, last in _spans(numbers):
            for part_first, part_last in _split(first, last):
                runs.append(_Run(part_first, part_last, y, height, widest))
    return sorted(runs, key=lambda run: run.first)


def _spans(numbers: list[int]) -> list[tuple[int, int]]:
    """At most _MAX_RUNS spans covering the sorted page numbers, joined across the smallest
    gaps (each run costs a start; each page in a gap costs reading it for nothing)."""
    gaps = sorted(later - earlier for earlier, later in zip(numbers, numbers[1:], strict=False))
    allowed = max(50, gaps[-_MAX_RUNS] if len(gaps) >= _MAX_RUNS else 0)
    spans: list[tuple[int, int]] = []
    for number in numbers:
        if spans and number - spans[-1][1] <= allowed:
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
