"""The inbox sensor and the schedules, evaluated without a daemon."""

from __future__ import annotations

import shutil
from datetime import datetime

import dagster as dg
from samples import SAMPLE, variant

from orchestration.definitions import defs
from orchestration.settings import Settings


def sensor():
    return defs.resolve_sensor_def("inbox_sensor")


def evaluate(cursor=None):
    context = dg.build_sensor_context(cursor=cursor, instance=dg.DagsterInstance.ephemeral())
    result = sensor()(context)
    return result, context.cursor


def test_sensor_requests_a_run_for_new_files_with_their_years(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    shutil.copy(SAMPLE, settings.inbox / "named-2019-but-is-2021.txt")
    result, cursor = evaluate()
    assert isinstance(result, dg.RunRequest)
    assert result.tags["xxgk/years"] == "2021"  # read from the report, not the file name
    assert result.tags["xxgk/writer"] == "warehouse"

    # Nothing new: no request.
    again, cursor2 = evaluate(cursor)
    assert isinstance(again, dg.SkipReason)

    # A file arriving while the first run is going is requested at the next tick, alone.
    (settings.inbox / "late.txt").write_text(variant("某某街道办事处").replace("2021年度", "2022年度"),
                                            encoding="utf-8")
    late, _ = evaluate(cursor2)
    assert isinstance(late, dg.RunRequest) and late.run_key != result.run_key
    assert late.tags["xxgk/years"] == "2022"


def test_sensor_ignores_symlinks_and_uploads_in_progress(data_dir, tmp_path):
    settings = Settings.from_env()
    settings.ensure_dirs()
    outside = tmp_path / "outside.txt"
    shutil.copy(SAMPLE, outside)
    (settings.inbox / "link.txt").symlink_to(outside)
    (settings.inbox / "report.docx.part").write_text("x")
    result, _ = evaluate()
    assert isinstance(result, dg.SkipReason)


def test_unreadable_file_still_triggers_a_run(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    (settings.inbox / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    result, _ = evaluate()
    assert isinstance(result, dg.RunRequest) and result.tags["xxgk/years"] == "unknown"


def test_yearly_schedule_publishes_the_year_just_ended():
    schedule = defs.resolve_schedule_def("yearly_publication")
    assert schedule.cron_schedule == "0 6 1 2 *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 2, 1, 6))
    request = schedule.evaluate_tick(context).run_requests[0]
    assert request.tags["xxgk/years"] == "2024"
    assert request.run_key == "yearly-2024"


def test_monthly_schedule():
    schedule = defs.resolve_schedule_def("monthly_corrections")
    assert schedule.cron_schedule == "0 6 1 * *"
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2025, 7, 1, 6))
    request = schedule.evaluate_tick(context).run_requests[0]
    assert request.tags["xxgk/month"] == "2025-07" and request.tags["xxgk/writer"] == "warehouse"


def test_automation_is_on_by_default():
    assert sensor().default_status == dg.DefaultSensorStatus.RUNNING
    for name in ("yearly_publication", "monthly_corrections"):
        assert defs.resolve_schedule_def(name).default_status == dg.DefaultScheduleStatus.RUNNING
