"""Where cited evidence is in a bundle: a file and its pages -> bundle page labels (para 146).

Findings, recommendations and the chronology's events cite documents as the case records
name them: a file, optionally pages of it (counting the file's first page as 1) and a quoted
passage. Once the bundle is planned, each citation becomes the labels of those pages in this
bundle (``23-24``), each range a link to its first page. A citation of a file this bundle
does not hold, or of pages the document does not have, is a problem the build warns about
(``--strict`` refuses). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bundler.bundle.frontmatter import Citation, PageLink
from bundler.bundle.manifest import CitedRecord
from bundler.bundle.plan import Plan, label_span

WITHHELD = "withheld from this edition"


@dataclass(frozen=True)
class Placement:
    """What the bundle holds, in bundle order: each document's file, title and pages."""

    sources: tuple[str, ...]
    titles: tuple[str, ...]
    pages: tuple[int, ...]  # each document's own page count (before an edition withholds it)
    withheld: frozenset[int] = frozenset()
    # every citation drawn at its longest (as cited and as withheld at once): the front matter
    # each edition of a bundle pads its own to, so no edition's pages move
    bound: bool = False

    def position(self, source: str) -> int | None:
        try:
            return self.sources.index(source)
        except ValueError:
            return None


def resolve(cited: CitedRecord, placement: Placement, plan: Plan
            ) -> tuple[CitedRecord, Citation, list[str]]:
    """The citation with its bundle page labels, as drawn, and what is wrong with it."""
    position = placement.position(cited.source)
    if position is None:
        return (cited.model_copy(update={"bundle_pages": ""}),
                Citation((), cited.source, cited.quote, "not in this bundle"),
                [f"cites {cited.source}, which is not in this bundle"])
    planned = plan.documents[position]
    title = f"doc {planned.number}  {placement.titles[position]}"
    if position in placement.withheld:
        link = PageLink(planned.first_label, position, 0)
        return (cited.model_copy(update={"bundle_pages": planned.first_label}),
                Citation((link,), title, None, WITHHELD), [])
    count = placement.pages[position]
    problems: list[str] = []
    from bundler.case.models import page_numbers  # (here: a plain bundle never needs it)

    ranges = ([(first, max(first, last)) for first, last in page_numbers(cited.pages)]
              if cited.pages else [(1, count)])
    beyond = [(first, last) for first, last in ranges if last > count]
    if beyond:
        problems.append(f"cites pages {cited.pages} of {cited.source}, which has {count} "
                        f"page{'s' if count != 1 else ''}")
        ranges = [(first, min(last, count)) for first, last in ranges if first <= count] or [
            (1, count)]
    labels = plan.labels
    links = tuple(
        PageLink(label_span(labels[planned.first_page - 2 + first],
                            labels[planned.first_page - 2 + last]), position, first - 1)
        for first, last in ranges
    )
    printed = ", ".join(link.text for link in links)
    if placement.bound:
        whole = label_span(planned.first_label, planned.last_label)
        if len(whole) > len(printed):
            links = (PageLink(whole, position, 0),)
        return cited, Citation(links, title, cited.quote, WITHHELD), problems
    return (cited.model_copy(update={"bundle_pages": printed}),
            Citation(links, title, cited.quote), problems)


def resolve_all(citations: Sequence[CitedRecord], placement: Placement, plan: Plan
                ) -> tuple[list[CitedRecord], tuple[Citation, ...], list[str]]:
    records: list[CitedRecord] = []
    drawn: list[Citation] = []
    problems: list[str] = []
    for cited in citations:
        record, citation, found = resolve(cited, placement, plan)
        records.append(record)
        drawn.append(citation)
        problems += found
    return records, tuple(drawn), problems
