"""``bundler audit repair``: put right what ``audit verify`` reports as repairable, and say
exactly what is left that no repair can put right (only the council's backup can).

Repairable (``verify.REPAIRABLE``): blank lines, and a last line cut off by a crash. Both
are put right without changing any entry (see ``log.repair_log``). Everything else
(an entry edited, removed, inserted, moved, reformatted, or dated before the one before
it) is evidence that the log was changed outside the toolkit, and is left as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bundler.audit.log import Repair, repair_log
from bundler.audit.verify import AuditProblem, verify_log


@dataclass(frozen=True)
class RepairReport:
    log: Path
    repair: Repair  # what was done
    remaining: tuple[AuditProblem, ...]  # what verify still reports: not repairable

    @property
    def ok(self) -> bool:
        """The log verifies after the repair."""
        return not self.remaining

    def lines(self) -> list[str]:
        """One line per thing done, one per problem left, and what to do about those."""
        done = self.repair
        lines = []
        if done.blank_lines:
            count = len(done.blank_lines)
            assert done.blank_entry is not None
            lines.append(
                f"{self.log}: removed {count} blank line{'s' if count != 1 else ''} (line"
                f"{'s' if count != 1 else ''} {', '.join(map(str, done.blank_lines))}); the log "
                f"as it was is kept in {done.backup}, recorded as entry {done.blank_entry.seq}")
        cut = done.cut_off
        if cut is not None and cut.completed:
            lines.append(f"{self.log}: line {cut.line} had lost its line ending; the entry was "
                         "complete and is kept")
        elif cut is not None:
            assert cut.entry is not None
            lines.append(f"{self.log}: line {cut.line} was cut off; its bytes were moved to "
                         f"{cut.set_aside}, recorded as entry {cut.entry.seq}")
        if not done.changed and self.ok:
            lines.append(f"{self.log}: nothing to repair: the chain is intact and the last "
                         "entry is complete")
        elif not done.changed:
            lines.append(f"{self.log}: nothing that can be repaired")
        lines.extend(f"cannot repair: {problem.message}" for problem in self.remaining)
        if self.remaining:
            lines.append(
                f"{self.log}: the problems above mean the log was changed outside the toolkit; "
                "restore audit.jsonl from the council's backup (nothing else was changed)")
        return lines


def repair(case_dir: Path, now: dt.datetime | None = None) -> RepairReport:
    """Repair what can be repaired (``log.repair_log``), then verify what is left.

    Raises InputNotFound when the case has no log, and BadInput when the entry the repair
    would be recorded after cannot be read (then nothing is changed).
    """
    done = repair_log(case_dir, now)
    report = verify_log(case_dir)
    return RepairReport(log=report.log, repair=done, remaining=report.problems)
