{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_run_scope(rebuilt_only=true) }}"
) }}

-- Every file ever received, with its status and why: the published list of which
-- reports are in the marts, which are missing (held, unreadable, pending), which were
-- superseded by a correction, and the reason. Parsed files take their final status from
-- int_report_versions; unreadable ones keep theirs from int_report_status.
-- Incremental by report, as dim_report: a monthly run (XXGK_SCOPE_RUN) derives again the files
-- of the agency-years it rebuilds (a file received again is such a change: its receipts) and
-- every unreadable file (macros/run_scope.sql).
with files as (
    select * from {{ ref('int_report_status') }}
    where {{ in_run_scope('report_id', rebuilt_only=true) }}
),

versions as (
    select * from {{ ref('int_report_versions') }}
),

report_status as (
    select
        files.* exclude (status, status_reason),
        coalesce(versions.status, files.status) as status,
        coalesce(versions.status_reason, files.status_reason) as status_reason,
        versions.agency_key,
        versions.version,
        coalesce(versions.is_current, false) as is_current,
        versions.superseded_by
    from files
    left join versions
        on files.report_id = versions.report_id
),

final as (
    select
        cast(report_id as varchar)                               as report_id,
        cast(status as varchar)                                  as status,
        cast(status_reason as varchar)                           as status_reason,
        cast(agency as varchar)                                  as agency,
        cast(agency_key as varchar)                              as agency_key,
        cast(year as integer)                                    as year,
        cast(version as integer)                                 as version,
        cast(is_current as boolean)                              as is_current,
        cast(superseded_by as varchar)                           as superseded_by,
        cast(form_version as varchar)                            as form_version,
        cast(coalesce(source_name, original_name) as varchar)    as source_name,
        cast(original_name as varchar)                           as original_name,
        cast(extension as varchar)                               as extension,
        cast(size_bytes as bigint)                               as size_bytes,
        cast(received_at as timestamp)                           as received_at,
        cast(last_received_at as timestamp)                      as last_received_at,
        cast(receipt_count as bigint)                            as receipt_count,
        cast(file_error as varchar)                              as file_error,
        cast(error_count as bigint)                              as error_count,
        cast(warning_count as bigint)                            as warning_count,
        cast(error_rules as varchar)                             as error_rules,
        cast(parsed_at as timestamp)                             as parsed_at,
        cast(parser_version as varchar)                          as parser_version
    from report_status
    order by received_at, report_id
)

select * from final
