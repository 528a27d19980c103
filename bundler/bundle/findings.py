"""The table "Findings and the evidence they rest on", after the index (paras 110-118, 146).

Every para 110 answer, scheme by scheme (an answer covering two schemes is shown under
each), then every recommendation, each with the documents it rests on: for each citation the
bundle pages of the cited passage (each range a link to its first page), the document's
number and title, and the quoted passage. What a tribunal asks of a finding (para 146) is
that it rests on documented evidence; a finding or recommendation citing nothing, or a
document this bundle does not hold, is reported (the build warns; ``--strict`` refuses).

``records`` turns the case's findings into manifest rows (before the bundle is planned);
``table`` resolves them against the plan. A rebuild (``bundle verify --sources``) starts
from the rows the manifest recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bundler.bundle.citations import Placement, resolve_all
from bundler.bundle.frontmatter import Table, TableGroup, TableRow, short_date
from bundler.bundle.manifest import CitedRecord, FindingRecord
from bundler.bundle.plan import Plan
from bundler.case.models import Case, Citation, Para110Question, Recommendation

TITLE = "Findings and the evidence they rest on"
FINDING = "finding"
RECOMMENDATION = "recommendation"
_STATUS = {
    "sent": "Sent to the provider",
    "acknowledged": "Acknowledged",
    "disputed": "Disputed by the provider",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
}


def cited_records(evidence: Sequence[str | Citation]) -> list[CitedRecord]:
    """The records' citations (a bare path, or file, pages and quote) as manifest rows."""
    return [
        CitedRecord(source=entry) if isinstance(entry, str) else
        CitedRecord(source=entry.file, pages=entry.pages, quote=entry.quote)
        for entry in evidence
    ]


def records(case: Case) -> list[FindingRecord]:
    """One row per para 110 answer and scheme (schemes in the records' order, questions in
    para 110's), then one per recommendation; empty when the case has no findings."""
    from bundler.letters.context import ANSWERS, QUESTIONS

    if case.findings is None:
        return []
    rows: list[FindingRecord] = []
    for scheme in case.schemes:
        for question in Para110Question:
            for answer in case.findings.answers_for(scheme.id, question):
                summary = answer.summary
                if answer.residents:
                    summary += f" (Residents {', '.join(answer.residents)}.)"
                rows.append(FindingRecord(
                    kind=FINDING, id=answer.id, scheme=scheme.name,
                    heading=QUESTIONS[question], answer=ANSWERS[answer.conclusion],
                    summary=summary, evidence=cited_records(answer.evidence)))
    rows += [_recommendation(case, rec) for rec in case.recommendations]
    return rows


def _recommendation(case: Case, rec: Recommendation) -> FindingRecord:
    status = [_STATUS.get(rec.status.value, rec.status.value)]
    if rec.acknowledged_on is not None:
        status.append(f"acknowledged {short_date(rec.acknowledged_on)}")
    status.append(f"acknowledge by {short_date(rec.acknowledge_by)}")
    status.append(f"complete by {short_date(rec.complete_by)}")
    if rec.completed_on is not None:
        status.append(f"completed {short_date(rec.completed_on)}")
    if rec.dispute is not None:
        status.append(f"disputed {short_date(rec.dispute.date)}: {rec.dispute.outcome.value}")
    schemes = ", ".join(case.scheme_name(s) for s in case.recommendation_schemes(rec))
    addresses = f"Addresses {', '.join(rec.addresses)}. " if rec.addresses else ""
    evidence = cited_records(rec.evidence)
    if rec.dispute is not None:
        evidence += [CitedRecord(source=path) for path in rec.dispute.files]
    evidence += [CitedRecord(source=path) for path in rec.evidence_of_completion]
    return FindingRecord(kind=RECOMMENDATION, id=rec.id, heading=rec.recommendation,
                         answer="\n".join(status), summary=f"{addresses}{schemes}.",
                         evidence=evidence)


def redacted(rows: Sequence[FindingRecord], clean: Callable[[str], str]) -> list[FindingRecord]:
    """The rows with their words passed through an edition's redaction of titles."""
    return [row.model_copy(update={
        "heading": clean(row.heading), "summary": clean(row.summary),
        "evidence": [cited.model_copy(update={"quote": clean(cited.quote)}) if cited.quote
                     else cited for cited in row.evidence]}) for row in rows]


def problems(rows: Sequence[FindingRecord], sources: Sequence[str]) -> list[str]:
    """Findings and recommendations that cite nothing, or a file not in ``sources`` (the
    bundle's documents), each once: what the build warns about before any work."""
    held = set(sources)
    found: list[str] = []
    for row in rows:
        who = f"{row.kind} {row.id}"
        if not row.evidence:
            found.append(f"{who} cites no evidence (para 146)")
        for cited in row.evidence:
            if cited.source not in held:
                found.append(f"{who} cites {cited.source}, which is not in this bundle")
    return list(dict.fromkeys(found))


def table(rows: Sequence[FindingRecord], placement: Placement, plan: Plan
          ) -> tuple[Table, list[FindingRecord], list[str]]:
    """The table as drawn, the rows with their bundle pages, and the citations of pages a
    document does not have."""
    groups: list[TableGroup] = []
    resolved_rows: list[FindingRecord] = []
    trouble: list[str] = []
    for row in rows:
        cited, drawn, found = resolve_all(row.evidence, placement, plan)
        trouble += [f"{row.kind} {row.id} {problem}" for problem in found
                    if "not in this bundle" not in problem]
        resolved_rows.append(row.model_copy(update={"evidence": cited}))
        if row.kind == FINDING:
            heading = f"{row.scheme}: para 110" if row.scheme else "Para 110"
            columns = ("Finding", "Answer", "Rests on (bundle pages)")
            first = (f"{row.id}  {row.heading}", row.summary)
            second: tuple[str, ...] = (row.answer,)
        else:
            heading = "Recommendations (paras 111-118)"
            columns = ("Recommendation", "Status and dates", "Rests on (bundle pages)")
            first = (f"{row.id}  {row.heading}", row.summary)
            lines = row.answer.split("\n")
            second = (lines[0], *lines[1:])
        entry = TableRow(first, second, drawn)
        if groups and groups[-1].heading == heading:
            groups[-1] = TableGroup(heading, columns, (*groups[-1].rows, entry))
        else:
            groups.append(TableGroup(heading, columns, (entry,)))
    intro = ("Each finding (the para 110 answers, scheme by scheme) and each recommendation, "
             "with the documents it rests on (para 146). The page numbers are this bundle's; "
             "each is a link to that page.")
    return Table(TITLE, intro, tuple(groups)), resolved_rows, list(dict.fromkeys(trouble))
