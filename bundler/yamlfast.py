"""Read a plain YAML file with libyaml's parser (C), or say "not plain: ask ruamel".

ruamel's round-trip reader (pure Python) is the reference: it keeps every value's line,
gives the messages officers read, and refuses what the toolkit does not accept (tags,
alias bombs, duplicate keys, deep nesting). It is also slow: a bundle spec of 1,150
documents (115 kB) takes it half a second, before any evidence is read. Almost every file
the toolkit reads is plain, though: mappings, lists and scalars, no anchors, aliases, tags
or directives. For those, ``read_plain`` builds the same data and the same lines from
libyaml's events, about 15 times faster.

"The same" is the contract, and anything this reader is not sure of returns ``None``, so
the caller reads the text with ruamel, which gives its own result or its own error:
anything libyaml refuses (the message is ruamel's), an anchor, an alias, a tag, a
``%YAML``/``%TAG`` directive, more or fewer than one document, a key that is not a plain
text (``1:``, ``null:``, ``2026-01-01:``, ``? [a]``, ``<<``), a key written twice, a value
that resolves to anything but text, null, a date, a number or a boolean, nesting near
ruamel's limit, more values than ruamel allows, and characters that libyaml and ruamel
count as line breaks differently, a tab anywhere (ruamel refuses some that libyaml
accepts), and an empty value (``key:`` with nothing after it:
the two readers give it different lines). Plain scalars are resolved by ruamel's own resolver
(YAML 1.2) and numbers and booleans built by ruamel's own constructor, so ``010``,
``0o17``, ``1_000``, ``1e3``, ``yes`` and ``.inf`` mean here what they mean there.
tests/test_yaml_fast.py checks the two agree, on every YAML file in the repository and on
generated ones.
"""

from __future__ import annotations

from functools import cache
from typing import Any

Loc = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BUILT = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"})
# libyaml (YAML 1.1) also breaks lines at the last three, which ruamel may count otherwise;
# ruamel refuses tabs in places libyaml accepts them (inside a plain key, say); libyaml skips
# a byte-order mark anywhere, ruamel reads one inside the text as a character
_LEFT_TO_RUAMEL = ("\t", "\ufeff", "\x85", "\u2028", "\u2029")


class _NotPlain(Exception):
    """The text holds something only the reference reader may judge."""


@cache
def _tools() -> tuple[Any, Any, Any] | None:
    """libyaml's parser and ruamel's resolver and constructor, or None without libyaml."""
    try:
        # PyYAML ships no type hints; what is used here is typed Any
        import yaml as pyyaml  # type: ignore[import-untyped]
        from yaml import events
    except ImportError:  # pragma: no cover - PyYAML is a dependency; libyaml may be absent
        return None
    # libyaml's parser (the loader's construction and resolution are never used)
    parser = getattr(pyyaml, "CBaseLoader", None)
    if parser is None:  # pragma: no cover - a PyYAML built without libyaml
        return None
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    resolver = VersionedResolver()
    constructor = YAML(typ="rt").constructor

    def resolve(value: str) -> Any:
        tag = str(resolver.resolve(ScalarNode, value, (True, False)))
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _TIMESTAMP:
            return value  # dates stay text (see yamlio: Pydantic parses them)
        if tag in _BUILT:
            built = constructor.construct_object(ScalarNode(tag, value), deep=True)
            if isinstance(built, bool):
                return bool(built)
            if isinstance(built, int):
                return int(built)
            if isinstance(built, float):
                return float(built)
        raise _NotPlain(tag)

    return parser, events, resolve


def read_plain(
    text: str, *, max_depth: int, max_values: int
) -> tuple[Any, dict[Loc, int]] | None:
    """``(data, lines)`` exactly as the reference reader would give them, or None.

    ``lines`` maps each location (keys and list indexes from the top) to its 1-based line:
    a key's line for a nested list or mapping, the value's own line otherwise, an item's
    line in a list, as ruamel reports them.
    """
    tools = _tools()
    if tools is None or any(mark in text for mark in _LEFT_TO_RUAMEL):
        return None
    parser_class, events, resolve = tools
    try:
        return _Builder(events, resolve, max_depth, max_values).build(parser_class(text))
    except Exception:  # libyaml's refusal, or not plain: ruamel decides, in its own words
        return None


class _Builder:
    def __init__(self, events: Any, resolve: Any, max_depth: int, max_values: int) -> None:
        self.ev = events
        self.resolve = resolve
        self.max_depth = max_depth - 2  # well inside ruamel's limit: near it, ruamel decides
        self.max_values = max_values // 2
        self.values = 0
        self.lines: dict[Loc, int] = {(): 1}

    def build(self, parser: Any) -> tuple[Any, dict[Loc, int]]:
        ev = self.ev
        try:
            if not isinstance(parser.get_event(), ev.StreamStartEvent):
                raise _NotPlain("stream")
            start = parser.get_event()
            if not isinstance(start, ev.DocumentStartEvent) or start.version or start.tags:
                raise _NotPlain("no document, or a directive")
            data = self._value(parser, parser.get_event(), (), 0)
            if not isinstance(parser.get_event(), ev.DocumentEndEvent):
                raise _NotPlain("document end")
            if not isinstance(parser.get_event(), ev.StreamEndEvent):
                raise _NotPlain("more than one document")
        finally:
            parser.dispose()
        return data, self.lines

    def _value(self, parser: Any, event: Any, loc: Loc, depth: int) -> Any:
        ev = self.ev
        self.values += 1
        if self.values > self.max_values or depth > self.max_depth:
            raise _NotPlain("size")
        if getattr(event, "anchor", None) is not None or getattr(event, "tag", None) is not None:
            raise _NotPlain("anchor or tag")
        if isinstance(event, ev.ScalarEvent):
            return self._scalar(event)
        if isinstance(event, ev.SequenceStartEvent):
            items: list[Any] = []
            while not isinstance(item := parser.get_event(), ev.SequenceEndEvent):
                here = (*loc, len(items))
                self.lines[here] = item.start_mark.line + 1
                items.append(self._value(parser, item, here, depth + 1))
            return items
        if isinstance(event, ev.MappingStartEvent):
            result: dict[str, Any] = {}
            while not isinstance(key := parser.get_event(), ev.MappingEndEvent):
                name = self._key(key)
                if name in result:
                    raise _NotPlain("a key written twice")
                self.values += 1
                value = parser.get_event()
                here = (*loc, name)
                nested = isinstance(value, ev.SequenceStartEvent | ev.MappingStartEvent)
                self.lines[here] = (key if nested else value).start_mark.line + 1
                result[name] = self._value(parser, value, here, depth + 1)
            return result
        raise _NotPlain(type(event).__name__)  # an alias

    def _scalar(self, event: Any) -> Any:
        if event.style:  # quoted, literal or folded: always text
            return event.value
        if not event.value:  # nothing written: libyaml and ruamel place it on different lines
            raise _NotPlain("an empty value")
        return self.resolve(event.value)

    def _key(self, event: Any) -> str:
        if not isinstance(event, self.ev.ScalarEvent) or event.anchor is not None:
            raise _NotPlain("a key that is not a scalar")
        if event.tag is not None:
            raise _NotPlain("a tagged key")
        key = self._scalar(event)
        if not isinstance(key, str) or key == "<<":
            raise _NotPlain("a key that is not text")
        return key
