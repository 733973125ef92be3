{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_run_scope(rebuilt_only=true) }}"
) }}

-- One row per received report, every version: which one is current (published in the fact
-- marts), which were superseded by a correction, which are held, which files could not be
-- read as a report at all, and why.
-- Incremental by report, as the fact marts: a monthly run (XXGK_SCOPE_RUN) derives again the
-- rows of the agency-years it rebuilds, every version of each (a correction changes which one
-- is current), and every unreadable file; the other rows cannot have changed
-- (orchestration/quality/checked_years.py). Without it, every report (macros/run_scope.sql).
with parsed_versions as (
    select
        report_id, agency, agency_key, year, version, status, is_current, superseded_by,
        status_reason, form_version, report_date, source_name, received_at, error_count,
        warning_count
    from {{ ref('int_report_versions') }}
    where {{ in_run_scope('report_id', rebuilt_only=true) }}
),

-- an unreadable file names no agency or year: it has no version and is never current
unreadable_files as (
    select
        report_id,
        null as agency,
        null as agency_key,
        null as year,
        null as version,
        status,
        false as is_current,
        null as superseded_by,
        status_reason,
        null as form_version,
        null as report_date,
        original_name as source_name,
        received_at,
        error_count,
        warning_count
    from {{ ref('int_report_status') }}
    where status = 'unreadable'
      and {{ in_run_scope('report_id', rebuilt_only=true) }}
),

versions as (
    select * from parsed_versions
    union all
    select * from unreadable_files
),

final as (
    select
        cast(report_id as varchar)       as report_id,
        cast(agency as varchar)          as agency,
        cast(agency_key as varchar)      as agency_key,
        cast(year as integer)            as year,
        cast(version as integer)         as version,
        cast(status as varchar)          as status,
        cast(is_current as boolean)      as is_current,
        cast(superseded_by as varchar)   as superseded_by,
        cast(status_reason as varchar)   as status_reason,
        cast(form_version as varchar)    as form_version,
        cast(report_date as date)        as report_date,
        cast(source_name as varchar)     as source_name,
        cast(received_at as timestamp)   as received_at,
        cast(error_count as bigint)      as error_count,
        cast(warning_count as bigint)    as warning_count
    from versions
    order by agency_key, year, version, report_id
)

select * from final
