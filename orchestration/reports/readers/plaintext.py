"""Plain-text reports in the layouts seen in real submissions.

- docx-extracted text: every table cell is a tab-indented line, a blank line ends a table
  row, and an untabbed line directly after a cell continues that cell ("商业" / "企业").
- web-page text: cells separated by ``|`` on a line (one line per row), or one cell per line
  with ``|`` / ``||`` filler lines (the row structure is lost: the table is one flat row).
  In that layout two lone ``|`` lines in a row enclose an empty cell ("0 |" / "|" / "|"):
  it is kept as an empty cell so a blank is read as blank, not as a missing value.
- one cell per paragraph (blank lines between, no separators at all): read as the flat layout
  when lines holding a lone number are common and almost no line has several cells. Where the
  cells stand on consecutive lines (as a word processor's text export writes a table: every
  cell a paragraph, an empty cell an empty one), an empty line between two values is an empty
  cell.
- PDF text: cells separated by runs of spaces, one printed line per row.
- a word processor's "save as text": one line per table row, a tab after each cell; two tabs
  between two values enclose a blank cell (kept, so the next value stays in its column).
Lines outside tables become paragraphs; every cell keeps its 1-based line number.
"""

from __future__ import annotations

import re
from itertools import pairwise

from ..decode import decode
from ..model import Block, Cell, Document
from ..values import is_value

_SPACED = re.compile(r"\s{2,}|\t")
_FLAT_CELL_MAX = 50  # characters: a longer line of a flat layout is prose, not a cell
# share of consecutive text lines with no blank line between them, above which blank lines
# are cells rather than paragraph separators (a word processor's text export: nearly all)
_ADJACENT_SHARE = 0.8
_NUMBERS = re.compile(r"^[\d.,\s]+$")


def read(data: bytes, source: str) -> Document:
    return parse_text(decode(data, source), source)


def parse_text(text: str, source: str) -> Document:
    lines = text.splitlines()
    content = [line for line in lines if line.strip()]
    tabbed = sum(1 for line in content if line.startswith("\t"))
    if content and tabbed / len(content) > 0.2:
        blocks = _docx_extracted_blocks(lines)
    else:
        blocks = _line_blocks(lines)
    return Document(source=source, blocks=blocks)


def _docx_extracted_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    table: Block | None = None
    row: list[Cell] = []
    previous_was_cell = False

    def end_row() -> None:
        nonlocal row
        if row and table is not None:
            table.rows.append(row)
        row = []

    for number, line in enumerate(lines, start=1):
        if line.startswith("\t"):
            if table is None:
                table = Block(kind="table", line=number)
                blocks.append(table)
            row.append(Cell(line[1:], number))
            previous_was_cell = True
        elif line.strip() == "":
            end_row()
            previous_was_cell = False
        elif previous_was_cell:
            last = row[-1]
            row[-1] = Cell(last.text + line, last.line)
        else:
            end_row()
            table = None
            blocks.append(Block(kind="paragraph", line=number, text=line))
    end_row()
    return blocks


def _split_line(line: str, number: int) -> list[Cell]:
    if "|" in line:
        parts = line.split("|")
        if parts and parts[-1].strip() == "":
            parts = parts[:-1]  # the closing separator
        if parts and parts[0].strip() == "" and len(parts) > 1 and line.lstrip().startswith("|"):
            parts = parts[1:]  # the opening separator
    elif "\t" in line:
        parts = _tab_parts(line.strip())
    else:
        parts = _SPACED.split(line.strip())
    cells: list[Cell] = []
    for part in parts:
        # PDF text may set a run of numbers apart by single spaces only.
        if _NUMBERS.match(part.strip()) and " " in part.strip():
            cells.extend(Cell(token, number) for token in part.split())
        else:
            cells.append(Cell(part, number))
    return cells


def _tab_parts(text: str) -> list[str]:
    """Cells of a line with tabs. Where single tabs separate cells (a word processor's "save as
    text": one tab after each cell of a row), two tabs between two values enclose a blank cell,
    which is kept so the next value stays in its column. Where every separator is a run of tabs
    (text aligned by hand), a run is one separator. Runs of spaces inside a cell also separate."""
    pieces = text.split("\t")
    single_tabs = any(a.strip() and b.strip() for a, b in pairwise(pieces))
    filled = [i for i, piece in enumerate(pieces) if piece.strip()]
    parts: list[str] = []
    for before, after in pairwise(filled + [None]):
        parts.extend(_SPACED.split(pieces[before].strip()))
        if (single_tabs and after is not None and after > before + 1
                and is_value(pieces[before]) and is_value(pieces[after])):
            parts.extend([""] * (after - before - 1))
    return parts or [""]


def _empty_cell_lines(lines: list[str]) -> set[int]:
    """Line numbers of lone ``|`` lines that directly follow another lone ``|`` line."""
    out: set[int] = set()
    previous = ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped == "|" and previous == "|":
            out.add(number)
        previous = stripped
    return out


def _empty_paragraph_cells(lines: list[str]) -> set[int]:
    """Line numbers of empty lines that are empty cells: in a text whose lines mostly follow
    each other without a blank line between (so blank lines do not separate paragraphs), an
    empty line between two values (a blank among a row's numbers). Empty lines beside a label
    or a header stay out: there they may be merged header cells, which the form has no place
    for. Where blank lines separate every paragraph, none."""
    content = [n for n, line in enumerate(lines) if line.strip()]
    if not content:
        return set()
    adjacent = sum(1 for a, b in pairwise(content) if b == a + 1)
    if adjacent < _ADJACENT_SHARE * (len(content) - 1):
        return set()
    out: set[int] = set()
    for before, after in pairwise(content):
        if after > before + 1 and is_value(lines[before]) and is_value(lines[after]):
            out.update(range(before + 2, after + 1))  # 1-based numbers of the empty lines
    return out


def _is_flat(lines: list[str], rows: list[tuple[int, list[Cell]]]) -> bool:
    # Filler separators ("0 | |", "规章 | ||||") are not cells: count lines with two texts.
    multi = sum(1 for _, cells in rows if sum(1 for c in cells if c.text.strip()) > 1)
    if not rows or multi / len(rows) >= 0.2:
        return False
    if any("|" in line for line in lines):
        return True
    # No separators: one cell per paragraph is a table when lone numbers are common.
    numbers = sum(1 for _, cells in rows if len(cells) == 1 and is_value(cells[0].text))
    return numbers >= 5


def _line_blocks(lines: list[str]) -> list[Block]:
    rows = [(number, _split_line(line, number)) for number, line in enumerate(lines, start=1)]
    rows = [(n, cells) for n, cells in rows if any(c.text.strip() for c in cells)]
    flat = _is_flat(lines, rows)
    if flat:
        empties = (_empty_cell_lines(lines) if any("|" in line for line in lines)
                   else _empty_paragraph_cells(lines))
        rows = sorted(rows + [(n, [Cell("", n)]) for n in empties], key=lambda r: r[0])
    blocks: list[Block] = []
    table: Block | None = None
    for number, cells in rows:
        is_table_row = (
            (flat and not cells[0].text.strip())
            or len(cells) > 1
            or "|" in lines[number - 1]
            or all(is_value(c.text) for c in cells)
            # Flat layouts put label cells on lines of their own; long lines are still prose.
            or (flat and len(cells[0].text.strip()) <= _FLAT_CELL_MAX)
        )
        if not is_table_row:
            table = None
            blocks.append(Block(kind="paragraph", line=number, text=cells[0].text))
            continue
        if table is None:
            table = Block(kind="table", line=number)
            blocks.append(table)
        if flat:
            # One cell per line: the printed rows are lost, the table is one flat sequence;
            # empty filler cells ("||") carry no position and are dropped.
            kept = [c for c in cells if c.text.strip() or (len(cells) == 1 and c.line in empties)]
            if not table.rows:
                table.rows.append([])
            table.rows[0].extend(kept)
        else:
            table.rows.append(cells)
    return blocks
