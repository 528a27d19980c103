"""Redaction by removal from the page's content: the page stays vector, only what lies under
a box goes.

For each page with boxes, its content (and that of every Form XObject it draws, at any
depth) is read operator by operator with the graphics and text state a viewer keeps:

* shown text (``Tj TJ ' "``): each glyph is placed from the font's widths (``fonts``); a
  glyph whose box lies mostly under a redaction box is taken out of the string and its
  advance kept as a ``TJ`` adjustment, so the glyphs around it do not move;
* images (``Do`` of an image XObject): the pixels under each box are set to zero in a copy
  of the image, re-encoded (JPEG stays JPEG at quality 90, everything else Flate), and the
  page draws the copy; its soft mask and mask are cleared there too;
* marked content that carries the text another way (``/ActualText``, ``/Alt``, ``/E``) around
  a removed glyph loses those entries;
* black boxes are then painted over the page, each with its reason code in white.

What this cannot do it says, and the page is re-rendered instead (``raster``): a glyph of a
font it does not understand, an inline image, an image in a format it cannot rewrite
(JBIG2, CCITT, JPEG 2000, CMYK JPEG) under a box.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from bundler.bundle.stamp import IDENTITY, Matrix, PageGeometry, invert, multiply
from bundler.redact.fonts import FontInfo, font_info
from bundler.redact.words import Rect, transform_box

MAX_DEPTH = 12  # Form XObjects inside Form XObjects
COVERED = 0.3  # a glyph this much under a box (by area), or centred in it, is removed
JPEG_QUALITY = 90
LABEL_FONT = "/BRedact"
_TEXT_KEYS = ("/ActualText", "/Alt", "/E")


class NotUnderstood(Exception):
    """Something under a box this engine cannot remove: re-render the page instead."""


@dataclass(frozen=True)
class Box:
    """One redaction box on a page: user space, and the reason code printed on it.

    ``whole`` (a region the officer marked): drawings entirely under it are removed too,
    and one only partly under it sends the page to be re-rendered (a signature, a plan).
    """

    rect: Rect
    reason: str
    whole: bool = False


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    font: FontInfo | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0  # Tz / 100
    leading: float = 0.0
    rise: float = 0.0

    def copy(self) -> _State:
        return _State(self.ctm, self.font, self.size, self.char_spacing, self.word_spacing,
                      self.scale, self.leading, self.rise)


@dataclass
class _Walk:
    """One content stream being rewritten."""

    resources: DictionaryObject
    state: _State = field(default_factory=_State)
    stack: list[_State] = field(default_factory=list)
    tm: Matrix = IDENTITY
    tlm: Matrix = IDENTITY
    marked: list[int] = field(default_factory=list)  # output positions of open BDC/BMC
    touched: set[int] = field(default_factory=set)  # ... whose content lost a glyph
    fonts: dict[str, FontInfo] = field(default_factory=dict)
    changed: bool = False
    regions: list[Rect] = field(default_factory=list)  # boxes that take drawings too
    path: list[tuple[Any, bytes]] = field(default_factory=list)  # being constructed
    path_box: list[float] = field(default_factory=list)  # x0, y0, x1, y1 so far


class Stripper:
    """Removes what lies under ``boxes`` from pages of ``writer``."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self.serial = 0
        self.label_font: IndirectObject | None = None

    def redact_page(self, page: Any, boxes: Sequence[Box], geometry: PageGeometry) -> None:
        """Remove the content under ``boxes`` and paint them (NotUnderstood: re-render)."""
        resources = _resources(page)
        contents = page.get("/Contents")
        stream = ContentStream(contents, self.writer) if contents is not None else None
        rects = [box.rect for box in boxes]
        if stream is not None:
            walk = _Walk(resources, regions=[box.rect for box in boxes if box.whole])
            operations = self._rewrite(stream.operations, walk, rects, 0)
            stream.operations = operations
            data = stream.get_data()
        else:
            data = b""
        paint = self._paint(resources, boxes, geometry)
        new = DecodedStreamObject()
        new.set_data(b"q\n" + data + b"\nQ\n" + paint)
        page[NameObject("/Contents")] = self.writer._add_object(new.flate_encode(level=9))

    # ------------------------------------------------------------------ content walk

    def _rewrite(self, operations: list[tuple[Any, bytes]], walk: _Walk, boxes: Sequence[Rect],
                 depth: int) -> list[tuple[Any, bytes]]:
        out: list[tuple[Any, bytes]] = []
        for operands, operator in operations:
            if (walk.regions and (operator in _PATH_OPERATORS or walk.path)
                    and _path_step(operands, operator, walk, out)):
                continue
            replaced = self._operation(operands, operator, walk, boxes, depth, out)
            if replaced is None:
                out.append((operands, operator))
            else:
                out.extend(replaced)
        for position in walk.touched:
            out[position] = _without_text_keys(out[position], walk.resources)
        if walk.changed:
            _drop_unused_xobjects(walk.resources, out)
        return out

    def _operation(self, operands: Any, operator: bytes, walk: _Walk, boxes: Sequence[Rect],
                   depth: int, out: list[tuple[Any, bytes]]) -> list[tuple[Any, bytes]] | None:
        state = walk.state
        if operator == b"q":
            walk.stack.append(state.copy())
        elif operator == b"Q":
            if walk.stack:
                walk.state = walk.stack.pop()
        elif operator == b"cm" and len(operands) == 6:
            state.ctm = multiply(_matrix(operands), state.ctm)
        elif operator == b"BT":
            walk.tm = walk.tlm = IDENTITY
        elif operator == b"Tf" and len(operands) == 2:
            state.font = self._font(walk, operands[0])
            state.size = float(operands[1])
        elif operator == b"Tc" and operands:
            state.char_spacing = float(operands[0])
        elif operator == b"Tw" and operands:
            state.word_spacing = float(operands[0])
        elif operator == b"Tz" and operands:
            state.scale = float(operands[0]) / 100.0
        elif operator == b"TL" and operands:
            state.leading = float(operands[0])
        elif operator == b"Ts" and operands:
            state.rise = float(operands[0])
        elif operator in (b"Td", b"TD") and len(operands) == 2:
            tx, ty = float(operands[0]), float(operands[1])
            if operator == b"TD":
                state.leading = -ty
            walk.tlm = walk.tm = multiply((1.0, 0.0, 0.0, 1.0, tx, ty), walk.tlm)
        elif operator == b"Tm" and len(operands) == 6:
            walk.tlm = walk.tm = _matrix(operands)
        elif operator == b"T*":
            walk.tlm = walk.tm = multiply((1.0, 0.0, 0.0, 1.0, 0.0, -state.leading), walk.tlm)
        elif operator in (b"Tj", b"TJ", b"'", b'"'):
            return self._show(operands, operator, walk, boxes)
        elif operator in (b"BDC", b"BMC"):
            walk.marked.append(len(out))
        elif operator == b"EMC":
            if walk.marked:
                walk.marked.pop()
        elif operator == b"Do" and operands:
            return self._draw(operands[0], walk, boxes, depth)
        elif operator == b"INLINE IMAGE" and _touches(_placement(state.ctm), boxes):
            raise NotUnderstood("an inline image lies under a box")
        return None

    def _font(self, walk: _Walk, name: Any) -> FontInfo:
        key = str(name)
        known = walk.fonts.get(key)
        if known is None:
            fonts = walk.resources.get("/Font")
            fonts = fonts.get_object() if fonts is not None else None
            font = fonts.get(key) if isinstance(fonts, DictionaryObject) else None
            known = font_info(font)
            walk.fonts[key] = known
        return known

    def _show(self, operands: Any, operator: bytes, walk: _Walk,
              boxes: Sequence[Rect]) -> list[tuple[Any, bytes]] | None:
        state = walk.state
        prefix: list[tuple[Any, bytes]] = []
        if operator == b'"' and len(operands) == 3:
            state.word_spacing, state.char_spacing = float(operands[0]), float(operands[1])
            prefix = [([operands[0]], b"Tw"), ([operands[1]], b"Tc")]
        if operator in (b"'", b'"'):
            walk.tlm = walk.tm = multiply((1.0, 0.0, 0.0, 1.0, 0.0, -state.leading), walk.tlm)
            prefix.append(([], b"T*"))
        if operator == b"TJ":
            items = list(operands[0]) if operands and isinstance(operands[0], ArrayObject) else []
        else:
            items = [operands[-1]] if operands else []
        font = state.font
        if font is None or not font.understood or state.size == 0 or state.scale == 0:
            if self._might_touch(walk, items, boxes):
                raise NotUnderstood("text in a font whose glyphs cannot be placed lies near a box")
            walk.tm = multiply((1.0, 0.0, 0.0, 1.0, self._rough_advance(walk, items), 0.0),
                               walk.tm)
            return None
        rendered = multiply(walk.tm, state.ctm)
        near = self._near(walk, font, items, rendered, boxes)
        if not near:
            return None
        parts = ArrayObject()
        pending = b""
        shift = 0.0  # thousandths of text space, to add as a TJ number
        x = 0.0
        removed = False
        for item in items:
            value = item.get_object() if isinstance(item, IndirectObject) else item
            data = _string_bytes(value)
            if data is None:
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    x -= float(value) / 1000.0 * state.size * state.scale
                    shift += float(value)
                continue
            for code, width, is_space in font.codes(data):
                advance = (width * state.size + state.char_spacing
                           + (state.word_spacing if is_space else 0.0)) * state.scale
                glyph = (x, font.descent / 1000.0 * state.size + state.rise,
                         x + width * state.size * state.scale,
                         font.ascent / 1000.0 * state.size + state.rise)
                if _covered(transform_box(rendered, _ordered(glyph)), near):
                    removed = True
                    shift -= advance / (state.size * state.scale) * 1000.0
                else:
                    if shift:
                        if pending:
                            parts.append(ByteStringObject(pending))
                            pending = b""
                        parts.append(FloatObject(round(shift, 4)))
                        shift = 0.0
                    pending += code
                x += advance
        if pending:
            parts.append(ByteStringObject(pending))
        if shift:
            parts.append(FloatObject(round(shift, 4)))
        walk.tm = multiply((1.0, 0.0, 0.0, 1.0, x, 0.0), walk.tm)
        if not removed:
            return None
        walk.changed = True
        walk.touched.update(walk.marked)
        return [*prefix, ([parts], b"TJ")]

    def _near(self, walk: _Walk, font: FontInfo, items: list[Any], rendered: Matrix,
              boxes: Sequence[Rect]) -> list[Rect]:
        """The boxes the whole string could touch (most strings touch none); when it
        touches none, the text position moves on past it here."""
        state = walk.state
        x = low = high = 0.0
        for item in items:
            value = item.get_object() if isinstance(item, IndirectObject) else item
            data = _string_bytes(value)
            if data is None:
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    x -= float(value) / 1000.0 * state.size * state.scale
            else:
                for _code, width, is_space in font.codes(data):
                    x += (width * state.size + state.char_spacing
                          + (state.word_spacing if is_space else 0.0)) * state.scale
            low, high = min(low, x), max(high, x)
        span = transform_box(rendered, (low - 1.0, font.descent / 1000.0 * state.size
                                        + state.rise, high + 1.0,
                                        font.ascent / 1000.0 * state.size + state.rise))
        near = [box for box in boxes if _overlap(span, box) > 0]
        if not near:
            walk.tm = multiply((1.0, 0.0, 0.0, 1.0, x, 0.0), walk.tm)
        return near

    def _rough_advance(self, walk: _Walk, items: list[Any]) -> float:
        """Half an em a byte: where the text goes on, for a font we cannot read."""
        count = sum(len(_string_bytes(v) or b"") for v in items)
        return count * 0.5 * walk.state.size * walk.state.scale

    def _might_touch(self, walk: _Walk, items: list[Any], boxes: Sequence[Rect]) -> bool:
        """Whether text in an unreadable font could reach a box (a generous estimate)."""
        state = walk.state
        size = abs(state.size) or 12.0
        length = max(self._rough_advance(walk, items) * 2.5, size)
        area = transform_box(multiply(walk.tm, state.ctm),
                             (-size, -size + state.rise, length + size, 2 * size + state.rise))
        return _touches(area, boxes)

    def _draw(self, name: Any, walk: _Walk, boxes: Sequence[Rect],
              depth: int) -> list[tuple[Any, bytes]] | None:
        xobjects = walk.resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        ref = xobjects.get(str(name)) if isinstance(xobjects, DictionaryObject) else None
        target = ref.get_object() if ref is not None else None
        if not isinstance(target, StreamObject):
            return None
        subtype = target.get("/Subtype")
        if subtype == "/Image":
            placement = _placement(walk.state.ctm)
            if not _touches(placement, boxes):
                return None
            copy = redacted_image(target, walk.state.ctm, boxes, self.writer._add_object)
            return [([self._register(walk, copy)], b"Do")]
        if subtype == "/Form":
            if depth >= MAX_DEPTH:
                raise NotUnderstood("forms nested too deeply")
            form_matrix = target.get("/Matrix")
            matrix = _matrix(form_matrix) if form_matrix is not None and \
                len(form_matrix) == 6 else IDENTITY
            ctm = multiply(matrix, walk.state.ctm)
            bbox = target.get("/BBox")
            if bbox is not None and len(bbox) == 4 and not _touches(
                    transform_box(ctm, _ordered(tuple(float(v) for v in bbox))), boxes):
                return None
            own = target.get("/Resources")
            resources = own.get_object() if own is not None else walk.resources
            if not isinstance(resources, DictionaryObject):
                resources = DictionaryObject()
            inner = _Walk(DictionaryObject(resources))
            inner.state = walk.state.copy()
            inner.state.ctm = ctm
            operations = self._rewrite(ContentStream(target, self.writer).operations, inner,
                                       boxes, depth + 1)
            if not inner.changed and inner.resources == resources:
                return None
            walk.changed = True
            copy = DecodedStreamObject()
            copy.set_data(_serialise(operations))
            for key, value in target.items():
                if key not in ("/Length", "/Filter", "/DecodeParms", "/Resources", "/Metadata",
                               "/PieceInfo"):
                    copy[NameObject(key)] = value
            copy[NameObject("/Resources")] = inner.resources
            return [([self._register(walk, copy.flate_encode(level=9))], b"Do")]
        return None

    def _register(self, walk: _Walk, stream: StreamObject) -> NameObject:
        """Add ``stream`` to the walk's XObject resources (copied) under a fresh name."""
        self.serial += 1
        name = NameObject(f"/BRedacted{self.serial}")
        xobjects = walk.resources.get("/XObject")
        copied = DictionaryObject(xobjects.get_object()) if xobjects is not None else \
            DictionaryObject()
        copied[name] = self.writer._add_object(stream)
        walk.resources[NameObject("/XObject")] = copied
        walk.changed = True
        return name

    # ------------------------------------------------------------------ painting boxes

    def mark_page(self, page: Any, boxes: Sequence[Box], geometry: PageGeometry) -> None:
        """Outline ``boxes`` in red over the page, removing nothing."""
        resources = _resources(page)
        paint = self._paint(resources, boxes, geometry, outline=True)
        contents = page.get("/Contents")
        data = ContentStream(contents, self.writer).get_data() if contents is not None else b""
        new = DecodedStreamObject()
        new.set_data(b"q\n" + data + b"\nQ\n" + paint)
        page[NameObject("/Contents")] = self.writer._add_object(new.flate_encode(level=9))

    def _paint(self, resources: DictionaryObject, boxes: Sequence[Box],
               geometry: PageGeometry, *, outline: bool = False) -> bytes:
        """Black boxes in user space, each reason code upright as the page is displayed."""
        if self.label_font is None:
            self.label_font = self.writer._add_object(DictionaryObject({
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica-Bold"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }))
        fonts = resources.get("/Font")
        copied = DictionaryObject(fonts.get_object()) if fonts is not None else DictionaryObject()
        copied[NameObject(LABEL_FONT)] = self.label_font
        resources[NameObject("/Font")] = copied
        return paint_boxes(boxes, geometry, outline=outline)


def paint_boxes(boxes: Sequence[Box], geometry: PageGeometry, *, outline: bool = False) -> bytes:
    """Content drawing each box black with its reason code in white (font ``LABEL_FONT``);
    with ``outline``, a red frame with the code in red instead (what is marked, not removed,
    in the tribunal's unedited bundle)."""
    out = io.StringIO()
    out.write("q 0.8 0 0 RG 0.8 w\n" if outline else "q 0 g\n")
    for box in boxes:
        x0, y0, x1, y1 = box.rect
        out.write(f"{_n(x0)} {_n(y0)} {_n(x1 - x0)} {_n(y1 - y0)} re {'S' if outline else 'f'}\n")
    out.write("Q\n")
    to_display = invert(geometry.display_to_user)
    colour = "0.8 0 0 rg" if outline else "1 g"
    for box in boxes:
        dx0, dy0, dx1, dy1 = transform_box(to_display, box.rect)
        height, width = dy1 - dy0, dx1 - dx0
        size = min(7.0, height * 0.7) if not outline else 5.0
        label = box.reason.encode("ascii", "replace").decode("ascii")
        if not outline and (size < 3 or width < size * 0.75 * len(label) + 2):
            continue
        x, y = (dx0 + 1.5, dy0 + (height - size * 0.7) / 2) if not outline else (dx0, dy1 + 1)
        a, b, c, d, e, f = geometry.display_to_user
        out.write(f"q {_n(a)} {_n(b)} {_n(c)} {_n(d)} {_n(e)} {_n(f)} cm BT {colour} "
                  f"{LABEL_FONT} {_n(size)} Tf {_n(x)} {_n(y)} Td ({label}) Tj ET Q\n")
    return out.getvalue().encode("ascii")


# ---------------------------------------------------------------------- images


def redacted_image(image: StreamObject, ctm: Matrix, boxes: Sequence[Rect],
                   add: Callable[[StreamObject], IndirectObject]) -> StreamObject:
    """A copy of ``image`` with the pixels under ``boxes`` zeroed, its masks too
    (NotUnderstood if it cannot); ``add`` makes a stream an indirect object of the output."""
    width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
    if width <= 0 or height <= 0:
        raise NotUnderstood("an image without a size lies under a box")
    copy = _edited(image, width, height, _pixel_regions(ctm, width, height, boxes))
    for key in ("/SMask", "/Mask"):
        mask = image.get(key)
        target = mask.get_object() if mask is not None else None
        if isinstance(target, StreamObject):
            mask_w, mask_h = int(target.get("/Width", 0)), int(target.get("/Height", 0))
            if mask_w > 0 and mask_h > 0:
                regions = _pixel_regions(ctm, mask_w, mask_h, boxes)
                copy[NameObject(key)] = add(_edited(target, mask_w, mask_h, regions))
    return copy


def _pixel_regions(ctm: Matrix, width: int, height: int,
                   boxes: Sequence[Rect]) -> list[tuple[int, int, int, int]]:
    """Each box as a pixel rectangle (left, top, right, bottom) of the image, one pixel wider."""
    try:
        to_unit = invert(ctm)
    except ValueError:
        raise NotUnderstood("an image drawn with no area lies under a box") from None
    regions = []
    for box in boxes:
        u0, v0, u1, v1 = transform_box(to_unit, box)
        if u1 <= 0 or v1 <= 0 or u0 >= 1 or v0 >= 1:
            continue
        left = max(0, int(u0 * width) - 1)
        right = min(width, int(u1 * width + 0.999) + 1)
        top = max(0, int((1 - v1) * height) - 1)
        bottom = min(height, int((1 - v0) * height + 0.999) + 1)
        if right > left and bottom > top:
            regions.append((left, top, right, bottom))
    return regions


_COMPONENTS = {"/DeviceGray": 1, "/CalGray": 1, "/DeviceRGB": 3, "/CalRGB": 3, "/Lab": 3,
               "/DeviceCMYK": 4, "/Indexed": 1, "/Separation": 1}


def _edited(image: StreamObject, width: int, height: int,
            regions: Sequence[tuple[int, int, int, int]]) -> StreamObject:
    filters = image.get("/Filter")
    names = [str(f) for f in (filters if isinstance(filters, ArrayObject) else
                              [filters] if filters is not None else [])]
    names = [n for n in names if n not in ("/ASCII85Decode", "/A85", "/ASCIIHexDecode", "/AHx")]
    if names and names[-1] == "/DCTDecode":
        return _edited_jpeg(image, regions)
    if any(n in ("/JBIG2Decode", "/CCITTFaxDecode", "/CCF", "/JPXDecode", "/DCT") for n in names):
        raise NotUnderstood(f"an image stored as {names[-1][1:]} lies under a box")
    bits = int(image.get("/BitsPerComponent", 1 if image.get("/ImageMask") else 8))
    components = 1 if image.get("/ImageMask") else _components(image.get("/ColorSpace"))
    if components is None or bits not in (1, 2, 4, 8, 16):
        raise NotUnderstood("an image in a colour space this engine cannot edit lies under a box")
    data = bytearray(image.get_data())
    stride = (width * components * bits + 7) // 8
    if len(data) < stride * height:
        raise NotUnderstood("an image shorter than its size lies under a box")
    for left, top, right, bottom in regions:
        first = left * components * bits // 8
        last = min(stride, (right * components * bits + 7) // 8)
        blank = bytes(last - first)
        for row in range(top, bottom):
            data[row * stride + first: row * stride + last] = blank
    return _image_copy(image, zlib.compress(bytes(data), 9), "/FlateDecode")


def _components(space: Any) -> int | None:
    space = space.get_object() if space is not None else None
    if isinstance(space, NameObject):
        return _COMPONENTS.get(str(space))
    if isinstance(space, ArrayObject) and space:
        kind = str(space[0])
        if kind == "/ICCBased" and len(space) > 1:
            profile = space[1].get_object()
            return int(profile.get("/N", 0)) or None
        if kind == "/DeviceN" and len(space) > 1:
            return len(space[1].get_object())
        return _COMPONENTS.get(kind)
    return None


def _edited_jpeg(image: StreamObject, regions: Sequence[tuple[int, int, int, int]]) -> StreamObject:
    from PIL import Image, ImageDraw

    try:
        picture = Image.open(io.BytesIO(image.get_data()))
        picture.load()
    except Exception as exc:  # a JPEG Pillow cannot read: a viewer might still show it
        raise NotUnderstood("a JPEG image that cannot be decoded lies under a box") from exc
    if picture.mode not in ("L", "RGB"):
        raise NotUnderstood(f"a {picture.mode} JPEG image lies under a box")
    draw = ImageDraw.Draw(picture)
    for left, top, right, bottom in regions:
        draw.rectangle((left, top, right - 1, bottom - 1), fill=0)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=False, progressive=False)
    return _image_copy(image, buffer.getvalue(), "/DCTDecode")


def _image_copy(image: StreamObject, data: bytes, filter_name: str) -> StreamObject:
    """A new image stream: the original's dictionary (no metadata, masks) with new data."""
    copy = EncodedStreamObject()
    for key, value in image.items():
        if key not in ("/Length", "/Filter", "/DecodeParms", "/Metadata", "/Alternates",
                       "/OPI", "/SMask", "/Mask", "/Name", "/StructParent"):
            copy[NameObject(key)] = value
    mask = image.get("/Mask")
    if isinstance(mask, ArrayObject):  # a colour-key mask is numbers only
        copy[NameObject("/Mask")] = mask
    copy[NameObject("/Filter")] = NameObject(filter_name)
    copy._data = data
    copy[NameObject("/Length")] = NumberObject(len(data))
    return copy


def _string_bytes(value: Any) -> bytes | None:
    """The bytes of a string operand (None for a number)."""
    if isinstance(value, TextStringObject):
        return bytes(value.original_bytes)
    if isinstance(value, bytes):
        return bytes(value)
    return None


# ---------------------------------------------------------------------- drawings

_PATH_OPERATORS = {b"m", b"l", b"c", b"v", b"y", b"h", b"re"}
_PAINT_OPERATORS = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"n"}
_CLIP_OPERATORS = {b"W", b"W*"}


def _path_step(operands: Any, operator: bytes, walk: _Walk,
               out: list[tuple[Any, bytes]]) -> bool:
    """Buffer a path until it is painted; drop it when it lies wholly under a region.

    Returns whether the operation was handled here. A painted path partly under a region
    cannot be cut: NotUnderstood. Clipping paths are always kept.
    """
    if operator in _PATH_OPERATORS:
        numbers = [float(v) for v in operands]
        points = list(zip(numbers[0::2], numbers[1::2], strict=False))
        if operator == b"re" and len(numbers) == 4:
            x, y, w, h = numbers
            points = [(x, y), (x + w, y + h)]
        for px, py in points:
            ux, uy = transform_box(walk.state.ctm, (px, py, px, py))[:2]
            box = walk.path_box
            walk.path_box = [ux, uy, ux, uy] if not box else [
                min(box[0], ux), min(box[1], uy), max(box[2], ux), max(box[3], uy)]
        walk.path.append((operands, operator))
        return True
    if not walk.path:
        return False
    walk.path.append((operands, operator))
    if operator in _CLIP_OPERATORS:
        return True
    if operator not in _PAINT_OPERATORS:  # not a path after all: hand it all on
        out.extend(walk.path)
        walk.path, walk.path_box = [], []
        return True
    path, box = walk.path, walk.path_box
    walk.path, walk.path_box = [], []
    clips = any(op in _CLIP_OPERATORS for _operands, op in path)
    area = (box[0], box[1], box[2], box[3]) if box else None
    if area is None or clips or not _touches(_grown(area), walk.regions):
        out.extend(path)
        return True
    if any(_inside(_grown(area), region) for region in walk.regions):
        walk.changed = True
        return True
    raise NotUnderstood("a drawing lies partly under a marked region")


def _grown(area: Rect) -> Rect:
    """A path's box, widened a little for its line width (a hairline has no area)."""
    return (area[0] - 0.5, area[1] - 0.5, area[2] + 0.5, area[3] + 0.5)


def _inside(area: Rect, region: Rect) -> bool:
    return (region[0] <= area[0] and region[1] <= area[1] and area[2] <= region[2]
            and area[3] <= region[3])


# ---------------------------------------------------------------------- helpers


def _without_text_keys(operation: tuple[Any, bytes],
                       resources: DictionaryObject) -> tuple[Any, bytes]:
    operands, operator = operation
    if operator != b"BDC" or len(operands) != 2:
        return operation
    properties = operands[1]
    if isinstance(properties, NameObject):
        named = resources.get("/Properties")
        named = named.get_object() if named is not None else None
        found = named.get(str(properties)) if isinstance(named, DictionaryObject) else None
        properties = found.get_object() if found is not None else None
    if isinstance(properties, DictionaryObject) and any(k in properties for k in _TEXT_KEYS):
        kept = DictionaryObject({k: v for k, v in properties.items() if k not in _TEXT_KEYS})
        return ([operands[0], kept], b"BDC")
    return operation


def _drop_unused_xobjects(resources: DictionaryObject,
                          operations: Sequence[tuple[Any, bytes]]) -> None:
    """Forget the XObjects the rewritten content no longer draws (the originals of redacted
    copies), so they are not written into the file at all."""
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else None
    if not isinstance(xobjects, DictionaryObject):
        return
    used = {str(operands[0]) for operands, operator in operations
            if operator == b"Do" and operands}
    kept = DictionaryObject({k: v for k, v in xobjects.items() if k in used})
    resources[NameObject("/XObject")] = kept


def _resources(page: Any) -> DictionaryObject:
    resources = page.get("/Resources")
    resolved = resources.get_object() if resources is not None else None
    copied = DictionaryObject(resolved) if isinstance(resolved, DictionaryObject) else \
        DictionaryObject()
    page[NameObject("/Resources")] = copied
    return copied


def _matrix(values: Sequence[Any]) -> Matrix:
    a, b, c, d, e, f = (float(v) for v in values)
    return (a, b, c, d, e, f)


def _placement(ctm: Matrix) -> Rect:
    return transform_box(ctm, (0.0, 0.0, 1.0, 1.0))


def _ordered(box: tuple[float, ...]) -> Rect:
    x0, y0, x1, y1 = box[:4]
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _touches(area: Rect, boxes: Sequence[Rect]) -> bool:
    return any(_overlap(area, box) > 0 for box in boxes)


def _overlap(a: Rect, b: Rect) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _covered(glyph: Rect, boxes: Sequence[Rect]) -> bool:
    area = (glyph[2] - glyph[0]) * (glyph[3] - glyph[1])
    cx, cy = (glyph[0] + glyph[2]) / 2, (glyph[1] + glyph[3]) / 2
    for box in boxes:
        if box[0] <= cx <= box[2] and box[1] <= cy <= box[3]:
            return True
        if area > 0 and _overlap(glyph, box) >= COVERED * area:
            return True
    return False


def _serialise(operations: list[tuple[Any, bytes]]) -> bytes:
    stream = ContentStream(None, None)
    stream.operations = operations
    return stream.get_data()


def _n(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
