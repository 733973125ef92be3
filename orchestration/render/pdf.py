"""A text-layer PDF rendering (reportlab, BSD licence) in the printed layout: A4, tables with
grid lines and merged boxes, labels wrapping inside their boxes, the row-group label of table
B printed one character per line in a narrow column, values centred.

Fonts: by default a subset of Noto Serif CJK SC embedded in the PDF, as office suites export
reports (``orchestration/fonts.py`` builds it from the system's font once per machine); with
``embed=False``, or on a machine without that font, reportlab's built-in CID font
STSong-Light, named but not embedded, as some reporting systems print PDFs (every reader then
substitutes a system font). pypdfium2 extracts the text of both (checked in tests/render).
``invariant=1`` fixes the creation date and document id, so the same content gives the same
bytes.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from ..fonts import embeddable_font
from .content import Item, ReportContent, Table, grid, outline

FONT = "STSong-Light"  # named, not embedded
EMBEDDED_FONT = "NotoSerifSC-xxgk"
_MARGIN = 20 * mm


def _font(embed: bool = False) -> str:
    """The registered font's name: the embedded subset when asked and available, else FONT."""
    registered = pdfmetrics.getRegisteredFontNames()
    if embed:
        if EMBEDDED_FONT in registered:
            return EMBEDDED_FONT
        path = embeddable_font()
        if path is not None:
            pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, str(path)))
            return EMBEDDED_FONT
    if FONT not in registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles(embed: bool) -> dict[str, ParagraphStyle]:
    font = _font(embed)
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK", firstLineIndent=21)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=24, alignment=TA_CENTER,
                                firstLineIndent=0, spaceAfter=12),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=20, firstLineIndent=0,
                                  spaceBefore=6),
        "body": base,
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT, firstLineIndent=0),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11, firstLineIndent=0),
        "cell_center": ParagraphStyle("cell_center", parent=base, fontSize=9, leading=11, firstLineIndent=0,
                                      alignment=TA_CENTER),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(table: Table, styles: dict[str, ParagraphStyle], width: float) -> PdfTable:
    total = sum(table.widths)
    col_widths = [width * w / total for w in table.widths]
    data: list[list[object]] = [["" for _ in range(table.columns)] for _ in table.rows]
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for r, row in enumerate(grid(table)):
        for box, col, first_row in row:
            if not first_row:
                continue
            if box.numeric:
                data[r][col] = box.text
            else:
                style = styles["cell_center"] if box.header else styles["cell"]
                data[r][col] = Paragraph(_escape(box.text), style)
            if box.colspan > 1 or box.rowspan > 1:
                commands.append(("SPAN", (col, r), (col + box.colspan - 1, r + box.rowspan - 1)))
    return PdfTable(data, colWidths=col_widths, style=TableStyle(commands), repeatRows=0)


def render_pdf(content: ReportContent, items: list[Item] | None = None, embed: bool = True) -> bytes:
    styles = _styles(embed)
    buffer = io.BytesIO()
    title = f"{content.agency}{content.year}年政府信息公开工作年度报告"
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN,
                            bottomMargin=_MARGIN, title=title, author=content.agency,
                            creator="xxgk-warehouse render", invariant=1)
    flow: list[object] = []
    for item in items if items is not None else outline(content):
        if item.kind == "table":
            assert item.table is not None
            flow.append(_table(item.table, styles, doc.width))
            flow.append(Spacer(1, 6))
        elif item.kind in ("signature", "date"):
            if item.kind == "signature":
                flow.append(Spacer(1, 18))
            flow.append(Paragraph(_escape(item.text), styles["right"]))
        else:
            flow.append(Paragraph(_escape(item.text), styles[item.kind if item.kind in styles else "body"]))
    doc.build(flow)
    return buffer.getvalue()
