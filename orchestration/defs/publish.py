"""Publish: validated marts as an immutable Parquet snapshot; ``latest`` moves atomically."""


import dagster as dg

from ..stages.publish import MARTS, publish
from .resources import OWNERS, Warehouse


@dg.asset(
    key=["published", "snapshot"],
    deps=[dg.AssetKey(["marts", mart]) for mart in MARTS],
    group_name="publish",
    owners=OWNERS,
    kinds={"parquet", "python"},
    description="data/published/<snapshot>/ with one Parquet file per mart and manifest.json "
                "(row counts, sha256 of each file, validation summary, source reports, code version); "
                "data/published/latest points at the newest complete snapshot.",
)
def published_snapshot(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    settings = warehouse.settings()
    with warehouse.connect(read_only=True) as con:
        validation = {
            "reports_by_status": dict(con.execute(
                "select status, count(*) from main_marts.rpt_report_status group by status order by status").fetchall()),
            "findings_by_rule": dict(con.execute(
                "select rule_id, count(*) from quality.findings group by rule_id order by rule_id").fetchall()),
            "mart_checks": "passed",  # this asset only runs when every blocking mart check passed
        }
        snapshot = publish(con, settings.published, validation, keep=settings.keep_snapshots)
    return dg.MaterializeResult(metadata={
        "snapshot": snapshot.name,
        "path": dg.MetadataValue.path(str(snapshot.path)),
        "rows": dg.MetadataValue.json({k: v["rows"] for k, v in snapshot.manifest["files"].items()}),
    })
