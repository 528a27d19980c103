"""Who may see a resident's data: their consent (para 97) on a date, and recorded legal bases.

``may_disclose(resident, kind, audience, on)`` answers "may resident R's data of kind K go
to audience A on date D?" with a ``Decision`` that says why, so that a bundle's redaction
log can cite it. The rules are the table ``NEEDED`` below: for each audience and kind of
data, the consent statements the resident must have agreed to (and not withdrawn) on that
date. Where consent does not cover a disclosure, a ``disclosures`` entry in the resident's
file (a legal basis such as UK GDPR Art. 9(2)(f), who decided it and when) can; nothing
else does.

Audiences (the same names everywhere: CLI ``--audience``, manifests, the web app):

* ``internal``: the council's review team, which holds the records already: always;
* ``tribunal``: the judge's full bundle: needs ``use_in_proceedings``;
* ``appeal:REF``: the parties to one Housing Benefit appeal (REF is the appeal's reference
  or the appellant resident's, e.g. ``appeal:R01``): the resident whose appeal it is as for
  the tribunal; any other resident never by name (``identity``), and their other data only
  with ``use_in_proceedings`` (the consent form says their name is then taken out);
* ``provider``: never interview notes or anything identifying; what residents said
  (``views``) only with ``share_with_provider``; their records only with ``records`` and
  ``share_with_provider``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bundler.case.models import (
    ConsentMethod,
    ConsentStatement,
    DataKind,
    Disclosure,
    Resident,
)
from bundler.errors import UsageError


class AudienceKind(StrEnum):
    INTERNAL = "internal"
    TRIBUNAL = "tribunal"
    APPEAL = "appeal"
    PROVIDER = "provider"


_AUDIENCE = re.compile(r"^(tribunal|provider|internal|appeal:([A-Za-z0-9][A-Za-z0-9/_.-]*))$")


@dataclass(frozen=True)
class Audience:
    """Who a bundle or letter is for."""

    kind: AudienceKind
    appeal: str | None = None
    """For ``appeal:REF``: REF (an appeal reference, or the appellant resident's reference)."""

    @classmethod
    def parse(cls, text: str) -> Audience:
        """``tribunal``, ``provider``, ``internal`` or ``appeal:REF``; UsageError otherwise."""
        match = _AUDIENCE.match(text.strip())
        if match is None:
            raise UsageError(
                f"{text!r} is not an audience",
                "Use tribunal, provider, internal, or appeal:REF (the appeal's reference or the "
                "appellant's resident reference, e.g. appeal:R01).",
            )
        if match.group(2):
            return cls(AudienceKind.APPEAL, match.group(2))
        return cls(AudienceKind(match.group(1)))

    def __str__(self) -> str:
        return f"appeal:{self.appeal}" if self.kind is AudienceKind.APPEAL else self.kind.value


_PROCEEDINGS = ConsentStatement.USE_IN_PROCEEDINGS
_RECORDS = ConsentStatement.RECORDS
_INTERVIEW = ConsentStatement.INTERVIEW
_SHARE = ConsentStatement.SHARE_WITH_PROVIDER

# (audience, the resident's own appeal?) -> kind -> statements needed (None: consent never covers it)
NEEDED: dict[tuple[AudienceKind, bool], dict[DataKind, frozenset[ConsentStatement] | None]] = {
    (AudienceKind.INTERNAL, False): {kind: frozenset() for kind in DataKind},
    (AudienceKind.TRIBUNAL, False): {
        DataKind.RECORDS: frozenset({_RECORDS, _PROCEEDINGS}),
        DataKind.INTERVIEW: frozenset({_INTERVIEW, _PROCEEDINGS}),
        DataKind.VIEWS: frozenset({_INTERVIEW, _PROCEEDINGS}),
        DataKind.IDENTITY: frozenset({_PROCEEDINGS}),
    },
    (AudienceKind.APPEAL, True): {
        DataKind.RECORDS: frozenset({_RECORDS, _PROCEEDINGS}),
        DataKind.INTERVIEW: frozenset({_INTERVIEW, _PROCEEDINGS}),
        DataKind.VIEWS: frozenset({_INTERVIEW, _PROCEEDINGS}),
        DataKind.IDENTITY: frozenset(),  # the appeal is about them: the parties know who they are
    },
    (AudienceKind.APPEAL, False): {
        DataKind.RECORDS: frozenset({_RECORDS, _PROCEEDINGS}),
        DataKind.INTERVIEW: frozenset({_INTERVIEW, _PROCEEDINGS}),
        DataKind.VIEWS: frozenset({_INTERVIEW, _PROCEEDINGS}),
        DataKind.IDENTITY: None,
    },
    (AudienceKind.PROVIDER, False): {
        DataKind.RECORDS: frozenset({_RECORDS, _SHARE}),
        DataKind.INTERVIEW: None,
        DataKind.VIEWS: frozenset({_INTERVIEW, _SHARE}),
        DataKind.IDENTITY: None,
    },
}


@dataclass(frozen=True)
class Decision:
    """The answer, and why: for messages and a bundle's redaction log."""

    allowed: bool
    reason: str
    basis: Disclosure | None = None
    """The recorded legal basis relied on, when consent alone did not cover it."""

    def __bool__(self) -> bool:
        return self.allowed


def is_appellant(resident: Resident, audience: Audience) -> bool:
    """Whether ``appeal:REF`` is this resident's own appeal (by resident or appeal reference)."""
    if audience.kind is not AudienceKind.APPEAL or audience.appeal is None:
        return False
    if audience.appeal == resident.reference:
        return True
    hb = resident.housing_benefit
    return hb is not None and hb.appeal is not None and hb.appeal.reference == audience.appeal


def appeal_resident(residents: Mapping[str, Resident], audience: Audience) -> Resident | None:
    """The resident whose Housing Benefit appeal ``appeal:REF`` is, or None."""
    found = [r for _, r in sorted(residents.items()) if is_appellant(r, audience)]
    return found[0] if found else None


def _words(statements: frozenset[ConsentStatement]) -> str:
    return " and ".join(s.value for s in ConsentStatement if s in statements)


def may_disclose(
    resident: Resident, kind: DataKind, audience: Audience | str, on: dt.date
) -> Decision:
    """May ``resident``'s data of ``kind`` go to ``audience`` on ``on``?"""
    target = Audience.parse(audience) if isinstance(audience, str) else audience
    own = is_appellant(resident, target)
    needed = NEEDED[(target.kind, own)][kind]
    ref = resident.reference
    consent = resident.consent
    agreed = consent.agreed_on(on)
    if needed is not None and needed <= agreed:
        if not needed:
            why = (
                "the review team holds it" if target.kind is AudienceKind.INTERNAL
                else "the appeal is the resident's own"
            )
            return Decision(True, f"{ref}: {why}")
        return Decision(True, f"{ref} agreed to {_words(needed)} ({consent.method.value} consent)")
    for disclosure in resident.disclosures:
        if (
            disclosure.audience == str(target)
            and kind in disclosure.covers()
            and disclosure.decided_on <= on
        ):
            return Decision(
                True,
                f"{ref}: {disclosure.basis}, decided by {disclosure.decided_by} on "
                f"{disclosure.decided_on.isoformat()}",
                disclosure,
            )
    if needed is None:
        return Decision(False, f"{ref}'s {kind.value} never go to {target} without a recorded legal basis")
    if consent.method is ConsentMethod.DECLINED:
        return Decision(False, f"{ref} declined consent")
    if consent.method is ConsentMethod.NOT_ASKED:
        return Decision(False, f"{ref} has not been asked for consent yet")
    if consent.date is None or consent.date > on:
        return Decision(False, f"{ref} had not given consent by {on.isoformat()}")
    withdrawn = consent.withdrawn
    missing = needed - agreed
    if withdrawn is not None and withdrawn.date <= on and missing & withdrawn.withdrawn():
        return Decision(
            False, f"{ref} withdrew consent to {_words(missing & withdrawn.withdrawn())} on "
            f"{withdrawn.date.isoformat()}"
        )
    return Decision(False, f"{ref} did not agree to {_words(missing)}")
