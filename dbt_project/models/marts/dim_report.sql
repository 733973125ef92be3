-- One row per accepted report: parsed, validated, no error finding.
with accepted as (
    select * from {{ ref('int_report_status') }}
    where status = 'accepted'
),

final as (
    select
        cast(report_id as varchar)      as report_id,
        cast(agency as varchar)         as agency,
        cast(year as integer)           as year,
        cast(form_version as varchar)   as form_version,
        cast(report_date as date)       as report_date,
        cast(source_name as varchar)    as source_name,
        cast(received_at as timestamp)  as received_at,
        cast(warning_count as bigint)   as warning_count
    from accepted
    order by agency, year, report_id
)

select * from final
