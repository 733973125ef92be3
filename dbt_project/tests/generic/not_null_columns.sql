{#
    Model test: none of `columns` is null, in one scan and one dbt node (a not_null test per
    column is a node each, and every node costs dbt ~0.05-0.1 s a run whatever the data; the
    marts' columns are NOT NULL constraints of their contracts instead). A failing row lists
    the columns that are null in it (null_columns) beside their values.
#}
{% test not_null_columns(model, columns) %}

select
    {% for column in columns -%}
    {{ column }},
    {% endfor -%}
    concat_ws(', '
        {%- for column in columns %}, case when {{ column }} is null then '{{ column }}' end{% endfor -%}
    ) as null_columns
from {{ model }}
where {% for column in columns -%}
    {{ column }} is null{% if not loop.last %} or {% endif %}
{%- endfor %}

{% endtest %}
