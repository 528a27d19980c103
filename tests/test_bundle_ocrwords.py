"""Correcting what OCR misreads: the case's references and the word I, in tesseract's
text-only page, character for character (every word keeps its place and width)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bundler.bundle.ocrwords import correct_layer, vocabulary

WORDS = vocabulary(["R01", "R02", "WBC-SHR-2026-014", "HB-APPEAL"])


@pytest.mark.parametrize("read, meant", [
    ("ROI", "R01"), ("RO1", "R01"), ("R0l", "R01"), ("ROI,", "R01,"), ("(RO2)", "(R02)"),
    ("WBC-SHR-2026-014/RO1", "WBC-SHR-2026-014/R01"), ("WBC-SHR-2O26-O14", "WBC-SHR-2026-014"),
    ("|", "I"), ("|'m", "I'm"), ("|.", "I."),
    ("R1O", "R10"),  # any resident reference's pattern, when a digit was read as a digit
])
def test_misread_references_and_the_pronoun_are_restored(read: str, meant: str) -> None:
    assert WORDS.correct(read) == meant


@pytest.mark.parametrize("word", [
    "ROIling", "support!", "ROI-based", "R12", "R", "RIO", "|x|", "ROOM", "BROIL", "ROS",
])
def test_other_words_are_left_as_read(word: str) -> None:
    assert WORDS.correct(word) == word


def test_a_reference_the_case_does_not_use_is_not_guessed() -> None:
    assert vocabulary(["R01"]).correct("ROI") == "R01"
    assert vocabulary([]).correct("ROI") == "ROI"  # "ROI" may be a word: no digit was read


def _tj(word: str) -> bytes:
    return b"[ <" + (word + " ").encode("utf-16-be").hex().encode() + b"> ] TJ"


def test_the_layer_changes_only_the_misread_words_and_keeps_their_length() -> None:
    content = (b"BT 3 Tr 1 0 0 1 44 649 Tm /f-0-0 11 Tf 85.8 Tz " + _tj("Resident")
               + b" 45.6 0 Td " + _tj("reference") + b" 147.1 0 Td 97 Tz " + _tj("ROI")
               + b" 9 0 Td " + _tj("|") + b" ET")
    fixed, changed = correct_layer(content, WORDS)
    assert changed == 2
    assert fixed == content.replace(_tj("ROI"), _tj("R01")).replace(_tj("|"), _tj("I"))
    assert len(fixed) == len(content)


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF), max_size=20))
def test_a_correction_never_changes_a_words_length(word: str) -> None:
    assert len(WORDS.correct(word)) == len(word)
