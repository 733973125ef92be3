"""DuckDB's memory is bounded for the pipeline's connections and for dbt's
(XXGK_DUCKDB_MEMORY_LIMIT), so a national warehouse spills to disk instead of taking 80 % of
the machine's memory."""

from __future__ import annotations

from pathlib import Path

import yaml

from orchestration.warehouse import connect

PROFILE = Path(__file__).resolve().parents[1] / "dbt_project" / "profiles.yml"


def _limit(path: Path) -> str:
    with connect(path) as con:
        return con.execute("select current_setting('memory_limit')").fetchall()[0][0]


def test_pipeline_connections_take_the_limit_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("XXGK_DUCKDB_MEMORY_LIMIT", raising=False)
    assert _limit(tmp_path / "a.duckdb") == "953.6 MiB"  # the default, 1GB
    monkeypatch.setenv("XXGK_DUCKDB_MEMORY_LIMIT", "300MB")
    assert _limit(tmp_path / "b.duckdb") == "286.1 MiB"


def test_the_dbt_profile_sets_the_same_limit():
    profile = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    settings = profile["xxgk"]["outputs"]["dev"]["settings"]
    assert settings["memory_limit"] == "{{ env_var('XXGK_DUCKDB_MEMORY_LIMIT', '1GB') }}"
