"""The chronology: the review's events in date order, each linked to its evidence's pages.

Built from the case records (the request and its reminders, items received, site visits and
hazards, interviews, findings, recommendations and their dates, disputes, referrals and
their replies, follow-up visits) and the letters ``letters.yaml`` records as sent, and from
the audit log: when a document in this bundle whose arrival the records do not date was
added to the case. Only what had happened by the bundle's date is listed; residents appear
by reference only. Each event cites the documents that evidence it, resolved to this
bundle's pages like the findings (``citations``).

``records`` gives manifest rows (before planning); ``table`` resolves them against the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath
from typing import Protocol

from bundler.audit.model import AuditAction, AuditEntry
from bundler.bundle.citations import Placement, resolve_all
from bundler.bundle.findings import cited_records
from bundler.bundle.frontmatter import Table, TableGroup, TableRow, short_date
from bundler.bundle.manifest import CitedRecord, EventRecord
from bundler.bundle.plan import Plan
from bundler.case.models import (
    Case,
    InformationRequest,
    ItemStatus,
    LetterKind,
    LetterRecord,
    Recommendation,
    Resident,
)

TITLE = "Chronology"


def records(
    case: Case,
    residents: dict[str, Resident],
    letters: Sequence[LetterRecord],
    until: dt.date,
    audit: Sequence[AuditEntry] = (),
    held: Sequence[str] = (),
) -> list[EventRecord]:
    """Every event on or before ``until``, in date order (events of one day in the order of
    the review). ``audit`` is the case's log up to the bundle's head; ``held`` the files in
    this bundle (the audit log dates the arrival of those the records leave undated)."""
    events: list[EventRecord] = []

    def add(day: dt.date | None, text: str, evidence: Sequence[CitedRecord] = ()) -> None:
        if day is not None and day <= until:
            events.append(EventRecord(date=day, event=text, evidence=list(evidence)))

    provider = case.provider.name
    add(case.review.opened, f"Review of the scheme{'s' if len(case.schemes) > 1 else ''} "
        f"opened ({', '.join(s.name for s in case.schemes)})")
    sent = [letter for letter in letters if letter.sent is not None]
    used: set[int] = set()

    def letter_files(kind: LetterKind, on: dt.date | None = None) -> list[CitedRecord]:
        found = []
        for index, letter in enumerate(sent):
            if letter.kind is kind and letter.recipient == "provider" and (
                    on is None or letter.date == on):
                used.add(index)
                found += [CitedRecord(source=_letter_file(letter))]
        return found

    request = case.information_request
    if request is not None:
        _request_events(add, request, provider, letter_files)
    for visit in case.site_visits:
        where = case.scheme_name(visit.scheme)
        files = [*([visit.notes_file] if visit.notes_file else []), *visit.photos]
        add(visit.date, f"Site visit to {where} by {', '.join(visit.officers)} (paras 87-88)",
            [CitedRecord(source=path) for path in files])
        for hazard in visit.hazards:
            if hazard.inspection is not None:
                add(hazard.inspection.date,
                    f"Hazard inspected by {hazard.inspection.by} ({hazard.description}, "
                    f"{hazard.location}): {hazard.inspection.outcome}",
                    [CitedRecord(source=path) for path in hazard.inspection.files])
    for reference in sorted(residents):
        interview = residents[reference].interview
        if interview is not None:
            add(interview.date, f"Interview with resident {reference} ({interview.officer})",
                [CitedRecord(source=interview.notes_file)] if interview.notes_file else [])
    findings = case.findings
    if findings is not None:
        answers = ", ".join(answer.id for answer in findings.answers)
        add(findings.date, f"Findings made ({answers}; para 110)",
            letter_files(LetterKind.FINDINGS))
        if case.recommendations:
            add(findings.date, "Recommendations made: "
                + ", ".join(rec.id for rec in case.recommendations) + " (paras 111-118)")
    for rec in case.recommendations:
        _recommendation_events(add, rec)
    for referral in case.referrals:
        add(referral.date, f"Referral {referral.id} to {referral.agency_text}: {referral.what}",
            [CitedRecord(source=path) for path in referral.files])
        for name, reply in (("replied", referral.response), ("outcome", referral.outcome)):
            if reply is not None:
                words = "replied" if name == "replied" else "outcome"
                add(reply.date, f"Referral {referral.id}, {referral.agency_text} {words}: "
                    f"{reply.summary}", [CitedRecord(source=path) for path in reply.files])
    for follow_up in case.follow_up_visits:
        if follow_up.done_date is not None:
            recs = (f" to check {', '.join(follow_up.recommendations)}"
                    if follow_up.recommendations else "")
            add(follow_up.done_date, f"Follow-up visit{recs} (para 119)",
                [CitedRecord(source=path) for path in follow_up.files])
    for index, letter in enumerate(sent):
        if index in used or letter.sent is None:
            continue
        to = "the provider" if letter.recipient == "provider" else f"resident {letter.recipient}"
        evidence = [CitedRecord(source=_letter_file(letter))] if letter.recipient == "provider" \
            else []
        add(letter.sent.date, f"Letter sent to {to}: {letter.kind.heading} (dated "
            f"{short_date(letter.date)})", evidence)
    _audit_events(add, case, residents, audit, held)
    order = {id(event): position for position, event in enumerate(events)}
    return sorted(events, key=lambda event: (event.date, order[id(event)]))


class _Add(Protocol):
    def __call__(self, day: dt.date | None, text: str,
                 evidence: Sequence[CitedRecord] = ()) -> None: ...


def _request_events(add: _Add, request: InformationRequest, provider: str,
                    letter_files: Callable[..., list[CitedRecord]]) -> None:
    add(request.requested_date,
        f"Information request sent to {provider} (paras 84-85), due "
        f"{short_date(request.due_date)}",
        letter_files(LetterKind.INFORMATION_REQUEST))
    for reminder in request.reminders:
        waiting = ", ".join(_paragraph(entry.item.value) for entry in
                            request.outstanding_on(reminder.date))
        add(reminder.date, f"Reminder sent for the para 85 items still outstanding ({waiting}), "
            "now due "
            f"{short_date(reminder.new_due_date)}",
            letter_files(LetterKind.INFORMATION_REMINDER, reminder.date))
    by_day: dict[dt.date, list[tuple[str, list[str]]]] = {}
    for entry in request.items:
        if entry.received_date is not None and entry.status in (ItemStatus.RECEIVED,
                                                                ItemStatus.PARTLY_RECEIVED):
            part = " (in part)" if entry.status is ItemStatus.PARTLY_RECEIVED else ""
            by_day.setdefault(entry.received_date, []).append(
                (_paragraph(entry.item.value) + part, list(entry.files)))
    for day, items in sorted(by_day.items()):
        files = list(dict.fromkeys(path for _item, paths in items for path in paths))
        add(day, f"Received from {provider} (para 85): " + ", ".join(item for item, _ in items),
            [CitedRecord(source=path) for path in files])
    for entry in request.items:
        if entry.status is ItemStatus.DECLINED:
            add(entry.received_date, f"The provider declined to send para "
                f"{_paragraph(entry.item.value)}")


def _paragraph(item: str) -> str:
    """'85(h) occupancy agreement' for the item h_occupancy_agreement."""
    words = item[2:].replace("_", " ").replace(" and dbs", " and DBS")
    return f"85({item[0]}) {words}"


def _recommendation_events(add: _Add, rec: Recommendation) -> None:
    add(rec.acknowledged_on, f"{rec.id} acknowledged by the provider")
    if rec.acknowledged_on is None or rec.acknowledged_on > rec.acknowledge_by:
        add(rec.acknowledge_by, f"{rec.id}: the date to acknowledge it passed"
            + ("" if rec.acknowledged_on is None else " (acknowledged later)"))
    if rec.completed_on is not None:
        add(rec.completed_on, f"{rec.id} completed", cited_records(rec.evidence_of_completion))
    elif rec.status.value not in ("withdrawn",):
        add(rec.complete_by, f"{rec.id}: the date to complete and evidence it passed")
    dispute = rec.dispute
    if dispute is not None:
        add(dispute.date, f"{rec.id} disputed by the provider (para 144): {dispute.grounds}",
            [CitedRecord(source=path) for path in dispute.files])
        if dispute.outcome_date is not None:
            add(dispute.outcome_date, f"Dispute of {rec.id} decided: {dispute.outcome.value}"
                + (f" ({dispute.outcome_note})" if dispute.outcome_note else ""))


def _letter_file(letter: LetterRecord) -> str:
    """The file a bundle holds for a letter: its PDF where one was made."""
    names = [item.file for item in letter.files]
    return next((name for name in names if name.lower().endswith(".pdf")), names[0])


def _audit_events(add: _Add, case: Case, residents: dict[str, Resident],
                  audit: Sequence[AuditEntry], held: Sequence[str]) -> None:
    """When files in this bundle were added to the case, for those the records leave
    without a date received (copied in with ``evidence add``, not recorded in place)."""
    dated = _dated_arrivals(case, residents)
    wanted = set(held) - dated
    seen: set[str] = set()
    by_day: dict[dt.date, list[str]] = {}
    for entry in audit:
        if entry.action is not AuditAction.EVIDENCE_ADDED or entry.details.get("in_place"):
            continue
        for output in entry.outputs:
            if output.path in wanted and output.path not in seen:
                seen.add(output.path)
                by_day.setdefault(entry.time.date(), []).append(output.path)
    for day, paths in sorted(by_day.items()):
        add(day, "Added to the case: " + ", ".join(PurePosixPath(p).name for p in paths),
            [CitedRecord(source=path) for path in paths])


def _dated_arrivals(case: Case, residents: dict[str, Resident]) -> set[str]:
    """Files whose arrival the records date (items received, the documents' catalogues)."""
    files: set[str] = set()
    if case.information_request is not None:
        for entry in case.information_request.items:
            if entry.received_date is not None:
                files.update(entry.files)
    for document in case.documents:
        if document.received is not None:
            files.add(document.file)
    for resident in residents.values():
        files.update(doc.file for doc in resident.documents if doc.received is not None)
    return files


def redacted(rows: Sequence[EventRecord], clean: Callable[[str], str]) -> list[EventRecord]:
    return [row.model_copy(update={"event": clean(row.event)}) for row in rows]


def table(rows: Sequence[EventRecord], placement: Placement, plan: Plan
          ) -> tuple[Table, list[EventRecord]]:
    """The chronology as drawn, and the rows with their bundle pages. An event's evidence
    that is not in this bundle is shown as such (not a problem: a letter to a resident, say,
    is never in a bundle)."""
    resolved: list[EventRecord] = []
    drawn_rows: list[TableRow] = []
    for row in rows:
        held = [cited for cited in row.evidence if placement.position(cited.source) is not None]
        cited, drawn, _found = resolve_all(held, placement, plan)
        resolved.append(row.model_copy(update={"evidence": cited}))
        drawn_rows.append(TableRow((short_date(row.date),), (row.event,), drawn))
    intro = ("The review's events in date order, from the case records and the audit log. "
             "The page numbers are this bundle's pages holding each event's evidence; each is "
             "a link to that page.")
    group = TableGroup(None, ("Date", "Event", "Evidence (bundle pages)"), tuple(drawn_rows),
                       "No events are recorded.")
    return Table(TITLE, intro, (group,), narrow_first=True, bold_second=False), resolved
