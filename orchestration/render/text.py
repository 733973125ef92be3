"""Plain-text renderings, in the two layouts real submissions arrive in.

- ``docx_text``: text extracted from a .docx (FORM.md, corpus 000_…): every table cell a
  tab-indented line, a blank line after each table row, a header cell that wraps continues on
  an untabbed line ("商业" / "企业"), a cell a vertical merge continues is an empty cell, values
  padded with no-break and ideographic spaces.
- ``web_text``: text extracted from a web page: one line per table row, cells between ``|``,
  each source cell once (merged positions are not repeated).
"""

from __future__ import annotations

from .content import Item, ReportContent, Table, grid, outline

_PADS = ("{}", "\u3000\u3000{}", "\u00a0{}", "{}\u00a0", " {}")


def _wrap_header(text: str) -> str:
    return f"{text[:2]}\n{text[2:]}" if len(text) == 4 else text


def docx_text(content: ReportContent, items: list[Item] | None = None) -> bytes:
    lines: list[str] = []
    pad = 0
    for item in items if items is not None else outline(content):
        if item.kind != "table":
            lines.append(item.text)
            continue
        table = item.table
        assert table is not None
        for row in grid(table):
            for box, _col, first_row in row:
                if not first_row:
                    lines.append("\t")  # a vertical merge continues: Word keeps an empty cell
                    continue
                text = box.text
                if box.numeric and text:
                    text = _PADS[pad % len(_PADS)].format(text)
                    pad += 1
                elif box.header:
                    text = _wrap_header(text)
                lines.append("\t" + text)
            lines.append("")
        lines.append("")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _web_row(table: Table, boxes) -> str:
    return "| " + " | ".join(box.text for box in boxes) + " |"


def web_text(content: ReportContent, items: list[Item] | None = None) -> bytes:
    lines: list[str] = []
    for item in items if items is not None else outline(content):
        if item.kind == "table":
            assert item.table is not None
            lines.extend(_web_row(item.table, boxes) for boxes in item.table.rows)
        else:
            lines.append(item.text)
    return ("\n".join(lines) + "\n").encode("utf-8")


def items_text(items: list[Item]) -> str:
    """Paragraph texts only (for tests and debugging)."""
    return "\n".join(item.text for item in items if item.kind != "table")
