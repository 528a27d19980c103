"""Validate a case folder: every error as FILE:LINE: field: message, every finding as a note.

``validate_case`` collects every problem in ``case.yaml``, ``residents/*.yaml`` and
``letters.yaml`` (syntax, types, unknown keys, impossible dates, broken rules, missing
files) and every finding the records hold (a licence expired, an assessment not on file,
consent declined), and returns a report; ``load_valid_case`` is the raising form the other
commands use. Errors block outputs; findings are facts the review found, shown as
``FILE:LINE: note: ...`` and never block anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from bundler.audit.log import log_path
from bundler.case.evidencefiles import check_evidence_files
from bundler.case.models import (
    Case,
    LetterRegister,
    Loc,
    Resident,
    RuleContext,
    collect_notes,
)
from bundler.case.placeholders import PLACEHOLDER_NOTE, placeholders
from bundler.case.shortfalls import resident_shortfalls
from bundler.errors import BadInput, ChecksFailed, InputNotFound
from bundler.fileio import sha256_file
from bundler.paths import inside
from bundler.yamlio import YamlDocument, YamlSyntaxError, parse_yaml_text
from bundler.yamlmodel import Problem, dotted, read_document, validate_document

M = TypeVar("M", Case, Resident, LetterRegister)

CASE_FILE = "case.yaml"
RESIDENTS_DIR = "residents"
LETTERS_FILE = "letters.yaml"

_OLD_FINDINGS_KEYS = ("support_tailored", "depiction_accurate", "dignity_and_independence")


@dataclass(frozen=True)
class Note:
    """A finding the records hold, located in a file: shown, never blocking."""

    file: str
    line: int | None  # None: the note is about the file itself (an evidence file)
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        at = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{at}: note: {where}{self.message}"


@dataclass
class LoadedCase:
    """A case folder whose records validated."""

    root: Path
    case: Case
    residents: dict[str, Resident] = field(default_factory=dict)
    letters: LetterRegister = field(default_factory=LetterRegister)


@dataclass
class ValidationReport:
    case_dir: Path
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
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
        """Every error, then every finding, one line each."""
        return [str(problem) for problem in self.problems] + [str(note) for note in self.notes]

    def summary(self) -> str:
        if self.ok and self.loaded is not None:
            case = self.loaded.case
            residents = len(self.loaded.residents)
            notes = len(self.notes)
            found = f"; {notes} note{'s' if notes != 1 else ''} above" if notes else ""
            return (
                f"{self.case_dir}: valid: review {case.review.reference}, "
                f"{len(case.schemes)} scheme{'s' if len(case.schemes) != 1 else ''}, "
                f"{residents} resident{'s' if residents != 1 else ''}, "
                f"{self.files_checked} record files checked{found}"
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
            "notes": [
                {"file": n.file, "line": n.line, "field": n.field, "message": n.message}
                for n in self.notes
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


def _older_form(document: YamlDocument, shown: str, case_dir: Path) -> Problem | None:
    """A file written for the toolkit's first records model, which `case upgrade` rewrites."""
    data = document.data
    if not isinstance(data, dict):
        return None
    old: Loc | None = None
    findings = data.get("findings")
    consent = data.get("consent")
    if isinstance(findings, dict) and any(key in findings for key in _OLD_FINDINGS_KEYS):
        old = ("findings",)
    elif isinstance(consent, dict) and "obtained_in_writing" in consent:
        old = ("consent",)
    if old is None:
        return None
    return Problem(
        shown,
        document.line_of(old),
        str(old[0]),
        f"this file is in the toolkit's older form of the records; run `bundler case upgrade "
        f"{case_dir}` to rewrite the case folder in the current form (comments are kept)",
    )


def _validate_file(
    model: type[M],
    path: Path,
    report: ValidationReport,
    rule_ctx: RuleContext,
    texts: Mapping[Path, str],
) -> tuple[M | None, YamlDocument | None]:
    shown = str(path)
    report.files_checked += 1
    document = _read_record(report.case_dir, path, shown, report.problems, texts)
    if document is None:
        return None, None
    older = _older_form(document, shown, report.case_dir)
    if older is not None:
        report.problems.append(older)
        return None, document
    record = _validate_twice(model, document, shown, report.problems, rule_ctx)
    if record is not None:
        for loc, message in collect_notes(record, rule_ctx):
            report.notes.append(Note(shown, document.line_of(loc), dotted(loc), message))
    return record, document


def validate_case(
    case_dir: Path,
    *,
    today: dt.date | None = None,
    evidence_notes: bool = True,
    texts: Mapping[Path, str] | None = None,
    evidence_dates: bool = False,
) -> ValidationReport:
    """Validate every record in ``case_dir`` and return a report of all problems and findings.

    Nothing recorded as having happened may be after ``today`` (default: the computer's
    date). ``evidence_notes`` adds a note for each file under evidence/ that no record
    names, that was not added through ``evidence add`` or that changed since (this reads
    the audit log and hashes every evidence file). ``texts`` gives record files' content to
    check instead of what is on disk (by path, as ``case_dir / "residents/R01.yaml"``): an
    edit is checked as validate would see it before it is saved. ``evidence_dates``
    (``validate --evidence``) reads the evidence files' own dates and notes where they
    disagree with the records (``evidencedates``). Raises InputNotFound when the folder or
    its case.yaml does not exist.
    """
    today = today or dt.date.today()
    given = texts or {}
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
    rule_ctx = RuleContext(case_dir=case_dir, today=today)
    peeked = _read_record(case_dir, case_path, str(case_path), [], given)
    if peeked is not None:
        rule_ctx = RuleContext(
            case_dir=case_dir,
            review_date=_peek_date(peeked.data, "review", "review_date"),
            scheme_ids=_scheme_ids(peeked.data),
            today=today,
        )
    case, case_doc = _validate_file(Case, case_path, report, rule_ctx, given)
    documents = [case_doc] if case_doc is not None else []

    residents: dict[str, Resident] = {}
    residents_dir = case_dir / RESIDENTS_DIR
    if residents_dir.is_dir():
        files = sorted(
            p for p in residents_dir.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file()
        )
        for path in files:
            validated, resident_doc = _validate_file(Resident, path, report, rule_ctx, given)
            if resident_doc is not None:
                documents.append(resident_doc)
            if validated is None or resident_doc is None:
                continue
            shown = str(path)
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
                if case is not None and rule_ctx.review_date is not None:
                    _shortfall_notes(validated, case, resident_doc, report, rule_ctx.review_date)

    letters = LetterRegister()
    letters_path = case_dir / LETTERS_FILE
    if letters_path.is_file():
        register, letters_doc = _validate_file(LetterRegister, letters_path, report, rule_ctx,
                                               given)
        if register is not None and letters_doc is not None:
            letters = register
            _check_letters(register, letters_doc, _present(residents_dir), report)
    if case is not None and case_doc is not None:
        _cross_checks(case, case_doc, residents, _present(residents_dir), report)
    for document in documents:
        report.notes.extend(
            Note(str(document.path), document.line_of(loc), dotted(loc), PLACEHOLDER_NOTE)
            for loc in placeholders(document.data)
        )
    report.notes.sort(key=lambda note: (note.file, note.line or 0))
    if evidence_notes:
        _evidence_file_notes(case_dir, report)
    if evidence_dates and case is not None and not problems:
        _evidence_date_notes(case_dir, case, residents, documents, report)
    if case is not None and not problems:
        report.loaded = LoadedCase(root=case_dir, case=case, residents=residents, letters=letters)
    return report


def _evidence_date_notes(case_dir: Path, case: Case, residents: dict[str, Resident],
                         documents: list[YamlDocument], report: ValidationReport) -> None:
    """What the evidence files' own dates say about the records (``validate --evidence``)."""
    from bundler.case.evidencedates import evidence_notes

    by_name = {document.path.relative_to(case_dir).as_posix(): document
               for document in documents if document.path.is_relative_to(case_dir)}
    for note in evidence_notes(case_dir, case, residents):
        document = by_name.get(note.record)
        line = document.line_of(note.loc) if document is not None else None
        report.notes.append(Note(str(case_dir / note.record), line, dotted(note.loc),
                                 note.message))


def _evidence_file_notes(case_dir: Path, report: ValidationReport) -> None:
    """Files under evidence/ that no record names, that were not added through `evidence
    add` or have changed since; records naming a retired file."""
    found = check_evidence_files(case_dir)
    for item in found.notes():
        report.notes.append(Note(str(case_dir / item.path), None, "", item.message(case_dir)))
    for reference, path in found.retired_named:
        report.notes.append(Note(
            str(reference.file), reference.line, reference.field,
            f"names {path}, a retired file (taken out with `bundler evidence retire`); name "
            "the file that replaced it",
        ))
    if found.log_problem is not None:
        report.notes.append(Note(
            str(log_path(case_dir)), None, "",
            "cannot be read, so which files in evidence/ were added through `bundler evidence "
            f"add` is not known; run `bundler audit verify {case_dir}` to see why",
        ))


def _shortfall_notes(
    resident: Resident, case: Case, document: YamlDocument, report: ValidationReport, on: dt.date
) -> None:
    months = case.review.support_plan_review_months
    for shortfall in resident_shortfalls(resident, months, on):
        report.notes.append(
            Note(
                str(document.path),
                document.line_of(shortfall.loc),
                dotted(shortfall.loc),
                f"{resident.reference}: {shortfall.what} ({shortfall.paragraph})",
            )
        )


def _cross_checks(
    case: Case,
    document: YamlDocument,
    residents: dict[str, Resident],
    present: set[str],
    report: ValidationReport,
) -> None:
    """Rules across files: residents named in case.yaml have files (``present``), appeal
    references are unique, a document is described once."""
    shown = str(document.path)
    named: list[tuple[Loc, list[str]]] = []
    if case.findings is not None:
        named.extend(
            (("findings", "answers", index, "residents"), answer.residents)
            for index, answer in enumerate(case.findings.answers)
        )
    named.extend(
        (("referrals", index, "residents"), referral.residents)
        for index, referral in enumerate(case.referrals)
    )
    for loc, refs in named:
        for at, ref in enumerate(refs):
            if ref not in present:
                report.problems.append(
                    Problem(shown, document.line_of((*loc, at)), dotted((*loc, at)),
                            f"no resident {ref} (no file residents/{ref}.yaml)")
                )
    appeals: dict[str, str] = {}
    for ref, resident in sorted(residents.items()):
        hb = resident.housing_benefit
        if hb is None or hb.appeal is None:
            continue
        other = appeals.get(hb.appeal.reference)
        if other is not None:
            report.problems.append(
                Problem(str(report.case_dir / RESIDENTS_DIR / f"{ref}.yaml"), 1,
                        "housing_benefit.appeal.reference",
                        f"{ref} and {other} both record appeal {hb.appeal.reference}; an appeal "
                        "belongs to one resident's claim")
            )
        appeals[hb.appeal.reference] = ref
    described = {entry.file for entry in case.documents}
    for ref, resident in sorted(residents.items()):
        for entry in resident.documents:
            if entry.file in described:
                report.problems.append(
                    Problem(str(report.case_dir / RESIDENTS_DIR / f"{ref}.yaml"), 1, "documents",
                            f"{entry.file} is also described in {CASE_FILE} or another "
                            "resident's file; describe each document once")
                )
            described.add(entry.file)
        for index, disclosure in enumerate(resident.disclosures):
            target = disclosure.audience
            if target.startswith("appeal:") and target[7:] not in appeals and target[7:] not in residents:
                report.problems.append(
                    Problem(str(report.case_dir / RESIDENTS_DIR / f"{ref}.yaml"), 1,
                            dotted(("disclosures", index, "audience")),
                            f"{target}: no resident or Housing Benefit appeal has that reference")
                )


def _present(residents_dir: Path) -> set[str]:
    """The residents with a file, valid or not (so one invalid file is reported once)."""
    if not residents_dir.is_dir():
        return set()
    return {p.stem for p in residents_dir.iterdir() if p.suffix.lower() in (".yaml", ".yml")}


def _check_letters(
    register: LetterRegister,
    document: YamlDocument,
    residents: set[str],
    report: ValidationReport,
) -> None:
    """Letters name known residents; a letter's files still hold what was written (a
    changed or missing file is a finding: the record keeps what was sent)."""
    shown = str(document.path)
    for index, letter in enumerate(register.letters):
        if letter.recipient != "provider" and letter.recipient not in residents:
            loc: Loc = ("letters", index, "recipient")
            report.problems.append(
                Problem(shown, document.line_of(loc), dotted(loc),
                        f"no resident {letter.recipient} (no file residents/{letter.recipient}.yaml)")
            )
        for at, written in enumerate(letter.files):
            loc = ("letters", index, "files", at, "file")
            path: Path | None = None
            if not Path(written.file).is_absolute():
                with contextlib.suppress(BadInput):  # a link out of the case is never followed
                    path = inside(report.case_dir, written.file, where="the case folder")
            if path is None or not path.is_file():
                message = (f"{written.file} is not in the case folder; the record keeps the "
                           "SHA-256 of the letter as written")
            elif sha256_file(path) != written.sha256:
                message = (f"{written.file} has changed since the {letter.kind.value} letter "
                           f"was written (SHA-256 {written.sha256[:12]}... recorded)")
            else:
                continue
            report.notes.append(Note(shown, document.line_of(loc), dotted(loc), message))


def _read_record(case_dir: Path, path: Path, shown: str, problems: list[Problem],
                 texts: Mapping[Path, str]) -> YamlDocument | None:
    """A record file's YAML, refused (as unreadable) when a symbolic link leads out of the
    case; or the text ``texts`` gives for it (an edit not yet saved)."""
    try:
        inside(case_dir, path.relative_to(case_dir).as_posix(), where="the case folder")
    except BadInput as exc:
        problems.append(Problem(shown, 1, "", exc.message, unreadable=True))
        return None
    text = texts.get(path)
    if text is None:
        return read_document(path, shown, problems)
    try:
        return parse_yaml_text(text, path)
    except YamlSyntaxError as exc:
        problems.append(Problem(shown, exc.problem.line, "", exc.problem.message))
        return None


def load_valid_case(case_dir: Path, *, today: dt.date | None = None) -> LoadedCase:
    """Load a case folder, raising ChecksFailed when any record has a problem."""
    return validate_case(case_dir, today=today, evidence_notes=False).raise_for_problems()
