"""What every request to ``bundler serve`` passes through before it reaches a page.

* **Host**: only the address the server was started on (and its loopback names) is
  answered, so a web page elsewhere cannot reach the app by pointing a DNS name at
  127.0.0.1 (DNS rebinding).
* **Launch token**: every request carries the token printed at launch, in the URL
  the first time (``?token=...``: answered with a redirect that sets an HttpOnly,
  SameSite=Strict cookie and drops the token from the address bar, in the manner
  of Jupyter) and in the cookie after that. Without it: 401; with a wrong one: 403.
* **Requests that change something** (POST) must come from the app's own pages: a
  foreign ``Origin`` is refused here, and each form's CSRF token is checked where
  the form is read (``bundler.web.forms.read_form``).
* **Size**: a request body larger than the upload limit is refused (413) before
  it is read, and a body that turns out larger while it streams is cut off.
* **Headers** on every response: a Content-Security-Policy that allows no inline
  script and nothing from elsewhere, ``nosniff``, frame denial, no referrer to other sites (the
  token must never leak in one to another site), and no caching of pages.
* **Log**: one line per request with the method, the path without its query
  string (which may hold the token) and the status. Paths name residents only by
  reference.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("bundler.web.access")

TOKEN_PARAMETER = "token"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-src 'self'; frame-ancestors 'none'"
)
# A PDF shown inside one of the app's own pages (letter previews) may be framed by them.
CSP_FRAMEABLE = "frame-ancestors 'self'"
FRAMEABLE_HEADER = "x-bundler-frameable"


@dataclass(frozen=True)
class Access:
    """The launch token and the addresses the server answers on."""

    token: str
    port: int
    hosts: frozenset[str]  # Host header values accepted, e.g. 127.0.0.1:8470

    @property
    def cookie_name(self) -> str:
        # one cookie per port: two servers on one machine do not overwrite each other's
        return f"bundler_token_{self.port}"

    @property
    def csrf_token(self) -> str:
        return hmac.new(self.token.encode(), b"csrf", hashlib.sha256).hexdigest()

    def token_ok(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(
            candidate.encode("utf-8", "surrogateescape"), self.token.encode())

    def csrf_ok(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(
            candidate.encode("utf-8", "surrogateescape"), self.csrf_token.encode())

    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.hosts)


def access_for(token: str, host: str, port: int) -> Access:
    names = {"127.0.0.1", "localhost", "[::1]"}
    names.add(f"[{host}]" if ":" in host else host)
    return Access(token, port, frozenset(f"{name}:{port}" for name in names))


def _headers(scope: Scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        if name not in found:  # the first of a repeated header counts
            found[name] = raw_value.decode("latin-1")
    return found


def _cookie(header: str | None, name: str) -> str | None:
    if not header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is the same as none
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


async def _plain(send: Send, status: int, text: str, extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = text.encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    """The request body passed the upload limit while it was being read (the app answers 413)."""


class Guard:
    """ASGI middleware applying the rules in this module's docstring to every request."""

    def __init__(self, app: ASGIApp, access: Access, max_body: int) -> None:
        self.app = app
        self.access = access
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status_seen: list[int] = []
        secured = self._secured_send(send, status_seen)
        try:
            await self._guarded(scope, receive, secured)
        except Exception as exc:  # the app has shown its error page; log no traceback
            access_log.error("unexpected internal problem (%s)", type(exc).__name__)
            if not status_seen:
                await _plain(secured, 500, "Sorry, there is a problem with the service.")
        finally:
            access_log.info("%s %s %s", scope.get("method", "?"), scope.get("path", "?"),
                            status_seen[0] if status_seen else "-")

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        if headers.get("host", "").lower() not in self.access.hosts:
            await _plain(send, 400, "This server answers only on the address it printed at "
                         "launch (http://127.0.0.1:PORT/).")
            return
        query = scope.get("query_string", b"").decode("latin-1")
        params = parse_qsl(query, keep_blank_values=True)
        given = next((value for key, value in params if key == TOKEN_PARAMETER), None)
        cookie = _cookie(headers.get("cookie"), self.access.cookie_name)
        if given is not None and self.access.token_ok(given) and scope["method"] in ("GET", "HEAD"):
            await self._welcome(scope, params, send)
            return
        if not self.access.token_ok(cookie):
            wrong = given is not None or cookie is not None
            await _plain(
                send, 403 if wrong else 401,
                ("That token is not this server's." if wrong else "This page needs the launch token.")
                + " Open the address `bundler serve` printed when it started "
                "(http://127.0.0.1:PORT/?token=...).",
            )
            return
        if scope["method"] in UNSAFE_METHODS:
            origin = headers.get("origin")
            if origin is not None and origin not in self.access.origins():
                await _plain(send, 403, "Refused: this request did not come from the app's own pages.")
                return
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                await _plain(send, 413, f"Refused: uploads are limited to "
                             f"{self.max_body // (1 << 20)} MB in one go.")
                return
        await self.app(scope, self._limited(receive), send)

    async def _welcome(self, scope: Scope, params: list[tuple[str, str]], send: Send) -> None:
        """The first visit with ``?token=``: set the cookie and go to the same page without it."""
        rest = [(key, value) for key, value in params if key != TOKEN_PARAMETER]
        location = scope.get("path", "/") + (f"?{urlencode(rest)}" if rest else "")
        cookie = (f"{self.access.cookie_name}={self.access.token}; Path=/; HttpOnly; "
                  "SameSite=Strict")
        await _plain(send, 303, "See the page without the token in its address.", [
            (b"location", location.encode("latin-1")),
            (b"set-cookie", cookie.encode("latin-1")),
        ])

    def _limited(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.max_body

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        return counted

    def _secured_send(self, send: Send, status_seen: list[int]) -> Send:
        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(int(message["status"]))
                headers: list[Any] = [
                    (name, value) for name, value in message.get("headers", [])
                    if name.lower() != FRAMEABLE_HEADER.encode()
                ]
                frameable = len(headers) != len(message.get("headers", []))
                present = {name.lower() for name, _value in headers}
                extra = [
                    (b"content-security-policy", (CSP_FRAMEABLE if frameable else CSP).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"SAMEORIGIN" if frameable else b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                if b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers + extra}
            await send(message)

        return secured
