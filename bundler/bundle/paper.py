"""Paper sizes: what is A4, what other sizes are called, and fitting a page onto A4.

Some practice (PD 27A, family court bundles) requires A4 throughout, but evidence arrives
on other paper: Word files LibreOffice lays out on US Letter, scans of receipts and A3
plans. A bundle built for such a profile fits each page that is not A4 onto an A4 sheet
of the same orientation (landscape when the page as displayed is wider than tall): scaled
uniformly to fit (never enlarged) and centred, so what the page shows is unchanged, only
its size. ``bundle check`` uses the same test of what is A4.
"""

from __future__ import annotations

from dataclasses import dataclass

A4_WIDTH, A4_HEIGHT = 595.2756, 841.8898  # points, portrait
TOLERANCE = 3.0  # points either way (about 1 mm): A4 as PDF writers round it

# Named sizes (portrait, points), to say what a page was in words.
_NAMED = (
    ("A4", A4_WIDTH, A4_HEIGHT),
    ("US Letter", 612.0, 792.0),
    ("US Legal", 612.0, 1008.0),
    ("A3", 841.8898, 1190.5512),
    ("A5", 419.5276, 595.2756),
    ("B5", 498.8976, 708.6614),
)


def is_a4(width: float, height: float) -> bool:
    """A4 portrait or landscape, within a millimetre."""
    short, long = sorted((width, height))
    return abs(short - A4_WIDTH) <= TOLERANCE and abs(long - A4_HEIGHT) <= TOLERANCE


def a4_like(width: float, height: float) -> tuple[float, float]:
    """The A4 sheet (width, height) in the orientation of a page shown ``width`` x ``height``."""
    return (A4_HEIGHT, A4_WIDTH) if width > height else (A4_WIDTH, A4_HEIGHT)


def paper_name(width: float, height: float) -> str:
    """'US Letter', 'A3 landscape', or '216 x 356 mm' for a size without a common name."""
    short, long = sorted((width, height))
    landscape = " landscape" if width > height else ""
    for name, named_short, named_long in _NAMED:
        if abs(short - named_short) <= TOLERANCE and abs(long - named_long) <= TOLERANCE:
            return name + landscape
    return f"{width * 25.4 / 72:.0f} x {height * 25.4 / 72:.0f} mm"


def fit_scale(width: float, height: float, sheet: tuple[float, float], reserved: float
              ) -> float:
    """How much a page ``width`` x ``height`` shrinks to fit ``sheet`` above ``reserved``
    points at its foot (the stamp's band); 1 when it fits already (never enlarged)."""
    return min(1.0, sheet[0] / width, (sheet[1] - reserved) / height)


@dataclass(frozen=True)
class Fitted:
    """A document's pages that were fitted onto A4, in words and by page."""

    pages: tuple[int, ...]  # 1-based pages of the document
    description: str  # "pages 2-3 (US Letter) scaled to 97% and centred on A4"


def describe_fits(sizes: list[tuple[float, float]], reserved: float) -> Fitted | None:
    """Which of a document's pages (their displayed sizes, in order) are not A4, and how
    they are fitted; None when every page is A4."""
    groups: dict[str, list[tuple[int, float]]] = {}
    for number, (width, height) in enumerate(sizes, start=1):
        if is_a4(width, height):
            continue
        scale = fit_scale(width, height, a4_like(width, height), reserved)
        groups.setdefault(paper_name(width, height), []).append((number, scale))
    if not groups:
        return None
    parts = []
    for name, pages in groups.items():
        numbers = [number for number, _ in pages]
        low = min(scale for _, scale in pages)
        high = max(scale for _, scale in pages)
        if low >= 1.0:
            how = "centred on A4 at full size"
        else:
            shown = (f"{low:.0%}" if round(low, 2) == round(high, 2)
                     else f"{low:.0%}-{high:.0%}")
            how = f"scaled to {shown} and centred on A4"
        parts.append(f"{_pages(numbers, len(sizes))} ({name}) {how}")
    every = sorted(number for pages in groups.values() for number, _ in pages)
    return Fitted(tuple(every), "; ".join(parts))


def _pages(numbers: list[int], count: int) -> str:
    from bundler.bundle.check import page_list

    if count == 1:
        return "the page"
    if len(numbers) == count:
        return f"all {count} pages"
    return f"{'page' if len(numbers) == 1 else 'pages'} {page_list(numbers)}"
