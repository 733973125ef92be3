-- One row per parsed report (raw.reports), renamed and typed.
with source as (
    select * from {{ source('raw', 'reports') }}
),

renamed as (
    select
        cast(report_id as varchar)      as report_id,
        cast(source_name as varchar)    as source_name,
        cast(agency as varchar)         as agency,
        cast(year as integer)           as year,
        cast(form_version as varchar)   as form_version,
        cast(report_date as date)       as report_date,
        cast(parsed_at as timestamp)    as parsed_at,
        cast(parser_version as varchar) as parser_version
    from source
)

select * from renamed
