"""PDF reports with a text layer (pypdfium2: PDFium, Apache/BSD; not PyMuPDF, which is AGPL).

Rows and columns are rebuilt from character boxes (PDFium's "loose" boxes: font ascent to
descent, the same height for every glyph of a size, so "一" and "、" sit on their line):

- characters group into printed lines by their baseline (top of the page first): a character
  joins the line when its baseline is within 0.4 of a character height of the line's first
  character;
- a line splits into cells where the horizontal gap between two characters exceeds 0.8 of
  the line's character height (spaces count as gap: two spaces split, a single space inside
  a cell stays one space). A line of three or more single CJK characters is one cell (letter-spaced titles);
- ruled tables (the usual case: Word/WPS exports draw every cell border) are rebuilt from
  their ruling lines: the horizontal and vertical rules that cross each other make a grid;
  where a rule is missing between two grid cells they are one merged box (colspan/rowspan).
  Every box is a cell (an empty box is an empty cell, so a blank value keeps its place), its
  text the lines inside it joined by newlines (a label that wraps over three lines is one
  cell, its values stay in its row). Merged boxes read as in the .docx and HTML readers
  (``grid.py``): one cell across columns, repeated down rows. A single ruled box (a frame around text)
  is not a table: its lines are paragraphs;
- text outside ruled tables: every printed line is one row: lines of two or more cells (or
  one number) make table rows, consecutive ones one table; other lines are paragraphs. A
  header printed one character per line (a row-group label in a narrow column of an unruled
  table) is one row per character, as in PDF-extracted text; the form parser copes with that.

``line`` = page number * 1000 + the 1-based position on the page of the printed line (of a
cell: its first line; of an empty cell: its row's first line) (page 2, line 7 -> 2007).
Rules are read from the page's path objects and from form XObjects' (their matrices applied);
curves are ignored.

Fonts: a PDF that names a font without embedding it is read with a substitute. PDFium is
given the cached Noto Serif CJK subset of ``orchestration/fonts.py`` as its only substitute
font when this module is imported (the parse stage builds it first; nothing is built here),
instead of searching the system's fonts and reading the 26 MB Noto CJK collection for every
such PDF: the same glyph metrics, so the same Documents, in half the time. Without the
subset PDFium searches the system as usual.

Guards: no ``%PDF`` header / damaged file, password-protected (user password), more than
``MAX_PDF_PAGES`` pages, and no text layer at all ("no text layer (scanned PDF?)") raise
``UnreadableReport`` with that reason.
"""

from __future__ import annotations

import bisect
import ctypes
import os
import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ...fonts import embeddable_font
from ..model import Block, Cell, Document, UnreadableReport
from ..values import is_value
from .grid import Box, expand

MAX_PDF_PAGES = int(os.environ.get("XXGK_PDF_MAX_PAGES", "300"))
LINE_TOLERANCE = 0.4  # of a character height: centres closer than this share a line
CELL_GAP = 0.8  # of a character height: a wider horizontal gap starts a new cell (two spaces do)

_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "password-protected PDF (encrypted; needs a password to open)",
    pdfium_c.FPDF_ERR_SECURITY: "encrypted PDF with an unsupported security handler",
    pdfium_c.FPDF_ERR_FORMAT: "damaged or not a PDF (PDFium: data format error)",
    pdfium_c.FPDF_ERR_FILE: "damaged or not a PDF (PDFium: file error)",
}


_FONT_PATHS: tuple = ()  # PDFium keeps the pointer to its font paths: alive while the library is


def _use_substitute_font() -> Path | None:
    """Restart PDFium with the cached CJK subset's folder as its only font path, when the subset
    is built; at import, before this module opens any document. Returns the font used."""
    global _FONT_PATHS
    font = embeddable_font(build=False)
    if font is None:
        return None
    folder = ctypes.create_string_buffer(os.fsencode(font.parent))
    pointer = ctypes.POINTER(ctypes.c_char)
    paths = (pointer * 2)(ctypes.cast(folder, pointer), None)
    pdfium_c.FPDF_DestroyLibrary()
    pdfium_c.FPDF_InitLibraryWithConfig(pdfium_c.FPDF_LIBRARY_CONFIG(
        version=2, m_pUserFontPaths=paths, m_pIsolate=None, m_v8EmbedderSlot=0))
    _FONT_PATHS = (folder, paths)
    return font


SUBSTITUTE_FONT = _use_substitute_font()  # None: PDFium searches the system's fonts


@dataclass(slots=True)
class _Char:
    text: str
    left: float
    right: float
    baseline: float
    height: float
    bottom: float = 0.0
    top: float = 0.0
    line: int = 0  # 1-based printed line on the page


_SURROGATE = re.compile("[\ud800-\udfff]")
_SNAP = 1.0  # points: rules closer than this are one rule
_MIN_RULE = 2.0  # points: shorter segments are not rules


def read(data: bytes, source: str) -> Document:
    if not data.strip():
        raise UnreadableReport(f"{source}: empty file")
    if b"%PDF" not in data[:1024]:
        raise UnreadableReport(f"{source}: not a PDF (no %PDF header)")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = _ERRORS.get(getattr(exc, "err_code", None), f"unreadable PDF ({exc})")
        raise UnreadableReport(f"{source}: {reason}") from None
    try:
        pages = len(pdf)
        if pages > MAX_PDF_PAGES:
            raise UnreadableReport(f"{source}: {pages} pages, over the limit of {MAX_PDF_PAGES}")
        blocks: list[Block] = []
        chars_seen = 0
        for number in range(pages):
            page = pdf[number]
            try:
                chars = _page_chars(page)
                chars_seen += len(chars)
                if chars:
                    _read_page(blocks, chars, _rules(page), (number + 1) * 1000)
            finally:
                page.close()
    except pdfium.PdfiumError as exc:
        raise UnreadableReport(f"{source}: damaged PDF page ({exc})") from None
    finally:
        pdf.close()
    if chars_seen == 0:
        raise UnreadableReport(f"{source}: no text layer (scanned PDF?)")
    return Document(source=source, blocks=blocks)


def _page_chars(page) -> list[_Char]:
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        chars: list[_Char] = []
        get_box, get_origin = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharOrigin
        x, y = ctypes.c_double(), ctypes.c_double()
        rect = pdfium_c.FS_RECTF()
        for index, text in enumerate(_page_text(raw, count)):
            # Spaces are gaps (a gap inside a cell is kept as one space, see _join). PDFium's
            # generated characters are spaces and line breaks only, so they are skipped here
            # without asking FPDFText_IsGenerated (a call per character).
            if text.isspace() or text < " " or text in "\ufffe\uffff" or "\ud800" <= text <= "\udfff":
                continue
            if not get_box(raw, index, rect):
                continue
            left, bottom, right, top = rect.left, rect.bottom, rect.right, rect.top
            height = top - bottom
            if height <= 0:
                continue
            baseline = y.value if get_origin(raw, index, x, y) else bottom
            chars.append(_Char(text, left, right, baseline, height, bottom, top))
        return chars
    finally:
        textpage.close()


def _page_text(raw, count: int) -> str | list[str]:
    """The text page's characters, one per index. One call for the page; a call per index
    when it holds characters beyond the BMP, whose UTF-16 pairs would shift the indexes."""
    units = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(raw, 0, count, units)
    text = bytes(units)[: max(0, written - 1) * 2].decode("utf-16-le", "surrogatepass")
    if len(text) == count and not _SURROGATE.search(text):
        return text
    return [chr(pdfium_c.FPDFText_GetUnicode(raw, index)) for index in range(count)]


def _lines(chars: list[_Char]) -> list[list[_Char]]:
    """Printed lines, top of the page first, each sorted left to right; numbers each char's line."""
    ordered = sorted(chars, key=lambda c: -c.baseline)
    lines: list[list[_Char]] = []
    reference = tolerance = 0.0  # the line's first character: baseline, LINE_TOLERANCE * height
    for char in ordered:
        distance = abs(char.baseline - reference)
        if lines and distance <= tolerance and distance <= LINE_TOLERANCE * char.height:
            lines[-1].append(char)
        else:
            lines.append([char])
            reference, tolerance = char.baseline, LINE_TOLERANCE * char.height
    for number, line in enumerate(lines, start=1):
        line.sort(key=lambda c: c.left)
        for char in line:
            char.line = number
    return lines


def _split(line: list[_Char]) -> list[list[_Char]]:
    """A printed line's cells, split where the gap between characters is wide."""
    heights = sorted(c.height for c in line)
    gap_limit = CELL_GAP * heights[len(heights) // 2]
    cells: list[list[_Char]] = [[line[0]]]
    for previous, char in pairwise(line):
        if char.left - previous.right > gap_limit:
            cells.append([char])
        else:
            cells[-1].append(char)
    return cells


def _join(chars: list[_Char]) -> str:
    """Characters of one line of one cell; a gap of a space's width or more is one space."""
    out = [chars[0].text]
    for previous, char in pairwise(chars):
        if char.left - previous.right > 0.15 * min(previous.height, char.height):
            out.append(" ")
        out.append(char.text)
    return "".join(out)


def _line_cells(line: list[_Char]) -> list[str]:
    texts = [_join(cell) for cell in _split(line)]
    if len(texts) >= 3 and all(len(t) == 1 and unicodedata.category(t) == "Lo" for t in texts):
        return ["".join(texts)]  # a letter-spaced title, not three cells
    return texts


# --- ruling lines -------------------------------------------------------------------------

@dataclass(slots=True)
class _Rule:
    at: float  # y of a horizontal rule, x of a vertical one
    start: float
    end: float


_MAX_FORM_DEPTH = 4


def _objects(count: int, get, matrices: list, depth: int = 0):
    """(path object, matrices to the page) for every path, looking into form XObjects."""
    for index in range(count):
        obj = get(index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj, matrices
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
            matrix = pdfium_c.FS_MATRIX()
            if pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
                yield from _objects(pdfium_c.FPDFFormObj_CountObjects(obj),
                                    lambda i, form=obj: pdfium_c.FPDFFormObj_GetObject(form, i),
                                    [matrix, *matrices], depth + 1)


def _rules(page) -> tuple[list[_Rule], list[_Rule]]:
    horizontal: list[_Rule] = []
    vertical: list[_Rule] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    page_raw = page.raw
    paths = _objects(pdfium_c.FPDFPage_CountObjects(page_raw),
                     lambda i: pdfium_c.FPDFPage_GetObject(page_raw, i), [])
    for raw, outer in paths:
        matrix = pdfium_c.FS_MATRIX()
        if not pdfium_c.FPDFPageObj_GetMatrix(raw, matrix):
            continue
        matrices = [matrix, *outer]
        start = current = None
        for index in range(pdfium_c.FPDFPath_CountSegments(raw)):
            segment = pdfium_c.FPDFPath_GetPathSegment(raw, index)
            if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
                continue
            point = _apply(matrices, x.value, y.value)
            kind = pdfium_c.FPDFPathSegment_GetType(segment)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                start = current = point
                continue
            if kind == pdfium_c.FPDF_SEGMENT_LINETO and current is not None:
                _add_rule(horizontal, vertical, current, point)
            current = point
            if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
                _add_rule(horizontal, vertical, current, start)
                current = start
    return _merge(horizontal), _merge(vertical)


def _apply(matrices, x: float, y: float) -> tuple[float, float]:
    for m in matrices:
        x, y = m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f
    return x, y


def _add_rule(horizontal: list[_Rule], vertical: list[_Rule], p: tuple[float, float], q: tuple[float, float]) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) < 0.5 and abs(x0 - x1) >= _MIN_RULE:
        horizontal.append(_Rule((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x0 - x1) < 0.5 and abs(y0 - y1) >= _MIN_RULE:
        vertical.append(_Rule((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _merge(rules: list[_Rule]) -> list[_Rule]:
    """Rules on one line (within _SNAP) that touch or overlap become one rule."""
    rules.sort(key=lambda r: (r.at, r.start))
    merged: list[_Rule] = []
    for rule in rules:
        for other in reversed(merged[-8:]):
            if abs(other.at - rule.at) <= _SNAP and rule.start <= other.end + _SNAP and rule.end >= other.start - _SNAP:
                other.start, other.end = min(other.start, rule.start), max(other.end, rule.end)
                break
        else:
            merged.append(_Rule(rule.at, rule.start, rule.end))
    return merged


def _distinct(values: list[float]) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > _SNAP:
            out.append(value)
    return out


@dataclass
class _Table:
    ys: list[float]  # row boundaries, top first
    xs: list[float]  # column boundaries, left first
    boxes: dict[int, list[int]]  # box id -> [top row, left col, bottom row, right col] (inclusive)
    owner: list[list[int]]  # elementary cell -> box id
    chars: dict[int, list[_Char]]

    def __post_init__(self) -> None:
        self.negative_ys = [-y for y in self.ys]

    @property
    def top(self) -> float:
        return self.ys[0]

    def add(self, char: _Char, cx: float, cy: float) -> None:
        """File ``char`` under its box. Its centre (cx, cy) must lie strictly inside the grid's
        outer rules (xs[0] < cx < xs[-1], ys[-1] < cy < ys[0]), so both bisections land on a
        column and a row of the grid."""
        col = bisect.bisect_right(self.xs, cx) - 1
        row = bisect.bisect_left(self.negative_ys, -cy) - 1
        self.chars.setdefault(self.owner[row][col], []).append(char)


def _covers(rules: list[_Rule], at: float, position: float) -> bool:
    """Is there a rule at ``at`` (within _SNAP) that covers ``position``? ``rules`` sorted by at."""
    index = bisect.bisect_left(rules, at - _SNAP, key=lambda r: r.at)
    while index < len(rules) and rules[index].at <= at + _SNAP:
        rule = rules[index]
        if rule.start - _SNAP <= position <= rule.end + _SNAP:
            return True
        index += 1
    return False


def _tables(horizontal: list[_Rule], vertical: list[_Rule]) -> list[_Table]:
    """Grids of crossing rules (connected components with at least 2 + 2 rules)."""
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if h.start - _SNAP <= v.at <= h.end + _SNAP and v.start - _SNAP <= h.at <= v.end + _SNAP:
                parent[find(i)] = find(len(horizontal) + j)
    groups: dict[int, tuple[list[_Rule], list[_Rule]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + j), ([], []))[1].append(v)
    tables = []
    for hs, vs in groups.values():
        ys = _distinct([h.at for h in hs])[::-1]
        xs = _distinct([v.at for v in vs])
        if len(ys) < 2 or len(xs) < 2:
            continue
        tables.append(_grid(hs, vs, ys, xs))
    return tables


def _grid(hs: list[_Rule], vs: list[_Rule], ys: list[float], xs: list[float]) -> _Table:
    hs, vs = sorted(hs, key=lambda r: r.at), sorted(vs, key=lambda r: r.at)
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(rows):
        ymid = (ys[r] + ys[r + 1]) / 2
        for c in range(cols):
            xmid = (xs[c] + xs[c + 1]) / 2
            if c + 1 < cols and not _covers(vs, xs[c + 1], ymid):
                parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows and not _covers(hs, ys[r + 1], xmid):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    boxes: dict[int, list[int]] = {}
    owner = [[0] * cols for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            root = find(r * cols + c)
            owner[r][c] = root
            box = boxes.setdefault(root, [r, c, r, c])
            box[0], box[1] = min(box[0], r), min(box[1], c)
            box[2], box[3] = max(box[2], r), max(box[3], c)
    return _Table(ys, xs, boxes, owner, {})


def _table_rows(table: _Table, base: int) -> list[list[Cell]]:
    """The table's rows of cells (``grid.expand``), each box's text its lines joined."""
    texts: dict[int, tuple[str, int]] = {}
    for box_id, chars in table.chars.items():
        by_line: dict[int, list[_Char]] = {}
        for char in chars:
            by_line.setdefault(char.line, []).append(char)
        lines = [_join(sorted(by_line[n], key=lambda c: c.left)) for n in sorted(by_line)]
        texts[box_id] = ("\n".join(lines), base + min(by_line))
    rows: list[list[Box]] = [[] for _ in range(len(table.ys) - 1)]
    row_line: list[int] = []
    for r in range(len(rows)):
        lines = [texts[b][1] for b in {table.owner[r][c] for c in range(len(table.xs) - 1)} if b in texts]
        row_line.append(min(lines) if lines else (row_line[-1] if row_line else base))
    for box_id, (top, left, bottom, right) in sorted(table.boxes.items(), key=lambda kv: (kv[1][0], kv[1][1])):
        text, line = texts.get(box_id, ("", row_line[top]))
        rows[top].append(Box(text, line, colspan=right - left + 1, rowspan=bottom - top + 1, col=left))
    return [row for row in expand(rows) if any(cell.text.strip() for cell in row)]


def _read_page(blocks: list[Block], chars: list[_Char], rules, base: int) -> None:
    lines = _lines(chars)
    tables = [t for t in _tables(*rules) if len(t.boxes) > 1]
    # Items in reading order: (y, kind, payload) for free lines (or their parts) and tables.
    items: list[tuple[float, int, object]] = []
    # a character belongs to the table whose grid holds its centre
    bounds = [(table, table.xs[0], table.xs[-1], table.ys[-1], table.ys[0]) for table in tables]
    for line in lines:
        free = []
        for char in line:
            cx, cy = (char.left + char.right) / 2, (char.bottom + char.top) / 2
            for table, left, right, bottom, top in bounds:
                if left < cx < right and bottom < cy < top:
                    table.add(char, cx, cy)
                    break
            else:
                free.append(char)
        if free:
            items.append((free[0].baseline, free[0].line, free))
    for table in tables:
        if table.chars:
            items.append((table.top, 0, table))
    items.sort(key=lambda item: (-item[0], item[1]))
    current: Block | None = None
    for _y, _n, payload in items:
        if isinstance(payload, _Table):
            rows = _table_rows(payload, base)
            if rows:
                blocks.append(Block(kind="table", line=rows[0][0].line, rows=rows))
            current = None
            continue
        line_no = base + payload[0].line
        texts = _line_cells(payload)
        cells = [Cell(text, line_no) for text in texts]
        if len(cells) > 1 or is_value(texts[0]):
            if current is None:
                current = Block(kind="table", line=line_no)
                blocks.append(current)
            current.rows.append(cells)
        else:
            current = None
            blocks.append(Block(kind="paragraph", line=line_no, text=texts[0]))
