"""Invariants of bundle page numbering (bundler.bundle.plan) and the spec loader."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bundler.bundle.plan import (
    Continuation,
    LabelRange,
    LabelStyle,
    Numbering,
    SectionInput,
    plan_bundle,
    roman,
)
from bundler.bundle.spec import load_redactions, load_spec
from bundler.errors import BadInput, InputNotFound

section_lists = st.lists(
    st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=6),
    min_size=1,
    max_size=5,
)


def _sections(pages: list[list[int]]) -> list[SectionInput]:
    return [SectionInput(chr(ord("A") + i), f"S{i}", tuple(p)) for i, p in enumerate(pages)]


@given(section_lists, st.integers(1, 5), st.integers(1, 3), st.sampled_from(list(Numbering)))
def test_page_count_is_front_matter_plus_documents(
    pages: list[list[int]], front: int, cert: int, numbering: Numbering
) -> None:
    plan = plan_bundle(_sections(pages), front_pages=front, certificate_pages=cert,
                       numbering=numbering)
    assert plan.total_pages == front + sum(map(sum, pages)) + cert
    assert len(set(plan.labels)) == plan.total_pages  # every label names exactly one page


@given(section_lists, st.integers(1, 5), st.integers(1, 3), st.sampled_from(list(Numbering)))
def test_documents_are_contiguous_and_labels_match(
    pages: list[list[int]], front: int, cert: int, numbering: Numbering
) -> None:
    plan = plan_bundle(_sections(pages), front_pages=front, certificate_pages=cert,
                       numbering=numbering)
    expected_first = front + 1
    for doc, count in zip(plan.documents, [p for s in pages for p in s], strict=True):
        assert doc.first_page == expected_first
        assert doc.pages == count
        assert doc.first_label == plan.labels[doc.first_page - 1]
        assert doc.last_label == plan.labels[doc.last_page - 1]
        expected_first = doc.last_page + 1
    assert expected_first == plan.certificate_first_page


@given(section_lists, st.integers(1, 5))
def test_continuous_labels_are_physical_page_numbers(pages: list[list[int]], front: int) -> None:
    plan = plan_bundle(_sections(pages), front_pages=front, certificate_pages=1)
    assert plan.labels == tuple(str(n) for n in range(1, plan.total_pages + 1))
    assert [d.number for d in plan.documents] == list(range(1, len(plan.documents) + 1))


@given(section_lists, st.integers(1, 5))
def test_sectioned_labels_restart_per_section(pages: list[list[int]], front: int) -> None:
    plan = plan_bundle(_sections(pages), front_pages=front, certificate_pages=1,
                       numbering=Numbering.SECTIONED)
    assert plan.labels[:front] == tuple(roman(n) for n in range(1, front + 1))
    for section, counts in zip(plan.sections, pages, strict=True):
        labels = plan.labels[section.first_page - 1 : section.last_page]
        assert labels == tuple(f"{section.label}{n}" for n in range(1, sum(counts) + 1))
    assert plan.labels[-1] == "cert-1"


def test_roman() -> None:
    assert [roman(n) for n in (1, 4, 9, 14, 40, 1994)] == ["i", "iv", "ix", "xiv", "xl", "mcmxciv"]


def test_spec_errors_name_file_line_and_field(tmp_path: Path) -> None:
    spec = tmp_path / "bundle.yaml"
    spec.write_text(
        "reference: HB-1\n"
        "title: T\n"
        "sections:\n"
        "  - label: A\n"
        "    title: Scheme\n"
        "    documents:\n"
        "      - file: a.pdf\n"
        "        tittle: Misspelt\n"
        "      - file: ../outside.pdf\n"
        "        title: Outside\n",
        encoding="utf-8",
    )
    with pytest.raises(BadInput) as caught:
        load_spec(spec, "bundle.yaml")
    lines = caught.value.message.splitlines()
    assert "bundle.yaml:7: sections[1].documents[1].title: this field is required; add it" in lines
    assert (
        "bundle.yaml:8: sections[1].documents[1].tittle: unknown field 'tittle'; did you mean 'title'?"
        in lines
    )
    assert "bundle.yaml:9: sections[1].documents[2].file: must stay inside the spec's folder (no '..')" in lines


def test_a_spec_that_is_missing_or_a_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound) as missing:
        load_spec(tmp_path / "bundle.yaml")
    with pytest.raises(BadInput) as folder:
        load_spec(tmp_path, "case")
    assert (missing.value.message, folder.value.message) == (
        f"{tmp_path / 'bundle.yaml'}: bundle spec not found",
        "case: is a folder, not a bundle spec file")


def test_a_reason_code_that_is_not_one_says_what_one_is(tmp_path: Path) -> None:
    spec = tmp_path / "bundle.yaml"
    spec.write_text("reference: HB-1\ntitle: T\nsections:\n  - label: A\n    title: S\n"
                    "    documents:\n      - file: a.pdf\n        title: A\n"
                    "        withheld_reason: tp\n", encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        load_spec(spec, "bundle.yaml")
    assert caught.value.message == (
        "bundle.yaml:9: sections[1].documents[1].withheld_reason: 'tp' is not a reason code: "
        "use 1 to 4 capital letters, e.g. TP")


def test_a_key_written_twice_is_refused_even_when_the_spec_is_otherwise_whole(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "bundle.yaml"
    spec.write_text("reference: HB-1\ntitle: T\ntitle: U\nsections:\n  - label: A\n"
                    "    title: S\n    documents:\n      - file: a.pdf\n        title: A\n",
                    encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        load_spec(spec, "bundle.yaml")
    assert caught.value.message == "bundle.yaml:3: title: this key appears twice; keep one"


def test_a_case_folders_redactions_file_is_checked_line_by_line(tmp_path: Path) -> None:
    rules = tmp_path / "redactions.yaml"
    rules.write_text("terms:\n  - text: Brennan\n    reason: tp\n    audiences: [nobody]\n",
                     encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("terms: [\n", encoding="utf-8")
    refused = []
    for path in (rules, broken):
        with pytest.raises(BadInput) as caught:
            load_redactions(path)
        refused.append((caught.value.message.splitlines(), caught.value.hint))
    hint = "Correct the lines listed in redactions.yaml, then build again."
    assert refused == [
        ([f"{rules}:3: terms[1].reason: 'tp' is not a reason code: use 1 to 4 capital "
          "letters, e.g. TP",
          f"{rules}:4: terms[1].audiences: 'nobody' is not an audience: use tribunal, "
          "provider, internal, appeal:REF or appeal:*"], hint),
        ([f"{broken}:2: yaml: expected the node content, but found '<stream end>'; check the "
          "indentation and punctuation here"], hint)]


def test_roman_numerals_of_every_kind_and_none_below_one() -> None:
    numbers = (5, 6, 55, 100, 401, 444, 500, 600, 3888)
    assert [roman(n) for n in numbers] == [
        "v", "vi", "lv", "c", "cdi", "cdxliv", "d", "dc", "mmmdccclxxxviii"]
    for value in (0, -3):
        with pytest.raises(ValueError, match=r"^roman numerals start at 1$"):
            roman(value)


@pytest.mark.parametrize(("front", "certificate", "log", "pages", "message"), [
    (0, 1, 0, 1, "a bundle has at least a cover and a certificate page"),
    (1, 0, 0, 1, "a bundle has at least a cover and a certificate page"),
    (1, 1, -1, 1, "a bundle has at least a cover and a certificate page"),
    (1, 1, 0, 0, "every document has at least one page"),
])
def test_impossible_page_counts_are_refused(front: int, certificate: int, log: int, pages: int,
                                            message: str) -> None:
    with pytest.raises(ValueError, match=f"^{message}$"):
        plan_bundle([SectionInput("A", "S", (2, pages))], front_pages=front,
                    certificate_pages=certificate, log_pages=log)


def test_withheld_documents_keep_every_later_number_in_the_fewest_label_ranges() -> None:
    """The parties' edition: the 2nd and 3rd documents (across a section boundary) are one
    placeholder page each, labelled with the pages they would have had; a redaction log of
    two pages; every other page keeps its number in the unedited bundle."""
    sections = [SectionInput("A", "First", (2, 3)), SectionInput("B", "Second", (2, 4, 1))]
    plan = plan_bundle(sections, front_pages=1, certificate_pages=1, withheld={1, 2},
                       log_pages=2)
    assert plan.labels == ("1", "2", "3", "4\u20136", "7\u20138", "9", "10", "11", "12", "13",
                           "log-1", "log-2", "14")
    assert plan.ranges == (
        LabelRange(0, LabelStyle.DECIMAL, "", 1), LabelRange(3, LabelStyle.NONE, "4\u20136", 1),
        LabelRange(4, LabelStyle.NONE, "7\u20138", 1), LabelRange(5, LabelStyle.DECIMAL, "", 9),
        LabelRange(10, LabelStyle.DECIMAL, "log-", 1), LabelRange(12, LabelStyle.DECIMAL, "", 14))
    assert [(d.number, d.first_page, d.last_page, d.first_label, d.last_label)
            for d in plan.documents] == [
        (1, 2, 3, "2", "3"), (2, 4, 4, "4\u20136", "4\u20136"), (3, 5, 5, "7\u20138", "7\u20138"),
        (4, 6, 9, "9", "12"), (5, 10, 10, "13", "13")]
    assert (plan.log_first_page, plan.certificate_first_page) == (11, 13)


def test_a_withheld_one_page_document_is_labelled_with_its_page_alone() -> None:
    plan = plan_bundle([SectionInput("A", "First", (1, 1))], front_pages=1,
                       certificate_pages=1, numbering=Numbering.SECTIONED, withheld={0})
    assert plan.labels == ("i", "A1", "A2", "cert-1")
    assert plan.ranges == (
        LabelRange(0, LabelStyle.LOWER_ROMAN, "", 1), LabelRange(1, LabelStyle.NONE, "A1", 1),
        LabelRange(2, LabelStyle.DECIMAL, "A", 2), LabelRange(3, LabelStyle.DECIMAL, "cert-", 1))


def test_a_later_volume_goes_on_from_the_number_it_is_given_in_continuous_numbering() -> None:
    sections = [SectionInput("A", "First", (2, 1))]
    later = plan_bundle(sections, front_pages=2, certificate_pages=1, first_number=40,
                        first_document=7)
    assert later.labels == ("40", "41", "42", "43", "44", "45")
    assert [d.number for d in later.documents] == [7, 8]
    sectioned = plan_bundle(sections, front_pages=2, certificate_pages=1, first_number=40,
                            numbering=Numbering.SECTIONED)
    assert sectioned.labels == ("i", "ii", "A1", "A2", "A3", "cert-1")
    supplement = plan_bundle(sections, front_pages=1, certificate_pages=1, first_number=40,
                             continuation=Continuation("S1-", next_page=12, next_document=4))
    assert supplement.labels == ("S1-i", "12", "13", "14", "S1-ii")
