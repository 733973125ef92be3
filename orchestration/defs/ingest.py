"""Ingest: files dropped in the inbox are archived by content hash and recorded."""


import dagster as dg

from ..stages.ingest import ingest_inbox
from .resources import OWNERS, Warehouse


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", "files"], description="One row per distinct submitted file (sha256), "
                     "its archive path and status (received / parsed / unreadable with the reason).",
                     group_name="ingest", owners=OWNERS, kinds={"python", "duckdb"}),
        dg.AssetSpec(["raw", "receipts"], description="Every pickup of a file from the inbox, "
                     "duplicates included: nothing received goes unrecorded.",
                     group_name="ingest", owners=OWNERS, kinds={"python", "duckdb"}),
    ],
)
def inbox_files(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Archive every file in the inbox unchanged, named by its sha256, and record it."""
    with warehouse.connect() as con:
        summary = ingest_inbox(warehouse.settings(), con)
        total = con.execute("select count(*) from raw.files").fetchall()[0][0]
        receipts = con.execute("select count(*) from raw.receipts").fetchall()[0][0]
    context.log.info(f"ingested {summary.received} file(s): {summary.new_files} new, "
                     f"{summary.duplicates} duplicate(s), skipped {summary.skipped}")
    yield dg.MaterializeResult(asset_key=["raw", "files"], metadata={
        "received_this_run": summary.received, "new_files": summary.new_files,
        "duplicates": summary.duplicates, "dagster/row_count": total,
        "skipped_entries": dg.MetadataValue.json(summary.skipped)})
    yield dg.MaterializeResult(asset_key=["raw", "receipts"], metadata={"dagster/row_count": receipts})
