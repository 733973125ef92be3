"""Transform: the dbt project, one Dagster asset per model and seed, dbt tests as checks.

The fact marts are partitioned by report year, the other models are not (see
defs/partitions.py); one dbt op builds both. A run for some years rebuilds and tests the
reports it touches plus every year not clean (quality/checked_years.py)."""


import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.compat import DBT_PYTHON_VERSION
from packaging import version

from ..quality import checked_years
from ..settings import PROJECT_DIR, Settings
from . import dbt_target
from .partitions import REPORT_YEARS, run_years, year_numbers
from .resources import OWNERS, Warehouse
from .submission_counts import with_submission_counts

# dbt is installed beside this interpreter (the project's venv); put it on PATH so that
# `dagster dev` (which re-parses the dbt project on start) finds it without an activated venv.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=PROJECT_DIR / "dbt_project")
dbt_project.prepare_if_dev()


def dbt_layer(props: Mapping[str, Any]) -> str:
    """staging / intermediate / marts from the model's folder; seeds are the form vocabulary."""
    if props["resource_type"] == "seed":
        return "vocabulary"
    fqn = props.get("fqn", [])
    return fqn[1] if len(fqn) > 2 else "models"


# The year-shaped fact marts (dbt tag year_partitioned) are partitioned by report year; every
# other model and seed is cross-year, unpartitioned. Both kinds live in one dbt op (a
# multi-asset may mix one partitions definition with unpartitioned assets), so a run calls dbt
# once: dbt's start-up (~5 s) is the largest fixed cost of a small monthly run.
YEARLY_TAG = "year_partitioned"


class XxgkTranslator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] in ("model", "seed"):
            layer = dbt_layer(props)
            spec = spec.replace_attributes(key=dg.AssetKey([layer, props["name"]]), group_name=layer,
                                           owners=OWNERS).merge_attributes(kinds={"duckdb"})
            if YEARLY_TAG in props.get("tags", []):
                spec = spec.replace_attributes(partitions_def=REPORT_YEARS)
        return spec


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=XxgkTranslator(),
            name="xxgk_dbt_models",
            # several years = one run and one dbt call (not one per year)
            backfill_policy=dg.BackfillPolicy.single_run())
def xxgk_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """dbt build: seeds, staging, intermediate and marts with their tests.

    A run for some years builds and tests the scope of quality/checked_years.py: the
    agency-years that changed, every report of a year not clean (failed, pending, never
    tested, checks changed) and the next year's reports of the changed agencies; the
    incremental marts re-derive those reports, the tests skip every other report's rows
    (macros/run_scope.sql) and the verdict is recorded per year. A run without partitions
    (or over every year) builds and tests everything, its incremental models made anew
    (checked_years.DBT_BUILD_FULL). A partial selection (a model materialized by hand) builds
    and tests what it selects in full, the same way, and records nothing."""
    # dbt reads the warehouse path from the environment; make it the same absolute path the
    # Python stages use.
    os.environ["XXGK_WAREHOUSE"] = str(Settings.from_env().warehouse)
    years = run_years(context)
    # (context.assets_def is the subset a run selected: compare with the whole project)
    if not context.selected_asset_keys >= set(xxgk_dbt_models.keys):
        context.log.info("partial selection: the selected models over every report")
        yield from build(dbt, context, checked_years.DBT_BUILD_FULL)
        return
    run_id, current = context.run.run_id, checked_years.fingerprint()
    with warehouse.connect() as con:
        scope = checked_years.plan(con, years, year_numbers(), current)
        checked_years.start(con, run_id, scope, current)
    context.log.info("every report" if scope.full else
                     f"{len(scope.reports)} report(s) in scope (run for {years}; years tested whole: "
                     f"{scope.rebuilt or 'none'}); verdicts for {scope.tested}")
    try:
        # No fetch_row_counts(): it opens an in-process adapter connection that would keep the
        # DuckDB file open (with another configuration) while the mart checks read it.
        with environment(scope.dbt_env(run_id)):
            yield from build(dbt, context, scope.dbt_command)
    except Exception:
        with warehouse.connect() as con:
            checked_years.record(con, run_id, checked_years.DBT_GATE, scope.tested, False, current)
        raise
    with warehouse.connect() as con:
        checked_years.record(con, run_id, checked_years.DBT_GATE, scope.tested, True, current)


def build(dbt: DbtCliResource, context: dg.AssetExecutionContext, command: tuple[str, ...]) -> Iterator:
    """``command`` (checked_years.DBT_BUILD or DBT_BUILD_FULL) on the run's selection, streamed
    as Dagster events; then the target folder is kept in order for the next run
    (defs/dbt_target.py)."""
    invocation = dbt.cli(list(command), context=context)
    project_target = dbt_project.project_dir / dbt_project.target_path
    try:
        yield from with_submission_counts(invocation.stream())
        dbt_target.keep_parse_state(invocation.target_path, project_target)
    finally:
        dbt_target.prune_run_folders(project_target, xxgk_dbt_models.op.name)


@contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """os.environ with ``variables`` (dbt's subprocess inherits it), restored afterwards, so
    that a later dbt call in the same process is not scoped by mistake."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class ProjectDbtCli(DbtCliResource):
    """dagster-dbt's resource without two start-up costs that this project never uses, which
    made each run's dbt op ~5 s slower than dbt itself (RESULTS.md (5i)):

    - the version of dbt: dagster-dbt runs ``dbt --version`` in a subprocess (3.5 s, a whole
      dbt start-up) to tell dbt Core from Fusion. The executable is the dbt-core installed
      beside this interpreter (``dbt_executable`` below), so its version is the package's;
    - an in-process dbt adapter (2.2 s: dbt's adapter, profile and macros loaded into the run's
      process). dagster-dbt only uses it for ``fetch_row_counts()`` and
      ``fetch_column_metadata()``, which this project does not call: they would hold the
      DuckDB file open while the mart checks read it.

    Both are private hooks of dagster-dbt (pinned in pyproject.toml);
    tests/test_dbt_cli.py fails when an upgrade stops using them."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return DBT_PYTHON_VERSION

    def _initialize_dbt_core_adapter(self, args):
        return None


dbt_resource = ProjectDbtCli(project_dir=dbt_project, dbt_executable=str(Path(_BIN) / "dbt"))
