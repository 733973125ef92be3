"""Shared fixtures: an isolated data directory for every XXGK_* path."""

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

    project = Path(__file__).resolve().parents[1] / "dbt_project"
    if not (project / "target" / "manifest.json").exists():
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run([str(dbt), "parse", "--quiet", "--profiles-dir", "."], cwd=project, check=True)
