"""Archive -> typed rows: every received file is parsed once into raw.reports/raw.values, or
marked unreadable with the reason."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from ..fonts import embeddable_font
from ..reports.model import ParsedReport
from ..reports.parser import PARSER_VERSION
from ..settings import Settings
from ..warehouse import FINDING_COLUMNS, QUOTE_COLUMNS
from .supervisor import VALUE_SCHEMA, ParseTask, parse_supervised

log = logging.getLogger(__name__)


@dataclass
class ParseSummary:
    parsed: int = 0
    unreadable: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # original name -> reason


VALUE_COLUMNS = ["report_id", "table_code", "row_code", "column_code", "value", "raw_text", "line"]
# Reports per transaction: one commit per batch, not per report. 1,000 rather than 200: the
# parse stage 9 % faster at 5k reports, mostly fewer commits (bench/RESULTS.md (2c)).
STORE_BATCH = 1000


def _value_rows(report: ParsedReport) -> list[tuple]:
    return [(report.sha256, v.table, v.row, v.column, None if v.value is None else float(v.value), v.raw, v.line)
            for v in report.values]


def _finding_rows(report: ParsedReport) -> list[tuple]:
    return [(report.sha256, f.rule, f.severity, f.table, f.row, f.column, f.expected, f.actual, f.line, None,
             f.message, None) for f in report.findings]


def _quote_rows(report: ParsedReport) -> list[tuple]:
    return [(report.sha256, q.row, float(q.number), q.text, q.line) for q in report.quotes]


def quotes_frame(report: ParsedReport) -> pd.DataFrame:
    """One report's narrative quotes in the shape of raw.narrative_quotes (what R8 reads)."""
    return pd.DataFrame(_quote_rows(report), columns=QUOTE_COLUMNS).astype({"quoted": "float64", "line": "int64"})


def values_frame(report: ParsedReport) -> pd.DataFrame:
    """One report's values in the shape of raw.values (what the invariant checks read)."""
    return pd.DataFrame(_value_rows(report), columns=VALUE_COLUMNS).astype({"value": "float64", "line": "int64"})


def parse_received(con: duckdb.DuckDBPyConnection, settings: Settings) -> ParseSummary:
    """Parse every file still in status 'received', in worker processes under the time and
    memory limits of ``settings``. One bad file never stops the others; results are stored in
    batches of ``STORE_BATCH`` reports, one transaction each, so a crash loses at most the
    two batches in flight (their files stay 'received' and are parsed again by the next run).
    A file set back to 'received' is parsed again and its rows replaced."""
    summary = ParseSummary()
    pending = con.execute(
        "select sha256, original_name, archive_path from raw.files where status = 'received' "
        "order by received_at, sha256"
    ).fetchall()
    tasks = [ParseTask(sha256, name, Path(archive)) for sha256, name, archive in pending]
    if any(task.name.lower().endswith(".pdf") for task in tasks):
        _prepare_pdf_font()
    outcomes = parse_supervised(tasks, settings.parse_workers, settings.parse_timeout_s,
                                settings.parse_memory_mb, settings.max_file_bytes)
    # The store of one batch overlaps the parsing of the next: DuckDB works outside the GIL,
    # so the workers are not left idle while the parent writes.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse-store") as writer:
        storing: Future | None = None
        batch: list = []
        for outcome in outcomes:
            if outcome.report is None:
                summary.unreadable += 1
                summary.failures[outcome.task.name] = outcome.error
                log.warning("unreadable: %s", outcome.error)
            else:
                summary.parsed += 1
            batch.append(outcome)
            if len(batch) >= STORE_BATCH:
                if storing is not None:
                    storing.result()  # one batch in flight; a failed store stops the stage here
                storing = writer.submit(_store, con, batch)
                batch = []
                log.info("parsed %d of %d files", summary.parsed + summary.unreadable, len(tasks))
        if storing is not None:
            storing.result()
        if batch:
            _store(con, batch)
    return summary


def _prepare_pdf_font() -> None:
    """Build the PDF reader's substitute CJK font once per machine (orchestration/fonts.py,
    ~8 s) here, not in a worker, which runs under the parse time and memory limits and only
    uses the font when it is already built."""
    try:
        embeddable_font()
    except Exception as exc:  # noqa: BLE001 - a broken or unreadable system font: read without it
        log.warning("PDFs that name their font are read with the system's fonts: the substitute "
                    "CJK font could not be built (%s: %s)", type(exc).__name__, exc)


def _store(con: duckdb.DuckDBPyConnection, outcomes: list) -> None:
    """Store a batch of parse outcomes in one transaction (set-based: one statement per table)."""
    parsed = [o for o in outcomes if o.report is not None]
    failed = [(o.error, o.task.sha256) for o in outcomes if o.report is None]
    now = datetime.now(UTC).replace(tzinfo=None)
    ids = pd.DataFrame({"report_id": [o.report.sha256 for o in parsed]}, dtype="object")
    reports = pd.DataFrame(
        [(o.report.sha256, o.task.name, o.report.agency, o.report.year, o.report.form_version,
          o.report.report_date, now, PARSER_VERSION) for o in parsed],
        columns=["report_id", "source_name", "agency", "year", "form_version", "report_date", "parsed_at",
                 "parser_version"]).astype({"year": "Int64"})
    values = pa.concat_tables([o.values for o in parsed]) if parsed else VALUE_SCHEMA.empty_table()
    quotes = pd.DataFrame([row for o in parsed for row in _quote_rows(o.report)], columns=QUOTE_COLUMNS
                          ).astype({"quoted": "float64", "line": "Int64"})
    findings = pd.DataFrame([row for o in parsed for row in _finding_rows(o.report)], columns=FINDING_COLUMNS
                            ).astype({"expected": "float64", "actual": "float64", "line": "Int64"})
    con.register("batch_ids", ids)
    con.register("batch_reports", reports)
    con.register("batch_values", values)
    con.register("batch_findings", findings)
    con.register("batch_quotes", quotes)
    con.execute("begin")
    try:
        # Files are parsed once; only a file set back to 'received' has rows to replace, and
        # deleting by id scans whole tables, so it is done only then.
        if con.execute("select count(*) from raw.reports where report_id in (select report_id from batch_ids)"
                       ).fetchall()[0][0]:
            for table in ("raw.reports", 'raw."values"', "raw.parse_findings", "raw.narrative_quotes"):
                con.execute(f"delete from {table} where report_id in (select report_id from batch_ids)")
        con.execute("insert into raw.reports select report_id, source_name, agency, year::integer, form_version, "
                    "report_date::date, parsed_at, parser_version from batch_reports")
        con.execute('insert into raw."values" select * from batch_values')
        con.execute("insert into raw.parse_findings by name select * from batch_findings")
        con.execute("insert into raw.narrative_quotes by name select * from batch_quotes")
        con.execute("update raw.files set status = 'parsed', error = null "
                    "where sha256 in (select report_id from batch_ids)")
        if failed:
            con.executemany("update raw.files set status = 'unreadable', error = ? where sha256 = ?", failed)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        for name in ("batch_ids", "batch_reports", "batch_values", "batch_findings", "batch_quotes"):
            con.unregister(name)
