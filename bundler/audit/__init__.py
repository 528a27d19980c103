"""The tamper-evident audit log of a case folder (``CASE_DIR/audit.jsonl``).

Every evidence file added, letter generated, bundle built and bundle verified
appends one entry: UTC time, action, operating-system user, tool version,
every input and output with its SHA-256, and the hash of the previous entry,
forming a hash chain over RFC 8785 canonical JSON. Guidance para 146: keep
well-documented evidence to justify decisions against legal challenge.

Public interface:

* ``record(case_dir, action, *, inputs=(), outputs=(), details=None, now=None) -> AuditEntry``
* ``read_entries(case_dir) -> list[AuditEntry]``
* ``head_hash(case_dir) -> str | None``
* ``verify_log(case_dir) -> AuditReport``
* ``verify_against_head(case_dir, head, report=None) -> HeadCheck``
* ``verify_bundle_recorded(case_dir, bundle, report=None) -> BundleCheck``
* ``check_appendable(case_dir)``: raise before any output is made if nothing could be recorded
* ``record_staged(case_dir, action, staged, *, inputs=(), details=None, now=None) -> AuditEntry``:
  record staged outputs and put them in place under one hold of the lock
* ``repair(case_dir, now=None) -> RepairReport`` (``repair_log`` does the repairing)
* ``add_evidence(case_dir, paths, *, as_path=None, into=None, force=False, now=None) -> IntakeResult``
* ``plan_intake(case_dir, paths, ...) -> IntakePlan`` and ``add_planned(case_dir, plan, ...)``
* ``recorded_evidence(entries) -> {case path: (FileRecord, seq)}``
* ``retire_evidence(case_dir, relpath, *, reason, now=None) -> EvidenceRetired``
* ``render_history(entries) -> str``
"""

from __future__ import annotations

from bundler.audit.history import render_history
from bundler.audit.intake import (
    AddInterrupted,
    AlreadyAdded,
    EvidenceAdded,
    IntakeFile,
    IntakePlan,
    IntakeResult,
    Skipped,
    add_evidence,
    add_planned,
    plan_intake,
    recorded_evidence,
)
from bundler.audit.log import (
    LOG_NAME,
    CutOff,
    LogWriter,
    Repair,
    check_appendable,
    exclusive_log,
    head_hash,
    log_path,
    read_entries,
    record,
    record_staged,
    repair_log,
)
from bundler.audit.model import GENESIS, AuditAction, AuditEntry, FileRecord, ToolInfo
from bundler.audit.repair import RepairReport, repair
from bundler.audit.retire import EvidenceRetired, retire_evidence
from bundler.audit.verify import (
    AuditProblem,
    AuditReport,
    BundleCheck,
    HeadCheck,
    ProblemKind,
    verify_against_head,
    verify_bundle_recorded,
    verify_log,
)

__all__ = [
    "GENESIS",
    "LOG_NAME",
    "AddInterrupted",
    "AlreadyAdded",
    "AuditAction",
    "AuditEntry",
    "AuditProblem",
    "AuditReport",
    "BundleCheck",
    "CutOff",
    "EvidenceAdded",
    "EvidenceRetired",
    "FileRecord",
    "HeadCheck",
    "IntakeFile",
    "IntakePlan",
    "IntakeResult",
    "LogWriter",
    "ProblemKind",
    "Repair",
    "RepairReport",
    "Skipped",
    "ToolInfo",
    "add_evidence",
    "add_planned",
    "check_appendable",
    "exclusive_log",
    "head_hash",
    "log_path",
    "plan_intake",
    "read_entries",
    "record",
    "record_staged",
    "recorded_evidence",
    "render_history",
    "repair",
    "repair_log",
    "retire_evidence",
    "verify_against_head",
    "verify_bundle_recorded",
    "verify_log",
]
