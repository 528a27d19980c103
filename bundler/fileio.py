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


class StagedOutputs:
    """Outputs written completely beside their destinations, put in place only by ``commit``.

    For outputs that must not exist without something else succeeding first (their audit
    entry): write every output, do what must succeed, then commit. Leaving the ``with``
    block without committing removes the temporary files, so a failure leaves no trace
    and every earlier output intact.
    """

    def __init__(self) -> None:
        self._files: dict[Path, Path] = {}  # destination -> its complete temporary file

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.discard()

    @contextlib.contextmanager
    def writer(self, path: Path) -> Iterator[BinaryIO]:
        """A handle whose bytes become ``path``'s at ``commit`` (if the block succeeds)."""
        folder = path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        except OSError as exc:
            raise OutputFailed(f"{path}: cannot write here ({exc.strerror})") from exc
        tmp = Path(tmp_name)
        self.add(path, tmp)  # staged in the order opened, whatever order they finish in
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            tmp.chmod(_FILE_MODE)
        except OSError as exc:
            self._drop(path)
            raise OutputFailed(f"{path}: cannot write here ({exc.strerror})") from exc
        except BaseException:
            self._drop(path)
            raise

    def add(self, path: Path, complete: Path) -> None:
        """Stage a file made elsewhere on the same drive (e.g. by LibreOffice) for ``path``."""
        self._files[path] = complete

    def files(self) -> list[tuple[Path, Path]]:
        """(destination, temporary file) of every staged output, in the order staged."""
        return list(self._files.items())

    def commit(self) -> None:
        """Rename every staged file into place. On failure the ones already placed are
        removed again and OutputFailed says so."""
        placed: list[Path] = []
        try:
            for path, tmp in self._files.items():
                tmp.replace(path)
                placed.append(path)
        except OSError as exc:
            for done in placed:
                done.unlink(missing_ok=True)
            removed = f"; {', '.join(map(str, placed))} removed again" if placed else ""
            raise OutputFailed(
                f"{path}: cannot be put in place ({exc.strerror}){removed}"
            ) from exc
        finally:
            self.discard()

    def _drop(self, path: Path) -> None:
        self._files.pop(path).unlink(missing_ok=True)

    def discard(self) -> None:
        """Remove the temporary files not (yet) put in place."""
        for tmp in self._files.values():
            tmp.unlink(missing_ok=True)
        self._files.clear()


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """Yield a binary handle whose content replaces ``path`` only on success."""
    with StagedOutputs() as staged:
        with staged.writer(path) as handle:
            yield handle
        staged.commit()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_writer(path) as handle:
        handle.write(data)


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))
