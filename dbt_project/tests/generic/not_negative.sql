{#
    Column test: no value is below zero (NULLs, i.e. blank cells, pass). FORM.md R5.
#}
{% test not_negative(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0

{% endtest %}
