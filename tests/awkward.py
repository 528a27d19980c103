"""Generators of awkward evidence files, for tests (and for the bundle tests).

Each ``make_xxx(path)`` writes one file at ``path`` and returns ``path``; all
content is fictional. Kept deliberately simple so other test modules can import
them.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

NAMES = ("Siân", "Łukasz", "Zoë", "Ελένη", "Дмитрий")


def pdf_bytes(pages: int = 2, text: str = "Fictional evidence page") -> bytes:
    """A small valid PDF with ``pages`` pages of text."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for number in range(1, pages + 1):
        c.setFont("Helvetica", 14)
        c.drawString(72, 750, f"{text} {number}")
        c.showPage()
    c.save()
    return buffer.getvalue()


def make_pdf(path: Path, pages: int = 2) -> Path:
    path.write_bytes(pdf_bytes(pages))
    return path


def make_empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def make_jpeg(
    path: Path, size: tuple[int, int] = (800, 600), orientation: int | None = None
) -> Path:
    """A JPEG photo: a gradient with a red box in its top-left corner."""
    image = Image.new("RGB", size, (200, 220, 240))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((0, 0, w // 4, h // 4), fill=(220, 30, 30))
    draw.line((0, h - 1, w - 1, 0), fill=(0, 0, 0), width=max(1, w // 200))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(path, "JPEG", quality=85, exif=exif.tobytes())
    return path


def make_jpeg_named_pdf(path: Path) -> Path:
    """A photo saved under a .pdf name."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 10)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def make_truncated_pdf(path: Path) -> Path:
    """A 3-page PDF cut off part-way, as an interrupted download leaves it."""
    data = pdf_bytes(3)
    path.write_bytes(data[: len(data) // 2])
    return path


def make_garbage_after_header_pdf(path: Path) -> Path:
    """Starts like a PDF, then nothing but noise."""
    noise = bytes((i * 73 + 41) % 256 for i in range(4000))
    path.write_bytes(b"%PDF-1.7\n" + noise)
    return path


def make_garbage(path: Path) -> Path:
    """Bytes that are no known format."""
    path.write_bytes(bytes((i * 151 + 7) % 256 for i in range(3000)))
    return path


def make_bad_startxref_pdf(path: Path) -> Path:
    """A complete PDF whose startxref offset is wrong: pypdf repairs it."""
    data = pdf_bytes(2)
    head, _, tail = data.rpartition(b"startxref")
    number = tail.split()[0]
    fixed = head + b"startxref" + tail.replace(number, str(int(number) + 7).encode(), 1)
    path.write_bytes(fixed)
    return path


def make_encrypted_pdf(
    path: Path, user_password: str = "s3cret", owner_password: str = "owner-pw"
) -> Path:
    """A PDF that needs ``user_password`` to open (AES-256)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(2)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def make_owner_locked_pdf(path: Path) -> Path:
    """A PDF anyone can open but that is 'locked' against changes (owner password only)."""
    return make_encrypted_pdf(path, user_password="", owner_password="owner-only")


def make_zip_of_things(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
        archive.writestr("photo.bin", bytes(range(256)))
    return path


def make_xlsx(path: Path) -> Path:
    """A minimal spreadsheet container (content types say spreadsheetml)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return path


def make_executable(path: Path) -> Path:
    """The first bytes of a Linux program (ELF header) and padding."""
    header = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x01\x00\x00\x00"
    path.write_bytes(header + b"\x00" * 2000)
    return path


def make_docx(path: Path, paragraphs: tuple[str, ...] = ("Tenancy support plan", *NAMES)) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def make_cp1252_text(path: Path) -> Path:
    path.write_bytes("Visit note: café with Zoë, 5 – 6pm\n".encode("cp1252"))
    return path


def make_utf8_text(path: Path, bom: bool = False) -> Path:
    text = "Visit note\n" + "\n".join(f"Met {name}." for name in NAMES) + "\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


# ---------------------------------------------------------------- reading back


def pdf_text(path: Path) -> str:
    """The text a recipient would copy out of the PDF (pdftotext)."""
    import subprocess

    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def placed_images(path: Path) -> list[tuple[int, int, int, float, float]]:
    """(page index, pixel width, pixel height, placed width pt, placed height pt)
    for every image drawn with a plain ``cm ... Do`` (as reportlab draws them)."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    found: list[tuple[int, int, int, float, float]] = []
    reader = PdfReader(path)
    for index, page in enumerate(reader.pages):
        xobjects = page["/Resources"].get_object().get("/XObject", {})
        content = ContentStream(page.get_contents(), reader)
        matrix: list[float] = [1, 0, 0, 1, 0, 0]
        for operands, operator in content.operations:
            if operator == b"cm":
                matrix = [float(v) for v in operands]
            elif operator == b"Do":
                image = xobjects[operands[0]].get_object()
                width = abs(matrix[0]) + abs(matrix[2])
                height = abs(matrix[1]) + abs(matrix[3])
                found.append((index, int(image["/Width"]), int(image["/Height"]), width, height))
    return found


# ------------------------------------------------------------- damaged PDFs


def _raw_pdf(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF with a correct xref table for the objects given (numbered from 1)."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        if number in offsets:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


_CONTENT = b"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 720 Td (Page text) Tj ET\nendstream"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def make_no_pages_pdf(path: Path) -> Path:
    path.write_bytes(
        _raw_pdf(
            {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [] /Count 0 >>"}
        )
    )
    return path


def make_pdf_missing_page_object(path: Path) -> Path:
    """The page tree promises 2 pages; the second page object is gone."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
    path.write_bytes(
        _raw_pdf(
            {
                1: b"<< /Type /Catalog /Pages 2 0 R >>",
                2: b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
                3: page,
                4: _CONTENT,
                5: _FONT,
            }
        )
    )
    return path


def make_pdf_missing_content(path: Path) -> Path:
    """A page whose content stream object is not in the file."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
    path.write_bytes(
        _raw_pdf(
            {
                1: b"<< /Type /Catalog /Pages 2 0 R >>",
                2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                3: page,
                5: _FONT,
            }
        )
    )
    return path


def make_truncated_docx(path: Path) -> Path:
    """A Word file cut off part-way (its zip directory, at the end, is lost)."""
    make_docx(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


# ------------------------------------------------------------------ e-mails


def _jpeg_bytes(size: tuple[int, int] = (400, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def make_eml(path: Path, *, with_docx: bool = False) -> Path:
    """A provider's reply: plain + HTML text, a PDF, a photo, a spreadsheet and a zip attached."""
    from email.message import EmailMessage
    from email.policy import default

    message = EmailMessage(policy=default)
    message["From"] = "Ελένη Παπαδοπούλου <eleni@provider.example.org>"
    message["To"] = "Housing Benefit Review <hb-review@council.example.gov.uk>"
    message["Cc"] = "Łukasz Nowak <lukasz@provider.example.org>, Дмитрий <dmitri@example.org>"
    message["Date"] = "Tue, 03 Mar 2026 09:15:00 +0000"
    message["Subject"] = "Support plan for Siân and Zoë"
    message.set_content("Dear officer,\n\nPlease find the support plan attached.\n\nΕλένη\n")
    message.add_alternative("<p>Dear officer,</p><p>HTML version.</p>", subtype="html")
    message.add_attachment(
        pdf_bytes(2, "Support plan page"),
        maintype="application",
        subtype="pdf",
        filename="support-plan.pdf",
    )
    message.add_attachment(
        _jpeg_bytes(), maintype="image", subtype="jpeg", filename="Zoë's room.jpg"
    )
    sheet = make_xlsx(path.with_name(path.stem + "-rota.xlsx"))
    message.add_attachment(
        sheet.read_bytes(),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename="rota.xlsx",
    )
    sheet.unlink()
    if with_docx:
        docx_path = path.with_name(path.stem + "-attachment.docx")
        make_docx(docx_path, ("Tenancy agreement for Дмитрий",))
        message.add_attachment(
            docx_path.read_bytes(),
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
            filename="tenancy.docx",
        )
        docx_path.unlink()
    path.write_bytes(message.as_bytes())
    return path


def make_eml_html_only(path: Path) -> Path:
    path.write_bytes(
        b"From: provider@example.org\r\nTo: officer@example.gov.uk\r\n"
        b"Date: Wed, 04 Mar 2026 10:00:00 +0000\r\nSubject: Visit times\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"<html><head><style>p {color: red}</style><script>alert(1)</script></head>"
        b"<body><p>Visits on <b>Monday</b> &amp; Friday.</p><ul><li>Si\xc3\xa2n</li>"
        b"<li>Zo\xc3\xab</li></ul></body></html>\r\n"
    )
    return path


def make_eml_bad_charset(path: Path) -> Path:
    """Declares a character set that does not exist, and has raw 8-bit headers."""
    path.write_bytes(
        b"From: Zo\xeb <zoe@example.org>\r\nTo: officer@example.gov.uk\r\n"
        b"Date: Thu, 05 Mar 2026 11:00:00 +0000\r\nSubject: =?x-klingon?q?Qapla=21?= notes\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-klingon\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9 visit went well.\r\n"
    )
    return path


def make_eml_forwarding(path: Path, inner: Path) -> Path:
    """A message forwarding ``inner`` (an .eml) as an attachment."""
    from email import message_from_bytes
    from email.message import EmailMessage
    from email.policy import default

    message = EmailMessage(policy=default)
    message["From"] = "team.leader@council.example.gov.uk"
    message["To"] = "hb-review@council.example.gov.uk"
    message["Date"] = "Fri, 06 Mar 2026 08:00:00 +0000"
    message["Subject"] = "Fwd: Support plan"
    message.set_content("Forwarding the provider's e-mail.\n")
    message.add_attachment(message_from_bytes(inner.read_bytes(), policy=default))
    path.write_bytes(message.as_bytes())
    return path


def make_pdf_without_trailer(path: Path) -> Path:
    """A complete PDF whose cross-reference table and trailer were cut off:
    every object is there, so pypdf can rebuild the table."""
    data = pdf_bytes(2)
    path.write_bytes(data[: data.rindex(b"xref")])
    return path


def make_pdf_bad_content_stream(path: Path) -> Path:
    """A page whose compressed content stream is corrupt."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
    junk = bytes((i * 37 + 11) % 256 for i in range(200))
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(junk) + junk + b"\nendstream"
    path.write_bytes(
        _raw_pdf(
            {
                1: b"<< /Type /Catalog /Pages 2 0 R >>",
                2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                3: page,
                4: stream,
            }
        )
    )
    return path


def make_doc(path: Path) -> Path:
    """An old-style binary Word .doc, written by LibreOffice from a .docx."""
    import os
    import shutil
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        source = make_docx(folder / "source.docx", ("Old format letter", *NAMES))
        subprocess.run(
            [
                shutil.which("soffice") or "soffice",
                f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "doc",
                "--outdir",
                str(folder),
                str(source),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "HOME": str(folder)},
            timeout=120,
        )
        shutil.copyfile(folder / "source.doc", path)
    return path


def make_docx_with_web_picture(path: Path, url: str) -> Path:
    """A Word file showing a picture linked from ``url`` (not embedded): a "web bug"."""
    import re

    import docx

    document = docx.Document()
    document.add_paragraph("Linked picture below")
    picture = io.BytesIO()
    Image.new("RGB", (20, 20), (255, 0, 0)).save(picture, "PNG")
    picture.seek(0)
    document.add_picture(picture)
    plain = io.BytesIO()
    document.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/_rels/document.xml.rels":
                data = re.sub(
                    rb'Target="media/image1\.png"',
                    f'Target="{url}" TargetMode="External"'.encode(),
                    data,
                )
            elif name == "word/document.xml":
                data = data.replace(b"r:embed=", b"r:link=")
            out.writestr(name, data)
    return path


def make_heic(
    path: Path,
    size: tuple[int, int] = (800, 600),
    orientation: int | None = None,
    gps: bool = False,
) -> Path:
    """An iPhone-style HEIC photo (the make_jpeg picture), optionally rotated and geotagged."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = Image.new("RGB", size, (200, 220, 240))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((0, 0, w // 4, h // 4), fill=(220, 30, 30))
    draw.line((0, h - 1, w - 1, 0), fill=(0, 0, 0), width=max(1, w // 200))
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15"
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    image.save(path, "HEIF", quality=80, exif=exif.tobytes())
    return path


def make_screenshot(path: Path, fmt: str, *, frames: int = 1, transparent: bool = False) -> Path:
    """A messaging-app screenshot (WebP or GIF): dark text bar on white, optionally animated."""
    pictures = []
    for number in range(frames):
        mode = "RGBA" if transparent else "RGB"
        background = (255, 255, 255, 0) if transparent else (255, 255, 255)
        image = Image.new(mode, (720, 1280), background)
        draw = ImageDraw.Draw(image)
        draw.rectangle((40, 100, 680, 180), fill=(20, 20, 20, 255) if transparent else (20, 20, 20))
        # Each frame has its own colour in the top-left corner, so the frame shown is known.
        colour = ((220, 30, 30), (30, 200, 30), (30, 30, 220))[number % 3]
        draw.rectangle((0, 0, 60, 60), fill=colour + ((255,) if transparent else ()))
        pictures.append(image)
    options: dict[str, object] = {"lossless": True} if fmt == "WEBP" else {}
    if frames > 1:
        options.update(save_all=True, append_images=pictures[1:], duration=200, loop=0)
    pictures[0].save(path, fmt, **options)
    return path
