"""Quality: the per-report gate (GX over every new report) and the blocking GX checks on the
marts, which stop publication when a mart breaks an invariant."""


import dagster as dg

from ..quality.findings import judge
from ..quality.gate import run_suite
from ..quality.invariants import value_type_frame
from ..stages.validate import validate_pending
from .resources import OWNERS, Warehouse

MART_SCHEMA = "main_marts"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["quality", "findings"], deps=[["raw", "values"], ["raw", "reports"], ["raw", "parse_findings"]],
                     group_name="quality", owners=OWNERS, kinds={"python", "duckdb", "great_expectations"},
                     description="Findings of the GX suite `report_invariants` (R1-R5, R8, S1-S4) and of the parser (P1-P4): "
                                 "rule, severity, cell, expected vs actual, source line. A report with an "
                                 "error finding is held out of the marts."),
        dg.AssetSpec(["quality", "validated_reports"], deps=[["raw", "reports"]], group_name="quality",
                     owners=OWNERS, kinds={"python", "duckdb"},
                     description="Every report the gate has judged, with when and in which run."),
    ],
)
def report_gate(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Run the GX invariant suite over every report not validated yet."""
    settings = warehouse.settings()
    with warehouse.connect() as con:
        summary = validate_pending(con, settings.validation, context.run.run_id)
        total = con.execute("select count(*) from quality.findings").fetchall()[0][0]
        validated = con.execute("select count(*) from quality.validated_reports").fetchall()[0][0]
    context.log.info(f"validated {summary.reports} report(s), {summary.held} held; findings {summary.findings_by_rule}")
    yield dg.MaterializeResult(asset_key=["quality", "findings"], metadata={
        "reports_validated_this_run": summary.reports, "held_this_run": summary.held,
        "findings_by_rule": dg.MetadataValue.json(summary.findings_by_rule),
        "gx_result": dg.MetadataValue.path(str(summary.result_path)) if summary.result_path else "none this run",
        "gx_report_html": (dg.MetadataValue.url(summary.html_path.as_uri()) if summary.html_path
                           else "none this run"),
        "dagster/row_count": total})
    yield dg.MaterializeResult(asset_key=["quality", "validated_reports"], metadata={"dagster/row_count": validated})


# Each fact mart as the long "values" shape the invariant checks read.
MART_VALUES_SQL = {
    "fct_applications": "select report_id, 'B' as table_code, row_code, column_code, "
                        "application_count::double as value, raw_text, source_line as line "
                        f"from {MART_SCHEMA}.fct_applications",
    "fct_review_litigation": "select report_id, 'C' as table_code, group_code as row_code, measure as column_code, "
                             "case_count::double as value, raw_text, source_line as line "
                             f"from {MART_SCHEMA}.fct_review_litigation",
    "fct_active_disclosure": "select report_id, 'A' as table_code, row_code, measure as column_code, "
                             "value::double as value, raw_text, source_line as line "
                             f"from {MART_SCHEMA}.fct_active_disclosure",
}


def mart_gate(mart: str, con) -> tuple[bool, dict]:
    """Judge one mart with both suites: the form's invariants and the mart's structure."""
    values = con.execute(MART_VALUES_SQL[mart]).df()
    findings, _ = judge(values)
    values = values.merge(value_type_frame(), on=["table_code", "column_code"], how="left")
    values["value_type"] = values["value_type"].fillna("count")
    errors = findings[findings["severity"] == "error"]
    structure = run_suite("mart_structure", values)
    failed_structure = [o.meta["rule_id"] for o in structure.outcomes if not o.success]
    metadata = {
        "rows": len(values),
        "invariant_errors_by_rule": errors.groupby("rule_id").size().to_dict() if not errors.empty else {},
        "failed_structure_rules": failed_structure,
        "first_errors": errors.head(5)["message"].tolist(),
    }
    return errors.empty and structure.success, metadata


def _mart_check(mart: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=dg.AssetKey(["marts", mart]), name=f"gx_{mart}_invariants", blocking=True,
                    description=f"GX suites report_invariants and mart_structure over {mart}: "
                                "a failure blocks publication.")
    def check(warehouse: Warehouse) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            passed, metadata = mart_gate(mart, con)
        return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.ERROR,
                                   metadata={k: dg.MetadataValue.json(v) if isinstance(v, (dict, list)) else v
                                             for k, v in metadata.items()})

    return check


mart_checks = [_mart_check(mart) for mart in MART_VALUES_SQL]


@dg.asset_check(asset=dg.AssetKey(["intermediate", "int_cross_year_checks"]), name="gx_cross_year_invariants",
                description="GX suite cross_year_invariants: R6 (carried over = last year's carried forward) and "
                            "R7 (in-force continuity) between consecutive years of an agency. Warnings.")
def cross_year_check(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        frame = con.execute("select * from main_intermediate.int_cross_year_checks").df()
    result = run_suite("cross_year_invariants", frame)
    failures = {o.meta["rule_id"]: len(o.unexpected) for o in result.outcomes if not o.success}
    examples = [f"{r.rule_id} {r.report_id[:12]} {r.row_code}/{r.column_code}: {r.actual:g} ≠ {r.expected:g}"
                for o in result.outcomes if not o.success for r in o.unexpected.head(5).itertuples()]
    return dg.AssetCheckResult(passed=result.success, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"comparisons": len(frame), "failures_by_rule": dg.MetadataValue.json(failures),
                                         "examples": dg.MetadataValue.json(examples)})
