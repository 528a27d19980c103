"""Shared fixtures: the sample case, copied so tests can change it freely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

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
