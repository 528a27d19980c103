"""Validate a case folder and report every problem as FILE:LINE: field: message.

``validate_case`` collects every problem in ``case.yaml`` and ``residents/*.yaml``
(syntax, types, unknown keys, impossible dates, broken rules, missing files) and
returns a report; ``load_valid_case`` is the raising form the other commands use.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bundler.case.models import Case, Record, Resident, RuleContext
from bundler.errors import BadInput, ChecksFailed, InputNotFound
from bundler.yamlio import Loc, YamlDocument, YamlSyntaxError, read_yaml

CASE_FILE = "case.yaml"
RESIDENTS_DIR = "residents"


@dataclass(frozen=True)
class Problem:
    """One problem, located in a file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


@dataclass
class LoadedCase:
    """A case folder whose records validated."""

    root: Path
    case: Case
    residents: dict[str, Resident] = field(default_factory=dict)

    def path(self, relative: str) -> Path:
        return self.root / relative


@dataclass
class ValidationReport:
    case_dir: Path
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    loaded: LoadedCase | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]

    def summary(self) -> str:
        if self.ok and self.loaded is not None:
            case = self.loaded.case
            residents = len(self.loaded.residents)
            return (
                f"{self.case_dir}: valid: review {case.review.reference}, "
                f"{len(case.schemes)} scheme{'s' if len(case.schemes) != 1 else ''}, "
                f"{residents} resident{'s' if residents != 1 else ''}, "
                f"{self.files_checked} record files checked"
            )
        count = len(self.problems)
        return (
            f"{self.case_dir}: {count} problem{'s' if count != 1 else ''} found; "
            "fix each line above, then run `bundler validate` again"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "case_dir": str(self.case_dir),
            "valid": self.ok,
            "files_checked": self.files_checked,
            "problems": [
                {"file": p.file, "line": p.line, "field": p.field, "message": p.message}
                for p in self.problems
            ],
        }

    def raise_for_problems(self) -> LoadedCase:
        if self.problems or self.loaded is None:
            first = self.problems[0] if self.problems else None
            count = len(self.problems)
            raise ChecksFailed(
                f"{self.case_dir}: the case records have {count} problem"
                f"{'s' if count != 1 else ''}" + (f", first: {first}" if first else ""),
                f"Run `bundler validate {self.case_dir}` to see every problem, fix them, "
                "then try again.",
            )
        return self.loaded


# --------------------------------------------------------------------------- messages


def _annotation_model(annotation: Any) -> type[BaseModel] | None:
    """The Record class inside an annotation such as ``list[X] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _annotation_model(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _annotation_model(arg)
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
        model = _annotation_model(info.annotation)
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
        return loc, (
            f"{shown or 'this'} is not a real date; write it as YYYY-MM-DD, e.g. 2026-03-01"
        )
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
    return loc, error["msg"]


def _dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


# --------------------------------------------------------------------------- validation


def _peek_date(data: Any, *keys: str) -> dt.date | None:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    if isinstance(data, str):
        try:
            return dt.date.fromisoformat(data)
        except ValueError:
            return None
    return None


def _scheme_ids(data: Any) -> frozenset[str]:
    if isinstance(data, dict) and isinstance(data.get("schemes"), list):
        return frozenset(
            str(s["id"]) for s in data["schemes"] if isinstance(s, dict) and isinstance(s.get("id"), str)
        )
    return frozenset()


def _validate_document(
    model: type[Record],
    document: YamlDocument,
    shown: str,
    rule_ctx: RuleContext,
    problems: list[Problem],
) -> Record | None:
    if not isinstance(document.data, dict):
        problems.append(
            Problem(shown, 1, "", "the file should hold a set of fields (key: value lines); it is empty or a list")
        )
        return None
    try:
        record = model.model_validate_json(
            json.dumps(document.data, ensure_ascii=False),
            strict=True,
            context={"rules": rule_ctx},
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            for loc, message in _friendly_all(error, model):
                problems.append(Problem(shown, document.line_of(loc), _dotted(loc), message))
        return None
    return record


def _read(path: Path, shown: str, problems: list[Problem]) -> YamlDocument | None:
    try:
        return read_yaml(path)
    except YamlSyntaxError as exc:
        problems.append(Problem(shown, exc.problem.line, "", exc.problem.message))
    except BadInput as exc:
        problems.append(Problem(shown, 1, "", exc.message))
    return None


def validate_case(case_dir: Path) -> ValidationReport:
    """Validate every record in ``case_dir`` and return a report of all problems.

    Raises InputNotFound when the folder or its case.yaml does not exist.
    """
    if not case_dir.exists():
        raise InputNotFound(
            f"{case_dir}: case folder not found",
            "Check the path; a case folder holds case.yaml, residents/ and evidence/.",
        )
    if not case_dir.is_dir():
        raise BadInput(
            f"{case_dir}: is a file, not a case folder",
            "Give the folder that holds case.yaml, not a file inside it.",
        )
    case_path = case_dir / CASE_FILE
    if not case_path.exists():
        raise InputNotFound(
            f"{case_path}: not found; every case folder needs a case.yaml",
            "Copy samples/nettlebank-road/case.yaml into the folder and edit it.",
        )
    report = ValidationReport(case_dir=case_dir)
    problems = report.problems
    shown_case = str(case_path)
    document = _read(case_path, shown_case, problems)
    report.files_checked = 1
    case: Case | None = None
    rule_ctx = RuleContext(case_dir=case_dir)
    if document is not None:
        rule_ctx = RuleContext(
            case_dir=case_dir,
            review_date=_peek_date(document.data, "review", "review_date"),
            scheme_ids=_scheme_ids(document.data),
        )
        validated = _validate_document(Case, document, shown_case, rule_ctx, problems)
        case = validated if isinstance(validated, Case) else None

    residents: dict[str, Resident] = {}
    residents_dir = case_dir / RESIDENTS_DIR
    if residents_dir.is_dir():
        files = sorted(
            p for p in residents_dir.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file()
        )
        for path in files:
            report.files_checked += 1
            shown = str(path)
            resident_doc = _read(path, shown, problems)
            if resident_doc is None:
                continue
            validated = _validate_document(Resident, resident_doc, shown, rule_ctx, problems)
            if not isinstance(validated, Resident):
                continue
            if validated.reference != path.stem:
                problems.append(
                    Problem(
                        shown,
                        resident_doc.line_of(("reference",)),
                        "reference",
                        f"reference {validated.reference} does not match the file name "
                        f"{path.name}; name the file {validated.reference}.yaml",
                    )
                )
            elif validated.reference in residents:
                problems.append(
                    Problem(shown, 1, "reference", f"{validated.reference} has two files; keep one")
                )
            else:
                residents[validated.reference] = validated
    if case is not None and not problems:
        report.loaded = LoadedCase(root=case_dir, case=case, residents=residents)
    return report


def load_valid_case(case_dir: Path) -> LoadedCase:
    """Load a case folder, raising ChecksFailed when any record has a problem."""
    return validate_case(case_dir).raise_for_problems()
