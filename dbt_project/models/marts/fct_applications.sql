{{ config(
    materialized='incremental',
    tags=['year_partitioned'],
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_run_scope(rebuilt_only=true) }}"
) }}

-- Table B (收到和处理政府信息公开申请情况) of accepted reports:
-- one row per report x row x applicant column.
-- Only the current version of each agency-year (int_report_versions.is_current).
-- Incremental by report: a monthly run (XXGK_SCOPE_RUN) deletes and re-inserts the reports
-- of the agency-years it rebuilds (macros/run_scope.sql); a full run, every report.
with accepted as (
    select report_id from {{ ref('int_report_versions') }}
    where is_current
      and {{ in_run_scope('report_id', rebuilt_only=true) }}
),

table_b as (
    select * from {{ ref('int_values_labelled') }}
    where table_code = 'B'
      and {{ in_run_scope('report_id', rebuilt_only=true) }}
),

final as (
    select
        cast(table_b.report_id as varchar)       as report_id,
        cast(table_b.agency as varchar)          as agency,
        cast(table_b.year as integer)            as year,
        cast(table_b.row_code as varchar)        as row_code,
        cast(table_b.row_label_zh as varchar)    as row_label_zh,
        cast(table_b.row_position as integer)    as row_position,
        cast(table_b.column_code as varchar)     as column_code,
        cast(table_b.column_label_zh as varchar) as column_label_zh,
        cast(table_b.value as bigint)            as application_count,
        cast(table_b.raw_text as varchar)        as raw_text,
        cast(table_b.source_line as integer)     as source_line
    from table_b
    inner join accepted
        on table_b.report_id = accepted.report_id
    order by table_b.report_id, table_b.row_position, table_b.column_position
)

select * from final
