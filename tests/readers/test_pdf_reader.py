"""The PDF reader: lines and cells from character boxes, ruled tables, guards."""

from __future__ import annotations

import io

import pytest
from reportlab.lib import pdfencrypt
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from orchestration.render.pdf import _font
from orchestration.reports.model import UnreadableReport
from orchestration.reports.readers import pdf, read_document


def texts(doc) -> list:
    return [b.text if b.kind == "paragraph" else [[c.text for c in row] for row in b.rows] for b in doc.blocks]


def drawn(lines: list[list[tuple[float, str]]], pages: int = 1, encrypt=None) -> bytes:
    """A PDF with each line's (x, text) pieces drawn on one baseline, 20 pt apart."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, invariant=1, encrypt=encrypt)
    for _ in range(pages):
        c.setFont(_font(), 10)
        for n, pieces in enumerate(lines):
            for x, text in pieces:
                c.drawString(x, 800 - 20 * n, text)
        c.showPage()
    c.save()
    return buffer.getvalue()


def test_unruled_lines_split_into_cells_by_gaps_and_number_by_page_and_line():
    data = drawn([[(50, "二、主动公开政府信息情况")], [(50, "规章"), (200, "1"), (260, "22"), (320, "333")],
                  [(50, "政 府 信 息")]], pages=2)
    doc = pdf.read(data, "x.pdf")
    assert texts(doc)[:3] == ["二、主动公开政府信息情况", [["规章", "1", "22", "333"]], "政 府 信 息"]
    assert [b.line for b in doc.blocks] == [1001, 1002, 1003, 2001, 2002, 2003]


def test_letter_spaced_single_characters_are_one_cell():
    """Characters 30 pt apart (10 pt glyphs, 20 pt of character spacing, as word processors
    write expanded spacing) are one cell, not four. The spacing is drawn with the text
    operator Tc: the PDFium build installed here (159.0.8149, a source build of pypdfium2
    5.15.2) extracts no character from a text string of one two-byte CID glyph, so four
    separate one-glyph strings would test the library, not the reader."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, invariant=1)
    text = c.beginText(50, 800)
    text.setFont(_font(), 10)
    text.setCharSpace(20)
    text.textOut("年度报告")
    c.drawText(text)
    c.showPage()
    c.save()
    doc = pdf.read(buffer.getvalue(), "x.pdf")
    assert texts(doc) == ["年度报告"]


def _ruled_table() -> bytes:
    style = ParagraphStyle("c", fontName=_font(), fontSize=9, leading=11, wordWrap="CJK")
    label = Paragraph("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", style)
    data = [[Paragraph("（六）其他处理", style), label, "3", "", "5"], ["", "3.其他", "6", "7", "8"]]
    table = Table(data, colWidths=[50, 100, 40, 40, 40], style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), _font()), ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ("SPAN", (0, 0), (0, 1)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, invariant=1).build([table])
    return buffer.getvalue()


def test_ruled_table_boxes_wrapped_labels_blank_cells_and_row_spans():
    doc = pdf.read(_ruled_table(), "x.pdf")
    [[first, second]] = texts(doc)
    group, label = first[0], first[1]
    assert group.replace("\n", "") == "（六）其他处理" and "\n" in group
    # a label wrapped over several lines is one cell; its values, centred, stay in its row
    assert label.replace("\n", "") == "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    assert label.count("\n") >= 2
    assert first[2:] == ["3", "", "5"]  # the blank cell keeps its place
    assert second == [group, "3.其他", "6", "7", "8"]  # the row-spanning box is repeated


def test_no_text_layer_is_a_scanned_pdf():
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, invariant=1)
    c.rect(50, 50, 200, 200, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(UnreadableReport, match=r"^scan\.pdf: no text layer \(scanned PDF\?\)$"):
        read_document(buffer.getvalue(), "scan.pdf")


def test_password_protected_pdf_says_so():
    data = drawn([[(50, "机密")]], encrypt=pdfencrypt.StandardEncryption("user", "owner"))
    with pytest.raises(UnreadableReport, match=r"^locked\.pdf: password-protected PDF"):
        read_document(data, "locked.pdf")


def test_owner_password_only_pdf_reads():
    data = drawn([[(50, "只限制打印")]], encrypt=pdfencrypt.StandardEncryption("", "owner", canPrint=0))
    assert texts(pdf.read(data, "x.pdf")) == ["只限制打印"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (bytes(range(256)) * 8, "not a PDF (no %PDF header)"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "damaged or not a PDF"),
    ],
)
def test_unreadable_pdf_says_why(data, reason):
    with pytest.raises(UnreadableReport) as error:
        read_document(data, "bad.pdf")
    assert str(error.value).startswith("bad.pdf: ") and reason in str(error.value)


def test_truncated_pdf_is_refused_or_read_never_a_traceback():
    data = drawn([[(50, "截断的文件")]] * 5)
    for cut in (len(data) // 3, len(data) // 2, len(data) - 40):
        try:
            pdf.read(data[:cut], "cut.pdf")
        except UnreadableReport as error:
            assert str(error).startswith("cut.pdf: ")


def test_page_limit(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PDF_PAGES", 1)
    with pytest.raises(UnreadableReport, match="2 pages, over the limit of 1"):
        pdf.read(drawn([[(50, "页")]], pages=2), "x.pdf")


def test_word_style_borders_thin_filled_rectangles_inside_a_form_xobject():
    """Word/WPS exports draw borders as thin filled rectangles, sometimes inside a form
    XObject placed with a transform: the grid is still found (the blank cell kept)."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, invariant=1)
    c.beginForm("grid")
    for y in (700, 680, 660):
        c.rect(100, y, 240, 0.5, stroke=0, fill=1)
    for x in (100, 180, 260, 340):
        c.rect(x, 660, 0.5, 40.5, stroke=0, fill=1)
    c.endForm()
    c.saveState()
    c.translate(10, -20)
    c.doForm("grid")
    c.restoreState()
    c.setFont(_font(), 10)
    for x, y, text in ((115, 665, "规章"), (200, 665, "1"), (275, 665, "2"), (115, 645, "行政许可"), (200, 645, "3")):
        c.drawString(x, y, text)
    c.showPage()
    c.save()
    assert texts(pdf.read(buffer.getvalue(), "x.pdf")) == [[["规章", "1", "2"], ["行政许可", "3", ""]]]
