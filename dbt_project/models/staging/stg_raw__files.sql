-- One row per distinct file content received (raw.files), renamed and typed.
with source as (
    select * from {{ source('raw', 'files') }}
),

renamed as (
    select
        cast(sha256 as varchar)        as sha256,
        cast(original_name as varchar) as original_name,
        cast(extension as varchar)     as extension,
        cast(size_bytes as bigint)     as size_bytes,
        cast(archive_path as varchar)  as archive_path,
        cast(received_at as timestamp) as received_at,
        cast(status as varchar)        as file_status,
        cast(error as varchar)         as file_error
    from source
)

select * from renamed
