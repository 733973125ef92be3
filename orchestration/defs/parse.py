"""Parse: every received file becomes typed rows (or an unreadable status with the reason)."""


import dagster as dg

from ..stages.parse import parse_received
from .resources import OWNERS, Warehouse, table_preview


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", "reports"], deps=[["raw", "files"]], group_name="parse", owners=OWNERS,
                     kinds={"python", "duckdb"},
                     description="Report metadata: agency, year, form version, report date, source sha256."),
        dg.AssetSpec(["raw", "values"], deps=[["raw", "files"]], group_name="parse", owners=OWNERS,
                     kinds={"python", "duckdb"},
                     description="Every number of tables A, B and C with FORM.md codes, the cell as "
                                 "printed and its source line; blank cells are NULL."),
        dg.AssetSpec(["raw", "parse_findings"], deps=[["raw", "files"]], group_name="parse",
                     owners=OWNERS, kinds={"python", "duckdb"},
                     description="What the parser could not read: blank cells, missing rows (P1-P4)."),
    ],
)
def parsed_reports(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Parse every file in status 'received'; one bad file never stops the others."""
    with warehouse.connect() as con:
        summary = parse_received(con, warehouse.settings())
        counts = dict(con.execute("select status, count(*) from raw.files group by status").fetchall())
        reports = con.execute("select count(*) from raw.reports").fetchall()[0][0]
        values = con.execute('select count(*) from raw."values"').fetchall()[0][0]
        pfindings = con.execute("select count(*) from raw.parse_findings").fetchall()[0][0]
        preview = table_preview(con, "select source_name, agency, year, form_version, report_date "
                                     "from raw.reports order by parsed_at desc")
    for reason in summary.failures.values():
        context.log.warning(f"unreadable: {reason}")
    yield dg.MaterializeResult(asset_key=["raw", "reports"], metadata={
        "parsed_this_run": summary.parsed, "unreadable_this_run": summary.unreadable,
        "files_by_status": dg.MetadataValue.json(counts),
        "parse_failures": dg.MetadataValue.json(summary.failures),
        "dagster/row_count": reports, "preview": preview})
    yield dg.MaterializeResult(asset_key=["raw", "values"], metadata={"dagster/row_count": values})
    yield dg.MaterializeResult(asset_key=["raw", "parse_findings"], metadata={"dagster/row_count": pfindings})
