"""Publish: validated marts as an immutable, versioned snapshot (Parquet, CSV, a DuckDB
catalog, feedback documents to agencies); ``latest`` moves atomically."""


import dagster as dg

from ..quality.checked_years import blocked_years
from ..stages.publish import MARTS, publish, validation_summary
from .resources import OWNERS, Warehouse


@dg.asset(
    key=["published", "snapshot"],
    deps=[dg.AssetKey(["marts", mart]) for mart in MARTS],
    group_name="publish",
    owners=OWNERS,
    kinds={"parquet", "csv", "python"},
    description="data/published/<NNNNNN>-<content hash>/ with one Parquet and one CSV (UTF-8 "
                "BOM) file per mart, per report year for the fact marts (<mart>/<year>.parquet; "
                "years unchanged since the previous snapshot are hard links to its files); a CSV "
                "of more rows than a spreadsheet holds is zstd-compressed (.csv.zst), "
                "warehouse.duckdb (views over the Parquet files), "
                "feedback/ (a Chinese feedback document per held, unreadable or warned report, "
                "Markdown and HTML) and manifest.json (sha256 and row counts of every file, "
                "rows per mart, "
                "validation summary, source reports, code version); data/published/latest "
                "points at the newest complete snapshot. Unchanged content is not republished.",
)
def published_snapshot(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    settings = warehouse.settings()
    with warehouse.connect(read_only=True) as con:
        # This asset only runs when every blocking check of this run passed; a run tests only
        # its years (quality/checked_years.py), so a year an earlier run found failing (or
        # left pending) must have been tested again and passed before anything is published.
        blocked = blocked_years(con)
        if blocked:
            raise dg.Failure(
                description="not published: report years whose last test or mart check did not pass "
                            f"and that this run did not test again: {blocked}; run warehouse_job "
                            "for those years (or for every year)",
                metadata={"blocked_years": dg.MetadataValue.json({str(k): v for k, v in blocked.items()})})
        validation = validation_summary(con, mart_checks="passed")
        snapshot = publish(con, settings.published, validation, keep=settings.keep_snapshots)
    if snapshot.reused:
        context.log.info(f"content unchanged: latest stays {snapshot.name}")
    manifest = snapshot.manifest
    return dg.MaterializeResult(metadata={
        "snapshot": snapshot.name,
        "reused": snapshot.reused,
        "path": dg.MetadataValue.path(str(snapshot.path)),
        "rows": dg.MetadataValue.json(manifest["rows"]),  # per mart
        "feedback_documents": sum(1 for k in manifest.get("feedback", {})
                                  if k.endswith(".md") and not k.startswith("feedback/index")),
    })
