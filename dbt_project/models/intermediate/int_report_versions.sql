-- One row per parsed report with its place among the versions of its agency and year.
--
-- A corrected resubmission is a new file (new sha256) from the same agency for the same
-- year. Versions are numbered 1, 2, ... per (agency_key, year) by when the file was first
-- received (an exact duplicate is the same file, so it is never a new version). Of each
-- agency-year, the newest *accepted* version is current: it alone reaches the fact marts.
--
--   accepted    the current version (is_current)
--   superseded  a newer version of the same agency-year is accepted (whatever this one was)
--   held        error findings and no newer accepted version: waiting for a correction;
--               an older accepted version, if any, stays current (published) meanwhile
--   pending     parsed, not yet validated, no newer accepted version
--
-- Reports whose agency or year could not be read are never matched with others: each is
-- its own agency-year.
with reports as (
    select
        * exclude (status, status_reason),
        status as validation_status,
        status_reason as validation_reason
    from {{ ref('int_report_status') }}
    where is_parsed
),

-- the key of each distinct name, not of each report: agencies report every year, and the
-- key's translate() of full-width characters costs ~3 us a row (0.3 s at 100k reports, paid
-- by every model and test that reads this view)
agency_keys as (
    select agency, {{ agency_key('agency') }} as agency_key
    from (select distinct agency from reports where agency is not null) as names
),

keyed as (
    select
        reports.*,
        agency_keys.agency_key
    from reports
    left join agency_keys
        on reports.agency = agency_keys.agency
),

grouped as (
    select
        *,
        case
            when agency_key is not null and year is not null
                then agency_key || '|' || cast(year as varchar)
            else 'report|' || report_id
        end as version_group
    from keyed
),

versioned as (
    select
        *,
        row_number() over (
            partition by version_group order by received_at, report_id
        ) as version,
        count(*) over (partition by version_group) as version_count
    from grouped
),

current_versions as (
    select
        version_group,
        max(version) filter (where validation_status = 'accepted') as current_version,
        arg_max(report_id, version) filter (
            where validation_status = 'accepted'
        ) as current_report_id,
        max(version) as latest_version
    from versioned
    group by version_group
),

judged as (
    select
        versioned.*,
        current_versions.current_version,
        current_versions.current_report_id,
        current_versions.latest_version,
        coalesce(versioned.version < current_versions.current_version, false) as is_superseded
    from versioned
    left join current_versions
        on versioned.version_group = current_versions.version_group
),

final as (
    select
        report_id,
        agency,
        agency_key,
        year,
        form_version,
        report_date,
        source_name,
        original_name,
        received_at,
        parsed_at,
        parser_version,
        error_count,
        warning_count,
        error_rules,
        warning_rules,
        validation_status,
        version_group,
        cast(version as integer) as version,
        cast(version_count as integer) as version_count,
        case when is_superseded then 'superseded' else validation_status end as status,
        validation_status = 'accepted' and not is_superseded as is_current,
        case when is_superseded then current_report_id end as superseded_by,
        case
            when is_superseded then
                'superseded: version ' || cast(current_version as varchar)
                || ' of the same agency and year was received later and accepted'
                || case
                    when validation_status = 'held' then ' (this version was held: '
                        || cast(error_count as varchar) || ' error finding(s), rule(s) '
                        || error_rules || ')'
                    else ''
                end
            when validation_status = 'accepted' and latest_version > version then
                validation_reason || '; stays published: the newer version '
                || cast(latest_version as varchar) || ' is not accepted'
            when validation_status = 'held' and current_version is not null then
                validation_reason || '; version ' || cast(current_version as varchar)
                || ' stays published until a corrected file is accepted'
            when validation_status = 'held' then
                validation_reason || '; not published until a corrected file is accepted'
            else validation_reason
        end as status_reason
    from judged
)

select * from final
