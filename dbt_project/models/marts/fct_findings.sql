-- Every finding of every report, held ones included: which rule, which cell, which values.
-- Grain: report x finding_number (findings numbered in a stable order inside a report).
with findings as (
    select
        *,
        row_number() over (
            partition by report_id
            order by rule_id, table_code, row_code, column_code, source_line,
                expected, actual, message
        ) as finding_number
    from {{ ref('stg_quality__findings') }}
),

report_status as (
    select * from {{ ref('int_report_status') }}
),

form_rows as (
    select * from {{ ref('int_form_rows') }}
),

form_columns as (
    select * from {{ ref('form_columns') }}
),

-- the row's label from the report's own form version if the seeds have it, else the latest
with_row as (
    select
        findings.*,
        report_status.agency,
        report_status.year,
        report_status.status as report_status,
        form_rows.row_label_zh,
        form_rows.row_group,
        row_number() over (
            partition by findings.report_id, findings.finding_number
            order by
                case when form_rows.form_version = report_status.form_version then 0 else 1 end,
                form_rows.form_version desc
        ) as row_rank
    from findings
    left join report_status
        on findings.report_id = report_status.report_id
    left join form_rows
        on findings.table_code = form_rows.table_code
        and findings.row_code = form_rows.row_code
),

-- the column's label within the row's column group (or any group if no row is named)
with_column as (
    select
        with_row.*,
        form_columns.label_zh as column_label_zh,
        row_number() over (
            partition by with_row.report_id, with_row.finding_number
            order by
                case when form_columns.row_group in (with_row.row_group, 'all') then 0 else 1 end,
                form_columns.position
        ) as column_rank
    from with_row
    left join form_columns
        on with_row.table_code = form_columns.table_code
        and with_row.column_code = form_columns.column_code
    where with_row.row_rank = 1
),

final as (
    select
        cast(report_id as varchar)       as report_id,
        cast(finding_number as integer)  as finding_number,
        cast(agency as varchar)          as agency,
        cast(year as integer)            as year,
        cast(report_status as varchar)   as report_status,
        cast(rule_id as varchar)         as rule_id,
        cast(severity as varchar)        as severity,
        cast(table_code as varchar)      as table_code,
        cast(row_code as varchar)        as row_code,
        cast(row_label_zh as varchar)    as row_label_zh,
        cast(column_code as varchar)     as column_code,
        cast(column_label_zh as varchar) as column_label_zh,
        cast(expected as double precision) as expected,
        cast(actual as double precision) as actual,
        cast(source_line as integer)     as source_line,
        cast(raw_text as varchar)        as raw_text,
        cast(message as varchar)         as message
    from with_column
    where column_rank = 1
    order by report_id, finding_number
)

select * from final
