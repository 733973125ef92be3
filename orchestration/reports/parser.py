"""The form parser: a :class:`Document` (from any reader) -> a :class:`ParsedReport`.

It works on the document's cells in reading order, with the reader's row boundaries where
the reader knows them. Each FORM.md row is found by its label (``form_rows.csv``
``match_pattern``) and takes the value cells that follow it; a label is never taken as a
value, so a row cut short yields fewer values, never shifted ones.

Partial reports (web excerpts, a report without its tables) are parsed for what is there:
a table that is absent gets one P2 finding, a row missing from a table that is present gets
its own. A document is refused (UnreadableReport) only when nothing in it says it is an
annual report: no form label, no section heading of the form and no report title/preamble.
The form version (2021, or the older 2019-2020 form) is read from table A's column labels,
never from the year; with no table-A labels it is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import form, narrative
from .metadata import read_metadata
from .model import Cell, Document, Finding, ParsedReport, UnreadableReport, Value
from .text import compact
from .values import NotAValue, parse_amount, parse_value

PARSER_VERSION = "2"

# Section headings: "一、" and also "1、" / "1." (some reports number sections in digits).
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+|\d{1,2})[、.．]")
_HEADINGS = {
    "overview": re.compile(r"总体情况|概述"),
    "A": re.compile(r"主动公开政府"),
    "B": re.compile(r"收到和处理政府信息公开申请|依申请公开"),
    "C": re.compile(r"行政复议"),
    "end": re.compile(r"存在的主要问题|主要问题|其他需要报告"),
}
_OLD_FORM = re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|本年增/?减|集中采购")
_NEW_FORM = re.compile(r"本年制发件数|本年废止件数|现行有效件|本年处理决定数量|本年收费金额")
_REPORT_MARKERS = re.compile(r"政府信息公开.{0,12}报告|政府信息公开条例|主动公开政府信息情况"
                             r"|收到和处理政府信息公开申请")
_C_GROUPS = ("review", "litigation_direct", "litigation_after_review")
# Rows of table B the 2019 form does not have (its 三（六）其他处理 is one row: other_other).
_NOT_ON_OLD_FORM = {"other_overdue_correction", "other_unpaid_fee"}
_TABLE_NAMES = {"A": "表二（主动公开政府信息情况）", "B": "表三（收到和处理政府信息公开申请情况）",
                "C": "表四（政府信息公开行政复议、行政诉讼情况）"}


@dataclass(frozen=True)
class _Item:
    cell: Cell
    row: int  # reader's row id: a boundary between items of different rows
    key: str  # compact text, for matching
    paragraph: bool = False
    heading: bool = False  # looks like a section heading ("三、收到和处理…"): see _is_heading


def parse_document(doc: Document, sha256: str) -> ParsedReport:
    items = _stream(doc)
    if not items:
        raise UnreadableReport(f"{doc.source}: no text")
    starts = _section_starts(items)
    if not starts and not _any_label(items) and not _looks_like_report(items):
        raise UnreadableReport(
            f"{doc.source}: not an annual report (no table of the form, no section heading "
            f"and no report title found)")
    form_version = _form_version(items)
    values: list[Value] = []
    findings: list[Finding] = []

    a_start = starts.get("A", 0)
    a_end = starts.get("B", starts.get("C", starts.get("end", len(items))))
    version = form_version or form.CURRENT
    if form_version == form.OLD:
        findings.append(_finding("P3", "A", None, None,
                                 "表二为2019年版格式（本年新制作数量等），按2019年版的行与栏读取"))
    cursor = _parse_rows(items, "A", version, a_start, a_end, values, findings)
    b_start = starts.get("B", cursor)
    b_end = starts.get("C", starts.get("end", len(items)))
    cursor = _parse_rows(items, "B", version, b_start, b_end, values, findings)
    c_start = starts.get("C", _label_position(items, cursor, "行政复议"))
    if c_start is None:
        findings.append(_finding("P2", "C", None, None, f"未找到{_TABLE_NAMES['C']}"))
    else:
        c_end = next((i for i in _heading_positions(items, "end") if i > c_start), len(items))
        _parse_review(items, c_start, c_end, values, findings)

    head_end = starts.get("A", _first_label(items))
    head = items[:head_end]
    agency, year, report_date = read_metadata([it.cell.text for it in head],
                                              [it.cell.text for it in items[-6:]])
    quotes = narrative.quotes([(it.cell.text, it.cell.line) for it in head if len(it.key) > 12])
    if year is None:
        findings.append(_finding("P4", None, None, None, "未能从标题、统计期限或正文中识别报告年度"))
    if agency is None:
        findings.append(_finding("P4", None, None, None, "未能从标题或落款中识别机关名称"))
    return ParsedReport(
        source=doc.source,
        sha256=sha256,
        agency=agency,
        year=year,
        form_version=form_version,
        report_date=report_date,
        values=values,
        findings=findings,
        quotes=quotes,
    )


def _stream(doc: Document) -> list[_Item]:
    items: list[_Item] = []
    row_id = 0
    for block in doc.blocks:
        paragraph = block.kind != "table"
        rows = block.rows if block.kind == "table" else [[Cell(block.text, block.line)]]
        for row in rows:
            row_id += 1
            for cell in row:
                key = compact(cell.text)
                items.append(_Item(cell, row_id, key, paragraph, _is_heading(key)))
    return items


def _form_version(items: list[_Item]) -> str | None:
    # Header cells only (short texts), joined so that a header split over two cells
    # ("本年新" / "制作数量") still reads; a sentence mentioning 政府集中采购 is not a header.
    text = "".join(item.key for item in items if len(item.key) <= 20)
    old, new = len(_OLD_FORM.findall(text)), len(_NEW_FORM.findall(text))
    if old == new == 0:
        return None
    return form.OLD if old > new else form.CURRENT


def _looks_like_report(items: list[_Item]) -> bool:
    return any(_REPORT_MARKERS.search(item.key) for item in items[:40])


def _is_heading(key: str) -> bool:
    return len(key) <= 40 and bool(_ORDINAL.match(key))


def _heading_positions(items: list[_Item], section: str) -> list[int]:
    pattern = _HEADINGS[section]
    return [i for i, item in enumerate(items) if item.heading and pattern.search(item.key)]


def _section_starts(items: list[_Item]) -> dict[str, int]:
    """Where sections 二 (A), 三 (B), 四 (C) and 五/六 (end) start, in document order.
    A sub-item of section 一 printed like a heading ("2、依申请公开情况") must not be taken
    for section 三: section 三's heading is the one after section 二's."""
    starts: dict[str, int] = {}
    floor = 0
    for section in ("A", "B", "C", "end"):
        found = [i for i in _heading_positions(items, section) if i >= floor]
        if section == "B":
            found = [i for i in found if _HEADINGS["B"].search(items[i].key)
                     and ("A" in starts or "收到和处理" in items[i].key)]
        if found:
            starts[section] = found[0]
            floor = found[0]
    return starts


def _any_label(items: list[_Item]) -> bool:
    specs = form.rows("B")
    return any(spec.pattern.search(item.key) for item in items for spec in specs[:2])


def _first_label(items: list[_Item]) -> int:
    """Position of the first cell that belongs to a table (a label followed by a value)."""
    for i, item in enumerate(items[:-1]):
        if not item.paragraph and isinstance(_value(item), NotAValue) and _matches_any(item) \
                and not isinstance(_value(items[i + 1]), NotAValue):
            return i
    return len(items)


def _label_position(items: list[_Item], start: int, key: str) -> int | None:
    return next((i for i in range(start, len(items)) if items[i].key == key), None)


def _value(item: _Item) -> int | float | None | NotAValue:
    return _value_of(item.cell.text)


@lru_cache(maxsize=1 << 16)
def _value_of(text: str) -> int | float | None | NotAValue:
    """The cell's number, or a NotAValue (returned, not raised: the parser asks every cell,
    and the answer for a text never changes, so it is cached)."""
    try:
        return parse_value(text)
    except NotAValue:
        return NotAValue(text)


def _gather(items: list[_Item], label_at: int, end: int, count: int) -> list[_Item]:
    """The value cells that follow the label at ``label_at``: at most ``count``, stopping at
    the first text cell, and at the end of the label's row once a number has been seen.
    When the label's row has no values (a wrapped label, as in PDF text), the next row's
    values are taken, past a leading fragment of the label."""
    taken: list[_Item] = []
    numbers = 0
    row = items[label_at].row
    crossed = False
    i = label_at + 1
    while i < end and len(taken) < count:
        item = items[i]
        if item.row != row:
            if numbers:
                break
            if crossed and taken:
                break
            crossed, row = True, item.row
            # Skip what is left of a wrapped label ("开", "出具已获取信息") and the vertical
            # characters of a row-group label printed one per line ("结").
            while i < end and items[i].row == row and isinstance(_value(items[i]), NotAValue) \
                    and not _matches_any(items[i]) and len(items[i].key) <= 12:
                i += 1
            if i >= end or items[i].row != row:
                break
            item = items[i]
        value = _value(item)
        if isinstance(value, NotAValue):
            break
        taken.append(item)
        numbers += value is not None
        i += 1
    # A one-value row (行政许可 ... 本年处理决定数量) whose only cell is blank, closing the
    # label's own row in a real grid: a blank cell, not a missing row.
    label_row = items[label_at].row
    if not numbers and count == 1 and len(taken) == 1 and taken[0].row == label_row \
            and (i >= end or items[i].row != label_row):
        return taken
    return taken if numbers else []


def _matches_any(item: _Item) -> bool:
    return any(spec.pattern.search(item.key)
               for table, version in (("A", form.CURRENT), ("A", form.OLD), ("B", form.CURRENT),
                                      ("C", form.CURRENT))
               for spec in form.rows(table, version))


def _parse_rows(items, table, version, start, end, values, findings) -> int:
    """Find every row of ``table`` between ``start`` and ``end``; return the position after
    the last row found. A table none of whose rows is found gets one finding."""
    cursor = start
    last = start
    missing: list[Finding] = []
    found_any = False
    for spec in form.rows(table, version):
        if version == form.OLD and spec.row in _NOT_ON_OLD_FORM:
            continue
        cols = form.columns(table, form.row_group(table, spec.row, version))
        found = False
        for i in range(cursor, end):
            item = items[i]
            if not spec.pattern.search(item.key) or not isinstance(_value(item), NotAValue):
                continue
            glued = _split_glued(item, spec)
            taken = glued or _gather(items, i, end, len(cols))
            if not taken:
                continue
            for col, cell_item in zip(cols, taken):
                _add_value(values, findings, table, spec.row, col, cell_item.cell)
            if len(taken) < len(cols):
                absent = ", ".join(c.label_zh for c in cols[len(taken):])
                findings.append(_finding("P2", table, spec.row, cell_item.cell.line,
                                         f"「{spec.label_zh}」行缺少数值：{absent}"))
            cursor = last = i + 1
            found = found_any = True
            break
        if not found:
            missing.append(_finding("P2", table, spec.row, None, f"未找到「{spec.label_zh}」行"))
    if found_any:
        findings.extend(missing)
    else:
        findings.append(_finding("P2", table, None, None, f"未找到{_TABLE_NAMES[table]}"))
    return last


_GLUE = re.compile(r"^(\D+?)(\d+)$")


def _split_glued(item: _Item, spec) -> list[_Item]:
    """Cells glued to their label ("规章000"): only when every digit is a one-digit value."""
    match = _GLUE.match(item.key)
    if not match or not spec.pattern.search(match.group(1)):
        return []
    digits = match.group(2)
    return [_Item(Cell(d, item.cell.line), item.row, d) for d in digits]


def _parse_review(items, start, end, values, findings) -> None:
    cols = form.columns("C")
    needed = len(_C_GROUPS) * len(cols)
    numeric_rows = {it.row for it in items[start:end] if not isinstance(_value(it), NotAValue)
                    and _value(it) is not None}
    cells = [it for it in items[start:end]
             if it.row in numeric_rows and not isinstance(_value(it), NotAValue)]
    if len(cells) < needed:
        findings.append(_finding("P2", "C", None, cells[0].cell.line if cells else None,
                                 f"{_TABLE_NAMES['C']}应有{needed}个数值，只找到{len(cells)}个，未读取"))
        return
    for n, item in enumerate(cells[:needed]):
        group, col = _C_GROUPS[n // len(cols)], cols[n % len(cols)]
        _add_value(values, findings, "C", group, col, item.cell)


def _add_value(values, findings, table, row, column: form.ColumnSpec, cell: Cell) -> None:
    # Columns printed in 万元 read an explicit "元" as yuan (values.parse_amount).
    if column.column == "amount" and column.group == "fees":
        value = parse_amount(cell.text)
    else:
        value = _value_of(cell.text)
        if isinstance(value, NotAValue):
            value = parse_value(cell.text)  # raises, naming the cell
    values.append(Value(table, row, column.column, value, cell.text, cell.line))
    if value is None:
        findings.append(_finding("P1", table, row, cell.line,
                                 f"「{form.row_label(table, row)}」行「{column.label_zh}」"
                                 f"栏为空（记为空值，不按0计）", column=column.column))


def _finding(rule, table, row, line, message, column=None) -> Finding:
    return Finding(rule, "warning", table, row, column, None, None, line, message)
