"""The warehouse connection helper waits for a DuckDB lock held by another process, for
``wait_s`` at most (XXGK_LOCK_WAIT_S in the pipeline), and says so in the log."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from orchestration.warehouse import connect

HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(float(sys.argv[2]))"


def hold_lock(path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_waits_for_the_lock_then_opens(tmp_path, caplog):
    path = tmp_path / "warehouse.duckdb"
    holder = hold_lock(path, 3)
    started = time.monotonic()
    with caplog.at_level("WARNING", logger="orchestration.warehouse"), connect(path, wait_s=60) as con:
        waited = time.monotonic() - started
        assert con.execute("select count(*) from raw.files").fetchall() == [(0,)]
    holder.wait()
    assert 1 < waited < 30
    assert "is locked by another process; waiting up to 60 s" in caplog.text
    assert "warehouse lock acquired after" in caplog.text


def test_gives_up_after_wait_s(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    holder = hold_lock(path, 10)
    try:
        started = time.monotonic()
        with pytest.raises(duckdb.IOException, match="lock"), connect(path, wait_s=1):
            pass
        assert 1 <= time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()
