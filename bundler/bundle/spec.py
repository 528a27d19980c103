"""The bundle spec: which documents go into a bundle, in which sections and order.

A spec is a YAML file written by an officer (or derived from a case folder). It is
read with ruamel.yaml so every problem can be reported as ``FILE:LINE: field: message``,
all of them at once, and validated by a strict Pydantic model (unknown keys are errors,
so a misspelt ``tittle:`` is caught rather than silently ignored).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bundler.errors import BadInput, InputNotFound

CERTIFICATE_PREFIX = "cert-"  # page-label prefix of the integrity certificate (sectioned)
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/()-]{0,79}$")
_LABEL = re.compile(r"^[A-Z]{1,3}$")


class DocumentSpec(BaseModel):
    """One document in a section, in bundle order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str = Field(description="Path of the evidence file, relative to the spec's folder.")
    title: str = Field(min_length=1, max_length=300, description="Title shown in the index.")
    date: dt.date | None = Field(default=None, description="The document's own date.")
    password: str | None = Field(
        default=None, description="Password to open a user-password-protected PDF."
    )
    audience: str | None = Field(default=None, description="Who the document is meant for.")
    notes: str | None = Field(default=None, description="Officer's notes (not printed).")

    @field_validator("file")
    @classmethod
    def _relative_inside(cls, value: str) -> str:
        text = value.strip().replace("\\", "/")
        if not text:
            raise ValueError("must name a file")
        path = PurePosixPath(text)
        if path.is_absolute() or re.match(r"^[A-Za-z]:", text):
            raise ValueError("must be relative to the spec's folder, not an absolute path")
        if ".." in path.parts:
            raise ValueError("must stay inside the spec's folder (no '..')")
        return path.as_posix()

    @field_validator("title")
    @classmethod
    def _one_line_title(cls, value: str) -> str:
        cleaned = " ".join(value.split())
        if not cleaned:
            raise ValueError("must not be blank")
        return cleaned


class SectionSpec(BaseModel):
    """A lettered section (A, B, ...) of the bundle."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(description="Section letter(s), e.g. A; prefixes sectioned page numbers.")
    title: str = Field(min_length=1, max_length=200)
    documents: list[DocumentSpec] = Field(min_length=1)

    @field_validator("label")
    @classmethod
    def _label_letters(cls, value: str) -> str:
        if not _LABEL.match(value):
            raise ValueError("must be 1 to 3 capital letters, e.g. A")
        return value


class BundleSpec(BaseModel):
    """A whole bundle: reference, title and sections (issue 3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference: str = Field(description="The appeal or case reference stamped on every page.")
    title: str = Field(min_length=1, max_length=300)
    date: dt.date | None = Field(
        default=None, description="Build date printed on the cover (else --date or today)."
    )
    authority: str | None = Field(default=None, description="The council, for the cover.")
    officer: str | None = Field(default=None, description="The lead officer, for the cover.")
    sections: list[SectionSpec] = Field(min_length=1)

    @field_validator("reference")
    @classmethod
    def _printable_reference(cls, value: str) -> str:
        if not _REFERENCE.match(value):
            raise ValueError(
                "use letters, digits, spaces and . _ / ( ) - only (it is stamped on every page)"
            )
        return value

    @model_validator(mode="after")
    def _unique_labels(self) -> BundleSpec:
        seen: set[str] = set()
        for section in self.sections:
            if section.label in seen:
                raise ValueError(f"section label {section.label} is used twice")
            seen.add(section.label)
        return self


class LoadedSpec(BaseModel):
    """A validated spec with where it came from (for messages and relative paths)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    spec: BundleSpec
    folder: Path  # files are relative to this folder
    shown: str  # the spec's path as the user wrote it (for messages)


def load_spec(path: Path, shown: str | None = None) -> LoadedSpec:
    """Read and validate a bundle spec; BadInput lists every problem as FILE:LINE: field: msg."""
    shown = shown if shown is not None else str(path)
    if not path.exists():
        raise InputNotFound.for_path(shown, "bundle spec")
    if not path.is_file():
        raise BadInput(f"{shown}: is a folder, not a bundle spec file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{shown}: is not a UTF-8 text file", "Save the spec as UTF-8 text.") from None
    data = _parse_yaml(text, shown)
    return LoadedSpec(spec=validate_spec_data(data, shown), folder=path.parent, shown=shown)


def validate_spec_data(data: Any, shown: str) -> BundleSpec:
    """Validate parsed YAML (ruamel round-trip nodes keep line numbers) as a BundleSpec."""
    if not isinstance(data, dict):
        raise BadInput(f"{shown}:1: the spec must be a mapping with reference, title and sections")
    try:
        return BundleSpec.model_validate(_plain(data))
    except ValidationError as exc:
        located = [_located(error, data, shown) for error in exc.errors()]
        problems = [text for _line, text in sorted(located, key=lambda item: item[0])]
        raise BadInput(
            "\n".join(problems),
            "Correct the lines listed in the bundle spec, then build again.",
        ) from None


def _parse_yaml(text: str, shown: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise BadInput(
            f"{shown}:{line}: not valid YAML ({exc.problem or exc.context})",
            "Check the indentation and colons on that line.",
        ) from None
    except YAMLError as exc:
        raise BadInput(f"{shown}: not valid YAML ({type(exc).__name__})") from None


def _plain(node: Any) -> Any:
    """ruamel round-trip containers -> plain dict/list (values unchanged)."""
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, str):
        return str(node)
    return node


def _located(error: Any, root: Any, shown: str) -> tuple[int, str]:
    """One pydantic error as FILE:LINE: dotted.field: message."""
    loc = tuple(error.get("loc", ()))
    line = _line_of(root, loc)
    field = ".".join(str(part) for part in loc) or "(top level)"
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        message = "unknown field (check the spelling)"
    elif error.get("type") == "missing":
        message = "required field is missing"
    return line, f"{shown}:{line}: {field}: {message}"


def _line_of(root: Any, loc: tuple[Any, ...]) -> int:
    """Best 1-based line for a pydantic location, walking ruamel's line/column records."""
    node = root
    line = 1
    for part in loc:
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and part in node:
            if lc is not None:
                with contextlib.suppress(KeyError, TypeError, AttributeError):
                    line = int(lc.key(part)[0]) + 1
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if lc is not None:
                with contextlib.suppress(KeyError, TypeError, AttributeError, IndexError):
                    line = int(lc.item(part)[0]) + 1
            node = node[part]
        else:
            if isinstance(node, dict) and lc is not None and getattr(lc, "line", None) is not None:
                line = max(line, int(lc.line) + 1)
            break
    return line
