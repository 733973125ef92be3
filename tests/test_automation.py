"""The inbox sensor and the schedules, evaluated without a daemon: which runs they request
and for which report-year partitions."""

from __future__ import annotations

import shutil
from datetime import datetime

import dagster as dg
from samples import SAMPLE, deny_reading, variant

from orchestration.definitions import UNPARTITIONED, defs
from orchestration.settings import Settings
from orchestration.warehouse import connect


def sensor():
    return defs.resolve_sensor_def("inbox_sensor")


def evaluate(cursor=None):
    context = dg.build_sensor_context(cursor=cursor, instance=dg.DagsterInstance.ephemeral())
    result = sensor()(context)
    return result, context.cursor


def of_year(year: int, agency: str = "某某街道办事处") -> str:
    return variant(agency).replace("2021年度", f"{year}年度")


def test_sensor_requests_the_partition_of_the_year_read_from_the_file(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    shutil.copy(SAMPLE, settings.inbox / "named-2019-but-is-2021.txt")
    result, cursor = evaluate()
    assert isinstance(result, dg.RunRequest)
    assert result.partition_key == "2021"  # read from the report, not the file name
    assert result.tags["xxgk/years"] == "2021"
    assert result.tags["xxgk/writer"] == "warehouse"
    assert result.asset_selection is None  # the whole job, for partition 2021

    # Nothing new: no request.
    again, cursor2 = evaluate(cursor)
    assert isinstance(again, dg.SkipReason)

    # A file arriving while the first run is going is requested at the next tick, alone.
    (settings.inbox / "late.txt").write_text(of_year(2022), encoding="utf-8")
    late, cursor3 = evaluate(cursor2)
    assert isinstance(late, dg.RunRequest) and late.run_key != result.run_key
    assert late.partition_key == "2022" and late.tags["xxgk/years"] == "2022"
    # and only once
    assert isinstance(evaluate(cursor3)[0], dg.SkipReason)


def test_files_of_several_years_are_one_run_over_their_range(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    (settings.inbox / "a.txt").write_text(of_year(2023, "甲街道办事处"), encoding="utf-8")
    (settings.inbox / "b.txt").write_text(of_year(2020, "乙街道办事处"), encoding="utf-8")
    (settings.inbox / "c.txt").write_text(of_year(2023, "丙街道办事处"), encoding="utf-8")
    result, cursor = evaluate()
    assert isinstance(result, dg.RunRequest)
    assert result.partition_key is None
    assert result.partition_key_range == dg.PartitionKeyRange("2020", "2023")
    assert result.tags["xxgk/years"] == "2020,2023"
    assert isinstance(evaluate(cursor)[0], dg.SkipReason)


def test_sensor_ignores_symlinks_and_uploads_in_progress(data_dir, tmp_path):
    settings = Settings.from_env()
    settings.ensure_dirs()
    outside = tmp_path / "outside.txt"
    shutil.copy(SAMPLE, outside)
    (settings.inbox / "link.txt").symlink_to(outside)
    (settings.inbox / "report.docx.part").write_text("x")
    result, _ = evaluate()
    assert isinstance(result, dg.SkipReason)


def test_unreadable_file_still_triggers_a_run_without_a_partition(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    (settings.inbox / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    result, cursor = evaluate()
    assert isinstance(result, dg.RunRequest) and result.tags["xxgk/years"] == "unknown"
    assert result.partition_key is None and result.partition_key_range is None
    # ingest, parse, gate, cross-year models and publish; no yearly fact
    assert set(result.asset_selection) == set(UNPARTITIONED)
    assert dg.AssetKey(["raw", "files"]) in result.asset_selection
    assert isinstance(evaluate(cursor)[0], dg.SkipReason)


def test_unknown_year_beside_a_known_one_rides_along(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    (settings.inbox / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    shutil.copy(SAMPLE, settings.inbox / "r.txt")
    result, _ = evaluate()
    # the run ingests the whole inbox, the unreadable file included
    assert result.partition_key == "2021" and result.tags["xxgk/years"] == "2021,unknown"


def schedule_context(when: datetime):
    return dg.build_schedule_context(scheduled_execution_time=when,
                                     repository_def=defs.get_repository_def(),
                                     instance=dg.DagsterInstance.ephemeral())


def test_yearly_schedule_publishes_the_year_just_ended():
    schedule = defs.resolve_schedule_def("yearly_publication")
    assert schedule.cron_schedule == "0 6 1 2 *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    request = schedule.evaluate_tick(schedule_context(datetime(2025, 2, 1, 6))).run_requests[0]
    assert request.partition_key == "2024"
    assert request.tags["dagster/partition"] == "2024"  # resolved against the job's partitions
    assert request.tags["xxgk/years"] == "2024"
    assert request.run_key == "yearly-2024"
    request = schedule.evaluate_tick(schedule_context(datetime(2021, 2, 1, 6))).run_requests[0]
    assert request.partition_key == "2020"


def test_monthly_schedule_skips_when_nothing_arrived(data_dir):
    schedule = defs.resolve_schedule_def("monthly_corrections")
    assert schedule.cron_schedule == "0 6 1 * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    result = schedule.evaluate_tick(schedule_context(datetime(2025, 7, 1, 6)))
    assert not result.run_requests and result.skip_message


def test_monthly_schedule_rebuilds_only_the_years_touched(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    # in the warehouse: a 2020 correction received in June, a 2019 report received in April
    with connect(settings.warehouse) as con:
        for sha, year, received in (("a" * 64, 2020, "2025-06-15 10:00"), ("b" * 64, 2019, "2025-04-02 10:00")):
            con.execute("insert into raw.files values (?, 'x.txt', 'txt', 1, 'p', ?, 'parsed', null)",
                        [sha, received])
            con.execute("insert into raw.reports (report_id, agency, year) values (?, '某局', ?)", [sha, year])
    # in the inbox: a late 2024 report
    (settings.inbox / "late.txt").write_text(of_year(2024), encoding="utf-8")
    schedule = defs.resolve_schedule_def("monthly_corrections")
    request = schedule.evaluate_tick(schedule_context(datetime(2025, 7, 1, 6))).run_requests[0]
    assert request.partition_key_range == dg.PartitionKeyRange("2020", "2024")
    assert request.tags["xxgk/years"] == "2020,2024"  # not 2019: received before last month's run
    assert request.tags["xxgk/month"] == "2025-07" and request.tags["xxgk/writer"] == "warehouse"
    assert request.run_key == "monthly-2025-07"


def test_monthly_schedule_rebuilds_every_year_when_the_warehouse_is_busy(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    schedule = defs.resolve_schedule_def("monthly_corrections")
    with connect(settings.warehouse):  # a run holds the warehouse for writing
        request = schedule.evaluate_tick(schedule_context(datetime(2025, 7, 1, 6))).run_requests[0]
    assert request.partition_key_range == dg.PartitionKeyRange("2019", "2025")
    assert request.tags["xxgk/years"] == "all"


def test_automation_is_on_by_default():
    assert sensor().default_status == dg.DefaultSensorStatus.RUNNING
    for name in ("yearly_publication", "monthly_corrections"):
        assert defs.resolve_schedule_def(name).default_status == dg.DefaultScheduleStatus.RUNNING


def test_a_file_the_sensor_cannot_read_does_not_hold_up_the_others(data_dir, monkeypatch):
    """Simulated (the suite runs as root, which reads any file): the tick requests a run for
    the readable file instead of failing on the other."""
    from orchestration.defs import automation

    settings = Settings.from_env()
    settings.ensure_dirs()
    (settings.inbox / "locked.txt").write_text(of_year(2022, "甲街道办事处"), encoding="utf-8")
    (settings.inbox / "ok.txt").write_text(of_year(2023, "乙街道办事处"), encoding="utf-8")
    deny_reading(monkeypatch, automation, "locked.txt")
    result, _ = evaluate()
    assert isinstance(result, dg.RunRequest)
    assert result.partition_key == "2023" and result.tags["xxgk/years"] == "2023"
