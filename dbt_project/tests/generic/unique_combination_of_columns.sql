{#
    Model-level test: no two rows share the same values of the given columns (the grain).
    Rows whose key columns are all equal, NULLs included, count as duplicates.

        data_tests:
          - unique_combination_of_columns:
              arguments:
                combination_of_columns: [report_id, row_code, column_code]
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as duplicates
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
