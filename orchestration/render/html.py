"""An HTML rendering shaped like a government-site article page: a navigation bar and
breadcrumb before the article (the page ``<title>`` names the report), a script and a style
block, tables with rowspan/colspan, cell
text inside ``<p><span>`` with ``&nbsp;`` padding, a footer after the article.
``encoding`` "utf-8" or "gb18030" (any codec name); the page declares it with
``<meta charset>``, or with the old ``http-equiv`` form when ``http_equiv`` is set (and may
declare a name other than the codec, e.g. "gb2312" for a page encoded as GB18030)."""

from __future__ import annotations

from html import escape

from .content import Item, ReportContent, Table, outline


def _table(table: Table) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse" width="100%">',
           "<tbody>"]
    for boxes in table.rows:
        out.append("<tr>")
        for box in boxes:
            attrs = ""
            if box.colspan > 1:
                attrs += f' colspan="{box.colspan}"'
            if box.rowspan > 1:
                attrs += f' rowspan="{box.rowspan}"'
            text = escape(box.text)
            if box.numeric:
                text = f"&nbsp;{text}&nbsp;" if text else "&nbsp;"
            elif box.header and len(box.text) == 4:
                text = f"{escape(box.text[:2])}<br/>{escape(box.text[2:])}"
            out.append(f'<td{attrs} valign="middle"><p align="center"><span style="font-size:12px">'
                       f"{text}</span></p></td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render_html(content: ReportContent, encoding: str = "utf-8", declared: str | None = None,
                http_equiv: bool = False, items: list[Item] | None = None) -> bytes:
    declared = declared or encoding
    title = f"{content.agency}{content.year}年政府信息公开工作年度报告"
    meta = (f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">' if http_equiv
            else f'<meta charset="{declared}">')
    body: list[str] = []
    for item in items if items is not None else outline(content):
        if item.kind == "title":
            body.append(f"<h1 style=\"text-align:center\">{escape(item.text)}</h1>")
        elif item.kind == "heading":
            body.append(f"<p><strong>{escape(item.text)}</strong></p>")
        elif item.kind == "table":
            assert item.table is not None
            body.append(_table(item.table))
        elif item.kind in ("signature", "date"):
            body.append(f'<p style="text-align:right">{escape(item.text)}</p>')
        else:
            body.append(f"<p>&nbsp;&nbsp;&nbsp;&nbsp;{escape(item.text)}</p>")
    page = "\n".join([
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        meta,
        f"<title>{escape(title)}-门户网站</title>",
        "<style>td { border: 1px solid #000; } .nav li { display: inline; }</style>",
        "<script>var _hmt = _hmt || []; document.write('<p>统计代码</p>');</script>",
        "</head>",
        "<body>",
        ('<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
         '<li><a href="/hdjl/">互动交流</a></li></ul></div>'),
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 年度报告</div>',
        '<div class="article">',
        '<div class="content">',
        *body,
        "</div>",
        "</div>",
        "</body>",
        "</html>",
        "",
    ])
    return page.encode(encoding)
