"""Quality: the per-report gate (GX over every new report) and the blocking GX checks on the
marts, which stop publication when a mart breaks an invariant."""


import dagster as dg

from ..quality import checked_years
from ..quality.gate import run_suite
from ..quality.marts import MART_VALUES_SQL, mart_gate
from ..stages.validate import validate_pending
from ..warehouse import frame
from .partitions import year_numbers
from .resources import OWNERS, Warehouse


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


def _mart_check(mart: str) -> dg.AssetChecksDefinition:
    gate = f"gx_{mart}"

    @dg.asset_check(asset=dg.AssetKey(["marts", mart]), name=f"gx_{mart}_invariants", blocking=True,
                    description=f"GX suites report_invariants and mart_structure over {mart}: "
                                "a failure blocks publication. Judges the reports in the run's "
                                "scope (quality.run_scope), every report in a full run.")
    def check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        run_id = context.run.run_id
        with warehouse.connect() as con:
            scope = checked_years.run_scope(con, run_id, gate, year_numbers())
            passed, metadata = mart_gate(mart, con, None if scope.full else run_id)
            # the verdict is recorded before the result is returned: a later run for other
            # years must test these again if they failed
            checked_years.record(con, run_id, gate, scope.tested, passed, checked_years.fingerprint())
        metadata["years_checked"] = "every year" if scope.full else scope.tested
        return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.ERROR,
                                   metadata={k: dg.MetadataValue.json(v) if isinstance(v, (dict, list)) else v
                                             for k, v in metadata.items()})

    return check


mart_checks = [_mart_check(mart) for mart in MART_VALUES_SQL]


@dg.asset_check(asset=dg.AssetKey(["intermediate", "int_cross_year_checks"]), name="gx_cross_year_invariants",
                description="GX suite cross_year_invariants: R6 (carried over = last year's carried forward) and "
                            "R7 (in-force continuity) between consecutive years of an agency. Warnings. "
                            "Judges the comparisons of the reports in the run's scope, every one in a full run.")
def cross_year_check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    run_id = context.run.run_id
    with warehouse.connect() as con:
        scope = checked_years.run_scope(con, run_id, checked_years.DBT_GATE, year_numbers())
        where = checked_years.scope_predicate(None if scope.full else run_id)
        comparisons = frame(con, f"select * from main_intermediate.int_cross_year_checks where {where}")
    result = run_suite("cross_year_invariants", comparisons)
    failures = {o.meta["rule_id"]: len(o.unexpected) for o in result.outcomes if not o.success}
    examples = [f"{r.rule_id} {r.report_id[:12]} {r.row_code}/{r.column_code}: {r.actual:g} ≠ {r.expected:g}"
                for o in result.outcomes if not o.success for r in o.unexpected.head(5).itertuples()]
    return dg.AssetCheckResult(passed=result.success, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"comparisons": len(comparisons), "failures_by_rule": dg.MetadataValue.json(failures),
                                         "examples": dg.MetadataValue.json(examples)})
