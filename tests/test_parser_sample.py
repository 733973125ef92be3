"""The founding sample (docx-extracted text): every value, the metadata and the positions."""

from __future__ import annotations

import hashlib

import pytest
from samples import LINE_NEW_RECEIVED_NATURAL, LINE_NEW_RECEIVED_TOTAL, SAMPLE

from orchestration.reports.model import UnreadableReport
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import read_document
from orchestration.reports.values import parse_value

COLUMNS = ["natural_person", "commercial", "research", "public_welfare", "legal_services", "other_org", "total"]
ZEROS = [0] * 7
EXPECTED_B = {
    "new_received": [22, 0, 0, 0, 0, 0, 22],
    "carried_over": ZEROS,
    "granted": ZEROS,
    "partly_granted": ZEROS,
    "withheld_state_secret": ZEROS,
    "withheld_prohibited": ZEROS,
    "withheld_security_stability": ZEROS,
    "withheld_third_party": ZEROS,
    "withheld_internal": ZEROS,
    "withheld_process": ZEROS,
    "withheld_enforcement_file": ZEROS,
    "withheld_inquiry": ZEROS,
    "unavailable_not_held": [22, 0, 0, 0, 0, 0, 22],
    "unavailable_needs_creation": ZEROS,
    "unavailable_unclear": ZEROS,
    "rejected_petition": ZEROS,
    "rejected_duplicate": ZEROS,
    "rejected_publication": ZEROS,
    "rejected_excessive": ZEROS,
    "rejected_confirmation": ZEROS,
    "other_overdue_correction": ZEROS,
    "other_unpaid_fee": ZEROS,
    "other_other": ZEROS,
    "results_total": [22, 0, 0, 0, 0, 0, 22],
    "carried_forward": ZEROS,
}
GROUP_ZEROS = {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}


@pytest.fixture(scope="module")
def report():
    data = SAMPLE.read_bytes()
    return parse_document(read_document(data, SAMPLE.name), hashlib.sha256(data).hexdigest())


def test_metadata(report):
    assert report.agency == "和田地区行署办公室"
    assert report.year == 2021
    assert report.form_version == "2021"
    assert report.report_date == "2022-01-28"
    assert report.sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()


def test_table_a(report):
    assert report.nested("A") == {
        "rules": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"issued": 2, "repealed": 2, "in_force": 126},
        "licensing": {"decisions": 0},
        "penalty": {"decisions": 0},
        "coercion": {"decisions": 0},
        "fees": {"amount": 0},
    }


def test_table_b_every_cell(report):
    assert report.nested("B") == {row: dict(zip(COLUMNS, vals)) for row, vals in EXPECTED_B.items()}


def test_table_c(report):
    assert report.nested("C") == {
        "review": GROUP_ZEROS,
        "litigation_direct": GROUP_ZEROS,
        "litigation_after_review": GROUP_ZEROS,
    }


def test_no_findings_on_the_clean_sample(report):
    assert report.findings == []


def test_positions_and_raw_text(report):
    cells = {(v.table, v.row, v.column): v for v in report.values}
    natural = cells[("B", "new_received", "natural_person")]
    assert (natural.line, natural.raw, natural.value) == (LINE_NEW_RECEIVED_NATURAL, "22\u00a0", 22)
    total = cells[("B", "new_received", "total")]
    assert (total.line, total.raw) == (LINE_NEW_RECEIVED_TOTAL, "\u00a022")
    # The Word bookmark artefact is kept in raw_text but not in the value.
    not_held = cells[("B", "unavailable_not_held", "natural_person")]
    assert not_held.raw.startswith("[bookmark: _GoBack]22") and not_held.value == 22
    # Ideographic spaces around table A cells.
    assert cells[("A", "rules", "issued")].raw == "\u3000\u30000"
    assert len(report.values) == 2 * 3 + 4 + 25 * 7 + 15  # tables A, B and C, every cell


@pytest.mark.parametrize(
    ("raw", "value"),
    [("\u3000\u30000", 0), ("\u00a022", 22), ("[bookmark: _GoBack]22 ", 22), ("", None), ("—", None),
     ("无", 0), ("１２３", 123), ("1,234", 1234), ("251000元", 251000), ("59237.2449", 59237.2449)],
)
def test_cell_values(raw, value):
    assert parse_value(raw) == value


def test_blank_cell_is_null_with_a_finding():
    text = SAMPLE.read_text(encoding="utf-8").split("\n")
    text[LINE_NEW_RECEIVED_TOTAL - 1] = "\t"
    report = parse_document(read_document("\n".join(text).encode(), "blank.txt"), "x")
    cells = {(v.table, v.row, v.column): v.value for v in report.values}
    assert cells[("B", "new_received", "total")] is None
    assert [(f.rule, f.row, f.column, f.line) for f in report.findings] == [
        ("P1", "new_received", "total", LINE_NEW_RECEIVED_TOTAL)
    ]


@pytest.mark.parametrize(("content", "reason"), [(b"", "empty file"), (b"hello world", "not an annual report"),
                                                  (bytes(range(256)) * 4, "neither UTF-8 nor GB18030")])
def test_unreadable_inputs_name_the_file(content, reason):
    with pytest.raises(UnreadableReport) as info:
        parse_document(read_document(content, "bad.txt"), "x")
    assert str(info.value).startswith("bad.txt: ") and reason in str(info.value)


def test_blank_single_value_row_is_a_blank_cell_not_a_missing_row():
    """行政许可 has one value cell; left blank it is P1 (blank), not P2 (row not found)."""
    text = SAMPLE.read_text(encoding="utf-8").split("\n")
    assert text[33] == "\t行政许可"
    text[34] = "\t"
    report = parse_document(read_document("\n".join(text).encode(), "blank.txt"), "x")
    assert report.nested("A")["licensing"] == {"decisions": None}
    assert [(f.rule, f.table, f.row, f.column, f.line) for f in report.findings] == [
        ("P1", "A", "licensing", "decisions", 35)]
