"""The common representation every format reader produces, and the parsed report.

Readers turn bytes into a :class:`Document` (ordered blocks with source positions);
the form parser maps a Document onto FORM.md codes and yields a :class:`ParsedReport`.
A new file format is a new reader, never a new parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple


@dataclass(frozen=True)
class Cell:
    """One table cell (or one paragraph) as printed, with where it came from.

    ``line`` is the 1-based line of the cell's first character in the decoded text
    for text-like formats; for .docx/.pdf readers it is the position the reader
    documents (paragraph index, page*1000+row) so a clerk can find it again.
    """

    text: str
    line: int


@dataclass
class Block:
    """A heading/paragraph (``text``) or a table (``rows`` of cells)."""

    kind: Literal["paragraph", "table"]
    line: int
    text: str = ""
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Document:
    source: str
    blocks: list[Block]

    def cells(self) -> list[Cell]:
        """Every paragraph and table cell in reading order (tables row-major)."""
        out: list[Cell] = []
        for block in self.blocks:
            if block.kind == "table":
                for row in block.rows:
                    out.extend(row)
            else:
                out.append(Cell(block.text, block.line))
        return out


class Value(NamedTuple):
    """One number of tables A/B/C: FORM.md codes, the parsed value (None = blank cell).

    A NamedTuple, not a dataclass: ~200 of them per report cross from the parse workers to
    the writer, and a tuple unpickles about five times faster."""

    table: str  # "A" | "B" | "C"
    row: str
    column: str
    value: int | float | None
    raw: str
    line: int


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "error" | "warning"
    table: str | None
    row: str | None
    column: str | None
    expected: float | None
    actual: float | None
    line: int | None
    message: str
    arithmetic: str | None = None  # the failing check with the report's numbers, "3 + 1 = 4 ≠ 5"

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "expected": self.expected,
            "actual": self.actual,
            "line": self.line,
            "message": self.message,
            "arithmetic": self.arithmetic,
        }


class Quote(NamedTuple):
    """A count of table B quoted in the narrative (R8 compares it with the table)."""

    row: str  # table B row code; the column is always the total
    number: int
    line: int
    text: str  # the clause it was read from


@dataclass
class ParsedReport:
    source: str
    sha256: str
    agency: str | None
    year: int | None
    form_version: str | None
    report_date: str | None  # ISO date
    values: list[Value]
    findings: list[Finding] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    def nested(self, table: str) -> dict[str, dict[str, int | float | None]]:
        out: dict[str, dict[str, int | float | None]] = {}
        for v in self.values:
            if v.table == table:
                out.setdefault(v.row, {})[v.column] = v.value
        return out

    def as_json(self) -> dict:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "agency": self.agency,
            "year": self.year,
            "form_version": self.form_version,
            "report_date": self.report_date,
            "active": self.nested("A"),
            "applications": self.nested("B"),
            "review_litigation": self.nested("C"),
            "findings": [f.as_dict() for f in self.findings],
        }


class UnreadableReport(Exception):
    """The file is not a readable report; the message names the reason (no traceback for users)."""
