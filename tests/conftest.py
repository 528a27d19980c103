"""Shared fixtures: the sample case, copied so tests can change it freely."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.pki import LocalTsa, Pki, make_pki

# Property tests here do real work (PDFs, hashing); on a busy 2-core CI machine a per-example
# deadline measures the machine, not the code. Examples stay bounded by max_examples.
settings.register_profile(
    "bundler", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("bundler")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "nettlebank-road"


@pytest.fixture
def sample_case(tmp_path: Path) -> Path:
    """A private copy of the sample case folder (without any generated out/)."""
    target = tmp_path / "nettlebank-road"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    return target


# --------------------------------------------------------------------------- signing
# A test PKI and a local time-stamping authority, made once per test session (tests/pki.py).


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def tsa(pki: Pki) -> Iterator[LocalTsa]:
    with LocalTsa(pki) as server:
        yield server


@pytest.fixture
def other_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recipient has other library versions than the builder: their pypdf is 9.9.9, and
    their zlib writes every stream it compresses differently (other bytes, the same pages)."""
    from pypdf.generic import DecodedStreamObject

    from bundler.bundle import assemble as assemble_module
    from bundler.bundle import build as build_module

    def stream(self: assemble_module._Context, data: bytes, compress: bool = False) -> object:
        made = DecodedStreamObject()
        made.set_data(data)
        return self.writer._add_object(made.flate_encode(level=1) if compress else made)

    real = build_module.library_versions
    monkeypatch.setattr(assemble_module._Context, "stream", stream)
    monkeypatch.setattr(build_module, "library_versions",
                        lambda extra=None: {**real(extra), "pypdf": "9.9.9"})
