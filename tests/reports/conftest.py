"""The real reports of tests/fixtures/corpus (copied from the shared corpus so a clean clone
runs the tests), parsed once per file."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from orchestration.reports.model import ParsedReport
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import read_document

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"


@cache
def _parse(name: str) -> ParsedReport:
    path = CORPUS / name
    return parse_document(read_document(path.read_bytes(), name), "sha-" + name)


@pytest.fixture
def parsed():
    """parsed(name) -> the ParsedReport of a corpus file."""
    return _parse
