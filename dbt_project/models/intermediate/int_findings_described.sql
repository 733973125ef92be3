-- Every finding of every report, held and superseded ones included, described for people:
-- the report's final status and version, the rule in Chinese, the table (表二/表三/表四) and
-- its heading, the row and column by their printed labels, and the failing arithmetic with
-- the report's own numbers. fct_findings publishes it.
-- Grain: report x finding_number (findings numbered in a stable order inside a report).
with findings as (
    select
        *,
        row_number() over (
            partition by report_id
            order by rule_id, table_code, row_code, column_code, source_line,
                expected, actual, message
        ) as finding_number
    from {{ ref('stg_quality__findings') }}
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

report_values as (
    select * from {{ ref('int_values_labelled') }}
),

-- The cells of the sums R1-R4 (FORM.md), each on its side: 'rhs' is the sum the rule
-- expects (expected), 'lhs' what the report prints (actual). Blank cells count as 0.
terms as (
    select
        findings.report_id,
        findings.finding_number,
        case
            when findings.rule_id in ('R1', 'R4') and report_values.column_code = 'total'
                then 'lhs'
            when findings.rule_id in ('R1', 'R4') then 'rhs'
            when findings.rule_id = 'R2'
                and report_values.row_code in ('results_total', 'carried_forward') then 'lhs'
            when findings.rule_id = 'R2' then 'rhs'
            when findings.rule_id = 'R3' and report_values.row_code = 'results_total'
                then 'lhs'
            else 'rhs'
        end as side,
        report_values.row_position,
        report_values.column_position,
        case
            when report_values.value is null then '空'
            when report_values.value = floor(report_values.value)
                then cast(cast(report_values.value as bigint) as varchar)
            else cast(report_values.value as varchar)
        end as value_text
    from findings
    inner join report_values
        on findings.report_id = report_values.report_id
        and findings.table_code = report_values.table_code
    where
        (
            findings.rule_id in ('R1', 'R4')
            and report_values.row_code = findings.row_code
        )
        or (
            findings.rule_id = 'R2'
            and report_values.column_code = findings.column_code
            and report_values.row_code in (
                'new_received', 'carried_over', 'results_total', 'carried_forward'
            )
        )
        or (
            findings.rule_id = 'R3'
            and report_values.column_code = findings.column_code
            and report_values.row_code not in (
                'new_received', 'carried_over', 'carried_forward'
            )
        )
),

arithmetic as (
    select
        report_id,
        finding_number,
        string_agg(value_text, ' + ' order by row_position, column_position)
            filter (where side = 'rhs') as rhs_text,
        count(*) filter (where side = 'rhs') as rhs_terms,
        string_agg(value_text, ' + ' order by row_position, column_position)
            filter (where side = 'lhs') as lhs_text,
        count(*) filter (where side = 'lhs') as lhs_terms
    from terms
    group by report_id, finding_number
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
        case
            when expected is null then null
            when expected = floor(expected) then cast(cast(expected as bigint) as varchar)
            else cast(expected as varchar)
        end as expected_text,
        case
            when actual is null then null
            when actual = floor(actual) then cast(cast(actual as bigint) as varchar)
            else cast(actual as varchar)
        end as actual_text
    from with_column
    where column_rank = 1
),

described as (
    select
        numbers.*,
        form_rules.description_zh as rule_description_zh,
        case numbers.table_code
            when 'A' then '表二'
            when 'B' then '表三'
            when 'C' then '表四'
        end as table_label_zh,
        form_sections.heading_zh as table_heading_zh,
        case
            when arithmetic.rhs_text is not null and arithmetic.lhs_text is not null then
                arithmetic.rhs_text
                || case when arithmetic.rhs_terms > 1 then ' = ' || numbers.expected_text else '' end
                || ' ≠ '
                || arithmetic.lhs_text
                || case when arithmetic.lhs_terms > 1 then ' = ' || numbers.actual_text else '' end
            when numbers.rule_id = 'R5' then
                numbers.actual_text || ' 不是非负'
                || case when numbers.column_code = 'amount' then '数' else '整数' end
            when numbers.expected is not null and numbers.actual is not null then
                numbers.expected_text || ' ≠ ' || numbers.actual_text
        end as arithmetic_zh
    from numbers
    left join form_rules
        on numbers.rule_id = form_rules.rule_id
    left join form_sections
        on numbers.table_code = form_sections.table_code
    left join arithmetic
        on numbers.report_id = arithmetic.report_id
        and numbers.finding_number = arithmetic.finding_number
)

select * from described
