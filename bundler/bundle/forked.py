"""One piece of work done by a forked child process while this process does another.

``bundler bundle verify --sources`` checks the bundle's own pages (certificate, page count,
labels, stamps) and hashes the source files in a child while this process rebuilds the bundle
from them: all of it takes about as long as the rebuild alone on a machine with two cores.

``start(work)`` forks a child that runs ``work()`` and sends its result (anything JSON can
carry) back through a pipe; ``Child.result()`` waits for it. A child that dies, is killed or
sends something unreadable gives ``None``, and the caller then does the work itself: a lost
child costs time, never a different answer. The child is forked only where the build's
workers are (``workers.can_fork``: never in a process running other threads, such as the
web app, where the fork would copy locks those threads hold); elsewhere ``start`` gives no
child and the caller works alone.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
from collections.abc import Callable
from typing import Any, NoReturn

from bundler.bundle.workers import can_fork

_FAILED = 70  # the child's exit status when work() raised (EX_SOFTWARE)


class Child:
    """A forked child doing ``work()``; ``result()`` collects what it sent."""

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid: int | None = pid
        self._pipe: int | None = pipe  # the reading end, until it is read or closed

    def result(self) -> Any:
        """Wait for the child: its ``work()``'s value, or None if it gave none."""
        if self._pid is None or self._pipe is None:
            return None
        descriptor, self._pipe = self._pipe, None
        with os.fdopen(descriptor, "rb") as pipe:
            try:
                data = pipe.read()
            except OSError:
                data = b""
        _pid, status = os.waitpid(self._pid, 0)
        self._pid = None
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        try:
            return json.loads(data)["value"]
        except (ValueError, KeyError, TypeError):  # nothing, or less than was sent
            return None

    def stop(self) -> None:
        """End and reap the child if its result was never collected."""
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None


def may_fork() -> bool:
    """Whether ``start`` can fork here (the build's rule for its workers)."""
    return can_fork()


def start(work: Callable[[], Any]) -> Child | None:
    """Run ``work()`` in a forked child; None (no child) where this process may not fork.
    Nothing here keeps ``work`` (nor what it holds) once the child runs. Stop the child
    (``Child.stop``) when its result will not be collected."""
    if not may_fork():
        return None
    reading, writing = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no memory or too many processes: the caller works alone
        os.close(reading)
        os.close(writing)
        return None
    if pid == 0:  # the child: never returns
        _run_child(work, reading, writing)
    os.close(writing)
    return Child(pid, reading)


def _run_child(work: Callable[[], Any], reading: int, writing: int) -> NoReturn:
    status = _FAILED  # also when work() raises: the parent sees it and works alone
    try:
        os.close(reading)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which stops us
        gc.freeze()  # leave the parent's objects alone: the collector would copy their pages
        gc.disable()  # and ours: we soon exit (measured: a full collection before sending
        # the answer, 20 ms of a 0.6 s verify); work() may still collect (gc.collect())
        data = json.dumps({"value": work()}).encode()
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:  # no traceback, no atexit handlers, no flushing the parent's buffers twice
        os._exit(status)
