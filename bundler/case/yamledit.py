"""Rewrite a YAML record in place keeping its comments, order and layout.

The toolkit edits records an officer also edits by hand (``case upgrade``,
``letters.yaml``), so it loads them with ruamel.yaml's round-trip mode and writes back
only what changed: comments, key order, folded text and the house indentation
(mappings by 2, list dashes 2 in from their key) stay as they were.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from bundler.fileio import write_text_atomic
from bundler.yamlio import read_yaml


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap an officer's lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load_for_edit(path: Path) -> Any:
    """The file's round-trip data (a CommentedMap for a mapping). The file is read through
    ``read_yaml`` first, so its size and syntax are checked as for validation."""
    read_yaml(path)
    return _yaml().load(path.read_text(encoding="utf-8-sig"))


def dump_text(data: Any) -> str:
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    return buffer.getvalue()


def write_edited(path: Path, data: Any) -> None:
    """Write ``data`` back to ``path`` atomically."""
    write_text_atomic(path, dump_text(data))


def insert_after(mapping: CommentedMap, after: str | None, key: str, value: Any) -> None:
    """Put ``key`` right after ``after`` (first when None or absent), keeping the rest in place."""
    keys = list(mapping.keys())
    position = keys.index(after) + 1 if after in keys else 0
    if key in mapping:
        del mapping[key]
        keys = list(mapping.keys())
        position = keys.index(after) + 1 if after in keys else 0
    mapping.insert(position, key, value)
