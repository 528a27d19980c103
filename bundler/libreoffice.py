"""Run LibreOffice headless to turn office documents into PDF, safely.

Shared by the evidence layer (Word evidence) and the letters (generated .docx).

Each run gets its own throw-away LibreOffice profile (``-env:UserInstallation``)
and HOME, so runs never share state or lock each other out and several can run
at once; the profile blocks pictures linked from the web and macros (see
``_PROFILE_SETTINGS``); the input is copied into a private folder so LibreOffice's lock files
never appear in the case folder. The process runs in its own session so a hung
conversion is killed with everything it started. Time zone and locale are fixed
so the output does not depend on the machine.

LibreOffice stamps each PDF with a creation time, a random document ID and a
checksum of both. ``normalise_pdf`` overwrites those with fixed, content-derived
values of the same length (so the file's cross-reference offsets stay valid):
two conversions of the same file then give identical bytes. The page content
itself was measured to be identical between runs (LibreOffice 7.4.7.2).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bundler.errors import ConversionFailed, InputNotFound, MissingTool

SOFFICE_ENV = "BUNDLER_SOFFICE"  # optional: path to the soffice program to use
VERSION_TIMEOUT = 30.0
_FALLBACK_LOCATIONS = (
    Path("/usr/lib/libreoffice/program/soffice"),
    Path("/usr/local/lib/libreoffice/program/soffice"),
    Path("/opt/libreoffice/program/soffice"),
    Path("/usr/lib64/libreoffice/program/soffice"),
    Path("/snap/bin/libreoffice"),
)
TAGGED_FILTER = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'
PLAIN_FILTER = "pdf"
_JSON_FILTER_SINCE = (7, 4)  # LibreOffice accepts JSON filter options from 7.4
_VERSION_RE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?")
# Settings for each run's fresh profile. A document can link pictures from the web
# (a "web bug"); LibreOffice fetches them while converting, which tells the sender
# when the council opened it and makes the output depend on the network (measured
# with 7.4.7.2: it sends OPTIONS and GET for a linked picture). Links are blocked
# and every web request is pointed at a closed local port. Macros never run.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetProxyType" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPProxyName" oor:op="fuse"><value>127.0.0.1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPProxyPort" oor:op="fuse"><value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPSProxyName" oor:op="fuse"><value>127.0.0.1</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPSProxyPort" oor:op="fuse"><value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetNoProxy" oor:op="fuse"><value></value></prop></item>
</oor:items>
"""
_MISSING_HINT = (
    "Install LibreOffice (Debian: sudo apt-get install libreoffice-writer-nogui), "
    "or save the document as PDF yourself and list the PDF instead."
)


def find_soffice() -> Path:
    """The LibreOffice program to run, or MissingTool."""
    configured = os.environ.get(SOFFICE_ENV)
    if configured:
        path = Path(configured)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise MissingTool(
            f"LibreOffice not found at {configured} (set by {SOFFICE_ENV})", _MISSING_HINT
        )
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    for candidate in _FALLBACK_LOCATIONS:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise MissingTool(
        "LibreOffice is not installed (needed to convert Word documents)", _MISSING_HINT
    )


@functools.lru_cache(maxsize=4)
def _version_of(program: str) -> str | None:
    try:
        with tempfile.TemporaryDirectory(prefix="bundler-lo-") as home:
            _, stdout = _run_group([program, "--version"], Path(home), VERSION_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION_RE.search(stdout.decode("utf-8", "replace"))
    return match.group(0) if match else None


def libreoffice_version() -> str | None:
    """LibreOffice's version (e.g. "7.4.7.2"), or None when it is not installed."""
    try:
        program = find_soffice()
    except MissingTool:
        return None
    return _version_of(str(program))


def _supports_json_filter(version: str | None) -> bool:
    if version is None:
        return False
    match = _VERSION_RE.match(version)
    if not match:
        return False
    return (int(match.group(1)), int(match.group(2))) >= _JSON_FILTER_SINCE


def convert_with_libreoffice(
    src: Path,
    out_dir: Path,
    *,
    timeout: float = 180,
    tagged: bool = True,
    source: str | None = None,
    dated: dt.date | None = None,
) -> Path:
    """Convert ``src`` to ``out_dir/<stem>.pdf`` and return that path.

    ``source`` is the name used in messages (defaults to ``src``'s name). ``dated`` (a
    letter's own date) becomes the PDF's creation and modification date; otherwise they are
    fixed at 1980-01-01 (evidence converted for a bundle has no date of its own to give).
    Raises MissingTool when LibreOffice is not installed, ConversionFailed when
    it fails, produces no PDF, or takes longer than ``timeout`` seconds.
    """
    [result] = convert_several([(src, source or src.name)], out_dir, timeout=timeout,
                               tagged=tagged, dated=dated)
    if isinstance(result, ConversionFailed):
        raise result
    return result


def convert_several(
    sources: Sequence[tuple[Path, str]],
    out_dir: Path,
    *,
    timeout: float = 180,
    tagged: bool = True,
    dated: dt.date | None = None,
) -> list[Path | ConversionFailed]:
    """Convert each ``(file, name in messages)`` to ``out_dir/<stem>.pdf`` with one
    LibreOffice process (it starts once, which takes longer than converting a letter).
    ``dated``: as for ``convert_with_libreoffice``, for every file.

    Returns, in order, each PDF's path or the ConversionFailed saying why that one has none
    (a damaged file does not stop the others). The whole run may take ``timeout`` seconds a
    file; when it takes longer it is stopped and every file fails (a PDF being written when
    it stopped would be incomplete).
    Raises MissingTool when LibreOffice is not installed, InputNotFound or ConversionFailed
    when a file cannot be read (before LibreOffice starts). Stems must differ.
    """
    program = find_soffice()
    export = (
        TAGGED_FILTER
        if tagged and _supports_json_filter(_version_of(str(program)))
        else PLAIN_FILTER
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bundler-lo-") as scratch_name:
        scratch = Path(scratch_name)
        inbox, outbox, home, profile = (scratch / d for d in ("in", "out", "home", "profile"))
        for folder in (inbox, outbox, home, profile / "user"):
            folder.mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, "utf-8")
        copies = []
        for number, (src, name) in enumerate(sources, start=1):
            copy = inbox / f"document-{number}{src.suffix.lower()}"
            try:
                shutil.copyfile(src, copy)
            except FileNotFoundError:
                raise InputNotFound.for_path(name) from None
            except OSError as exc:
                raise ConversionFailed(f"{name}: cannot be read ({exc.strerror})") from exc
            copies.append(copy)
        command = [
            str(program),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            export,
            "--outdir",
            str(outbox),
            *map(str, copies),
        ]
        limit = timeout * max(1, len(copies))
        status: int | None = None
        try:
            status = _run(command, home, limit, sources[0][1])
        except ConversionFailed:
            if len(sources) == 1:
                raise
        results: list[Path | ConversionFailed] = []
        for (src, name), copy in zip(sources, copies, strict=True):
            produced = outbox / f"{copy.stem}.pdf"
            if status is None or not produced.is_file():  # stopped: none is trusted whole
                results.append(_not_converted(name, status, limit))
                continue
            data = produced.read_bytes()
            if not data.startswith(b"%PDF"):
                results.append(ConversionFailed(
                    f"{name}: LibreOffice produced something that is not a PDF"))
                continue
            target = out_dir / f"{src.stem}.pdf"
            staged = out_dir / f".{src.stem}.pdf.{os.getpid()}.{id(scratch)}.part"
            staged.write_bytes(normalise_pdf(data, dated))
            staged.replace(target)
            results.append(target)
        return results


def _not_converted(name: str, status: int | None, limit: float) -> ConversionFailed:
    """Why ``name`` has no PDF: LibreOffice was stopped (``status`` None) or failed."""
    if status is None:
        return ConversionFailed(
            f"{name}: LibreOffice took longer than {limit:g} seconds converting this and the "
            "files given with it, and was stopped")
    return ConversionFailed(
        f"{name}: LibreOffice could not convert it to PDF (exit status {status}); "
        "the file may be damaged or password-protected"
    )


def _environment(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TMPDIR": str(home),
        "TZ": "UTC",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "SAL_USE_VCLPLUGIN": "svp",
    }


def _run(command: list[str], home: Path, timeout: float, name: str) -> int:
    try:
        status, _ = _run_group(command, home, timeout)
    except subprocess.TimeoutExpired:
        raise ConversionFailed(
            f"{name}: LibreOffice took longer than {timeout:g} seconds and was stopped",
        ) from None
    except OSError as exc:
        raise MissingTool(
            f"LibreOffice could not be started ({exc.strerror})", _MISSING_HINT
        ) from exc
    return status


def _run_group(command: list[str], home: Path, timeout: float) -> tuple[int, bytes]:
    """Run ``command`` in a new session; on time-out kill its whole process group
    (soffice starts helpers that a plain kill would leave running)."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(home),
        cwd=home,
        start_new_session=True,
    )
    try:
        stdout, _ = process.communicate(timeout=timeout)
    except BaseException:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            process.communicate(timeout=10)
        raise
    return process.returncode, stdout


# ---------------------------------------------------------------- determinism

_DATE_RE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:(\d{4,14})")
_ID_RE = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM_RE = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")
_FIXED_DATE = b"19800101000000"


def normalise_pdf(data: bytes, dated: dt.date | None = None) -> bytes:
    """Replace LibreOffice's run-specific stamps with fixed values of equal length.

    Dates become ``dated`` at midnight (UTC, as LibreOffice runs), or 1980-01-01; the
    document ID and checksum become a hash of the file with those stamps blanked, so they
    still identify the content.
    """
    fixed = dated.strftime("%Y%m%d000000").encode("ascii") if dated else _FIXED_DATE
    buffer = bytearray(data)
    dates = [m.span(2) for m in _DATE_RE.finditer(data)]
    stamps = [m.span(g) for m in _ID_RE.finditer(data) for g in (1, 2)]
    stamps += [m.span(1) for m in _CHECKSUM_RE.finditer(data)]
    for start, end in dates:
        buffer[start:end] = fixed[: end - start]
    for start, end in stamps:
        buffer[start:end] = b"0" * (end - start)
    digest = hashlib.sha256(buffer).hexdigest().upper().encode() * 4
    for start, end in stamps:
        buffer[start:end] = digest[: end - start]
    return bytes(buffer)
