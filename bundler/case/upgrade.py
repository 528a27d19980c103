"""``bundler case upgrade DIR``: rewrite a case folder made for the first records model.

The first model held consent as one yes/no (``obtained_in_writing``) and the findings
as one set of three answers for the whole case. The upgrade rewrites, keeping every
comment and all other content as it was:

* ``consent``: ``obtained_in_writing: true`` becomes ``method: written`` with the
  consent form's statements; false becomes ``method: verbal`` (the reason kept as
  ``reason_not_written``, the interview's date as the consent date) when the resident was
  interviewed, else ``method: declined``. The old record said nothing about sharing, so
  only ``interview`` (and ``records`` for written consent) are set true: the upgrade never
  widens what a resident agreed to. A comment asks the officer to check the signed form.
* ``findings``: the three answers become ``answers`` F1-F3, each for every scheme.

Files already in the current form are left untouched, so running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from bundler.case.models import ConsentStatement, Para110Question
from bundler.case.validate import CASE_FILE, RESIDENTS_DIR
from bundler.case.yamledit import insert_after, load_for_edit, write_edited
from bundler.errors import InputNotFound

_CHECK_FORM = (
    "upgraded from one yes/no: check the signed form and set each statement as the "
    "resident answered it"
)
_CHECK_VERBAL = (
    "upgraded from one yes/no: set each statement as the resident agreed to it in words"
)


@dataclass(frozen=True)
class Upgrade:
    """What ``upgrade_case`` rewrote."""

    changed: list[Path]
    unchanged: list[Path]


def _upgrade_findings(data: CommentedMap) -> bool:
    findings = data.get("findings")
    if not isinstance(findings, CommentedMap):
        return False
    old = [q for q in Para110Question if q.value in findings]
    if not old:
        return False
    answers = []
    for number, question in enumerate(old, start=1):
        answer = findings[question.value]
        entry = CommentedMap()
        entry["id"] = f"F{number}"
        entry["question"] = question.value
        for key, value in answer.items():
            entry[key] = value
        answers.append(entry)
    for question in old:
        del findings[question.value]
    insert_after(findings, "date", "answers", answers)
    return True


def _upgrade_consent(data: CommentedMap) -> bool:
    consent = data.get("consent")
    if not isinstance(consent, CommentedMap) or "obtained_in_writing" not in consent:
        return False
    written = bool(consent["obtained_in_writing"])
    reason = consent.get("reason_not_obtained")
    interview = data.get("interview")
    interviewed = isinstance(interview, CommentedMap) and "date" in interview
    new = CommentedMap()
    if written:
        new["method"] = "written"
    elif interviewed:
        new["method"] = "verbal"
    else:
        new["method"] = "declined"
    for key in ("date", "form_file"):
        if key in consent:
            new[key] = consent[key]
    if new["method"] == "verbal":
        if "date" not in new:
            day = interview["date"]  # a new object: the same one twice would become a YAML alias
            new["date"] = dt.date(day.year, day.month, day.day)
        new["reason_not_written"] = reason or "Not recorded before the upgrade; say why."
    if new["method"] != "declined":
        statements = CommentedMap()
        for statement in ConsentStatement:
            statements[statement.value] = statement is ConsentStatement.INTERVIEW or (
                written and statement is ConsentStatement.RECORDS
            )
        new["statements"] = statements
        new.yaml_add_eol_comment(_CHECK_FORM if written else _CHECK_VERBAL, "statements")
    elif reason:
        new.yaml_set_start_comment(f"before the upgrade: {' '.join(str(reason).split())}")
    _keep_comments(consent, new)
    data["consent"] = new
    return True


def _keep_comments(old: CommentedMap, new: CommentedMap) -> None:
    """Carry end-of-line comments of keys that survive the rewrite."""
    for key, comment in getattr(old.ca, "items", {}).items():
        if key in new and key not in new.ca.items:
            new.ca.items[key] = comment


def upgrade_case(case_dir: Path) -> Upgrade:
    """Rewrite every record in ``case_dir`` that is in the older form; return what changed."""
    case_path = case_dir / CASE_FILE
    if not case_path.is_file():
        raise InputNotFound(
            f"{case_path}: not found; give the case folder that holds case.yaml",
            "Check the path to the case folder.",
        )
    changed: list[Path] = []
    unchanged: list[Path] = []
    pending: list[tuple[Path, Any]] = []
    case_data = load_for_edit(case_path)
    if isinstance(case_data, CommentedMap) and _upgrade_findings(case_data):
        pending.append((case_path, case_data))
    else:
        unchanged.append(case_path)
    residents_dir = case_dir / RESIDENTS_DIR
    if residents_dir.is_dir():
        for path in sorted(residents_dir.iterdir()):
            if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
                continue
            data = load_for_edit(path)
            if isinstance(data, CommentedMap) and _upgrade_consent(data):
                pending.append((path, data))
            else:
                unchanged.append(path)
    # Everything is read and converted before anything is written.
    for path, data in pending:
        write_edited(path, data)
        changed.append(path)
    return Upgrade(changed=changed, unchanged=unchanged)
