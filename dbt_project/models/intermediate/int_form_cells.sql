-- The grid of the form: every cell (table, row, column) a report can fill, per form
-- version, with the labels of its row and column. A row meets the columns of its
-- row_group (int_form_rows), so 'total' is a cell of table B rows and of table C groups,
-- and 'amount' is a cell of the table-A row 'fees' only.
with form_rows as (
    select * from {{ ref('int_form_rows') }}
),

form_columns as (
    select * from {{ ref('form_columns') }}
),

cells as (
    select
        form_rows.form_version,
        form_rows.table_code,
        form_rows.row_code,
        form_rows.row_position,
        form_rows.row_label_zh,
        form_rows.row_label_en,
        form_rows.row_group,
        form_columns.column_code,
        form_columns.position as column_position,
        form_columns.label_zh as column_label_zh,
        form_columns.label_en as column_label_en,
        form_columns.value_type
    from form_rows
    left join form_columns
        on form_rows.table_code = form_columns.table_code
        and form_rows.row_group = form_columns.row_group
)

select * from cells
