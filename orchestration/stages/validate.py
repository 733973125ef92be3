"""The per-report gate: run the GX invariant suite over every report not yet validated and
record its findings (quality.findings); dbt keeps reports with an error finding out of the marts.

Reports are judged in batches (``batch_reports`` at a time) so memory stays flat however many
reports arrive at once; each batch commits on its own, so a crash re-judges only the batch in
flight.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..quality.findings import judge
from ..quality.render import validation_html
from ..warehouse import FINDING_COLUMNS

# At most ~75 KiB per report while judged (its values, and its checks aggregated into cases;
# GX sees only the distinct cases): at 100k reports the process grew from 756 to 1,244 MiB over
# the stage (bench/RESULTS.md (5o)). GX and the checks query cost a fixed time a call whatever
# the batch ((4b), (4e)), so batches are large: at 10k reports, 1,000 a batch took 2.3x the
# time of 5,000.
BATCH_REPORTS = 10_000


@dataclass
class ValidationSummary:
    reports: int = 0
    held: int = 0
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    result_path: Path | None = None
    html_path: Path | None = None


def _merge_results(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One GX result for the run: per expectation, success only if every batch passed, the
    unexpected counts (GX's distinct cases) and the checks of each rule added up, the first
    examples kept."""
    merged = json.loads(json.dumps(results[0], default=str))
    for other in results[1:]:
        other = json.loads(json.dumps(other, default=str))
        merged["success"] = merged["success"] and other["success"]
        for mine, theirs in zip(merged["results"], other["results"]):
            mine["success"] = mine["success"] and theirs["success"]
            res, more = mine.setdefault("result", {}), theirs.get("result", {})
            res["unexpected_count"] = res.get("unexpected_count", 0) + more.get("unexpected_count", 0)
            res["element_count"] = res.get("element_count", 0) + more.get("element_count", 0)
        for rule, counts in other.get("checks_by_rule", {}).items():
            total = merged.setdefault("checks_by_rule", {}).setdefault(rule, {"evaluated": 0, "failed": 0})
            total["evaluated"] += counts["evaluated"]
            total["failed"] += counts["failed"]
        stats = merged.get("statistics", {})
        stats["successful_expectations"] = sum(r["success"] for r in merged["results"])
        stats["unsuccessful_expectations"] = len(merged["results"]) - stats["successful_expectations"]
    merged["batches"] = len(results)
    return merged


def _judge_batch(con: duckdb.DuckDBPyConnection, ids: list[str], run_id: str) -> dict[str, Any]:
    con.register("batch_ids", pd.DataFrame({"report_id": ids}))
    try:
        # as Arrow, not pandas: the largest input of a batch stays in one copy (~0.3 GB less at
        # 10,000 reports, bench/RESULTS.md (2e))
        values = con.sql('select * from raw."values" where report_id in (select report_id from batch_ids)'
                         ).to_arrow_table()
        reports = con.execute("select report_id, agency, year from raw.reports "
                              "where report_id in (select report_id from batch_ids)").df()
        quotes = con.execute("select * from raw.narrative_quotes "
                             "where report_id in (select report_id from batch_ids)").df()
        findings, result = judge(values, reports, quotes)
        con.execute("begin")
        try:
            con.execute("delete from quality.findings where report_id in (select report_id from batch_ids)")
            con.execute("insert into quality.findings by name select * from raw.parse_findings "
                        "where report_id in (select report_id from batch_ids)")
            if not findings.empty:
                con.register("gx_findings", findings[FINDING_COLUMNS])
                con.execute("insert into quality.findings by name select * from gx_findings")
                con.unregister("gx_findings")
            now = datetime.now(UTC).replace(tzinfo=None)
            con.execute("insert or replace into quality.validated_reports select report_id, ?, ? from batch_ids",
                        [now, run_id])
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return result.result_json
    finally:
        con.unregister("batch_ids")


def validate_pending(con: duckdb.DuckDBPyConnection, out_dir: Path, run_id: str,
                     batch_reports: int = BATCH_REPORTS) -> ValidationSummary:
    summary = ValidationSummary()
    ids = [row[0] for row in con.execute(
        "select report_id from raw.reports anti join quality.validated_reports using (report_id) "
        "order by report_id").fetchall()]
    if not ids:
        return summary
    results = [_judge_batch(con, ids[i:i + batch_reports], run_id) for i in range(0, len(ids), batch_reports)]
    result = _merge_results(results)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary.result_path = out_dir / f"report_invariants-{run_id}.json"
    summary.result_path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    summary.html_path = summary.result_path.with_suffix(".html")
    summary.html_path.write_text(validation_html(result, f"GX validation, run {run_id}"), encoding="utf-8")

    summary.reports = len(ids)
    con.register("judged_ids", pd.DataFrame({"report_id": ids}))
    try:
        rows = con.execute("select rule_id, severity, report_id from quality.findings "
                           "where report_id in (select report_id from judged_ids)").fetchall()
    finally:
        con.unregister("judged_ids")
    summary.findings_by_rule = dict(sorted(Counter(rule for rule, _, _ in rows).items()))
    summary.held = len({report for _, severity, report in rows if severity == "error"})
    return summary
