"""Turning a table of merged boxes into rows of cells (shared by the .docx, HTML and PDF readers).

Decision (tested in tests/readers): a box merged **across columns is one cell** (as the
printed table shows one box), a box merged **down rows is repeated in each row** it covers,
each copy keeping the line of the box's first row.

Why, with the sequence-based form parser (a label, then its values in the same row):
- across columns, one cell reads right in every case seen: a label spanning three label
  columns ("一、本年新收…") is followed by its numbers; a value spanning three columns
  ("行政许可 | 0") is one value; and a grid artefact, common in real Word files and in
  LibreOffice's .doc conversion (a column split in two by a border a hair off, so a value
  box spans two grid columns), cannot duplicate a value and shift every later one. Repeating
  would (seen: table C's 总计 repeated -> 16 values for 15); padding with empty cells would
  turn into blank values after a wide label;
- down rows, repeating keeps every row complete: a row-group label spanning many rows
  ("（三）不予公开") is a text cell at the start of each of its rows, which stops no row short.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Cell

MAX_SPAN = 1000  # larger spans in the source are clamped: no table of the form is that big


@dataclass(slots=True)
class Box:
    text: str
    line: int
    colspan: int = 1
    rowspan: int = 1
    col: int | None = None  # grid column when the source says (docx, pdf); None = next free one


def expand(rows: list[list[Box]]) -> list[list[Cell]]:
    """Boxes per source row (in reading order) -> rows of cells (see the module docstring)."""
    grid: list[dict[int, Cell | None]] = [{} for _ in rows]
    for r, boxes in enumerate(rows):
        taken = grid[r]
        col = 0
        for box in boxes:
            if box.col is not None:
                col = box.col
            while col in taken:
                col += 1
            if box.colspan == 1 and box.rowspan == 1:
                taken[col] = Cell(box.text, box.line)  # most boxes: the free grid cell just found
                col += 1
                continue
            cell = Cell(box.text, box.line)
            width = max(1, min(box.colspan, MAX_SPAN))
            for below in grid[r:r + max(1, min(box.rowspan, MAX_SPAN, len(rows) - r))]:
                below.setdefault(col, cell)
                for covered in range(col + 1, col + width):
                    below.setdefault(covered, None)  # covered by the box: no cell of its own
            col += width
    out: list[list[Cell]] = []
    for cells in grid:
        row = [cell for _, cell in sorted(cells.items()) if cell is not None]
        if row:
            out.append(row)  # holes (a short row, w:gridBefore) stay holes: no invented cells
    return out
