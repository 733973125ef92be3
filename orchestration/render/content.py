"""What a rendered report says, and the printed layout of its tables, format-independent.

A :class:`ReportContent` is the value set of one report (agency, year, date, the numbers of
tables A/B/C by FORM.md codes); :func:`outline` lays it out as the printed report does: title,
preamble, sections 一..六 with tables A/B/C in the 2021 form's printed layout (merged header
boxes, row-group labels spanning rows), signature and date. Every renderer walks the same
outline, so every format carries the same report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..reports import form
from ..reports.model import ParsedReport

Number = int | float | None


@dataclass(frozen=True)
class ReportContent:
    agency: str
    year: int
    report_date: date
    values: dict[tuple[str, str, str], Number]  # (table, row, column) -> value (None = blank)
    form_version: str = "2021"

    def value(self, table: str, row: str, column: str) -> Number:
        return self.values.get((table, row, column))


def from_parsed(report: ParsedReport) -> ReportContent:
    if report.agency is None or report.year is None:
        raise ValueError("a report to render needs its agency and year")
    if report.form_version not in (None, "2021"):
        raise ValueError(f"only the 2021 form is rendered, not {report.form_version}")
    when = date.fromisoformat(report.report_date) if report.report_date else date(report.year + 1, 1, 31)
    return ReportContent(
        agency=report.agency,
        year=report.year,
        report_date=when,
        values={(v.table, v.row, v.column): v.value for v in report.values},
    )


@dataclass(frozen=True)
class Box:
    """One printed table box; ``colspan``/``rowspan`` > 1 for merged boxes."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    numeric: bool = False


@dataclass
class Table:
    name: str  # "A" | "B" | "C"
    widths: list[float]  # relative column widths of the grid (for PDF/docx)
    rows: list[list[Box]] = field(default_factory=list)  # boxes per row, covered positions omitted

    @property
    def columns(self) -> int:
        return len(self.widths)


@dataclass(frozen=True)
class Item:
    kind: str  # "title" | "paragraph" | "heading" | "table" | "signature" | "date"
    text: str = ""
    table: Table | None = None


def format_number(value: Number) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def date_zh(when: date) -> str:
    return f"{when.year}年{when.month}月{when.day}日"


_SECTION_HEADINGS = ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                     "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项"]
_ORDINALS = "一二三四五六"


def outline(content: ReportContent) -> list[Item]:
    c = content
    received = c.value("B", "new_received", "total")
    items = [
        Item("title", f"{c.agency}{c.year}年政府信息公开工作年度报告"),
        Item("paragraph", "依据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定，编制本报告。"
                          f"本报告中数据的统计期限自{c.year}年1月1日起至{c.year}年12月31日止。"),
    ]

    def heading(n: int) -> Item:
        return Item("heading", f"{_ORDINALS[n]}、{_SECTION_HEADINGS[n]}")

    items += [
        heading(0),
        Item("paragraph", f"{c.year}年，{c.agency}坚持以公开为常态、不公开为例外，依法依规做好政府信息公开工作。"
                          + (f"全年收到政府信息公开申请{format_number(received)}件。" if received is not None else "")),
        heading(1), Item("table", table=table_a(c)),
        heading(2), Item("table", table=table_b(c)),
        heading(3), Item("table", table=table_c(c)),
        heading(4),
        Item("paragraph", "一是政务公开规范性有待加强；二是政策解读质量有待提高。下一步将持续完善工作机制，提升公开质量。"),
        heading(5),
        Item("paragraph", "无。"),
        Item("signature", c.agency),
        Item("date", date_zh(c.report_date)),
    ]
    return items


def _values(c: ReportContent, table: str, row: str, group: str, colspan: int = 1) -> list[Box]:
    return [Box(format_number(c.value(table, row, col.column)), colspan=colspan, numeric=True)
            for col in form.columns(table, group)]


def table_a(c: ReportContent) -> Table:
    t = Table("A", [3, 2, 2, 2])
    documents = [col.label_zh for col in form.columns("A", "documents")]
    t.rows.append([Box("第二十条第（一）项", colspan=4, header=True)])
    t.rows.append([Box("信息内容", header=True)] + [Box(label, header=True) for label in documents])
    for row in ("rules", "normative_documents"):
        t.rows.append([Box(form.row_label("A", row))] + _values(c, "A", row, "documents"))
    for clause, group, rows in (("第二十条第（五）项", "decisions", ("licensing",)),
                                ("第二十条第（六）项", "decisions", ("penalty", "coercion")),
                                ("第二十条第（八）项", "fees", ("fees",))):
        t.rows.append([Box(clause, colspan=4, header=True)])
        t.rows.append([Box("信息内容", header=True),
                       Box(form.columns("A", group)[0].label_zh, colspan=3, header=True)])
        for row in rows:
            t.rows.append([Box(form.row_label("A", row))] + _values(c, "A", row, group, colspan=3))
    return t


_B_GROUP = re.compile(r"^三(（[一二三四五六七]）\S+?)(?: (.+))?$")


def table_b(c: ReportContent) -> Table:
    t = Table("B", [0.6, 1.6, 5.2] + [1.5] * 7)
    columns = form.columns("B")
    person, orgs, total = columns[0], columns[1:-1], columns[-1]
    t.rows.append([Box("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3,
                       header=True),
                   Box("申请人情况", colspan=7, header=True)])
    t.rows.append([Box(person.label_zh, rowspan=2, header=True), Box("法人或其他组织", colspan=5, header=True),
                   Box(total.label_zh, rowspan=2, header=True)])
    t.rows.append([Box(col.label_zh, header=True) for col in orgs])

    specs = form.rows("B")
    # Rows of 三 grouped under their printed group label: [(group label, [(row, item label)])]
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for spec in specs:
        match = _B_GROUP.match(spec.label_zh)
        if not match:
            continue
        group, item = match.group(1), match.group(2)
        if item is None:
            groups.append(("", [(spec.row, group)]))
        elif groups and groups[-1][0] == group:
            groups[-1][1].append((spec.row, item))
        else:
            groups.append((group, [(spec.row, item)]))
    outcome_rows = sum(len(rows) for _, rows in groups)

    by_code = {spec.row: spec.label_zh for spec in specs}
    for row in ("new_received", "carried_over"):
        t.rows.append([Box(by_code[row], colspan=3)] + _values(c, "B", row, "all"))
    first = True
    for group, rows in groups:
        for n, (row, label) in enumerate(rows):
            boxes: list[Box] = []
            if first:
                boxes.append(Box("三、本年度办理结果", rowspan=outcome_rows))
                first = False
            if not group:
                boxes.append(Box(label, colspan=2))
            else:
                if n == 0:
                    boxes.append(Box(group, rowspan=len(rows)))
                boxes.append(Box(label))
            t.rows.append(boxes + _values(c, "B", row, "all"))
    t.rows.append([Box(by_code["carried_forward"], colspan=3)] + _values(c, "B", "carried_forward", "all"))
    return t


def table_c(c: ReportContent) -> Table:
    t = Table("C", [1.0] * 15)
    labels = [col.label_zh for col in form.columns("C")]
    t.rows.append([Box("行政复议", colspan=5, header=True), Box("行政诉讼", colspan=10, header=True)])
    t.rows.append([Box(label, rowspan=2, header=True) for label in labels]
                  + [Box("未经复议直接起诉", colspan=5, header=True), Box("复议后起诉", colspan=5, header=True)])
    t.rows.append([Box(label, header=True) for label in labels * 2])
    t.rows.append([box for group in ("review", "litigation_direct", "litigation_after_review")
                   for box in _values(c, "C", group, "all")])
    return t


def grid(table: Table) -> list[list[tuple[Box, int, bool]]]:
    """Per grid row, one (box, grid column of the box, first row of the box?) per Word-like
    cell: a box merged across columns appears once per row, a box merged across rows appears
    in each row it covers (first_row False below its first row)."""
    occupied: list[dict[int, tuple[Box, int, bool]]] = [{} for _ in table.rows]
    for r, boxes in enumerate(table.rows):
        col = 0
        for box in boxes:
            while col in occupied[r]:
                col += 1
            for dr in range(box.rowspan):
                for dc in range(box.colspan):
                    occupied[r + dr][col + dc] = (box, col, dr == 0)
            col += box.colspan
    return [[cells[c] for c in sorted(cells) if cells[c][1] == c] for cells in occupied]


def varied(content: ReportContent, blank: tuple[str, str, str] | None = ("B", "withheld_inquiry", "other_org"),
           ) -> ReportContent:
    """The same report with every number different (1, 2, 3, … in form order; the fee a
    decimal) and one blank cell, so a swapped or shifted cell cannot go unnoticed."""
    values: dict[tuple[str, str, str], Number] = {}
    keys = [("A", spec.row, col.column) for spec in form.rows("A")
            for col in form.columns("A", _A_GROUPS[spec.row])]
    keys += [("B", spec.row, col.column) for spec in form.rows("B") for col in form.columns("B")]
    keys += [("C", group, col.column) for group in ("review", "litigation_direct", "litigation_after_review")
             for col in form.columns("C")]
    for n, key in enumerate(keys, start=1):
        values[key] = n
    values[("A", "fees", "amount")] = 12.75
    if blank is not None:
        values[blank] = None
    return ReportContent(content.agency, content.year, content.report_date, values, content.form_version)


_A_GROUPS = {"rules": "documents", "normative_documents": "documents", "licensing": "decisions",
             "penalty": "decisions", "coercion": "decisions", "fees": "fees"}
