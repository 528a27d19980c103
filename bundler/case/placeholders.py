"""The placeholders ``bundler case new`` and ``bundler resident new`` write for what they
cannot know, and where they are still left in a record file.

A placeholder is a value an officer must replace: text starting ``FILL IN`` (a postcode
``ZZ99 9ZZ``, the postcode used where none is known). It validates, so a new case is
valid from the start, and ``bundler validate`` notes every one still there.
"""

from __future__ import annotations

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


def printed_placeholders(records: Iterable[tuple[Path, str]], printed: Iterable[str]
                         ) -> list[str]:
    """``FILE:LINE: field: value`` for each placeholder in the record files ``records``
    ((path, name shown)) whose value an output would print (``printed``: its texts)."""
    from bundler.yamlmodel import Problem, dotted, read_document

    text = "\n".join(printed)
    if PLACEHOLDER not in text and PLACEHOLDER_POSTCODE not in text:
        return []
    found: list[str] = []
    for path, shown in records:
        if not path.is_file():
            continue
        problems: list[Problem] = []
        document = read_document(path, shown, problems)
        if document is None:
            continue
        for loc in placeholders(document.data):
            value = _value_at(document.data, loc)
            if isinstance(value, str) and value in text:
                found.append(f"{shown}:{document.line_of(loc)}: {dotted(loc)}: still the "
                             f"placeholder {value!r}")
    return found or [f"a placeholder ({PLACEHOLDER}...) left in the records"]


def refuse_placeholders(records: Iterable[tuple[Path, str]], printed: Iterable[str],
                        output: str) -> None:
    """Raise CaseIncomplete naming each placeholder ``output`` would print."""
    from bundler.errors import CaseIncomplete

    found = printed_placeholders(records, printed)
    if found:
        raise CaseIncomplete(
            "\n".join(f"{line}, which {output} would print" for line in found),
            "Fill in each value named (FILE:LINE), run `bundler validate`, then try again.")


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data
