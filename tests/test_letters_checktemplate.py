"""check-template: every variable a template uses, checked against its context model."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st

from bundler.errors import InputNotFound, TemplateError
from bundler.letters.checktemplate import check_template, context_fields
from bundler.letters.context import LetterKind
from bundler.letters.generate import default_templates_dir


def make_template(path: Path, body: list[str], header: str = "", first_footer: str = "") -> Path:
    doc = Document()
    for text in body:
        doc.add_paragraph(text)
    section = doc.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if first_footer:
        section.different_first_page_header_footer = True
        section.first_page_footer.paragraphs[0].text = first_footer
    doc.save(str(path))
    return path


@pytest.mark.parametrize("kind", list(LetterKind))
def test_shipped_templates_use_only_their_context_fields(kind: LetterKind) -> None:
    template = default_templates_dir() / kind.template_name
    report = check_template(template, kind)
    assert report.ok, report.problems()
    provided = set(context_fields(kind))
    assert report.variables
    assert set(report.variables) <= provided
    # docxtpl's own helper sees only top-level names; ours goes deeper and agrees with it.
    top_level = DocxTemplate(template).get_undeclared_template_variables()
    assert {name.split(".")[0].split("[")[0] for name in report.variables} <= top_level | {"loop"}
    assert top_level <= set(kind.context_model.model_fields)


def test_each_letter_uses_what_the_issue_requires() -> None:
    used = {kind: set(check_template(default_templates_dir() / kind.template_name, kind).variables)
            for kind in LetterKind}
    assert {"items[].text", "items[].paragraph", "due_date", "legal_basis", "how_to_respond",
            "officer.contact_text"} <= used[LetterKind.INFORMATION_REQUEST]
    assert {"items[].text", "requested_date", "new_due_date"} <= used[LetterKind.INFORMATION_REMINDER]
    assert {"recommendations[].acknowledge_by", "recommendations[].complete_by",
            "conclusions[].answer", "offer_support"} <= used[LetterKind.FINDINGS]
    assert {"authority.complaints"} <= used[LetterKind.RESIDENT_OUTCOME]
    assert {"authority.complaints"} <= used[LetterKind.RESIDENT_CONSENT]
    assert {"visit_day", "recommendations[].text"} <= used[LetterKind.REVISIT_NOTICE]
    for kind in LetterKind:
        assert "recipient.lines" in used[kind]


def test_unknown_nested_variable_is_named(tmp_path: Path) -> None:
    template = make_template(tmp_path / "bad.docx", [
        "{{ provider.address.postcod }}",
        "{{ provider.adress.postcode }}",
        "{{ provider.address.postcode }}",
    ])
    report = check_template(template, LetterKind.FINDINGS)
    assert not report.ok
    written = [item.written for item in report.unknown]
    assert written == ["provider.address.postcod", "provider.adress.postcode"]
    assert "provider.address.postcode" in report.variables
    assert "has no field 'postcod'" in report.unknown[0].reason


def test_loop_items_set_and_with_are_followed(tmp_path: Path) -> None:
    template = make_template(tmp_path / "loops.docx", [
        "{%p for rec in recommendations %}",
        "{{ rec.id }} {{ rec.complete_by }} {{ rec.compelte_by }} {{ loop.index }}",
        "{%p endfor %}",
        "{% set first = recommendations|first %}{{ first.text }} {{ first.txt }}",
        "{% set who = provider %}{{ who.address.town }} {{ who.town }}",
        "{% with where = provider.address %}{{ where.postcode }}{{ where.postcod }}{% endwith %}",
        "{% for line in recipient.lines %}{{ line }}{{ line.upper() }}{% endfor %}",
        "{% for c in conclusions if c.answer %}{{ c.summary }}{% endfor %}",
        "{{ recommendations[0].id }} {{ recipient['name'] }} {{ scheme_names|upper }}",
        "{% for x in date %}{% endfor %}",
        "{{ recommendations.id }}",
    ])
    report = check_template(template, LetterKind.FINDINGS)
    resolved = {item.resolved for item in report.unknown}
    assert resolved == {
        "recommendations[].compelte_by",
        "recommendations[].txt",
        "provider.town",
        "provider.address.postcod",
        "date",
        "recommendations.id",
    }
    assert {"recommendations[].id", "recommendations[].complete_by", "recommendations[].text",
            "provider.address.town", "provider.address.postcode", "recipient.lines",
            "recipient.name", "conclusions[].summary", "scheme_names"} <= set(report.variables)


def test_headers_and_footers_are_checked(tmp_path: Path) -> None:
    template = make_template(tmp_path / "hf.docx", ["{{ date }}"],
                             header="{{ authority.nam }}", first_footer="{{ our_ref }}")
    report = check_template(template, LetterKind.REVISIT_NOTICE)
    parts = {item.written: item.part for item in report.unknown}
    assert parts == {"authority.nam": "header", "our_ref": "first-page footer"}


def test_resident_variables_in_a_provider_letter(tmp_path: Path) -> None:
    template = make_template(tmp_path / "r.docx", ["{{ resident.name }} {{ provider_name }}"])
    assert {u.written for u in check_template(template, LetterKind.FINDINGS).unknown} == {
        "resident.name", "provider_name"}
    assert check_template(template, LetterKind.RESIDENT_OUTCOME).ok


def test_syntax_error_is_reported_with_the_part(tmp_path: Path) -> None:
    template = make_template(tmp_path / "syntax.docx",
                             ["Dear {{ recipient.salutation }", "{% if date %}no end"])
    report = check_template(template, LetterKind.FINDINGS)
    assert not report.ok
    assert len(report.syntax_errors) == 1
    assert report.syntax_errors[0].startswith("document body: template syntax error:")
    assert "recipient.salutation" in report.syntax_errors[0]


def test_unknown_filter_and_include(tmp_path: Path) -> None:
    template = make_template(tmp_path / "f.docx",
                             ["{{ date|shout }}", "{% include 'other.docx' %}"])
    problems = check_template(template, LetterKind.FINDINGS).problems()
    assert any("unknown filter 'shout'" in p for p in problems)
    assert any("include" in p for p in problems)


def test_not_a_docx(tmp_path: Path) -> None:
    bad = tmp_path / "letter.docx"
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        check_template(bad, LetterKind.FINDINGS)
    assert str(bad) in caught.value.message
    with pytest.raises(InputNotFound):
        check_template(tmp_path / "missing.docx", LetterKind.FINDINGS)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(list(LetterKind)), st.data())
def test_any_provided_field_passes_and_any_misspelling_fails(
    kind: LetterKind, data: st.DataObject
) -> None:
    import tempfile

    fields = [path for path in context_fields(kind) if "[]" not in path]
    path = data.draw(st.sampled_from(fields))
    with tempfile.TemporaryDirectory() as folder:
        good = make_template(Path(folder) / "good.docx", [f"{{{{ {path} }}}}"])
        assert check_template(good, kind).ok
        bad = make_template(Path(folder) / "bad.docx", [f"{{{{ {path}x }}}}"])
        report = check_template(bad, kind)
        assert [item.written for item in report.unknown] == [f"{path}x"]


def test_escaping_cannot_be_turned_off(tmp_path: Path) -> None:
    template = make_template(tmp_path / "raw.docx", [
        "{{ provider.name|safe }}", "{{r provider.name }}", "{{p provider.name }}",
    ])
    problems = check_template(template, LetterKind.FINDINGS).problems()
    assert any("|safe" in p for p in problems)
    assert any(p.startswith("document body: {{r ... tags") for p in problems)
    assert any(p.startswith("document body: {{p ... tags") for p in problems)
