"""Every review under a folder of case folders: the register (``bundler register``).

An officer runs 20 to 40 reviews a year; the register is the view across them:
each case's reference, schemes, provider, lead officer, stage and para 110
answers, its overdue items and next deadline, and every deadline of every case
in one list, overdue first. The case folders stay the single source of truth:
nothing is stored beside them, and a case whose records do not validate is
listed with its problem count rather than left out.

Validating a case reads and checks every record file (tens of milliseconds);
``RegisterCache`` keeps each case's result until a file in its folder changes,
so a page over hundreds of cases stays quick while an edit made with the CLI or
by hand shows on the next reload.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bundler.case.checklist import OutstandingItem, Urgency, outstanding_items
from bundler.case.models import (
    Case,
    Conclusion,
    Findings,
    Para110Question,
    RecommendationStatus,
    VisitStatus,
)
from bundler.case.validate import CASE_FILE, LoadedCase, ValidationReport, validate_case
from bundler.errors import BadInput, InputNotFound
from bundler.yamlio import YamlSyntaxError, read_yaml

OUTPUT_DIR = "out"
"""Where the toolkit writes a case's letters and bundles: not part of its records."""

QUESTIONS: tuple[tuple[str, str], ...] = (
    (Para110Question.SUPPORT_TAILORED.value, "Support tailored to needs"),
    (Para110Question.DEPICTION_ACCURATE.value, "Support accurately depicted"),
    (Para110Question.DIGNITY_AND_INDEPENDENCE.value, "Dignity and independence"),
)
"""The three para 110 questions with short headings for tables."""

_LEAST_FAVOURABLE = (Conclusion.NO, Conclusion.PARTLY, Conclusion.YES)


def scheme_answers(findings: Findings | None, scheme: str) -> dict[str, Conclusion | None]:
    """One scheme's para 110 answers (None for a question not answered for it yet)."""
    found: dict[str, Conclusion | None] = {}
    for key, _title in QUESTIONS:
        answers = findings.answers_for(scheme, Para110Question(key)) if findings else []
        found[key] = answers[0].conclusion if answers else None
    return found


def least_favourable(answers: list[dict[str, Conclusion | None]]) -> dict[str, Conclusion | None]:
    """For each question, the least favourable answer any scheme got (no, then partly, then yes)."""
    found: dict[str, Conclusion | None] = {}
    for key, _title in QUESTIONS:
        given = {answer[key] for answer in answers if answer[key] is not None}
        found[key] = next((c for c in _LEAST_FAVOURABLE if c in given), None)
    return found


class Stage(StrEnum):
    """How far a review has got, read from what its records hold (paras 83-119)."""

    OPENED = "opened"
    INFORMATION_REQUESTED = "information_requested"
    SITE_VISITED = "site_visited"
    RESIDENTS_REVIEWED = "residents_reviewed"
    FINDINGS = "findings"
    RECOMMENDATIONS = "recommendations"
    REVISIT = "revisit"
    CLOSED = "closed"
    RECORDS_HAVE_PROBLEMS = "records_have_problems"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    Stage.OPENED: "Opened",
    Stage.INFORMATION_REQUESTED: "Information requested (paras 84-85)",
    Stage.SITE_VISITED: "Site visited (paras 87-88)",
    Stage.RESIDENTS_REVIEWED: "Residents interviewed (paras 94-100)",
    Stage.FINDINGS: "Findings made (para 110)",
    Stage.RECOMMENDATIONS: "Recommendations open (paras 111-118)",
    Stage.REVISIT: "Revisit (para 119)",
    Stage.CLOSED: "Closed",
    Stage.RECORDS_HAVE_PROBLEMS: "Records need correcting",
}


class Deadline(BaseModel):
    """One dated item of one case's checklist."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case: str = Field(description="The case folder's name under CASES_DIR.")
    reference: str = Field(description="The review's reference.")
    subject: str = Field(description="Who or what it concerns: Provider, R02, REC-2, a scheme.")
    item: str = Field(description="What is due, in plain words.")
    paragraph: str = Field(description="The guidance paragraph.")
    due: dt.date
    days_overdue: int | None = Field(default=None, ge=1)
    action: str = Field(description="What the officer can do next.")


class RegisterEntry(BaseModel):
    """One case folder in the register."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case: str = Field(description="The case folder's name under CASES_DIR.")
    reference: str | None = Field(description="The review's reference (when it can be read).")
    valid: bool = Field(description="Whether the case's records validate (bundler validate).")
    problems: int = Field(ge=0, description="How many problems `bundler validate` reports.")
    stage: Stage
    schemes: list[str] = Field(description="The schemes' names.")
    scheme_ids: list[str] = Field(description="The schemes' ids.")
    provider: str | None = None
    officer: str | None = Field(default=None, description="The lead officer.")
    opened: dt.date | None = None
    findings_date: dt.date | None = None
    answers: dict[str, Conclusion | None] = Field(
        description="The para 110 answers by question: with several schemes, the least "
        "favourable any scheme got (null until answered)."
    )
    scheme_answers: dict[str, dict[str, Conclusion | None]] = Field(
        description="Each scheme's para 110 answers, by scheme id."
    )
    overdue: int = Field(ge=0, description="How many checklist items are overdue.")
    next_deadline: Deadline | None = Field(
        default=None, description="The earliest dated item not yet overdue."
    )
    deadlines: list[Deadline] = Field(description="Every dated checklist item, overdue first.")


@dataclass(frozen=True)
class CaseFolder:
    """A folder holding a case.yaml, named by its folder under CASES_DIR."""

    id: str
    path: Path


@dataclass(frozen=True)
class CaseState:
    """What validating one case folder gave: validate's report, and the reference even
    when the records do not validate (when it can be read)."""

    folder: CaseFolder
    report: ValidationReport
    reference: str | None

    @property
    def loaded(self) -> LoadedCase | None:
        return self.report.loaded

    @property
    def problems(self) -> int:
        return 0 if self.report.loaded is not None else max(len(self.report.problems), 1)


def find_cases(cases_dir: Path) -> list[CaseFolder]:
    """The case folders directly under ``cases_dir`` (or ``cases_dir`` itself when it is one).

    Hidden folders and symbolic links are skipped: nothing outside CASES_DIR is read.
    """
    if not cases_dir.exists():
        raise InputNotFound(
            f"{cases_dir}: folder not found",
            "Give the folder that holds your case folders, e.g. `bundler register samples`.",
        )
    if not cases_dir.is_dir():
        raise BadInput(
            f"{cases_dir}: is a file, not a folder of cases",
            "Give the folder that holds your case folders (each with a case.yaml).",
        )
    if (cases_dir / CASE_FILE).is_file():
        return [CaseFolder(cases_dir.resolve().name, cases_dir)]
    found = []
    for child in sorted(cases_dir.iterdir(), key=lambda p: p.name):
        if child.name.startswith(".") or child.is_symlink() or not child.is_dir():
            continue
        case_file = child / CASE_FILE
        if case_file.is_file() and not case_file.is_symlink():
            found.append(CaseFolder(child.name, child))
    return found


def case_state(folder: CaseFolder) -> CaseState:
    """Validate one case folder, as `bundler validate` does."""
    report = validate_case(folder.path, evidence_notes=False)  # the register needs no file notes
    if report.loaded is not None:
        return CaseState(folder, report, report.loaded.case.review.reference)
    return CaseState(folder, report, _peek_reference(folder.path))


def _peek_reference(case_dir: Path) -> str | None:
    """The review reference of a case whose records do not validate, if it can be read."""
    try:
        data = read_yaml(case_dir / CASE_FILE).data
    except (YamlSyntaxError, BadInput, InputNotFound):
        return None
    review = data.get("review") if isinstance(data, dict) else None
    reference = review.get("reference") if isinstance(review, dict) else None
    return reference if isinstance(reference, str) and reference.strip() else None


def stage_of(case: Case, loaded: LoadedCase) -> Stage:
    """The furthest step of the review its records show (paras 83-119)."""
    if case.findings is None:
        if any(resident.interview is not None for resident in loaded.residents.values()):
            return Stage.RESIDENTS_REVIEWED
        if case.site_visits:
            return Stage.SITE_VISITED
        if case.information_request is not None:
            return Stage.INFORMATION_REQUESTED
        return Stage.OPENED
    closed = (RecommendationStatus.COMPLETED, RecommendationStatus.WITHDRAWN)
    open_recs = [rec for rec in case.recommendations if rec.status not in closed]
    planned = [v for v in case.follow_up_visits if v.status is VisitStatus.PLANNED]
    revisited = [v for v in case.follow_up_visits if v.status is VisitStatus.DONE]
    if not case.recommendations:
        return Stage.REVISIT if planned else Stage.FINDINGS
    if open_recs:
        return Stage.REVISIT if revisited else Stage.RECOMMENDATIONS
    return Stage.REVISIT if planned else Stage.CLOSED


def _deadline(folder: CaseFolder, reference: str, item: OutstandingItem) -> Deadline:
    assert item.due is not None
    return Deadline(
        case=folder.id,
        reference=reference,
        subject=item.subject,
        item=item.item,
        paragraph=item.paragraph,
        due=item.due,
        days_overdue=item.days_overdue,
        action=item.action,
    )


def _deadline_order(deadline: Deadline) -> tuple[int, int, str, str, str]:
    return (
        0 if deadline.days_overdue else 1,
        -(deadline.days_overdue or 0),
        deadline.due.isoformat(),
        deadline.case,
        deadline.item,
    )


def register_entry(state: CaseState, as_of: dt.date) -> RegisterEntry:
    """The register's row for one case on ``as_of``."""
    folder = state.folder
    loaded = state.loaded
    if loaded is None:
        return RegisterEntry(
            case=folder.id,
            reference=state.reference,
            valid=False,
            problems=state.problems,
            stage=Stage.RECORDS_HAVE_PROBLEMS,
            schemes=[],
            scheme_ids=[],
            answers={key: None for key, _title in QUESTIONS},
            scheme_answers={},
            overdue=0,
            deadlines=[],
        )
    case = loaded.case
    reference = case.review.reference
    items = outstanding_items(loaded, as_of, soon_days=None)
    deadlines = sorted(
        (_deadline(folder, reference, item) for item in items if item.due is not None),
        key=_deadline_order,
    )
    upcoming = [d for d in deadlines if not d.days_overdue]
    findings = case.findings
    by_scheme = {scheme.id: scheme_answers(findings, scheme.id) for scheme in case.schemes}
    return RegisterEntry(
        case=folder.id,
        reference=reference,
        valid=True,
        problems=0,
        stage=stage_of(case, loaded),
        schemes=[scheme.name for scheme in case.schemes],
        scheme_ids=[scheme.id for scheme in case.schemes],
        provider=case.provider.name,
        officer=case.review.lead_officer,
        opened=case.review.opened,
        findings_date=findings.date if findings else None,
        answers=least_favourable(list(by_scheme.values())),
        scheme_answers=by_scheme,
        overdue=sum(1 for item in items if item.urgency is Urgency.OVERDUE),
        next_deadline=upcoming[0] if upcoming else None,
        deadlines=deadlines,
    )


# --------------------------------------------------------------------------- the register


class Filters(BaseModel):
    """What to show: each filter, when given, keeps only the cases that match it exactly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str | None = None
    scheme: str | None = None
    officer: str | None = None
    stage: Stage | None = None

    def keeps(self, entry: RegisterEntry) -> bool:
        return (
            (self.provider is None or entry.provider == self.provider)
            and (self.scheme is None or self.scheme in entry.schemes)
            and (self.officer is None or entry.officer == self.officer)
            and (self.stage is None or entry.stage is self.stage)
        )


class Register(BaseModel):
    """Every case under CASES_DIR on one date, and every deadline across them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date
    cases: list[RegisterEntry]

    @property
    def deadlines(self) -> list[Deadline]:
        """Every case's dated items in one list: overdue first (most overdue first), then by date."""
        every = [deadline for entry in self.cases for deadline in entry.deadlines]
        return sorted(every, key=_deadline_order)

    def filtered(self, filters: Filters) -> Register:
        return Register(as_of=self.as_of, cases=[e for e in self.cases if filters.keeps(e)])

    def choices(self) -> dict[str, list[str]]:
        """The values each filter can take, from the cases themselves."""
        return {
            "provider": sorted({e.provider for e in self.cases if e.provider}),
            "scheme": sorted({name for e in self.cases for name in e.schemes}),
            "officer": sorted({e.officer for e in self.cases if e.officer}),
            "stage": [stage.value for stage in Stage if any(e.stage is stage for e in self.cases)],
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "cases": [entry.model_dump(mode="json") for entry in self.cases],
            "deadlines": [deadline.model_dump(mode="json") for deadline in self.deadlines],
        }


class RegisterCache:
    """Each case folder's validation, kept until a file in the folder changes.

    The key is every file's name, size and modification time (the toolkit's own
    ``out/`` folder and audit log aside, since nothing there changes the records'
    meaning) plus the date: validation refuses dates after today.
    """

    def __init__(self) -> None:
        self._states: dict[Path, tuple[tuple[Any, ...], CaseState]] = {}
        self._lock = threading.Lock()

    def state(self, folder: CaseFolder) -> CaseState:
        key = (dt.date.today(), *_fingerprint(folder.path))
        with self._lock:
            cached = self._states.get(folder.path)
        if cached is not None and cached[0] == key and cached[1].folder == folder:
            return cached[1]
        state = case_state(folder)
        with self._lock:
            self._states[folder.path] = (key, state)
        return state


def _fingerprint(case_dir: Path) -> list[tuple[str, int, int]]:
    """Every file's path, modification time and size (``os.scandir``: one system call per
    folder, the cheapest way to look at some thousands of files on every page)."""
    found: list[tuple[str, int, int]] = []
    folders = [os.fspath(case_dir)]
    top = True
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if top and entry.name in (OUTPUT_DIR, "audit.jsonl"):
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            found.append((entry.path, info.st_mtime_ns, info.st_size))
        top = False
    return found


def build_register(
    cases_dir: Path, as_of: dt.date, *, cache: RegisterCache | None = None
) -> Register:
    """The register of every case folder under ``cases_dir`` on ``as_of``."""
    states = case_states(find_cases(cases_dir), cache)
    return Register(as_of=as_of, cases=[register_entry(state, as_of) for state in states])


def case_states(folders: Sequence[CaseFolder], cache: RegisterCache | None) -> list[CaseState]:
    return [cache.state(folder) if cache else case_state(folder) for folder in folders]


# --------------------------------------------------------------------------- CSV


CSV_COLUMNS: tuple[str, ...] = (
    "case",
    "reference",
    "stage",
    "schemes",
    "provider",
    "officer",
    "opened",
    "findings_date",
    *(key for key, _title in QUESTIONS),
    "overdue",
    "next_deadline",
    "next_deadline_item",
    "problems",
)


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(entries: Iterable[RegisterEntry]) -> list[list[str]]:
    """The register as rows for a spreadsheet, the header first.

    Names come from case files anyone may have written, so a value that a spreadsheet
    would run as a formula (=, +, -, @) is written with a leading quote.
    """
    rows = [list(CSV_COLUMNS)]
    for entry in entries:
        upcoming = entry.next_deadline
        rows.append([_cell(value) for value in [
            entry.case,
            entry.reference or "",
            entry.stage.label,
            "; ".join(entry.schemes),
            entry.provider or "",
            entry.officer or "",
            entry.opened.isoformat() if entry.opened else "",
            entry.findings_date.isoformat() if entry.findings_date else "",
            *((entry.answers.get(key) or "") for key, _title in QUESTIONS),
            str(entry.overdue),
            upcoming.due.isoformat() if upcoming else "",
            f"{upcoming.subject}: {upcoming.item}" if upcoming else "",
            str(entry.problems),
        ]])
    return rows
