"""Long work (letters through LibreOffice, bundle builds, verifications) run off the page.

A job runs in one background worker, one at a time (the machine's cores go to the
work itself), and reports progress through the same callback the CLI prints to
stderr; the job page shows it live (htmx polls the status part every second).
The library's warnings during the job are shown with it, as the CLI shows them.
Job ids are random and carry nothing about the case or its residents.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bundler.errors import BundlerError

log = logging.getLogger("bundler.web")
_current = threading.local()

MAX_JOBS = 200


@dataclass
class Job:
    """One piece of work and what it has said so far."""

    id: str
    title: str
    back: str  # the page to return to
    case: str | None = None
    state: str = "queued"  # queued, running, done, failed
    progress: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the result, as the CLI prints it
    ok: bool | None = None  # for checks: passed or not
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, href)
    error: tuple[str, str] | None = None  # (message, hint)
    cleanup: Callable[[], None] | None = None

    def say(self, message: str) -> None:
        self.progress.append(message)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


class _JobWarnings(logging.Handler):
    """Sends the library's warnings to the job running on this thread."""

    def emit(self, record: logging.LogRecord) -> None:
        job = getattr(_current, "job", None)
        if job is not None and record.levelno >= logging.WARNING:
            job.warnings.append(record.getMessage())


class Jobs:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bundler-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        handler = _JobWarnings(level=logging.WARNING)
        package = logging.getLogger("bundler")
        if not any(isinstance(h, _JobWarnings) for h in package.handlers):
            package.addHandler(handler)
        if package.level == logging.NOTSET or package.level > logging.WARNING:
            package.setLevel(logging.WARNING)

    def start(self, job: Job, work: Callable[[Job], None]) -> Job:
        with self._lock:
            if len(self._jobs) >= MAX_JOBS:  # forget the oldest finished ones
                for old in [j for j in self._jobs.values() if j.finished][: MAX_JOBS // 2]:
                    del self._jobs[old.id]
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _run(job: Job, work: Callable[[Job], None]) -> None:
        _current.job = job
        job.state = "running"
        try:
            work(job)
            job.state = "done"
        except BundlerError as exc:
            job.error = (exc.message, exc.hint)
            job.state = "failed"
        except Exception as exc:  # a bug: say so plainly, never show a traceback
            log.error("unexpected internal problem in a job (%s)", type(exc).__name__)
            job.error = (f"unexpected internal problem ({type(exc).__name__}); nothing was written",
                         "Try again; if it happens again, run the same task with the `bundler` "
                         "command and `--debug`, and send the output to the toolkit's maintainers.")
            job.state = "failed"
        finally:
            _current.job = None
            if job.cleanup is not None:
                job.cleanup()


def new_job(title: str, back: str, case: str | None = None) -> Job:
    return Job(id=secrets.token_urlsafe(12), title=title, back=back, case=case)
