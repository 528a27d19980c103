"""The placeholders ``bundler case new`` and ``bundler resident new`` write for what they
cannot know, and where they are still left in a record file.

A placeholder is a value an officer must replace: text starting ``FILL IN`` (a postcode
``ZZ99 9ZZ``, the postcode used where none is known). It validates, so a new case is
valid from the start, and ``bundler validate`` notes every one still there; letters and
bundles are not made from a record still holding one (``refuse_placeholders``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bundler.yamlio import Loc

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
    from bundler.yamlmodel import Problem, dotted, read_document

    found: list[str] = []
    for path, shown in records:
        if not path.is_file():
            continue
        problems: list[Problem] = []
        document = read_document(path, shown, problems)
        if document is None:
            continue
        for loc in placeholders(document.data):
            value = json.dumps(_value_at(document.data, loc), ensure_ascii=False)
            found.append(f"{shown}:{document.line_of(loc)}: {dotted(loc)}: still the "
                         f"placeholder {value}")
    return found


def refuse_placeholders(records: Iterable[tuple[Path, str]], output: str, case_dir: str
                        ) -> None:
    """Raise CaseIncomplete (one line) when a record ``output`` draws on still holds a
    placeholder: the first one, and how many more."""
    from bundler.errors import CaseIncomplete

    found = placeholders_left(records)
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
