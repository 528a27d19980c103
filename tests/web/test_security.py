"""Every security point of `bundler serve`, tested over HTTP against every route."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from starlette.routing import Route

from bundler.errors import BadInput
from bundler.web.files import ZipLimits, extract_zip
from bundler.web.routes import routes
from tests.web.conftest import BASE, TOKEN, csrf, make_client

PARAMS = {"case": "nettlebank-road", "section": "consent", "ref": "R01",
          "path": "evidence/residents/R01/licence.pdf", "job": "no-such-job", "format": "csv"}


def _every_route() -> list[tuple[str, str]]:
    found = []
    for route in routes():
        assert isinstance(route, Route)
        url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PARAMS[m.group(1)], route.path)
        url = url.replace("/records/consent", "/records/review")
        url = url.replace("/letters-record/consent", "/letters-record/letters")
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, url))
    return [*found, ("GET", "/static/govuk/govuk-frontend.min.css"), ("GET", "/nowhere")]


ROUTES = _every_route()
POSTS = [url for method, url in ROUTES if method == "POST"]


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_every_route_needs_the_token(cases: Path, method: str, url: str) -> None:
    with make_client(cases, login=False) as anonymous:
        assert anonymous.request(method, url).status_code == 401
        anonymous.cookies.set("bundler_token_8470", "not-the-token")
        assert anonymous.request(method, url).status_code == 403
        assert anonymous.request(method, url, params={"token": "wrong"}).status_code == 403


def test_the_token_once_in_the_url_then_a_cookie(anonymous) -> None:  # type: ignore[no-untyped-def]
    first = anonymous.get("/cases/nettlebank-road", params={"token": TOKEN, "as_of": "2026-11-20"})
    assert first.status_code == 303
    assert first.headers["location"] == "/cases/nettlebank-road?as_of=2026-11-20"  # token dropped
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert anonymous.get("/cases/nettlebank-road").status_code == 200
    # the token never travels on to other sites
    assert first.headers["referrer-policy"] == "same-origin"


def test_only_the_printed_address_is_answered(cases: Path) -> None:
    with make_client(cases) as client:
        assert client.get("/").status_code == 200
        for host in ("evil.example:8470", "127.0.0.1:9999", "attacker.test"):
            assert client.get("/", headers={"host": host}).status_code == 400
        assert client.get("/", headers={"host": "localhost:8470"}).status_code == 200


@pytest.mark.parametrize("url", POSTS)
def test_every_post_without_the_csrf_token_is_refused(client, case_dir: Path, url: str) -> None:  # type: ignore[no-untyped-def]
    before = {p: p.read_bytes() for p in case_dir.rglob("*") if p.is_file()}
    response = client.post(url, data={"kind": "findings", "_action": "save"},
                           files={"files": ("x.txt", b"hello\n", "text/plain")})
    assert response.status_code == 403
    assert "did not come from this app" in response.text
    wrong = client.post(url, data={"csrf_token": "0" * 64, "_action": "save"})
    assert wrong.status_code == 403
    after = {p: p.read_bytes() for p in case_dir.rglob("*") if p.is_file()}
    assert after == before  # nothing was written, not even the audit log


@pytest.mark.parametrize("url", POSTS)
def test_a_post_from_another_site_is_refused_even_with_the_token(client, url: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post(url, data={"csrf_token": csrf(client)},
                           headers={"origin": "http://evil.example"})
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), [r for r in ROUTES if r[0] == "GET"])
def test_security_headers_on_every_response(client, method: str, url: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url)
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    if url.startswith("/cases/nettlebank-road/files/") and url.endswith(".pdf"):
        # a PDF may be shown inside the app's own preview page, and nowhere else
        assert "frame-ancestors 'self'" in csp
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
    else:
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert response.headers["x-frame-options"] == "DENY"


PAGES = ["/", "/report", "/verify", "/cases/nettlebank-road", "/cases/nettlebank-road/checklist",
         "/cases/nettlebank-road/evidence", "/cases/nettlebank-road/letters",
         "/cases/nettlebank-road/bundles", "/cases/nettlebank-road/audit",
         "/cases/nettlebank-road/records/review", "/cases/nettlebank-road/records/information_request",
         "/cases/nettlebank-road/residents/R01/details", "/cases/nettlebank-road/residents/R01/evidence",
         "/cases/nettlebank-road/residents/R01/correspondence"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_or_style_and_nothing_from_elsewhere(client, url: str) -> None:  # type: ignore[no-untyped-def]
    html = client.get(url).text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert not re.search(r"""(src|href)=["']https?://""", html)  # everything served locally


def test_residents_by_reference_in_titles_and_urls(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/cases/nettlebank-road/residents/R01/correspondence").text
    title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)  # type: ignore[union-attr]
    assert "R01" in title and "Łukasz" not in title and "Brennan" not in title
    assert "Łukasz Brennan" in page  # the name is in the form, for the letters, not the title
    case_page = client.get("/cases/nettlebank-road").text
    assert "/residents/R01/" in case_page and "Brennan" not in case_page


TRAVERSALS = [
    "../case.yaml", "..%2Fcase.yaml", "%2e%2e/%2e%2e/etc/passwd", "evidence/../../../etc/passwd",
    "evidence/%2e%2e/case.yaml", "%252e%252e/case.yaml", "/etc/passwd", "%2Fetc%2Fpasswd",
    "evidence\\..\\case.yaml", "evidence//x", "evidence/link-out", "link-dir/passwd",
    "evidence", "evidence/%00.pdf", "evidence/./../case.yaml", "..", "%2e%2e",
]


def test_no_path_outside_the_case_folder(tmp_path: Path) -> None:
    """Sent byte for byte as written (no client tidies the paths first) to a real server."""
    import http.client
    import urllib.request

    from tests.web.browser import copy_samples, serving

    cases = copy_samples(tmp_path)
    case_dir = cases / "nettlebank-road"
    (case_dir / "evidence" / "link-out").symlink_to("/etc/passwd")
    (case_dir / "link-dir").symlink_to("/etc", target_is_directory=True)
    (cases / "linked").symlink_to(tmp_path, target_is_directory=True)
    with serving(cases) as server:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(server.url):
            pass
        port = int(server.base.rsplit(":", 1)[1])
        cookie = f"bundler_token_{port}={server.url.split('token=')[1]}"
        for prefix in ("/cases/nettlebank-road/files/", "/cases/nettlebank-road/preview/",
                       "/cases/linked/files/", "/cases/"):
            for path in TRAVERSALS:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.putrequest("GET", prefix + path, skip_accept_encoding=True)
                connection.putheader("Cookie", cookie)
                connection.endheaders()
                response = connection.getresponse()
                body = response.read()
                connection.close()
                assert response.status in (400, 404), (prefix + path, response.status)
                assert b"root:" not in body and b"review:" not in body, prefix + path
        # the same folder, reached properly, is served
        with opener.open(server.base + "/cases/nettlebank-road/files/case.yaml") as response:
            assert b"review:" in response.read()


@pytest.mark.parametrize("path", TRAVERSALS)
def test_inside_refuses_every_escape(case_dir: Path, path: str) -> None:
    from urllib.parse import unquote

    from bundler.web.files import inside

    (case_dir / "evidence" / "link-out").symlink_to("/etc/passwd")
    (case_dir / "link-dir").symlink_to("/etc", target_is_directory=True)
    assert inside(case_dir, path) is None
    assert inside(case_dir, unquote(path)) is None
    assert inside(case_dir, "evidence/residents/R01/licence.pdf") is not None


@pytest.mark.parametrize("name", ["%2e%2e", "..%2Fnettlebank-road", "linked", "nope"])
def test_no_case_outside_the_cases_folder(client, cases: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    (cases / "linked").symlink_to(cases / "nettlebank-road", target_is_directory=True)
    assert client.get(f"/cases/{name}").status_code == 404
    assert client.get(f"/cases/{name}/files/case.yaml").status_code == 404


@pytest.mark.parametrize("url", ["/cases/nettlebank-road/residents/R1/consent",
                                 "/cases/nettlebank-road/residents/R99/consent",
                                 "/cases/nettlebank-road/residents/..%2F..%2Fcase/consent",
                                 "/cases/nettlebank-road/records/nothing",
                                 "/cases/nettlebank-road/records/__class__",
                                 "/register.exe", "/jobs/%2e%2e"])
def test_unknown_names_in_urls_are_not_found(client, url: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(url).status_code == 404


def test_evidence_is_served_safely(client, case_dir: Path) -> None:  # type: ignore[no-untyped-def]
    (case_dir / "evidence" / "page.html").write_text("<script>alert(1)</script>")
    (case_dir / "evidence" / "drawing.svg").write_text("<svg onload='alert(1)'/>")
    for name in ("page.html", "drawing.svg"):
        response = client.get(f"/cases/nettlebank-road/files/evidence/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["content-disposition"].startswith("attachment")
    pdf = client.get("/cases/nettlebank-road/files/evidence/residents/R01/licence.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == (case_dir / "evidence/residents/R01/licence.pdf").read_bytes()


def test_uploads_over_the_limit_are_refused_before_reading(cases: Path, case_dir: Path) -> None:
    with make_client(cases, max_upload=1 << 20) as client:
        big = b"%PDF-1.4\n" + b"0" * (2 << 20)
        response = client.post("/cases/nettlebank-road/evidence",
                               data={"csrf_token": csrf(client)},
                               files={"files": ("big.pdf", big, "application/pdf")})
        assert response.status_code == 413
        assert not (case_dir / "evidence" / "big.pdf").exists()
        response = client.post("/verify", data={"csrf_token": csrf(client)},
                               files={"bundle": ("bundle.pdf", big, "application/pdf")})
        assert response.status_code == 413


def _zip(entries: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize(("entries", "links", "message"), [
    ({"../evil.txt": b"x"}, (), "points outside"),
    ({"/abs/evil.txt": b"x"}, (), "points outside"),
    ({"C:/evil.txt": b"x"}, (), "points outside"),
    ({"case/evidence/a.pdf": b"x"}, ("case/evidence/link.pdf",), "is a link"),
    ({"big.bin": b"0" * 5000}, (), "unpacks to more than"),
])
def test_a_sources_zip_cannot_escape_or_explode(tmp_path: Path, entries: dict[str, bytes],
                                                links: tuple[str, ...], message: str) -> None:
    archive = tmp_path / "sources.zip"
    archive.write_bytes(_zip(entries, links))
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(BadInput, match=message):
        extract_zip(archive, target, ZipLimits(max_bytes=4096))
    assert not (tmp_path / "evil.txt").exists()


def test_the_server_log_has_no_token_query_or_names(tmp_path: Path) -> None:
    import urllib.request

    from tests.web.browser import TOKEN as SERVER_TOKEN
    from tests.web.browser import copy_samples, serving

    cases = copy_samples(tmp_path)
    with serving(cases) as server:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(server.url) as response:
            assert response.status == 200
        for path in ("/cases/nettlebank-road/residents/R01/correspondence?x=Brennan",
                     "/cases/nettlebank-road/checklist?as_of=2026-11-20"):
            with opener.open(server.base + path) as response:
                assert response.status == 200
    log = server.log.read_text()
    assert "GET /cases/nettlebank-road/residents/R01/correspondence 200" in log
    assert SERVER_TOKEN not in log and "token" not in log
    assert "Brennan" not in log and "Łukasz" not in log and "as_of" not in log
    assert "Traceback" not in log


def test_serve_listens_on_loopback_by_default(tmp_path: Path) -> None:
    from tests.web.browser import copy_samples, serving

    cases = copy_samples(tmp_path)
    with serving(cases) as server:
        assert server.base.startswith("http://127.0.0.1:")
        assert server.url == f"{server.base}/?token=browser-test-token-0123456789"


def test_a_form_from_the_app_itself_goes_through(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/cases/nettlebank-road/evidence",
                           data={"csrf_token": csrf(client)},
                           headers={"origin": BASE},
                           files={"files": ("note.txt", b"plain text\n", "text/plain")})
    assert response.status_code == 200
