"""Saving a record from a form: the file changes only where a value changed."""

from __future__ import annotations

from bundler.case.edit import merged_text
from bundler.case.models import Resident
from bundler.yamlio import DateText

TEXT = '''# yaml-language-server: $schema=../../schemas/resident.schema.json
# A resident written by hand.
reference: "R07"   # quoted on purpose
scheme: 'nettlebank-house'
cohorts: [care_leavers]
interview:
  date: 2026-09-29
  officer: Priya Marchetti
  notes_file: evidence/residents/R07/a-rather-long-file-name-that-goes-on-well-past-one-hundred-characters-of-line.txt
'''


def test_unchanged_values_keep_quotes_long_lines_and_comments() -> None:
    same = merged_text(TEXT, Resident, {"reference": "R07", "scheme": "nettlebank-house"})
    assert same == TEXT


def test_a_changed_date_is_written_as_a_plain_date() -> None:
    out = merged_text(TEXT, Resident, {"interview": {
        "date": DateText("2026-09-30"), "officer": "Priya Marchetti",
        "notes_file": "evidence/residents/R07/a-rather-long-file-name-that-goes-on-well-past-one-"
                      "hundred-characters-of-line.txt"}})
    assert out == TEXT.replace("date: 2026-09-29", "date: 2026-09-30")


def test_a_new_part_goes_where_the_model_puts_it_and_an_emptied_one_goes() -> None:
    out = merged_text(TEXT, Resident, {"correspondence": {"name": "A Name", "flat": None},
                                       "interview": None})
    lines = out.splitlines()
    assert "interview:" not in out
    # correspondence comes before consent/interview in the model, so after cohorts
    assert lines[5:7] == ["correspondence:", "  name: A Name"]
    assert lines[:5] == TEXT.splitlines()[:5]


def test_text_with_line_breaks_becomes_a_block() -> None:
    out = merged_text(TEXT, Resident, {"interview": {
        "date": DateText("2026-09-29"), "officer": "Priya Marchetti\nand Tomasz Ellery"}})
    assert "  officer: |\n    Priya Marchetti\n    and Tomasz Ellery\n" in out
