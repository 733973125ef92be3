"""Archive -> typed rows: every received file is parsed once into raw.reports/raw.values, or
marked unreadable with the reason."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ..reports.model import ParsedReport, UnreadableReport
from ..reports.parser import PARSER_VERSION, parse_document
from ..reports.readers import read_document

log = logging.getLogger(__name__)


@dataclass
class ParseSummary:
    parsed: int = 0
    unreadable: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # original name -> reason


def parse_file(path: Path, sha256: str, source_name: str) -> ParsedReport:
    """Read and parse one archived file; UnreadableReport names the file and the reason."""
    data = path.read_bytes()
    return parse_document(read_document(data, source_name), sha256)


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


def parse_received(con: duckdb.DuckDBPyConnection) -> ParseSummary:
    """Parse every file still in status 'received'. One bad file never stops the others."""
    summary = ParseSummary()
    pending = con.execute(
        "select sha256, original_name, archive_path from raw.files where status = 'received' order by received_at, sha256"
    ).fetchall()
    for sha256, name, archive in pending:
        try:
            report = parse_file(Path(archive), sha256, name)
        except UnreadableReport as exc:
            _mark_unreadable(con, sha256, str(exc))
            summary.unreadable += 1
            summary.failures[name] = str(exc)
            continue
        except Exception as exc:  # a parser bug must not stop the batch; keep the reason
            log.exception("parser failed on %s", name)
            reason = f"{name}: parser error ({type(exc).__name__}: {exc})"
            _mark_unreadable(con, sha256, reason)
            summary.unreadable += 1
            summary.failures[name] = reason
            continue
        _store(con, report, name)
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
