"""Making the machine run out of room, as a test needs it to."""

from __future__ import annotations

import contextlib
import hashlib
import resource
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """Files may grow to ``size`` bytes and no further: the kernel refuses the rest (EFBIG),
    as a full disk would (Python ignores the SIGXFSZ signal, so the write just fails)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in ``folder`` (temporary files included), by name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
