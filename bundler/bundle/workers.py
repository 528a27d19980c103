"""Worker processes for one build: documents are prepared, then merged, on every core.

Until the layout, and again while each is merged and stamped, documents are independent of
one another. With ``workers`` processes (``worker_count``: by default one per processor, at
most four), a ``Crew`` forks that many when its first stage starts. In the first stage (identify, convert, check) each worker takes the
next document as soon as it is free, and keeps the PDF reader it checked it with (``keep``);
in the next (merge and stamp) each document goes back to the worker that checked it, which
merges from the reader it kept (``take``) instead of reading the PDF again; a worker that
has merged all of its own takes the last documents of another's and reads those again, so
no core waits while the other works. This process hands out the work, draws the index and
the certificate meanwhile (taking results between strings, ``pump``), numbers the merged
objects into the bundle and writes it.

Results are used in document order whatever order they arrive in, and each worker's
warnings are logged by this process in that order, so the warnings, the first error raised
and the bundle are the same for any number of workers (tested with 1 and 2). A worker that
stops (killed, out of memory) ends the build with an error saying so, never a wait.

Workers are forked (they start at once, with everything already imported), so only from a
process running no other thread: a build started in a thread (the web app) does its work
itself.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from types import TracebackType
from typing import Any, TypeVar

from bundler.errors import BundlerError, WorkerStopped

Shared = TypeVar("Shared")
Result = TypeVar("Result")

_IN_FLIGHT = 2  # jobs sent ahead to each worker, so none waits for the next
_PUMPED = 4  # the same while this process does other work, taking results only now and then
_HELD = 32 << 20  # bytes of results held for their turn beyond which pumping hands out no
# more work (a 10,000-page build draws its index for about half a second: 15 MB of results)
_STEAL_FROM = 2  # a worker with nothing left takes from another that still has this many


MAX_DEFAULT_WORKERS = 4  # beyond this the build's own process (numbering, writing) is the limit


def worker_count(requested: int | None, documents: int) -> int:
    """How many processes do a build's documents: ``requested``, by default one per
    processor this process may use (at most MAX_DEFAULT_WORKERS), never more than there are
    documents; 1 (this process) where no worker can be forked."""
    if not can_fork():
        return 1
    wanted = requested if requested is not None else min(_processors(), MAX_DEFAULT_WORKERS)
    return max(1, min(wanted, documents))


def _processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether this process may fork workers: only while it runs no other thread (a forked
    copy of a process holding another thread's locks can hang)."""
    return (hasattr(os, "fork") and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


@dataclass(frozen=True)
class _Outcome:
    """What a worker sends back: the result or the error, and what it logged meanwhile."""

    position: int
    result: Any
    error: BundlerError | None
    records: tuple[logging.LogRecord, ...]


class Crew:
    """``count`` forked worker processes, started by the first ``run`` and stopped by
    ``close`` (or the end of a ``with`` block)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._connections: list[Connection] = []
        self._pids: list[int] = []
        self._stage = 0
        self._current: _Stage | None = None
        self.done_by: dict[int, int] = {}  # the last stage's positions: which worker did each

    def __enter__(self) -> Crew:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def run(self, job: Callable[[Shared, int], Result], shared: Shared, jobs: int,
            owners: dict[int, int] | None = None) -> Iterator[Result]:
        """``job(shared, position)`` for every position below ``jobs``, in position order;
        the first failing job raises its error (after the warnings of the jobs before it).

        ``job`` must be a module-level function; ``shared`` is sent to each worker once
        (inherited by the first stage). With ``owners`` (a previous stage's ``done_by``),
        each position goes to the worker that did it then, the others to any worker.

        The first jobs are handed out at once, before the results are asked for: while
        this process does something else, ``pump`` takes what has arrived and hands out more.
        """
        self._stage += 1
        if not self._pids:
            self._start((self._stage, job, shared))
        else:
            for worker in range(self.count):
                self._send(worker, ("stage", self._stage, job, shared))
        self._current = _Stage(self, self._stage, jobs, owners)
        return self._current.results(jobs)

    def pump(self) -> None:
        """Take the results that have arrived (without waiting) and hand out more work, so
        the workers keep busy while this process does other work between results."""
        if self._current is not None:
            self._current.pump()

    def _send(self, worker: int, message: tuple[Any, ...]) -> None:
        try:
            self._connections[worker].send(message)
        except OSError as exc:  # (BrokenPipeError: it has gone)
            self.close()
            raise _stopped() from exc

    def _receive(self, worker: int) -> tuple[_Outcome, int]:
        """The worker's next outcome, and its size in bytes as sent."""
        try:
            data = self._connections[worker].recv_bytes()
        except (EOFError, OSError) as exc:
            raise _stopped() from exc
        outcome = ForkingPickler.loads(data)  # (what Connection.recv does)
        assert isinstance(outcome, _Outcome)
        return outcome, len(data)

    def _start(self, first_stage: tuple[int, Callable[[Any, int], Any], Any]) -> None:
        global _inherited
        _inherited = first_stage  # the workers start with it: nothing to send
        try:
            for index in range(self.count):
                parent_end, child_end = multiprocessing.Pipe()
                pid = os.fork()
                if pid == 0:  # the worker: it never returns into the build's code
                    status = 1
                    try:
                        parent_end.close()
                        for connection in self._connections:
                            connection.close()
                        _serve(child_end, index)
                        status = 0
                    finally:
                        os._exit(status)
                child_end.close()
                self._connections.append(parent_end)
                self._pids.append(pid)
        finally:
            _inherited = None

    def close(self) -> None:
        """Stop the workers (each ends when its connection closes) and wait for them."""
        for connection in self._connections:
            connection.close()
        for pid in self._pids:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self._connections, self._pids = [], []
        self._current = None


class _Stage:
    """One stage's work: which worker does which position, what is in flight, what has
    arrived (kept until its turn: results are used in position order)."""

    def __init__(self, crew: Crew, number: int, jobs: int,
                 owners: dict[int, int] | None) -> None:
        self.crew = crew
        self.number = number
        self.owned: list[deque[int]] = [deque() for _ in range(crew.count)]
        self.anyone: deque[int] = deque()
        for position in range(jobs):
            owner = (owners or {}).get(position)
            (self.owned[owner] if owner is not None and owner < crew.count
             else self.anyone).append(position)
        crew.done_by = {}
        self.in_flight = [0] * crew.count
        self.arrived: dict[int, tuple[_Outcome, int]] = {}
        self.held = 0  # bytes in ``arrived``
        for worker in range(crew.count):
            self._feed(worker)

    def _feed(self, worker: int, ahead: int = _IN_FLIGHT) -> None:
        while self.in_flight[worker] < ahead:
            position = self._next_for(worker)
            if position is None:
                return
            self.crew._send(worker, ("do", self.number, position))
            self.in_flight[worker] += 1

    def _next_for(self, worker: int) -> int | None:
        """Its own next position, else anyone's; with neither left, the last of the longest
        queue another worker still has (it is needed last; the worker that owned it kept
        what it read, this one reads it again), so no core waits while another works."""
        if self.owned[worker]:
            return self.owned[worker].popleft()
        if self.anyone:
            return self.anyone.popleft()
        longest = max(self.owned, key=len)
        return longest.pop() if len(longest) >= _STEAL_FROM else None

    def _collect(self, timeout: float | None, pumping: bool = False) -> None:
        connections = self.crew._connections
        if not connections:  # closed: a worker stopped while results were being taken
            raise _stopped()
        for ready in wait(connections, timeout):
            worker = connections.index(ready)  # type: ignore[arg-type]
            outcome, size = self.crew._receive(worker)
            self.in_flight[worker] -= 1
            self.arrived[outcome.position] = outcome, size
            self.held += size
            self.crew.done_by[outcome.position] = worker
            if not pumping:
                self._feed(worker)
            elif self.held < _HELD:  # (else the results' turn will hand out more)
                self._feed(worker, _PUMPED)

    def pump(self) -> None:
        try:
            self._collect(0, pumping=True)
        except BaseException:
            self.crew.close()  # replies may still be on their way: no other stage can start
            raise

    def results(self, jobs: int) -> Iterator[Any]:
        try:
            for position in range(jobs):
                # (pumping may have held work back; a closed crew has no one to hand it to)
                for worker in range(len(self.crew._connections)):
                    self._feed(worker)
                while position not in self.arrived:
                    self._collect(None)
                outcome, size = self.arrived.pop(position)
                self.held -= size
                for record in outcome.records:
                    logging.getLogger(record.name).handle(record)
                if outcome.error is not None:
                    raise outcome.error
                yield outcome.result
        except BaseException:  # (GeneratorExit too: the last result taken, or left early)
            if any(self.in_flight):  # replies still to come: this crew cannot take another stage
                self.crew.close()
            raise


def _stopped() -> WorkerStopped:
    return WorkerStopped("a worker process of this build stopped before it had finished (out "
                         "of memory, or killed)")


# --- in a worker process ----------------------------------------------------------------

_inherited: tuple[int, Callable[[Any, int], Any], Any] | None = None
_kept: dict[object, tuple[object, int]] = {}
_kept_size = 0
_records: list[logging.LogRecord] = []
_index = 0


KEEP_LIMIT = 2000  # what a worker keeps for later stages, in ``size`` units (a reader's pages)


def keep(key: object, value: object, size: int) -> bool:
    """In a worker: hold ``value`` for a later stage of the same build (see ``take``), unless
    what it holds would then be larger than KEEP_LIMIT (``size`` is in its units: a reader's
    pages, about 5 kB each), so a worker's memory stays bounded whatever the bundle's size;
    whether it was kept."""
    global _kept_size
    if _kept_size + size > KEEP_LIMIT:
        return False
    _kept[key] = (value, size)
    _kept_size += size
    return True


def take(key: object) -> Any:
    """In a worker: what an earlier stage kept under ``key`` (given once), or None."""
    global _kept_size
    value, size = _kept.pop(key, (None, 0))
    _kept_size -= size
    return value


def worker_index() -> int:
    """In a worker: which of the crew's workers this is (0 in a build's own process)."""
    return _index


class _Keep(logging.Handler):
    """Keeps what the toolkit logs in a worker, to be logged by the main process in order."""

    def emit(self, record: logging.LogRecord) -> None:
        record.msg = record.getMessage()  # the arguments may not cross to the main process
        record.args = None
        record.exc_info = None
        record.exc_text = None
        _records.append(record)


def _serve(connection: Connection, index: int) -> None:
    global _index
    _index = index
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    package = logging.getLogger("bundler")
    package.handlers = [_Keep()]
    package.propagate = False
    assert _inherited is not None
    stages = {_inherited[0]: _inherited[1:]}
    done = 0
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return  # the build is over (or gone)
        if message[0] == "stage":
            stages = {message[1]: (message[2], message[3])}
            release_memory()
            continue
        _kind, stage, position = message
        job, shared = stages[stage]
        done += 1
        if done % 25 == 0:  # the checks' parsed copies are cyclic garbage, and builds pause
            gc.collect(0)   # the collector (see build.collector_paused)
            release_memory()
        outcome = _run(job, shared, position)
        try:
            connection.send(outcome)
        except (EOFError, OSError):
            return
        except Exception as exc:  # a result that cannot cross between processes (a bug)
            connection.send(_Outcome(position, None, BundlerError(
                f"{type(exc).__name__}: {exc}"), outcome.records))


def release_memory() -> None:
    """Give the memory the C library holds free back to the system (glibc's malloc_trim):
    decoding and converting leave much of it free but kept, in each process."""
    global _trim
    if _trim is None:
        try:
            _trim = ctypes.CDLL(None).malloc_trim
        except (AttributeError, OSError):
            _trim = False
    if _trim:
        _trim(0)


_trim: Any = None


def _run(job: Callable[[Any, int], Any], shared: Any, position: int) -> _Outcome:
    _records.clear()
    try:
        return _Outcome(position, job(shared, position), None, tuple(_records))
    except BundlerError as exc:
        return _Outcome(position, None, exc, tuple(_records))
    except Exception as exc:  # a bug; its own class may not cross between processes
        return _Outcome(position, None, BundlerError(f"{type(exc).__name__}: {exc}"),
                        tuple(_records))
    finally:
        _records.clear()


def in_order(crew: Crew | None, job: Callable[[Shared, int], Result], shared: Shared,
             jobs: int, owners: dict[int, int] | None = None) -> Iterator[Result]:
    """``crew.run(...)``, or without a crew the same jobs one after the other here."""
    if crew is None:
        return (job(shared, position) for position in range(jobs))
    return crew.run(job, shared, jobs, owners)
