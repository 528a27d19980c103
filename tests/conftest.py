"""Shared fixtures: the sample case, copied so tests can change it freely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "nettlebank-road"


@pytest.fixture
def sample_case(tmp_path: Path) -> Path:
    """A private copy of the sample case folder (without any generated out/)."""
    target = tmp_path / "nettlebank-road"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("out", "audit.jsonl"))
    return target
