"""The GX gate vs the same invariants as one DuckDB SQL query, over the same values.

    .venv/bin/python bench/gx_vs_sql.py --reports 1000 [--repeat 3] [--batch 10000]
    .venv/bin/python bench/gx_vs_sql.py --corpus DIR --no-reference [--repeat 3]

Generates N txt reports (or hard-links the reports of an existing `xxgk generate` output,
`--corpus`), parses them (the parse stage), then times on the same values frame:
(a) the pipeline's gate `judge()`: the checks' numbers grouped into their distinct cases
(rule, expected, actual: the suite reads each rule's pair of numbers) for GX to judge, then the
cells and arithmetic of the checks of the failing cases; once over all N reports, and in calls of
`--batch` reports as the validate stage makes them (default: its batch size); (b) GX alone
(`run_suite` on those cases as the gate calls it, and for reference on the lean frame of every
check, what the gate handed GX until 3 Dec); (c) the same verdicts as one DuckDB query: the
checks query with `where expected is distinct from actual` (every failing check with its cell);
(d) the same in the gate's two steps (every check's numbers, then the cells and arithmetic of
the reports with a failing check). Medians; the ratios gate / the faster SQL and gate / (c). Every check with every column as one pandas
frame (what the gate materialised before 28 Nov) is timed for reference; `--no-reference` skips
that and GX on the lean frame of every check (at 100k reports: 24 M rows as pandas frames).

`--sql-datasource` also times the same suite through GX's SQL datasource over a DuckDB file
holding the lean checks (GX's expectations run as SQL where the data is, through the
duckdb-engine SQLAlchemy dialect of the `bench` extra). GX closes its SQLAlchemy connection
before it fetches a metric's rows, and duckdb-engine's cursor is the connection itself, so
every metric comes back empty ("list index out of range"); this script gives each cursor its
own DuckDB cursor to measure the path at all. Not used by the pipeline.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
from _common import link_corpus, machine, settings_for

from orchestration.generate import Options, generate
from orchestration.quality.findings import CASE_KEYS, judge, rule_columns
from orchestration.quality.gate import row_wise_columns, run_suite
from orchestration.quality.invariants import checks_query
from orchestration.stages.ingest import ingest_inbox
from orchestration.stages.parse import parse_received
from orchestration.stages.validate import BATCH_REPORTS
from orchestration.warehouse import connect


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=BATCH_REPORTS,
                    help="reports per judge() call, as the validate stage batches them")
    ap.add_argument("--corpus", type=Path, default=None, help="run on this generated corpus instead")
    ap.add_argument("--no-reference", action="store_true",
                    help="skip the frames of every check (the gate's paths before 28 Nov and 3 Dec)")
    ap.add_argument("--sql-datasource", action="store_true",
                    help="also time GX's SQL datasource on DuckDB (needs the bench extra)")
    args = ap.parse_args()
    if args.sql_datasource and args.no_reference:
        ap.error("--sql-datasource needs the lean frame of every check (drop --no-reference)")
    print(machine())
    work = Path(tempfile.mkdtemp(prefix="xxgk-gx-"))
    try:
        if args.corpus:
            inbox = work / "inbox"
            print(f"corpus {args.corpus}: {link_corpus(args.corpus, inbox)} files")
        else:
            inbox = work / "corpus" / "reports"
            generate(work / "corpus", max(1, args.reports // 7), Options(tuple(range(2019, 2026)), ("txt",), 0.05, 1))
        settings = settings_for(work, inbox=inbox)
        with connect(settings.warehouse) as con:
            ingest_inbox(settings, con)
            parse_received(con, settings)
            values = con.execute('select * from raw."values"').df()
            reports = con.execute("select report_id, agency, year from raw.reports").df()
            quotes = con.execute("select * from raw.narrative_quotes").df()
        print(f"{len(reports)} reports, {len(values)} values")
        def evaluate(columns: str = "*"):  # every check, as the frame GX would judge
            con, query = checks_query(values, reports, quotes)
            frame = con.execute(f"select {columns} from ({query})").df()
            con.close()
            return frame

        def distinct_cases():  # each distinct case of what the suite's columns are made of
            return evaluate(f"distinct {CASE_KEYS}")

        def as_read(checks):  # the columns the suite reads: <rule>_expected and <rule>_actual
            with duckdb.connect() as con:
                con.register("checks", checks)
                return con.sql(f"select {rule_columns(row_wise_columns('report_invariants'))} from checks").df()

        cases = distinct_cases()
        run_suite("report_invariants", as_read(cases.head(500)), unexpected="values")  # import GX, build the suite
        if not args.no_reference:
            t_eval, checks = timed(evaluate, args.repeat)
            t_lean, lean_frame = timed(lambda: as_read(evaluate(CASE_KEYS)), args.repeat)
            t_gx_every, _ = timed(lambda: run_suite("report_invariants", lean_frame), args.repeat)
        cases = as_read(cases)
        t_gx, _ = timed(lambda: run_suite("report_invariants", cases, unexpected="values"), args.repeat)
        t_judge, (findings, _) = timed(lambda: judge(values, reports, quotes), args.repeat)
        ids = sorted(reports["report_id"])
        batches = [[f[f["report_id"].isin(set(ids[i:i + args.batch]))] for f in (values, reports, quotes)]
                   for i in range(0, len(ids), args.batch)]
        t_batched, batch_findings = timed(lambda: sum(len(judge(*batch)[0]) for batch in batches), args.repeat)

        def sql():
            con, query = checks_query(values, reports, quotes)
            rows = con.execute(f"select * from ({query}) where expected is distinct from actual").fetchall()
            con.close()
            return rows
        t_sql, failing = timed(sql, args.repeat)

        def sql_two_steps():  # the gate's plan with SQL in place of GX: numbers, then details
            con, query = checks_query(values, reports, quotes)
            ids = {r[0] for r in con.execute(f"select report_id from (select report_id, expected, actual "
                                             f"from ({query})) where expected is distinct from actual").fetchall()}
            con.close()
            con, query = checks_query(*(f[f["report_id"].isin(ids)] for f in (values, reports, quotes)))
            rows = con.execute(f"select * from ({query}) where expected is distinct from actual").fetchall()
            con.close()
            return rows
        t_sql2, failing2 = timed(sql_two_steps, args.repeat)
        print(f"failing checks: GX gate {len(findings)}, SQL {len(failing)}, SQL in two steps {len(failing2)}")
        if not args.no_reference:
            print(f"checks frame: {len(checks)} rows")
            print(f"evaluate() (every check, all columns)    {t_eval:8.3f} s")
            print(f"the lean frame of every check            {t_lean:8.3f} s")
            print(f"GX run_suite on the lean frame           {t_gx_every:8.3f} s")
        print(f"GX run_suite on its {len(cases):,} distinct cases  {t_gx:8.3f} s")
        print(f"judge() = the pipeline's gate, one call  {t_judge:8.3f} s")
        print(f"judge() in {len(batches)} calls of <= {args.batch:,} reports {t_batched:8.3f} s, "
              f"failing checks {batch_findings} (the validate stage's batches)")
        print(f"one DuckDB query, failing checks only     {t_sql:8.3f} s")
        print(f"SQL in two steps (numbers, then details)  {t_sql2:8.3f} s")
        best = min(t_sql, t_sql2)
        print(f"ratio gate / SQL: {t_judge / best:.1f}x in one call, {t_batched / best:.1f}x in the stage's "
              f"batches; GX alone / SQL: {t_gx / best:.1f}x (against the faster SQL; against the one query: "
              f"{t_judge / t_sql:.1f}x and {t_batched / t_sql:.1f}x)")
        if args.sql_datasource:
            t_gx_sql, failing_sql = timed(sql_datasource_suite(work, lean_frame), args.repeat)
            print(f"GX run on the SQL datasource (DuckDB)    {t_gx_sql:8.3f} s, failing checks "
                  f"{failing_sql} (pandas datasource: {t_gx_every:.3f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def sql_datasource_suite(work: Path, lean_frame):
    """A function running the suite report_invariants through GX's SQL datasource on a DuckDB
    file holding ``lean_frame`` as table checks; it returns the number of failing checks."""
    import duckdb
    import duckdb_engine
    import great_expectations as gx

    from orchestration.quality.gate import _context, expectation_suite

    # see the module docstring: a cursor of its own per SQLAlchemy cursor
    duckdb_engine.ConnectionWrapper.cursor = lambda self: duckdb_engine.CursorWrapper(
        self._ConnectionWrapper__c.cursor(), self)
    path = work / "checks.duckdb"
    with duckdb.connect(str(path)) as con:
        con.register("lean", lean_frame.reset_index(names="check_row"))
        con.execute("create table checks as select * from lean")
    context = _context()
    suite = context.suites.add(expectation_suite("report_invariants", "report_invariants_sql"))
    batch = (context.data_sources.add_sql("checks_sql", connection_string=f"duckdb:///{path}")
             .add_table_asset("checks", table_name="checks").add_batch_definition_whole_table("all"))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name="report_invariants_sql", data=batch, suite=suite))

    def run() -> int:
        result = validation.run(result_format={"result_format": "COMPLETE",
                                               "unexpected_index_column_names": ["check_row"],
                                               "return_unexpected_index_query": False})
        if any(item.exception_info.get("raised_exception") for item in result.results
               if isinstance(item.exception_info, dict)):
            raise RuntimeError("GX's SQL datasource raised; see the result's exception_info")
        return sum(len(item.result.get("unexpected_index_list") or []) for item in result.results)
    return run


if __name__ == "__main__":
    main()
