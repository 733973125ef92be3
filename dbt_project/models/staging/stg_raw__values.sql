-- Every number of tables A, B, C (raw.values), renamed and typed.
-- value stays NULL for a blank cell: blank is not zero.
with source as (
    select * from {{ source('raw', 'values') }}
),

renamed as (
    select
        cast(report_id as varchar)   as report_id,
        cast(table_code as varchar)  as table_code,
        cast(row_code as varchar)    as row_code,
        cast(column_code as varchar) as column_code,
        cast(value as double precision) as value,
        cast(raw_text as varchar)    as raw_text,
        cast(line as integer)        as source_line
    from source
)

select * from renamed
