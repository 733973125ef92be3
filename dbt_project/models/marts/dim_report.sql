-- One row per parsed report, every version: which one is current (published in the fact
-- marts), which were superseded by a correction, which are held, and why.
with versions as (
    select * from {{ ref('int_report_versions') }}
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
