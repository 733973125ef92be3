"""The merged-box grid every table reader shares, and the READERS registry."""

from __future__ import annotations

import pytest

from orchestration.reports.model import UnreadableReport
from orchestration.reports.readers import READERS, read_document
from orchestration.reports.readers.grid import Box, expand


def test_one_cell_across_columns_repeated_down_rows():
    rows = expand([[Box("a", 1, rowspan=2), Box("b", 1, colspan=2)], [Box("c", 2), Box("d", 2)]])
    assert [[(c.text, c.line) for c in row] for row in rows] == [
        [("a", 1), ("b", 1)], [("a", 1), ("c", 2), ("d", 2)]]
    # a box spanning columns and rows: one cell in each of its rows, later boxes placed after it
    rows = expand([[Box("ab", 1, colspan=2, rowspan=2), Box("c", 1)], [Box("d", 2)]])
    assert [[c.text for c in row] for row in rows] == [["ab", "c"], ["ab", "d"]]


def test_explicit_columns_leave_holes_and_spans_are_clamped():
    rows = expand([[Box("late", 1, col=2)], [Box("x", 2, rowspan=99)]])
    assert [[c.text for c in row] for row in rows] == [["late"], ["x"]]


def test_every_format_has_a_reader():
    assert {".txt", ".docx", ".doc", ".html", ".htm", ".pdf"} <= set(READERS)


def test_unknown_extension_is_refused():
    with pytest.raises(UnreadableReport, match="unsupported file type .xls"):
        read_document(b"x", "report.xls")
