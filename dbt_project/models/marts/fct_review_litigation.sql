{{ config(
    materialized='incremental',
    tags=['year_partitioned'],
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_run_scope(rebuilt_only=true) }}"
) }}

-- Table C (行政复议、行政诉讼) of accepted reports: one row per report x group x measure.
-- Only the current version of each agency-year (int_report_versions.is_current).
-- Incremental by report: a monthly run (XXGK_SCOPE_RUN) deletes and re-inserts the reports
-- of the agency-years it rebuilds (macros/run_scope.sql); a full run, every report.
with accepted as (
    select report_id from {{ ref('int_report_versions') }}
    where is_current
      and {{ in_run_scope('report_id', rebuilt_only=true) }}
),

table_c as (
    select * from {{ ref('int_values_labelled') }}
    where table_code = 'C'
      and {{ in_run_scope('report_id', rebuilt_only=true) }}
),

final as (
    select
        cast(table_c.report_id as varchar)       as report_id,
        cast(table_c.agency as varchar)          as agency,
        cast(table_c.year as integer)            as year,
        cast(table_c.row_code as varchar)        as group_code,
        cast(table_c.row_label_zh as varchar)    as group_label_zh,
        cast(table_c.column_code as varchar)     as measure,
        cast(table_c.column_label_zh as varchar) as measure_label_zh,
        cast(table_c.value as bigint)            as case_count,
        cast(table_c.raw_text as varchar)        as raw_text,
        cast(table_c.source_line as integer)     as source_line
    from table_c
    inner join accepted
        on table_c.report_id = accepted.report_id
    order by table_c.report_id, table_c.row_position, table_c.column_position
)

select * from final
