"""Export the JSON Schemas of every file the toolkit reads or writes.

The Pydantic models are the single source of truth; ``schemas/`` holds their
exported JSON Schemas, the published contract for editors (YAML files name
their schema in a ``yaml-language-server`` comment) and for other systems.
A test fails when the checked-in files drift from the models.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bundler.fileio import write_text_atomic

# file name -> (module, class name, title)
SCHEMAS: dict[str, tuple[str, str, str]] = {
    "case.schema.json": ("bundler.case.models", "Case", "Supported housing review: case.yaml"),
    "resident.schema.json": (
        "bundler.case.models",
        "Resident",
        "Supported housing review: residents/<REF>.yaml",
    ),
    "letters.schema.json": (
        "bundler.case.models",
        "LetterRegister",
        "Supported housing review: letters.yaml (every letter written, and when it was sent)",
    ),
    "audit-entry.schema.json": (
        "bundler.audit",
        "AuditEntry",
        "One line of a case folder's audit.jsonl (hash-chained record of what the toolkit made)",
    ),
    "checklist-item.schema.json": (
        "bundler.case.checklist",
        "OutstandingItem",
        "An outstanding item reported by `bundler checklist --json`",
    ),
    "redactions.schema.json": (
        "bundler.bundle.spec",
        "RedactionSpec",
        "Supported housing review: redactions.yaml (what bundles for each audience must not "
        "show, beside what the residents' consent decides)",
    ),
    "bundle-spec.schema.json": (
        "bundler.bundle.spec",
        "BundleSpec",
        "An evidence bundle spec (bundle.yaml) for `bundler bundle build`",
    ),
    "bundle-manifest.schema.json": (
        "bundler.bundle.manifest",
        "Manifest",
        "OUT.manifest.json written beside (and inside) every bundle; checked by "
        "`bundler bundle verify`",
    ),
}

_BASE_ID = "https://supported-housing-bundler.invalid/schemas/"


def default_schema_dir() -> Path:
    """The schemas: packaged in the wheel (so new case files can name them), or the
    project's schemas/ folder beside the bundler package in a checkout."""
    package = Path(__file__).resolve().parent
    packaged = package / "_schemas"
    return packaged if packaged.is_dir() else package.parent / "schemas"


def _model(module: str, name: str) -> type[BaseModel]:
    model = getattr(importlib.import_module(module), name)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"{module}.{name} is not a Pydantic model")
    return model


def schema_for(file_name: str) -> dict[str, Any]:
    module, name, title = SCHEMAS[file_name]
    schema = _model(module, name).model_json_schema(mode="validation")
    schema["title"] = title
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": _BASE_ID + file_name, **schema}


def render_schema(file_name: str) -> str:
    return json.dumps(schema_for(file_name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(target: Path) -> list[Path]:
    written = []
    for file_name in sorted(SCHEMAS):
        path = target / file_name
        write_text_atomic(path, render_schema(file_name))
        written.append(path)
    return written


def stale_schemas(target: Path) -> list[str]:
    """Names of schema files that are missing or differ from the models."""
    stale = []
    for file_name in sorted(SCHEMAS):
        path = target / file_name
        if not path.exists() or path.read_text(encoding="utf-8") != render_schema(file_name):
            stale.append(file_name)
    return stale
