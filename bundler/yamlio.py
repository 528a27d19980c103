"""Read YAML keeping the line of every value, so errors can say FILE:LINE.

Dates are kept as text by the loader and parsed by Pydantic, so an impossible
date such as 2026-02-30 becomes a validation message on its line rather than a
crash inside the YAML library.

Every YAML file the toolkit reads comes through here, and any of them may be
hostile (a spec or case folder sent by someone else), so the reader is bounded:

* no tags at all (``!!python/name:os.system``, ``!!binary``, ``!custom``): the
  files hold plain text, numbers, lists and fields, and a tag is refused on its line;
* at most ``MAX_ALIASES`` aliases (``*name``), and at most ``MAX_VALUES`` values
  counting every value an alias repeats, so an alias bomb ("billion laughs": each
  level repeating the one before nine times) is refused on the alias's line as it is
  read, before it is expanded into memory;
* nesting at most ``MAX_DEPTH`` deep, and files at most ``MAX_BYTES`` long.
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
from ruamel.yaml.composer import Composer, ComposerError, MaxDepthExceededError
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.representer import RoundTripRepresenter

from bundler.errors import BadInput, InputNotFound
from bundler.yamlfast import Loc as Loc
from bundler.yamlfast import read_plain

MAX_ALIASES = 50
"""Aliases (``*name``) one file may use: hand-written records need few, if any."""
MAX_VALUES = 200_000
"""Values (keys, scalars, lists, mappings) in one file, each alias counted as all the
values it repeats: a spec of 5,000 documents holds about 45,000."""
MAX_DEPTH = 100
"""How deeply lists and mappings may nest (the records nest fewer than 10 deep)."""
MAX_BYTES = 16 * 1024 * 1024
"""The largest YAML file read (a spec of 5,000 documents is under 1 MB)."""


def _as_written(tag: str) -> str:
    """``!!python/name:x`` as the file spells it, not ruamel's expanded form."""
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


_CORE = "tag:yaml.org,2002:"


class _BoundedComposer(Composer):
    """ruamel's composer, refusing tags and counting aliases and expanded values.

    The count is kept while the file is read: an alias adds the size of the value it
    names (recorded when that value's anchor was read), so the total is what the file
    would become once expanded, known before anything is expanded.
    """

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self._aliases = 0
        self._values = 0
        self._anchored_sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise ComposerError(
                    None,
                    None,
                    f"more than {MAX_ALIASES} aliases (*name); write the values out in full",
                    event.start_mark,
                )
            node = super().compose_node(parent, index)
            self._count(self._anchored_sizes.get(id(node), 1), event)
            return node
        if getattr(event, "tag", None) is not None:
            raise ComposerError(
                None,
                None,
                f"the tag {_as_written(str(event.tag))} is not allowed (these files hold "
                "plain text, numbers, dates, lists and fields); remove it",
                event.start_mark,
            )
        before = self._values
        self._count(1, event)
        node = super().compose_node(parent, index)
        if event.anchor is not None:
            self._anchored_sizes[id(node)] = self._values - before
        return node

    def _count(self, values: int, event: Any) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            raise ComposerError(
                None,
                None,
                f"the file holds more than {MAX_VALUES:,} values (counting every value "
                "an alias repeats); split it, or write out what the aliases stand for",
                event.start_mark,
            )


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
    """A YAML instance for editing a file in place: comments, key order, quoting, line
    lengths and dates are kept, and new lines are indented the way ``text`` (the file)
    indents (by default the house style: mappings by 2, list dashes 2 in from their key)."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextDatesConstructor
    yaml.Representer = _TextDatesRepresenter
    yaml.Composer = _BoundedComposer
    yaml.max_depth = MAX_DEPTH
    yaml.allow_duplicate_keys = False
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap an officer's lines
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
    """Parse YAML text; raises YamlSyntaxError with the line of the problem.

    A plain file (no anchors, aliases, tags or directives: nearly all of them) is read by
    libyaml's parser, with the same result (bundler/yamlfast.py); ruamel reads the rest,
    and gives every error.
    """
    plain = read_plain(text, max_depth=MAX_DEPTH, max_values=MAX_VALUES)
    if plain is not None:
        return YamlDocument(path=path, data=plain[0], lines=plain[1])
    return _parse_with_ruamel(text, path)


def _parse_with_ruamel(text: str, path: Path) -> YamlDocument:
    """The reference reader: every refusal and its message come from here."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextDatesConstructor
    yaml.Composer = _BoundedComposer
    yaml.max_depth = MAX_DEPTH
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
        if isinstance(exc, MaxDepthExceededError):
            message = f"yaml: nested more than {MAX_DEPTH} levels deep; these files nest a few"
        elif isinstance(exc, ComposerError):
            message = f"yaml: {what}"
        else:
            message = f"yaml: {what}; check the indentation and punctuation here"
        raise YamlSyntaxError(YamlSyntaxProblem(line, message)) from exc
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
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror})") from exc
    if len(raw) > MAX_BYTES:
        raise BadInput(
            f"{path}: is over {MAX_BYTES // (1024 * 1024)} MB, too large for a YAML record",
            "Check it is the right file; records written by hand are far smaller.",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError(
            YamlSyntaxProblem(line, "yaml: not UTF-8 text; save the file as UTF-8")
        ) from exc
    return parse_yaml_text(text, path)
