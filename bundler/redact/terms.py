"""What to redact in text: listed terms (names...) and patterns, found in a run of words.

Matching works on *tokens*: each word is folded (case, accents, the letters NFKD does not
decompose such as Ł and ø, curly apostrophes) and split into runs of letters and digits. A
term matches a sequence of consecutive tokens, so "Zoë Adebayo-Marsh" is found as
"ZOE ADEBAYO MARSH", across a line break, or as "Adebayo-Marsh's"; the whole words it
touches are redacted. Words read by OCR may differ from a term of five letters or more by
one letter ("Dmitn" for "Dmitri"): scans are redacted too generously rather than too little.

Patterns (National Insurance numbers, UK telephone numbers, e-mail addresses, room numbers,
dates of birth) are regular expressions over the words joined by single spaces. A match
inside a *kept* phrase is left: a staff member who shares a resident's first name ("Zoë
Lindqvist" when "Zoë" is redacted), an organisation's published telephone number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class DataKind(StrEnum):
    """The kind of data a redaction removes (printed in the redaction log)."""

    NAME = "name"
    TERM = "listed term"
    ROOM = "room number"
    DATE_OF_BIRTH = "date of birth"
    NI_NUMBER = "National Insurance number"
    PHONE = "telephone number"
    EMAIL = "e-mail address"
    REGION = "marked region"


class Pattern(StrEnum):
    """Kinds of personal data found by pattern (``patterns:`` in a spec)."""

    ROOM = "room_number"
    DATE_OF_BIRTH = "date_of_birth"
    NI_NUMBER = "ni_number"
    PHONE = "phone"
    EMAIL = "email"

    @property
    def kind(self) -> DataKind:
        return _PATTERN_KINDS[self]


_PATTERN_KINDS = {
    Pattern.ROOM: DataKind.ROOM,
    Pattern.DATE_OF_BIRTH: DataKind.DATE_OF_BIRTH,
    Pattern.NI_NUMBER: DataKind.NI_NUMBER,
    Pattern.PHONE: DataKind.PHONE,
    Pattern.EMAIL: DataKind.EMAIL,
}

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = (rf"(?:\d{{1,2}}(?:st|nd|rd|th)?[ ./-]?{_MONTH}\.?,?[ ./-]?\d{{2,4}}"
         r"|\d{1,2} ?[./-] ?\d{1,2} ?[./-] ?\d{2,4}|\d{4}-\d{2}-\d{2})")
# The part of each match in group "hit" is redacted; the words around it stay.
_PATTERNS: dict[Pattern, re.Pattern[str]] = {
    Pattern.EMAIL: re.compile(
        r"(?<![\w.+-])(?P<hit>[\w.+'-]+ ?@ ?[\w-]+(?:\.[\w-]+)+)", re.IGNORECASE),
    # HMRC's format: two prefix letters (not D F I Q U V; second not O; not BG GB KN NK NT TN
    # ZZ), six digits, suffix A-D; often written in pairs
    Pattern.NI_NUMBER: re.compile(
        r"(?<![\w])(?P<hit>(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?"
        r"\d{2} ?\d{2} ?\d{2} ?[A-D])(?![\w])", re.IGNORECASE),
    Pattern.ROOM: re.compile(
        r"(?<![\w])(?:room|rm\.?|bedroom|flat|bedsit|unit)(?: ?(?:no\.?|number|#))? ?"
        r"(?P<hit>\d{1,4}[a-z]?)(?![\w])", re.IGNORECASE),
    Pattern.DATE_OF_BIRTH: re.compile(
        r"(?<![\w])(?:date of birth|birth ?date|d\.? ?o\.? ?b\.?|born(?: on)?)[ :.-]*"
        rf"(?P<hit>{_DATE})(?![\w])", re.IGNORECASE),
}

_FOLD = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss", "æ": "ae",
    "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "ħ": "h", "þ": "th", "ð": "d",
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-", "\u2013": "-",
    "\u00a0": " ",
})
_TOKEN = re.compile(r"[^\W_]+")
FUZZY_MIN_LENGTH = 5  # OCR may misread one letter of a term at least this long


def fold(text: str) -> str:
    """Lower case, without accents: what matching compares (Ł -> l, ß -> ss, Zoë -> zoe)."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.translate(_FOLD).casefold()


def tokens(text: str) -> list[str]:
    """The folded runs of letters and digits of ``text``."""
    return _TOKEN.findall(fold(text))


@dataclass(frozen=True)
class Term:
    """A listed word or phrase to remove wherever it appears."""

    text: str
    kind: DataKind
    reason: str  # reason code, e.g. TP

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(tokens(self.text))


@dataclass(frozen=True)
class Matcher:
    """Everything that marks text for one audience: terms, patterns and kept phrases."""

    terms: tuple[Term, ...] = ()
    patterns: tuple[tuple[Pattern, str], ...] = ()  # (pattern, reason code)
    keep: tuple[str, ...] = ()  # phrases never redacted: staff names, published numbers

    @property
    def empty(self) -> bool:
        return not self.terms and not self.patterns


@dataclass(frozen=True)
class Hit:
    """Words ``first``..``last`` (inclusive, indexes into the words searched) to redact."""

    first: int
    last: int
    kind: DataKind
    reason: str


def find_hits(words: Sequence[str], matcher: Matcher, *, fuzzy: bool = False) -> list[Hit]:
    """Every run of ``words`` the matcher marks, in order (terms first at a place)."""
    if matcher.empty or not words:
        return []
    hits = _term_hits(words, matcher.terms, fuzzy)
    if matcher.patterns:
        hits.extend(_pattern_hits(words, matcher.patterns))
    if matcher.keep:
        kept = _kept_words(words, matcher.keep)
        hits = [h for h in hits if not any(first <= h.first and h.last <= last
                                           for first, last in kept)]
    return sorted(set(hits), key=lambda h: (h.first, h.last, h.kind.value, h.reason))


def _kept_words(words: Sequence[str], keep: Sequence[str]) -> list[tuple[int, int]]:
    """Runs of words that spell a kept phrase (a staff member's name, a published number)."""
    phrases = tuple(Term(phrase, DataKind.TERM, "") for phrase in keep)
    return [(hit.first, hit.last) for hit in _term_hits(words, phrases, False)]


def _term_hits(words: Sequence[str], terms: Iterable[Term], fuzzy: bool) -> list[Hit]:
    flat: list[str] = []
    owner: list[int] = []
    for index, word in enumerate(words):
        for token in tokens(word):
            flat.append(token)
            owner.append(index)
    hits: list[Hit] = []
    if not flat:
        return hits
    starts: dict[str, list[int]] = {}
    for position, token in enumerate(flat):
        starts.setdefault(token, []).append(position)
    for term in terms:
        wanted = term.tokens
        if not wanted:
            continue
        if fuzzy:
            candidates: Iterable[int] = range(len(flat) - len(wanted) + 1)
        else:
            candidates = starts.get(wanted[0], ())
        for start in candidates:
            if start + len(wanted) > len(flat):
                continue
            if all(_same(flat[start + i], want, fuzzy) for i, want in enumerate(wanted)):
                hits.append(Hit(owner[start], owner[start + len(wanted) - 1], term.kind,
                                term.reason))
    return hits


def _same(seen: str, wanted: str, fuzzy: bool) -> bool:
    if seen == wanted:
        return True
    if not fuzzy or len(wanted) < FUZZY_MIN_LENGTH or abs(len(seen) - len(wanted)) > 1:
        return False
    return _within_one_edit(seen, wanted)


def _within_one_edit(a: str, b: str) -> bool:
    """Whether one substitution, insertion or deletion turns ``a`` into ``b``."""
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:]


def _joined(words: Sequence[str]) -> tuple[str, list[int]]:
    """The words joined by single spaces (folded per character), and each character's word."""
    parts: list[str] = []
    owner: list[int] = []
    for index, word in enumerate(words):
        if parts:
            parts.append(" ")
            owner.append(index - 1)
        folded = _fold_same_length(word)
        parts.append(folded)
        owner.extend([index] * len(folded))
    return "".join(parts), owner


def _fold_same_length(word: str) -> str:
    """Fold character by character, keeping one character per character (for positions)."""
    out = []
    for ch in word:
        folded = fold(ch)
        out.append(folded[0] if len(folded) == 1 else ch.lower()[:1] or " ")
    return "".join(out)


def _pattern_hits(words: Sequence[str], patterns: Iterable[tuple[Pattern, str]]) -> list[Hit]:
    text, owner = _joined(words)
    hits: list[Hit] = []
    for pattern, reason in patterns:
        spans = (_phone_spans(text) if pattern is Pattern.PHONE
                 else [found.span("hit") for found in _PATTERNS[pattern].finditer(text)])
        for start, end in spans:
            if text[start:end].strip():
                hits.append(Hit(owner[start], owner[max(start, end - 1)], pattern.kind, reason))
    return hits


# A UK number starts a word with 0, +44 or 0044 (+44 (0) too); then 9 or 10 national digits,
# written with single spaces, hyphens or brackets between them as people do. Not inside a
# date, a reference or a hash ("2025-11-03 2025-11-03" is no number).
_PHONE_START = re.compile(r"(?<![\w+./-])(?:\+ ?44 ?(?:\(0\) ?)?|0044 ?|\(?0(?=\d))")
_PHONE_GAP = " -()"


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for start in _PHONE_START.finditer(text):
        position, digits, ends = start.end(), 0, {}
        while position < len(text) and digits < 11:
            if text[position].isdigit():
                digits += 1
                position += 1
                ends[digits] = position
            elif (text[position] in _PHONE_GAP and position + 1 < len(text)
                  and (text[position + 1].isdigit() or text[position + 1] in _PHONE_GAP)
                  and text[position - 1] not in _PHONE_GAP[:2]):
                position += 1
            else:
                break
        for count in (10, 9):
            end = ends.get(count)
            national = re.sub(r"\D", "", text[start.end():end]) if end else ""
            if (end is not None and national[:1] in ("1", "2", "3", "5", "7", "8")
                    and (end == len(text) or not text[end].isalnum())):
                spans.append((start.start(), end))
                break
    return spans


def redact_line(text: str, matcher: Matcher) -> tuple[str, list[Hit]]:
    """``text`` (a title, a bookmark) with each marked run of words replaced by
    ``[REASON]``, and the hits (word indexes into ``text.split()``)."""
    words = text.split()
    hits = find_hits(words, matcher)
    if not hits:
        return text, []
    marked: dict[int, str] = {}
    covered: set[int] = set()
    for hit in hits:
        marked.setdefault(hit.first, hit.reason)
        covered.update(range(hit.first, hit.last + 1))
    out: list[str] = []
    for index, word in enumerate(words):
        if index in marked:
            out.append(f"[{marked[index]}]")
        elif index not in covered:
            out.append(word)
    return " ".join(out), hits


def pattern_names() -> list[str]:
    return [p.value for p in Pattern]
