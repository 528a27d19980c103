"""An app over a private copy of the sample case, driven over HTTP as a browser would."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bundler.web.app import create_app
from bundler.web.security import access_for
from tests.web.browser import copy_samples

TOKEN = "test-token-abcdefghijklmnop"
BASE = "http://127.0.0.1:8470"
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    return copy_samples(tmp_path)


@pytest.fixture
def case_dir(cases: Path) -> Path:
    return cases / "nettlebank-road"


def make_client(cases: Path, *, max_upload: int = 64 << 20, login: bool = True) -> TestClient:
    app = create_app(cases, access_for(TOKEN, "127.0.0.1", 8470), max_upload=max_upload,
                     today=lambda: TODAY)
    client = TestClient(app, base_url=BASE, follow_redirects=False)
    if login:
        response = client.get(f"/?token={TOKEN}")
        assert response.status_code == 303
    return client


@pytest.fixture
def client(cases: Path) -> Iterator[TestClient]:
    with make_client(cases) as made:
        yield made


@pytest.fixture
def anonymous(cases: Path) -> Iterator[TestClient]:
    with make_client(cases, login=False) as made:
        yield made


def csrf(client: TestClient) -> str:
    from bundler.web.security import access_for

    return access_for(TOKEN, "127.0.0.1", 8470).csrf_token


def wait_for_job(client: TestClient, location: str, timeout: float = 300) -> str:
    """Poll a job page until it has finished; its final HTML."""
    assert location.startswith("/jobs/")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"{location}/status")
        assert status.status_code == 200
        if status.headers.get("hx-trigger") == "job-finished":
            return status.text
        time.sleep(0.2)
    raise AssertionError(f"job {location} did not finish in {timeout} s")
