"""Pictures become A4 pages: orientation, EXIF rotation, 300 dpi cap, captions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from bundler.errors import BadInput
from bundler.evidence import identify, render_pdf
from bundler.evidence.images import strip_jpeg_metadata
from tests import awkward


def _render(path: Path, tmp_path: Path, caption: str = "Photograph") -> Path:
    evidence = identify(path, f"evidence/{path.name}")
    rendition = render_pdf(evidence, workdir=tmp_path / "work", caption=caption)
    assert rendition.converter == "image"
    assert rendition.password is None
    assert rendition.pdf.parent == tmp_path / "work"
    return rendition.pdf


def _page_size(pdf: Path, index: int = 0) -> tuple[float, float]:
    box = PdfReader(pdf).pages[index].mediabox
    return float(box.width), float(box.height)


def _dpi(image: tuple[int, int, int, float, float]) -> tuple[float, float]:
    _, width_px, height_px, width_pt, height_pt = image
    return width_px / (width_pt / 72), height_px / (height_pt / 72)


def test_landscape_photo_gets_a_landscape_page_with_caption(tmp_path: Path) -> None:
    pdf = _render(awkward.make_jpeg(tmp_path / "hall.jpg", (1200, 800)), tmp_path, "Hallway, Zoë")
    width, height = _page_size(pdf)
    assert (round(width), round(height)) == (842, 595)
    text = awkward.pdf_text(pdf)
    assert "Hallway, Zoë" in text
    assert "hall.jpg" in text
    [(_, _, _, placed_w, placed_h)] = awkward.placed_images(pdf)
    assert placed_w > placed_h
    assert placed_w <= width - 2 * 40 and placed_h <= height - 2 * 40


def test_portrait_photo_gets_a_portrait_page(tmp_path: Path) -> None:
    pdf = _render(awkward.make_jpeg(tmp_path / "door.jpg", (600, 900)), tmp_path)
    width, height = _page_size(pdf)
    assert width < height


@pytest.mark.parametrize("orientation", [6, 8])
def test_exif_rotated_jpeg_comes_out_upright(tmp_path: Path, orientation: int) -> None:
    # Stored 800x600 (landscape) with "rotate 90" in EXIF: the phone was held upright.
    pdf = _render(awkward.make_jpeg(tmp_path / "rot.jpg", (800, 600), orientation), tmp_path)
    width, height = _page_size(pdf)
    assert width < height
    [(_, width_px, height_px, placed_w, placed_h)] = awkward.placed_images(pdf)
    assert (width_px, height_px) == (600, 800)
    assert placed_h > placed_w
    assert placed_h / placed_w == pytest.approx(800 / 600, rel=0.01)
    # The red corner (top-left of the stored picture) moves to where the rotation puts it.
    reader = PdfReader(pdf)
    [embedded] = reader.pages[0].images
    picture = Image.open(io.BytesIO(embedded.data)).convert("RGB")
    corner = (picture.width - 10, 10) if orientation == 6 else (10, picture.height - 10)
    red, green, _ = picture.getpixel(corner)  # type: ignore[misc]
    assert red > 180 and green < 90


@pytest.mark.parametrize("orientation", [None, 6])
def test_big_photo_is_downsampled_to_300_dpi(tmp_path: Path, orientation: int | None) -> None:
    source = awkward.make_jpeg(tmp_path / "big.jpg", (6000, 4000), orientation)
    pdf = _render(source, tmp_path)
    [image] = awkward.placed_images(pdf)
    _, width_px, height_px, _, _ = image
    assert (width_px > height_px) == (orientation is None)
    x_dpi, y_dpi = _dpi(image)
    assert x_dpi <= 300.5 and y_dpi <= 300.5
    assert x_dpi > 250  # downsampled to the cap, not far below it
    assert pdf.stat().st_size < source.stat().st_size


def test_small_jpeg_is_embedded_unchanged_but_without_metadata(tmp_path: Path) -> None:
    source = awkward.make_jpeg(tmp_path / "small.jpg", (640, 480), orientation=1)
    assert b"Exif" in source.read_bytes()[:200]
    pdf = _render(source, tmp_path)
    page = PdfReader(pdf).pages[0]
    [xobject] = [o.get_object() for o in page["/Resources"]["/XObject"].values()]
    assert list(xobject["/Filter"]) == ["/DCTDecode"]  # stored as JPEG, binary (no ASCII85)
    stored = xobject.get_data()
    assert stored == strip_jpeg_metadata(source.read_bytes())
    assert b"Exif" not in stored
    # Same pixels: no second lossy compression.
    assert Image.open(io.BytesIO(stored)).tobytes() == Image.open(source).tobytes()


# Colour pictures stay colour, grey ones grey; transparent ones are laid on white (RGB).
EXPECTED_MODE = {"CMYK": "RGB", "P": "RGB", "RGBA": "RGB", "LA": "RGB", "I;16": "L", "1": "L"}


@pytest.mark.parametrize("mode", sorted(EXPECTED_MODE))
def test_colour_modes_become_rgb_or_grey(tmp_path: Path, mode: str) -> None:
    image = Image.new("RGB", (300, 200), (30, 160, 60)).convert(mode)
    suffix, fmt = (".jpg", "JPEG") if mode == "CMYK" else (".png", "PNG")
    if mode in {"1", "I;16"}:
        suffix, fmt = ".tif", "TIFF"
    path = tmp_path / f"mode{suffix}"
    image.save(path, fmt)
    pdf = _render(path, tmp_path)
    [embedded] = PdfReader(pdf).pages[0].images
    assert embedded.image is not None
    assert (mode, embedded.image.mode) == (mode, EXPECTED_MODE[mode])


def test_transparent_png_is_shown_on_white(tmp_path: Path) -> None:
    path = tmp_path / "clear.png"
    Image.new("RGBA", (100, 80), (255, 0, 0, 0)).save(path)
    pdf = _render(path, tmp_path)
    [embedded] = PdfReader(pdf).pages[0].images
    assert embedded.image is not None
    assert embedded.image.convert("RGB").getpixel((50, 40)) == (255, 255, 255)


def test_multipage_tiff_gives_one_page_per_frame(tmp_path: Path) -> None:
    path = tmp_path / "scan.tiff"
    frames = [Image.new("L", (400, 560), shade) for shade in (40, 120, 200)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    pdf = _render(path, tmp_path, "Signed tenancy")
    reader = PdfReader(pdf)
    assert len(reader.pages) == 3
    for number, page in enumerate(reader.pages, start=1):
        assert f"scan.tiff (page {number} of 3)" in page.extract_text()
        assert "Signed tenancy" in page.extract_text()


def test_two_renders_are_byte_identical(tmp_path: Path) -> None:
    path = awkward.make_jpeg(tmp_path / "same.jpg", (3000, 2000), orientation=3)
    first = render_pdf(identify(path, "same.jpg"), workdir=tmp_path / "a", caption="x")
    second = render_pdf(identify(path, "same.jpg"), workdir=tmp_path / "b", caption="x")
    assert first.pdf.read_bytes() == second.pdf.read_bytes()


def test_damaged_jpeg_is_refused(tmp_path: Path) -> None:
    path = awkward.make_jpeg(tmp_path / "cut.jpg", (800, 600))
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(BadInput, match=r"^evidence/cut\.jpg: the picture is damaged"):
        render_pdf(identify(path, "evidence/cut.jpg"), workdir=tmp_path / "w")


# ------------------------------------------------------------ iPhone HEIC


def test_heic_is_recognised_by_content_with_either_extension(tmp_path: Path) -> None:
    import magic

    from bundler.evidence.model import HEIC

    for name in ("IMG_0001.HEIC", "IMG_0002.heif"):
        path = awkward.make_heic(tmp_path / name, orientation=6)
        assert magic.from_file(str(path), mime=True) == "image/heic"
        assert identify(path, f"photos/{name}").media_type == HEIC


def test_heic_named_jpg_is_accepted_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    path = awkward.make_heic(tmp_path / "photo.jpg")
    with caplog.at_level(logging.WARNING):
        evidence = identify(path, "photos/photo.jpg")
    assert evidence.media_type == "image/heic"
    assert "photos/photo.jpg: named .jpg but its content is an HEIC (iPhone) picture" in (
        caplog.text
    )


@pytest.mark.parametrize("orientation", [None, 6, 8])
def test_heic_photo_comes_out_upright_captioned_and_as_jpeg(
    tmp_path: Path, orientation: int | None
) -> None:
    source = awkward.make_heic(tmp_path / "IMG_0042.HEIC", (800, 600), orientation, gps=True)
    pdf = _render(source, tmp_path, "Kitchen, Flat 3")
    width, height = _page_size(pdf)
    assert (width > height) == (orientation is None)
    text = awkward.pdf_text(pdf)
    assert "Kitchen, Flat 3" in text and "IMG_0042.HEIC" in text
    page = PdfReader(pdf).pages[0]
    [xobject] = [o.get_object() for o in page["/Resources"]["/XObject"].values()]
    assert list(xobject["/Filter"]) == ["/DCTDecode"]  # re-encoded as JPEG: PDF has no HEVC
    stored = xobject.get_data()
    picture = Image.open(io.BytesIO(stored))
    assert picture.size == ((800, 600) if orientation is None else (600, 800))
    assert not picture.getexif()  # no camera, no GPS
    assert b"iPhone" not in pdf.read_bytes() and b"Apple" not in pdf.read_bytes()
    # The red corner (top-left as stored) is where the rotation puts it.
    corner = {None: (10, 10), 6: (picture.width - 10, 10), 8: (10, picture.height - 10)}
    red, green, _ = picture.convert("RGB").getpixel(corner[orientation])  # type: ignore[misc]
    assert red > 180 and green < 90


def test_big_heic_is_downsampled_to_300_dpi(tmp_path: Path) -> None:
    source = awkward.make_heic(tmp_path / "big.heic", (3600, 2400))
    [image] = awkward.placed_images(_render(source, tmp_path))
    x_dpi, y_dpi = _dpi(image)
    assert 250 < x_dpi <= 300.5 and y_dpi <= 300.5


def test_heic_renders_are_byte_identical(tmp_path: Path) -> None:
    path = awkward.make_heic(tmp_path / "same.heic", (1600, 1200), orientation=3)
    first = render_pdf(identify(path, "same.heic"), workdir=tmp_path / "a", caption="x")
    second = render_pdf(identify(path, "same.heic"), workdir=tmp_path / "b", caption="x")
    assert first.pdf.read_bytes() == second.pdf.read_bytes()


def test_damaged_heic_is_refused(tmp_path: Path) -> None:
    path = awkward.make_heic(tmp_path / "cut.heic", (800, 600))
    path.write_bytes(path.read_bytes()[:600])
    with pytest.raises(BadInput, match=r"^photos/cut\.heic: ") as caught:
        render_pdf(identify(path, "photos/cut.heic"), workdir=tmp_path / "w")
    assert "\n" not in str(caught.value)


# ------------------------------------------------- WebP and GIF screenshots


@pytest.mark.parametrize(
    ("name", "fmt", "media_type"),
    [
        ("chat.webp", "WEBP", "image/webp"),
        ("chat.gif", "GIF", "image/gif"),
    ],
)
def test_screenshot_is_recognised_and_rendered_losslessly(
    tmp_path: Path, name: str, fmt: str, media_type: str
) -> None:
    import magic

    path = awkward.make_screenshot(tmp_path / name, fmt)
    assert magic.from_file(str(path), mime=True) == media_type
    assert identify(path, f"evidence/{name}").media_type == media_type
    pdf = _render(path, tmp_path, "WhatsApp messages")
    width, height = _page_size(pdf)
    assert width < height
    text = awkward.pdf_text(pdf)
    assert "WhatsApp messages" in text and name in text
    page = PdfReader(pdf).pages[0]
    [xobject] = [o.get_object() for o in page["/Resources"]["/XObject"].values()]
    assert "/DCTDecode" not in str(xobject.get("/Filter"))  # no lossy step for screenshots
    [embedded] = page.images
    assert embedded.image is not None
    picture = embedded.image.convert("RGB")
    assert picture.getpixel((30, 30)) == (220, 30, 30)
    assert picture.getpixel((360, 140)) == (20, 20, 20)


@pytest.mark.parametrize(("name", "fmt"), [("anim.gif", "GIF"), ("anim.webp", "WEBP")])
def test_animated_picture_gives_its_first_frame_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, fmt: str
) -> None:
    import logging

    path = awkward.make_screenshot(tmp_path / name, fmt, frames=3)
    with caplog.at_level(logging.WARNING):
        pdf = _render(path, tmp_path)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    [embedded] = reader.pages[0].images
    assert embedded.image is not None
    assert embedded.image.convert("RGB").getpixel((30, 30)) == (220, 30, 30)  # frame 1's red
    assert (
        f"evidence/{name}: the picture is animated (3 frames); only its first frame is included"
        in caplog.text
    )


@pytest.mark.parametrize(("name", "fmt"), [("clear.webp", "WEBP"), ("clear.gif", "GIF")])
def test_transparent_screenshot_is_shown_on_white(tmp_path: Path, name: str, fmt: str) -> None:
    pdf = _render(awkward.make_screenshot(tmp_path / name, fmt, transparent=True), tmp_path)
    [embedded] = PdfReader(pdf).pages[0].images
    assert embedded.image is not None
    assert embedded.image.convert("RGB").getpixel((500, 600)) == (255, 255, 255)


@pytest.mark.parametrize(("name", "fmt"), [("same.webp", "WEBP"), ("same.gif", "GIF")])
def test_screenshot_renders_are_byte_identical(tmp_path: Path, name: str, fmt: str) -> None:
    path = awkward.make_screenshot(tmp_path / name, fmt, frames=2)
    first = render_pdf(identify(path, name), workdir=tmp_path / "a", caption="x")
    second = render_pdf(identify(path, name), workdir=tmp_path / "b", caption="x")
    assert first.pdf.read_bytes() == second.pdf.read_bytes()


@pytest.mark.parametrize(("name", "fmt"), [("cut.webp", "WEBP"), ("cut.gif", "GIF")])
def test_damaged_screenshot_is_refused(tmp_path: Path, name: str, fmt: str) -> None:
    path = awkward.make_screenshot(tmp_path / name, fmt)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(BadInput) as caught:
        render_pdf(identify(path, f"evidence/{name}"), workdir=tmp_path / "w")
    assert str(caught.value).startswith(f"evidence/{name}: ")
    assert "\n" not in str(caught.value)


def test_heic_rendition_records_the_decoder_versions(tmp_path: Path) -> None:
    import pillow_heif

    heic = awkward.make_heic(tmp_path / "a.heic")
    rendition = render_pdf(identify(heic, "a.heic"), workdir=tmp_path / "w")
    assert rendition.tool_versions == {
        "libheif": pillow_heif.libheif_version(),
        "pillow-heif": pillow_heif.__version__,
    }
    jpeg = awkward.make_jpeg(tmp_path / "a.jpg")
    assert render_pdf(identify(jpeg, "a.jpg"), workdir=tmp_path / "w").tool_versions == {}
