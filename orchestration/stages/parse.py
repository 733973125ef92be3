"""Archive -> typed rows: every received file is parsed once into raw.reports/raw.values, or
marked unreadable with the reason."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ..reports.model import ParsedReport
from ..reports.parser import PARSER_VERSION
from ..settings import Settings
from .supervisor import ParseTask, parse_supervised

log = logging.getLogger(__name__)


@dataclass
class ParseSummary:
    parsed: int = 0
    unreadable: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # original name -> reason


def values_frame(report: ParsedReport) -> pd.DataFrame:
    return pd.DataFrame(
        [(report.sha256, v.table, v.row, v.column, None if v.value is None else float(v.value), v.raw, v.line)
         for v in report.values],
        columns=["report_id", "table_code", "row_code", "column_code", "value", "raw_text", "line"],
    ).astype({"value": "float64", "line": "int64"})


def findings_frame(report: ParsedReport) -> pd.DataFrame:
    return pd.DataFrame(
        [(report.sha256, f.rule, f.severity, f.table, f.row, f.column, f.expected, f.actual, f.line, None, f.message)
         for f in report.findings],
        columns=["report_id", "rule_id", "severity", "table_code", "row_code", "column_code",
                 "expected", "actual", "line", "raw_text", "message"],
    ).astype({"expected": "float64", "actual": "float64", "line": "Int64"})


def parse_received(con: duckdb.DuckDBPyConnection, settings: Settings) -> ParseSummary:
    """Parse every file still in status 'received', in worker processes under the time and
    memory limits of ``settings``. One bad file never stops the others; each result is stored
    in its own transaction as it arrives, so a crash loses at most the files in flight."""
    summary = ParseSummary()
    pending = con.execute(
        "select sha256, original_name, archive_path from raw.files where status = 'received' "
        "order by received_at, sha256"
    ).fetchall()
    tasks = [ParseTask(sha256, name, Path(archive)) for sha256, name, archive in pending]
    outcomes = parse_supervised(tasks, settings.parse_workers, settings.parse_timeout_s,
                                settings.parse_memory_mb, settings.max_file_bytes)
    for outcome in outcomes:
        if outcome.report is None:
            _mark_unreadable(con, outcome.task.sha256, outcome.error)
            summary.unreadable += 1
            summary.failures[outcome.task.name] = outcome.error
            log.warning("unreadable: %s", outcome.error)
        else:
            _store(con, outcome.report, outcome.task.name)
            summary.parsed += 1
    return summary


def _mark_unreadable(con, sha256: str, reason: str) -> None:
    con.execute("update raw.files set status = 'unreadable', error = ? where sha256 = ?", [reason, sha256])


def _store(con: duckdb.DuckDBPyConnection, report: ParsedReport, name: str) -> None:
    values = values_frame(report)
    findings = findings_frame(report)
    con.execute("begin")
    try:
        con.execute("delete from raw.reports where report_id = ?", [report.sha256])
        con.execute('delete from raw."values" where report_id = ?', [report.sha256])
        con.execute("delete from raw.parse_findings where report_id = ?", [report.sha256])
        con.execute(
            "insert into raw.reports values (?, ?, ?, ?, ?, ?, ?, ?)",
            [report.sha256, name, report.agency, report.year, report.form_version,
             report.report_date, datetime.now(UTC).replace(tzinfo=None), PARSER_VERSION],
        )
        con.register("new_values", values)
        con.execute('insert into raw."values" select * from new_values')
        con.register("new_findings", findings)
        con.execute("insert into raw.parse_findings select * from new_findings")
        con.execute("update raw.files set status = 'parsed', error = null where sha256 = ?", [report.sha256])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("new_values")
        con.unregister("new_findings")
