"""Templates are data, not code (issue 17): a paragraph added to a council's shared template
rendered ``{{ ''.__class__.__mro__[1].__subclasses__()|length }}`` as 902, and
``letter check-template`` passed it; from there ``cycler.__init__.__globals__`` reaches
``os``. Now check-template names every such expression (template, part, expression), and
the letter is rendered in Jinja's sandbox, which stops one all the same.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from bundler.cli import cli
from bundler.errors import TemplateError
from bundler.letters.checktemplate import check_template
from bundler.letters.context import LetterKind
from bundler.letters.generate import default_templates_dir
from bundler.letters.render import render_letter

SUBCLASSES = "{{ ''.__class__.__mro__[1].__subclasses__()|length }}"


def shipped_with(tmp_path: Path, body: str = "", header: str = "",
                 kind: LetterKind = LetterKind.FINDINGS) -> Path:
    """The toolkit's own template for ``kind`` with a paragraph (and a header line) added."""
    doc = Document(str(default_templates_dir() / kind.template_name))
    if body:
        doc.add_paragraph(body)
    if header:
        doc.sections[0].header.add_paragraph(header)
    path = tmp_path / kind.template_name
    doc.save(str(path))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_template_names_the_code_running_expression(tmp_path: Path) -> None:
    template = shipped_with(tmp_path, body=SUBCLASSES)
    code, out, err = run("letter", "check-template", str(template), "--kind", "findings")
    assert code == 9
    assert (f"{template}: document body: the expression ''.__class__.__mro__[1]"
            ".__subclasses__()|length reaches past the letter's values into Python itself "
            "(through '__class__'); a template may use only the values the letter provides"
            ) in out.splitlines()
    assert err.startswith(f"error: {template}: 1 problem for the findings letter")


@pytest.mark.parametrize(("header", "expression", "through"), [
    ("{{ cycler.__init__.__globals__.os.system('id') }}",
     "cycler.__init__.__globals__.os.system('id')", "__init__"),
    ("{{ date|attr('__class__') }}", "date|attr('__class__')", "__class__"),
    ("{{ recommendations['__len__']() }}", "recommendations['__len__']()", "__len__"),
    ("{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
     "().__class__.__base__.__subclasses__()", "__class__"),
])
def test_every_way_into_python_is_named_with_its_part(tmp_path: Path, header: str,
                                                      expression: str, through: str) -> None:
    report = check_template(shipped_with(tmp_path, header=header), LetterKind.FINDINGS)
    assert not report.ok
    assert report.unsafe == [
        f"header: the expression {expression} reaches past the letter's values into Python "
        f"itself (through {through!r}); a template may use only the values the letter provides"]


@pytest.mark.parametrize("name", ["lipsum", "self", "config", "request", "os"])
def test_unknown_globals_are_errors(tmp_path: Path, name: str) -> None:
    report = check_template(shipped_with(tmp_path, body=f"{{{{ {name} }}}}"), LetterKind.FINDINGS)
    assert [str(item) for item in report.unknown] == [
        f"{name} in the document body: the letter has no such value"]


def test_the_sandbox_stops_it_even_without_the_check(sample_case: Path, tmp_path: Path) -> None:
    """render_letter on its own (as a library caller might use it): never 902."""
    from bundler.case.validate import load_valid_case
    from bundler.letters.context import build_contexts, recorded_letter_date

    loaded = load_valid_case(sample_case)
    when = recorded_letter_date(LetterKind.FINDINGS, loaded.case)
    assert when is not None
    [plan] = build_contexts(LetterKind.FINDINGS, loaded, when, None)
    for body in (SUBCLASSES, "{{ cycler.__init__.__globals__ }}"):
        template = shipped_with(tmp_path, body=body)
        with pytest.raises(TemplateError) as caught:
            render_letter(template, plan.context.model_dump(mode="python"), shown="shared.docx",
                          title="Findings", author="Council", when=dt.date(2026, 11, 20))
        assert caught.value.message.startswith(
            "shared.docx: the template tries to reach past the letter's values (access to "
            "attribute ")


def test_letter_command_refuses_such_a_template_writing_nothing(sample_case: Path,
                                                                tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    shipped_with(templates, body=SUBCLASSES)
    out = tmp_path / "letters"
    code, _out, err = run("letter", "findings", str(sample_case), "-o", str(out),
                          "--templates", str(templates))
    assert code == 9
    assert "reaches past the letter's values into Python itself" in err
    assert not out.exists()
    assert not (sample_case / "audit.jsonl").exists()


def test_huge_repetition_is_refused_at_render(sample_case: Path, tmp_path: Path) -> None:
    from bundler.case.validate import load_valid_case
    from bundler.letters.context import build_contexts, recorded_letter_date

    loaded = load_valid_case(sample_case)
    when = recorded_letter_date(LetterKind.FINDINGS, loaded.case)
    assert when is not None
    [plan] = build_contexts(LetterKind.FINDINGS, loaded, when, None)
    for body in ("{{ 'x' * 1000000000 }}", "{{ 10 ** 100000000 }}"):
        template = shipped_with(tmp_path, body=body)
        with pytest.raises(TemplateError, match="tries to reach past the letter's values"):
            render_letter(template, plan.context.model_dump(mode="python"), shown="t.docx",
                          title="Findings", author="Council", when=dt.date(2026, 11, 20))


def test_ordinary_template_features_still_work(tmp_path: Path) -> None:
    body = ("{% set ns = namespace(n=0) %}{% for r in recommendations %}{% set ns.n = ns.n + 1 %}"
            "{{ loop.index }}. {{ r.text|upper }}{% endfor %}{{ ns.n }} {{ range(3)|list|length }}"
            " {{ recipient.name.split(' ')|first }} {{ '%s'|format(date) }} {{ 2 * 3 }}")
    report = check_template(shipped_with(tmp_path, body=body), LetterKind.FINDINGS)
    assert report.ok, report.problems()
