"""Files of a case folder reached from a URL, and uploads received from the browser.

A path in a URL is never joined to a folder as it stands: every part must be a
plain name (no ``..``, ``.``, empty part, backslash or NUL; no absolute path),
no part may be a symbolic link, and the result must still lie inside the case
folder once resolved. Anything else is answered as not found, so a probe learns
nothing about what lies outside.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from starlette.datastructures import UploadFile

from bundler.errors import BadInput

# What a browser may show inside the page; everything else is downloaded.
INLINE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".sha256": "text/plain; charset=utf-8",
    ".jsonl": "text/plain; charset=utf-8",
    ".yaml": "text/plain; charset=utf-8",
}
_CHUNK = 1 << 20


def inside(root: Path, relative: str) -> Path | None:
    """``root/relative`` when it is a regular file inside ``root`` reached without links."""
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    pure = PurePosixPath(relative)
    if pure.is_absolute() or any(part in ("", ".", "..") for part in relative.split("/")):
        return None
    current = root
    for part in pure.parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            return None
    try:
        resolved = current.resolve(strict=True)
    except OSError:
        return None
    if not resolved.is_relative_to(root.resolve()) or not stat.S_ISREG(resolved.stat().st_mode):
        return None
    return current


def listing(root: Path, folder: str, *, skip: tuple[str, ...] = ()) -> list[tuple[str, int]]:
    """Every regular file under ``root/folder`` (no links followed): (relative path, bytes)."""
    base = root / folder
    found: list[tuple[str, int]] = []
    if not base.is_dir() or base.is_symlink():
        return found
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames
                             if not (Path(dirpath) / d).is_symlink() and d not in skip)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode):
                found.append((path.relative_to(root).as_posix(), info.st_size))
    return found


# --------------------------------------------------------------------------- uploads


def upload_name(upload: UploadFile) -> str:
    """The file's own name as the browser sent it, without any folder part."""
    raw = (upload.filename or "").replace("\\", "/")
    name = raw.rsplit("/", 1)[-1].strip()
    if name in ("", ".", "..") or "\x00" in name or len(name) > 255:
        raise BadInput(f"{raw[:80] or '(no name)'}: not a usable file name",
                       "Rename the file on your computer and upload it again.")
    return name


def upload_relative(upload: UploadFile) -> PurePosixPath:
    """The path a browser sent with a file from a chosen folder (``folder/sub/file.pdf``),
    each part checked; the folder's own name is kept as the first part."""
    raw = (upload.filename or "").replace("\\", "/")
    parts = [part for part in raw.split("/") if part]
    if not parts or any(part in (".", "..") or "\x00" in part for part in parts):
        raise BadInput(f"{raw[:80] or '(no name)'}: not a usable file name",
                       "Rename the file on your computer and upload it again.")
    return PurePosixPath(*parts)


async def save_upload(upload: UploadFile, target: Path, limit: int) -> int:
    """Copy an uploaded file to ``target`` (a new file), refusing one over ``limit`` bytes."""
    size = 0
    await upload.seek(0)
    with target.open("xb") as out:
        while block := await upload.read(_CHUNK):
            size += len(block)
            if size > limit:
                raise BadInput(f"{upload.filename}: larger than {limit // (1 << 20)} MB",
                               "Send a smaller file, or split it.")
            out.write(block)
    return size


@dataclass(frozen=True)
class ZipLimits:
    max_bytes: int
    max_files: int = 10_000


def extract_zip(archive: Path, target: Path, limits: ZipLimits) -> int:
    """Unpack ``archive`` into ``target`` as plain files: no links, nothing outside
    ``target``, at most ``limits``; refused whole (BadInput) otherwise. Returns the count."""
    shown = archive.name
    try:
        opened = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInput(f"{shown}: not a readable zip file ({exc})",
                       "Make the zip again, or give the sources as a folder.") from None
    with opened:
        members = opened.infolist()
        files = [m for m in members if not m.is_dir()]
        if len(files) > limits.max_files:
            raise BadInput(f"{shown}: holds {len(files)} files, more than {limits.max_files}")
        total = 0
        for member in files:
            mode = member.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise BadInput(f"{shown}: {member.filename} is a link; links are not accepted",
                               "Zip the files themselves.")
            relative = _member_path(shown, member.filename)
            total += member.file_size
            if total > limits.max_bytes:
                raise BadInput(f"{shown}: unpacks to more than {limits.max_bytes // (1 << 20)} MB")
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            try:
                with opened.open(member) as source, destination.open("xb") as out:
                    while block := source.read(_CHUNK):
                        written += len(block)
                        if written > member.file_size:  # a header that lies about the size
                            raise BadInput(f"{shown}: {member.filename} is larger than it says")
                        out.write(block)
            except FileExistsError:
                raise BadInput(f"{shown}: {member.filename} appears twice") from None
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
                raise BadInput(f"{shown}: {member.filename} cannot be unpacked ({exc})",
                               "Make the zip again without a password.") from None
    return len(files)


def _member_path(shown: str, name: str) -> PurePosixPath:
    clean = name.replace("\\", "/")
    parts = clean.split("/")
    if (clean.startswith("/") or (len(clean) > 1 and clean[1] == ":")
            or any(part in ("..", ".") or "\x00" in part for part in parts)):
        raise BadInput(f"{shown}: {name} points outside the zip's folder",
                       "Make the zip again from the case folder itself.")
    return PurePosixPath(*[part for part in parts if part])


def single_top_folder(folder: Path) -> Path:
    """When everything unpacked sits in one folder (``case/...``), that folder."""
    entries = [entry for entry in folder.iterdir() if not entry.name.startswith("__MACOSX")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder


def scratch_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="bundler-web-"))


def remove_folder(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
