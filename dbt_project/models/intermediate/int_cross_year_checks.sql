{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_run_scope() }}"
) }}

-- FORM.md's rules across years, R6 and R7: each current report against the current report of
-- the same agency (agency_key) for the year before. One row per comparison, in the shape of
-- the per-report checks: expected = what last year's report implies, actual = what this
-- year's prints, and the arithmetic written out with both reports' numbers. The GX suite
-- expectations/cross_year_invariants.json judges them (an asset check on this model, warning
-- severity: the numbers cannot tell which year is wrong); int_findings_described turns the
-- failing ones into findings.
-- A table, incremental by the later report like fct_findings: a monthly run (XXGK_SCOPE_RUN)
-- compares again the reports in its scope (the changed agency-years and those agencies'
-- next-year reports, macros/run_scope.sql); as a view, every read compared all ~670k pairs
-- of cells of a national warehouse (2.5-3 s for fct_findings and each of its tests).
with current_reports as (
    select report_id, agency_key, year
    from {{ ref('int_report_versions') }}
    where is_current and agency_key is not null and year is not null
),

pairs as (
    select cur.report_id, prev.report_id as previous_report_id
    from current_reports as cur
    inner join current_reports as prev
        on prev.agency_key = cur.agency_key and prev.year = cur.year - 1
    where {{ in_run_scope('cur.report_id') }}
),

-- Only the cells the two rules compare, of the paired reports, read once: inlined into
-- each of the six joins below, the CTE scanned every value of the warehouse six times
-- (2.6 s for a monthly run's few hundred pairs at 100k reports).
report_values as materialized (
    select report_id, table_code, row_code, column_code, value, raw_text, source_line
    from {{ ref('stg_raw__values') }}
    where value is not null
        and (
            (table_code = 'B' and row_code in ('carried_over', 'carried_forward'))
            or (table_code = 'A' and column_code in ('in_force', 'issued', 'repealed'))
        )
        and report_id in (
            select report_id from pairs
            union
            select previous_report_id from pairs
        )
),

-- R6: carried_over (Y) = carried_forward (Y-1), every column of table B.
r6 as (
    select
        pairs.report_id,
        pairs.previous_report_id,
        'R6' as rule_id,
        'B' as table_code,
        cur.row_code,
        cur.column_code,
        prev.value as expected,
        cur.value as actual,
        cur.source_line,
        cur.raw_text,
        '上年度结转下年度 ' || {{ number_text('prev.value') }}
            || ' ≠ 本年上年结转 ' || {{ number_text('cur.value') }} as arithmetic
    from pairs
    inner join report_values as cur
        on cur.report_id = pairs.report_id
        and cur.table_code = 'B' and cur.row_code = 'carried_over'
    inner join report_values as prev
        on prev.report_id = pairs.previous_report_id
        and prev.table_code = 'B' and prev.row_code = 'carried_forward'
        and prev.column_code = cur.column_code
),

-- R7: in_force (Y) = in_force (Y-1) + issued (Y) - repealed (Y), for rules and normative
-- documents (2021 form measures in both years).
r7 as (
    select
        pairs.report_id,
        pairs.previous_report_id,
        'R7' as rule_id,
        'A' as table_code,
        in_force.row_code,
        in_force.column_code,
        previous_in_force.value + issued.value - repealed.value as expected,
        in_force.value as actual,
        in_force.source_line,
        in_force.raw_text,
        {{ number_text('previous_in_force.value') }} || ' + ' || {{ number_text('issued.value') }}
            || ' - ' || {{ number_text('repealed.value') }} || ' = '
            || {{ number_text('previous_in_force.value + issued.value - repealed.value') }}
            || ' ≠ ' || {{ number_text('in_force.value') }} as arithmetic
    from pairs
    inner join report_values as in_force
        on in_force.report_id = pairs.report_id
        and in_force.table_code = 'A' and in_force.column_code = 'in_force'
    inner join report_values as issued
        on issued.report_id = pairs.report_id and issued.table_code = 'A'
        and issued.row_code = in_force.row_code and issued.column_code = 'issued'
    inner join report_values as repealed
        on repealed.report_id = pairs.report_id and repealed.table_code = 'A'
        and repealed.row_code = in_force.row_code and repealed.column_code = 'repealed'
    inner join report_values as previous_in_force
        on previous_in_force.report_id = pairs.previous_report_id
        and previous_in_force.table_code = 'A'
        and previous_in_force.row_code = in_force.row_code
        and previous_in_force.column_code = 'in_force'
)

select
    cast(report_id as varchar) as report_id,
    cast(previous_report_id as varchar) as previous_report_id,
    cast(rule_id as varchar) as rule_id,
    cast(rule_id || ':' || table_code || ':' || row_code || ':' || column_code as varchar) as check_id,
    cast(table_code as varchar) as table_code,
    cast(row_code as varchar) as row_code,
    cast(column_code as varchar) as column_code,
    cast(expected as double precision) as expected,
    cast(actual as double precision) as actual,
    cast(source_line as integer) as source_line,
    cast(raw_text as varchar) as raw_text,
    cast(arithmetic as varchar) as arithmetic
from (select * from r6 union all select * from r7) as checks
