"""Shared fixtures (an isolated data directory for every XXGK_* path) and how the suite is
spread over processes by `make test` (pytest-xdist, `-n 2 --dist loadfile
--no-loadscope-reorder`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture

def data_dir(tmp_path, monkeypatch) -> Path:
    """Point every XXGK_* path at a fresh temporary directory."""
    monkeypatch.setenv("XXGK_DATA_DIR", str(tmp_path / "data"))
    for var in ("XXGK_INBOX", "XXGK_ARCHIVE", "XXGK_WAREHOUSE", "XXGK_PUBLISHED", "XXGK_VALIDATION"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "data"


def pytest_configure(config):
    """dagster-dbt reads the dbt manifest when orchestration.definitions is imported: build
    it once if `make prepare` has not (e.g. when pytest is run directly)."""
    import subprocess
    import sys

    if hasattr(config, "workerinput"):  # an xdist worker: the controller has done it
        return
    project = Path(__file__).resolve().parents[1] / "dbt_project"
    if not (project / "target" / "manifest.json").exists():
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run([str(dbt), "parse", "--quiet", "--profiles-dir", "."], cwd=project, check=True)


# Modules that take minutes (measured, see --durations): handed out first, so that the other
# worker works through the short ones meanwhile instead of waiting for them at the end.
SLOW_FIRST = ("tests/ui/", "tests/hostile/test_crash.py", "tests/test_incremental_equivalence.py",
              "tests/test_monthly_scope.py",
              "tests/test_partitions_end_to_end.py", "tests/hostile/test_overlapping_runs.py",
              "tests/test_end_to_end.py")


def pytest_collection_modifyitems(config, items):
    """Start with the slowest modules (xdist keeps this order under `--no-loadscope-reorder`;
    by default it hands out the modules with most tests first).

    Under `--dist loadfile` each module runs whole on one worker (its module fixtures are
    built once); everything that needs the live `dagster dev` is one module,
    tests/ui/test_dagster_dev.py, so only one instance is ever started. (`--dist loadgroup`
    would group across modules, but its xdist_group marks are ignored under pytest 9: xdist
    3.8 renames `item._nodeid`, which pytest 9 no longer reads.)"""

    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return next((i for i, prefix in enumerate(SLOW_FIRST) if path.startswith(prefix)), len(SLOW_FIRST))

    items.sort(key=rank)  # stable: the order inside a module is kept
