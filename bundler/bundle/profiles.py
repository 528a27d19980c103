"""Court and tribunal profiles: what a bundle must be for whom it is sent to.

A profile sets how `bundle build` numbers and limits a bundle, and how strictly `bundle
check` holds each rule (FAIL where the practice requires it, WARN where it only
recommends). The rules come from the published practice (domain brief, "Courts' and
tribunals' bundle rules"):

* ``judiciary-2021``: the judiciary's General guidance on electronic court bundles
  (29 November 2021; courts, not tribunals): PDF; computer-generated numbering from 1 on the
  first page, so the printed number is the PDF page number; every index entry hyperlinked;
  every document and section bookmarked, the bookmark giving its page number; OCR for typed
  text; pages in their original orientation; 100% default view; images at most 300 dpi;
  core bundles made the same way; additions at the end.
* ``pd27a``: Practice Direction 27A (Family Procedure Rules), as in force when this was
  written (its March 2026 revision could not be read here): A4, paginated and indexed,
  documents in sections separately paginated (A1, B1...), at most 350 pages without the
  court's permission, and page limits for the preliminary documents (para 5.2A.1).
* ``sscs``: the First-tier Tribunal (Social Entitlement Chamber): one PDF numbered from 1
  on the first page, the numbers a judge and the parties cite, further additions at the end
  with new numbers (supplementary bundles), edited and unedited bundles with the same page
  numbers.
* ``general``: what this toolkit always makes; the default.

Limits that a practice leaves to the court (file size, pages) are given with ``--max-mb``
and ``--max-pages``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bundler.errors import BadInput


class Level(StrEnum):
    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Profile:
    name: str
    title: str  # what the rules come from, for the report
    numbering: str | None  # what build uses: continuous | sectioned (None: the user's choice)
    printed: str  # what a page's printed number must equal: page | label | either
    max_pages: int | None = None
    max_mb: float | None = None
    max_dpi: int = 300
    ocr: bool = False  # build reads scans (--ocr); pages without text FAIL rather than WARN
    a4: Level = Level.WARN  # a page that is not A4 (portrait or landscape)
    fit_a4: bool = False  # build fits pages that are not A4 onto A4 sheets (``paper``)
    labels: Level = Level.WARN  # no /PageLabels
    opening: Level = Level.WARN  # not opening at page 1 at 100%
    bookmark_pages: Level | None = None  # a document's bookmark without its page number
    # (title words, most pages): documents the practice limits in length
    document_limits: tuple[tuple[str, int], ...] = ()
    note: str = ""  # said at the top of the report


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            name="general",
            title="this toolkit's own rules",
            numbering=None,
            printed="either",
        ),
        Profile(
            name="judiciary-2021",
            title="General guidance on electronic court bundles (judiciary, November 2021)",
            numbering="continuous",
            printed="page",
            ocr=True,
            opening=Level.FAIL,
            bookmark_pages=Level.FAIL,
            note="for courts; tribunals have their own practice (use sscs for the "
            "Social Entitlement Chamber)",
        ),
        Profile(
            name="pd27a",
            title="Practice Direction 27A, family court bundles",
            numbering="sectioned",
            printed="label",
            max_pages=350,
            a4=Level.FAIL,
            fit_a4=True,
            labels=Level.FAIL,
            bookmark_pages=Level.WARN,
            document_limits=(
                ("case summary", 6), ("statement of issues", 2), ("position statement", 3),
                ("chronology", 10), ("skeleton argument", 20), ("essential reading", 1),
                ("witness statement", 25), ("affidavit", 25), ("expert", 40),
                ("care plan", 10),
            ),
            note="the 350-page limit and document lengths apply unless the court has "
            "directed otherwise",
        ),
        Profile(
            name="sscs",
            title="First-tier Tribunal (Social Entitlement Chamber) practice",
            numbering="continuous",
            printed="page",
            ocr=True,
        ),
    )
}
DEFAULT_PROFILE = "general"


def get_profile(name: str | None) -> Profile:
    """The profile called ``name`` (the default when None); BadInput naming the choices."""
    key = (name or DEFAULT_PROFILE).strip().lower()
    found = PROFILES.get(key)
    if found is None:
        raise BadInput(f"profile {name!r} is not one of {', '.join(PROFILES)}",
                       "Give --profile judiciary-2021, pd27a, sscs or general.")
    return found


def with_limits(profile: Profile, max_pages: int | None, max_mb: float | None) -> Profile:
    """The profile with the limits a court directed (--max-pages, --max-mb) in place of its own."""
    from dataclasses import replace

    return replace(profile,
                   max_pages=max_pages if max_pages is not None else profile.max_pages,
                   max_mb=max_mb if max_mb is not None else profile.max_mb)


def build_choices(profile: Profile, numbering: str | None, ocr: bool) -> tuple[str | None, bool]:
    """The numbering and OCR a build uses under ``profile``: its numbering unless the user
    chose the same, its OCR (reading scans) on top of --ocr. A contrary --numbering is
    refused: the bundle would fail the profile's own check."""
    if profile.numbering is not None and numbering not in (None, profile.numbering):
        raise BadInput(f"--numbering {numbering} contradicts --profile {profile.name}, which "
                       f"numbers pages {profile.numbering}",
                       f"Leave out --numbering: {profile.name} sets it.")
    return numbering or profile.numbering, ocr or profile.ocr
