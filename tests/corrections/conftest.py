"""The shared pipeline fixture (tests/corrections/xxgk_pipeline_fixture.py), built once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corrections"))

from xxgk_pipeline_fixture import shared


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory) -> dict:
    return shared(tmp_path_factory)
