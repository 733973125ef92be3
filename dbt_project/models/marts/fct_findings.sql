{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_run_scope() }}"
) }}

-- Every finding of every report, held and superseded ones included (the rules across years
-- R6/R7 too): which rule, which
-- table/row/column by its printed label, which values, and the failing arithmetic
-- (described in int_findings_described). Grain: report x finding_number.
-- Incremental by report: a monthly run (XXGK_SCOPE_RUN) derives again the findings of every
-- report in its scope, the next year's reports of the changed agencies included (their
-- R6/R7 findings compare with the changed report; macros/run_scope.sql); a full run, all.
with described as (
    select * from {{ ref('int_findings_described') }}
    where {{ in_run_scope('report_id') }}
),

final as (
    select
        cast(report_id as varchar)       as report_id,
        cast(finding_number as integer)  as finding_number,
        cast(agency as varchar)          as agency,
        cast(year as integer)            as year,
        cast(report_status as varchar)   as report_status,
        cast(report_version as integer)  as report_version,
        cast(rule_id as varchar)         as rule_id,
        cast(severity as varchar)        as severity,
        cast(rule_description_zh as varchar) as rule_description_zh,
        cast(table_code as varchar)      as table_code,
        cast(table_label_zh as varchar)  as table_label_zh,
        cast(table_heading_zh as varchar) as table_heading_zh,
        cast(row_code as varchar)        as row_code,
        cast(row_label_zh as varchar)    as row_label_zh,
        cast(column_code as varchar)     as column_code,
        cast(column_label_zh as varchar) as column_label_zh,
        cast(expected as double precision) as expected,
        cast(actual as double precision) as actual,
        cast(arithmetic_zh as varchar)   as arithmetic_zh,
        cast(source_line as integer)     as source_line,
        cast(raw_text as varchar)        as raw_text,
        cast(message as varchar)         as message,
        cast(compared_report_id as varchar) as compared_report_id
    from described
    order by report_id, finding_number
)

select * from final
