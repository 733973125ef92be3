"""Automation: the inbox sensor and the yearly and monthly schedules (on by default).

Every run they start carries the tag ``xxgk/writer``; ``dagster.yaml`` allows one run with that
tag at a time, so runs from the sensor and the schedules queue instead of meeting on the
DuckDB write lock.
"""

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

import dagster as dg

from ..reports.model import UnreadableReport
from ..reports.parser import parse_document
from ..reports.readers import read_document
from ..settings import Settings
from ..stages.ingest import is_submission

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
    """The submissions waiting in the inbox (as ingest sees them), by content hash."""
    if not inbox.is_dir():
        return {}
    found = {}
    for entry in sorted(os.scandir(inbox), key=lambda e: e.name):
        if not is_submission(entry):
            continue
        digest = hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()
        found[digest] = Path(entry.path)
    return found


def inbox_run_request(inbox: Path, cursor: str | None) -> tuple[dg.RunRequest | None, str]:
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
    years = sorted({report_year(path) for path in new.values()})
    run_key = hashlib.sha256("".join(sorted(new)).encode()).hexdigest()[:16]
    request = dg.RunRequest(run_key=f"inbox-{run_key}",
                            tags={**WRITER_TAG, "xxgk/trigger": "inbox", "xxgk/years": ",".join(years)})
    return request, next_cursor


def yearly_report_year(scheduled: datetime) -> int:
    """Runs on 1 February, after the 31 January deadline: the year being reported is the last one."""
    return scheduled.year - 1


def build_automation(job) -> tuple[list[dg.SensorDefinition], list[dg.ScheduleDefinition]]:
    @dg.sensor(job=job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING,
               description="Starts warehouse_job for new or corrected files in the inbox, tagged "
                           "with the report years read from the files.")
    def inbox_sensor(context: dg.SensorEvaluationContext):
        request, cursor = inbox_run_request(Settings.from_env().inbox, context.cursor)
        context.update_cursor(cursor)
        return request or dg.SkipReason("no new files in the inbox")

    @dg.schedule(job=job, cron_schedule="0 6 1 2 *", execution_timezone=TIMEZONE,
                 default_status=dg.DefaultScheduleStatus.RUNNING,
                 description="1 February, after the 31 January deadline: build and publish the year just ended.")
    def yearly_publication(context: dg.ScheduleEvaluationContext):
        year = yearly_report_year(context.scheduled_execution_time)
        return dg.RunRequest(run_key=f"yearly-{year}",
                             tags={**WRITER_TAG, "xxgk/trigger": "yearly", "xxgk/years": str(year)})

    @dg.schedule(job=job, cron_schedule="0 6 1 * *", execution_timezone=TIMEZONE,
                 default_status=dg.DefaultScheduleStatus.RUNNING,
                 description="The 1st of every month: late and corrected submissions (whatever is in "
                             "the inbox, and files whose earlier run failed) are processed and republished.")
    def monthly_corrections(context: dg.ScheduleEvaluationContext):
        month = context.scheduled_execution_time.strftime("%Y-%m")
        return dg.RunRequest(run_key=f"monthly-{month}",
                             tags={**WRITER_TAG, "xxgk/trigger": "monthly", "xxgk/month": month})

    return [inbox_sensor], [yearly_publication, monthly_corrections]
