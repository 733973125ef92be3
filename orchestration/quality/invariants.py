"""FORM.md invariants R1-R5 and R8 and the sanity rules S1-S4 as data, and the one SQL
query that evaluates them.

Each check is "sum(lhs cells) = sum(rhs cells)" over cells of one report; the query turns a
long table of values (report_id, table_code, row_code, column_code, value, raw_text, line)
into one row per report and check with ``expected`` (rhs), ``actual`` (lhs) and
``arithmetic``, the check written out with the report's own numbers ("3 + 0 + 1 = 4 ≠ 5")
for the findings mart and the feedback documents. The GX suites then decide which rows pass.
R5 ("every count is a non-negative integer, fees a non-negative amount"; the old form's
signed 本年增/减 only an integer) compares each value with the nearest valid value.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import duckdb
import pandas as pd
import pyarrow as pa

from ..reports import form
from ..warehouse import scratch

OUTCOME_ROWS = tuple(s.row for s in form.rows("B"))[2:23]  # granted ... other_other
# The 2019-2020 form prints 三（六）其他处理 as one row (read as other_other): its two
# sub-rows are absent there, and R3 must still add up the rows the report has.
OPTIONAL_TERMS = {("B", "other_overdue_correction"), ("B", "other_unpaid_fee")}


@cache
def terms() -> pd.DataFrame:
    """Every term of every check: rule_id, check_id, side, table_code, row_code, column_code,
    the check's target cell (the printed total a clerk would correct) and whether the cell
    must be present for the check to be evaluated."""
    out: list[tuple[str, str, str, str, str, str, str, str, bool, int]] = []
    b_cols = [c.column for c in form.columns("B")]
    parts, total = b_cols[:-1], b_cols[-1]

    def add(rule, check, target_row, target_col, table, lhs, rhs):
        for side, cells in (("lhs", lhs), ("rhs", rhs)):
            for position, (row, col) in enumerate(cells):
                required = (table, row) not in OPTIONAL_TERMS
                out.append((rule, check, side, table, row, col, target_row, target_col, required,
                            position))

    for spec in form.rows("B"):
        add("R1", f"R1:{spec.row}", spec.row, total, "B",
            [(spec.row, total)], [(spec.row, c) for c in parts])
    for col in b_cols:
        add("R2", f"R2:{col}", "results_total", col, "B",
            [("results_total", col), ("carried_forward", col)],
            [("new_received", col), ("carried_over", col)])
        add("R3", f"R3:{col}", "results_total", col, "B",
            [("results_total", col)], [(row, col) for row in OUTCOME_ROWS])
    c_cols = [c.column for c in form.columns("C")]
    for spec in form.rows("C"):
        add("R4", f"R4:{spec.row}", spec.row, c_cols[-1], "C",
            [(spec.row, c_cols[-1])], [(spec.row, c) for c in c_cols[:-1]])
    return pd.DataFrame(out, columns=["rule_id", "check_id", "side", "table_code", "row_code",
                                      "column_code", "target_row", "target_column", "required",
                                      "position"])


@cache
def value_type_frame() -> pd.DataFrame:
    types = form.value_types()
    return pd.DataFrame([(t, c, v) for (t, c), v in sorted(types.items())],
                        columns=["table_code", "column_code", "value_type"])


# A number as a clerk writes it: 12, not 12.0; a blank cell as 空.
NUMBER_TEXT = """case when {x} is null then '空'
     when {x} = floor({x}) and abs({x}) < 1e15 then cast(cast({x} as bigint) as varchar)
     else cast({x} as varchar) end"""

# A check is evaluated only when every one of its required cells is present in the report (a
# partial report is not accused of breaking a sum over cells it never printed) and at least
# one is not blank; blank cells count as 0 in the sums (they carry a P1 finding of their own).
CHECKS_SQL = """
with term_counts as (
    select check_id, count(*) filter (where required) as n_terms from terms group by check_id
),
joined as (
    select v.report_id, t.rule_id, t.check_id, t.side, t.table_code, t.target_row,
           t.target_column, t.required, v.value,
           (t.row_code = t.target_row and t.column_code = t.target_column) as is_target,
           v.line, v.raw_text, t.position, {v_value_text} as value_text
    from terms t
    join "values" v using (table_code, row_code, column_code)
),
equations as (
    select report_id, rule_id, check_id,
           any_value(table_code) as table_code,
           any_value(target_row) as row_code,
           any_value(target_column) as column_code,
           sum(coalesce(value, 0)) filter (where side = 'rhs') as expected,
           sum(coalesce(value, 0)) filter (where side = 'lhs') as actual,
           max(line) filter (where is_target) as line,
           max(raw_text) filter (where is_target) as raw_text,
           count(*) filter (where required) as n_present,
           count(value) as n_filled,
           string_agg(value_text, ' + ' order by position) filter (where side = 'rhs') as rhs_text,
           count(*) filter (where side = 'rhs') as rhs_terms,
           string_agg(value_text, ' + ' order by position) filter (where side = 'lhs') as lhs_text,
           count(*) filter (where side = 'lhs') as lhs_terms
    from joined
    group by report_id, rule_id, check_id
),
sums as (
    select e.report_id, e.rule_id, e.check_id, e.table_code, e.row_code, e.column_code,
           e.expected::double as expected, e.actual::double as actual, e.line, e.raw_text,
           e.rhs_text || case when e.rhs_terms > 1 then ' = ' || {expected_text} else '' end
           || ' ≠ ' || e.lhs_text
           || case when e.lhs_terms > 1 then ' = ' || {actual_text} else '' end as arithmetic
    from equations e join term_counts c using (check_id)
    where e.n_present = c.n_terms and e.n_filled > 0
),
signs as (
    select v.report_id, 'R5' as rule_id,
           'R5:' || v.table_code || ':' || v.row_code || ':' || v.column_code as check_id,
           v.table_code, v.row_code, v.column_code,
           case coalesce(t.value_type, 'count')
                when 'amount' then greatest(v.value, 0)
                when 'signed' then round(v.value)
                else greatest(round(v.value), 0) end::double as expected,
           v.value::double as actual, v.line, v.raw_text,
           {v_value_text} || case coalesce(t.value_type, 'count')
                when 'amount' then ' 不是非负数'
                when 'signed' then ' 不是整数'
                else ' 不是非负整数' end as arithmetic
    from "values" v left join value_types t using (table_code, column_code)
    where v.value is not null
)
select * from sums
union all
select * from signs
{extra}
"""

# Sanity rules need the report's metadata, so they run where reports are known (the per-report
# gate and `xxgk check`), not on the marts. The agency's level is read from its name.
# S1: the year must lie in 2019..this year (the form exists since 2019; a later year is a
#     misread or a typo).
# S2: townships and street offices cannot make 规章 (rules).
# S3: nor can county-level governments (县, 市辖区, 旗): under the Legislation Law only the
#     State Council's departments, provinces and cities with districts make 规章. A county-level
#     city (县级市) cannot be told from a prefecture-level one by its name, so it is not judged.
# S4: a township or street office with 1,000 or more new applications in a year: far beyond
#     what townships receive; usually the county's or city's figures, or two cells read as one.
# Each is "expected = actual" like the sums, with expected the nearest plausible value.
TOWNSHIP_PATTERN = r"(镇|乡|街道|街道办事处|苏木)(人民政府|政府)?$"
COUNTY_PATTERN = r"(县|区|旗)(人民政府|政府)$"
NOT_COUNTY_PATTERN = r"(自治区|行政区)(人民政府|政府)$"  # autonomous regions are provinces
TOWNSHIP_MAX_APPLICATIONS = 1000

SANITY_SQL = """
union all
select report_id, 'S1' as rule_id, 'S1:year' as check_id, null as table_code, null as row_code,
       null as column_code, least(greatest(year, 2019), {current_year})::double as expected,
       year::double as actual, null as line, null as raw_text,
       year || ' 不在 2019–{current_year} 之间' as arithmetic
from reports where year is not null
union all
select v.report_id, s.rule_id, s.rule_id || ':' || v.column_code as check_id, v.table_code,
       v.row_code, v.column_code, 0::double as expected, v.value::double as actual, v.line,
       v.raw_text, '规章 ' || {v_value_text} || ' ≠ 0' as arithmetic
from "values" v
join (select report_id,
             case when regexp_matches(agency, '{township}') then 'S2'
                  when regexp_matches(agency, '{county}')
                       and not regexp_matches(agency, '{not_county}') then 'S3' end as rule_id
      from reports) s using (report_id)
where s.rule_id is not null
  and v.table_code = 'A' and v.row_code = 'rules'
  and v.column_code in ('issued', 'in_force', 'made', 'total_public')
  and v.value is not null
union all
select v.report_id, 'S4' as rule_id, 'S4:new_received' as check_id, v.table_code, v.row_code,
       v.column_code, least(v.value, {township_max} - 1)::double as expected,
       v.value::double as actual, v.line, v.raw_text,
       {v_value_text} || ' ≥ {township_max}' as arithmetic
from "values" v join reports r using (report_id)
where v.table_code = 'B' and v.row_code = 'new_received' and v.column_code = 'total'
  and v.value is not null and regexp_matches(r.agency, '{township}')
"""


# R8: every count of table B the narrative quotes (raw.narrative_quotes, read by
# orchestration/reports/narrative.py) against the table's total of that row; a quote whose
# row the table leaves blank or lacks is not judged.
NARRATIVE_SQL = """
union all
select q.report_id, 'R8' as rule_id, 'R8:' || q.row_code as check_id, 'B' as table_code,
       q.row_code, 'total' as column_code, v.value::double as expected,
       q.quoted::double as actual, q.line, q.quote_text as raw_text,
       '正文 ' || {q_value_text} || ' ≠ 表三 ' || {v_value_text} as arithmetic
from quotes q
join "values" v on v.report_id = q.report_id and v.table_code = 'B'
     and v.row_code = q.row_code and v.column_code = 'total'
where v.value is not null
"""


# The inputs of the checks: pandas frames or Arrow tables (DuckDB reads either in place).
Inputs = pd.DataFrame | pa.Table


def checks_query(values: Inputs, reports: Inputs | None = None,
                 quotes: Inputs | None = None) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A connection to the process's in-memory DuckDB (``warehouse.scratch``) holding the
    inputs, and the checks query over them: R1-R5, the sanity rules S1-S4 when ``reports``
    (report_id, agency, year) is given, R8 when ``quotes`` (raw.narrative_quotes) is, in no
    particular order (sorting every check doubled the cost of the gate's first step). The
    caller closes the connection."""
    con = scratch()
    con.register("terms", terms())
    con.register("value_types", value_type_frame())
    con.register("values", values)
    texts = {"v_value_text": NUMBER_TEXT.format(x="v.value"),
             "expected_text": NUMBER_TEXT.format(x="e.expected"),
             "actual_text": NUMBER_TEXT.format(x="e.actual"),
             "q_value_text": NUMBER_TEXT.format(x="q.quoted")}
    extra = ""
    if reports is not None:
        con.register("reports", reports)
        extra = SANITY_SQL.format(current_year=date.today().year, township=TOWNSHIP_PATTERN,
                                  county=COUNTY_PATTERN, not_county=NOT_COUNTY_PATTERN,
                                  township_max=TOWNSHIP_MAX_APPLICATIONS, **texts)
    if quotes is not None:
        con.register("quotes", quotes)
        extra += NARRATIVE_SQL.format(**texts)
    return con, CHECKS_SQL.format(extra=extra, **texts)
