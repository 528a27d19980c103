"""The members' report as a PDF: the figures in tables, and two charts beside them.

A4, DejaVu Sans (scheme and provider names may use any European letters),
reportlab's invariant mode: the same records and period give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from bundler.case.models import Conclusion
from bundler.register.cases import QUESTIONS
from bundler.register.report import MembersReport

CONCLUSION_COLOURS = {
    Conclusion.YES: "#00703c",
    Conclusion.PARTLY: "#f47738",
    Conclusion.NO: "#d4351c",
}
"""GOV.UK's green, orange and red, as on the web page."""


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    from bundler.evidence.fonts import register_fonts

    regular, bold = register_fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=18, leading=22, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=13, leading=16, spaceBefore=12,
                             spaceAfter=6, keepWithNext=1),
        "body": ParagraphStyle("body", fontName=regular, fontSize=10, leading=13),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11),
        "head": ParagraphStyle("head", fontName=bold, fontSize=9, leading=11),
        "regular": regular,
        "bold": bold,
    }


def _table(rows: list[list[str]], styles: dict[str, Any], widths: list[float]) -> Any:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    cells = [
        [Paragraph(escape(text), styles["head" if index == 0 else "cell"]) for text in row]
        for index, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _outcomes_chart(report: MembersReport, styles: dict[str, Any]) -> Any:
    """Stacked horizontal bars: for each para 110 question, how many yes, partly, no."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(480, 150)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 170, 30, 290, 110
    chart.data = [
        [outcome.yes for outcome in reversed(report.outcomes)],
        [outcome.partly for outcome in reversed(report.outcomes)],
        [outcome.no for outcome in reversed(report.outcomes)],
    ]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [outcome.title for outcome in reversed(report.outcomes)]
    chart.categoryAxis.labels.fontName = styles["regular"]
    chart.categoryAxis.labels.fontSize = 9
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(1, report.schemes_reviewed)
    chart.valueAxis.valueStep = max(1, -(-report.schemes_reviewed // 5))
    chart.valueAxis.labels.fontName = styles["regular"]
    chart.valueAxis.labels.fontSize = 8
    for index, conclusion in enumerate(Conclusion):
        chart.bars[index].fillColor = colors.HexColor(CONCLUSION_COLOURS[conclusion])
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 170, 12
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = styles["regular"]
    legend.fontSize = 8
    legend.colorNamePairs = [
        (colors.HexColor(CONCLUSION_COLOURS[c]), c.value.capitalize()) for c in Conclusion
    ]
    drawing.add(legend)
    return drawing


def _recommendations_chart(report: MembersReport, styles: dict[str, Any]) -> Any:
    """One bar per fate of the recommendations: completed, open, overdue."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    counts = report.recommendations
    values = [counts.completed, counts.open, counts.overdue]
    drawing = Drawing(480, 140)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 60, 25, 300, 100
    chart.data = [values]
    chart.categoryAxis.categoryNames = ["Completed in period", "Open, on time", "Overdue"]
    chart.categoryAxis.labels.fontName = styles["regular"]
    chart.categoryAxis.labels.fontSize = 9
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(1, *values)
    chart.valueAxis.valueStep = max(1, -(-max(values) // 5))
    chart.valueAxis.labels.fontName = styles["regular"]
    chart.valueAxis.labels.fontSize = 8
    chart.bars.strokeColor = None
    for index, colour in enumerate(("#00703c", "#1d70b8", "#d4351c")):
        chart.bars[(0, index)].fillColor = colors.HexColor(colour)
    drawing.add(chart)
    return drawing


def report_pdf(report: MembersReport, made_on: dt.date) -> bytes:
    """The report as PDF bytes."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = _styles()
    authority = report.authority
    buffer = io.BytesIO()
    title = "Supported housing reviews: report for members"
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, invariant=1, title=title, author=authority or "",
        creator="supported-housing-bundler", leftMargin=20 * mm, rightMargin=20 * mm,
        topMargin=18 * mm, bottomMargin=18 * mm,
    )
    width = A4[0] - 40 * mm
    recs = report.recommendations
    story: list[Any] = [
        Paragraph(escape(title), styles["title"]),
        Paragraph(escape(f"{authority + ', ' if authority else ''}{report.period.label}. "
                         f"Made on {made_on.isoformat()}; overdue counted to "
                         f"{report.as_of.isoformat()}."), styles["body"]),
        Paragraph("Summary", styles["h2"]),
        _table([
            ["Measure", "Number"],
            ["Reviews opened", str(report.reviews_opened)],
            ["Reviews done (findings made, para 110)", str(report.reviews_done)],
            ["Schemes those reviews cover", str(report.schemes_reviewed)],
            ["Recommendations made (paras 111-118)", str(recs.made)],
            ["Recommendations completed", str(recs.completed)],
            ["  of which after their complete-by date", str(recs.completed_late)],
            ["Recommendations open, not yet due", str(recs.open)],
            ["Recommendations overdue", str(recs.overdue)],
            ["Referrals to other agencies", str(report.referrals)],
            *([f"  {agency}", str(count)] for agency, count in report.referrals_by_agency.items()),
            ["  of which without an outcome yet", str(report.referrals_open)],
        ], styles, [width * 0.75, width * 0.25]),
        Paragraph("What the reviews found (para 110)", styles["h2"]),
        _outcomes_chart(report, styles),
        _table(
            [["Question", "Yes", "Partly", "No"]]
            + [[o.title, str(o.yes), str(o.partly), str(o.no)] for o in report.outcomes],
            styles, [width * 0.55, width * 0.15, width * 0.15, width * 0.15],
        ),
        Paragraph("Recommendations", styles["h2"]),
        _recommendations_chart(report, styles),
        Paragraph("Results by scheme (para 112)", styles["h2"]),
    ]
    if report.results:
        story.append(_table(
            [["Scheme", "Review", "Findings", "Tailored", "Depicted", "Dignity", "Recs"]]
            + [
                [r.scheme, r.reference, r.findings_date.isoformat(),
                 *((r.answers[key] or "not yet") for key, _title in QUESTIONS),
                 str(r.recommendations)]
                for r in report.results
            ],
            styles,
            [width * w for w in (0.22, 0.22, 0.14, 0.11, 0.11, 0.11, 0.09)],
        ))
    else:
        story.append(Paragraph("No review made its findings in this period.", styles["body"]))
    if report.left_out:
        story += [
            Spacer(1, 8),
            Paragraph(escape(
                "Not counted, because their records have problems (run bundler validate): "
                + ", ".join(report.left_out) + "."), styles["body"]),
        ]
    doc.build(story)
    return buffer.getvalue()
