"""The one Definitions of the xxgk-warehouse code location (``dagster dev -w workspace.yaml``).

Thin by design: each stage lives in its own module under ``defs/``; nothing heavy happens at
import (no DuckDB connection, GX imported only inside the checks).
"""

from __future__ import annotations

import dagster as dg

from .defs.automation import WRITER_TAG, build_automation
from .defs.ingest import inbox_files
from .defs.parse import parsed_reports
from .defs.publish import published_snapshot
from .defs.quality import cross_year_check, mart_checks, report_gate
from .defs.resources import Warehouse
from .defs.transform import dbt_resource, xxgk_dbt_models

warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=dg.AssetSelection.all(),
    description="Inbox to published marts: ingest, parse, gate, dbt build, mart checks, publish. "
                "Partitioned by report year (the fact marts); one run covers a year or a range "
                "of years, a run without a partition every year.",
    tags=WRITER_TAG,
)
ASSETS = [inbox_files, parsed_reports, report_gate, xxgk_dbt_models, published_snapshot]
# what a run for files of no known report year materializes: everything but the yearly facts
UNPARTITIONED = [spec.key for asset in ASSETS for spec in asset.specs if spec.partitions_def is None]
sensors, schedules = build_automation(warehouse_job, UNPARTITIONED)

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=[*mart_checks, cross_year_check],
    jobs=[warehouse_job],
    sensors=sensors,
    schedules=schedules,
    resources={"warehouse": Warehouse(), "dbt": dbt_resource},
    # One process, one writer: DuckDB allows a single writing process, and re-importing the
    # code location per step (the multiprocess default) triples the run time.
    executor=dg.in_process_executor,
)
