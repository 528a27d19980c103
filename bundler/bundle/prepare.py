"""Prepare a bundle's documents (identify, convert, check every page) in several processes.

Until the layout, documents are independent of one another: with ``workers`` processes (one by
default: on the shared 2-core machine it was measured on, two were as often slower as faster,
for about 20% more processor time) worker processes forked from this one take them in turn
while this one waits. Results are used in bundle order whatever order they finish in, and each
worker's warnings are logged by this process in that order, so the warnings, the first error
raised and the bundle are the same for any number of workers (tested with 1 and 2). A worker's readers stay in the worker: the assembly opens those PDFs
again when it merges them (with one process, each PDF is parsed once).

Workers are forked (they start at once, with everything already imported), so only from a
process running no other thread: a build started in a thread (the web app) prepares its
documents itself.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bundler.errors import BundlerError

Job = TypeVar("Job")
Result = TypeVar("Result")


def worker_count(requested: int | None, documents: int) -> int:
    """How many processes prepare ``documents``: ``requested`` (default 1), never more than
    there are documents; 1 (this process) where no worker can be forked."""
    if requested is None or not _can_fork():
        return 1
    return max(1, min(requested, documents))


def _can_fork() -> bool:
    return (hasattr(os, "fork") and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


@dataclass(frozen=True)
class _Outcome(Generic[Result]):
    """What a worker sends back: the result or the error, and what it logged meanwhile."""

    result: Result | None
    error: BundlerError | None
    records: tuple[logging.LogRecord, ...]


_work: tuple[Callable[[object], object], Sequence[object]] | None = None  # for the workers


def in_workers(prepare: Callable[[Job], Result], jobs: Sequence[Job],
               workers: int) -> Iterator[Result]:
    """``prepare(job)`` for every job by ``workers`` forked processes, in job order; the
    first failing job raises its error (after the warnings of the jobs before it)."""
    global _work
    _work = (prepare, jobs)  # type: ignore[assignment]  # inherited by the forked workers
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_start_worker) as pool:
            for outcome in pool.imap(_prepare_in_worker, range(len(jobs))):
                for record in outcome.records:
                    logging.getLogger(record.name).handle(record)
                if outcome.error is not None:
                    raise outcome.error
                yield outcome.result  # type: ignore[misc]
    finally:
        _work = None


# --- in a worker process ----------------------------------------------------------------

_records: list[logging.LogRecord] = []


class _Keep(logging.Handler):
    """Keeps what the toolkit logs in a worker, to be logged by the main process in order."""

    def emit(self, record: logging.LogRecord) -> None:
        record.msg = record.getMessage()  # the arguments may not cross to the main process
        record.args = None
        record.exc_info = None
        record.exc_text = None
        _records.append(record)


def _start_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which stops us
    package = logging.getLogger("bundler")
    package.handlers = [_Keep()]
    package.propagate = False


def _prepare_in_worker(index: int) -> _Outcome[object]:
    assert _work is not None
    prepare, jobs = _work
    _records.clear()
    if index % 25 == 0:  # the checks' parsed copies are cyclic garbage, and builds pause
        gc.collect(0)    # the collector (see build.collector_paused)
    try:
        return _Outcome(prepare(jobs[index]), None, tuple(_records))
    except BundlerError as exc:
        return _Outcome(None, exc, tuple(_records))
    except Exception as exc:  # a bug; its own class may not cross between processes
        return _Outcome(None, BundlerError(f"{type(exc).__name__}: {exc}"), tuple(_records))
    finally:
        _records.clear()
