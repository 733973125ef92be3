-- Who reported, on time or late, who is held, and who has not reported: every registered
-- agency x every reporting year from 2019 to last year (this year's reports are not due yet),
-- plus reports from agencies missing from the registry.
--
-- An agency's reports are found by agency_key on its registered name and on each alias, so
-- "某县人民政府" and "某县政府" are the same agency. The deadline is 31 January of the year
-- after the reporting year; the date that counts is when the warehouse first received the
-- report (its first version).
with registry as (
    select * from {{ ref('agencies') }}
),

names as (
    select agency_code, name as agency_name from registry
    union all
    select agency_code, trim(alias) from registry,
        unnest(string_split(coalesce(aliases, ''), '|')) as a(alias)
    where trim(alias) <> ''
),

keys as (
    select distinct agency_code, {{ agency_key('agency_name') }} as agency_key from names
),

years as (
    -- vars let a run (or a unit test) fix the range; by default 2019 to last year.
    select cast(generate_series as integer) as year
    from generate_series(
        {{ var('first_report_year', 2019) }},
        {{ var('last_report_year', 'cast(extract(year from current_date) as integer) - 1') }}
    )
),

reports as (
    select * from {{ ref('dim_report') }}
),

per_agency_year as (
    select
        k.agency_code,
        r.year,
        count(*) as versions,
        count(*) filter (where r.status = 'superseded') as superseded_versions,
        min(r.received_at) as first_received_at,
        max(r.received_at) as last_received_at,
        max(r.report_id) filter (where r.is_current) as current_report_id,
        bool_or(r.status = 'held') as any_held
    from reports r
    join keys k on r.agency_key = k.agency_key
    group by k.agency_code, r.year
),

registered as (
    select
        g.agency_code,
        g.name as agency,
        g.level,
        g.region,
        y.year,
        coalesce(p.versions, 0) as versions,
        coalesce(p.superseded_versions, 0) as superseded_versions,
        p.first_received_at,
        p.last_received_at,
        p.current_report_id,
        case
            when p.versions is null then 'missing'
            when p.current_report_id is null then 'held'
            when p.first_received_at < make_date(y.year + 1, 2, 1) then 'on_time'
            else 'late'
        end as status
    from registry g
    cross join years y
    left join per_agency_year p on p.agency_code = g.agency_code and p.year = y.year
),

unregistered as (
    select
        cast(null as varchar) as agency_code,
        any_value(r.agency) as agency,
        cast(null as varchar) as level,
        cast(null as varchar) as region,
        r.year,
        count(*) as versions,
        count(*) filter (where r.status = 'superseded') as superseded_versions,
        min(r.received_at) as first_received_at,
        max(r.received_at) as last_received_at,
        max(r.report_id) filter (where r.is_current) as current_report_id,
        case
            when max(r.report_id) filter (where r.is_current) is null then 'held'
            when min(r.received_at) < make_date(r.year + 1, 2, 1) then 'on_time'
            else 'late'
        end as status
    from reports r
    left join keys k on r.agency_key = k.agency_key
    where k.agency_code is null and r.year is not null
    group by r.agency_key, r.year
)

select
    cast(agency_code as varchar)          as agency_code,
    cast(agency as varchar)               as agency,
    cast(level as varchar)                as level,
    cast(region as varchar)               as region,
    cast(year as integer)                 as year,
    cast(status as varchar)               as status,
    cast(agency_code is not null as boolean) as is_registered,
    cast(versions as bigint)              as versions,
    cast(superseded_versions as bigint)   as superseded_versions,
    cast(first_received_at as timestamp)  as first_received_at,
    cast(last_received_at as timestamp)   as last_received_at,
    cast(current_report_id as varchar)    as current_report_id
from (select * from registered union all select * from unregistered)
order by year, region, agency_code, agency
