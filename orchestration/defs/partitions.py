"""Report-year partitions: the partition key of every year-shaped asset.

Yearly time-window partitions from 2019 (the first year of the disclosure form) through
this year (``end_offset=1``: S1 accepts a report for the current year, so its partition must
exist). Keys are ``"2019"``, ``"2020"``, ...

Which assets are partitioned, and why the others are not:

- year-shaped: the fact marts ``fct_applications``, ``fct_active_disclosure``,
  ``fct_review_litigation`` (one row per cell of a current report). The partitions are what
  the sensor and schedules request and what the UI shows per year; inside them a run
  re-derives only the reports it touches (the changed agency-years, every report of a year
  not clean: ``orchestration/quality/checked_years.py``, ``dbt_project/macros/run_scope.sql``).
- file-shaped, unpartitioned: ingest, parse and the per-report gate. A file's year is only
  known after parsing it, some files never have one (unreadable, year not printed, out of
  range), and all three already touch only what is new (content-hash dedup, status
  ``received``, reports not yet validated), so their cost already follows what arrived.
- cross-year, unpartitioned, built once per run: staging and intermediate views,
  ``dim_report``, ``fct_findings``, ``fct_submission_status``, ``int_cross_year_checks``,
  ``rpt_*`` and the published snapshot. The dbt models of both kinds are one op
  (defs/transform.py), so a run starts dbt once.

A run covering several years is one run over a partition range (tags
``dagster/asset_partition_range_start`` / ``_end``; the facts have a single-run backfill
policy), so ingest, the cross-year models and publication happen once, not once per year.
A run without any partition (a plain ``dagster job execute``) means every year.
"""

import datetime

import dagster as dg

FIRST_YEAR = 2019
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

REPORT_YEARS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=str(FIRST_YEAR), fmt="%Y", end_offset=1)


def year_keys(current: datetime.datetime | None = None) -> list[str]:
    """Every partition key that exists now (or at ``current``): 2019 .. this year."""
    return REPORT_YEARS.get_partition_keys(current_time=current)


def year_numbers(current: datetime.datetime | None = None) -> list[int]:
    """:func:`year_keys` as integers (the report years in the warehouse)."""
    return [int(key) for key in year_keys(current)]


def partition_run_args(years: list[str]) -> dict:
    """RunRequest arguments for these years: one partition, or one run over the range
    min..max (a year in between is rebuilt to the same rows: correct, a little extra work)."""
    years = sorted(set(years))
    if not years:
        return {}
    if len(years) == 1:
        return {"partition_key": years[0]}
    return {"tags": {RANGE_START_TAG: years[0], RANGE_END_TAG: years[-1]}}


def run_years(context: dg.AssetExecutionContext) -> list[int] | None:
    """The report years a run materializes; None for every year (a run without a partition,
    or over all of them: then dbt needs no year list)."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return None
    keys = set(context.partition_keys)
    if keys >= set(year_keys()):
        return None
    return sorted(int(key) for key in keys)
