"""The parse stage's store: batches written while the next ones are parsed, every outcome
stored once, and a file set back to 'received' re-parsed with its rows replaced."""

from __future__ import annotations

import hashlib
import shutil

import duckdb
from samples import SAMPLE

from orchestration.reports.parser import parse_document
from orchestration.reports.readers import read_document
from orchestration.settings import Settings
from orchestration.stages import parse
from orchestration.stages.ingest import ingest_inbox
from orchestration.stages.parse import parse_received, values_frame
from orchestration.stages.supervisor import values_table
from orchestration.warehouse import DDL, connect

COUNTS = ("select (select count(*) from raw.reports), (select count(*) from raw.\"values\"), "
          "(select count(*) from raw.narrative_quotes), (select count(*) from raw.parse_findings), "
          "(select count(*) from raw.files where status = 'parsed'), "
          "(select count(*) from raw.files where status = 'unreadable')")


def _inbox(settings: Settings, copies: int) -> None:
    settings.ensure_dirs()
    text = SAMPLE.read_text(encoding="utf-8")
    for i in range(copies):  # distinct bytes, so distinct files: the same report five times
        (settings.inbox / f"{i}.txt").write_text(text + "\n" * (i + 1), encoding="utf-8")
    (settings.inbox / "garbage.txt").write_bytes(b"\xff\xfe\x00 not a report")


def test_batches_overlapping_the_parse_store_every_outcome_once(data_dir, monkeypatch):
    monkeypatch.setattr(parse, "STORE_BATCH", 2)  # 6 files: three batches, two of them in flight
    settings = Settings.from_env()
    _inbox(settings, 5)
    with connect(settings.warehouse) as con:
        ingest_inbox(settings, con)
        summary = parse_received(con, settings)
        reports, values, quotes, findings, parsed, unreadable = con.execute(COUNTS).fetchall()[0]
        per_report = con.execute('select count(*) from raw."values" group by report_id').fetchall()
    assert (summary.parsed, summary.unreadable) == (5, 1)
    assert (reports, parsed, unreadable) == (5, 5, 1)
    assert len(set(per_report)) == 1 and values == 5 * per_report[0][0] and values > 5 * 150
    assert quotes % 5 == 0 and findings % 5 == 0


def test_a_file_set_back_to_received_is_parsed_again_and_replaced(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    shutil.copy(SAMPLE, settings.inbox / SAMPLE.name)
    with connect(settings.warehouse) as con:
        ingest_inbox(settings, con)
        parse_received(con, settings)
        before = con.execute(COUNTS).fetchall()[0]
        con.execute("update raw.files set status = 'received'")
        summary = parse_received(con, settings)
        after = con.execute(COUNTS).fetchall()[0]
        duplicates = con.execute('select count(*) from (select 1 from raw."values" '
                                 'group by report_id, table_code, row_code, column_code having count(*) > 1)'
                                 ).fetchall()[0][0]
    assert summary.parsed == 1
    assert after == before and before[0] == 1 and before[1] > 150
    assert duplicates == 0


def test_the_values_the_workers_send_are_stored_as_parsed():
    """Workers send a report's values as Arrow columns (supervisor.values_table); what lands in
    raw.values is exactly the parsed report's values (values_frame), blank cells included."""
    data = SAMPLE.read_bytes()
    report = parse_document(read_document(data, SAMPLE.name), hashlib.sha256(data).hexdigest())
    report.values[0] = report.values[0]._replace(value=None, raw="-")  # a blank cell
    con = duckdb.connect()
    con.execute(DDL)
    con.register("batch_values", values_table(report))
    con.execute('insert into raw."values" select * from batch_values')
    stored = con.execute('select * from raw."values" order by all').fetchall()
    con.register("expected", values_frame(report))
    assert stored == con.execute("select * from expected order by all").fetchall()
    assert len(stored) == len(report.values) and None in {row[4] for row in stored}
