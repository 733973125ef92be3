-- Every file ever received, with its status and why: the published list of which
-- reports are in the marts, which are missing, and the reason.
with report_status as (
    select * from {{ ref('int_report_status') }}
),

final as (
    select
        cast(report_id as varchar)                               as report_id,
        cast(status as varchar)                                  as status,
        cast(status_reason as varchar)                           as status_reason,
        cast(agency as varchar)                                  as agency,
        cast(year as integer)                                    as year,
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
