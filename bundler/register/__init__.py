"""The register of every review under a folder of case folders, and the report for members."""

from __future__ import annotations

from bundler.register.cases import (
    CaseFolder,
    CaseState,
    Deadline,
    Filters,
    Register,
    RegisterCache,
    RegisterEntry,
    Stage,
    build_register,
    case_states,
    csv_rows,
    find_cases,
)
from bundler.register.report import MembersReport, Period, members_report, period

__all__ = [
    "CaseFolder",
    "CaseState",
    "Deadline",
    "Filters",
    "MembersReport",
    "Period",
    "Register",
    "RegisterCache",
    "RegisterEntry",
    "Stage",
    "build_register",
    "case_states",
    "csv_rows",
    "find_cases",
    "members_report",
    "period",
]
