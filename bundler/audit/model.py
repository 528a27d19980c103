"""The audit entry: one line of ``audit.jsonl``, and how it is hashed.

The Pydantic model is the single source of truth for the entry's shape (its
JSON Schema is exported into ``schemas/``). Each line of the log is exactly the
RFC 8785 (JCS) canonical form of one entry followed by ``\\n``, so the bytes on
disk are a function of the entry's content: any changed byte either breaks the
JSON, changes the content (and so the hash), or leaves a line that is no longer
in canonical form, and each of those is reported by ``verify_log``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal

import rfc8785
from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

GENESIS = "0" * 64
"""The ``prev`` of the first entry: no entry comes before it."""

FORMAT = 1
"""Version of the entry format; a reader meeting a higher number says to upgrade."""

Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256, lowercase hex.")]
_NO_CONTROL = r"^[^\x00-\x1f\x7f]+$"
DetailKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
DetailValue = Annotated[str, Field(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


class AuditAction(StrEnum):
    """What the toolkit did. Every output that matters is recorded (para 146)."""

    EVIDENCE_ADDED = "evidence_added"
    EVIDENCE_RETIRED = "evidence_retired"
    """A wrong file moved to evidence/.retired/ (input: where it was; output: where it is now;
    details: the reason). Nothing is ever deleted."""
    LETTER_GENERATED = "letter_generated"
    LETTER_SENT = "letter_sent"
    """A letter recorded as sent in letters.yaml (``bundler letter sent``)."""
    BUNDLE_BUILT = "bundle_built"
    BUNDLE_VERIFIED = "bundle_verified"
    BUNDLE_SIGNED = "bundle_signed"
    """A bundle sealed with the council's certificate (``bundler bundle sign``)."""
    RECORD_SAVED = "record_saved"
    """A record file (case.yaml, residents/REF.yaml) was saved from the web app's forms."""
    LOG_REPAIRED = "log_repaired"
    """An entry cut off by a crash was set aside (its bytes and hash are the output)."""


class FileRecord(BaseModel):
    """One file read or written by the action, identified by its exact bytes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(
        min_length=1,
        max_length=1024,
        pattern=_NO_CONTROL,
        description=(
            "POSIX path relative to the case folder when the file is inside it, "
            "else the path as the user gave it."
        ),
    )
    sha256: Sha256Hex
    bytes: int = Field(ge=0, le=2**53 - 1, description="Size of the file in bytes.")


class ToolInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=_NO_CONTROL)
    version: str = Field(min_length=1, max_length=100, pattern=_NO_CONTROL)


class AuditEntry(BaseModel):
    """One action recorded in a case folder's tamper-evident audit log (``audit.jsonl``).

    Entries form a hash chain: ``prev`` is the ``hash`` of the entry before, and
    ``hash`` is the SHA-256 of the RFC 8785 canonical JSON of the entry without
    ``hash``. Residents appear only by their reference (e.g. R01): ``details``
    never holds names or the content of notes (guidance para 146: keep
    well-documented evidence to justify decisions against legal challenge).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1] = Field(description="Version of this entry format.")
    seq: int = Field(ge=1, le=2**53 - 1, description="Position in the log, counting from 1.")
    time: dt.datetime = Field(
        description="When the action was recorded: UTC, ISO 8601, whole seconds, e.g. 2026-11-20T14:03:09Z.",
        json_schema_extra={"pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"},
    )
    action: AuditAction
    user: str = Field(
        min_length=1,
        max_length=256,
        pattern=_NO_CONTROL,
        description="Operating-system user who ran the toolkit.",
    )
    tool: ToolInfo
    inputs: tuple[FileRecord, ...] = Field(description="Files the action read.")
    outputs: tuple[FileRecord, ...] = Field(description="Files the action wrote.")
    details: dict[DetailKey, DetailValue] = Field(
        max_length=20,
        description=(
            "Short facts about the action (bundle reference, letter kind, resident "
            "reference such as R01). Never names or the content of notes."
        ),
    )
    records: tuple[FileRecord, ...] | None = Field(
        default=None,
        description=(
            "The case's records at that moment (case.yaml, letters.yaml, residents/*.yaml) "
            "with their SHA-256, so the history shows when they changed between actions. "
            "Absent outside a case folder and in entries written before it was recorded."
        ),
    )
    prev: Sha256Hex = Field(description="`hash` of the previous entry; 64 zeros for the first.")
    hash: Sha256Hex = Field(
        description="SHA-256 of the RFC 8785 canonical JSON of this entry without `hash`."
    )

    @field_validator("time")
    @classmethod
    def _utc_whole_seconds(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None or value.utcoffset() != dt.timedelta(0):
            raise ValueError("time must be in UTC (ending in Z)")
        if value.microsecond:
            raise ValueError("time must be in whole seconds")
        return value.astimezone(dt.UTC)

    @field_serializer("time")
    def _time_z(self, value: dt.datetime) -> str:
        return format_time(value)

    def as_json(self) -> dict[str, Any]:
        """The entry as the JSON object written to the log."""
        return self.model_dump(mode="json", exclude_none=True)

    def computed_hash(self) -> str:
        """The hash this entry's content should carry."""
        return entry_hash(self.as_json())

    def line(self) -> bytes:
        """The exact bytes of this entry's line in ``audit.jsonl``."""
        return canonical_json(self.as_json()) + b"\n"


def format_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """RFC 8785 canonical JSON (UTF-8): sorted keys, no whitespace, one form per value."""
    return rfc8785.dumps(value)


def entry_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of an entry's fields other than ``hash``."""
    body = {key: value for key, value in fields.items() if key != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()
