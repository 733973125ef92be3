-- Submission status counted per year, region and level.
select
    cast(year as integer) as year,
    cast(region as varchar) as region,
    cast(level as varchar) as level,
    cast(count(*) as bigint) as agencies,
    cast(count(*) filter (where status = 'on_time') as bigint) as on_time,
    cast(count(*) filter (where status = 'late') as bigint) as late,
    cast(count(*) filter (where status = 'held') as bigint) as held,
    cast(count(*) filter (where status = 'missing') as bigint) as missing
from {{ ref('fct_submission_status') }}
group by year, region, level
order by year, region, level
