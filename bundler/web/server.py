"""Start the web app on a local address (``bundler serve``), in the manner of Jupyter:
one command, a random token per launch, and the address to open printed once."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sys
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bundler.errors import BadInput, OutputFailed
from bundler.web.security import access_for

TOKEN_VARIABLE = "BUNDLER_TOKEN"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Launch:
    url: str  # with ?token=
    host: str
    port: int
    token: str


def launch_token() -> str:
    """BUNDLER_TOKEN when set (for scripts), else a new random token."""
    given = os.environ.get(TOKEN_VARIABLE, "").strip()
    if given:
        if len(given) < 16 or not given.isascii() or not given.replace("-", "").replace("_", "").isalnum():
            raise BadInput(
                f"{TOKEN_VARIABLE} must be at least 16 letters, digits, - or _",
                f"Unset {TOKEN_VARIABLE} to get a random token, or set a longer one.",
            )
        return given
    return secrets.token_urlsafe(24)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OutputFailed(
            f"cannot listen on {host}:{port} ({exc.strerror})",
            "Another program may be using that port: try another with --port, or --port 0 "
            "for any free one.",
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def serve(cases_dir: Path, *, host: str, port: int, open_browser: bool, max_upload_mb: int,
          say: Callable[[str], None]) -> None:
    """Run the app until interrupted; ``say`` prints the address and any warning."""
    import uvicorn

    from bundler.web.app import create_app

    token = launch_token()
    sock = bind(host, port)
    bound_port = int(sock.getsockname()[1])
    shown_host = f"[{host}]" if ":" in host else host
    app = create_app(cases_dir, access_for(token, host, bound_port),
                     max_upload=max_upload_mb << 20, warm_up=True)
    _log_requests()
    if host not in LOOPBACK:
        say(f"warning: listening on {host}, not only this computer: anyone who can reach it "
            "and has the token can read the cases")
    url = f"http://{shown_host}:{bound_port}/?token={token}"
    say(f"Serving the cases in {cases_dir}")
    say(f"Open {url}")
    say("Press Ctrl-C to stop.")
    if open_browser:
        webbrowser.open(url)
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off",
                            server_header=False, date_header=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _log_requests() -> None:
    """One line per request on stderr (method, path, status), without query strings."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("bundler.web.access", "bundler.web"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
