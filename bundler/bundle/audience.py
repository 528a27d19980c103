"""Who a bundle is for, and what that decides: which documents go in, what is redacted.

Four audiences (the same names on the command line, in specs and manifests):

* ``internal``: the review team: everything, unedited;
* ``tribunal``: the judge's full bundle, unedited, but with what the parties' bundles do not
  show *marked*: documents withheld from the parties say so in their footer band, and what
  is redacted for the parties is outlined in red with its reason code (First-tier Tribunal
  rule 14 practice: the "unedited" bundle);
* ``appeal:REF``: the parties to one Housing Benefit appeal: an edited bundle;
* ``provider``: the provider: an edited bundle.

Every edition of a bundle keeps every document's numbers: a document an audience may not
see leaves a one-page placeholder carrying its page range, so a judge and a party cite the
same pages. The rules come from the spec (``audiences`` on each document, ``redactions``) or,
for a case folder without a spec, from the case records (``casebundle``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bundler.bundle.spec import (
    REASONS,
    BundleSpec,
    DocumentSpec,
    RedactionSpec,
    audience_pattern,
)
from bundler.redact import Matcher, Pattern, Region, Rules, Term
from bundler.redact.terms import DataKind

UNEDITED = ("tribunal", "internal")
PARTIES = "appeal:*"
PARTY_MARKER = "NOT IN THE PARTIES' BUNDLES (rule 14)"
PARTLY_MARKER = "PARTS WITHHELD FROM THE PARTIES: OUTLINED"
REDACTED_MARKER = "REDACTED: SEE THE REDACTION LOG"


def parse_audience(text: str) -> str:
    """``tribunal``, ``provider``, ``internal`` or ``appeal:REF`` (ValueError otherwise)."""
    name = audience_pattern(text)
    if name == PARTIES:
        raise ValueError("appeal:* names every appeal: build for one, e.g. appeal:R01")
    return name


def matches(audience: str, patterns: Sequence[str]) -> bool:
    """Whether ``audience`` is one of ``patterns`` (``appeal:*``: any appeal)."""
    return any(p == audience or (p == PARTIES and audience.startswith("appeal:"))
               for p in patterns)


def describe(audience: str) -> str:
    """The audience in words, for covers and messages."""
    if audience == "internal":
        return "the review team (internal: not for disclosure)"
    if audience == "tribunal":
        return "the tribunal (unedited: includes what the parties' bundles withhold, marked)"
    if audience == "provider":
        return "the provider"
    return f"the parties to appeal {audience.split(':', 1)[1]}"


@dataclass(frozen=True)
class Withheld:
    """Why a document is not in this edition."""

    reason: str  # reason code
    why: str  # plain words, residents by reference only
    basis: str | None = None


@dataclass(frozen=True)
class DocumentEdition:
    """What one document becomes in one edition."""

    withheld: Withheld | None = None
    rules: Rules = field(default_factory=lambda: Rules(Matcher()))  # redacted here
    marks: Rules = field(default_factory=lambda: Rules(Matcher()))  # outlined (tribunal)
    parties_withheld: bool = False  # tribunal: the parties' bundles hold a placeholder
    basis: str | None = None  # the legal basis it goes in on, when consent does not cover it


@dataclass(frozen=True)
class Edition:
    """A bundle for one audience: every document's fate, and the rules in words."""

    audience: str
    documents: tuple[DocumentEdition, ...]
    titles: Matcher  # applied to titles and bookmarks
    reasons: dict[str, str]
    rules: tuple[str, ...]  # what is redacted, in words (never the terms): for the manifest

    @property
    def unedited(self) -> bool:
        """The tribunal's and the review team's editions: nothing withheld from the parties
        is removed (what consent withholds from everyone is)."""
        return self.audience in UNEDITED

    @property
    def removes(self) -> bool:
        return not self.titles.empty

    @property
    def withheld(self) -> frozenset[int]:
        return frozenset(i for i, doc in enumerate(self.documents) if doc.withheld)


def merged(first: Edition, second: Edition) -> Edition:
    """Both editions' rules at once (a bundle.yaml in a case folder: its own rules, and the
    case records' consent): withheld if either withholds, redacted by both."""
    documents = []
    for one, other in zip(first.documents, second.documents, strict=True):
        withheld = other.withheld or one.withheld
        documents.append(DocumentEdition(
            withheld=withheld,
            rules=joined(one.rules, other.rules),
            marks=joined(one.marks, other.marks),
            parties_withheld=one.parties_withheld or other.parties_withheld,
            basis=other.basis or one.basis,
        ))
    return Edition(first.audience, tuple(documents),
                   joined(Rules(first.titles), Rules(second.titles)).matcher,
                   {**first.reasons, **second.reasons}, first.rules + second.rules)


def joined(*rules: Rules) -> Rules:
    """Everything any of ``rules`` removes (each term, pattern, kept phrase, region once)."""
    return Rules(
        Matcher(terms=tuple(dict.fromkeys(t for r in rules for t in r.matcher.terms)),
                patterns=tuple(dict.fromkeys(p for r in rules for p in r.matcher.patterns)),
                keep=tuple(dict.fromkeys(k for r in rules for k in r.matcher.keep))),
        tuple(dict.fromkeys(g for r in rules for g in r.regions)))


def spec_edition(spec: BundleSpec, documents: Sequence[DocumentSpec], audience: str) -> Edition:
    """The edition of a spec for ``audience`` (documents in bundle order)."""
    redactions = spec.redactions or RedactionSpec()
    reasons = {**REASONS, **redactions.reasons}
    own = _rules_for(redactions, audience)
    parties = _rules_for(redactions, PARTIES) if audience == "tribunal" else None
    editions: list[DocumentEdition] = []
    for doc in documents:
        allowed = doc.audiences is None or matches(audience, doc.audiences)
        if not allowed:
            editions.append(DocumentEdition(withheld=Withheld(
                doc.withheld_reason, f"not for {audience} (bundle spec)")))
            continue
        editions.append(DocumentEdition(
            rules=_document_rules(own, redactions, audience, doc.file),
            marks=(_document_rules(parties, redactions, PARTIES, doc.file)
                   if parties is not None else Rules(Matcher())),
            parties_withheld=(audience == "tribunal" and doc.audiences is not None
                              and not any(p.startswith("appeal:") for p in doc.audiences)),
        ))
    return Edition(audience, tuple(editions), own, reasons, _describe_rules(redactions,
                                                                             audience))


def _rules_for(redactions: RedactionSpec, audience: str) -> Matcher:
    def applies(patterns: Sequence[str]) -> bool:
        if audience == PARTIES:
            return any(p.startswith("appeal:") for p in patterns)
        return matches(audience, patterns)

    terms = tuple(Term(t.text, DataKind.NAME if t.kind == "name" else DataKind.TERM, t.reason)
                  for t in redactions.terms if applies(t.audiences))
    patterns = tuple((Pattern(p.pattern), p.reason) for p in redactions.patterns
                     if applies(p.audiences))
    return Matcher(terms=terms, patterns=patterns, keep=tuple(redactions.keep))


def _document_rules(matcher: Matcher, redactions: RedactionSpec, audience: str,
                    file: str) -> Rules:
    regions = tuple(
        Region(r.page, r.box.left, r.box.top, r.box.width, r.box.height, r.reason)
        for r in redactions.regions
        if r.file == file and (matches(audience, r.audiences) if audience != PARTIES
                               else any(p.startswith("appeal:") for p in r.audiences)))
    return Rules(matcher, regions)


def _describe_rules(redactions: RedactionSpec, audience: str) -> tuple[str, ...]:
    """The rules applied, in words: counts and kinds, never the terms themselves."""
    if audience in UNEDITED:
        return ()
    lines: list[str] = []
    terms = [t for t in redactions.terms if matches(audience, t.audiences)]
    for kind in ("name", "term"):
        for reason in sorted({t.reason for t in terms if t.kind == kind}):
            count = sum(1 for t in terms if t.kind == kind and t.reason == reason)
            what = "name" if kind == "name" else "listed term"
            lines.append(f"{count} {what}{'s' if count != 1 else ''} from the bundle spec "
                         f"({reason})")
    for rule in redactions.patterns:
        if matches(audience, rule.audiences):
            lines.append(f"every {Pattern(rule.pattern).kind.value} ({rule.reason})")
    for region in redactions.regions:
        if matches(audience, region.audiences):
            box = region.box
            lines.append(f"region on page {region.page} of {region.file}: {box.width:g} x "
                         f"{box.height:g} mm at {box.left:g} mm from the left, {box.top:g} mm "
                         f"from the top ({region.reason})")
    if redactions.keep:
        lines.append(f"{len(redactions.keep)} published phrase(s) never redacted by pattern")
    return tuple(lines)
