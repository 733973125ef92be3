{#-
  Year partitions. Dagster passes the years of a run as `--vars '{"report_years": [2023, 2024]}'`
  (its yearly partitions, from 2019); without the var a run covers every year.

  The year-shaped fact marts are incremental: the pre-hook deletes the run's years, then the
  model appends exactly those years again (`report_year_filter`). A year whose reports all
  became held or superseded is deleted and gets no rows back, so it is emptied, not left stale.
  A fact row depends only on reports of its own year (versions are per agency and year), so
  rebuilding one year never changes another.
-#}

{% macro report_years() -%}
    {{ return(year_list_var('report_years')) }}
{%- endmacro %}


{% macro year_list_var(name) -%}
    {#- the var `name` as a sorted list of integer years; none when unset or empty -#}
    {%- set years = var(name, none) -%}
    {%- if years is none or years == [] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if years is string -%}
        {%- set years = years.split(',') -%}
    {%- elif years is number -%}
        {%- set years = [years] -%}
    {%- endif -%}
    {%- set clean = [] -%}
    {%- for year in years -%}
        {#- integers only: the list is pasted into SQL -#}
        {%- do clean.append(year | string | trim | int) -%}
    {%- endfor -%}
    {{ return(clean | sort) }}
{%- endmacro %}


{% macro report_year_filter(column) -%}
    {%- set years = report_years() -%}
    {%- if years is none -%}
        true
    {%- else -%}
        {{ column }} in ({{ years | join(', ') }})
    {%- endif -%}
{%- endmacro %}


{% macro delete_report_years() -%}
    {#- pre-hook of an incremental fact: drop the rows of the years this run rebuilds -#}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ report_year_filter('year') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

