-- One row per received file (sha256 = report_id) with where it stands:
--   unreadable  the file could not be read as a report
--   held        parsed, at least one 'error' finding: kept out of the marts
--   accepted    parsed, validated, no 'error' finding: in the marts
--   pending     parsed (or being parsed) but not yet validated
with files as (
    select * from {{ ref('stg_raw__files') }}
),

reports as (
    select * from {{ ref('stg_raw__reports') }}
),

validated as (
    select * from {{ ref('stg_quality__validated_reports') }}
),

findings_per_report as (
    select
        report_id,
        count(*) filter (where severity = 'error') as error_count,
        count(*) filter (where severity = 'warning') as warning_count,
        string_agg(distinct rule_id, ', ' order by rule_id)
            filter (where severity = 'error') as error_rules,
        string_agg(distinct rule_id, ', ' order by rule_id)
            filter (where severity = 'warning') as warning_rules
    from {{ ref('stg_quality__findings') }}
    group by report_id
),

receipts_per_file as (
    select
        sha256,
        count(*) as receipt_count,
        max(received_at) as last_received_at
    from {{ ref('stg_raw__receipts') }}
    group by sha256
),

joined as (
    select
        files.sha256 as report_id,
        files.original_name,
        files.extension,
        files.size_bytes,
        files.archive_path,
        files.received_at,
        coalesce(receipts_per_file.last_received_at, files.received_at) as last_received_at,
        coalesce(receipts_per_file.receipt_count, 0) as receipt_count,
        files.file_status,
        files.file_error,
        reports.report_id is not null as is_parsed,
        reports.source_name,
        reports.agency,
        reports.year,
        reports.form_version,
        reports.report_date,
        reports.parsed_at,
        reports.parser_version,
        validated.report_id is not null as is_validated,
        coalesce(findings_per_report.error_count, 0) as error_count,
        coalesce(findings_per_report.warning_count, 0) as warning_count,
        findings_per_report.error_rules,
        findings_per_report.warning_rules
    from files
    left join reports
        on files.sha256 = reports.report_id
    left join validated
        on files.sha256 = validated.report_id
    left join findings_per_report
        on files.sha256 = findings_per_report.report_id
    left join receipts_per_file
        on files.sha256 = receipts_per_file.sha256
),

with_status as (
    select
        *,
        case
            when file_status = 'unreadable' then 'unreadable'
            when error_count > 0 then 'held'
            when is_parsed and is_validated then 'accepted'
            else 'pending'
        end as status
    from joined
),

final as (
    select
        *,
        case status
            when 'unreadable' then 'unreadable: ' || coalesce(file_error, 'no reason recorded')
            when 'held' then
                'held: ' || cast(error_count as varchar) || ' error finding(s), rule(s) '
                || error_rules
            when 'pending' then
                case
                    when is_parsed then 'pending: parsed, not yet validated'
                    else 'pending: not yet parsed'
                end
            when 'accepted' then
                case
                    when warning_count > 0 then
                        'accepted with ' || cast(warning_count as varchar)
                        || ' warning finding(s), rule(s) ' || warning_rules
                    else 'accepted'
                end
        end as status_reason
    from with_status
)

select * from final
