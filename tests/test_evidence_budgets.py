"""Evidence that cannot exhaust the machine: decoded-pixel and page budgets (issue 17).

Reproductions: a 13,000 x 13,000 PNG (a 1 MB file) took 1.5 GB to decode; a 19 MB text
attachment in an .eml became 14,815 pages (41 s, 1.06 GB). Pictures within the budget
that are larger than their place on the page are reduced before anything else is done,
and come out as the ordinary path makes them, near enough to see no difference.
"""

from __future__ import annotations

import email.message
import email.policy
import io
import logging
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat
from pypdf import PdfReader

from bundler.errors import BadInput
from bundler.evidence import identify, render_pdf
from bundler.evidence import images as images_module
from bundler.evidence.layout import PAGE_BUDGET
from tests import awkward

ROOT = Path(__file__).resolve().parent.parent


def big_png(path: Path, width: int, height: int) -> Path:
    """An RGB PNG of any size written row by row (the test itself never holds its pixels):
    a few megabytes of file that decode to width x height x 4 bytes."""
    squeeze = zlib.compressobj(9)
    chunks = []
    for y in range(height):
        shade = bytes(((y // 64) % 200 + 30, 120, 200))
        chunks.append(squeeze.compress(b"\x00" + shade * width))
    chunks.append(squeeze.flush())

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", b"".join(chunks)) + chunk(b"IEND", b""))
    return path


RENDER_AND_MEASURE = """
import re, sys
from pathlib import Path
from bundler.errors import BadInput
from bundler.evidence import identify, render_pdf
path, work = Path(sys.argv[1]), Path(sys.argv[2])
try:
    render_pdf(identify(path, path.name), workdir=work)
    print("rendered")
except BadInput as exc:
    print("refused:", exc.message)
# the peak of this program's own memory (ru_maxrss would include its parent's, from the fork)
status = Path("/proc/self/status").read_text()
print(int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024)
"""


def render_in_child(path: Path, work: Path) -> tuple[str, int]:
    """Render in a fresh process: what happened, and its peak memory (MB)."""
    proc = subprocess.run([sys.executable, "-c", RENDER_AND_MEASURE, str(path), str(work)],
                          capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    outcome, peak = proc.stdout.strip().rsplit("\n", 1)
    return outcome, int(peak)


# --------------------------------------------------------------------------- pictures


def test_huge_png_is_refused_naming_its_size_before_it_is_decoded(tmp_path: Path) -> None:
    png = big_png(tmp_path / "plan.png", 13_000, 13_000)
    assert png.stat().st_size < 3_000_000
    outcome, peak = render_in_child(png, tmp_path / "work")
    assert outcome == (
        "refused: plan.png: the picture is too large to include (13,000 x 13,000 pixels, 169 "
        "megapixels; at most 52 megapixels of a picture like this can be decoded)")
    assert peak < 150  # was 1,463 MB


def test_large_png_within_the_budget_is_reduced_first_in_bounded_memory(tmp_path: Path) -> None:
    """7,000 x 7,000 (49 megapixels, 196 MB decoded): it used to need twice that and more."""
    png = big_png(tmp_path / "plan.png", 7_000, 7_000)
    outcome, peak = render_in_child(png, tmp_path / "work")
    assert outcome == "rendered"
    assert peak < 330
    pdf = next((tmp_path / "work").glob("*.pdf"))
    [(_, width_px, height_px, width_pt, height_pt)] = awkward.placed_images(pdf)
    assert width_px / (width_pt / 72) <= 300.5 and height_px / (height_pt / 72) <= 300.5


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P"])
def test_reducing_first_looks_the_same_as_the_ordinary_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """Reducing by whole blocks, then resizing, against resizing the whole picture: a
    reader cannot tell them apart (mean difference under 1 level of 255)."""
    picture = Image.new("RGB", (4_400, 4_400), (235, 235, 225))
    draw = ImageDraw.Draw(picture)
    for step in range(0, 4_400, 90):
        draw.line([(step, 0), (4_400 - step, 4_400)], fill=(20, 40, 160), width=7)
    draw.text((300, 300), "WEDGED OPEN", fill=(0, 0, 0))
    if mode == "RGBA":
        picture = picture.convert("RGBA")
        picture.putalpha(Image.linear_gradient("L").resize(picture.size))
    elif mode == "P":
        picture = picture.convert("P")
    path = tmp_path / "door.png"
    picture.save(path)

    def placed(limit: int, folder: str) -> Image.Image:
        monkeypatch.setattr(images_module, "ORDINARY_PIXELS", limit)
        pdf = render_pdf(identify(path, path.name), workdir=tmp_path / folder).pdf
        [image] = PdfReader(pdf).pages[0].images
        return Image.open(io.BytesIO(image.data)).convert("RGB")

    reduced, ordinary = placed(1_000_000, "reduced"), placed(10**9, "ordinary")
    assert reduced.size == ordinary.size
    difference = ImageStat.Stat(ImageChops.difference(reduced, ordinary)).mean
    assert max(difference) < 1.0, difference


def test_turned_photo_reduced_first_is_still_upright(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images_module, "ORDINARY_PIXELS", 100_000)
    jpeg = awkward.make_jpeg(tmp_path / "rot.jpg", (1_600, 1_200), 6)
    pdf = render_pdf(identify(jpeg, jpeg.name), workdir=tmp_path / "work").pdf
    box = PdfReader(pdf).pages[0].mediabox
    assert box.width < box.height


@pytest.mark.parametrize(("fmt", "size", "most"), [("WEBP", (4_000, 4_000), 13),
                                                   ("GIF", (9_000, 9_000), 21)])
def test_other_formats_have_their_own_budget(tmp_path: Path, fmt: str, size: tuple[int, int],
                                            most: int) -> None:
    path = tmp_path / f"shot.{fmt.lower()}"
    Image.new("RGB", size, (200, 200, 200)).save(path, fmt)
    with pytest.raises(BadInput) as caught:
        render_pdf(identify(path, path.name), workdir=tmp_path / "work")
    assert caught.value.message.endswith(
        f"megapixels; at most {most} megapixels of a picture like this can be decoded)")


# --------------------------------------------------------------------------- text


def long_text(lines: int) -> str:
    words = ["tenant", "support", "plan", "review", "licence", "service", "charge"]
    return "".join(f"{n:07d} " + " ".join(words[(n + k) % 7] for k in range(n % 9 + 3)) + "\n"
                   for n in range(1, lines + 1))


def test_nineteen_megabyte_text_attachment_is_cut_at_the_page_budget(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = long_text(330_000)
    assert len(text) > 19_000_000
    message = email.message.EmailMessage()
    message["From"], message["To"] = "provider@example.org", "officer@example.gov.uk"
    message["Subject"], message["Date"] = "Logs", "Mon, 2 Nov 2026 10:00:00 +0000"
    message.set_content("The system log is attached.\n")
    message.add_attachment(text.encode(), maintype="text", subtype="plain",
                           filename="system-log.txt")
    eml = tmp_path / "logs.eml"
    eml.write_bytes(message.as_bytes(policy=email.policy.SMTP))

    with caplog.at_level(logging.WARNING):
        pdf = render_pdf(identify(eml, "evidence/logs.eml"), workdir=tmp_path / "work").pdf
    pages = len(PdfReader(pdf).pages)
    assert pages == 1 + PAGE_BUDGET  # the message, then the attachment's 500 pages
    last = subprocess.run(["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    note = " ".join(last.split())
    assert ("[The text is cut here: a bundle shows at most 500 pages of one document's text. "
            "The rest, from line ") in note
    assert "of 330,000 (" in note and "MB of 19." in note
    assert note.endswith("is not shown; it is in the original file, whose SHA-256 the bundle's "
                         "certificate lists.]")
    assert ("evidence/logs.eml (attachment system-log.txt): the text is longer than 500 pages; "
            "only the first 500 are included") in caplog.text


def test_long_message_text_is_cut_with_a_note(tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    message = email.message.EmailMessage()
    message["From"], message["To"] = "provider@example.org", "officer@example.gov.uk"
    message["Subject"], message["Date"] = "Everything", "Mon, 2 Nov 2026 10:00:00 +0000"
    message.set_content(long_text(60_000))
    eml = tmp_path / "long.eml"
    eml.write_bytes(message.as_bytes(policy=email.policy.SMTP))
    with caplog.at_level(logging.WARNING):
        pdf = render_pdf(identify(eml, "long.eml"), workdir=tmp_path / "work").pdf
    assert len(PdfReader(pdf).pages) == PAGE_BUDGET
    assert "long.eml: the message's text is longer than 500 pages" in caplog.text
    assert "[The message's text is cut here" in " ".join(awkward.pdf_text(pdf).split()[-80:])


def test_one_line_of_many_megabytes_is_cut_too(tmp_path: Path) -> None:
    note = tmp_path / "one-line.txt"
    note.write_text("x" * 12_000_000)
    pdf = render_pdf(identify(note, note.name), workdir=tmp_path / "work").pdf
    assert len(PdfReader(pdf).pages) == PAGE_BUDGET
    assert "from line 1 of 1" in " ".join(awkward.pdf_text(pdf).split()[-80:])


def test_short_text_is_not_cut(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    note = tmp_path / "note.txt"
    note.write_text(long_text(2_000))
    with caplog.at_level(logging.WARNING):
        pdf = render_pdf(identify(note, note.name), workdir=tmp_path / "work").pdf
    assert len(PdfReader(pdf).pages) < PAGE_BUDGET
    assert "is cut here" not in awkward.pdf_text(pdf)
    assert caplog.text == ""


def test_text_file_too_large_to_read_is_refused(tmp_path: Path) -> None:
    from bundler.evidence.text import MAX_TEXT_BYTES

    huge = tmp_path / "dump.txt"
    with huge.open("w") as handle:
        line = "a line of a very long log file\n"
        for _ in range(MAX_TEXT_BYTES // len(line) + 2):
            handle.write(line)
    with pytest.raises(BadInput) as caught:
        identify(huge, "dump.txt")
    assert caught.value.message == (
        "dump.txt: is 34 MB of text, more than the 32 MB a text file may be (a bundle shows at "
        "most 500 pages of it)")
