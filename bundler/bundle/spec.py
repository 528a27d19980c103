"""The bundle spec: which documents go into a bundle, in which sections and order.

A spec is a YAML file written by an officer (or derived from a case folder). It is
read like every hand-written file (``bundler.yamlmodel``) so every problem is reported as
``FILE:LINE: field: message``, all of them at once, and validated by a strict Pydantic model (unknown keys are errors,
so a misspelt ``tittle:`` is caught rather than silently ignored).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bundler.errors import BadInput, InputNotFound
from bundler.paths import inside
from bundler.yamlmodel import Problem, read_document, validate_document

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

    def path_of(self, document: DocumentSpec) -> Path:
        """Where ``document``'s file is; BadInput when a symbolic link leads out of the folder."""
        return inside(self.folder, document.file, shown=f"{self.shown}: {document.file}",
                      where=f"the folder {self.folder}")


def load_spec(path: Path, shown: str | None = None) -> LoadedSpec:
    """Read and validate a bundle spec; BadInput lists every problem as FILE:LINE: field: msg."""
    shown = shown if shown is not None else str(path)
    if not path.exists():
        raise InputNotFound.for_path(shown, "bundle spec")
    if not path.is_file():
        raise BadInput(f"{shown}: is a folder, not a bundle spec file")
    problems: list[Problem] = []
    document = read_document(path, shown, problems)
    spec = validate_document(BundleSpec, document, shown, problems) if document else None
    if spec is None or problems:
        raise BadInput(
            "\n".join(str(problem) for problem in sorted(problems, key=lambda p: p.line)),
            "Correct the lines listed in the bundle spec, then build again.",
        )
    return LoadedSpec(spec=spec, folder=path.parent, shown=shown)
