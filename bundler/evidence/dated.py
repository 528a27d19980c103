"""The date a document bears, read from the file itself (``bundler validate --evidence``).

Where a machine can tell: an e-mail's Date header; in a PDF or a text note, a date labelled
as the document's ("Date:", "Dated", "Date of issue", "Signed", "Sent"), else the first date
on its first page that has one. Dates are read as a UK reader reads them (3/11/2026 is
3 November). Scans without a text layer, pictures and Word files are not read (Word's page
breaks are LibreOffice's to make), so nothing is said about them.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass
from pathlib import Path

from bundler.dates import read_loosely

PAGES_READ = 3  # a document's own date is on its first pages
_MAX_EMAIL_BYTES = 2 << 20  # headers come first: only this much is read
_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?")
_CANDIDATE = re.compile(
    r"(?<![\w/.-])(?:"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"  # 3 November 2026
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"  # November 3, 2026
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{4}"  # 03/11/2026
    r"|\d{4}-\d{2}-\d{2}"  # 2026-11-03
    r")(?![\w/-])",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"\b(?:date(?:d| of (?:issue|agreement|policy|assessment|review|referral|plan|letter|"
    r"inspection))?|issued|signed|sent|effective from)\s*(?:on\s*)?[:\-\u2013]?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateSeen:
    """A date read in a file: the day, the page it is on (None: a whole-file date such as an
    e-mail's header) and how it was written."""

    date: dt.date
    page: int | None
    text: str

    def where(self) -> str:
        return f"page {self.page}" if self.page is not None else "its header"


def document_date(path: Path, media_type: str) -> DateSeen | None:
    """The date the document bears, or None when none can be read."""
    try:
        if media_type == "message/rfc822":
            return _email_date(path)
        if media_type == "application/pdf":
            return _first_date(_pdf_pages(path))
        if media_type == "text/plain":
            return _first_date([path.read_text("utf-8", errors="replace")])
    except Exception:  # a file the bundle's own checks would refuse: nothing can be said
        return None
    return None


def _email_date(path: Path) -> DateSeen | None:
    with path.open("rb") as handle:
        message = email.message_from_bytes(handle.read(_MAX_EMAIL_BYTES),
                                           policy=email.policy.compat32)
    header = message.get("Date")
    if not header:
        return None
    parsed = email.utils.parsedate_to_datetime(str(header))
    return DateSeen(parsed.date(), None, str(header).strip())


def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    from bundler.evidence.pdfopen import pypdf_messages

    with pypdf_messages():
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        return [page.extract_text() or "" for page in reader.pages[:PAGES_READ]]


def dates_in(text: str) -> list[tuple[dt.date, str, bool]]:
    """Every real date written in ``text``: (day, as written, labelled as the document's)."""
    found = []
    for match in _CANDIDATE.finditer(text):
        written = " ".join(match.group(0).split())
        day, _looks = read_loosely(re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", written))
        if day is None:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        labelled = _LABEL.search(text[line_start:match.start()]) is not None
        found.append((day, written, labelled))
    return found


def _first_date(pages: list[str]) -> DateSeen | None:
    """A labelled date on the first pages, else the first date of the first page with one."""
    first: DateSeen | None = None
    for number, text in enumerate(pages, start=1):
        for day, written, labelled in dates_in(text):
            if labelled:
                return DateSeen(day, number, written)
            if first is None:
                first = DateSeen(day, number, written)
    return first
