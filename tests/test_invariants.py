"""R1-R5 through the GX suite: one clean and one dirty case per rule, proving each can fail."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pandas as pd
import pytest
from samples import SAMPLE

from orchestration.quality.findings import judge
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import read_document
from orchestration.stages.parse import values_frame


@pytest.fixture(scope="module")
def clean_values():
    data = SAMPLE.read_bytes()
    report = parse_document(read_document(data, SAMPLE.name), hashlib.sha256(data).hexdigest())
    return values_frame(report)


def set_cell(frame, table, row, column, value):
    frame = frame.copy()
    mask = (frame.table_code == table) & (frame.row_code == row) & (frame.column_code == column)
    assert mask.sum() == 1
    frame.loc[mask, "value"] = value
    return frame


def findings_of(frame):
    findings, result = judge(frame)
    return [(f.rule_id, f.row_code, f.column_code, f.expected, f.actual) for f in findings.itertuples()], result


def test_clean_sample_passes_every_rule(clean_values):
    findings, result = findings_of(clean_values)
    assert findings == []
    assert result.success
    assert {o.meta["rule_id"] for o in result.outcomes} == {"R1", "R2", "R3", "R4", "R5", "R8", "S1", "S2",
                                                           "S3", "S4"}


def test_r1_row_total(clean_values):
    dirty = set_cell(clean_values, "B", "granted", "total", 5)
    # The row total is wrong (5 != 0), and as a consequence so is column 'total' (R3).
    findings, _ = findings_of(dirty)
    assert ("R1", "granted", "total", 0.0, 5.0) in findings
    assert ("R3", "results_total", "total", 27.0, 22.0) in findings


def test_r2_column_balance(clean_values):
    dirty = set_cell(clean_values, "B", "carried_over", "research", 1)
    dirty = set_cell(dirty, "B", "carried_over", "total", 1)
    findings, _ = findings_of(dirty)
    assert findings == [
        ("R2", "results_total", "research", 1.0, 0.0),
        ("R2", "results_total", "total", 23.0, 22.0),
    ]


def test_r3_results_total(clean_values):
    # Every row adds up and new + carried over = results + carried forward, but the outcome
    # rows no longer sum to the results total.
    dirty = set_cell(clean_values, "B", "unavailable_not_held", "natural_person", 21)
    dirty = set_cell(dirty, "B", "unavailable_not_held", "total", 21)
    findings, _ = findings_of(dirty)
    assert findings == [
        ("R3", "results_total", "natural_person", 21.0, 22.0),
        ("R3", "results_total", "total", 21.0, 22.0),
    ]


def test_r4_review_total(clean_values):
    dirty = set_cell(clean_values, "C", "review", "upheld", 2)
    findings, _ = findings_of(dirty)
    assert findings == [("R4", "review", "total", 2.0, 0.0)]


def arithmetic_of(frame, rule, row, column):
    findings, _ = judge(frame)
    hit = findings[(findings.rule_id == rule) & (findings.row_code == row) & (findings.column_code == column)]
    assert len(hit) == 1
    return hit.arithmetic.iloc[0]


def test_findings_carry_their_arithmetic(clean_values):
    """The checks query writes each failing sum out with the report's numbers, in the order of
    the form (parts first, then the printed total); fct_findings and the feedback use it."""
    assert arithmetic_of(set_cell(clean_values, "B", "granted", "total", 5), "R1", "granted", "total") == (
        "0 + 0 + 0 + 0 + 0 + 0 = 0 ≠ 5")
    dirty = set_cell(clean_values, "B", "carried_over", "research", 1)
    # new_received + carried_over = 1 (research column), results_total + carried_forward = 0
    assert arithmetic_of(dirty, "R2", "results_total", "research") == "0 + 1 = 1 ≠ 0 + 0 = 0"
    assert arithmetic_of(set_cell(clean_values, "C", "review", "upheld", 2), "R4", "review", "total") == (
        "2 + 0 + 0 + 0 = 2 ≠ 0")
    assert arithmetic_of(set_cell(clean_values, "A", "fees", "amount", -0.5), "R5", "fees", "amount") == (
        "-0.5 不是非负数")
    # a blank cell counts as 0 in the sum and is shown as 空
    blank = set_cell(set_cell(clean_values, "C", "review", "upheld", None), "C", "review", "total", 3)
    assert arithmetic_of(blank, "R4", "review", "total") == "空 + 0 + 0 + 0 = 0 ≠ 3"


@pytest.mark.parametrize(("table", "row", "column", "value"),
                         [("C", "litigation_direct", "other", -1), ("A", "licensing", "decisions", 2.5),
                          ("A", "fees", "amount", -0.5)])
def test_r5_non_negative_integers(clean_values, table, row, column, value):
    dirty = set_cell(clean_values, table, row, column, value)
    findings, _ = findings_of(dirty)
    assert ("R5", row, column) in [f[:3] for f in findings]


def test_r5_allows_decimal_fees(clean_values):
    findings, _ = findings_of(set_cell(clean_values, "A", "fees", "amount", 59237.2449))
    assert findings == []


def test_partial_report_is_not_accused(clean_values):
    # Without the carried_forward row, R2 cannot be evaluated: no R2 finding, R1/R3 still run.
    partial = clean_values[clean_values.row_code != "carried_forward"]
    findings, _ = findings_of(partial)
    assert findings == []


def reports_frame(agency="和田地区行署办公室", year=2021):
    import pandas as pd

    return pd.DataFrame({"report_id": [None], "agency": [agency], "year": [year]})


def test_s1_year_in_range(clean_values):
    reports = reports_frame().assign(report_id=clean_values.report_id.iloc[0])
    assert judge(clean_values, reports)[0].empty
    findings, _ = judge(clean_values, reports.assign(year=2031))
    this_year = float(date.today().year)
    assert findings[["rule_id", "severity", "expected", "actual"]].values.tolist() == [
        ["S1", "error", this_year, 2031.0]]
    findings, _ = judge(clean_values, reports.assign(year=2018))
    assert findings[["rule_id", "expected", "actual"]].values.tolist() == [["S1", 2019.0, 2018.0]]


def test_s2_township_with_rules(clean_values):
    rid = clean_values.report_id.iloc[0]
    with_rules = set_cell(clean_values, "A", "rules", "in_force", 6)
    assert judge(with_rules, reports_frame().assign(report_id=rid))[0].empty  # a prefecture office may
    findings, _ = judge(with_rules, reports_frame("某某县某某镇人民政府").assign(report_id=rid))
    assert findings[["rule_id", "severity", "column_code", "actual"]].values.tolist() == [
        ["S2", "warning", "in_force", 6.0]]


def test_s3_county_government_with_rules(clean_values):
    rid = clean_values.report_id.iloc[0]
    with_rules = set_cell(clean_values, "A", "rules", "issued", 2)
    for may_make_rules in ("杭州市人民政府", "广西壮族自治区人民政府", "某某县住房和城乡建设局"):
        assert judge(with_rules, reports_frame(may_make_rules).assign(report_id=rid))[0].empty
    for county in ("某某县人民政府", "上海市浦东新区人民政府", "某某旗人民政府"):
        findings, _ = judge(with_rules, reports_frame(county).assign(report_id=rid))
        assert findings[["rule_id", "severity", "column_code", "actual", "arithmetic"]].values.tolist() == [
            ["S3", "warning", "issued", 2.0, "规章 2 ≠ 0"]], county


def test_s4_township_with_a_city_s_applications(clean_values):
    rid = clean_values.report_id.iloc[0]
    township = reports_frame("某某区某某街道办事处").assign(report_id=rid)
    assert judge(set_cell(clean_values, "B", "new_received", "total", 999), township)[0].query(
        "rule_id == 'S4'").empty
    findings, _ = judge(set_cell(clean_values, "B", "new_received", "total", 2240), township)
    s4 = findings[findings.rule_id == "S4"]
    assert s4[["severity", "row_code", "column_code", "expected", "actual"]].values.tolist() == [
        ["warning", "new_received", "total", 999.0, 2240.0]]
    # the same count is plausible for a city
    findings, _ = judge(set_cell(clean_values, "B", "new_received", "total", 2240),
                        reports_frame("某某市人民政府").assign(report_id=rid))
    assert "S4" not in set(findings.rule_id)


def test_suite_and_seed_describe_the_same_rules():
    """The rule catalogue is stated in the GX suite and loaded into the warehouse as a seed;
    this keeps the two from drifting apart."""
    import csv

    from samples import ROOT

    from orchestration.quality.gate import load_suite_json

    with open(ROOT / "seeds" / "form_rules.csv", encoding="utf-8") as handle:
        seed = {r["rule_id"]: r for r in csv.DictReader(handle)}
    for exp in [*load_suite_json("report_invariants")["expectations"],
                *load_suite_json("cross_year_invariants")["expectations"]]:
        meta = exp["meta"]
        row = seed[meta["rule_id"]]
        assert (meta["severity"], meta["description_zh"], meta["description_en"]) == (
            row["severity"], row["description_zh"], row["description_en"]), meta["rule_id"]
    for exp in load_suite_json("report_invariants")["expectations"]:  # the gate's pairs of columns
        rule = exp["meta"]["rule_id"]
        assert (exp["type"], exp["kwargs"]) == (
            "expect_column_pair_values_to_be_equal", {"column_A": f"{rule}_expected", "column_B": f"{rule}_actual"})


def test_validation_in_batches_matches_one_batch(data_dir):
    """Judging 3 reports one at a time gives the same findings as judging them together."""
    from samples import LINE_NEW_RECEIVED_NATURAL, LINE_REVIEW_UPHELD, variant

    from orchestration.settings import Settings
    from orchestration.stages.ingest import ingest_inbox
    from orchestration.stages.parse import parse_received
    from orchestration.stages.validate import validate_pending
    from orchestration.warehouse import connect

    settings = Settings.from_env()
    settings.ensure_dirs()
    (settings.inbox / "a.txt").write_text(variant("甲县人民政府"), encoding="utf-8")
    (settings.inbox / "b.txt").write_text(variant("乙县人民政府", {LINE_NEW_RECEIVED_NATURAL: "23"}), encoding="utf-8")
    (settings.inbox / "c.txt").write_text(variant("丙县人民政府", {LINE_REVIEW_UPHELD: "4"}), encoding="utf-8")
    outcomes = []
    for batch in (1, 10):
        with connect(settings.warehouse) as con:
            if batch == 1:
                ingest_inbox(settings, con)
                parse_received(con, settings)
            con.execute("delete from quality.validated_reports")
            summary = validate_pending(con, settings.validation, f"run{batch}", batch_reports=batch)
            rows = con.execute("select report_id, rule_id, row_code, column_code, expected, actual "
                               "from quality.findings order by all").fetchall()
        outcomes.append((summary.reports, summary.held, summary.findings_by_rule, rows))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][:3] == (3, 2, {"R1": 1, "R2": 1, "R4": 1})
    merged = json.loads((settings.validation / "report_invariants-run1.json").read_text(encoding="utf-8"))
    assert merged["batches"] == 3 and merged["success"] is False
    r4 = next(r for r in merged["results"] if r["expectation_config"]["meta"]["rule_id"] == "R4")
    assert r4["result"]["unexpected_count"] == 1
    assert merged["checks_by_rule"]["R4"] == {"evaluated": 3 * 3, "failed": 1}  # 3 reports x 3 rows of table C


def test_r5_allows_a_negative_change_on_the_old_form(clean_values):
    import pandas as pd

    old = pd.DataFrame([{"report_id": clean_values.report_id.iloc[0], "table_code": "A", "row_code": "licensing",
                         "column_code": "change", "value": -2.0, "raw_text": "-2", "line": 30}])
    assert judge(pd.concat([clean_values, old], ignore_index=True))[0].empty
    old.loc[0, "value"] = -2.5
    findings, _ = judge(pd.concat([clean_values, old], ignore_index=True))
    assert findings[["rule_id", "column_code", "expected", "actual"]].values.tolist() == [["R5", "change", -3.0, -2.5]]


def test_r3_on_the_old_form_without_the_other_sub_rows(clean_values):
    """The 2019 form has one 其他处理 row: R3 still adds up the outcome rows it has."""
    old = clean_values[~clean_values.row_code.isin(["other_overdue_correction", "other_unpaid_fee"])]
    assert judge(old)[0].empty
    dirty = set_cell(old, "B", "other_other", "natural_person", 1)
    dirty = set_cell(dirty, "B", "other_other", "total", 1)
    findings, _ = judge(dirty)
    assert ("R3", "results_total", "natural_person", 23.0, 22.0) in findings[
        ["rule_id", "row_code", "column_code", "expected", "actual"]].itertuples(index=False, name=None)


def test_cross_year_suite_flags_r6_and_passes_r7():
    import pandas as pd

    from orchestration.quality.gate import run_suite

    frame = pd.DataFrame([
        {"report_id": "y2", "rule_id": "R6", "check_id": "R6:B:carried_over:total", "expected": 3.0, "actual": 2.0},
        {"report_id": "y2", "rule_id": "R7", "check_id": "R7:A:rules:in_force", "expected": 11.0, "actual": 11.0},
    ])
    result = run_suite("cross_year_invariants", frame)
    outcome = {o.meta["rule_id"]: (o.success, o.unexpected.check_id.tolist()) for o in result.outcomes}
    assert outcome == {"R6": (False, ["R6:B:carried_over:total"]), "R7": (True, [])}
    assert {o.meta["severity"] for o in result.outcomes} == {"warning"}


def test_two_quotes_of_one_row_are_judged_apart(clean_values):
    """Two narrative quotes of the same row share a check id (R8:new_received): the finding is
    the wrong one's, with its own text and line (the details of failing checks are computed
    after GX, keyed by their numbers)."""
    import pandas as pd

    rid = clean_values.report_id.iloc[0]
    quotes = pd.DataFrame([(rid, "new_received", 22.0, "本年新收申请22件", 5),
                           (rid, "new_received", 32.0, "共收到申请32件", 9)],
                          columns=["report_id", "row_code", "quoted", "quote_text", "line"])
    findings, _ = judge(clean_values, None, quotes)
    assert findings[["rule_id", "row_code", "expected", "actual", "raw_text", "line"]].values.tolist() == [
        ["R8", "new_received", 22.0, 32.0, "共收到申请32件", 9]]
    assert "共收到申请32件" in findings.message.iloc[0]


@pytest.mark.parametrize("dirty", [False, True])
def test_rare_failures_mode_gives_the_same_verdicts(clean_values, dirty):
    """Marts are judged in two passes (GX's BOOLEAN_ONLY, then COMPLETE only if an
    expectation fails): the same findings as one COMPLETE pass, on a clean and a dirty frame."""
    frame = set_cell(clean_values, "B", "granted", "total", 5) if dirty else clean_values
    one_pass, result = judge(frame)
    two_pass, rare = judge(frame, rare_failures=True)
    assert two_pass.equals(one_pass) and len(one_pass) == (2 if dirty else 0)
    assert [(o.meta["rule_id"], o.success, len(o.unexpected)) for o in rare.outcomes] == [
        (o.meta["rule_id"], o.success, len(o.unexpected)) for o in result.outcomes]


def test_reports_with_the_same_failing_numbers_each_get_their_finding(clean_values):
    """GX judges each distinct (rule, expected, actual) once; every check of a failing case is
    a finding of its own report, and the result counts checks, not cases."""
    from orchestration.quality.render import validation_html

    dirty = set_cell(clean_values, "B", "granted", "total", 5)
    frame = pd.concat([dirty.assign(report_id=rid) for rid in ("r-a", "r-b", "r-c")]
                      + [clean_values.assign(report_id="r-clean")], ignore_index=True)
    findings, result = judge(frame)
    assert sorted(map(tuple, findings[["report_id", "rule_id", "row_code"]].values.tolist())) == [
        (rid, rule, row) for rid in ("r-a", "r-b", "r-c") for rule, row in (("R1", "granted"), ("R3", "results_total"))]
    r1 = next(o for o in result.result_json["results"] if o["expectation_config"]["meta"]["rule_id"] == "R1")
    assert r1["result"]["unexpected_count"] == 1  # one case: 0 + ... + 0 = 0 ≠ 5
    assert result.result_json["checks_by_rule"]["R1"] == {"evaluated": 4 * 25, "failed": 3}
    assert "<td>未通过 FAIL</td><td>3</td>" in validation_html(result.result_json, "t")


@pytest.mark.parametrize(("expectation", "error"), [
    ({"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["a", "b"]}}, "against other rows"),
    ({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a", "mostly": 0.9}}, "mostly"),
])
def test_only_row_wise_suites_are_judged_per_distinct_case(tmp_path, monkeypatch, expectation, error):
    from orchestration.quality import gate

    assert gate.row_wise_columns("report_invariants")[:4] == ("R1_expected", "R1_actual", "R2_expected", "R2_actual")
    monkeypatch.setattr(gate, "EXPECTATIONS_DIR", tmp_path)
    (tmp_path / "s.json").write_text(json.dumps({"name": "s", "expectations": [expectation]}), encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        gate.row_wise_columns("s")


def test_each_rule_reads_its_own_columns():
    """The suite reads <rule>_expected and <rule>_actual: a check fills its own rule's pair only,
    so a failing R1 case is not an R3 failure, and a column of another shape is refused."""
    import duckdb

    from orchestration.quality.findings import rule_columns

    con = duckdb.connect()
    con.register("checks", pd.DataFrame({"rule_id": ["R1", "R3"], "expected": [5.0, 0.0], "actual": [4.0, 0.0]}))
    wide = con.sql(f"select {rule_columns(('R1_expected', 'R1_actual', 'R3_actual'))} from checks").fetchall()
    assert wide == [(5.0, 4.0, None), (None, None, 0.0)]
    for column in ("expected", "R1_total", "r1_actual", "R1; drop table x_actual"):
        with pytest.raises(ValueError, match="<rule>_expected or <rule>_actual"):
            rule_columns((column,))


def test_gx_names_the_failing_cases_by_their_values():
    """The gate asks GX for the failing values of each expectation's columns (result format
    BASIC), not their row indices: on distinct cases they name the same rows."""
    import numpy as np

    from orchestration.quality.gate import row_wise_columns, run_suite

    cases = pd.DataFrame({c: [np.nan] * 4 for c in row_wise_columns("report_invariants")})
    cases["R1_expected"], cases["R1_actual"] = [0.0, 5.0, 7.0, np.nan], [0.0, 4.0, 7.5, np.nan]
    cases["R2_expected"], cases["R2_actual"] = [np.nan, np.nan, np.nan, 3.0], [np.nan, np.nan, np.nan, 3.0]
    by_value = run_suite("report_invariants", cases, unexpected="values")
    by_row = run_suite("report_invariants", cases)
    r1_value, r1_row = (next(o for o in r.outcomes if o.meta["rule_id"] == "R1") for r in (by_value, by_row))
    assert r1_value.unexpected.values.tolist() == [[5.0, 4.0], [7.0, 7.5]]
    assert r1_row.unexpected[["R1_expected", "R1_actual"]].values.tolist() == [[5.0, 4.0], [7.0, 7.5]]
    assert [o.success for o in by_value.outcomes] == [o.success for o in by_row.outcomes]
    assert not by_value.success and sum(not o.success for o in by_value.outcomes) == 1


def test_an_expectation_gx_cannot_evaluate_fails_loudly():
    """An expectation whose column is missing has 'failed' without a failing row: passing it
    on would let every check of its rule through, so the suite raises instead."""
    from orchestration.quality.gate import GXSuiteError, run_suite

    frame = pd.DataFrame({"R1_expected": [1.0], "R1_actual": [1.0]})
    for unexpected in ("rows", "values"):
        with pytest.raises(GXSuiteError, match='R2_expected.*does not exist'):
            run_suite("report_invariants", frame, unexpected=unexpected)
    with pytest.raises(GXSuiteError, match="could not be evaluated"):
        run_suite("report_invariants", frame, rare_failures=True)


def test_details_find_each_check_by_its_case_not_by_its_report(clean_values):
    """The details step reruns the checks over the reports with a failed case and keeps the
    checks of the failed cases: handed every report, it finds the same findings, and a report
    without a failed case gets none."""
    import pyarrow as pa

    from orchestration.quality.findings import _details

    frame = pd.concat([set_cell(clean_values, "B", "granted", "total", 5).assign(report_id="r-bad"),
                       clean_values.assign(report_id="r-clean")], ignore_index=True)
    findings, _ = judge(frame)
    failed = findings[["rule_id", "expected", "actual", "severity"]].drop_duplicates(ignore_index=True)
    widened = _details(failed, pa.chunked_array([["r-bad", "r-clean"]]), frame, None, None)
    assert widened.equals(findings) and set(findings.report_id) == {"r-bad"} and len(findings) == 2
