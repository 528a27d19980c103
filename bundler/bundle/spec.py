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
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bundler.case.placeholders import placeholders_in
from bundler.errors import BadInput, InputNotFound
from bundler.paths import inside
from bundler.yamlmodel import Problem, read_document, validate_document

REASONS = {  # reason codes printed on redaction boxes and placeholders, and what they mean
    "TP": "third-party personal data",
    "SC": "special category personal data (health, offences) of someone else",
    "NC": "not covered by the resident's consent or a recorded legal basis",
    "LP": "legally privileged",
    "RH": "disclosure would risk harm to someone",
}
CERTIFICATE_PREFIX = "cert-"  # page-label prefix of the integrity certificate (sectioned)
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/()-]{0,79}$")
_LABEL = re.compile(r"^[A-Z]{1,3}$")


class DocumentSpec(BaseModel):
    """One document in a section, in bundle order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str = Field(description="Path of the evidence file, relative to the spec's folder.")
    title: str = Field(min_length=1, max_length=300, description="Title shown in the index.")
    date: dt.date | None = Field(default=None, description="The document's own date.")
    received: dt.date | None = Field(
        default=None, description="The date the council received it (the index shows both).")
    password: str | None = Field(
        default=None, description="Password to open a user-password-protected PDF."
    )
    audiences: list[str] | None = Field(
        default=None,
        description="The audiences this document may go to (tribunal, provider, internal, "
        "appeal:REF, or appeal:* for every appeal); every audience when omitted. Bundles for "
        "the others hold a one-page placeholder in its place, numbered as its pages.",
    )
    withheld_reason: str = Field(
        default="NC", description="Reason code printed where the document is withheld.")
    notes: str | None = Field(default=None, description="Officer's notes (not printed).")

    @field_validator("audiences")
    @classmethod
    def _known_audiences(cls, value: list[str] | None) -> list[str] | None:
        return [audience_pattern(item) for item in value] if value is not None else None

    @field_validator("withheld_reason")
    @classmethod
    def _reason_code(cls, value: str) -> str:
        return reason_code(value)

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


_AUDIENCE = re.compile(r"^(tribunal|provider|internal|appeal:(\*|[A-Za-z0-9][A-Za-z0-9/_.-]{0,60}))$")
_REASON = re.compile(r"^[A-Z]{1,4}$")
DEFAULT_RULE_AUDIENCES = ("provider", "appeal:*")


def audience_pattern(value: str) -> str:
    """An audience name (or ``appeal:*``), as written in specs and on the command line."""
    text = value.strip()
    if not _AUDIENCE.match(text):
        raise ValueError(f"{value!r} is not an audience: use tribunal, provider, internal, "
                         "appeal:REF or appeal:*")
    return text


def reason_code(value: str) -> str:
    text = value.strip()
    if not _REASON.match(text):
        raise ValueError(f"{value!r} is not a reason code: use 1 to 4 capital letters, e.g. TP")
    return text


class Box(BaseModel):
    """A rectangle in millimetres from the top-left corner of the page as displayed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    left: float = Field(ge=0.0, le=5000.0)
    top: float = Field(ge=0.0, le=5000.0)
    width: float = Field(gt=0.0, le=5000.0)
    height: float = Field(gt=0.0, le=5000.0)


class _RuleAudiences(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(default="TP", description="Reason code printed on each box.")
    audiences: list[str] = Field(
        default_factory=lambda: list(DEFAULT_RULE_AUDIENCES),
        description="The audiences this rule redacts for (default: provider and every appeal; "
        "the tribunal's and the review team's bundles are never redacted).",
    )

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return reason_code(value)

    @field_validator("audiences")
    @classmethod
    def _audiences(cls, value: list[str]) -> list[str]:
        return [audience_pattern(item) for item in value]


class TermSpec(_RuleAudiences):
    """A word or phrase removed wherever it appears (a name, a street, a diagnosis)."""

    text: str = Field(min_length=1, max_length=200)
    kind: Literal["name", "term"] = Field(default="term", description="For the redaction log.")


class PatternSpec(_RuleAudiences):
    """Personal data found by its shape."""

    pattern: Literal["room_number", "date_of_birth", "ni_number", "phone", "email"]


class RegionSpec(_RuleAudiences):
    """A rectangle removed from one page of one document (a signature, a photograph)."""

    file: str = Field(description="The document, as written in the sections.")
    page: int = Field(ge=1, le=100_000, description="Page of the document, from 1.")
    box: Box


class RedactionSpec(BaseModel):
    """What bundles for each audience must not show (issue 9)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: list[TermSpec] = Field(default_factory=list)
    patterns: list[PatternSpec] = Field(default_factory=list)
    regions: list[RegionSpec] = Field(default_factory=list)
    keep: list[str] = Field(
        default_factory=list,
        description="Phrases patterns never redact: an organisation's published telephone "
        "number or e-mail address.",
    )
    reasons: dict[str, str] = Field(
        default_factory=dict, description="Reason codes of your own and what they mean.")

    @field_validator("reasons")
    @classmethod
    def _codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code, meaning in value.items():
            reason_code(code)
            if not meaning.strip() or len(meaning) > 200:
                raise ValueError(f"reason {code}: say in a few words what it means")
        return value


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
    findings: bool = Field(
        default=False, description="Open with the table of findings and the evidence they "
        "rest on, from the case records (case.yaml beside the spec); a bundle built from a "
        "case folder without a spec always has it.")
    chronology: bool = Field(
        default=False, description="Add the chronology of the review's events from the case "
        "records and audit log (case.yaml beside the spec) after the index.")
    redactions: RedactionSpec | None = Field(
        default=None, description="What bundles for each audience must not show.")

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

    @model_validator(mode="after")
    def _redactions_fit(self) -> BundleSpec:
        if self.redactions is None:
            return self
        known = set(REASONS) | set(self.redactions.reasons)
        files = {doc.file for section in self.sections for doc in section.documents}
        rules: list[_RuleAudiences] = [*self.redactions.terms, *self.redactions.patterns,
                                       *self.redactions.regions]
        codes = {rule.reason for rule in rules} | {
            doc.withheld_reason for section in self.sections for doc in section.documents}
        for code in sorted(codes - known):
            raise ValueError(f"reason code {code} is not known: add it under "
                             "redactions.reasons with what it means")
        for region in self.redactions.regions:
            if region.file not in files:
                raise ValueError(f"a redaction region names {region.file}, which is not "
                                 "among the documents")
        return self


class LoadedSpec(BaseModel):
    """A validated spec with where it came from (for messages and relative paths)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    spec: BundleSpec
    folder: Path  # files are relative to this folder
    shown: str  # the spec's path as the user wrote it (for messages)
    placeholders: tuple[str, ...] = ()  # placeholders the spec file still holds, as read

    def path_of(self, document: DocumentSpec) -> Path:
        """Where ``document``'s file is; BadInput when a symbolic link leads out of the folder."""
        return inside(self.folder, document.file, shown=f"{self.shown}: {document.file}",
                      where=f"the folder {self.folder}")


def load_redactions(path: Path) -> RedactionSpec:
    """A case folder's ``redactions.yaml`` (the spec's ``redactions`` block on its own)."""
    problems: list[Problem] = []
    document = read_document(path, str(path), problems)
    rules = validate_document(RedactionSpec, document, str(path), problems) if document else None
    if problems:
        raise BadInput(
            "\n".join(str(problem) for problem in sorted(problems, key=lambda p: p.line)),
            "Correct the lines listed in redactions.yaml, then build again.",
        )
    return rules if rules is not None else RedactionSpec()


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
    if document is None or spec is None or problems:
        raise BadInput(
            "\n".join(str(problem) for problem in sorted(problems, key=lambda p: p.line)),
            "Correct the lines listed in the bundle spec, then build again.",
        )
    return LoadedSpec(spec=spec, folder=path.parent, shown=shown,
                      placeholders=tuple(placeholders_in(document, shown)))
