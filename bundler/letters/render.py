"""Render a letter template (.docx) with docxtpl: strict, escaped and reproducible.

* Strict: the template is first checked against the letter's context model
  (``checktemplate``), so an unknown variable stops the letter with the template
  and every variable named; jinja2's ``StrictUndefined`` backs that up at render
  time. A missing value never renders as a blank.
* Escaped: jinja2 autoescaping is on, so values such as "Smith & Sons <Ltd>" or
  quotes reach Word's XML as entities and print exactly (docxtpl's defaults drop
  ``&`` and ``<``).
* Reproducible: the same context and template give the same bytes. The zip's
  entries get a fixed time stamp and order, and the document's properties
  (created, modified, revision) come from the letter's date, not the clock.
* Data, not code: templates are rebranded and shared between councils, so one may
  come from anywhere. They are rendered in Jinja's sandbox with only the letter's
  values (and Jinja's own ``range``, ``dict``, ``namespace``, ``cycler`` and
  ``joiner``): no attribute starting with ``_``, no function's globals, nothing
  that reaches Python itself; ``*`` and ``**`` cannot make values large enough to
  fill the memory. ``checktemplate`` names any such expression before a letter is
  written, and the sandbox stops one at render time all the same.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree  # type: ignore[import-untyped]  # (python-docx depends on lxml)

from bundler.errors import TemplateError

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


MAX_RESULT = 100_000
"""The longest text or list a ``*`` in a template may make, and the largest number ``**``."""


class LetterEnvironment(SandboxedEnvironment):
    """Jinja's sandbox, with ``*`` and ``**`` kept to results a letter could use."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sized, count in ((left, right), (right, left)):
                if (isinstance(sized, str | list | tuple) and isinstance(count, int)
                        and len(sized) * count > MAX_RESULT):
                    raise SecurityError(f"a value repeated {count:,} times is too large")
        if (operator == "**" and isinstance(left, int | float) and isinstance(right, int | float)
                and abs(left) > 1 and right * math.log10(abs(left)) > math.log10(MAX_RESULT)):
            raise SecurityError(f"{left} ** {right} is too large")
        return super().call_binop(context, operator, left, right)


def jinja_environment() -> jinja2.Environment:
    """The environment every letter renders with: sandboxed, autoescaped, strict about names.

    Its globals are Jinja's own less ``lipsum`` (random text has no place in a letter).
    """
    env = LetterEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.globals.pop("lipsum", None)
    return env


def normalise_docx(data: bytes) -> bytes:
    """The same .docx with fixed zip time stamps, attributes and compression.

    python-docx stamps each zip entry with the current time; Word and LibreOffice
    ignore these, so fixing them changes nothing but makes the bytes reproducible.
    Entry order is kept ([Content_Types].xml first, as Word expects).
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(entry.filename), compresslevel=6)
    return buffer.getvalue()


def open_template(path: Path, shown: str) -> DocxTemplate:
    """Open ``path`` as a docxtpl template, or raise TemplateError naming ``shown``."""
    if not path.is_file():
        from bundler.errors import InputNotFound

        raise InputNotFound(
            f"{shown}: letter template not found",
            "Check the templates folder holds <kind>.docx for this letter (see letter_templates/).",
        )
    template = DocxTemplate(path)
    try:
        template.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TemplateError(
            f"{shown}: not a Word .docx file ({type(exc).__name__})",
            "Save the template from Word as a .docx document (not .doc or .dotx) and try again.",
        ) from exc
    return template


def render_letter(
    template_path: Path,
    context: Mapping[str, Any],
    *,
    shown: str,
    title: str,
    author: str,
    when: dt.date,
) -> bytes:
    """Render ``template_path`` with ``context`` and return the .docx bytes.

    ``shown`` names the template in messages; ``title`` and ``author`` go into the
    document's properties, dated ``when``. Raises TemplateError for a broken
    template or a variable the context does not hold.
    """
    template = open_template(template_path, shown)
    try:
        template.render(dict(context), jinja_environment(), autoescape=True)
    except SecurityError as exc:
        raise TemplateError(
            f"{shown}: the template tries to reach past the letter's values ({exc.message})",
            "Remove that expression from the template: a template may use only the values the "
            "letter provides (`bundler letter check-template` names it).",
        ) from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{shown}: the template uses a value the letter does not have: {exc.message}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{shown}: template syntax error: {exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{shown}: the template could not be filled in: {exc}") from exc
    except etree.XMLSyntaxError as exc:
        # A {% if %} or {% for %} that starts in one paragraph, table cell or text box and
        # ends in another leaves Word's XML broken once filled in.
        raise TemplateError(
            f"{shown}: the filled-in template is not a valid Word document ({exc.msg})",
            "Keep each {% if %} / {% for %} and its end in the same paragraph, or put each on "
            "a paragraph of its own as {%p if ... %} and {%p endif %}.",
        ) from exc
    _set_properties(template, title=title, author=author, when=when)
    buffer = io.BytesIO()
    template.save(buffer)
    return normalise_docx(buffer.getvalue())


def _set_properties(template: DocxTemplate, *, title: str, author: str, when: dt.date) -> None:
    stamp = dt.datetime(when.year, when.month, when.day, tzinfo=dt.UTC)
    props = template.docx.core_properties
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.subject = ""
    props.keywords = ""
    props.comments = ""
    props.category = ""
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.language = props.language or "en-GB"  # a council's template may set its own
