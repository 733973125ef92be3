"""Shared by the benchmark scripts: the machine, a warehouse in a scratch folder, the
pipeline's stages timed one by one (the stage functions and `dbt build` as the pipeline calls
them), peak RSS. Not part of the test suite."""

from __future__ import annotations

import cProfile
import dataclasses
import datetime
import json
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from orchestration.settings import Settings

DBT_PROJECT = ROOT / "dbt_project"


def machine() -> str:
    return (f"machine: {platform.platform()}, {os.cpu_count()} cpus, python {platform.python_version()}, "
            f"{platform.processor() or platform.machine()}")


def settings_for(work: Path, inbox: Path | None = None) -> Settings:
    data = work / "data"
    return dataclasses.replace(
        Settings.from_env(), data_dir=data, inbox=inbox or data / "inbox", archive=data / "archive",
        warehouse=data / "warehouse.duckdb", published=data / "published", validation=data / "validation")


def link_corpus(corpus: Path, inbox: Path) -> int:
    """Hard-link the reports of a generated corpus (``xxgk generate`` output) into a fresh
    ``inbox``, so the corpus stays whole for the next run; returns the number of files."""
    reports = sorted((corpus / "reports").iterdir()) if (corpus / "reports").is_dir() else []
    if not reports:
        # a corpus generated into a bench's own work folder was its inbox: the run archived it
        raise SystemExit(f"{corpus / 'reports'}: no reports to link (not an `xxgk generate` output, "
                         "or one a run has already taken from its inbox)")
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    for path in reports:
        os.link(path, inbox / path.name)
    return sum(1 for _ in inbox.iterdir())


def peak_rss_mb() -> tuple[float, float]:
    """(this process, the largest child process waited for), MiB (Linux ru_maxrss is KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


class Timer:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}  # this process's high-water mark after each stage

    @contextmanager
    def stage(self, name: str):
        """Time the stage; XXGK_BENCH_PROFILE=<stage name> also profiles it (cProfile, the 25
        calls with the most cumulative time printed after it)."""
        profile = cProfile.Profile() if os.environ.get("XXGK_BENCH_PROFILE") == name else None
        started = time.perf_counter()
        if profile:
            profile.enable()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started
            self.peak_mb[name] = peak_rss_mb()[0]
            if profile:
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


def dbt(command: tuple[str, ...], warehouse: Path, work: Path, scope_env: dict[str, str]) -> None:
    """``dbt <command>`` on ``warehouse`` (scoped by ``scope_env``, checked_years.Scope.dbt_env),
    with its target folder in ``work`` so that a later call reuses its parse of the project."""
    env = {**os.environ, "XXGK_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **scope_env}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), *command, "--profiles-dir", str(DBT_PROJECT),
         "--project-dir", str(DBT_PROJECT), "--target-path", str(work / "dbt-target"),
         "--log-path", str(work / "dbt-logs")],
        cwd=DBT_PROJECT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(command)} failed:\n" + result.stdout[-4000:] + result.stderr[-2000:])


def dbt_build(warehouse: Path, work: Path, command: tuple[str, ...], scope_env: dict[str, str]) -> None:
    """The run's dbt command (checked_years.Scope.dbt_command) in its scope's environment."""
    dbt(command, warehouse, work, scope_env)
    if os.environ.get("XXGK_BENCH_DBT_NODES"):  # the slowest nodes of this dbt call
        results = json.loads((work / "dbt-target" / "run_results.json").read_text(encoding="utf-8"))
        nodes = sorted(results["results"], key=lambda r: -r["execution_time"])
        print(f"  dbt build {scope_env or 'full'}: {results['elapsed_time']:.1f} s, "
              f"nodes {sum(r['execution_time'] for r in nodes):.1f} s; slowest: "
              + ", ".join(f"{r['unique_id'].split('.')[-1][:40]} {r['execution_time']:.2f}" for r in nodes[:10]))


def run_pipeline(settings: Settings, work: Path, timer: Timer, run_id: str = "bench",
                 years: str = "all") -> dict:
    """ingest -> parse -> validate (GX gate) -> dbt build -> mart checks -> publish, each timed.

    ``years``: what warehouse_job's run is for. "all": one run over every year partition
    (everything rebuilt and tested); "arrived": the partitions of the reports parsed in this
    run (what the sensor and the monthly schedule request). Like the job: the run's scope
    (orchestration/quality/checked_years.py: the changed agency-years, every year not clean,
    the next year's reports of the changed agencies) is fixed, one `dbt build` re-derives and
    tests it, the blocking GX mart checks judge it, the verdicts are recorded in
    quality.checked_years, then publication. XXGK_BENCH_ONE_DBT_BUILD=1: every run is a full
    one (the job before incremental runs)."""
    from orchestration.quality import checked_years
    from orchestration.quality.marts import MART_VALUES_SQL, mart_gate
    from orchestration.stages.ingest import ingest_inbox
    from orchestration.stages.parse import parse_received
    from orchestration.stages.publish import publish, validation_summary
    from orchestration.stages.validate import validate_pending
    from orchestration.warehouse import connect

    out: dict = {}
    with connect(settings.warehouse) as con:
        known = {r[0] for r in con.execute("select report_id from raw.reports").fetchall()}
        with timer.stage("ingest"):
            out["ingest"] = dataclasses.asdict(ingest_inbox(settings, con))
        with timer.stage("parse"):
            summary = parse_received(con, settings)
            out["parse"] = {"parsed": summary.parsed, "unreadable": summary.unreadable}
        with timer.stage("validate"):
            summary = validate_pending(con, settings.validation, run_id)
            out["validate"] = {"reports": summary.reports, "held": summary.held}
        arrived = sorted({year for report_id, year in con.execute(
            "select report_id, year from raw.reports where year between 2019 and year(current_date)").fetchall()
            if report_id not in known})
    run_years = None if years == "all" or os.environ.get("XXGK_BENCH_ONE_DBT_BUILD") else arrived
    out["years"] = "all" if run_years is None else arrived
    all_years = list(range(2019, datetime.date.today().year + 1))
    with timer.stage("dbt build"):
        current = checked_years.fingerprint()
        with connect(settings.warehouse) as con:
            scope = checked_years.plan(con, run_years, all_years, current)
            checked_years.start(con, run_id, scope, current)
        out["tested"] = "all" if scope.full else scope.tested
        out["scope_reports"] = "all" if scope.full else len(scope.reports)
        dbt_build(settings.warehouse, work, scope.dbt_command, scope.dbt_env(run_id))
        with connect(settings.warehouse) as con:
            checked_years.record(con, run_id, checked_years.DBT_GATE, scope.tested, True, current)
    with connect(settings.warehouse) as con, timer.stage("mart checks"):
        for mart in MART_VALUES_SQL:
            passed, _ = mart_gate(mart, con, None if scope.full else run_id)
            if not passed:
                raise RuntimeError(f"mart check {mart} failed")
            checked_years.record(con, run_id, f"gx_{mart}", scope.tested, passed, current)
    with connect(settings.warehouse, read_only=True) as con, timer.stage("publish"):
        snapshot = publish(con, settings.published, validation_summary(con), keep=3)
        out["publish"] = snapshot.name
    return out


def print_stages(timer: Timer, n: int, label: str) -> None:
    total = sum(timer.stages.values())
    print(f"{label}: {n} reports, total {total:.1f} s ({total / n * 1000:.2f} ms/report)")
    for name, seconds in timer.stages.items():
        print(f"  {name:<10} {seconds:8.2f} s  {seconds / n * 1000:8.3f} ms/report  {100 * seconds / total:5.1f} %"
              f"  peak RSS after: {timer.peak_mb.get(name, 0):6.0f} MiB")


def dump(path: Path | None, payload: dict) -> None:
    if path:
        path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
