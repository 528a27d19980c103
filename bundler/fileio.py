"""Safe file writing and hashing shared by every output the toolkit makes.

Outputs are written to a temporary file in the destination folder, flushed to
disk, then renamed into place, so a crash or a refused build never leaves a
half-written file and never disturbs an earlier output.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from bundler.errors import OutputExists, OutputFailed

_CHUNK = 1 << 20


def _default_mode() -> int:
    """The mode a newly created file gets under the process umask (mkstemp uses 0600)."""
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _default_mode()


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of the exact bytes of ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def refuse_overwrite(paths: list[Path], force: bool) -> None:
    """Raise OutputExists if any of ``paths`` exists and ``force`` is not set."""
    if force:
        return
    for path in paths:
        if path.exists():
            raise OutputExists(f"{path}: already exists; nothing was changed")


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """Yield a binary handle whose content replaces ``path`` only on success."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputFailed(f"{path}: cannot write here ({exc.strerror})") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(_FILE_MODE)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputFailed(f"{path}: cannot write here ({exc.strerror})") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_writer(path) as handle:
        handle.write(data)


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))
