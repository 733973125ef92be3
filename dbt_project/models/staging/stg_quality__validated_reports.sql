-- The reports the validation step has checked (quality.validated_reports), one row each.
with source as (
    select * from {{ source('quality', 'validated_reports') }}
),

renamed as (
    select distinct
        cast(report_id as varchar) as report_id
    from source
)

select * from renamed
