"""The blocking checks on the fact marts: each mart read back as the long "values" shape and
judged by the GX suites report_invariants and mart_structure (Dagster asset checks
``gx_<mart>_invariants`` in defs/quality.py, and the benchmarks)."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..warehouse import MART_SCHEMA, frame
from .checked_years import scope_predicate
from .findings import judge
from .gate import run_suite
from .invariants import value_type_frame

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


# Rows judged at a time: a whole national mart in pandas took 17 GiB (100k reports,
# bench/RESULTS.md (2)). Batches are sized in rows, since rows are what a batch holds: ~2,100
# reports of fct_applications (~166 rows each), ~24,000 of the table A and C marts (~14 rows).
# Each batch costs GX's fixed ~0.3 s, so batches of 2,000 reports of every mart spent most of
# the mart checks' time on that (RESULTS (2f)).
MART_BATCH_ROWS = 350_000


def mart_gate(mart: str, con, run_id: str | None = None, batch_reports: int | None = None
              ) -> tuple[bool, dict]:
    """Judge one mart with both suites: the form's invariants and the mart's structure, in
    batches of whole reports (every check is within one report): as many as hold about
    MART_BATCH_ROWS rows, or ``batch_reports``.

    ``run_id``: a run that fixed a scope (orchestration/quality/checked_years.py): only the
    rows of its reports are judged, rows of no report included; the others passed both
    suites before and did not change since. None: every row."""
    scope = scope_predicate(run_id)
    counts = con.execute(f"select report_id, count(*) from {MART_SCHEMA}.{mart} where {scope} "
                         "group by report_id order by report_id").fetchall()
    ids = [report_id for report_id, _ in counts if report_id is not None]
    if batch_reports is None:
        in_scope = sum(n for _, n in counts)
        batch_reports = max(1, MART_BATCH_ROWS * len(ids) // max(in_scope, 1))
    rows, errors_by_rule, failed_structure, first_errors = 0, Counter(), [], []
    for start in range(0, max(len(ids), 1), batch_reports):
        con.register("mart_batch", pd.DataFrame({"report_id": ids[start:start + batch_reports]}, dtype="object"))
        try:
            # a row without a report (the mart's NOT NULL constraint forbids it) still meets the suites
            orphans = " or report_id is null" if start == 0 else ""
            values = frame(con, f"{MART_VALUES_SQL[mart]} where {scope} and "
                                f"(report_id in (select report_id from mart_batch){orphans})")
        finally:
            con.unregister("mart_batch")
        findings, _ = judge(values, rare_failures=True)
        values = values.merge(value_type_frame(), on=["table_code", "column_code"], how="left")
        values["value_type"] = values["value_type"].fillna("count")
        errors = findings[findings["severity"] == "error"]
        structure = run_suite("mart_structure", values, rare_failures=True)
        rows += len(values)
        errors_by_rule.update(errors["rule_id"].tolist())
        failed_structure += [o.meta["rule_id"] for o in structure.outcomes
                             if not o.success and o.meta["rule_id"] not in failed_structure]
        first_errors += errors["message"].tolist()[:5 - len(first_errors)]
    metadata = {
        "rows": rows,
        "invariant_errors_by_rule": dict(sorted(errors_by_rule.items())),
        "failed_structure_rules": failed_structure,
        "first_errors": first_errors,
    }
    return not errors_by_rule and not failed_structure, metadata
