"""Findings: what failed, where, and what the numbers are, worded for the agency's clerk."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..reports import form
from ..reports.model import Finding
from ..warehouse import FINDING_COLUMNS, frame
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
# a check (or case) k of the failed case f
SAME_CASE = " and ".join(f"k.{key} is not distinct from f.{key}" for key in CASE_KEYS.split(", "))


def rule_columns(columns: tuple[str, ...]) -> str:
    """The select list, over checks, of the suite's ``columns``: each is ``<rule>_expected`` or
    ``<rule>_actual``, a check's number where the check is of that rule and missing elsewhere.
    A rule reads its own columns rather than filtering by rule_id: a GX row condition costs a
    pandas query per metric, which was half of GX's time (bench/RESULTS.md (4d))."""
    return ", ".join(f"case when rule_id = '{rule}' then {number} end as {column}"
                     for column, (rule, number) in zip(columns, map(_rule_column, columns)))


def _rule_column(column: str) -> tuple[str, str]:
    """``<rule>_expected`` or ``<rule>_actual`` as (rule, "expected" | "actual")."""
    rule, _, number = column.rpartition("_")
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", rule) or number not in ("expected", "actual"):
        raise ValueError(f"suite {SUITE}: column {column!r} is not <rule>_expected or <rule>_actual")
    return rule, number


def judge(values: Inputs, reports: Inputs | None = None, quotes: Inputs | None = None,
          rare_failures: bool = False) -> tuple[pd.DataFrame, SuiteResult]:
    """Evaluate every invariant over ``values`` (the sanity rules when ``reports`` is given,
    R8 when the narrative ``quotes`` are) and return the findings of the failed ones (columns
    FINDING_COLUMNS) with the GX result they came from. ``rare_failures``: see run_suite."""
    con, sql = checks_query(values, reports, quotes)
    try:
        # A check's verdict depends only on its rule and numbers (the suite reads nothing else,
        # row_wise_columns), and most checks are alike (0 = 0): GX judges each distinct case
        # once (at 1,000 reports ~1,200 cases for 244,000 checks; bench/RESULTS.md (4b)), and
        # names the failing ones by their numbers. Only the numbers are computed here, in one
        # pass: the cell, line, raw text and arithmetic (strings: ~2/3 of the query's time) come
        # afterwards, for the reports with a failed case (each case keeps its reports' ids).
        con.execute(f"create temp table cases as select {CASE_KEYS}, count(*) as checks, "
                    f"list(distinct report_id) as report_ids "
                    f"from (select report_id, {CASE_KEYS} from ({sql})) group by all")
        cases = frame(con, f"select {rule_columns(row_wise_columns(SUITE))} from cases")
        result = run_suite(SUITE, cases, rare_failures, unexpected="values")
        failed = _failed_cases(result)
        con.register("failed", failed)
        _count_checks(con, result)
        if result.success:
            return pd.DataFrame(columns=FINDING_COLUMNS), result
        failing = con.sql(f"select distinct unnest(k.report_ids) as report_id "
                          f"from cases k semi join failed f on {SAME_CASE}").to_arrow_table()["report_id"]
    finally:
        con.close()
    return _details(failed, failing, values, reports, quotes), result


def _failed_cases(result: SuiteResult) -> pd.DataFrame:
    """The failing cases (rule_id, expected, actual, severity), from each failed expectation's
    failing values: its two columns are one rule's expected and actual (rule_columns)."""
    failed = []
    for outcome in result.outcomes:
        if not outcome.success:
            named = {column: _rule_column(column) for column in outcome.unexpected.columns}
            rules = {rule for rule, _ in named.values()}
            if len(rules) != 1 or sorted(n for _, n in named.values()) != ["actual", "expected"]:
                raise ValueError(f"suite {SUITE}: an expectation must compare one rule's expected and "
                                 f"actual, not {list(named)}")
            (rule,) = rules
            failed.append(outcome.unexpected.rename(columns={c: n for c, (_, n) in named.items()})
                          .assign(rule_id=rule, severity=outcome.meta["severity"]))
    columns = [*CASE_KEYS.split(", "), "severity"]
    return (pd.concat(failed, ignore_index=True)[columns] if failed else
            pd.DataFrame({c: pd.Series(dtype="float64" if c in ("expected", "actual") else str) for c in columns}))


def _count_checks(con, result: SuiteResult) -> None:
    """GX counted distinct cases; the result also gets, per rule, the checks evaluated and failed
    (``checks_by_rule``), which is what the run's result page shows."""
    counts = con.execute(f"select k.rule_id::varchar, sum(k.checks)::bigint, "
                         f"coalesce(sum(k.checks) filter (where f.rule_id is not null), 0)::bigint "
                         f"from cases k left join failed f on {SAME_CASE} group by all order by 1").fetchall()
    result.result_json["checks_by_rule"] = {rule: {"evaluated": n, "failed": bad} for rule, n, bad in counts}


def _details(failed_cases: pd.DataFrame, failing: pa.ChunkedArray, values: Inputs, reports: Inputs | None,
             quotes: Inputs | None) -> pd.DataFrame:
    """The findings of ``failed_cases`` (rule_id, expected, actual, severity): the checks query
    again, over the ``failing`` reports only, each check found by its case."""
    con, sql = checks_query(*(_of_reports(inputs, failing) for inputs in (values, reports, quotes)))
    try:
        con.register("failed_cases", failed_cases)
        bad = con.execute(f"select k.*, f.severity from ({sql}) k join failed_cases f on {SAME_CASE} "
                          "order by k.report_id, k.rule_id, k.check_id").df()
    finally:
        con.close()
    bad["message"] = [
        message(r.rule_id, r.table_code, r.row_code, r.column_code, r.expected, r.actual, r.raw_text)
        for r in bad.itertuples()
    ]
    return bad[FINDING_COLUMNS].reset_index(drop=True)


def _of_reports(inputs: Inputs | None, report_ids: pa.ChunkedArray) -> Inputs | None:
    if inputs is None:
        return None
    if isinstance(inputs, pa.Table):
        return inputs.filter(pc.is_in(inputs["report_id"], value_set=report_ids.combine_chunks()))
    return inputs[inputs["report_id"].isin(report_ids.to_pylist())]


def as_findings(frame: pd.DataFrame) -> list[Finding]:
    return [
        Finding(r.rule_id, r.severity, r.table_code, r.row_code, r.column_code,
                float(r.expected), float(r.actual), None if pd.isna(r.line) else int(r.line), r.message,
                r.arithmetic)
        for r in frame.itertuples()
    ]
