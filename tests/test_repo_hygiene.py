"""The repository as committed: nothing a botched merge or a stray edit leaves behind."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_MARKER = re.compile(rb"^(<<<<<<< |>>>>>>> |=======\r?$)", re.M)


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    paths = [ROOT / name for name in listed.stdout.decode().split("\0") if name]
    return [p for p in paths if p.is_file() and p.suffix in {
        ".py", ".md", ".txt", ".yaml", ".yml", ".json", ".toml", ".cfg", ".sh", ".html",
        ".css", ".js", ".lock", ""}]


def test_no_merge_conflict_markers_are_committed() -> None:
    found = [str(p.relative_to(ROOT)) for p in _tracked_text_files()
             if _MARKER.search(p.read_bytes())]
    assert found == [], f"merge conflict markers left in: {found}"
