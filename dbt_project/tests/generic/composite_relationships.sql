{#
    Model-level test: every combination of `columns` (all non-null) exists as the
    combination of `to_columns` (same order; defaults to the same names) in `to`.
    The many-column form of dbt's `relationships`, e.g. a cell (table_code, row_code,
    column_code) must be a cell of the form:

        data_tests:
          - composite_relationships:
              arguments:
                to: ref('int_form_cells')
                columns: [table_code, row_code, column_code]
#}
{% test composite_relationships(model, to, columns, to_columns=none) %}

{%- set to_columns = to_columns or columns -%}
{%- if to_columns | length != columns | length -%}
    {{ exceptions.raise_compiler_error(
        "composite_relationships: columns and to_columns differ in length") }}
{%- endif %}

with child as (
    select distinct {{ columns | join(', ') }}
    from {{ model }}
    where
    {%- for column in columns %}
        {{ column }} is not null{% if not loop.last %} and{% endif %}
    {%- endfor %}
),

parent as (
    select distinct
    {%- for column in to_columns %}
        {{ column }} as parent_{{ loop.index }}{% if not loop.last %},{% endif %}
    {%- endfor %}
    from {{ to }}
)

select child.*
from child
left join parent
    on
    {%- for column in columns %}
        child.{{ column }} = parent.parent_{{ loop.index }}{% if not loop.last %} and{% endif %}
    {%- endfor %}
where parent.parent_1 is null

{% endtest %}
