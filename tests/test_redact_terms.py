"""What marks text for redaction: names as tokens, patterns, kept phrases, OCR tolerance."""

from __future__ import annotations

import pytest

from bundler.redact import Matcher, Pattern, Term, redact_line
from bundler.redact.terms import DataKind, find_hits, fold

NAME = Term("Zoë Adebayo-Marsh", DataKind.NAME, "TP")


def marked(text: str, matcher: Matcher, *, fuzzy: bool = False) -> list[str]:
    words = text.split()
    return [" ".join(words[h.first: h.last + 1]) for h in find_hits(words, matcher, fuzzy=fuzzy)]


def patterns(*kinds: Pattern, keep: tuple[str, ...] = ()) -> Matcher:
    return Matcher(patterns=tuple((kind, "TP") for kind in kinds), keep=keep)


def test_fold_removes_case_and_accents_including_letters_nfkd_keeps() -> None:
    assert fold("ŁUKASZ Zoë Øyvind Straße") == "lukasz zoe oyvind strasse"


@pytest.mark.parametrize("text", [
    "Spoke to Zoë Adebayo-Marsh today",
    "Spoke to ZOE ADEBAYO MARSH today",
    "Spoke to Zoë\nAdebayo-Marsh's sister",
    "spoke to zoe adebayo–marsh.",
])
def test_a_name_is_found_however_it_is_written(text: str) -> None:
    assert len(marked(text, Matcher(terms=(NAME,)))) == 1


def test_a_name_inside_a_longer_word_is_not_a_match() -> None:
    term = Term("Zoë", DataKind.NAME, "TP")
    assert marked("Zoëlle and Zoë's friend", Matcher(terms=(term,))) == ["Zoë's"]


def test_ocr_words_may_differ_by_one_letter_from_a_long_term() -> None:
    term = Term("Dmitri", DataKind.NAME, "TP")
    assert marked("Name Dmltri", Matcher(terms=(term,)), fuzzy=True) == ["Dmltri"]
    assert marked("Name Dmltri", Matcher(terms=(term,))) == []
    short = Term("Ann", DataKind.NAME, "TP")
    assert marked("Name Anne", Matcher(terms=(short,)), fuzzy=True) == []


@pytest.mark.parametrize(("text", "found"), [
    ("call 07700 900123 now", ["07700 900123"]),
    ("call +44 (0)20 7946 0958 now", ["+44 (0)20 7946 0958"]),
    ("tel (01632) 960418.", ["(01632) 960418."]),
    ("call 0044 7700 900 123", ["0044 7700 900 123"]),
    ("ref 2026-09-29 and 0123", []),
    ("dates 2025-11-03 2025-11-03 2025-10-20", []),
    ("ref NH-LIC-2025-031 0.5 07700", []),
    ("total 012345678901234", []),
])
def test_uk_telephone_numbers(text: str, found: list[str]) -> None:
    assert marked(text, patterns(Pattern.PHONE)) == found


def test_national_insurance_numbers_follow_hmrc_prefix_rules() -> None:
    matcher = patterns(Pattern.NI_NUMBER)
    assert marked("NI AB123456C and JG 10 37 48 D", matcher) == ["AB123456C", "JG 10 37 48 D"]
    assert marked("BG123456C GB123456A QQ123456C AB123456E", matcher) == []


def test_dates_of_birth_only_when_labelled() -> None:
    matcher = patterns(Pattern.DATE_OF_BIRTH)
    assert marked("Date of birth: 12/03/1985 seen 3 March 2026 DOB 1st May 2001", matcher) == [
        "12/03/1985", "1st May 2001"]


def test_room_numbers_keep_the_word_room() -> None:
    assert marked("lives in Room 8, flat 3A and unit 12 of 40", patterns(Pattern.ROOM)) == [
        "8,", "3A", "12"]


def test_email_addresses() -> None:
    assert marked("write to dmitri.volkov@example.org or me", patterns(Pattern.EMAIL)) == [
        "dmitri.volkov@example.org"]


def test_kept_phrases_are_not_redacted_by_patterns() -> None:
    matcher = patterns(Pattern.PHONE, Pattern.EMAIL,
                       keep=("01632 960 418", "hello@brackenfold.example"))
    assert marked("Tel 01632 960 418 · hello@brackenfold.example; mine 07700 900123",
                  matcher) == ["07700 900123"]


def test_redact_line_replaces_marked_words_with_the_reason() -> None:
    line, hits = redact_line("Interview notes: Zoë Adebayo-Marsh (R02)", Matcher(terms=(NAME,)))
    assert line == "Interview notes: [TP] (R02)"
    assert len(hits) == 1
    assert redact_line("Support plan", Matcher(terms=(NAME,))) == ("Support plan", [])
