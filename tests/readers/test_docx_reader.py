"""The .docx reader: body order, merged cells, multi-paragraph cells, split tables, guards."""

from __future__ import annotations

import io
import zipfile

import pytest

from orchestration.render.docx import package
from orchestration.reports.model import UnreadableReport
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import docx, read_document

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def tc(*paragraphs: str, span: int = 1, vmerge: str | None = None) -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    body = "".join(p(x) for x in paragraphs) or "<w:p/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def tbl(*rows: list[str]) -> str:
    return "<w:tbl>" + "".join("<w:tr>" + "".join(row) + "</w:tr>" for row in rows) + "</w:tbl>"


def document(body: str) -> bytes:
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}</w:body></w:document>'
    return package({"word/document.xml": xml})


def texts(doc) -> list:
    return [b.text if b.kind == "paragraph" else [[c.text for c in row] for row in b.rows] for b in doc.blocks]


def test_paragraphs_and_tables_in_body_order_with_line_ordinals():
    doc = docx.read(document(p("标题") + "<w:p/>" + tbl([tc("a"), tc("b")], [tc("1"), tc("2")]) + p("落款")), "x.docx")
    assert texts(doc) == ["标题", [["a", "b"], ["1", "2"]], "落款"]
    # paragraphs (empty ones too) and table rows are numbered together
    assert [b.line for b in doc.blocks] == [1, 3, 5]
    assert [c.line for row in doc.blocks[1].rows for c in row] == [3, 3, 4, 4]


def test_merged_cells_one_cell_across_columns_repeated_down_rows():
    body = tbl(
        [tc("label", vmerge="restart"), tc("header", span=2)],
        [tc(vmerge="continue"), tc("x"), tc("y")],
    )
    rows = docx.read(document(body), "x.docx").blocks[0].rows
    assert [[c.text for c in row] for row in rows] == [["label", "header"], ["label", "x", "y"]]
    assert rows[1][0].line == rows[0][0].line  # the repeated box keeps the line of its first row


def test_multi_paragraph_cells_are_joined_with_newlines():
    rows = docx.read(document(tbl([tc("商业", "企业"), tc("0")])), "x.docx").blocks[0].rows
    assert rows[0][0].text == "商业\n企业"


def test_a_table_split_over_two_word_tables_is_two_consecutive_table_blocks():
    doc = docx.read(document(tbl([tc("a")]) + tbl([tc("b")])), "x.docx")
    assert [b.kind for b in doc.blocks] == ["table", "table"]


def test_line_breaks_split_a_body_paragraph_deleted_text_and_fallbacks_are_not_text():
    body = ('<w:p><w:r><w:t>机关</w:t></w:r><w:r><w:br/></w:r><w:r><w:t>2022年1月28日</w:t></w:r>'
            '<w:del><w:r><w:delText>删去</w:delText></w:r></w:del></w:p>')
    assert texts(docx.read(document(body), "x.docx")) == ["机关", "2022年1月28日"]


def test_content_controls_and_layout_tables_are_looked_through():
    inner = tbl([tc("规章"), tc("1")])
    body = (f'<w:sdt><w:sdtContent>{p("在控件里")}</w:sdtContent></w:sdt>'
            f"<w:tbl><w:tr><w:tc>{p('布局')}{inner}<w:p/></w:tc></w:tr></w:tbl>")
    assert texts(docx.read(document(body), "x.docx")) == ["在控件里", "布局", [["规章", "1"]]]


def test_a_label_spanning_three_columns_is_followed_by_its_values():
    """The decision in grid.py: a label box spanning three label columns, then the numbers."""
    labels = [tc("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", span=3)]
    header = [tc(x) for x in ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")]
    row = [tc("一、本年新收政府信息公开申请数量", span=3)] + [tc(str(n)) for n in range(1, 8)]
    body = p("某局2021年政府信息公开工作年度报告") + p("三、收到和处理政府信息公开申请情况") + tbl(labels + header, row)
    report = parse_document(docx.read(document(body), "x.docx"), "0" * 64)
    got = report.nested("B")["new_received"]
    assert got == {"natural_person": 1, "commercial": 2, "research": 3, "public_welfare": 4,
                   "legal_services": 5, "other_org": 6, "total": 7}


def test_a_value_spanning_two_grid_columns_is_one_value():
    """A grid artefact (LibreOffice's .doc conversion makes them): table C's 总计 box spans two
    grid columns; repeating it would give 16 numbers for 15 and shift the last group."""
    values = [tc(str(n), span=2 if n == 5 else 1) for n in range(1, 16)]
    body = (p("某局2021年政府信息公开工作年度报告") + p("三、收到和处理政府信息公开申请情况")
            + p("四、政府信息公开行政复议、行政诉讼情况") + tbl(values))
    report = parse_document(docx.read(document(body), "x.docx"), "0" * 64)
    assert report.nested("C")["litigation_after_review"] == {
        "upheld": 11, "corrected": 12, "other": 13, "pending": 14, "total": 15}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected (encrypted) .docx"),
        (b"just some text", "not a .docx (not a zip archive)"),
        (document(p("x"))[:200], "damaged or truncated .docx"),
        (package({"word/other.xml": "<x/>"}), "zip has no word/document.xml"),
    ],
)
def test_unreadable_docx_says_why(data, reason):
    with pytest.raises(UnreadableReport) as error:
        read_document(data, "bad.docx")
    assert str(error.value).startswith("bad.docx: ")
    assert reason in str(error.value)


def test_doctype_and_entities_are_refused():
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">]>'
           f"<w:document {W}><w:body>{p('&a;')}</w:body></w:document>")
    with pytest.raises(UnreadableReport, match="DOCTYPE"):
        docx.read(package({"word/document.xml": xml}), "x.docx")


def test_size_limit_is_checked_before_inflating(monkeypatch):
    monkeypatch.setattr(docx, "MAX_XML_BYTES", 1000)
    data = document(p("零" * 2000))
    with pytest.raises(UnreadableReport, match="over the limit of 1000"):
        docx.read(data, "x.docx")


def test_a_lying_size_header_is_caught_while_inflating(monkeypatch):
    monkeypatch.setattr(docx, "MAX_XML_BYTES", 1000)
    data = bytearray(document(p("零" * 2000)))
    # Patch the uncompressed size in the central directory and the local header to 10 bytes.
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("word/document.xml")
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = bytes(data).find(signature, 0 if signature == b"PK\x03\x04" else info.header_offset)
        while at != -1:
            name_len = int.from_bytes(data[at + (26 if signature == b"PK\x03\x04" else 28):][:2], "little")
            start = at + (30 if signature == b"PK\x03\x04" else 46)
            if bytes(data[start:start + name_len]) == b"word/document.xml":
                data[at + offset:at + offset + 4] = (10).to_bytes(4, "little")
            at = bytes(data).find(signature, at + 4)
    with pytest.raises(UnreadableReport) as error:
        docx.read(bytes(data), "x.docx")
    # zipfile never inflates past the size the header states, and the CRC then fails.
    assert str(error.value).startswith("x.docx: damaged or truncated .docx")


def test_main_part_is_found_through_the_package_relationships():
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document2.xml"/></Relationships>')
    xml = f"<w:document {W}><w:body>{p('在别的部件里')}</w:body></w:document>"
    doc = docx.read(package({"_rels/.rels": rels, "word/document2.xml": xml}), "x.docx")
    assert texts(doc) == ["在别的部件里"]


def test_tabs_breaks_and_hyphens_are_read_wherever_they_sit_and_cell_properties_anywhere():
    """The reader reads only w:t in a paragraph with no w:tab/w:br/w:noBreakHyphen in it; these
    are found at any depth (a hyperlink, a text box inside another paragraph, a cell). A cell's
    w:tcPr is read when it is not the cell's first child, and its first w:gridSpan counts."""
    tabbed = ('<w:p><w:hyperlink><w:r><w:t>第</w:t><w:tab/><w:t>一</w:t><w:noBreakHyphen/><w:t>项</w:t>'
              "</w:r></w:hyperlink></w:p>")
    boxed = ("<w:p><w:r><w:t>外</w:t><w:txbxContent><w:p><w:r><w:t>机关</w:t><w:br/><w:t>日期</w:t></w:r></w:p>"
             "</w:txbxContent></w:r></w:p>")
    late_props = f'<w:tc>{p("宽")}<w:tcPr><w:gridSpan w:val="2"/><w:gridSpan w:val="3"/></w:tcPr></w:tc>'
    broken = "<w:tc><w:p><w:r><w:t>商业</w:t><w:br/><w:t>企业</w:t></w:r></w:p></w:tc>"
    body = tabbed + boxed + tbl([late_props, broken], [tc("a"), tc("b"), tc("c")])
    assert texts(docx.read(document(body), "x.docx")) == [
        "第\t一-项", "外机关", "日期", [["宽", "商业\n企业"], ["a", "b", "c"]]]
