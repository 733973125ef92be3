-- The rows of the form (seed form_rows), each with the column group it uses.
-- Tables B and C use every column of their table (row_group 'all'); in table A the rows
-- use different columns (seed form_columns.row_group): documents (issued / repealed /
-- in_force), decisions (decisions) or fees (amount). form_rows does not carry that
-- grouping, so it is stated here, once, for the table-A rows of each form version (the
-- 2019-2020 form's table A has its own rows and columns: see orchestration/reports/form.py).
with form_rows as (
    select * from {{ ref('form_rows') }}
),

table_a_row_groups as (
    select form_version, row_code, row_group
    from (
        values
            ('2021', 'rules', 'documents'),
            ('2021', 'normative_documents', 'documents'),
            ('2021', 'licensing', 'decisions'),
            ('2021', 'penalty', 'decisions'),
            ('2021', 'coercion', 'decisions'),
            ('2021', 'fees', 'fees'),
            ('2019', 'rules', 'documents_2019'),
            ('2019', 'normative_documents', 'documents_2019'),
            ('2019', 'licensing', 'items_2019'),
            ('2019', 'other_services', 'items_2019'),
            ('2019', 'penalty', 'items_2019'),
            ('2019', 'coercion', 'items_2019'),
            ('2019', 'fees', 'fees_2019'),
            ('2019', 'procurement', 'procurement_2019')
    ) as groups (form_version, row_code, row_group)
),

grouped as (
    select
        form_rows.form_version,
        form_rows.table_code,
        form_rows.row_code,
        form_rows.position as row_position,
        form_rows.label_zh as row_label_zh,
        form_rows.label_en as row_label_en,
        case
            when form_rows.table_code = 'A' then table_a_row_groups.row_group
            else 'all'
        end as row_group
    from form_rows
    left join table_a_row_groups
        on form_rows.table_code = 'A'
        and form_rows.form_version = table_a_row_groups.form_version
        and form_rows.row_code = table_a_row_groups.row_code
)

select * from grouped
