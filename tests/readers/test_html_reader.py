"""The HTML reader: encodings, rowspan/colspan grids, cell text, paragraphs, source lines."""

from __future__ import annotations

import pytest

from orchestration.reports.model import UnreadableReport
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import html, read_document

TABLE = """<table>
<tr><td rowspan="2">标签</td><td colspan="2">表头</td></tr>
<tr><td><p><span>&nbsp;1&nbsp;</span></p></td><td><p>商业</p><p>企业</p></td></tr>
</table>"""


def texts(doc) -> list:
    return [b.text if b.kind == "paragraph" else [[c.text for c in row] for row in b.rows] for b in doc.blocks]


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_rowspan_colspan_expand_to_a_grid_with_cell_text_joined():
    doc = html.read(page(TABLE).encode(), "x.html")
    assert texts(doc) == [[["标签", "表头"], ["标签", "\xa01\xa0", "商业\n企业"]]]


def test_cells_and_paragraphs_carry_their_source_line():
    source = "<html><body>\n<p>第一段</p>\n" + TABLE + "\n<div>后面<br>换行</div></body></html>"
    doc = html.read(source.encode(), "x.html")
    assert doc.blocks[0].line == 2
    rows = doc.blocks[1].rows
    assert rows[0][0].line == 4 and rows[1][1].line == 5
    assert [(b.text, b.line) for b in doc.blocks[2:]] == [("后面", 7), ("换行", 7)]


def test_scripts_styles_and_hidden_elements_are_dropped_blocks_are_paragraphs():
    body = ("<script>var a = '<p>不是正文</p>';</script><style>p {}</style>"
            "<div>一、总体情况<p>正文  有   空格</p>尾巴</div><span style='display:none'>隐藏</span>"
            "<ul><li>甲</li><li>乙</li></ul>")
    doc = html.read(page(body, "<title>页面标题</title>").encode(), "x.html")
    assert texts(doc) == ["页面标题", "一、总体情况", "正文 有 空格", "尾巴", "甲", "乙"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\ufeff<p>带BOM</p>".encode("utf-8"), "带BOM"),
        ('<meta charset="gbk"><p>国标扩展</p>'.encode("gb18030"), "国标扩展"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>旧式声明</p>'.encode("gb18030"),
         "旧式声明"),
        ("<p>没有声明的国标</p>".encode("gb18030"), "没有声明的国标"),
        ("<p>没有声明的UTF-8</p>".encode(), "没有声明的UTF-8"),
        # declared GB2312, bytes UTF-8 (a migrated CMS): valid UTF-8 wins, no mojibake
        ('<meta charset="gb2312"><p>声明不对</p>'.encode(), "声明不对"),
        # declared UTF-8, bytes GB18030: the declaration fails strictly, GB18030 reads it
        ('<meta charset="utf-8"><p>声明是UTF-8</p>'.encode("gb18030"), "声明是UTF-8"),
        ("\u00e9t\u00e9 <p>GB18030 外字𠀀</p>".encode("gb18030"), "GB18030 外字𠀀"),
    ],
)
def test_encodings(data, expected):
    doc = html.read(data, "x.html")
    assert expected in [b.text for b in doc.blocks]


def test_layout_tables_are_looked_through():
    source = page(f"<table><tr><td><p>导航</p></td><td>{TABLE}</td></tr></table>")
    assert texts(html.read(source.encode(), "x.html")) == [
        "导航", [["标签", "表头"], ["标签", "\xa01\xa0", "商业\n企业"]]]


def test_rowspan_zero_and_odd_span_values():
    source = page('<table><tr><td rowspan="0">a</td><td colspan="2;">b</td></tr><tr><td>c</td><td>d</td></tr></table>')
    assert texts(html.read(source.encode(), "x.html")) == [[["a", "b"], ["a", "c", "d"]]]


def test_a_page_without_a_report_is_a_document_and_the_parser_says_so():
    doc = read_document(page("<p>网站首页</p><p>欢迎访问</p>").encode(), "index.html")
    assert texts(doc) == ["网站首页", "欢迎访问"]
    with pytest.raises(UnreadableReport, match="not an annual report"):
        parse_document(doc, "0" * 64)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n ", "empty file"),
        (b"<html>\x00\x01\x02</html>", "binary content"),
        (bytes(range(128, 256)) * 4, "neither"),
    ],
)
def test_unreadable_html_says_why(data, reason):
    with pytest.raises(UnreadableReport) as error:
        read_document(data, "bad.html")
    assert str(error.value).startswith("bad.html: ") and reason in str(error.value)


def test_size_limit(monkeypatch):
    monkeypatch.setattr(html, "MAX_HTML_BYTES", 100)
    with pytest.raises(UnreadableReport, match="over the HTML size limit"):
        html.read(page("<p>" + "字" * 100 + "</p>").encode(), "x.html")


def test_hidden_rows_cells_and_cell_parts_are_dropped_and_cell_lines_break_at_blocks():
    """Hidden rows, cells and parts of a cell are dropped like hidden paragraphs. In a cell,
    ``<br>`` and block elements end a line, blank lines are dropped, and whitespace collapses
    within each text piece (a space ending one piece and one starting the next stay two)."""
    source = page('<table><tr style="DISPLAY: none"><td>隐藏行</td></tr>'
                  '<tr><td hidden>隐藏格</td><td> <div></div> <p>甲 </p><br><br>'
                  '<span style="visibility:hidden">不见</span>乙  丙<div>丁</div> </td>'
                  "<td><span>a </span> b</td></tr></table>"
                  '<p style="display:none">隐藏段</p><p>可见</p>')
    assert texts(html.read(source.encode(), "x.html")) == [[["甲\n乙 丙\n丁", "a  b"]], "可见"]
