"""Generate the six default letter templates in letter_templates/ with python-docx.

Run ``.venv/bin/python scripts/make_letter_templates.py`` after changing the wording
here; the generated .docx files are committed, and they are what a council opens
in Word, restyles and gives its letterhead. Output is byte-for-byte reproducible.

House style (GOV.UK Notify letter specification, for anything that may be posted):
A4; the recipient's address in a box 24.6 mm from the left and 39.5 mm from the
top of page 1, 95.4 x 26.8 mm, for a window envelope, and nothing else near it (the
letterhead ends at 32 mm, so only the address can show through the window); the body starting at 95 mm
on page 1; "Page N of M" in every footer; Arial (Liberation Sans is its
metric-compatible substitute where Arial is not installed). Resident letters are
12pt or larger, left-aligned, never italic, one idea per sentence.

The letterhead and the address are text boxes positioned relative to the page and
anchored to a fixed-height empty paragraph at the top of the body, which keeps the
letter text clear of them on page 1 (body text starts at 96 mm, inside the 95 mm limit). Boxes anchored
in a header would be simpler for Word users, but LibreOffice 7.4 ignores their
position offsets, so the PDF would put the address outside the window. The
first-page header is left empty for a council's logo: a taller header only moves
the body down, never the address.

Every variable is documented in bundler/letters/context.py; check an edited
template with ``bundler letter check-template FILE.docx --kind KIND``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bundler.letters.render import normalise_docx  # noqa: E402

OUT = ROOT / "letter_templates"

FONT = "Arial"
EMU_PER_MM = 36000
TWIPS_PER_MM = 1440 / 25.4

# Notify letter specification: the address block for a window envelope.
ADDRESS_X, ADDRESS_Y, ADDRESS_W, ADDRESS_H = 24.6, 39.5, 95.4, 26.8
LETTERHEAD_TOP, LETTERHEAD_BOTTOM = 8.0, 32.0  # clear of the window (see _page_one_boxes)
BODY_TOP_PAGE1 = 96.0  # 1 mm inside the 95 mm limit, for rounding in other word processors
TOP_MARGIN = 20.0
LEFT_MARGIN = 24.6
RIGHT_MARGIN = 20.0
BOTTOM_MARGIN = 20.0

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
)


class Style:
    """Sizes for one family of letters."""

    def __init__(self, *, resident: bool) -> None:
        self.resident = resident
        self.body = 12 if resident else 11
        self.small = 12 if resident else 10  # header, footer, letterhead details
        self.h1 = 16 if resident else 14
        self.h2 = 14 if resident else 12
        self.address = 12 if resident else 11
        self.address_line = 14 if resident else 12  # exact line pitch in the window, points


# --------------------------------------------------------------------------- raw XML helpers


def _run_xml(text: str, size: float, *, bold: bool = False) -> str:
    props = (
        f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}" w:eastAsia="{FONT}"/>'
        + ("<w:b/><w:bCs/>" if bold else "")
        + f'<w:sz w:val="{int(size * 2)}"/><w:szCs w:val="{int(size * 2)}"/>'
    )
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _para_xml(text: str, size: float, *, bold: bool = False, line_pt: float | None = None) -> str:
    spacing = (
        f'<w:spacing w:before="0" w:after="0" w:line="{int(line_pt * 20)}" w:lineRule="exact"/>'
        if line_pt
        else '<w:spacing w:before="0" w:after="0"/>'
    )
    return f"<w:p><w:pPr>{spacing}</w:pPr>{_run_xml(text, size, bold=bold)}</w:p>"


def _text_box(
    box_id: int, name: str, x: float, y: float, w: float, h: float, paragraphs: str, descr: str
) -> str:
    """A borderless text box positioned relative to the page (millimetres), in front of text."""
    cx, cy = round(w * EMU_PER_MM), round(h * EMU_PER_MM)
    inset = round(0.5 * EMU_PER_MM)
    return (
        f"<w:r {NS}><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
        f'<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" '
        f'relativeHeight="{251659264 + box_id}" behindDoc="0" locked="1" layoutInCell="1" '
        f'allowOverlap="1">'
        f'<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{round(x * EMU_PER_MM)}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{round(y * EMU_PER_MM)}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:wrapNone/><wp:docPr id="{box_id}" name="{escape(name)}" descr="{escape(descr)}"/>'
        f"<wp:cNvGraphicFramePr/>"
        f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr>'
        f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln>'
        f"</wps:spPr><wps:txbx><w:txbxContent>{paragraphs}</w:txbxContent></wps:txbx>"
        f'<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="{inset}" tIns="{inset}" '
        f'rIns="{inset}" bIns="0" anchor="t" anchorCtr="0"><a:noAutofit/></wps:bodyPr>'
        f"</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"</mc:AlternateContent></w:r>"
    )


def _field_runs(paragraph, instruction: str, size: float) -> None:  # type: ignore[no-untyped-def]
    """Append a Word field (PAGE, NUMPAGES) whose result Word and LibreOffice compute."""
    rpr = (
        f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}" w:eastAsia="{FONT}"/>'
        f'<w:sz w:val="{int(size * 2)}"/><w:szCs w:val="{int(size * 2)}"/></w:rPr>'
    )
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    for xml in (
        f'<w:r {w}>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {w}>{rpr}<w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        f'<w:r {w}>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r {w}>{rpr}<w:t>1</w:t></w:r>',
        f'<w:r {w}>{rpr}<w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml))


# --------------------------------------------------------------------------- the builder


class Letter:
    """A letter template under construction."""

    def __init__(self, *, resident: bool, title_property: str) -> None:
        self.style = Style(resident=resident)
        self.doc = Document()
        self._setup_styles()
        self._setup_page()
        self.doc.core_properties.title = title_property
        self.doc.core_properties.author = "supported-housing-bundler"
        self.doc.core_properties.comments = ""
        self.doc.core_properties.language = "en-GB"
        self._first = True

    # ----------------------------------------------------------------- setup

    def _fonts(self, rpr_parent) -> None:  # type: ignore[no-untyped-def]
        rpr = rpr_parent.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = parse_xml(f'<w:rFonts xmlns:w="{_W}"/>')
            rpr.insert(0, fonts)
        for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
            fonts.attrib.pop(qn(f"w:{attr}"), None)
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(qn(f"w:{attr}"), FONT)

    def _setup_styles(self) -> None:
        s = self.style
        styles = self.doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr_default.find(qn("w:rFonts"))
        for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
            fonts.attrib.pop(qn(f"w:{attr}"), None)
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(qn(f"w:{attr}"), FONT)
        # British English: spelling checks in Word, and the tagged PDF's language.
        lang = rpr_default.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "en-GB")
        for name, size, bold, before, after in (
            ("Normal", s.body, False, 0, 6),
            ("Heading 1", s.h1, True, 6, 6),
            ("Heading 2", s.h2, True, 10, 4),
            ("List Bullet", s.body, False, 0, 4),
        ):
            style = styles[name]
            self._fonts(style.element)
            style.font.name = FONT
            style.font.size = Pt(size)
            style.font.bold = bold
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            fmt = style.paragraph_format
            fmt.space_before = Pt(before)
            fmt.space_after = Pt(after)
            fmt.line_spacing = 1.15
            fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
            if name.startswith("Heading"):
                fmt.keep_with_next = True
        # python-docx's default template has a table style; make its text plain too.
        table_style = styles["Table Grid"]
        self._fonts(table_style.element)
        table_style.font.size = Pt(s.body)

    def _setup_page(self) -> None:
        section = self.doc.sections[0]
        assert section.start_type == WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin, section.right_margin = Mm(LEFT_MARGIN), Mm(RIGHT_MARGIN)
        section.top_margin, section.bottom_margin = Mm(TOP_MARGIN), Mm(BOTTOM_MARGIN)
        section.header_distance, section.footer_distance = Mm(10), Mm(10)
        section.different_first_page_header_footer = True
        s = self.style

        # Later pages: a one-line header.
        later = section.header.paragraphs[0]
        later.text = "{{ authority.name }}. Our reference: {{ our_reference }}"
        later.runs[0].font.size = Pt(s.small)

        for footer in (section.first_page_footer, section.footer):
            paragraph = footer.paragraphs[0]
            run = paragraph.add_run("Page ")
            run.font.size = Pt(s.small)
            _field_runs(paragraph, "PAGE", s.small)
            run = paragraph.add_run(" of ")
            run.font.size = Pt(s.small)
            _field_runs(paragraph, "NUMPAGES", s.small)

        # Body: keep page 1's text clear of the letterhead and address (starts at 95 mm).
        spacer = self.doc.paragraphs[0] if self.doc.paragraphs else self.doc.add_paragraph()
        fmt = spacer.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.line_spacing_rule = None
        spacer._p.get_or_add_pPr().append(
            parse_xml(
                f'<w:spacing xmlns:w="{_W}" w:before="0" w:after="0" '
                f'w:line="{round((BODY_TOP_PAGE1 - TOP_MARGIN) * TWIPS_PER_MM)}" w:lineRule="exact"/>'
            )
        )
        self._page_one_boxes(spacer)

    def _page_one_boxes(self, spacer) -> None:  # type: ignore[no-untyped-def]
        s = self.style
        # Page 1: letterhead and the recipient's address, positioned on the page. The
        # letterhead is three lines (the council; the team and its address; phone and
        # e-mail) ending by 32 mm, well above the envelope window (from 39.5 mm), so only
        # the address shows through it, however the letter sits in the envelope.
        letterhead = "".join(
            [
                _para_xml("{{ authority.name }}", s.h1, bold=True),
                _para_xml("{{ authority.team }}, {{ authority.address.single_line }}", s.small),
                _para_xml(
                    "{% if authority.phone %}Phone {{ authority.phone }}{% endif %}"
                    "{% if authority.phone and authority.email %}   {% endif %}"
                    "{% if authority.email %}E-mail {{ authority.email }}{% endif %}",
                    s.small,
                ),
            ]
        )
        address = "".join(
            [
                _para_xml("{%p for line in recipient.lines %}", s.address, line_pt=s.address_line),
                _para_xml("{{ line }}", s.address, line_pt=s.address_line),
                _para_xml("{%p endfor %}", s.address, line_pt=s.address_line),
            ]
        )
        spacer._p.append(
            parse_xml(
                _text_box(
                    1, "Letterhead", LEFT_MARGIN, LETTERHEAD_TOP, 210 - LEFT_MARGIN - RIGHT_MARGIN,
                    LETTERHEAD_BOTTOM - LETTERHEAD_TOP, letterhead,
                    "The council's name and contact details",
                )
            )
        )
        spacer._p.append(
            parse_xml(
                _text_box(
                    2, "Recipient address", ADDRESS_X, ADDRESS_Y, ADDRESS_W, ADDRESS_H,
                    address, "The recipient's address, placed for a window envelope",
                )
            )
        )


    # ----------------------------------------------------------------- content

    def p(self, text: str, *, bold: bool = False) -> None:
        paragraph = self.doc.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = bold or None

    def parts(self, *parts: tuple[str, bool]) -> None:
        """A paragraph of (text, bold) runs."""
        paragraph = self.doc.add_paragraph()
        for text, bold in parts:
            run = paragraph.add_run(text)
            run.bold = bold or None

    def tag(self, text: str) -> None:
        """A paragraph holding only a {%p ... %} tag: docxtpl removes the paragraph itself."""
        self.doc.add_paragraph(text)

    def h1(self, text: str) -> None:
        self.doc.add_paragraph(text, style="Heading 1")

    def h2(self, text: str) -> None:
        self.doc.add_paragraph(text, style="Heading 2")

    def bullet(self, text: str) -> None:
        self.doc.add_paragraph(text, style="List Bullet")

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def opening(self) -> None:
        self.p("{{ date }}")
        self.p("Our reference: {{ our_reference }}")
        self.p("{{ recipient.salutation }},")

    def sign_off(self) -> None:
        self.p("Yours sincerely,")
        self.p("")
        self.p("{{ officer.name }}", bold=True)
        self.tag("{%p if officer.role %}")
        self.p("{{ officer.role }}")
        self.tag("{%p endif %}")
        self.p("{{ authority.team }}, {{ authority.name }}")

    def table(self, header: list[str], rows: list[list[str]], widths_mm: list[float]) -> None:
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for index, text in enumerate(header):
            cell = table.rows[0].cells[index]
            cell.paragraphs[0].add_run(text).bold = True
        table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader xmlns:w="{_W}"/>'))
        for row_index, row in enumerate(rows, start=1):
            for index, text in enumerate(row):
                table.rows[row_index].cells[index].paragraphs[0].add_run(text)
        _fix_widths(table, widths_mm)
        for row in table.rows:
            # A recommendation and its dates stay together on one page.
            row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit xmlns:w="{_W}"/>'))

    def form_table(self, labels: list[str], height_mm: float) -> None:
        table = self.doc.add_table(rows=len(labels), cols=2)
        table.style = self.doc.styles["Table Grid"]
        for index, label in enumerate(labels):
            row = table.rows[index]
            row.height = Mm(height_mm)
            row.cells[0].paragraphs[0].add_run(label).bold = True
        _fix_widths(table, [50, 115])

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return normalise_docx(buffer.getvalue())


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _fix_widths(table, widths_mm: list[float]) -> None:  # type: ignore[no-untyped-def]
    """Fixed column widths that Word and LibreOffice both keep (grid, cells and layout)."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        column.set(qn("w:w"), str(round(width * TWIPS_PER_MM)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


# --------------------------------------------------------------------------- the six letters


def _contact_paragraph(letter: Letter, lead: str) -> None:
    letter.p(
        lead + " {{ officer.name }}{% if officer.role %}, {{ officer.role }}{% endif %}: "
        "{{ officer.contact_text }}."
    )


def information_request() -> Letter:
    letter = Letter(resident=False, title_property="Request for information")
    letter.opening()
    letter.h1("Request for information: review of {{ scheme_names }}")
    letter.p(
        "{{ authority.name }} is reviewing the quality of the supported housing at "
        "{{ scheme_names }}, which {{ provider.name }} provides."
    )
    letter.p(
        "We are following the government's Guidance on Local Authority Interventions to "
        "Improve Quality in Supported Housing (July 2022), paragraphs 84 and 85."
    )
    letter.h2("Why we are asking")
    letter.p("{{ legal_basis }}")
    letter.p(
        "We have asked only for information that is relevant to the review and that we do "
        "not already hold (paragraph 84 of the guidance)."
    )
    letter.h2("What we are asking for")
    letter.p("Please send us:")
    letter.tag("{%p for item in items %}")
    letter.bullet(
        "{{ item.text }} ({{ item.paragraph }}){% if item.detail %}. {{ item.detail }}{% endif %}"
    )
    letter.tag("{%p endfor %}")
    letter.h2("When and how to send it")
    letter.parts(("Please send the information by ", False), ("{{ due_date }}", True), (".", False))
    letter.p("{{ how_to_respond }}")
    letter.p("Please quote our reference, {{ our_reference }}.")
    letter.p(
        "If you cannot send an item by then, please tell us which item, why, and when you "
        "expect to send it."
    )
    letter.h2("Questions")
    _contact_paragraph(letter, "If you have any questions, please contact")
    letter.sign_off()
    return letter


def information_reminder() -> Letter:
    letter = Letter(resident=False, title_property="Reminder: information still needed")
    letter.opening()
    letter.h1("Reminder: information still needed for the review of {{ scheme_names }}")
    letter.p(
        "On {{ requested_date }} we asked {{ provider.name }} for information for our review "
        "of {{ scheme_names }}, by {{ original_due_date }}."
    )
    letter.tag("{%p if received_count %}")
    letter.p("Thank you for the information you have sent so far.")
    letter.tag("{%p endif %}")
    letter.h2("What we still need")
    letter.p("We have not yet received:")
    letter.tag("{%p for item in items %}")
    letter.bullet(
        "{{ item.text }} ({{ item.paragraph }}){% if item.detail %}. {{ item.detail }}{% endif %}"
        "{% if item.partly_received %} We have received part of this.{% endif %}"
    )
    letter.tag("{%p endfor %}")
    letter.h2("When and how to send it")
    letter.parts(("Please send these by ", False), ("{{ new_due_date }}", True), (".", False))
    letter.p("{{ how_to_respond }}")
    letter.p("Please quote our reference, {{ our_reference }}.")
    letter.p(
        "If you cannot send an item, please tell us why, so that we can record it in our "
        "review."
    )
    letter.h2("Questions")
    _contact_paragraph(letter, "If you have any questions, please contact")
    letter.sign_off()
    return letter


def _resident_help(letter: Letter) -> None:
    letter.h2("If you are worried")
    letter.p("{{ authority.complaints }}")
    letter.h2("Other formats")
    letter.p("You can ask for this letter in large print.")
    letter.p("You can ask for it in easy read, or in another language.")
    letter.p("To ask, contact {{ officer.name }}: {{ officer.contact_text }}.")


def resident_consent() -> Letter:
    letter = Letter(resident=True, title_property="Taking part in a review of your support")
    letter.opening()
    letter.h1("Taking part in a review of your support")
    letter.p("{{ authority.name }} is looking at the support at {{ scheme.name }}.")
    letter.p("{{ provider_name }} gives you this support.")
    letter.p("We want to hear what you think of it.")
    letter.p("We would like to talk with you in private.")
    letter.p("It is your choice whether you take part.")
    letter.h2("Your home is not at risk")
    letter.p("Taking part will not affect your tenancy or licence.")
    letter.p("Saying no will not affect it either.")
    letter.p("You will not lose your home because you take part, or because you say no.")
    letter.h2("What we will write down")
    letter.p("We will make notes of what you tell us.")
    letter.p("We may look at your support plan and your assessments.")
    letter.p("We may look at your licence or tenancy agreement.")
    letter.p("We keep these records safely.")
    letter.h2("Who will see it")
    letter.p("The council's review team will see your notes.")
    letter.p("We will not tell {{ provider_name }} what you said, unless you agree.")
    letter.p("In our reports we use a reference number, not your name.")
    letter.p("The form asks you about each of these things. You can say yes to some and no "
             "to others.")
    letter.h2("You can change your mind")
    letter.p("You can stop taking part at any time.")
    letter.p("You do not have to give a reason.")
    letter.p("Just tell {{ officer.name }}: {{ officer.contact_text }}.")
    _resident_help(letter)
    letter.sign_off()
    letter.page_break()
    letter.h1("Consent form")
    letter.p("Our reference: {{ our_reference }}")
    letter.p("Please tick Yes or No for each of these, then sign the form.")
    letter.table(
        ["", "Yes", "No"],
        [
            ["{%tr for statement in consent_statements %}", "", ""],
            ["{{ statement }}", "\u2610", "\u2610"],
            ["{%tr endfor %}", "", ""],
        ],
        [135, 15, 15],
    )
    letter.p("I know I can change my mind at any time.")
    letter.form_table(["Your name", "Your signature", "Date"], 16)
    letter.p("")
    letter.p(
        "Please give this form to {{ officer.name }}. Or post it to {{ authority.team }}, "
        "{{ authority.address.single_line }}."
    )
    return letter


def findings() -> Letter:
    letter = Letter(resident=False, title_property="Findings and recommendations")
    letter.opening()
    letter.h1("Findings and recommendations: review of {{ scheme_names }}")
    letter.p(
        "Thank you for your help with our review of {{ scheme_names }}. This letter sets out "
        "what we found on {{ findings_date }} and what we recommend (paragraphs 110 to 118 of "
        "the government's guidance of July 2022 on improving quality in supported housing)."
    )
    letter.h2("What we found")
    letter.tag("{%p if bundle %}")
    letter.p("The page numbers below are those of {{ bundle }}, which holds the evidence "
             "(paragraph 146).")
    letter.tag("{%p endif %}")
    letter.tag("{%p for conclusion in conclusions %}")
    letter.p("{% if conclusion.schemes %}{{ conclusion.schemes }}: {% endif %}"
             "{{ conclusion.question }}", bold=True)
    letter.parts(("Our answer: ", False), ("{{ conclusion.answer }}", True), (".", False))
    letter.p("{{ conclusion.summary }}")
    letter.tag("{%p if conclusion.evidence %}")
    letter.p("Evidence: {{ conclusion.evidence }}.")
    letter.tag("{%p endif %}")
    letter.tag("{%p endfor %}")
    letter.h2("What we recommend")
    letter.p(
        "For each recommendation, please tell us by the first date that you have received it "
        "and what you will do. Please complete it, and send us evidence that you have, by the "
        "second date."
    )
    letter.table(
        ["Recommendation", "Tell us you have received it by", "Complete it and send evidence by"],
        [
            ["{%tr for rec in recommendations %}", "", ""],
            ["{{ rec.id }}: {{ rec.text }}{% if rec.evidence %} (evidence: {{ rec.evidence }})"
             "{% endif %}", "{{ rec.acknowledge_by }}", "{{ rec.complete_by }}"],
            ["{%tr endfor %}", "", ""],
        ],
        [83, 41, 41],
    )
    letter.p("")
    letter.tag("{%p if revisit_date %}")
    letter.p("We plan to visit again on {{ revisit_date }} to check progress (paragraph 119).")
    letter.tag("{%p endif %}")
    letter.tag("{%p if offer_support %}")
    letter.h2("Support to make these changes")
    letter.p(
        "We can offer you support to make these improvements (paragraphs 113 and 114). Please "
        "contact {{ officer.name }} to talk about what would help."
    )
    letter.tag("{%p endif %}")
    letter.h2("Talk to us about these findings")
    _contact_paragraph(letter, "To discuss the findings or the dates, please contact")
    letter.sign_off()
    return letter


def resident_outcome() -> Letter:
    letter = Letter(resident=True, title_property="What we have asked your provider to do")
    letter.opening()
    letter.h1("What we have asked your provider to do")
    letter.p("We have finished looking at the support at {{ scheme.name }}.")
    letter.p("Thank you to everyone who talked to us.")
    letter.p("This letter tells you what we have asked {{ provider_name }} to do.")
    letter.h2("What we have asked for")
    letter.tag("{%p for rec in recommendations %}")
    letter.bullet("{{ rec.text }}")
    letter.tag("{%p endfor %}")
    letter.tag("{%p if revisit_date %}")
    letter.p("We will visit again on {{ revisit_date }} to check on progress.")
    letter.tag("{%p endif %}")
    letter.h2("Your home is not at risk")
    letter.p("This review does not change your tenancy or licence.")
    letter.p("You will not lose your home because of this review.")
    letter.p("If anyone tells you that you might, please tell us straight away.")
    letter.h2("Your rights")
    letter.p("You have the right to support that meets your needs.")
    letter.p("You have the right to be treated with dignity and respect.")
    letter.p("You can ask us for a copy of the information we hold about you.")
    _resident_help(letter)
    letter.sign_off()
    return letter


def revisit_notice() -> Letter:
    letter = Letter(resident=False, title_property="Notice of a follow-up visit")
    letter.opening()
    letter.h1("Notice of a follow-up visit to {{ scheme_names }}")
    letter.parts(
        ("We will visit {{ scheme_names }} on ", False),
        ("{{ visit_day }}", True),
        (
            " to check progress on our recommendations{% if findings_date %} following our "
            "findings of {{ findings_date }}{% endif %} (paragraph 119 of the government's "
            "guidance of July 2022 on improving quality in supported housing).",
            False,
        ),
    )
    letter.h2("What we will check")
    letter.tag("{%p for rec in recommendations %}")
    letter.bullet("{{ rec.id }}: {{ rec.text }} To be completed by {{ rec.complete_by }}.")
    letter.tag("{%p endfor %}")
    letter.p(
        "Please have the evidence of what you have done ready for us to see on the day, or "
        "send it to us before the visit."
    )
    letter.p("We would also like to speak to staff, and to any residents who wish to talk to us.")
    letter.h2("If the date is not possible")
    _contact_paragraph(letter, "Please contact")
    letter.sign_off()
    return letter


BUILDERS = {
    "information-request": information_request,
    "information-reminder": information_reminder,
    "resident-consent": resident_consent,
    "findings": findings,
    "resident-outcome": resident_outcome,
    "revisit-notice": revisit_notice,
}


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for kind, build in BUILDERS.items():
        target = out / f"{kind}.docx"
        target.write_bytes(build().bytes())
        print(f"wrote {target}")


if __name__ == "__main__":
    # An optional folder argument writes elsewhere (the tests compare with the committed files).
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
