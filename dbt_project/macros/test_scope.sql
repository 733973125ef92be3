{#-
  Test scope of a monthly run. Dagster passes, beside `report_years`, the years whose rows
  this run's tests may skip: `--vars '{"settled_years": [2019, 2020, ...]}'`. A year is
  settled when every gate (these tests, the GX mart checks) last passed on it, the checks
  did not change and no report of it arrived since; it is not one of the run's years or the
  year after one (orchestration/quality/checked_years.py keeps that record, in
  quality.checked_years). Without the var (a full run) every test reads every row.

  Which relations: models whose rows each belong to one report year name that column in
  `meta: {report_year_column: year}` (the facts, fct_findings, int_values_labelled,
  int_findings_described). A generic test on such a model reads
  `(select * from <model> where <its where config, if any> and (year is null or year not in
  (<settled>))) dbt_subquery`: rows of no year, or of a year outside the partitions, are
  always tested. This is dbt's documented hook for custom test filters (the `where`
  config's "custom logic": overriding `get_where_subquery`); a `where` config alone cannot
  call a macro or read the tested model's meta.
-#}

{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set scope = report_year_test_scope() -%}
    {%- if where and scope -%}
        {%- set where = '(' ~ where ~ ') and ' ~ scope -%}
    {%- elif scope -%}
        {%- set where = scope -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}


{% macro report_year_test_scope() -%}
    {#- the predicate skipping the settled years, for a test on a year-shaped model; else none -#}
    {%- set settled = year_list_var('settled_years') -%}
    {%- if settled is none or not execute or model.attached_node is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) -%}
    {%- set column = tested.config.meta.get('report_year_column') if tested else none -%}
    {%- if not column -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return('(' ~ column ~ ' is null or ' ~ column ~ ' not in (' ~ settled | join(', ') ~ '))') }}
{%- endmacro %}
