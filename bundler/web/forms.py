"""HTML forms generated from the Pydantic models, and read back into record values.

Nothing here knows a field by name: the form for a record is made by walking its
model's fields (nested models, lists of models, enums, lists of enums, dates,
whole numbers, yes/no, text and lists of text, optional parts), so a field added
to the model appears in the app without a change here. A field of a shape the
walk does not know is edited as a small piece of YAML.

Field names in the HTML are the field's location with 0-based positions
(``evidence.assessments[0].kind``); problems from validation are matched to fields
by validate's own way of writing locations (``bundler.yamlmodel.dotted``), so a
message appears beside the field it is about, exactly as ``bundler validate``
words it.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from bundler.case.models import CaseFile
from bundler.web.security import CSRF_FIELD, CSRF_HEADER, Access
from bundler.yamlio import DateText, Loc
from bundler.yamlmodel import Problem, dotted

MAX_ITEMS = 500
"""The most entries a list in a form may have (a bound on what a posted form can ask for)."""

MAX_FIELDS = 5000

_LONG_TEXT = ("summary", "notes", "reason", "experience", "how_", "recommendation",
              "complaints", "legal_basis", "detail", "description", "grounds", "outcome")
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def html_name(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def humanise(name: str) -> str:
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass
class FormField:
    """One field of a generated form, with its value and any problem found in it."""

    loc: Loc
    kind: str  # text, textarea, date, int, bool, enum, enum_list, text_list, model, model_list, yaml
    label: str
    hint: str | None = None
    required: bool = False
    optional: bool = False  # a part that may be left out (added and removed as a whole)
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[FormField] = field(default_factory=list)  # kind model
    items: list[FormField] = field(default_factory=list)  # kind model_list: one model each
    present: bool = True  # kind model: False while an optional part is left out
    files: bool = False  # a case file path (suggestions come from the case's files)
    errors: list[str] = field(default_factory=list)

    @functools.cached_property
    def name(self) -> str:
        return html_name(self.loc)

    @functools.cached_property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-")

    @property
    def key(self) -> str:
        """The location as validate writes it, to match its problems."""
        return dotted(self.loc)

    def walk(self) -> Iterator[FormField]:
        yield self
        for child in (*self.children, *self.items):
            yield from child.walk()


# --------------------------------------------------------------------------- annotations


@dataclass(frozen=True)
class _Shape:
    kind: str
    optional: bool = False
    model: type[BaseModel] | None = None
    choices: tuple[tuple[str, str], ...] = ()
    files: bool = False


def _is_case_file(annotation: Any) -> bool:
    try:
        return bool(annotation == CaseFile)
    except Exception:  # annotations that cannot be compared are not CaseFile
        return False


def _choices(values: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    found = []
    for value in values:
        raw = value.value if isinstance(value, enum.Enum) else value
        words = getattr(value, "plain_words", None)
        paragraph = getattr(value, "paragraph", None)
        label = humanise(str(raw))
        if isinstance(words, str):
            label = f"{paragraph}: {words}" if isinstance(paragraph, str) else words
        found.append((str(raw), label))
    return tuple(found)


def shape_of(annotation: Any) -> _Shape:
    """How a field of this annotation is edited."""
    files = _is_case_file(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1 and len(args) < len(typing.get_args(annotation)):
            inner = shape_of(args[0])
            return _Shape(inner.kind, True, inner.model, inner.choices, inner.files)
        return _Shape("yaml")
    if origin is typing.Annotated:
        inner = shape_of(typing.get_args(annotation)[0])
        return _Shape(inner.kind, inner.optional, inner.model, inner.choices, inner.files or files)
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        inner = shape_of(item)
        if inner.kind == "model":
            return _Shape("model_list", model=inner.model)
        if inner.kind == "enum":
            return _Shape("enum_list", choices=inner.choices)
        if inner.kind in ("text", "date"):
            return _Shape("text_list", files=inner.files)
        return _Shape("yaml")
    if origin is typing.Literal:
        return _Shape("enum", choices=_choices(typing.get_args(annotation)))
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return _Shape("model", model=annotation)
        if issubclass(annotation, enum.Enum):
            return _Shape("enum", choices=_choices(list(annotation)))
        if issubclass(annotation, bool):
            return _Shape("bool")
        if issubclass(annotation, int):
            return _Shape("int")
        if issubclass(annotation, dt.date):
            return _Shape("date")
        if issubclass(annotation, str):
            return _Shape("text", files=files)
    return _Shape("yaml")


# --------------------------------------------------------------------------- record -> form


def _display(kind: str, value: Any) -> Any:
    if kind in ("text", "textarea", "date", "int", "enum"):
        return "" if value is None else str(value)
    if kind == "text_list":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else ""
    if kind == "enum_list":
        return [str(v) for v in value] if isinstance(value, list) else []
    if kind == "yaml":
        return _yaml_text(value)
    return value


def _yaml_text(value: Any) -> str:
    if value is None:
        return ""
    import io

    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(value, out)
    return out.getvalue()


def _item_title(model: type[BaseModel], data: Any, position: int) -> str:
    title = f"{humanise(model.__name__)} {position + 1}"
    if isinstance(data, Mapping):
        for key in ("id", "reference", "item", "name", "kind", "date", "planned_date"):
            value = data.get(key)
            if isinstance(value, str | int) and str(value):
                return f"{title}: {value}"
    return title


def fields_for(model: type[BaseModel], data: Mapping[str, Any] | None, loc: Loc = (),
               only: Sequence[str] | None = None) -> list[FormField]:
    """The form fields for ``model`` filled from ``data`` (a record's values)."""
    values = data if isinstance(data, Mapping) else {}
    found = []
    for name, info in model.model_fields.items():
        if only is not None and name not in only:
            continue
        found.append(_field(name, info, values.get(name), (*loc, name)))
    return found


def _field(name: str, info: FieldInfo, value: Any, loc: Loc) -> FormField:
    shape = shape_of(info.annotation)
    kind = shape.kind
    if kind == "text" and (name.startswith(_LONG_TEXT) or name.endswith(_LONG_TEXT)
                           or (isinstance(value, str) and (len(value) > 70 or "\n" in value))):
        kind = "textarea"
    made = FormField(
        loc=loc, kind=kind, label=humanise(name), hint=info.description,
        required=info.is_required() and not shape.optional, optional=shape.optional,
        options=list(shape.choices), files=shape.files,
    )
    if kind == "model" and shape.model is not None:
        made.present = not (shape.optional and value is None)
        made.children = fields_for(shape.model, value if made.present else None, loc)
    elif kind == "model_list" and shape.model is not None:
        items = value if isinstance(value, list) else []
        made.items = [
            FormField(loc=(*loc, index), kind="model",
                      label=_item_title(shape.model, item, index),
                      children=fields_for(shape.model, item if isinstance(item, Mapping) else {},
                                          (*loc, index)))
            for index, item in enumerate(items[:MAX_ITEMS])
        ]
        made.value = humanise(shape.model.__name__).lower()
    else:
        made.value = _display(kind, value)
    return made


# --------------------------------------------------------------------------- form -> record


class FormProblem(Exception):
    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def values_from(model: type[BaseModel], form: FormData, loc: Loc = (),
                only: Sequence[str] | None = None, problems: list[FormProblem] | None = None
                ) -> dict[str, Any]:
    """The record values a posted form holds for ``model`` (empty fields as None)."""
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if only is not None and name not in only:
            continue
        found[name] = _value(info, form, (*loc, name), problems if problems is not None else [])
    return found


def _text(form: FormData, name: str) -> str | None:
    raw = form.get(name)
    if not isinstance(raw, str):
        return None
    text = raw.replace("\r\n", "\n").strip()
    return text or None


def _value(info: FieldInfo, form: FormData, loc: Loc, problems: list[FormProblem]) -> Any:
    shape = shape_of(info.annotation)
    name = html_name(loc)
    if shape.kind == "model" and shape.model is not None:
        if shape.optional and form.get(f"_present:{name}") != "1":
            return None
        return values_from(shape.model, form, loc, problems=problems)
    if shape.kind == "model_list" and shape.model is not None:
        count = _count(form.get(f"_count:{name}"))
        return [values_from(shape.model, form, (*loc, index), problems=problems)
                for index in range(count)]
    if shape.kind == "enum_list":
        # the order the record had is kept (ticking boxes says nothing about order); newly
        # ticked values follow in the order they are offered
        allowed = [value for value, _label in shape.choices]
        chosen = {value for value in form.getlist(name) if isinstance(value, str)}
        before = str(form.get(f"_order:{name}") or "").split(",")
        order = [value for value in before if value in allowed]
        order += [value for value in allowed if value not in order]
        return [value for value in order if value in chosen]
    text = _text(form, name)
    if shape.kind == "text_list":
        return [line.strip() for line in (text or "").splitlines() if line.strip()]
    if text is None:
        return None
    if shape.kind == "date":
        return DateText(text) if _DATE_LIKE.match(text) else text
    if shape.kind == "int":
        return int(text) if re.fullmatch(r"-?\d{1,9}", text) else text
    if shape.kind == "bool":
        return {"true": True, "false": False}.get(text, text)
    if shape.kind == "yaml":
        try:
            return YAML(typ="safe", pure=True).load(text)
        except YAMLError as exc:
            problems.append(FormProblem(loc, f"not valid YAML ({str(exc).splitlines()[0]}); "
                                             "check the indentation and punctuation"))
            return None
    return text


def _count(raw: Any) -> int:
    if isinstance(raw, str) and raw.isdigit():
        return min(int(raw), MAX_ITEMS)
    return 0


# --------------------------------------------------------------------------- add / remove


def apply_action(data: dict[str, Any], action: str, tree: Sequence[FormField]) -> bool:
    """Apply an "add:NAME" or "remove:NAME" button to ``data``; False when it names nothing."""
    verb, _sep, target = action.partition(":")
    by_name = {f.name: f for top in tree for f in top.walk()}
    found = by_name.get(target)
    if found is None or verb not in ("add", "remove"):
        return False
    parent = _container(data, found.loc[:-1])
    last = found.loc[-1]
    if verb == "add" and found.kind == "model_list" and isinstance(parent, dict):
        items = parent.get(str(last)) or []
        if len(items) >= MAX_ITEMS:
            return False
        parent[str(last)] = [*items, {}]
        return True
    if verb == "add" and found.kind == "model" and found.optional and isinstance(parent, dict):
        parent[str(last)] = {}
        return True
    if verb == "remove" and isinstance(last, int) and isinstance(parent, list):
        if 0 <= last < len(parent):
            del parent[last]
            return True
        return False
    if verb == "remove" and found.optional and isinstance(parent, dict):
        parent[str(last)] = None
        return True
    return False


def _container(data: Any, loc: Loc) -> Any:
    node = data
    for part in loc:
        if isinstance(node, list) and isinstance(part, int):
            node = node[part] if 0 <= part < len(node) else None
        elif isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class SummaryLine:
    message: str
    href: str | None


def attach_problems(tree: Sequence[FormField], problems: Sequence[Problem],
                    form_problems: Sequence[FormProblem] = ()) -> list[SummaryLine]:
    """Put each problem beside its field; the error summary's lines, in page order."""
    by_key: dict[str, FormField] = {}
    for top in tree:
        for found in top.walk():
            by_key.setdefault(found.key, found)
    lines: list[SummaryLine] = []
    located = [(dotted(p.loc), p.message) for p in form_problems]
    located += [(p.field, p.message) for p in problems]
    for key, message in located:
        target = by_key.get(key)
        if target is None:  # e.g. a rule about a part the form shows elsewhere
            lines.append(SummaryLine(f"{key}: {message}" if key else message, None))
            continue
        target.errors.append(message)
        lines.append(SummaryLine(message, f"#{target.id}"))
    return lines


# --------------------------------------------------------------------------- reading posts


async def read_form(request: Request, access: Access) -> FormData:
    """The posted form, once its CSRF token is checked (403 without it)."""
    form = await request.form(max_files=1000, max_fields=MAX_FIELDS)
    token = form.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = request.headers.get(CSRF_HEADER)
    if not access.csrf_ok(token):
        await form.close()
        raise HTTPException(403, "This form has expired or did not come from this app: "
                                 "go back, reload the page and try again.")
    return form
