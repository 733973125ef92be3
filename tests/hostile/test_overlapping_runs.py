"""Two `dagster job execute` at the same moment on one XXGK_DATA_DIR: no daemon, so no run
queue. They meet on DuckDB's file lock; the Python stages wait for it (XXGK_LOCK_WAIT_S) and
dbt retries its connection (dbt_project/profiles.yml `retries`), so both succeed and the
result is the one of a single run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
from test_crash import assert_latest_is_complete, published_values, run_env

ROOT = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")
WAITED = "is locked by another process; waiting"  # orchestration/warehouse.py


def test_two_overlapping_runs_both_succeed_and_converge(tmp_path):
    env, data = run_env(tmp_path)
    # Create the instance's SQLite storage first: two processes creating it on a fresh
    # DAGSTER_HOME race ("table alembic_version already exists"), a Dagster matter, not ours.
    subprocess.run([str(DAGSTER), "instance", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)

    procs, logs = [], [tmp_path / "a.log", tmp_path / "b.log"]
    try:
        for log in logs:  # output to files: a full pipe would stall a run that holds the lock
            with open(log, "w") as out:
                procs.append(subprocess.Popen(
                    [str(DAGSTER), "job", "execute", "-m", "orchestration.definitions", "-j", "warehouse_job"],
                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        codes = [proc.wait(timeout=1200) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    outputs = [log.read_text(errors="replace") for log in logs]
    assert codes == [0, 0], "\n".join(out[-4000:] for out in outputs)
    assert not [out for out in outputs if "Could not set lock" in out]
    assert any(WAITED in out for out in outputs)  # they really met on the lock

    published = data / "published"
    assert_latest_is_complete(published)
    snapshots = [p for p in published.iterdir() if not p.name.startswith(".") and p.name != "latest"]
    hashes = {json.loads((p / "manifest.json").read_text(encoding="utf-8"))["content_hash"] for p in snapshots}
    assert len(hashes) == 1  # one snapshot, or two with the same content if both published
    values = published_values(published)
    assert {v[0] for v in values} == {"和田地区行署办公室"}  # the dirty report is held
    assert ("和田地区行署办公室", "new_received", "total", 22) in values and len(values) == 175
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw.files").fetchall() == [(2,)]
        assert con.execute("select count(*) from raw.receipts").fetchall() == [(2,)]
        assert con.execute("select count(*) from raw.reports").fetchall() == [(2,)]
        assert con.execute("select count(*) from quality.validated_reports").fetchall() == [(2,)]
    finally:
        con.close()
