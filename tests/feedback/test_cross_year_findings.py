"""Rules across years (R6, R7) reach fct_findings and the feedback documents: one agency's
2021 report carries 1 application forward, its 2022 report carries 0 over."""

from __future__ import annotations

import hashlib

import duckdb
import pytest
from xxgk_pipeline_fixture import dbt_build, query, settings_for, variant

from orchestration.stages.feedback import write_feedback
from orchestration.stages.ingest import ingest_inbox
from orchestration.stages.parse import parse_received
from orchestration.stages.validate import validate_pending
from orchestration.warehouse import connect

AGENCY = "丁县人民政府"
# cells of the sample report (seeds/reports/000_0dabcd11a12b22e6.txt), by source line
NEW_NATURAL, NEW_TOTAL, FORWARD_NATURAL, FORWARD_TOTAL = 78, 84, 335, 341
CARRIED_OVER_TOTAL = 93

# 2021: one more application received, and carried forward: every per-report rule holds
D2021 = variant(AGENCY, {NEW_NATURAL: "23", NEW_TOTAL: "23", FORWARD_NATURAL: "1", FORWARD_TOTAL: "1"})
# 2022: the sample as next year's report, carrying nothing over (R6 breaks twice)
D2022 = variant(AGENCY).replace("2021年".encode(), "2022年".encode())


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    root = tmp_path_factory.mktemp("cross_year")
    settings = settings_for(root)
    settings.ensure_dirs()
    (settings.inbox / "d_2021.txt").write_bytes(D2021)
    (settings.inbox / "d_2022.txt").write_bytes(D2022)
    with connect(settings.warehouse) as con:
        ingest_inbox(settings, con)
        parse_received(con, settings)
        validate_pending(con, settings.validation, "cross-year")
    result = dbt_build(settings.warehouse, root / "dbt")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    folder = root / "feedback"
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        write_feedback(con, folder)
    finally:
        con.close()
    return {"warehouse": settings.warehouse, "feedback": folder,
            "y2021": hashlib.sha256(D2021).hexdigest(), "y2022": hashlib.sha256(D2022).hexdigest()}


def test_r6_failures_are_findings_of_the_later_report(two_years):
    rows = query(two_years["warehouse"], """
        select report_id, year, rule_id, severity, report_status, table_label_zh, row_label_zh,
               column_code, expected, actual, arithmetic_zh, source_line, compared_report_id
        from main_marts.fct_findings where rule_id in ('R6', 'R7') order by column_code""")
    later, earlier = two_years["y2022"], two_years["y2021"]
    assert [r[2:] for r in rows] == [
        ("R6", "warning", "accepted", "表三", "二、上年结转政府信息公开申请数量", "natural_person",
         1.0, 0.0, "上年度结转下年度 1 ≠ 本年上年结转 0", 87, earlier),
        ("R6", "warning", "accepted", "表三", "二、上年结转政府信息公开申请数量", "total",
         1.0, 0.0, "上年度结转下年度 1 ≠ 本年上年结转 0", CARRIED_OVER_TOTAL, earlier),
    ]
    assert {(r[0], r[1]) for r in rows} == {(later, 2022)}
    # the clean cases: every other column of R6, and R7 (table A unchanged, nothing issued or
    # repealed in the sample), were compared and agree
    assert query(two_years["warehouse"], """
        select rule_id, count(*), count(*) filter (where expected <> actual)
        from main_intermediate.int_cross_year_checks group by rule_id order by rule_id""") == [
        ("R6", 7, 2), ("R7", 2, 0)]
    # a warning: both years stay published
    assert query(two_years["warehouse"], "select count(distinct report_id) from main_marts.fct_applications") == [(2,)]


def test_feedback_document_names_last_year_and_the_numbers(two_years):
    later = two_years["y2022"]
    md = (two_years["feedback"] / f"2022-{AGENCY}-{later[:8]}.md").read_text(encoding="utf-8")
    for expected in ("R6", "二、上年结转政府信息公开申请数量", "上年度结转下年度 1 ≠ 本年上年结转 0",
                     "对照 2021 年度报告", f"第 {CARRIED_OVER_TOTAL} 行", "请核对两年的报告"):
        assert expected in md, expected
    # the earlier report is not accused of R6: its only finding is R8 (its narrative still
    # quotes the sample's 22 applications)
    earlier = two_years["y2021"]
    assert query(two_years["warehouse"], "select rule_id from main_marts.fct_findings where report_id = ?",
                 [earlier]) == [("R8",)]
    assert "R6" not in (two_years["feedback"] / f"2021-{AGENCY}-{earlier[:8]}.md").read_text(encoding="utf-8")
