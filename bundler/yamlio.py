"""Read YAML keeping the line of every value, so errors can say FILE:LINE.

Dates are kept as text by the loader and parsed by Pydantic, so an impossible
date such as 2026-02-30 becomes a validation message on its line rather than a
crash inside the YAML library.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter

from bundler.errors import BadInput, InputNotFound

Loc = tuple[str | int, ...]


class DateText(str):
    """A date as written in the file (``2026-09-29``): kept as text, and written back
    unquoted, so a file loaded and saved again keeps its dates as they were."""


class _TextDatesConstructor(RoundTripConstructor):
    """Round-trip constructor that leaves timestamps as text (``DateText``)."""


def _timestamp_as_text(constructor: RoundTripConstructor, node: Any) -> str:
    return DateText(constructor.construct_scalar(node))


_TextDatesConstructor.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _represent_date_text(representer: RoundTripRepresenter, value: DateText) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:timestamp", str(value))


class _TextDatesRepresenter(RoundTripRepresenter):
    """Round-trip representer that writes ``DateText`` back as a plain date."""


_TextDatesRepresenter.add_representer(DateText, _represent_date_text)

_SEQUENCE_ITEM = re.compile(r"^( *)- ")
_NESTED_KEY = re.compile(r"^( +)[A-Za-z_][A-Za-z0-9_-]*:")


def round_trip_yaml(text: str = "") -> YAML:
    """A YAML instance for editing a file in place: comments, key order, quoting and
    dates are kept, and new lines are indented the way ``text`` (the file) indents."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextDatesConstructor
    yaml.Representer = _TextDatesRepresenter
    yaml.allow_duplicate_keys = False
    yaml.width = 100
    mapping, sequence, offset = 2, 4, 2
    lines = text.splitlines()
    keys = [len(m.group(1)) for m in map(_NESTED_KEY.match, lines) if m]
    if keys:
        mapping = min(keys)
    for previous, line in itertools.pairwise(lines):
        item = _SEQUENCE_ITEM.match(line)
        if item and previous.rstrip().endswith(":"):
            parent = len(previous) - len(previous.lstrip())
            offset = len(item.group(1)) - parent
            sequence = offset + 2
            break
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


@dataclass
class YamlDocument:
    """Plain Python data plus the 1-based line of each location in the file."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        """The line of ``loc``, or of its nearest enclosing value that has one."""
        probe = tuple(loc)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), 1)


@dataclass(frozen=True)
class YamlSyntaxProblem:
    line: int
    message: str


class YamlSyntaxError(Exception):
    def __init__(self, problem: YamlSyntaxProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _plain(node: Any, loc: Loc, lines: dict[Loc, int]) -> Any:
    if isinstance(node, CommentedMap):
        result: dict[str, Any] = {}
        for key in node:
            key_text = str(key)
            child_loc = (*loc, key_text)
            try:
                key_line, _key_col, value_line, _value_col = node.lc.data[key]
                # a nested mapping or list starts on the line after its key: point at the key
                value = node[key]
                line = key_line if isinstance(value, CommentedMap | CommentedSeq) else value_line
                lines[child_loc] = line + 1
            except (KeyError, AttributeError, TypeError, ValueError):
                pass
            result[key_text] = _plain(node[key], child_loc, lines)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, item in enumerate(node):
            child_loc = (*loc, index)
            with contextlib.suppress(KeyError, AttributeError, TypeError, IndexError):
                lines[child_loc] = node.lc.item(index)[0] + 1
            items.append(_plain(item, child_loc, lines))
        return items
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def parse_yaml_text(text: str, path: Path) -> YamlDocument:
    """Parse YAML text; raises YamlSyntaxError with the line of the problem."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextDatesConstructor
    yaml.allow_duplicate_keys = False
    try:
        raw = yaml.load(text)
    except DuplicateKeyError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        key = _duplicate_key(exc)
        raise YamlSyntaxError(
            YamlSyntaxProblem(line, f"{key}: this key appears twice; keep one")
        ) from exc
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = (exc.problem or exc.context or "not valid YAML").strip()
        raise YamlSyntaxError(
            YamlSyntaxProblem(line, f"yaml: {what}; check the indentation and punctuation here")
        ) from exc
    except YAMLError as exc:
        raise YamlSyntaxError(YamlSyntaxProblem(1, f"yaml: {exc}")) from exc
    lines: dict[Loc, int] = {(): 1}
    data = _plain(raw, (), lines)
    return YamlDocument(path=path, data=data, lines=lines)


def _duplicate_key(exc: DuplicateKeyError) -> str:
    problem = str(exc.problem or "")
    # ruamel says: found duplicate key "name" with value ...
    if '"' in problem:
        return problem.split('"')[1]
    return "key"


def read_yaml(path: Path, *, what: str = "file") -> YamlDocument:
    """Read and parse a YAML file. Raises InputNotFound, BadInput or YamlSyntaxError."""
    if not path.exists():
        raise InputNotFound.for_path(path, what)
    if path.is_dir():
        raise BadInput(f"{path}: is a folder, expected a YAML file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError(
            YamlSyntaxProblem(line, "yaml: not UTF-8 text; save the file as UTF-8")
        ) from exc
    return parse_yaml_text(text, path)
