"""The shared pipeline fixture (tests/corrections/xxgk_pipeline_fixture.py), built once; a
writable copy of its warehouse whose facts span several report years."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corrections"))

from xxgk_pipeline_fixture import shared

from orchestration.stages.publish_reuse import YEAR_MARTS


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory) -> dict:
    return shared(tmp_path_factory)


def copy_year(con: duckdb.DuckDBPyConnection, year: int, source: int = 2021) -> None:
    """Give every fact mart a report year ``year``: a copy of the rows of ``source``."""
    for mart in YEAR_MARTS:
        con.execute(f"insert into main_marts.{mart} select * replace ({year} as year) "
                    f"from main_marts.{mart} where year = {source}")


@pytest.fixture
def add_year():
    return copy_year


@pytest.fixture
def years_con(pipeline, tmp_path):
    """A writable copy of the shared warehouse (the sample's facts are all of 2021) with the
    facts copied to 2020 and 2022 too: years to keep and years to change."""
    path = tmp_path / "years.duckdb"
    shutil.copyfile(pipeline["warehouse"], path)
    con = duckdb.connect(str(path))
    copy_year(con, 2020)
    copy_year(con, 2022)
    yield con
    con.close()
