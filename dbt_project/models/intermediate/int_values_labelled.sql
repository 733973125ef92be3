-- Every value of every parsed report (held ones included) with the report's header and
-- the labels of its cell. The labels come from the cell of the report's own form version
-- when the seeds have it, else from the latest form version that has the cell (e.g. a
-- 2019-form report's table B rows, which the 2021 form kept).
with report_values as (
    select * from {{ ref('stg_raw__values') }}
),

reports as (
    select * from {{ ref('stg_raw__reports') }}
),

cells as (
    select * from {{ ref('int_form_cells') }}
),

candidates as (
    select
        report_values.report_id,
        reports.agency,
        reports.year,
        reports.form_version,
        report_values.table_code,
        report_values.row_code,
        report_values.column_code,
        report_values.value,
        report_values.raw_text,
        report_values.source_line,
        cells.form_version as label_form_version,
        cells.row_position,
        cells.row_label_zh,
        cells.row_label_en,
        cells.row_group,
        cells.column_position,
        cells.column_label_zh,
        cells.column_label_en,
        cells.value_type,
        row_number() over (
            partition by
                report_values.report_id,
                report_values.table_code,
                report_values.row_code,
                report_values.column_code
            order by
                case when cells.form_version = reports.form_version then 0 else 1 end,
                cells.form_version desc
        ) as label_rank
    from report_values
    inner join reports
        on report_values.report_id = reports.report_id
    left join cells
        on report_values.table_code = cells.table_code
        and report_values.row_code = cells.row_code
        and report_values.column_code = cells.column_code
),

labelled as (
    select
        report_id,
        agency,
        year,
        form_version,
        table_code,
        row_code,
        column_code,
        value,
        raw_text,
        source_line,
        label_form_version,
        row_position,
        row_label_zh,
        row_label_en,
        row_group,
        column_position,
        column_label_zh,
        column_label_en,
        value_type
    from candidates
    where label_rank = 1
)

select * from labelled
