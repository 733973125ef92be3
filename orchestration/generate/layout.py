"""The printed report of a generated report: its outline (title, sections, tables on the
2021 or the 2019-2020 form, a narrative that quotes the counts) rendered by
``orchestration.render`` in any of its formats.

``orchestration.render`` lays out the 2021 form with one fixed narrative sentence; the
generator needs the 2019-2020 form's tables and narratives of its own (varied wording, and a
count that disagrees with the table for rule R8), so it builds the outline here and hands it
to the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..render import FORMATS, ReportContent
from ..render.content import Box, Item, Table, date_zh, format_number, table_a, table_b, table_c
from ..reports import form
from .values import NOT_ON_OLD_FORM

_HEADINGS = ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
             "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项"]
_ORDINALS = "一二三四五六"


@dataclass(frozen=True)
class Narrative:
    """What section 一 says about applications: ``style`` 0 "全年收到…N件", 1 "共受理…N件，办结…件，
    结转下年度…件", 2 no count; ``received`` the count quoted (None: the table's)."""

    style: int
    received: int | None = None


def _b_old(c: ReportContent) -> Table:
    """Table B on the 2019-2020 form: 三（六）其他处理 is one row without sub-items."""
    t = table_b(c)
    out = Table("B", t.widths, [])
    for boxes in t.rows:
        texts = [b.text for b in boxes]
        if "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in texts \
                or "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请" in texts:
            continue
        if "3.其他" in texts:
            i = texts.index("3.其他")
            boxes = [*boxes[:i], Box("（六）其他处理", colspan=2), *boxes[i + 1:]]
        out.rows.append(boxes)
    # row-group label "三、本年度办理结果" spans the outcome rows of this form
    out.rows[:] = [[Box(b.text, b.colspan, b.rowspan - len(NOT_ON_OLD_FORM), b.header, b.numeric)
                    if b.text == "三、本年度办理结果" else b for b in boxes] for boxes in out.rows]
    return out


def _a_old(c: ReportContent) -> Table:
    t = Table("A", [3, 2, 2, 2])

    def values(row: str, group: str, colspan: int = 1) -> list[Box]:
        return [Box(format_number(c.value("A", row, col.column)), colspan=colspan, numeric=True)
                for col in form.columns("A", group)]

    for clause, group, rows in (("第二十条第（一）项", "documents_2019", ("rules", "normative_documents")),
                                ("第二十条第（五）项", "items_2019", ("licensing", "other_services")),
                                ("第二十条第（六）项", "items_2019", ("penalty", "coercion")),
                                ("第二十条第（八）项", "fees_2019", ("fees",)),
                                ("第二十条第（九）项", "procurement_2019", ("procurement",))):
        labels = [col.label_zh for col in form.columns("A", group)]
        t.rows.append([Box(clause, colspan=4, header=True)])
        spans = [1] * len(labels)
        spans[-1] += 3 - len(labels)
        t.rows.append([Box("信息内容", header=True)]
                      + [Box(label, colspan=s, header=True) for label, s in zip(labels, spans)])
        for row in rows:
            boxes = values(row, group)
            if len(boxes) < 3:
                last = boxes[-1]
                boxes[-1] = Box(last.text, colspan=4 - len(boxes), numeric=True)
            t.rows.append([Box(form.row_label("A", row) if row != "normative_documents" else "规范性文件")] + boxes)
    return t


def narrative_text(c: ReportContent, story: Narrative) -> str:
    head = f"{c.year}年，{c.agency}坚持以公开为常态、不公开为例外，依法依规做好政府信息公开工作。"
    received = c.value("B", "new_received", "total")
    quoted = story.received if story.received is not None else received
    if story.style == 0 and quoted is not None:
        return head + (f"全年收到政府信息公开申请{quoted}件。" if quoted else "全年未收到政府信息公开申请。")
    if story.style == 1 and quoted is not None:
        closed = c.value("B", "results_total", "total")
        forward = c.value("B", "carried_forward", "total")
        tail = "".join(f"，{word}{format_number(n)}件" for word, n in (("办结", closed), ("结转下年度继续办理", forward))
                       if n is not None)
        return head + f"本年度共受理政府信息公开申请{quoted}件{tail}。"
    return head + "依申请公开工作平稳有序，答复均在法定期限内完成。"


def outline_for(c: ReportContent, story: Narrative, upto: str | None = None) -> list[Item]:
    """The report's outline; ``upto`` "A" stops before section 二 (a truncated file)."""
    old = c.form_version == form.OLD

    def heading(n: int) -> Item:
        return Item("heading", f"{_ORDINALS[n]}、{_HEADINGS[n]}")

    items = [
        Item("title", f"{c.agency}{c.year}年政府信息公开工作年度报告"),
        Item("paragraph", "依据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定，编制本报告。"
                          f"本报告中数据的统计期限自{c.year}年1月1日起至{c.year}年12月31日止。"),
        heading(0),
        Item("paragraph", narrative_text(c, story)),
    ]
    if upto == "A":
        return items
    items += [
        heading(1), Item("table", table=_a_old(c) if old else table_a(c)),
        heading(2), Item("table", table=_b_old(c) if old else table_b(c)),
        heading(3), Item("table", table=table_c(c)),
        heading(4),
        Item("paragraph", "一是政务公开规范性有待加强；二是政策解读质量有待提高。下一步将持续完善工作机制，提升公开质量。"),
        heading(5),
        Item("paragraph", "无。"),
        Item("signature", c.agency),
        Item("date", date_zh(c.report_date)),
    ]
    return items


def extension(fmt: str) -> str:
    return FORMATS[fmt][0]


# The formats of ``--formats`` (what agencies publish) -> the renderer's layouts of each, drawn
# uniformly (a layout listed twice is drawn twice as often). PDFs: three in four with their
# font embedded, as Word, WPS and LibreOffice export them; one in four naming a font the
# reader must substitute, as some reporting systems print them.
FORMAT_GROUPS = {
    "txt": ("docx-text", "web-text"),
    "docx": ("docx",),
    "html": ("html-utf8", "html-gb18030", "html-gb2312-http-equiv"),
    "pdf": ("pdf", "pdf", "pdf", "pdf-named-font"),
}

# Documents agencies upload by mistake: no table of the form, no report title.
NON_REPORTS = (
    ("关于做好{year}年度防汛抗旱工作的通知",
     ["各乡镇人民政府、街道办事处，各有关单位：", "为切实做好{year}年度防汛抗旱工作，确保人民群众生命财产安全，现就有关事项通知如下。",
      "一、提高思想认识", "各单位要充分认识做好防汛工作的重要性和紧迫性，落实工作责任。",
      "二、加强值班值守", "汛期实行24小时值班和领导带班制度，遇有重大情况及时报告。", "{agency}", "{date}"]),
    ("{agency}召开{year}年度工作会议",
     ["{date}，{agency}召开{year}年度工作会议，总结上一年度工作，部署本年度重点任务。",
      "会议指出，要坚持稳中求进工作总基调，扎实做好各项工作。", "会议要求，各科室要对照目标任务，细化工作措施，确保全年任务圆满完成。"]),
    ("{agency}{year}年部门预算公开说明",
     ["一、部门主要职责", "贯彻执行国家有关方针政策和法律法规。", "二、部门预算安排情况",
      "{year}年收入预算合计1234.56万元，支出预算合计1234.56万元。", "三、机关运行经费", "{agency}", "{date}"]),
)


def non_report_text(kind: int, agency: str, year: int, when: date) -> str:
    title, paragraphs = NON_REPORTS[kind % len(NON_REPORTS)]
    fields = {"agency": agency, "year": year, "date": date_zh(when)}
    return "\n".join([title.format(**fields), *(p.format(**fields) for p in paragraphs)]) + "\n"


def non_report_html(text: str, encoding: str = "utf-8") -> bytes:
    lines = text.strip().split("\n")
    body = "\n".join(f"<p>{line}</p>" for line in lines[1:])
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="{encoding}">\n<title>{lines[0]}</title>\n</head>\n'
            f"<body>\n<h1>{lines[0]}</h1>\n{body}\n</body>\n</html>\n").encode(encoding)


