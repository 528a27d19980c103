"""The placeholders ``bundler case new`` and ``bundler resident new`` write for what they
cannot know, and where they are still left in a record file.

A placeholder is a value an officer must replace: text starting ``FILL IN`` (a postcode
``ZZ99 9ZZ``, the postcode used where none is known). It validates, so a new case is
valid from the start, and ``bundler validate`` notes every one still there.
"""

from __future__ import annotations

from collections.abc import Iterator
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
