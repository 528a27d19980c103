"""The records checked against the evidence itself (``bundler validate --evidence``).

Where a machine can tell from the files (``bundler.evidence.dated`` reads the date a document
bears), each of these is noted, with the record's line and the file and page:

* an item recorded as received whose file is dated before the request was sent (an old
  version, or the wrong file?);
* an item recorded as outstanding while a file named for it (``85f-...``) is already in the
  case's evidence;
* a document dated after the day the records say it was received.

The date a document bears is the records' own reading where they give one (the documents
catalogue's ``date``), else the one read from the file. These are notes: facts to check,
never errors, and nothing is blocked by them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bundler.case.models import Case, InformationItem, ItemStatus, Resident
from bundler.dates import spoken
from bundler.errors import BundlerError
from bundler.evidence.dated import DateSeen, document_date
from bundler.yamlio import Loc

_RECEIVED = (ItemStatus.RECEIVED, ItemStatus.PARTLY_RECEIVED)


@dataclass(frozen=True)
class EvidenceNote:
    """A note located in a record file: which record (file, location) and what was found."""

    record: str  # "case.yaml" or "residents/R01.yaml"
    loc: Loc
    message: str


def evidence_notes(root: Path, case: Case, residents: dict[str, Resident]
                   ) -> list[EvidenceNote]:
    """Every note the evidence gives about the records, in record order."""
    dated = _Dated(root, case, residents)
    notes = list(_request_notes(root, case, dated))
    notes += _received_notes(case, residents, dated)
    return notes


class _Dated:
    """The date each file bears: the catalogue's, else read from the file (once)."""

    def __init__(self, root: Path, case: Case, residents: dict[str, Resident]) -> None:
        self.root = root
        self.recorded = {entry.file: entry.date for entry in case.documents if entry.date}
        for resident in residents.values():
            self.recorded.update((entry.file, entry.date) for entry in resident.documents
                                 if entry.date)
        self.read: dict[str, DateSeen | None] = {}

    def of(self, name: str) -> tuple[dt.date, str] | None:
        """(date, where it was read: "the documents catalogue" or "page 2")."""
        recorded = self.recorded.get(name)
        if recorded is not None:
            return recorded, "as the documents catalogue records"
        if name not in self.read:
            self.read[name] = _read(self.root / name, name)
        seen = self.read[name]
        return (seen.date, seen.where()) if seen is not None else None


def _read(path: Path, name: str) -> DateSeen | None:
    from bundler.evidence import identify

    try:
        media_type = identify(path, name).media_type
    except (BundlerError, OSError):
        return None
    return document_date(path, media_type)


def _request_notes(root: Path, case: Case, dated: _Dated) -> Iterator[EvidenceNote]:
    request = case.information_request
    if request is None:
        return
    sent = request.requested_date
    named = {path for entry in request.items for path in entry.files}
    evidence = root / "evidence"
    present = sorted(path.relative_to(root).as_posix() for path in evidence.rglob("*")
                     if path.is_file() and ".retired" not in path.relative_to(evidence).parts
                     ) if evidence.is_dir() else []
    for index, entry in enumerate(request.items):
        at: Loc = ("information_request", "items", index)
        if entry.status in _RECEIVED:
            for path in entry.files:
                found = dated.of(path)
                if found is not None and found[0] < sent:
                    yield EvidenceNote("case.yaml", (*at, "files"), (
                        f"{path} is dated {spoken(found[0])} ({found[1]}), before the request "
                        f"was sent on {spoken(sent)}: check it is the current version"))
        elif entry.status is ItemStatus.OUTSTANDING:
            for path in _named_for(entry, present, named):
                yield EvidenceNote("case.yaml", (*at, "status"), (
                    f"{entry.item.value} is outstanding, but {path} is already in the case and "
                    f"its name says para 85({entry.item.value[0]}); if it is this item, list it "
                    "under files and set status: received (or partly_received) with the date"))


def _named_for(entry: InformationItem, present: list[str], named: set[str]) -> list[str]:
    """Evidence files no item lists whose name marks them as answering this item's
    paragraph (85f-..., 85-f-...)."""
    letter = entry.item.value[0]
    prefixes = (f"85{letter}-", f"85{letter}_", f"85-{letter}-", f"85{letter}.")
    return [path for path in present if path not in named
            and Path(path).name.lower().startswith(prefixes)]


def _received_notes(case: Case, residents: dict[str, Resident], dated: _Dated
                    ) -> Iterator[EvidenceNote]:
    """Documents dated (as read from the file) after the day they were received."""
    received: dict[str, tuple[dt.date, str, Loc]] = {}
    if case.information_request is not None:
        for index, entry in enumerate(case.information_request.items):
            if entry.received_date is None:
                continue
            for path in entry.files:
                received.setdefault(path, (entry.received_date, "case.yaml",
                                           ("information_request", "items", index,
                                            "received_date")))
    for index, document in enumerate(case.documents):
        if document.received is not None:
            received[document.file] = (document.received, "case.yaml",
                                       ("documents", index, "received"))
    for reference, resident in sorted(residents.items()):
        for index, document in enumerate(resident.documents):
            if document.received is not None:
                received[document.file] = (document.received, f"residents/{reference}.yaml",
                                           ("documents", index, "received"))
    for path, (day, record, loc) in sorted(received.items()):
        if path in dated.recorded:  # the catalogue's own date: its rules note this already
            continue
        found = dated.of(path)
        if found is not None and found[0] > day:
            yield EvidenceNote(record, loc, (
                f"{path} is dated {spoken(found[0])} ({found[1]}), after it was received on "
                f"{spoken(day)}: check both dates"))
