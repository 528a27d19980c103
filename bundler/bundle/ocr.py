"""Invisible text for pages that have none (``bundler bundle build --ocr``).

Court e-bundle practice expects text to be searchable; scanned pages (image-only PDFs,
Word files holding a pasted scan) carry no text. For each such page:

1. ``pdftoppm`` (poppler-utils) renders the page as displayed (crop box, /Rotate) at
   300 dpi grey, without its annotations (a filled form field's value is flattened into the
   page as text later, so it must not be read twice);
2. ``tesseract`` (Debian: tesseract-ocr, tesseract-ocr-eng) writes a text-only PDF page
   (``-c textonly_pdf=1``): the recognised words in render mode 3 (invisible) in its
   GlyphLessFont, placed where tesseract found them, as OCRmyPDF's sandwich renderer does;
3. at assembly the page's content is grafted as a Form XObject drawn *before* the page's
   own content, scaled from the image's space onto the page's visible area (see
   ``layer_matrix``). Invisible text paints nothing, so what the page shows is unchanged;
   search and copy find the words.

Chosen over tesseract's hOCR output, which would need our own renderer of words, baselines
and widths: the text-only page is tesseract's own placement, and only its content stream and
font are kept (its /Info carries a creation time; nothing else of the file is copied).

Determinism: one thread per tesseract (``OMP_THREAD_LIMIT=1``) and the generic dot product
(``-c dotproduct=generic``) so results do not depend on the CPU's vector units (AVX2 and
AVX-512 sum in different orders); measured: two runs give the same page content. Pages are
recognised in parallel, each independently, so their order does not matter. The tesseract
version and a hash of the language data go into the manifest's tool versions.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from bundler.bundle.ocrwords import Vocabulary, correct_layer
from bundler.bundle.stamp import Matrix, PageGeometry, multiply
from bundler.errors import ConversionFailed, MissingTool

TESSERACT_ENV = "BUNDLER_TESSERACT"  # optional: path to the tesseract program to use
DPI = 300
MAX_PIXELS = 50_000_000  # a larger page (A1, A0 plans) is rendered at a lower resolution
LANGUAGE = "eng"
PAGE_TIMEOUT = 300.0  # seconds for one page (rendering or recognition)
TOOL_TIMEOUT = 30.0  # seconds for `tesseract --version` and `--list-langs`
DEBIAN_PACKAGES = "tesseract-ocr tesseract-ocr-eng"
_HINT = (f"Install it (Debian: sudo apt-get install {DEBIAN_PACKAGES}), or build without "
         "--ocr.")
_TESSERACT_OPTIONS = ("-c", "textonly_pdf=1", "-c", "dotproduct=generic")
_VERSION_RE = re.compile(r"tesseract\s+v?(\d+\.\d+(?:\.\d+)?\S*)", re.IGNORECASE)
_LANG_DIR_RE = re.compile(r'"([^"]+)"')


@dataclass(frozen=True)
class OcrEngine:
    """The programs OCR runs, and the versions that shape its output."""

    tesseract: Path
    pdftoppm: Path
    version: str
    language_data_sha256: str

    def tool_versions(self) -> dict[str, str]:
        return {
            "tesseract": self.version,
            f"tesseract-{LANGUAGE}": f"sha256:{self.language_data_sha256[:16]}",
        }


@dataclass(frozen=True)
class PageJob:
    """One page to recognise: which document (position), which page, from which file."""

    document: int
    page: int  # 0-based within the document
    pdf: Path
    source: str  # the document's path as written (messages)
    dpi: int = DPI


def render_dpi(page: Any) -> int:
    """300 dpi, or less for a page so large its image would pass ``MAX_PIXELS``."""
    box = page.cropbox
    area = abs(float(box.width) * float(box.height)) / (72 * 72)  # square inches
    if area * DPI * DPI <= MAX_PIXELS or area <= 0:
        return DPI
    return max(72, int((MAX_PIXELS / area) ** 0.5))


def find_engine() -> OcrEngine:
    """tesseract with its English data and pdftoppm, or MissingTool naming the packages."""
    tesseract = _find_tesseract()
    version = _tesseract_version(tesseract)
    language_data = _language_data(tesseract)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise MissingTool("--ocr needs pdftoppm, which is not installed (Debian package "
                          "poppler-utils)",
                          "Install it (Debian: sudo apt-get install poppler-utils), or build "
                          "without --ocr.")
    return OcrEngine(tesseract, Path(pdftoppm), version,
                     hashlib.sha256(language_data.read_bytes()).hexdigest())


def _find_tesseract() -> Path:
    configured = os.environ.get(TESSERACT_ENV)
    if configured:
        path = Path(configured)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise MissingTool(f"--ocr needs Tesseract OCR, which is not at {configured} (set by "
                          f"{TESSERACT_ENV}; Debian packages {DEBIAN_PACKAGES})", _HINT)
    found = shutil.which("tesseract")
    if found is None:
        raise MissingTool("--ocr needs Tesseract OCR, which is not installed (Debian packages "
                          f"{DEBIAN_PACKAGES})", _HINT)
    return Path(found)


def _tool_output(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, timeout=TOOL_TIMEOUT,
                              env=_environment(), check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        raise MissingTool(f"--ocr needs Tesseract OCR, and {command[0]} could not be run "
                          f"({type(exc).__name__}; Debian packages {DEBIAN_PACKAGES})",
                          _HINT) from None
    return (done.stdout + b"\n" + done.stderr).decode("utf-8", "replace")


def _tesseract_version(tesseract: Path) -> str:
    found = _VERSION_RE.search(_tool_output([str(tesseract), "--version"]))
    if found is None:
        raise MissingTool(f"--ocr needs Tesseract OCR, and {tesseract} did not say its version "
                          f"(Debian packages {DEBIAN_PACKAGES})", _HINT)
    return found.group(1)


def _language_data(tesseract: Path) -> Path:
    """The English language data tesseract will load (tesseract-ocr-eng)."""
    listing = _tool_output([str(tesseract), "--list-langs"])
    lines = listing.splitlines()
    folder = _LANG_DIR_RE.search(lines[0]) if lines else None
    names = {line.strip() for line in lines[1:]}
    data = Path(folder.group(1)) / f"{LANGUAGE}.traineddata" if folder else None
    if LANGUAGE not in names or data is None or not data.is_file():
        raise MissingTool("--ocr needs Tesseract's English language data, which is not "
                          "installed (Debian package tesseract-ocr-eng)",
                          "Install it (Debian: sudo apt-get install tesseract-ocr-eng), or "
                          "build without --ocr.")
    return data


_SHOWS_TEXT = re.compile(rb"\bT[Jj]\b")
_INLINE_IMAGE = re.compile(rb"\bBI\b")


def pages_without_text(reader: PdfReader) -> list[int]:
    """0-based indexes of the pages with no extractable text (pages with any are left alone)."""
    from bundler.evidence.pdfopen import pypdf_messages

    empty: list[int] = []
    with pypdf_messages():
        for index, page in enumerate(reader.pages):
            try:
                if not _has_text(page):
                    empty.append(index)
            except Exception:  # a page pypdf cannot read text from is treated as having some
                continue
    return empty


def _has_text(page: Any) -> bool:
    """Whether pypdf extracts any text from the page.

    The quick answer first: a content stream that shows text with Tj or TJ has text, unless
    it holds an inline image whose bytes could spell those; otherwise the text is extracted.
    Measured on the 2,600 typed pages of benchmarks/bundle_bench.py: --ocr with nothing to
    recognise cost 10 s more than a build without it when every page's text was extracted,
    under 1 s with the quick answer.
    """
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    if _SHOWS_TEXT.search(data) and not _INLINE_IMAGE.search(data):
        return True
    return bool(page.extract_text().strip())


def plain_copy(reader: PdfReader, out: Path) -> Path:
    """A decrypted copy of a user-password PDF (inside the build's private folder), so the
    password never goes on a command line."""
    writer = PdfWriter(clone_from=reader)
    with out.open("wb") as handle:
        writer.write(handle)
    return out


def recognise_pages(
    engine: OcrEngine,
    jobs: Sequence[PageJob],
    workdir: Path,
    report: Callable[[str], None],
    words: Vocabulary | None = None,
) -> list[Path | None]:
    """A text-only PDF page for each job, in order (recognised several at a time); None
    where tesseract found no words (a blank page is left as it is). With ``words``, the
    references it holds are read right and a lone ``|`` is the word I (``ocrwords``)."""
    layers = _recognise_all(engine, jobs, workdir, report, "pdf")
    found = [layer if has_words(layer) else None for layer in layers]
    if words is not None:
        for layer in found:
            if layer is not None:
                _correct(layer, words)
    return found


def _correct(layer_pdf: Path, words: Vocabulary) -> None:
    """Rewrite a text-only page with its words corrected (only when one changed)."""
    from bundler.evidence.pdfopen import pypdf_messages

    with pypdf_messages():
        reader = PdfReader(layer_pdf, strict=False)
        page = reader.pages[0]
        contents = page.get_contents()
        if contents is None:
            return
        fixed, changed = correct_layer(contents.get_data(), words)
        if not changed:
            return
        writer = PdfWriter(clone_from=reader)
        stream = DecodedStreamObject()
        stream.set_data(fixed)
        writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
        with layer_pdf.open("wb") as handle:
            writer.write(handle)


def recognise_words(
    engine: OcrEngine,
    jobs: Sequence[PageJob],
    workdir: Path,
    report: Callable[[str], None],
) -> list[str]:
    """Tesseract's TSV (one row per word, with its box in pixels) for each job, in order."""
    tables = _recognise_all(engine, jobs, workdir, report, "tsv")
    found = [table.read_text("utf-8", "replace") for table in tables]
    for table in tables:
        table.unlink()
    return found


def _recognise_all(
    engine: OcrEngine,
    jobs: Sequence[PageJob],
    workdir: Path,
    report: Callable[[str], None],
    output: str,
) -> list[Path]:
    workers = max(1, min(4, os.cpu_count() or 1, len(jobs)))
    done = 0
    running = _Running()

    def run(position: int) -> Path:
        return _recognise(engine, jobs[position], workdir / f"ocr-{output}-{position:06d}",
                          running, output)

    results: list[Path] = []
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        for result in pool.map(run, range(len(jobs))):
            done += 1
            report(f"recognising text (OCR): page {done} of {len(jobs)}")
            results.append(result)
    except BaseException:  # a failed page (or Ctrl-C) stops the rest at once
        running.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return results


class _Running:
    """The page processes running now, so a failure or Ctrl-C can stop them all (each runs in
    its own session, out of reach of the terminal's Ctrl-C)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.processes: set[subprocess.Popen[bytes]] = set()
        self.stopped = False

    def start(self, command: list[str]) -> subprocess.Popen[bytes]:
        with self.lock:
            if self.stopped:
                raise ConversionFailed("text recognition (OCR) was stopped")
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       env=_environment(), start_new_session=True)
            self.processes.add(process)
            return process

    def finished(self, process: subprocess.Popen[bytes]) -> None:
        with self.lock:
            self.processes.discard(process)

    def stop_all(self) -> None:
        with self.lock:  # held, so no process is reaped and forgotten meanwhile
            self.stopped = True
            for process in self.processes:  # its own thread then sees it end, and reaps it
                if process.returncode is None:
                    _signal_group(process)


def _recognise(engine: OcrEngine, job: PageJob, stem: Path, running: _Running,
               output: str = "pdf") -> Path:
    """tesseract's ``output`` ("pdf": a text-only page; "tsv": word boxes) for one page."""
    where = f"{job.source}: page {job.page + 1}"
    image = stem.with_suffix(".pgm")
    _run([str(engine.pdftoppm), "-r", str(job.dpi), "-gray", "-cropbox", "-hide-annotations",
          "-f", str(job.page + 1), "-l", str(job.page + 1), "-singlefile", str(job.pdf),
          str(stem)], where, "render the page for text recognition", running)
    if not image.is_file():
        raise ConversionFailed(f"{where}: could not be rendered for text recognition (OCR)",
                               "Build without --ocr, or replace the file with a good copy.")
    options = _TESSERACT_OPTIONS if output == "pdf" else _TESSERACT_OPTIONS[2:]
    _run([str(engine.tesseract), str(image), str(stem), "-l", LANGUAGE, "--dpi", str(job.dpi),
          *options, output], where, "recognise its text", running)
    image.unlink()
    result = stem.with_suffix(f".{output}")
    if not result.is_file():
        raise ConversionFailed(f"{where}: text recognition (OCR) wrote nothing",
                               "Build without --ocr, or report this with the tesseract version.")
    return result


def _run(command: list[str], where: str, doing: str, running: _Running) -> None:
    process = running.start(command)
    try:
        _out, err = process.communicate(timeout=PAGE_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ConversionFailed(
            f"{where}: took longer than {PAGE_TIMEOUT:g} seconds to {doing} (OCR) and was "
            "stopped", "Build without --ocr, or split the document into smaller files."
        ) from None
    except BaseException:
        _kill_group(process)
        raise
    finally:
        running.finished(process)
    if process.returncode != 0:
        last = (err.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise ConversionFailed(f"{where}: could not {doing} (OCR): {last[:200]}",
                               "Build without --ocr, or replace the file with a good copy.")


def _signal_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the process and anything it started (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the process group and reap the process (from the thread that runs it)."""
    _signal_group(process)
    with contextlib.suppress(subprocess.SubprocessError, OSError, ValueError):
        process.communicate(timeout=10)  # reap it
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        process.communicate(timeout=10)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"  # one thread: the same result on every run
    env["LC_ALL"] = "C"
    env.setdefault("TMPDIR", tempfile.gettempdir())
    return env


def has_words(layer_pdf: Path) -> bool:
    """Whether tesseract's text-only page shows any text."""
    from bundler.evidence.pdfopen import pypdf_messages

    with pypdf_messages():
        contents = PdfReader(layer_pdf, strict=False).pages[0].get_contents()
        data = contents.get_data() if contents is not None else b""
    return re.search(rb"\bT[Jj]\b", data) is not None


# --------------------------------------------------------------------------- grafting


class LayerGrafter:
    """Turns text-only PDF pages into Form XObjects of one writer, sharing tesseract's font
    (the same bytes on every page) so each recognised page costs only its words."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self.fonts: dict[str, IndirectObject] = {}
        self.counter = 0

    def form(self, layer_pdf: Path) -> tuple[IndirectObject, float, float]:
        """The layer as a Form XObject of the writer, and the layer page's width and height."""
        reader = PdfReader(layer_pdf, strict=False)
        page = reader.pages[0]
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        fonts = DictionaryObject()
        resources = page.get("/Resources")
        found = resources.get_object().get("/Font") if resources is not None else None
        for name, ref in sorted((found.get_object() if found is not None else {}).items()):
            fonts[NameObject(name)] = self._font(ref)
        form = DecodedStreamObject()
        form.set_data(data)
        form.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (0, 0, width, height)),
            NameObject("/Resources"): DictionaryObject({NameObject("/Font"): fonts}),
        })
        return self.writer._add_object(form.flate_encode(level=9)), width, height

    def next_name(self) -> str:
        self.counter += 1
        return f"/BundlerOCR{self.counter}"

    def _font(self, ref: Any) -> IndirectObject:
        font = ref.get_object()
        key = hashlib.sha256(_canonical(font, 0)).hexdigest()
        known = self.fonts.get(key)
        if known is None:
            clone = font.clone(self.writer)
            known = clone.indirect_reference
            if known is None or known.pdf is not self.writer:
                known = self.writer._add_object(clone)
            self.fonts[key] = known
        return known


def _canonical(obj: Any, depth: int) -> bytes:
    """Bytes that are equal exactly when two font objects are (streams by decoded data)."""
    obj = obj.get_object() if isinstance(obj, IndirectObject) else obj
    if depth > 8:
        return b"?"
    if isinstance(obj, StreamObject):
        head = _canonical(DictionaryObject({k: v for k, v in obj.items()
                                            if k not in ("/Length", "/Filter", "/DecodeParms")}),
                          depth + 1)
        return b"S" + head + hashlib.sha256(obj.get_data()).digest()
    if isinstance(obj, DictionaryObject):
        return b"{" + b"".join(str(k).encode() + b"=" + _canonical(v, depth + 1) + b";"
                               for k, v in sorted(obj.items())) + b"}"
    if isinstance(obj, ArrayObject):
        return b"[" + b",".join(_canonical(v, depth + 1) for v in obj) + b"]"
    return repr(obj).encode("utf-8", "replace")


def layer_matrix(geometry: PageGeometry, width: float, height: float) -> Matrix:
    """From the layer page's space (the rendered image, as displayed) to the page's user space.

    pdftoppm renders the visible area as displayed; the layer page has the image's size at
    the rendering resolution, so scaling it to the displayed size and turning it back by
    the page's display-to-user matrix puts every word over its pixels.
    """
    scale: Matrix = (geometry.width / width, 0.0, 0.0, geometry.height / height, 0.0, 0.0)
    return multiply(scale, geometry.display_to_user)
