-- Every value of every parsed report (held ones included) with the report's header and
-- the labels of its cell. The labels come from the cell of the report's own form version
-- when the seeds have it, else from the latest form version that has the cell (e.g. a
-- 2019-form report's table B rows, which the 2021 form kept).
--
-- The choice depends only on the report's form version and the cell, so it is made once
-- over the small grid (form versions x cells) and then joined to the values: ranking the
-- values themselves sorted every value of the warehouse each time the view was read
-- (superlinear at 100k reports, RESULTS.md).
with report_values as (
    select * from {{ ref('stg_raw__values') }}
),

reports as (
    select * from {{ ref('stg_raw__reports') }}
),

cells as (
    select * from {{ ref('int_form_cells') }}
),

report_form_versions as (
    select distinct form_version from reports
),

ranked_labels as (
    select
        report_form_versions.form_version as report_form_version,
        cells.table_code,
        cells.row_code,
        cells.column_code,
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
                report_form_versions.form_version,
                cells.table_code,
                cells.row_code,
                cells.column_code
            order by
                case when cells.form_version = report_form_versions.form_version then 0 else 1 end,
                cells.form_version desc
        ) as label_rank
    from report_form_versions
    cross join cells
),

cell_labels as (
    select * from ranked_labels where label_rank = 1
),

labelled as (
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
        cell_labels.label_form_version,
        cell_labels.row_position,
        cell_labels.row_label_zh,
        cell_labels.row_label_en,
        cell_labels.row_group,
        cell_labels.column_position,
        cell_labels.column_label_zh,
        cell_labels.column_label_en,
        cell_labels.value_type
    from report_values
    inner join reports
        on report_values.report_id = reports.report_id
    left join cell_labels
        on reports.form_version is not distinct from cell_labels.report_form_version
        and report_values.table_code = cell_labels.table_code
        and report_values.row_code = cell_labels.row_code
        and report_values.column_code = cell_labels.column_code
)

select * from labelled
