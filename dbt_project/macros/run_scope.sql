{#-
  The scope of a monthly run. Dagster fixes, before dbt starts, which reports the run rebuilds
  and tests (orchestration/quality/checked_years.py): it writes them to quality.run_scope
  (run_id, report_id, rebuild) and runs dbt with XXGK_SCOPE_RUN=<run id> in its environment.
  Without it (a full run, or `dbt build` by hand) every model covers every report and every
  test reads every row.

  The run id is an environment variable read only at execution time (`execute`), not a var:
  dbt keeps no record of it in its parse state, so every run reuses the partial parse of the
  project (a var that changes with every run makes dbt parse the whole project again, ~4 s).

  - rebuild = true: the changed agency-years (every version), every report of a year that
    must be tested whole, files of no report year;
  - rebuild = false: those agencies' reports of the next year, whose cross-year findings
    (R6/R7) compare with a rebuilt report: re-derived in fct_findings and tested, while their
    fact rows, which depend only on the report itself, stay.

  quality.run_scope is a control table of the pipeline, not data: it is named here, not
  declared as a source (a source would be a data dependency in the asset graph).
-#}

{% macro scope_run() -%}
    {#- XXGK_SCOPE_RUN, checked: it is pasted into SQL. Not read while parsing, so that dbt's
        partial parsing does not record it (see above). -#}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set run = env_var('XXGK_SCOPE_RUN', '') -%}
    {%- if run == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[A-Za-z0-9_-]+', run) -%}
        {{ exceptions.raise_compiler_error("XXGK_SCOPE_RUN must be a run id (letters, digits, '-', '_'), not " ~ run) }}
    {%- endif -%}
    {{ return(run) }}
{%- endmacro %}


{% macro in_run_scope(column, rebuilt_only=false) -%}
    {#- SQL predicate: `column` is a report of this run's scope; true in a full run -#}
    {%- set run = scope_run() -%}
    {%- if run is none -%}
        true
    {%- else -%}
        {{ column }} in (select report_id from quality.run_scope where run_id = '{{ run }}'
            {%- if rebuilt_only %} and rebuild{% endif %})
    {%- endif -%}
{%- endmacro %}


{% macro delete_run_scope(rebuilt_only=false) -%}
    {#- pre-hook of a model incremental by report: drop the rows this run derives again
        (every row in a full run; a report that became held or superseded gets none back) -#}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_run_scope('report_id', rebuilt_only) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#-
  Which rows a test reads. Models whose rows each belong to one report name that column in
  `meta: {run_scope_column: report_id}` (the facts, fct_findings, dim_report,
  rpt_report_status, int_values_labelled, stg_raw__values). In a scoped run a generic test on
  such a model reads `(select * from <model> where <its where config, if any> and
  (report_id is null or report_id in <the run's scope>)) dbt_subquery`: the rows of the
  reports that changed; rows of no report are always read. Every other row was tested when it last changed and passed
  (checked_years.py keeps that record). This is dbt's documented hook for custom test
  filters (overriding `get_where_subquery`); a `where` config alone cannot read the tested
  model's meta.
-#}

{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set scope = run_scope_test_filter() -%}
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


{% macro run_scope_test_filter() -%}
    {#- the predicate keeping the run's reports, for a test on a report-shaped model; else none -#}
    {%- if scope_run() is none or not execute or model.attached_node is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) -%}
    {%- set column = tested.config.meta.get('run_scope_column') if tested else none -%}
    {%- if not column -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return('(' ~ column ~ ' is null or ' ~ in_run_scope(column) ~ ')') }}
{%- endmacro %}
