"""The placeholders ``bundler case new`` and ``bundler resident new`` write for what they
cannot know, and where they are still left in a record file.

A placeholder is a value an officer must replace: text starting ``FILL IN`` (a postcode
``ZZ99 9ZZ``, the postcode used where none is known). It validates, so a new case is
valid from the start, and ``bundler validate`` notes every one still there; letters and
bundles are not made from a record still holding one (``refuse_placeholders``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from bundler.yamlio import Loc, YamlDocument

PLACEHOLDER = "FILL IN"
PLACEHOLDER_POSTCODE = "ZZ99 9ZZ"
PLACEHOLDER_NOTE = "still the placeholder `bundler case new` wrote; fill it in"


def fill_in(what: str) -> str:
    """The placeholder for a value: 'FILL IN: the council's name'."""
    return f"{PLACEHOLDER}: {what}"


def placeholders(data: Any, loc: Loc = ()) -> Iterator[Loc]:
    """Where in a record file's data a placeholder is still left."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from placeholders(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from placeholders(value, (*loc, index))
    elif isinstance(data, str) and (data.startswith(PLACEHOLDER) or data == PLACEHOLDER_POSTCODE):
        yield loc


def placeholders_left(records: Iterable[tuple[Path, str]]) -> list[str]:
    """``FILE:LINE: field: still the placeholder "value"`` for each placeholder left in the
    record files ``records`` ((path, name shown)), in file order."""
    from bundler.yamlmodel import Problem, read_document

    found: list[str] = []
    for path, shown in records:
        if not path.is_file():
            continue
        problems: list[Problem] = []
        document = read_document(path, shown, problems)
        if document is not None:
            found += placeholders_in(document, shown)
    return found


def placeholders_in(document: YamlDocument, shown: str) -> list[str]:
    """``placeholders_left`` for one file already read (``shown`` as its name)."""
    from bundler.yamlmodel import dotted

    return [f"{shown}:{document.line_of(loc)}: {dotted(loc)}: still the placeholder "
            f"{json.dumps(_value_at(document.data, loc), ensure_ascii=False)}"
            for loc in placeholders(document.data)]


def refuse_placeholders(records: Iterable[tuple[Path, str]], output: str, case_dir: str,
                        read_before: Sequence[str] = ()) -> None:
    """Raise CaseIncomplete (one line) when a record ``output`` draws on still holds a
    placeholder: the first one, and how many more. ``read_before``: the placeholders of
    files the caller has already read (``placeholders_in``), which come first."""
    from bundler.errors import CaseIncomplete

    found = [*read_before, *placeholders_left(records)]
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise CaseIncomplete(
            f"{found[0]}{more}: {output} is not made from records still holding placeholders",
            f"Fill in each value `bundler case new` left (`bundler validate {case_dir}` lists "
            "them with their lines), then try again.")


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data
