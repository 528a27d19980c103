"""Just enough of a PDF font to know where each glyph of a shown string lies.

For every code in a string: how many bytes it takes, how far it advances (glyph units, a
thousandth of the font size) and whether it is a single-byte space (word spacing applies).
Simple fonts (Type1, TrueType, Type3) take one byte a code and carry /Widths; composite
fonts with the Identity-H encoding take two and carry /W. Anything else (vertical writing,
other CMaps, fonts without widths that are not among the standard 14) is *not understood*:
its glyphs cannot be placed, so a page that shows them under a redaction box is re-rendered
instead (see ``engine``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pypdf.generic import ArrayObject, DictionaryObject, NameObject

_STANDARD_14 = {
    "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique",
    "Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic",
    "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique",
    "Symbol", "ZapfDingbats",
}
_ALIASES = {"Arial": "Helvetica", "Arial,Bold": "Helvetica-Bold", "Arial-BoldMT": "Helvetica-Bold",
            "ArialMT": "Helvetica", "TimesNewRoman": "Times-Roman",
            "TimesNewRomanPSMT": "Times-Roman", "CourierNew": "Courier"}
_MAX_CID = 0xFFFF
_MAX_W_ENTRIES = 70_000


@dataclass
class FontInfo:
    """How to step through a string shown in this font."""

    understood: bool
    two_byte: bool = False
    widths: dict[int, float] = field(default_factory=dict)  # code -> width, glyph units
    default_width: float = 500.0
    ascent: float = 800.0  # glyph units, above the baseline
    descent: float = -200.0
    scale: float = 0.001  # glyph units -> text space (Type3: from its /FontMatrix)

    def codes(self, data: bytes) -> list[tuple[bytes, float, bool]]:
        """(code bytes, width in text space per unit font size, is a single-byte space)."""
        out: list[tuple[bytes, float, bool]] = []
        if self.two_byte:
            for i in range(0, len(data) - 1, 2):
                code = data[i] << 8 | data[i + 1]
                out.append((data[i:i + 2], self.widths.get(code, self.default_width)
                            * self.scale, False))
            if len(data) % 2:
                out.append((data[-1:], self.default_width * self.scale, False))
            return out
        for byte in data:
            out.append((bytes((byte,)), self.widths.get(byte, self.default_width) * self.scale,
                        byte == 32))
        return out


def font_info(font: Any) -> FontInfo:
    """What ``font`` (a font dictionary) tells of its glyphs' widths and heights."""
    try:
        return _font_info(font.get_object() if font is not None else None)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return FontInfo(understood=False)


def _font_info(font: Any) -> FontInfo:
    if not isinstance(font, DictionaryObject):
        return FontInfo(understood=False)
    subtype = font.get("/Subtype")
    if subtype == "/Type0":
        return _composite(font)
    info = FontInfo(understood=True)
    descriptor = _get(font, "/FontDescriptor")
    if subtype == "/Type3":
        matrix = [float(v) for v in _get(font, "/FontMatrix") or (0.001, 0, 0, 0.001, 0, 0)]
        if len(matrix) != 6 or matrix[1] or matrix[2] or not matrix[0] or not matrix[3]:
            return FontInfo(understood=False)  # sheared or turned glyph space
        info.scale = matrix[0]
        bbox = [float(v) for v in _get(font, "/FontBBox") or (0, 0, 0, 0)]
        if len(bbox) == 4 and bbox[3] > bbox[1]:
            info.ascent = bbox[3] * matrix[3] / matrix[0]
            info.descent = bbox[1] * matrix[3] / matrix[0]
    elif isinstance(descriptor, DictionaryObject):
        info.ascent = max(float(descriptor.get("/Ascent", 800) or 800), 500.0)
        info.descent = min(float(descriptor.get("/Descent", -200) or -200), 0.0)
    widths = _get(font, "/Widths")
    if isinstance(widths, ArrayObject):
        first = int(font.get("/FirstChar", 0))
        for offset, value in enumerate(widths[:256]):
            info.widths[first + offset] = float(value.get_object())
        missing = descriptor.get("/MissingWidth") if isinstance(descriptor, DictionaryObject) \
            else None
        info.default_width = float(missing) if missing is not None else 0.0
        return info
    standard = _standard_name(font.get("/BaseFont"))
    if standard is None or subtype == "/Type3":
        return FontInfo(understood=False)
    from reportlab.pdfbase import pdfmetrics

    metrics = pdfmetrics.getFont(standard)
    info.widths = dict(enumerate(float(w) for w in metrics.widths))
    return info


def _standard_name(base: Any) -> str | None:
    if not isinstance(base, NameObject):
        return None
    name = str(base)[1:]
    if "+" in name[:7]:
        name = name.split("+", 1)[1]
    name = _ALIASES.get(name, name)
    return name if name in _STANDARD_14 else None


def _composite(font: DictionaryObject) -> FontInfo:
    encoding = font.get("/Encoding")
    if encoding != "/Identity-H":  # vertical writing, or a CMap we would have to read
        return FontInfo(understood=False)
    descendants = _get(font, "/DescendantFonts")
    if not isinstance(descendants, ArrayObject) or not descendants:
        return FontInfo(understood=False)
    cid_font = descendants[0].get_object()
    if not isinstance(cid_font, DictionaryObject):
        return FontInfo(understood=False)
    info = FontInfo(understood=True, two_byte=True,
                    default_width=float(cid_font.get("/DW", 1000)))
    descriptor = _get(cid_font, "/FontDescriptor")
    if isinstance(descriptor, DictionaryObject):
        info.ascent = max(float(descriptor.get("/Ascent", 800) or 800), 500.0)
        info.descent = min(float(descriptor.get("/Descent", -200) or -200), 0.0)
    array = _get(cid_font, "/W")
    if isinstance(array, ArrayObject):
        _read_w(array, info.widths)
    return info


def _read_w(array: ArrayObject, widths: dict[int, float]) -> None:
    """/W: ``c [w1 w2 ...]`` or ``c_first c_last w`` entries (ISO 32000-1, 9.7.4.3)."""
    items = [item.get_object() for item in array]
    i = 0
    while i < len(items) and len(widths) < _MAX_W_ENTRIES:
        start = items[i]
        following = items[i + 1] if i + 1 < len(items) else None
        if isinstance(following, ArrayObject):
            for offset, value in enumerate(following):
                widths[int(start) + offset] = float(value.get_object())
            i += 2
        elif i + 2 < len(items):
            first, last, width = int(start), int(items[i + 1]), float(items[i + 2])
            for code in range(max(0, first), min(last, _MAX_CID) + 1):
                widths[code] = width
                if len(widths) >= _MAX_W_ENTRIES:
                    break
            i += 3
        else:
            break


def _get(dictionary: DictionaryObject, key: str) -> Any:
    value = dictionary.get(key)
    return value.get_object() if value is not None else None
