"""kill -9 a real `dagster job execute` at several points of a run: `latest` always points at
a complete snapshot (or does not exist yet), and the next run converges to the result of an
uninterrupted one, with no archived file lost or duplicated."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
from samples import LINE_NEW_RECEIVED_NATURAL, SAMPLE, variant

from orchestration.stages.publish import parquet_source

ROOT = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")

# (what the run prints when it reaches the point, a name for the report)
KILL_POINTS = [
    ('STEP_START - Started execution of step "parsed_reports"', "parse"),
    ("START sql table model main_marts", "dbt"),
    ('STEP_START - Started execution of step "published__snapshot"', "publish"),
]


def start_run(env) -> subprocess.Popen:
    return subprocess.Popen(
        [str(DAGSTER), "job", "execute", "-m", "orchestration.definitions", "-j", "warehouse_job"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )


def kill_at(env, marker: str) -> bool:
    """Run until ``marker`` is printed, then SIGKILL the whole process group."""
    proc = start_run(env)
    seen = False
    for line in proc.stdout:
        if marker in line:
            seen = True
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    proc.stdout.close()
    return seen


def assert_latest_is_complete(published: Path) -> None:
    latest = published / "latest"
    if not latest.exists():
        return
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((latest / name).read_bytes()).hexdigest() == meta["sha256"], name


def published_values(published: Path) -> list[tuple]:
    return duckdb.sql(
        f"select agency, row_code, column_code, application_count "
        f"from '{published / 'latest' / parquet_source('fct_applications')}' order by all").fetchall()


def run_env(tmp_path: Path) -> tuple[dict, Path]:
    """The environment of a run with its own DAGSTER_HOME and XXGK_DATA_DIR under tmp_path,
    and that data folder, whose inbox holds the clean sample and a dirty variant (held)."""
    data = tmp_path / "data"
    env = {**os.environ, "XXGK_DATA_DIR": str(data), "DAGSTER_HOME": str(tmp_path / "dagster_home"),
           "XXGK_PARSE_WORKERS": "1"}
    env.pop("XXGK_WAREHOUSE", None)
    (tmp_path / "dagster_home").mkdir()
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster_home" / "dagster.yaml")
    inbox = data / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    (inbox / "dirty.txt").write_text(variant("某某县人民政府", {LINE_NEW_RECEIVED_NATURAL: "23\u00a0"}),
                                     encoding="utf-8")
    return env, data


def test_kill_at_three_points_then_converge(tmp_path):
    env, data = run_env(tmp_path)
    reached = []
    for marker, point in KILL_POINTS:
        if kill_at(env, marker):
            reached.append(point)
        assert_latest_is_complete(data / "published")
    assert reached == ["parse", "dbt", "publish"]

    final = subprocess.run(
        [str(DAGSTER), "job", "execute", "-m", "orchestration.definitions", "-j", "warehouse_job"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert final.returncode == 0, final.stdout[-3000:]
    assert_latest_is_complete(data / "published")

    values = published_values(data / "published")
    assert {v[0] for v in values} == {"和田地区行署办公室"}
    assert ("和田地区行署办公室", "new_received", "total", 22) in values and len(values) == 175
    archived = [p for p in (data / "archive").rglob("*") if p.is_file()]
    assert len(archived) == 2 and not any(p.name.startswith(".") for p in archived)
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw.files").fetchall()[0][0] == 2
        assert con.execute("select count(*) from raw.receipts").fetchall()[0][0] == 2
        assert con.execute("select status, count(*) from raw.files group by all").fetchall() == [("parsed", 2)]
    finally:
        con.close()
    # No half-written snapshot is visible to consumers.
    visible = [p.name for p in (data / "published").iterdir() if not p.name.startswith(".")]
    assert all((data / "published" / name / "manifest.json").exists() for name in visible if name != "latest")
