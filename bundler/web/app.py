"""The officer's desk: ``bundler serve``'s web application.

Pages are rendered on the server from Jinja templates with the GOV.UK Design
System's styles (vendored under ``static/``); htmx updates only the live progress
of long work. Every page calls the same library functions as the CLI: the case
folders under CASES_DIR stay the single source of truth, so the CLI and the app
can be used on the same case, and an edit in one shows in the other on reload.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from bundler import __version__
from bundler.errors import BundlerError, ExitCode
from bundler.register import CaseFolder, RegisterCache, find_cases
from bundler.web.jobs import Jobs
from bundler.web.security import Access, BodyTooLarge, Guard

HERE = Path(__file__).resolve().parent
DEFAULT_MAX_UPLOAD = 512 << 20
SERVICE_NAME = "Supported housing reviews"

log = logging.getLogger("bundler.web")


@dataclass
class Desk:
    """What every page needs: the cases folder, the access rules, caches and jobs."""

    cases_dir: Path
    access: Access
    max_upload: int = DEFAULT_MAX_UPLOAD
    today: Callable[[], dt.date] = dt.date.today
    cache: RegisterCache = field(default_factory=RegisterCache)
    jobs: Jobs = field(default_factory=Jobs)
    templates: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.globals.update(service_name=SERVICE_NAME, version=__version__)

    def warm_up(self) -> threading.Thread:
        """Validate every case in the background, so the first look at the register is quick."""

        def run() -> None:
            for folder in find_cases(self.cases_dir):
                try:
                    self.cache.state(folder)
                except BundlerError:  # the page will say what is wrong when it is opened
                    continue

        thread = threading.Thread(target=run, name="bundler-warm-up", daemon=True)
        thread.start()
        return thread

    def case(self, case_id: str) -> CaseFolder:
        """The case folder named in a URL; 404 for any name that is not one of them."""
        for folder in find_cases(self.cases_dir):
            if folder.id == case_id:
                return folder
        raise HTTPException(404)

    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = self.templates.get_template(template).render(
            request=request, csrf=self.access.csrf_token, path=request.url.path, **context)
        return HTMLResponse(body, status_code=status)


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


_STATUS_FOR_EXIT = {
    ExitCode.NOT_FOUND: 404,
    ExitCode.OUTPUT_EXISTS: 409,
    ExitCode.MISSING_TOOL: 503,
    ExitCode.INTERNAL: 500,
}


async def _bundler_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BundlerError)
    return desk_of(request).page(request, "error.html", _STATUS_FOR_EXIT.get(exc.exit_code, 400),
                                 title="There is a problem", message=exc.message, hint=exc.hint)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return desk_of(request).page(request, "error.html", 404, title="Page not found",
                                     message="There is no such page, case or file here.",
                                     hint="Check the address, or go back to the register.")
    return desk_of(request).page(request, "error.html", exc.status_code, title="There is a problem",
                                 message=exc.detail, hint="")


async def _too_large(request: Request, exc: Exception) -> Response:
    limit = desk_of(request).max_upload // (1 << 20)
    return desk_of(request).page(request, "error.html", 413, title="The upload is too large",
                                 message=f"Uploads are limited to {limit} MB in one go.",
                                 hint="Upload fewer files at a time, or start the app with "
                                 "a larger --max-upload-mb.")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unexpected internal problem (%s) on %s %s", type(exc).__name__, request.method,
              request.url.path)
    return desk_of(request).page(
        request, "error.html", 500, title="Sorry, there is a problem with the service",
        message=f"unexpected internal problem ({type(exc).__name__}); nothing was written",
        hint="Try again. If it happens again, do the same with the `bundler` command and "
        "`--debug`, and send the output to the toolkit's maintainers.")


def create_app(cases_dir: Path, access: Access, *, max_upload: int = DEFAULT_MAX_UPLOAD,
               today: Callable[[], dt.date] = dt.date.today, warm_up: bool = False) -> Guard:
    """The ASGI application for ``cases_dir``, behind the access rules (``warm_up``: start
    validating every case at once, in the background)."""
    from bundler.web.routes import routes

    find_cases(cases_dir)  # InputNotFound / BadInput now, not on the first page
    desk = Desk(cases_dir=cases_dir, access=access, max_upload=max_upload, today=today)
    app = Starlette(
        routes=[*routes(), Mount("/static", StaticFiles(directory=HERE / "static"), name="static")],
        exception_handlers={
            BundlerError: _bundler_error,
            HTTPException: _http_error,
            BodyTooLarge: _too_large,
            Exception: _unexpected,
        },
    )
    app.state.desk = desk
    if warm_up:
        desk.warm_up()
    return Guard(app, access, max_upload)
