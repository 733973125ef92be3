"""The form parser: a :class:`Document` (from any reader) -> a :class:`ParsedReport`.

It works on the document's cells in reading order, with the reader's row boundaries where
the reader knows them. Each FORM.md row is found by its label (``form_rows.csv``
``match_pattern``) and takes the value cells that follow it; a label is never taken as a
value, so a row cut short yields fewer values, never shifted ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import form
from .model import Cell, Document, Finding, ParsedReport, UnreadableReport, Value
from .text import clean, compact
from .values import NotAValue, parse_value

PARSER_VERSION = "1"

_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+|\d+)[、.．]")
_HEADINGS = {
    "A": re.compile(r"主动公开政府"),
    "B": re.compile(r"收到和处理政府信息公开申请"),
    "C": re.compile(r"行政复议"),
    "end": re.compile(r"存在的主要问题|主要问题|其他需要报告"),
}
_OLD_FORM = re.compile(r"本年新制作数量|对外公开总数量|上一年项目数量|本年新公开数量")
_NEW_FORM = re.compile(r"本年制发件数|本年废止件数|现行有效件")
_TITLE = [
    re.compile(r"^(?:关于)?(?P<agency>.*?)(?P<year>(?:19|20)\d{2})年度?的?政府信息公开(?:工作)?(?:年度)?(?:工作)?报告"),
    re.compile(r"^(?P<agency>.*?)政府信息公开(?:工作)?(?P<year>(?:19|20)\d{2})年度?报告"),
]
_PERIOD = re.compile(r"统计期限?(?:自|为|从)?(?P<year>(?:19|20)\d{2})年")
_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
_C_GROUPS = ("review", "litigation_direct", "litigation_after_review")


@dataclass(frozen=True)
class _Item:
    cell: Cell
    row: int  # reader's row id: a boundary between items of different rows
    key: str  # compact text, for matching


def parse_document(doc: Document, sha256: str) -> ParsedReport:
    items = _stream(doc)
    if not items:
        raise UnreadableReport(f"{doc.source}: no text")
    form_version = _form_version(items)
    starts = _section_starts(items)
    if "A" not in starts and "B" not in starts and not _any_label(items):
        raise UnreadableReport(f"{doc.source}: not an annual report (no table of the form found)")
    values: list[Value] = []
    findings: list[Finding] = []
    agency, year, report_date = _metadata(items, starts)

    a_end = starts.get("B", starts.get("C", starts.get("end", len(items))))
    cursor = starts.get("A", 0)
    if form_version == "2021":
        cursor = _parse_rows(items, "A", cursor, a_end, values, findings)
    else:
        findings.append(_finding("P3", "warning", "A", None, None, None,
                                 "表二为2019年版格式（本年新制作数量等），本版本未读取其数值"))
    b_start = starts.get("B", cursor)
    b_end = starts.get("C", starts.get("end", len(items)))
    cursor = _parse_rows(items, "B", b_start, b_end, values, findings)
    c_start = starts.get("C", cursor)
    c_end = next((i for i in _heading_positions(items, "end") if i > c_start), len(items))
    _parse_review(items, c_start, c_end, values, findings)

    if year is None:
        findings.append(_finding("P4", "warning", None, None, None, None, "未能从标题或统计期限中识别报告年度"))
    if agency is None:
        findings.append(_finding("P4", "warning", None, None, None, None, "未能从标题或落款中识别机关名称"))
    return ParsedReport(
        source=doc.source,
        sha256=sha256,
        agency=agency,
        year=year,
        form_version=form_version,
        report_date=report_date,
        values=values,
        findings=findings,
    )


def _stream(doc: Document) -> list[_Item]:
    items: list[_Item] = []
    row_id = 0
    for block in doc.blocks:
        rows = block.rows if block.kind == "table" else [[Cell(block.text, block.line)]]
        for row in rows:
            row_id += 1
            items.extend(_Item(cell, row_id, compact(cell.text)) for cell in row)
    return items


def _form_version(items: list[_Item]) -> str:
    text = "".join(item.key for item in items)
    old, new = len(_OLD_FORM.findall(text)), len(_NEW_FORM.findall(text))
    return "2019" if old > new else "2021"


def _is_heading(item: _Item) -> bool:
    return len(item.key) <= 40 and bool(_ORDINAL.match(item.key))


def _heading_positions(items: list[_Item], section: str) -> list[int]:
    pattern = _HEADINGS[section]
    return [i for i, item in enumerate(items) if _is_heading(item) and pattern.search(item.key)]


def _section_starts(items: list[_Item]) -> dict[str, int]:
    starts: dict[str, int] = {}
    floor = 0
    for section in ("A", "B", "C", "end"):
        found = [i for i in _heading_positions(items, section) if i >= floor]
        if found:
            starts[section] = found[0]
            floor = found[0]
    return starts


def _any_label(items: list[_Item]) -> bool:
    specs = form.rows("B")
    return any(spec.pattern.search(item.key) for item in items for spec in specs[:2])


def _value(item: _Item) -> int | float | None | NotAValue:
    try:
        return parse_value(item.cell.text)
    except NotAValue as exc:
        return exc


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
    return taken if numbers else []


def _matches_any(item: _Item) -> bool:
    return any(spec.pattern.search(item.key) for table in ("A", "B", "C") for spec in form.rows(table))


def _parse_rows(items, table, start, end, values, findings) -> int:
    """Find every row of ``table`` between ``start`` and ``end``; return the position after
    the last row found."""
    cursor = start
    last = start
    for spec in form.rows(table):
        if table == "C":
            continue
        group = form.ACTIVE_ROW_GROUP[spec.row] if table == "A" else "all"
        cols = form.columns(table, group)
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
                _add_value(values, findings, table, spec.row, col.column, cell_item.cell)
            if len(taken) < len(cols):
                missing = ", ".join(c.label_zh for c in cols[len(taken):])
                findings.append(_finding("P2", "warning", table, spec.row, None, cell_item.cell.line,
                                         f"「{spec.label_zh}」行缺少数值：{missing}"))
            cursor = last = i + 1
            found = True
            break
        if not found:
            findings.append(_finding("P2", "warning", table, spec.row, None, None,
                                     f"未找到「{spec.label_zh}」行"))
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
        findings.append(_finding("P2", "warning", "C", None, None, cells[0].cell.line if cells else None,
                                 f"表四（行政复议、行政诉讼）应有{needed}个数值，只找到{len(cells)}个，未读取"))
        return
    for n, item in enumerate(cells[:needed]):
        group, col = _C_GROUPS[n // len(cols)], cols[n % len(cols)]
        _add_value(values, findings, "C", group, col.column, item.cell)


def _add_value(values, findings, table, row, column, cell: Cell) -> None:
    value = parse_value(cell.text)
    values.append(Value(table, row, column, value, cell.text, cell.line))
    if value is None:
        findings.append(_finding("P1", "warning", table, row, column, cell.line,
                                 f"「{form.row_label(table, row)}」行「{form.column_label(table, column)}」"
                                 f"栏为空（记为空值，不按0计）"))


def _finding(rule, severity, table, row, column, line, message) -> Finding:
    return Finding(rule, severity, table, row, column, None, None, line, message)


def _metadata(items: list[_Item], starts: dict[str, int]) -> tuple[str | None, int | None, str | None]:
    first_heading = next((i for i, it in enumerate(items) if _is_heading(it)), min(len(items), 6))
    title = "".join(it.key for it in items[: min(first_heading, 6)])
    agency = year = None
    for pattern in _TITLE:
        match = pattern.search(title)
        if match:
            year = int(match.group("year"))
            agency = match.group("agency").strip() or None
            break
    if year is None:
        match = _PERIOD.search("".join(it.key for it in items))
        year = int(match.group("year")) if match else None

    report_date = None
    tail = items[-6:]
    for n in range(len(tail) - 1, -1, -1):
        match = _DATE.fullmatch(tail[n].key)
        if match:
            y, m, d = (int(g) for g in match.groups())
            report_date = f"{y:04d}-{m:02d}-{d:02d}"
            if agency is None and n > 0 and len(tail[n - 1].key) <= 30 and not _is_heading(tail[n - 1]):
                agency = clean(tail[n - 1].cell.text)
            break
    return agency, year, report_date
