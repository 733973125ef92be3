-- Every finding of every report, held and superseded ones included, described for people:
-- the report's final status and version, the rule in Chinese, the table (表二/表三/表四) and
-- its heading, the row and column by their printed labels, and the failing arithmetic with
-- the report's own numbers. Findings come from the validation step (quality.findings: parser
-- warnings and the per-report GX suite, arithmetic written by the checks query) and from the
-- rules across years (int_cross_year_checks, the rows its GX suite fails). fct_findings
-- publishes it. Grain: report x finding_number (numbered in a stable order inside a report).
with report_findings as (
    select
        report_id, rule_id, severity, table_code, row_code, column_code, expected, actual,
        source_line, raw_text, message, arithmetic,
        null::varchar as compared_report_id
    from {{ ref('stg_quality__findings') }}
),

-- expectations/cross_year_invariants.json (expect_column_pair_values_to_be_equal on expected
-- and actual, an asset check on int_cross_year_checks) fails exactly these rows; both sides
-- are never null there.
cross_year_findings as (
    select
        checks.report_id, checks.rule_id, rules.severity, checks.table_code, checks.row_code,
        checks.column_code, checks.expected, checks.actual, checks.source_line,
        checks.raw_text, null::varchar as message, checks.arithmetic,
        checks.previous_report_id as compared_report_id
    from {{ ref('int_cross_year_checks') }} as checks
    inner join {{ ref('form_rules') }} as rules on checks.rule_id = rules.rule_id
    where checks.expected <> checks.actual
),

findings as (
    select
        *,
        row_number() over (
            partition by report_id
            order by rule_id, table_code, row_code, column_code, source_line,
                expected, actual, message
        ) as finding_number
    from (
        select * from report_findings
        union all
        select * from cross_year_findings
    ) as all_findings
),

report_status as (
    select
        report_id,
        agency,
        year,
        form_version,
        status,
        null::integer as version
    from {{ ref('int_report_status') }}
    where not is_parsed
    union all
    select
        report_id,
        agency,
        year,
        form_version,
        status,
        version
    from {{ ref('int_report_versions') }}
),

form_rules as (
    select * from {{ ref('form_rules') }}
),

form_sections as (
    select * from {{ ref('form_sections') }}
),

form_rows as (
    select * from {{ ref('int_form_rows') }}
),

form_columns as (
    select * from {{ ref('form_columns') }}
),

-- the row's label from the report's own form version if the seeds have it, else the latest
with_row as (
    select
        findings.*,
        report_status.agency,
        report_status.year,
        report_status.status as report_status,
        report_status.version as report_version,
        form_rows.row_label_zh,
        form_rows.row_group,
        row_number() over (
            partition by findings.report_id, findings.finding_number
            order by
                case
                    when form_rows.form_version = report_status.form_version then 0 else 1
                end,
                form_rows.form_version desc
        ) as row_rank
    from findings
    left join report_status
        on findings.report_id = report_status.report_id
    left join form_rows
        on findings.table_code = form_rows.table_code
        and findings.row_code = form_rows.row_code
),

-- the column's label within the row's column group (or any group if no row is named)
with_column as (
    select
        with_row.*,
        form_columns.label_zh as column_label_zh,
        row_number() over (
            partition by with_row.report_id, with_row.finding_number
            order by
                case when form_columns.row_group in (with_row.row_group, 'all') then 0 else 1 end,
                form_columns.position
        ) as column_rank
    from with_row
    left join form_columns
        on with_row.table_code = form_columns.table_code
        and with_row.column_code = form_columns.column_code
    where with_row.row_rank = 1
),

numbers as (
    select
        with_column.*,
        case when expected is not null then {{ number_text('expected') }} end as expected_text,
        case when actual is not null then {{ number_text('actual') }} end as actual_text,
        case table_code
            when 'A' then '表二'
            when 'B' then '表三'
            when 'C' then '表四'
        end as table_label_zh
    from with_column
    where column_rank = 1
),

described as (
    select
        numbers.report_id,
        numbers.finding_number,
        numbers.agency,
        numbers.year,
        numbers.report_status,
        numbers.report_version,
        numbers.rule_id,
        numbers.severity,
        form_rules.description_zh as rule_description_zh,
        numbers.table_code,
        numbers.table_label_zh,
        form_sections.heading_zh as table_heading_zh,
        numbers.row_code,
        numbers.row_label_zh,
        numbers.row_group,
        numbers.column_code,
        numbers.column_label_zh,
        numbers.expected,
        numbers.actual,
        numbers.expected_text,
        numbers.actual_text,
        coalesce(
            numbers.arithmetic,
            case
                when numbers.expected is not null and numbers.actual is not null
                    then numbers.expected_text || ' ≠ ' || numbers.actual_text
            end
        ) as arithmetic_zh,
        numbers.source_line,
        numbers.raw_text,
        -- the cross-year rules carry no message of their own: name the cell and last year
        coalesce(
            numbers.message,
            numbers.rule_id || ' ' || coalesce(numbers.table_label_zh, '')
            || '「' || coalesce(numbers.row_label_zh, '') || '」行「'
            || coalesce(numbers.column_label_zh, '') || '」栏：' || numbers.arithmetic
            || '（对照 ' || coalesce(cast(numbers.year - 1 as varchar), '上一') || ' 年度报告）'
        ) as message,
        numbers.compared_report_id
    from numbers
    left join form_rules
        on numbers.rule_id = form_rules.rule_id
    left join form_sections
        on numbers.table_code = form_sections.table_code
)

select * from described
