"""Page numbering of a bundle: pure functions, no I/O.

Two schemes (issue 3; domain brief, "Court and tribunal bundle practice"):

* ``continuous`` (default): every page from the cover to the certificate is numbered
  1..N, equal to the PDF page number.
* ``sectioned``: front matter i, ii, ...; each section's pages A1, A2, ..., B1, ...; the
  integrity certificate ``cert-1``, ... . Later additions go in a new section, so pages
  already cited never move.

A supplementary bundle (``Continuation``) adds late documents without moving any page of
the bundles it follows: its document pages continue the earlier numbers (continuous:
after the earlier bundle's last page, its certificate included; sectioned: A17, A18... in an existing section,
1 in a new one), and its own cover, index and certificate are numbered ``S1-i``, ``S1-ii``...
(``S2-`` for the second supplement), which no earlier page can carry.

The same ranges drive the stamps and the PDF ``/PageLabels``, so the number in the
viewer's page box is always the number stamped on the page.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bundler.bundle.spec import CERTIFICATE_PREFIX

LOG_PREFIX = "log-"  # page-label prefix of the redaction log


class Numbering(StrEnum):
    CONTINUOUS = "continuous"
    SECTIONED = "sectioned"


class LabelStyle(StrEnum):
    """PDF page-label numbering styles (ISO 32000-1, 12.4.2)."""

    DECIMAL = "/D"
    LOWER_ROMAN = "/r"
    NONE = ""  # the label is its prefix alone (a withheld document's placeholder: "45-51")


@dataclass(frozen=True)
class LabelRange:
    """Pages from ``start`` (0-based) up to the next range share a prefix and style."""

    start: int
    style: LabelStyle
    prefix: str
    first: int  # the number of the range's first page

    def label(self, offset: int) -> str:
        if self.style is LabelStyle.NONE:
            return self.prefix
        value = self.first + offset
        number = roman(value) if self.style is LabelStyle.LOWER_ROMAN else str(value)
        return f"{self.prefix}{number}"


@dataclass(frozen=True)
class Continuation:
    """Where a supplementary bundle's numbers start, so earlier pages never move."""

    own_prefix: str  # "S1-": label prefix of the supplement's cover, index and certificate
    next_page: int = 1  # continuous: number of the first document page
    next_document: int = 1  # continuous: number of the first document
    # sectioned: section label -> (next page number, next document number) in that section
    sections: tuple[tuple[str, int, int], ...] = ()

    def section_start(self, label: str) -> tuple[int, int]:
        for name, page, document in self.sections:
            if name == label:
                return page, document
        return 1, 1


@dataclass(frozen=True)
class SectionInput:
    label: str
    title: str
    document_pages: tuple[int, ...]


@dataclass(frozen=True)
class PlannedDocument:
    section: str
    number: int | str  # 1, 2, ... (continuous) or "A1", "A2", ... (sectioned)
    first_page: int  # 1-based physical page in the bundle
    last_page: int
    first_label: str
    last_label: str

    @property
    def pages(self) -> int:
        return self.last_page - self.first_page + 1


@dataclass(frozen=True)
class PlannedSection:
    label: str
    title: str
    first_page: int  # 1-based
    last_page: int


@dataclass(frozen=True)
class Plan:
    numbering: Numbering
    front_pages: int  # cover + index
    certificate_pages: int
    labels: tuple[str, ...]  # one per physical page, index 0 = page 1
    ranges: tuple[LabelRange, ...]
    sections: tuple[PlannedSection, ...]
    documents: tuple[PlannedDocument, ...]
    log_pages: int = 0  # the redaction log, between the documents and the certificate

    @property
    def total_pages(self) -> int:
        return len(self.labels)

    @property
    def certificate_first_page(self) -> int:
        return self.total_pages - self.certificate_pages + 1

    @property
    def log_first_page(self) -> int:
        return self.certificate_first_page - self.log_pages


def roman(value: int) -> str:
    """Lower-case roman numeral of a positive integer."""
    if value <= 0:
        raise ValueError("roman numerals start at 1")
    numerals = (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    )
    out = []
    for amount, text in numerals:
        count, value = divmod(value, amount)
        out.append(text * count)
    return "".join(out)


def plan_bundle(
    sections: Sequence[SectionInput],
    *,
    front_pages: int,
    certificate_pages: int,
    numbering: Numbering = Numbering.CONTINUOUS,
    continuation: Continuation | None = None,
    withheld: Collection[int] = (),
    log_pages: int = 0,
    first_number: int = 1,
    first_document: int = 1,
) -> Plan:
    """Number every page: front matter, then each section's documents, then the redaction
    log (``log_pages``, labelled ``log-1``...) and the certificate.

    Documents at the positions in ``withheld`` (0-based, in bundle order) keep their numbers
    but take one page: a placeholder labelled with the whole range they would have had
    (``45-51``), so every later page keeps the number it has in the unedited bundle. With
    ``continuation`` the plan is a supplementary bundle's (see the module's notes). With
    ``first_number`` and ``first_document`` (continuous numbering) the pages and documents are
    numbered from them: a later volume of a set goes on from the volume before.
    """
    if front_pages < 1 or certificate_pages < 1 or log_pages < 0:
        raise ValueError("a bundle has at least a cover and a certificate page")
    if any(pages < 1 for section in sections for pages in section.document_pages):
        raise ValueError("every document has at least one page")
    own = continuation.own_prefix if continuation is not None else ""
    front_style = (LabelStyle.DECIMAL if continuation is None and numbering is
                   Numbering.CONTINUOUS else LabelStyle.LOWER_ROMAN)
    start = first_number if continuation is None and numbering is Numbering.CONTINUOUS else 1
    pages: list[tuple[LabelStyle, str, int]] = [
        (front_style, own, number) for number in range(start, start + front_pages)]
    number = (continuation.next_page if continuation is not None else start + front_pages)
    planned_sections: list[PlannedSection] = []
    documents: list[PlannedDocument] = []
    doc_counter = (continuation.next_document - 1 if continuation is not None
                   else first_document - 1)
    position = 0
    for section in sections:
        section_start = len(pages)
        first_page, first_doc = (
            continuation.section_start(section.label) if continuation is not None else (1, 1)
        )
        prefix = ""
        if numbering is Numbering.SECTIONED:
            number, prefix = first_page, section.label
        for document_number, count in enumerate(section.document_pages, start=first_doc):
            doc_counter += 1
            name: int | str = (
                doc_counter if numbering is Numbering.CONTINUOUS
                else f"{section.label}{document_number}"
            )
            first_label, last_label = f"{prefix}{number}", f"{prefix}{number + count - 1}"
            start = len(pages) + 1
            if position in withheld:
                span = label_span(first_label, last_label)
                pages.append((LabelStyle.NONE, span, 0))
                first_label = last_label = span
            else:
                pages.extend((LabelStyle.DECIMAL, prefix, n) for n in range(number,
                                                                            number + count))
            documents.append(PlannedDocument(section.label, name, start, len(pages),
                                             first_label, last_label))
            number += count
            position += 1
        planned_sections.append(PlannedSection(section.label, section.title, section_start + 1,
                                               len(pages)))
    pages.extend((LabelStyle.DECIMAL, f"{own}{LOG_PREFIX}", n)
                 for n in range(1, log_pages + 1))
    if continuation is not None:  # the certificate continues the supplement's own numbers
        pages.extend((LabelStyle.LOWER_ROMAN, own, n)
                     for n in range(front_pages + 1, front_pages + 1 + certificate_pages))
    elif numbering is Numbering.SECTIONED:
        pages.extend((LabelStyle.DECIMAL, CERTIFICATE_PREFIX, n)
                     for n in range(1, certificate_pages + 1))
    else:
        pages.extend((LabelStyle.DECIMAL, "", n) for n in range(number, number +
                                                                 certificate_pages))
    ranges = _ranges(pages)
    return Plan(
        numbering=numbering,
        front_pages=front_pages,
        certificate_pages=certificate_pages,
        labels=tuple(_labels(ranges, len(pages))),
        ranges=tuple(ranges),
        sections=tuple(planned_sections),
        documents=tuple(documents),
        log_pages=log_pages,
    )


def _ranges(pages: Sequence[tuple[LabelStyle, str, int]]) -> list[LabelRange]:
    """The fewest label ranges giving each page its (style, prefix, number)."""
    ranges: list[LabelRange] = []
    previous: tuple[LabelStyle, str, int] | None = None
    for index, (style, prefix, number) in enumerate(pages):
        continues = (previous is not None and style is not LabelStyle.NONE
                     and previous[0] is style and previous[1] == prefix
                     and previous[2] + 1 == number)
        if not continues:
            ranges.append(LabelRange(index, style, prefix, number if style is not
                                     LabelStyle.NONE else 1))
        previous = (style, prefix, number)
    return ranges


def _labels(ranges: Sequence[LabelRange], total: int) -> list[str]:
    labels: list[str] = []
    for position, current in enumerate(ranges):
        end = ranges[position + 1].start if position + 1 < len(ranges) else total
        labels.extend(current.label(offset) for offset in range(end - current.start))
    return labels


def label_span(first: str, last: str) -> str:
    """'5' or '5-12' / 'A1-A9' as printed in the index."""
    return first if first == last else f"{first}\u2013{last}"
