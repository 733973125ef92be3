"""Automation: the inbox sensor and the yearly and monthly schedules (on by default).

Each run they request is for report-year partitions (defs/partitions.py): the sensor for the
years read from the new files, the yearly schedule for the year just ended, the monthly one
for the years that late and corrected submissions touched.

Every run they start carries the tag ``xxgk/writer``; ``dagster.yaml`` allows one run with that
tag at a time, so runs from the sensor and the schedules queue instead of meeting on the
DuckDB write lock.
"""

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from dateutil.relativedelta import relativedelta

from ..reports.model import UnreadableReport
from ..reports.parser import parse_document
from ..reports.readers import read_document
from ..settings import Settings
from ..stages.ingest import is_submission
from ..warehouse import connect
from .partitions import partition_run_args, year_keys

WRITER_TAG = {"xxgk/writer": "warehouse"}
TIMEZONE = "Asia/Shanghai"


def report_year(path: Path) -> str:
    """The year read from the report itself (title, statistics period), not from its name."""
    try:
        data = path.read_bytes()
        year = parse_document(read_document(data, path.name), hashlib.sha256(data).hexdigest()).year
    except (UnreadableReport, OSError):
        return "unknown"
    except Exception:  # noqa: BLE001 - a parser bug must not stop the sensor; the run records it
        return "unknown"
    return str(year) if year else "unknown"


def inbox_files(inbox: Path) -> dict[str, Path]:
    """The submissions waiting in the inbox (as ingest sees them), by content hash. A file
    that cannot be read (permissions, gone since the listing) is left out, so that it never
    fails the tick for the others; ingest names it when a run comes."""
    if not inbox.is_dir():
        return {}
    found = {}
    for entry in sorted(os.scandir(inbox), key=lambda e: e.name):
        if not is_submission(entry):
            continue
        try:
            with open(entry.path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            continue
        found[digest] = Path(entry.path)
    return found


def years_request(years: set[str], *, run_key: str, tags: dict,
                  unpartitioned: list[dg.AssetKey]) -> dg.RunRequest:
    """One run for these report years: their partition (or the range over them). Files whose
    year is unknown or outside the partitions (unreadable, year not printed, before 2019 or in
    the future) belong to no partition; when nothing else came, they get a run of the
    unpartitioned assets (ingest, parse, gate, cross-year models, publish), so none is lost.
    """
    keys = set(year_keys())
    partitioned = sorted(y for y in years if y in keys)
    tags = {**WRITER_TAG, **tags, "xxgk/years": ",".join(sorted(years))}
    if not partitioned:
        return dg.RunRequest(run_key=run_key, tags=tags, asset_selection=unpartitioned)
    args = partition_run_args(partitioned)
    return dg.RunRequest(run_key=run_key, tags={**tags, **args.pop("tags", {})}, **args)


def inbox_run_request(inbox: Path, cursor: str | None,
                      unpartitioned: list[dg.AssetKey]) -> tuple[dg.RunRequest | None, str]:
    """A run request for the files not requested before, and the new cursor.

    The cursor holds the hashes of the files already requested that are still in the inbox:
    a file is requested once; a file that arrives while a run is going is new at the next tick.
    """
    seen = set(json.loads(cursor)) if cursor else set()
    files = inbox_files(inbox)
    new = {digest: path for digest, path in files.items() if digest not in seen}
    next_cursor = json.dumps(sorted(files))
    if not new:
        return None, next_cursor
    years = {report_year(path) for path in new.values()}
    run_key = hashlib.sha256("".join(sorted(new)).encode()).hexdigest()[:16]
    request = years_request(years, run_key=f"inbox-{run_key}", tags={"xxgk/trigger": "inbox"},
                            unpartitioned=unpartitioned)
    return request, next_cursor


def yearly_report_year(scheduled: datetime) -> int:
    """Runs on 1 February, after the 31 January deadline: the year being reported is the last one."""
    return scheduled.year - 1


def arrived_years(warehouse: Path, since: datetime) -> set[str] | None:
    """Report years of files received since ``since`` (late and corrected submissions, and
    files whose run failed after ingest); None when the warehouse cannot be read now."""
    if not warehouse.exists():
        return set()
    utc = since.astimezone(UTC).replace(tzinfo=None) if since.tzinfo else since
    try:
        # read-only, a few seconds at most: a tick must not wait for a long run
        with connect(warehouse, read_only=True, wait_s=5.0) as con:
            rows = con.execute(
                "select distinct r.year from raw.reports r join raw.files f on f.sha256 = r.report_id "
                "where f.received_at >= ?", [utc]).fetchall()
    except duckdb.Error:
        return None
    return {str(year) if year is not None else "unknown" for (year,) in rows}


def monthly_request(settings: Settings, scheduled: datetime,
                    unpartitioned: list[dg.AssetKey]) -> dg.RunRequest | dg.SkipReason:
    """The years touched since last month's run: files in the inbox now (year read from the
    file) and reports received in the past month. Only those years are rebuilt and published."""
    month = scheduled.strftime("%Y-%m")
    tags = {"xxgk/trigger": "monthly", "xxgk/month": month}
    years = {report_year(path) for path in inbox_files(settings.inbox).values()}
    arrived = arrived_years(settings.warehouse, scheduled - relativedelta(months=1))
    if arrived is None:  # the warehouse is busy: rebuild every year rather than miss one
        return dg.RunRequest(run_key=f"monthly-{month}",
                             tags={**WRITER_TAG, **tags, "xxgk/years": "all",
                                   **partition_run_args(year_keys(scheduled))["tags"]})
    years |= arrived
    if not years:
        return dg.SkipReason(f"nothing arrived since {scheduled - relativedelta(months=1):%Y-%m-%d}")
    return years_request(years, run_key=f"monthly-{month}", tags=tags, unpartitioned=unpartitioned)


def build_automation(job, unpartitioned: list[dg.AssetKey]
                     ) -> tuple[list[dg.SensorDefinition], list[dg.ScheduleDefinition]]:
    """``unpartitioned``: the job's assets without a year (a run for files of no known year)."""
    @dg.sensor(job=job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
               description="Starts warehouse_job for new or corrected files in the inbox, for the "
                           "report years read from the files (their partitions, one run).")
    def inbox_sensor(context: dg.SensorEvaluationContext):
        request, cursor = inbox_run_request(Settings.from_env().inbox, context.cursor, unpartitioned)
        context.update_cursor(cursor)
        return request or dg.SkipReason("no new files in the inbox")

    @dg.schedule(job=job, cron_schedule="0 6 1 2 *", execution_timezone=TIMEZONE,
                 default_status=dg.DefaultScheduleStatus.RUNNING,
                 description="1 February, after the 31 January deadline: build and publish the "
                             "year just ended (its partition).")
    def yearly_publication(context: dg.ScheduleEvaluationContext):
        year = str(yearly_report_year(context.scheduled_execution_time))
        return dg.RunRequest(run_key=f"yearly-{year}", partition_key=year,
                             tags={**WRITER_TAG, "xxgk/trigger": "yearly", "xxgk/years": year})

    @dg.schedule(job=job, cron_schedule="0 6 1 * *", execution_timezone=TIMEZONE,
                 default_status=dg.DefaultScheduleStatus.RUNNING,
                 description="The 1st of every month: late and corrected submissions (the inbox, and "
                             "files received in the past month) are processed; only the years "
                             "they touch are rebuilt and republished.")
    def monthly_corrections(context: dg.ScheduleEvaluationContext):
        return monthly_request(Settings.from_env(), context.scheduled_execution_time, unpartitioned)

    return [inbox_sensor], [yearly_publication, monthly_corrections]
