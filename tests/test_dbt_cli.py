"""The run's dbt resource and dbt's target folder (orchestration/defs/transform.py,
orchestration/defs/dbt_target.py): no `dbt --version` subprocess and no in-process adapter
per run; a run's parse state becomes the project's; old run folders are removed."""

from __future__ import annotations

import importlib.metadata
import inspect
import os
import subprocess
import time
from pathlib import Path

import dagster_dbt.core.resource as dagster_dbt_resource
import pytest
from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.defs import dbt_target
from orchestration.defs.transform import dbt_resource


def test_dbt_version_is_the_installed_dbt_core_and_costs_no_subprocess(monkeypatch):
    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_subprocess)
    resource = dbt_resource.model_copy()  # a fresh cached_property
    assert resource._cli_version == version.parse(importlib.metadata.version("dbt-core"))


def test_the_executable_is_the_dbt_of_this_interpreter_and_has_that_version():
    out = subprocess.run([dbt_resource.dbt_executable, "--version"], capture_output=True, text=True,
                         check=True).stdout
    assert f"installed: {importlib.metadata.version('dbt-core')}" in out


def test_no_adapter_is_opened_in_the_run_process():
    assert dbt_resource._initialize_dbt_core_adapter(["build"]) is None


def test_dagster_dbt_still_calls_the_two_hooks_this_project_replaces():
    """An upgrade of dagster-dbt that renames them would bring back ~5 s per run silently."""
    cli = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in cli and "self._initialize_dbt_core_adapter(" in cli
    assert isinstance(inspect.getattr_static(DbtCliResource, "_cli_version"), type(
        inspect.getattr_static(type(dbt_resource), "_cli_version")))


def test_a_run_hands_its_parse_state_to_the_project(tmp_path):
    project, run = tmp_path / "target", tmp_path / "target" / "xxgk_dbt_models-abc-def"
    run.mkdir(parents=True)
    (project / dbt_target.PARSE_STATE).write_bytes(b"set-up parse")
    (run / dbt_target.PARSE_STATE).write_bytes(b"the run's parse")
    dbt_target.keep_parse_state(run, project)
    assert (project / dbt_target.PARSE_STATE).read_bytes() == b"the run's parse"
    assert sorted(p.name for p in project.iterdir()) == sorted([run.name, dbt_target.PARSE_STATE])  # nothing staged left


def test_a_run_without_a_parse_state_leaves_the_project_one(tmp_path):
    project, run = tmp_path / "target", tmp_path / "target" / "run"
    run.mkdir(parents=True)
    (project / dbt_target.PARSE_STATE).write_bytes(b"set-up parse")
    dbt_target.keep_parse_state(run, project)
    dbt_target.keep_parse_state(project, project)  # a run in the project's own folder
    assert (project / dbt_target.PARSE_STATE).read_bytes() == b"set-up parse"


def test_only_the_newest_run_folders_are_kept(tmp_path):
    now = time.time()
    for age in range(5):
        folder = tmp_path / f"xxgk_dbt_models-{age}"
        (folder / "run").mkdir(parents=True)
        os.utime(folder, (now - age * 60, now - age * 60))
    (tmp_path / "compiled").mkdir()  # the project's own target content is not a run folder
    (tmp_path / "other_op-9").mkdir()
    removed = dbt_target.prune_run_folders(tmp_path, "xxgk_dbt_models", keep=2)
    assert sorted(p.name for p in removed) == ["xxgk_dbt_models-2", "xxgk_dbt_models-3", "xxgk_dbt_models-4"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "compiled", "other_op-9", "xxgk_dbt_models-0", "xxgk_dbt_models-1"]


@pytest.mark.parametrize("keep", [0, 1])
def test_pruning_an_empty_target_folder_removes_nothing(tmp_path: Path, keep: int):
    assert dbt_target.prune_run_folders(tmp_path, "xxgk_dbt_models", keep=keep) == []
