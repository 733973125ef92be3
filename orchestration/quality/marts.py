"""The blocking checks on the fact marts: each mart read back as the long "values" shape and
judged by the GX suites report_invariants and mart_structure (Dagster asset checks
``gx_<mart>_invariants`` in defs/quality.py, and the benchmarks)."""

from __future__ import annotations

from .checked_years import scope_predicate
from .findings import judge
from .gate import run_suite
from .invariants import value_type_frame

MART_SCHEMA = "main_marts"

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


def mart_gate(mart: str, con, settled: list[int] = ()) -> tuple[bool, dict]:
    """Judge one mart with both suites: the form's invariants and the mart's structure.

    ``settled``: report years left out (their rows passed both suites before and did not
    change since: orchestration/quality/checked_years.py); the rest, rows of no year
    included, is judged."""
    values = con.execute(f"{MART_VALUES_SQL[mart]} where {scope_predicate('year', list(settled))}").df()
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
