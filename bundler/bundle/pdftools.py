"""Run qpdf and poppler's command-line tools on a PDF that may be hostile, within bounds.

`bundle check` reads any PDF, not only this toolkit's, so the reading is done by mature C++
parsers in child processes (qpdf for structure, poppler's pdftotext for the text near each
page's edges) rather than in the toolkit's own process. Each child gets a limit on its
address space (MEMORY_LIMIT) and on its time (the caller's timeout), and its output is read
up to a limit: a file built to exhaust a parser costs at most that, and the caller turns
``ToolFailed`` into a one-line message. Both tools come with the Debian packages the
toolkit installs (``qpdf``, ``poppler-utils``).
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bundler.errors import MissingTool

MEMORY_LIMIT = 2 * 1024**3  # address space of one child
_CHUNK = 1 << 20


class ToolFailed(Exception):
    """A child failed, ran out of time or memory, or wrote more than allowed."""

    def __init__(self, message: str, status: int | None = None, stderr: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.stderr = stderr


def tool(name: str, package: str) -> str:
    """The path of ``name``; MissingTool (exit 7) naming the Debian package when absent."""
    found = shutil.which(name)
    if found is None:
        raise MissingTool(f"{name} is not installed (needed to check PDF bundles)",
                          f"Install it: apt-get install {package} (or run `make system`).")
    return found


def _limit_memory() -> None:  # runs in the child, before exec
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    if soft == resource.RLIM_INFINITY or soft > wanted:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


@dataclass(frozen=True)
class Finished:
    out: bytes
    err: str  # the start of what it wrote on standard error
    status: int


def run_bounded(argv: Sequence[str], *, timeout: float, max_output: int,
                ok_status: Sequence[int] = (0,),
                cancel: threading.Event | None = None) -> Finished:
    """Run ``argv``; its standard output (at most ``max_output`` bytes), errors and status.

    Raises ToolFailed when the child exits with a status not in ``ok_status``, takes longer
    than ``timeout`` seconds, or writes more than ``max_output`` bytes; the child and its
    group are stopped in every case, and when ``cancel`` is set (ToolFailed too).
    """
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
    process = subprocess.Popen(
        list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, preexec_fn=_limit_memory, start_new_session=True)
    try:
        out, err = _communicate(process, timeout, max_output, cancel)
    finally:
        _stop(process)
    if process.returncode not in ok_status:
        text = err.decode("utf-8", "replace").strip()
        raise ToolFailed(f"{Path(argv[0]).name} stopped with status {process.returncode}",
                         process.returncode, text[-2000:])
    return Finished(out, err.decode("utf-8", "replace"), process.returncode)


def _communicate(process: subprocess.Popen[bytes], timeout: float, max_output: int,
                 cancel: threading.Event | None) -> tuple[bytes, bytes]:
    import selectors
    import time

    assert process.stdout is not None and process.stderr is not None
    deadline = time.monotonic() + timeout
    out = bytearray()
    err = bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, out)
        selector.register(process.stderr, selectors.EVENT_READ, err)
        open_streams = 2
        while open_streams:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ToolFailed(f"took longer than {timeout:g} seconds")
            if cancel is not None and cancel.is_set():
                raise ToolFailed("was no longer needed")
            for key, _events in selector.select(min(left, 0.25)):
                data = os.read(key.fd, _CHUNK)
                if not data:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                buffer: bytearray = key.data
                if buffer is out and len(out) + len(data) > max_output:
                    raise ToolFailed(f"wrote more than {max_output // (1024 * 1024)} MB")
                if buffer is err and len(err) > 65536:
                    continue  # keep the start of a flood of messages only
                buffer += data
        left = max(0.1, deadline - time.monotonic())
        try:
            process.wait(left)
        except subprocess.TimeoutExpired:
            raise ToolFailed(f"took longer than {timeout:g} seconds") from None
    if process.returncode is not None and process.returncode < 0:
        name = signal.Signals(-process.returncode).name if -process.returncode in (
            signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT) else str(-process.returncode)
        raise ToolFailed(f"was stopped ({name}; out of memory or a damaged file)",
                         process.returncode, err.decode("utf-8", "replace")[-2000:])
    return bytes(out), bytes(err)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        process.wait(10)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
