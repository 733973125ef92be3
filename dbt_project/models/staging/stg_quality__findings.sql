-- Every finding of the validation step (quality.findings), renamed and typed.
with source as (
    select * from {{ source('quality', 'findings') }}
),

renamed as (
    select
        cast(report_id as varchar)   as report_id,
        cast(rule_id as varchar)     as rule_id,
        cast(severity as varchar)    as severity,
        cast(table_code as varchar)  as table_code,
        cast(row_code as varchar)    as row_code,
        cast(column_code as varchar) as column_code,
        cast(expected as double precision) as expected,
        cast(actual as double precision) as actual,
        cast(line as integer)        as source_line,
        cast(raw_text as varchar)    as raw_text,
        cast(message as varchar)     as message,
        cast(arithmetic as varchar)  as arithmetic
    from source
)

select * from renamed
