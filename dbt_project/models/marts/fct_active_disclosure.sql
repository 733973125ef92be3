{{ config(
    materialized='incremental',
    tags=['year_partitioned'],
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_run_scope(rebuilt_only=true) }}"
) }}

-- Table A (主动公开政府信息情况) of accepted reports: one row per report x row x measure.
-- Counts of documents and decisions, and fees in 万元 (decimal), all as DOUBLE.
-- Only the current version of each agency-year (int_report_versions.is_current).
-- Incremental by report: a monthly run (XXGK_SCOPE_RUN) deletes and re-inserts the reports
-- of the agency-years it rebuilds (macros/run_scope.sql); a full run, every report.
with accepted as (
    select report_id from {{ ref('int_report_versions') }}
    where is_current
      and {{ in_run_scope('report_id', rebuilt_only=true) }}
),

table_a as (
    select * from {{ ref('int_values_labelled') }}
    where table_code = 'A'
      and {{ in_run_scope('report_id', rebuilt_only=true) }}
),

final as (
    select
        cast(table_a.report_id as varchar)       as report_id,
        cast(table_a.agency as varchar)          as agency,
        cast(table_a.year as integer)            as year,
        cast(table_a.row_code as varchar)        as row_code,
        cast(table_a.row_label_zh as varchar)    as row_label_zh,
        cast(table_a.column_code as varchar)     as measure,
        cast(table_a.column_label_zh as varchar) as measure_label_zh,
        cast(table_a.value as double precision) as value,
        cast(table_a.raw_text as varchar)        as raw_text,
        cast(table_a.source_line as integer)     as source_line
    from table_a
    inner join accepted
        on table_a.report_id = accepted.report_id
    order by table_a.report_id, table_a.row_position, table_a.column_position
)

select * from final
