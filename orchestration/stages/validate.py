"""The per-report gate: run the GX invariant suite over every report not yet validated and
record its findings (quality.findings); dbt keeps reports with an error finding out of the marts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ..quality.findings import FINDING_COLUMNS, judge
from ..quality.render import validation_html


@dataclass
class ValidationSummary:
    reports: int = 0
    held: int = 0
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    result_path: Path | None = None
    html_path: Path | None = None


def validate_pending(con: duckdb.DuckDBPyConnection, out_dir: Path, run_id: str) -> ValidationSummary:
    summary = ValidationSummary()
    pending = 'select report_id from raw.reports anti join quality.validated_reports using (report_id)'
    values = con.execute(f'select * from raw."values" where report_id in ({pending})').df()
    reports = con.execute(f"select report_id, agency, year from raw.reports where report_id in ({pending})").df()
    ids = reports["report_id"].tolist()
    if not ids:
        return summary
    findings, result = judge(values, reports)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary.result_path = out_dir / f"report_invariants-{run_id}.json"
    summary.result_path.write_text(json.dumps(result.result_json, ensure_ascii=False, indent=1, default=str),
                                   encoding="utf-8")
    summary.html_path = summary.result_path.with_suffix(".html")
    summary.html_path.write_text(validation_html(json.loads(json.dumps(result.result_json, default=str)),
                                                 f"GX validation, run {run_id}"), encoding="utf-8")
    con.execute("begin")
    try:
        con.register("pending_ids", pd.DataFrame({"report_id": ids}))
        con.execute("delete from quality.findings where report_id in (select report_id from pending_ids)")
        con.execute("insert into quality.findings select * from raw.parse_findings "
                    "where report_id in (select report_id from pending_ids)")
        if not findings.empty:
            con.register("gx_findings", findings[FINDING_COLUMNS])
            con.execute("insert into quality.findings select * from gx_findings")
        now = datetime.now(UTC).replace(tzinfo=None)
        con.execute("insert or replace into quality.validated_reports select report_id, ?, ? from pending_ids",
                    [now, run_id])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    summary.reports = len(ids)
    rows = con.execute(
        "select rule_id, count(*) from quality.findings where report_id in (select report_id from pending_ids) "
        "group by rule_id order by rule_id").fetchall()
    summary.findings_by_rule = {rule: n for rule, n in rows}
    summary.held = con.execute(
        "select count(distinct report_id) from quality.findings where severity = 'error' "
        "and report_id in (select report_id from pending_ids)").fetchall()[0][0]
    con.unregister("pending_ids")
    return summary
