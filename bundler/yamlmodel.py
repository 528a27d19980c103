"""Validate YAML files against Pydantic models, reporting FILE:LINE: field: message.

Shared by every file an officer writes by hand (case records, bundle specs): the
YAML is read keeping the line of every value (``bundler.yamlio``), validated with
strict types, and each Pydantic error is turned into one plain-English line at
the line of the offending value.
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bundler.dates import date_message
from bundler.errors import BadInput
from bundler.yamlio import Loc, YamlDocument, YamlSyntaxError, read_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One problem, located in a file."""

    file: str
    line: int
    field: str
    message: str
    unreadable: bool = False  # the file itself could not be read (syntax, tags, aliases, size)

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.message}"




def annotation_model(annotation: Any) -> type[BaseModel] | None:
    """The Record class inside an annotation such as ``list[X] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return annotation_model(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = annotation_model(arg)
            if found is not None:
                return found
    return None


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = annotation_model(info.annotation)
    return model


def _friendly_all(error: ErrorDetails, root: type[BaseModel]) -> list[tuple[Loc, str]]:
    """Plain-English messages for one Pydantic error (a rule error may carry several)."""
    if error["type"] == "case_rule":
        ctx = error.get("ctx") or {}
        loc: Loc = tuple(error["loc"])
        found = []
        for at, message in json.loads(str(ctx.get("problems", "[]"))):
            extra: Loc = tuple(int(p) if p.isdigit() else p for p in str(at).split(".") if p)
            found.append(((*loc, *extra), str(message)))
        if found:
            return found
    return [_friendly(error, root)]


def _friendly(error: ErrorDetails, root: type[BaseModel]) -> tuple[Loc, str]:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    shown = json.dumps(value, ensure_ascii=False) if isinstance(value, str | int | float | bool) else None
    if kind == "case_rule":
        at = str(ctx.get("at", ""))
        extra: Loc = tuple(int(p) if p.isdigit() else p for p in at.split(".") if p)
        return (*loc, *extra), str(ctx.get("message", error["msg"]))
    if kind == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        allowed = sorted(parent.model_fields) if parent else []
        key = str(loc[-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed here: {', '.join(allowed)}"
        return loc, f"unknown field {key!r}; {hint}"
    if kind == "missing":
        return loc, "this field is required; add it"
    if kind.startswith(("date", "datetime")):
        return loc, date_message(value)
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", ""))
        return loc, f"{shown or 'this value'} is not allowed here; use one of: {expected}"
    if kind.startswith("bool"):
        return loc, f"{shown or 'this'} is not true or false; write true or false"
    if kind in ("string_type",):
        return loc, f"{shown or 'this'} should be text; put it in quotes"
    if kind.startswith("int"):
        return loc, f"{shown or 'this'} should be a whole number"
    if kind == "string_pattern_mismatch":
        field_name = str(loc[-1]) if loc else ""
        formats = {
            "postcode": "a UK postcode in capitals, e.g. WX4 2QT",
            "reference": "a reference such as R01 (residents) or WBC-SHR-2026-014 (reviews)",
            "email": "an e-mail address such as name@example.org",
            "phone": "a phone number using digits, spaces, +, ( ) and -",
            "id": "letters, digits and hyphens only, e.g. REC-1 or nettlebank-house",
            "scheme": "a scheme id: lower case letters, digits and hyphens",
        }
        wanted = formats.get(field_name, "the expected format")
        return loc, f"{shown or 'this'} is not in the right format; write {wanted}"
    if kind == "too_short":
        return loc, "this list is empty; add at least one entry"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        wanted = "a list (lines starting with '- ')" if kind == "list_type" else "a set of fields"
        return loc, f"expected {wanted} here"
    if kind in ("case_path", "case_file"):
        return loc, error["msg"]
    return loc, error["msg"].removeprefix("Value error, ")


def dotted(loc: Loc) -> str:
    """A location as officers read it: ``items[1].files``, positions counting from 1."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else part
    return text


def validate_document(
    model: type[M],
    document: YamlDocument,
    shown: str,
    problems: list[Problem],
    *,
    context: dict[str, Any] | None = None,
) -> M | None:
    """Validate a parsed YAML document as ``model`` (strict types, dates from ISO text).

    Appends every problem, located by line, to ``problems``; returns the record or None.
    """
    if not isinstance(document.data, dict):
        problems.append(
            Problem(
                shown, 1, "", "the file should hold a set of fields (key: value lines); it is empty or a list"
            )
        )
        return None
    try:
        record = model.model_validate_json(
            json.dumps(document.data, ensure_ascii=False),
            strict=True,
            context=context,
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            for loc, message in _friendly_all(error, model):
                problems.append(Problem(shown, document.line_of(loc), dotted(loc), message))
        return None
    return record


def read_document(path: Path, shown: str, problems: list[Problem]) -> YamlDocument | None:
    """Read a YAML file, appending a located problem instead of raising on bad syntax."""
    try:
        return read_yaml(path)
    except YamlSyntaxError as exc:
        problems.append(Problem(shown, exc.problem.line, "", exc.problem.message, unreadable=True))
    except BadInput as exc:
        problems.append(Problem(shown, 1, "", exc.message, unreadable=True))
    return None
