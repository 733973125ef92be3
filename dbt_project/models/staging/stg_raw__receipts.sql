-- Every pickup of a file from the inbox (raw.receipts), renamed and typed.
with source as (
    select * from {{ source('raw', 'receipts') }}
),

renamed as (
    select
        cast(receipt_id as varchar)    as receipt_id,
        cast(sha256 as varchar)        as sha256,
        cast(original_name as varchar) as original_name,
        cast(received_at as timestamp) as received_at
    from source
)

select * from renamed
