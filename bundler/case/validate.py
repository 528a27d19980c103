"""Validate a case folder and report every problem as FILE:LINE: field: message.

``validate_case`` collects every problem in ``case.yaml`` and ``residents/*.yaml``
(syntax, types, unknown keys, impossible dates, broken rules, missing files) and
returns a report; ``load_valid_case`` is the raising form the other commands use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from bundler.case.models import Case, Resident, RuleContext
from bundler.errors import BadInput, ChecksFailed, InputNotFound
from bundler.paths import inside
from bundler.yamlio import YamlDocument
from bundler.yamlmodel import Problem, read_document, validate_document

M = TypeVar("M", Case, Resident)

CASE_FILE = "case.yaml"
RESIDENTS_DIR = "residents"


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

    @property
    def unreadable(self) -> Problem | None:
        """The first record file that could not be read at all (bad YAML), if any."""
        return next((problem for problem in self.problems if problem.unreadable), None)

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
        """The loaded case; BadInput when a record file cannot be read, else ChecksFailed."""
        unreadable = self.unreadable
        if unreadable is not None:
            raise BadInput(
                f"{unreadable}",
                f"Correct that line, then run `bundler validate {self.case_dir}`.",
            )
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


def _validate_twice(
    model: type[M], document: YamlDocument, shown: str, problems: list[Problem], rule_ctx: RuleContext
) -> M | None:
    """Validate once without and once with the file checks, keeping every distinct problem.

    A record's cross-field rules run only once its fields are valid, so a missing file would
    otherwise hide, say, consent dated after the interview in the same resident's file.
    """
    found: list[Problem] = []
    without_files = replace(rule_ctx, case_dir=None)
    validate_document(model, document, shown, found, context={"rules": without_files})
    record = validate_document(model, document, shown, found, context={"rules": rule_ctx})
    problems.extend(sorted(set(found), key=lambda p: (p.line, p.field, p.message)))
    return record


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
    document = _read_record(case_dir, case_path, shown_case, problems)
    report.files_checked = 1
    case: Case | None = None
    rule_ctx = RuleContext(case_dir=case_dir)
    if document is not None:
        rule_ctx = RuleContext(
            case_dir=case_dir,
            review_date=_peek_date(document.data, "review", "review_date"),
            scheme_ids=_scheme_ids(document.data),
        )
        case = _validate_twice(Case, document, shown_case, problems, rule_ctx)

    residents: dict[str, Resident] = {}
    residents_dir = case_dir / RESIDENTS_DIR
    if residents_dir.is_dir():
        files = sorted(
            p for p in residents_dir.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file()
        )
        for path in files:
            report.files_checked += 1
            shown = str(path)
            resident_doc = _read_record(case_dir, path, shown, problems)
            if resident_doc is None:
                continue
            validated = _validate_twice(Resident, resident_doc, shown, problems, rule_ctx)
            if validated is None:
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


def _read_record(case_dir: Path, path: Path, shown: str, problems: list[Problem]) -> YamlDocument | None:
    """A record file's YAML, refused (as unreadable) when a symbolic link leads out of the case."""
    try:
        inside(case_dir, path.relative_to(case_dir).as_posix(), where="the case folder")
    except BadInput as exc:
        problems.append(Problem(shown, 1, "", exc.message, unreadable=True))
        return None
    return read_document(path, shown, problems)


def load_valid_case(case_dir: Path) -> LoadedCase:
    """Load a case folder, raising ChecksFailed when any record has a problem."""
    return validate_case(case_dir).raise_for_problems()
