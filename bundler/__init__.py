"""supported-housing-bundler: validate supported housing review records, generate
letters, and build and verify evidence bundles (DLUHC 2022 guidance).

The public API, importable from here (loaded on first use, so the command starts quickly):

* case records: ``validate_case``, ``load_valid_case``, ``outstanding_items``, ``Case``, ``Resident``
* letters: ``generate_letters``, ``LetterOptions``, ``LetterKind``, ``check_template``
* bundles: ``build_bundle``, ``verify_bundle``, ``Manifest``, ``BundleSpec``
* evidence: ``identify``, ``render_pdf``
* audit log: ``record``, ``verify_log``, ``read_entries``, ``head_hash``, ``AuditAction``
* errors: ``BundlerError`` and its kinds, ``ExitCode``
"""

from __future__ import annotations

import importlib
from typing import Any

from bundler.errors import (
    BadInput,
    BundlerError,
    CaseIncomplete,
    ChecksFailed,
    ConversionFailed,
    ExitCode,
    InputNotFound,
    MissingTool,
    OutputExists,
    OutputFailed,
    PasswordRequired,
    TemplateError,
)

__version__ = "0.1.0"
TOOL_NAME = "supported-housing-bundler"

_LAZY: dict[str, str] = {
    "validate_case": "bundler.case.validate",
    "load_valid_case": "bundler.case.validate",
    "outstanding_items": "bundler.case.checklist",
    "Case": "bundler.case.models",
    "Resident": "bundler.case.models",
    "generate_letters": "bundler.letters.generate",
    "LetterOptions": "bundler.letters.generate",
    "LetterKind": "bundler.letters.context",
    "check_template": "bundler.letters.checktemplate",
    "build_bundle": "bundler.bundle.build",
    "verify_bundle": "bundler.bundle.verify",
    "Manifest": "bundler.bundle.manifest",
    "BundleSpec": "bundler.bundle.spec",
    "identify": "bundler.evidence",
    "render_pdf": "bundler.evidence",
    "record": "bundler.audit",
    "verify_log": "bundler.audit",
    "read_entries": "bundler.audit",
    "head_hash": "bundler.audit",
    "AuditAction": "bundler.audit",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bundler' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "TOOL_NAME",
    "BadInput",
    "BundlerError",
    "CaseIncomplete",
    "ChecksFailed",
    "ConversionFailed",
    "ExitCode",
    "InputNotFound",
    "MissingTool",
    "OutputExists",
    "OutputFailed",
    "PasswordRequired",
    "TemplateError",
    "__version__",
    *sorted(_LAZY),
]
