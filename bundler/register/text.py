"""The register and the members' report as plain text for the terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from bundler.case.models import Conclusion
from bundler.register.cases import QUESTIONS, Register
from bundler.register.report import MembersReport


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
             for row in [headers, tuple("-" * w for w in widths), *rows]]
    return lines


def render_register(register: Register) -> str:
    """One line per case, then every deadline, overdue first."""
    count = len(register.cases)
    lines = [f"Register as of {register.as_of.isoformat()}: {count} case{'s' if count != 1 else ''}"]
    if not register.cases:
        return lines[0] + "\nNo case folders (folders holding a case.yaml) were found."
    rows = []
    for entry in register.cases:
        answers = "/".join(_answer(entry.answers.get(key)) for key, _title in QUESTIONS)
        upcoming = entry.next_deadline
        rows.append((
            entry.case,
            entry.reference or "?",
            entry.stage.label if entry.valid else f"{entry.problems} problem(s): run bundler validate",
            ", ".join(entry.schemes),
            entry.provider or "",
            entry.officer or "",
            answers,
            str(entry.overdue),
            upcoming.due.isoformat() if upcoming else "",
        ))
    lines += ["", *_table(
        ("case", "reference", "stage", "schemes", "provider", "officer", "para 110", "overdue",
         "next due"), rows)]
    deadlines = register.deadlines
    lines += ["", f"Deadlines, overdue first: {len(deadlines)}"]
    for deadline in deadlines:
        when = (f"OVERDUE {deadline.days_overdue}d" if deadline.days_overdue
                else f"due {deadline.due.isoformat()}")
        lines += textwrap.wrap(
            f"{when:<16} {deadline.reference}  {deadline.subject}: {deadline.item} "
            f"({deadline.paragraph})",
            width=110, subsequent_indent=" " * 17, break_on_hyphens=False,
        )
    return "\n".join(lines)


def _answer(conclusion: Conclusion | None) -> str:
    return conclusion.value if conclusion is not None else "not yet"


def render_report(report: MembersReport) -> str:
    """The members' report's figures as text."""
    recs = report.recommendations
    lines = [
        "Supported housing reviews: report for members",
        f"{report.authority + ', ' if report.authority else ''}{report.period.label} "
        f"(overdue counted to {report.as_of.isoformat()})",
        "",
        f"Reviews opened:                     {report.reviews_opened}",
        f"Reviews done (findings, para 110):  {report.reviews_done}",
        f"Recommendations made:               {recs.made}",
        f"Recommendations completed:          {recs.completed} ({recs.completed_late} late)",
        f"Recommendations open, not yet due:  {recs.open}",
        f"Recommendations overdue:            {recs.overdue}",
        f"Referrals to other agencies:        {report.referrals} ({report.referrals_open} "
        "without an outcome yet)",
        *(f"  {agency}: {count}" for agency, count in report.referrals_by_agency.items()),
        "",
        *_table(("para 110 question", "yes", "partly", "no"),
                [(o.title, str(o.yes), str(o.partly), str(o.no)) for o in report.outcomes]),
        "",
        "Results by scheme (para 112):",
    ]
    if report.results:
        lines += _table(
            ("scheme", "review", "findings", *(title for _key, title in QUESTIONS)),
            [(r.scheme, r.reference, r.findings_date.isoformat(),
              *(_answer(r.answers[key]) for key, _title in QUESTIONS)) for r in report.results],
        )
    else:
        lines.append("No review made its findings in this period.")
    if report.left_out:
        lines += ["", "Not counted (their records have problems; run bundler validate): "
                  + ", ".join(report.left_out)]
    return "\n".join(lines)
