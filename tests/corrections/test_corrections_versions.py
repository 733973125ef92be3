"""Corrections and versions: a corrected resubmission supersedes the earlier report in the
marts; both stay in the archive and staging; dim_report says which is current and why."""

from __future__ import annotations

from pathlib import Path

from xxgk_pipeline_fixture import query


def statuses(pipeline) -> dict[str, tuple]:
    rows = query(pipeline["warehouse"],
                 "select report_id, agency_key, version, status, is_current, superseded_by, "
                 "status_reason from main_marts.dim_report")
    return {r[0]: r[1:] for r in rows}


def test_dbt_unit_tests_of_agency_matching_ran(pipeline):
    log = pipeline["dbt_log"]
    assert "int_report_versions_agency_names_written_differently_match" in log
    assert "int_report_versions_held_correction_keeps_the_accepted_one_current" in log


def test_correction_supersedes_the_earlier_report(pipeline):
    ids, s = pipeline["ids"], statuses(pipeline)
    # "甲县人民政府" and "甲县　政府" (ideographic space, 政府) are one agency
    assert s[ids["A1"]][:5] == ("甲县政府", 1, "superseded", False, ids["A2"])
    assert s[ids["A2"]][:5] == ("甲县政府", 2, "accepted", True, None)
    assert "superseded: version 2" in s[ids["A1"]][5]
    # the fact marts hold the corrected numbers only
    w = pipeline["warehouse"]
    assert query(w, "select report_id, case_count from main_marts.fct_review_litigation "
                    "where group_code = 'review' and measure = 'upheld' and report_id in (?, ?)",
                 [ids["A1"], ids["A2"]]) == [(ids["A2"], 1)]


def test_fact_marts_keep_only_current_accepted_reports(pipeline):
    ids, w = pipeline["ids"], pipeline["warehouse"]
    current = {ids["A2"], ids["B2"], ids["C1"]}
    assert {r[0] for r in query(w, "select report_id from main_marts.dim_report where is_current")} == current
    for mart in ("fct_applications", "fct_active_disclosure", "fct_review_litigation"):
        assert {r[0] for r in query(w, f"select distinct report_id from main_marts.{mart}")} == current, mart
    # one current report per agency-year
    assert query(w, "select count(*) from (select agency_key, year from main_marts.dim_report "
                    "where is_current group by all having count(*) > 1)") == [(0,)]


def test_both_versions_stay_in_archive_and_staging(pipeline):
    ids, w = pipeline["ids"], pipeline["warehouse"]
    for key in ("A1", "A2", "B1", "B2"):
        (path,) = query(w, "select archive_path from raw.files where sha256 = ?", [ids[key]])[0]
        assert Path(path).exists()
    staged = {r[0] for r in query(w, "select report_id from main_staging.stg_raw__reports")}
    assert set(ids.values()) <= staged
    assert {r[0] for r in query(w, "select report_id from main_marts.dim_report "
                                   "where status <> 'unreadable'")} == set(ids.values())
    # scan.pdf: received, unreadable, and listed too
    assert query(w, "select source_name, version from main_marts.dim_report where status = 'unreadable'") == [
        ("scan.pdf", None)]


def test_exact_duplicate_is_one_report_with_several_receipts(pipeline):
    ids, w = pipeline["ids"], pipeline["warehouse"]
    a1 = ids["A1"]
    assert query(w, "select count(*) from raw.files where sha256 = ?", [a1]) == [(1,)]
    assert query(w, "select count(*) from raw.reports where report_id = ?", [a1]) == [(1,)]
    names = sorted(r[0] for r in query(w, "select original_name from raw.receipts where sha256 = ?", [a1]))
    assert names == ["a_v1.txt", "a_v1_again.txt", "a_v1_copy.txt"]
    assert query(w, "select receipt_count, version from main_marts.rpt_report_status "
                    "where report_id = ?", [a1]) == [(3, 1)]
    # re-sending the old bytes after the correction does not make them current again
    assert statuses(pipeline)[a1][2] == "superseded"


def test_held_then_corrected_and_accepted(pipeline):
    ids, s, w = pipeline["ids"], statuses(pipeline), pipeline["warehouse"]
    assert s[ids["B1"]][1:5] == (1, "superseded", False, ids["B2"])
    assert "this version was held" in s[ids["B1"]][5]
    assert s[ids["B2"]][1:5] == (2, "accepted", True, None)
    # the held version's findings stay listed, under its final status
    assert {r[0] for r in query(w, "select distinct report_status from main_marts.fct_findings "
                                   "where report_id = ?", [ids["B1"]])} == {"superseded"}


def test_held_correction_keeps_the_accepted_version_published(pipeline):
    ids, s = pipeline["ids"], statuses(pipeline)
    assert s[ids["C1"]][1:5] == (1, "accepted", True, None)
    assert "newer version 2 is not accepted" in s[ids["C1"]][5]
    assert s[ids["C2"]][1:5] == (2, "held", False, None)
    assert "version 1 stays published" in s[ids["C2"]][5]


def test_report_status_lists_every_file(pipeline):
    rows = query(pipeline["warehouse"],
                 "select status, count(*) from main_marts.rpt_report_status group by all")
    assert dict(rows) == {"accepted": 3, "superseded": 2, "held": 1, "unreadable": 1}
    (unreadable,) = query(pipeline["warehouse"],
                          "select source_name, version, is_current from main_marts.rpt_report_status "
                          "where status = 'unreadable'")
    assert unreadable == ("scan.pdf", None, False)
