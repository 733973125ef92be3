"""Findings: what failed, where, and what the numbers are, worded for the agency's clerk."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa

from ..reports import form
from ..reports.model import Finding
from ..warehouse import FINDING_COLUMNS, frame, scratch
from .gate import SuiteResult, row_wise_columns, run_suite
from .invariants import Inputs, checks_query

SUITE = "report_invariants"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def message(rule: str, table: str, row: str, column: str, expected: float, actual: float,
            raw_text: str | None = None) -> str:
    row_label = form.row_label(table, row)
    col_label = form.column_label(table, column)
    if rule == "R1":
        return f"R1 表三「{row_label}」行：「总计」栏为 {_num(actual)}，但六类申请人之和为 {_num(expected)}"
    if rule == "R2":
        return (f"R2 表三「{col_label}」列：第三项（七）总计 + 第四项结转下年度 = {_num(actual)}，"
                f"但第一项本年新收 + 第二项上年结转 = {_num(expected)}")
    if rule == "R3":
        return f"R3 表三「{col_label}」列：（七）总计为 {_num(actual)}，但各项办理结果之和为 {_num(expected)}"
    if rule == "R4":
        return (f"R4 表四「{row_label}」：总计为 {_num(actual)}，"
                f"但结果维持 + 结果纠正 + 其他结果 + 尚未审结 = {_num(expected)}")
    if rule == "S1":
        return f"S1 报告年度为 {_num(actual)}，不在 2019 至今年之间（请核对标题中的年度）"
    if rule == "S2":
        return (f"S2 乡镇、街道不能制定规章，但表二「规章」行「{col_label}」栏为 {_num(actual)}"
                "（请核对是否应填在「行政规范性文件」行）")
    if rule == "S3":
        return (f"S3 县级人民政府不能制定规章，但表二「规章」行「{col_label}」栏为 {_num(actual)}"
                "（请核对是否应填在「行政规范性文件」行）")
    if rule == "S4":
        return (f"S4 乡镇、街道本年新收政府信息公开申请 {_num(actual)} 件，远超乡镇、街道的通常数量"
                "（请核对是否填入了县、市的数字，或两个单元格被连在一起）")
    if rule == "R8":
        return (f"R8 正文所述「{raw_text}」为{_num(actual)}件，与表三「{row_label}」总计"
                f"{_num(expected)}件不一致")
    if rule == "R5":
        kind = "非负数" if column == "amount" else "非负整数"
        return f"R5 「{row_label}」行「{col_label}」栏为 {_num(actual)}，应为{kind}"
    return f"{rule} {row_label} {col_label}: {_num(actual)} ≠ {_num(expected)}"


# What a check's verdict depends on: the columns the suite reads are made of these.
CASE_KEYS = "rule_id, expected, actual"


def rule_columns(columns: tuple[str, ...]) -> str:
    """The select list, over checks, of the suite's ``columns``: each is ``<rule>_expected`` or
    ``<rule>_actual``, a check's number where the check is of that rule and missing elsewhere.
    A rule reads its own columns rather than filtering by rule_id: a GX row condition costs a
    pandas query per metric, which was half of GX's time (bench/RESULTS.md (4d))."""
    selects = []
    for column in columns:
        rule, _, number = column.rpartition("_")
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", rule) or number not in ("expected", "actual"):
            raise ValueError(f"suite {SUITE}: column {column!r} is not <rule>_expected or <rule>_actual")
        selects.append(f"case when rule_id = '{rule}' then {number} end as {column}")
    return ", ".join(selects)


def judge(values: Inputs, reports: Inputs | None = None, quotes: Inputs | None = None,
          rare_failures: bool = False) -> tuple[pd.DataFrame, SuiteResult]:
    """Evaluate every invariant over ``values`` (the sanity rules when ``reports`` is given,
    R8 when the narrative ``quotes`` are) and return the findings of the failed ones (columns
    FINDING_COLUMNS) with the GX result they came from. ``rare_failures``: see run_suite."""
    con, sql = checks_query(values, reports, quotes)
    try:
        # Only the numbers of every check are computed here; the cell, line, raw text and
        # arithmetic (strings: ~2/3 of the query's time) come afterwards for the checks GX fails.
        con.execute(f"create temp table checks as select report_id, rule_id, check_id, expected, actual "
                    f"from ({sql})")
        # A check's verdict depends only on its rule and numbers (the suite reads nothing else,
        # row_wise_columns), and most checks are alike (0 = 0): GX judges each distinct case
        # once (at 1,000 reports ~1,200 cases for 244,000 checks; bench/RESULTS.md (4b)).
        con.execute(f"create temp table cases as select (row_number() over (order by {CASE_KEYS}) - 1)::bigint "
                    f"as case_row, * from (select {CASE_KEYS}, count(*) as checks from checks group by all)")
        cases = frame(con, f"select case_row, {rule_columns(row_wise_columns(SUITE))} from cases order by case_row")
        result = run_suite(SUITE, cases, rare_failures)
        failed = [outcome.unexpected.assign(severity=outcome.meta["severity"])[["case_row", "severity"]]
                  for outcome in result.outcomes if not outcome.success and not outcome.unexpected.empty]
        con.register("failed", pd.concat(failed, ignore_index=True) if failed
                     else pd.DataFrame({"case_row": pd.Series(dtype="int64"), "severity": pd.Series(dtype=str)}))
        _count_checks(con, result)
        if not failed:
            return pd.DataFrame(columns=FINDING_COLUMNS), result
        matches = " and ".join(f"c.{k} is not distinct from k.{k}" for k in CASE_KEYS.split(", "))
        failed_checks = con.execute(f"select distinct c.report_id, c.check_id, c.expected, c.actual, f.severity "
                                    f"from checks c join cases k on {matches} "
                                    f"join failed f using (case_row)").df()
    finally:
        con.close()
    return _details(failed_checks, values, reports, quotes), result


def _count_checks(con, result: SuiteResult) -> None:
    """GX counted distinct cases; the result also gets, per rule, the checks evaluated and failed
    (``checks_by_rule``), which is what the run's result page shows."""
    counts = con.execute("select k.rule_id::varchar, sum(k.checks)::bigint, "
                         "coalesce(sum(k.checks) filter (where f.case_row is not null), 0)::bigint "
                         "from cases k left join failed f using (case_row) group by all order by 1").fetchall()
    result.result_json["checks_by_rule"] = {rule: {"evaluated": n, "failed": bad} for rule, n, bad in counts}


def _details(failed_checks: pd.DataFrame, values: Inputs, reports: Inputs | None,
             quotes: Inputs | None) -> pd.DataFrame:
    """The findings of ``failed_checks`` (report_id, check_id, expected, actual, severity): the
    checks query again, over the reports with a failed check only, joined to them."""
    with scratch() as picker:
        picker.register("failing", failed_checks[["report_id"]].drop_duplicates())

        def of_failing(inputs: Inputs | None) -> pa.Table | None:
            if inputs is None:
                return None
            picker.register("inputs", inputs)
            return picker.sql("select * from inputs i where exists (select 1 from failing f "
                              "where f.report_id is not distinct from i.report_id)").to_arrow_table()

        failing_inputs = of_failing(values), of_failing(reports), of_failing(quotes)
    con, sql = checks_query(*failing_inputs)
    try:
        con.register("failed_checks", failed_checks)
        # expected and actual tell apart two checks of one report with one check_id (two
        # narrative quotes of the same row)
        bad = con.execute(f"select d.*, f.severity from ({sql}) d join failed_checks f "
                          "on d.report_id is not distinct from f.report_id and d.check_id = f.check_id "
                          "and d.expected is not distinct from f.expected and d.actual is not distinct from f.actual "
                          "order by d.report_id, d.rule_id, d.check_id").df()
    finally:
        con.close()
    bad["message"] = [
        message(r.rule_id, r.table_code, r.row_code, r.column_code, r.expected, r.actual, r.raw_text)
        for r in bad.itertuples()
    ]
    return bad[FINDING_COLUMNS].reset_index(drop=True)


def as_findings(frame: pd.DataFrame) -> list[Finding]:
    return [
        Finding(r.rule_id, r.severity, r.table_code, r.row_code, r.column_code,
                float(r.expected), float(r.actual), None if pd.isna(r.line) else int(r.line), r.message,
                r.arithmetic)
        for r in frame.itertuples()
    ]
