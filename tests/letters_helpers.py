"""Read generated letters back as a recipient would: text of every part, fonts of every run.

python-docx's ``Document.paragraphs`` skips text boxes (where the address and letterhead
are) and headers and footers, so these helpers walk every ``w:p`` in the body, every
header and every footer part through python-docx's own XML elements.
"""

from __future__ import annotations

import datetime as dt
import html as html_text
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn

from bundler.case.validate import load_valid_case
from bundler.letters.context import LetterKind, build_contexts, recorded_letter_date
from bundler.letters.generate import default_templates_dir
from bundler.letters.render import render_letter

DEMO_DATE = dt.date(2026, 11, 20)
HEADER_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"


def open_docx(data: bytes | Path) -> DocumentObject:
    return Document(io.BytesIO(data) if isinstance(data, bytes) else str(data))


def _part_elements(doc: DocumentObject) -> list[tuple[str, object]]:
    parts: list[tuple[str, object]] = [("body", doc.element.body)]
    for rel in doc.part.rels.values():
        if rel.reltype in (HEADER_RT, FOOTER_RT) and not rel.is_external:
            parts.append((str(rel.target_part.partname), rel.target_part.element))
    return parts


def paragraph_texts(doc: DocumentObject) -> list[str]:
    """The text of every paragraph in the body (text boxes and tables included), every
    header and every footer."""
    texts = []
    for _name, element in _part_elements(doc):
        for paragraph in element.iter(qn("w:p")):  # type: ignore[attr-defined]
            # Only this paragraph's own runs: a text box's paragraphs are listed separately.
            own = [
                node.text or ""
                for node in paragraph.iter(qn("w:t"))
                if _nearest_paragraph(node) is paragraph
            ]
            texts.append("".join(own))
    return texts


def _nearest_paragraph(node: object) -> object:
    parent = node.getparent()  # type: ignore[attr-defined]
    while parent is not None and parent.tag != qn("w:p"):
        parent = parent.getparent()
    return parent


def all_text(doc: DocumentObject) -> str:
    return "\n".join(paragraph_texts(doc))


def table_rows(doc: DocumentObject) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in doc.tables for row in table.rows]


@dataclass(frozen=True)
class RunStyle:
    text: str
    size_pt: float
    font: str
    italic: bool


def _style_chain(doc: DocumentObject, style_id: str | None) -> list[object]:
    chain = []
    styles = doc.styles.element
    current = style_id
    while current:
        found = [s for s in styles.iter(qn("w:style")) if s.get(qn("w:styleId")) == current]
        if not found:
            break
        chain.append(found[0])
        based = found[0].find(qn("w:basedOn"))
        current = based.get(qn("w:val")) if based is not None else None
    return chain


def _default_paragraph_style(doc: DocumentObject) -> str | None:
    for style in doc.styles.element.iter(qn("w:style")):
        if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default")) in ("1", "true"):
            return str(style.get(qn("w:styleId")))
    return None


def run_styles(doc: DocumentObject) -> list[RunStyle]:
    """Effective size, font and italic of every run with text, in every part."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    result = []
    for _name, element in _part_elements(doc):
        for run in element.iter(qn("w:r")):  # type: ignore[attr-defined]
            text = "".join(t.text or "" for t in run.findall(qn("w:t")))
            if not text.strip():
                continue
            paragraph = _nearest_paragraph(run)
            ppr = paragraph.find(qn("w:pPr"))  # type: ignore[attr-defined]
            pstyle = ppr.find(qn("w:pStyle")) if ppr is not None else None
            style_id = pstyle.get(qn("w:val")) if pstyle is not None else _default_paragraph_style(doc)
            chain = [run.find(qn("w:rPr"))] + [
                s.find(qn("w:rPr")) for s in _style_chain(doc, style_id)  # type: ignore[attr-defined]
            ] + [default_rpr]
            size = font = None
            italic = None
            for rpr in chain:
                if rpr is None:
                    continue
                if size is None and rpr.find(qn("w:sz")) is not None:
                    size = int(rpr.find(qn("w:sz")).get(qn("w:val"))) / 2
                fonts = rpr.find(qn("w:rFonts"))
                if font is None and fonts is not None and fonts.get(qn("w:ascii")):
                    font = fonts.get(qn("w:ascii"))
                i = rpr.find(qn("w:i"))
                if italic is None and i is not None:
                    italic = i.get(qn("w:val"), "true") not in ("0", "false")
            result.append(RunStyle(text, size or 10.0, font or "Times New Roman", bool(italic)))
    return result


def render_sample(case_dir: Path, kind: LetterKind, when: dt.date | None = None) -> list[tuple[str, bytes]]:
    """(file stem, .docx bytes) for each letter of ``kind`` from the case at ``case_dir``."""
    loaded = load_valid_case(case_dir)
    date = when or recorded_letter_date(kind, loaded.case) or DEMO_DATE
    template = default_templates_dir() / kind.template_name
    return [
        (
            plan.stem,
            render_letter(
                template,
                plan.context.model_dump(),
                shown=kind.template_name,
                title=kind.heading,
                author="test",
                when=date,
            ),
        )
        for plan in build_contexts(kind, loaded, date)
    ]


@dataclass(frozen=True)
class Word:
    text: str
    x0: float  # millimetres from the left
    y0: float  # millimetres from the top
    x1: float
    y1: float
    page: int


def pdf_words(pdf: Path) -> list[Word]:
    """Every word with its box in millimetres, from ``pdftotext -bbox``."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    words = []
    page = 0
    mm = 25.4 / 72
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            line,
        )
        if match:
            x0, y0, x1, y1 = (float(v) * mm for v in match.groups()[:4])
            words.append(Word(html_text.unescape(match.group(5)), x0, y0, x1, y1, page))
    return words
