"""What a run rebuilds and tests, and the durable record of every year's last verdict.

A monthly run rebuilds and tests only what it touches, so "only tested and checked rows are
published" needs a memory of what the earlier runs found: ``quality.checked_years`` holds,
per report year and gate (the dbt tests, each blocking GX mart check), the last verdict
(``pending`` while a run is testing it, then ``passed`` or ``failed``), the run, when the
scope was fixed (``tested_as_of``) and a fingerprint of the checks' definitions (tables
created with the others in orchestration/warehouse.py).

A year is *clean* when every gate last passed on it under the current fingerprint. A run's
scope (:func:`plan`) is a set of reports, not of years, so that its cost follows what
arrived:

- every report of a year that is not clean (failed, ``pending`` after a killed run, never
  tested, checks changed) is rebuilt and tested whole;
- in a clean year, only the *changed agency-years*: every version of an agency-year in
  which a report was parsed, validated or received again after the year was last tested
  (a correction changes which version is current, so all of them);
- files of no report year (unreadable, year not printed or out of range) are always in;
- each of these agencies' reports of the next year are tested too (R6/R7 compare a report
  with the agency's report of the year before), not rebuilt.

The scope is written to ``quality.run_scope`` (``rebuild`` false for the next-year reports)
with a row in ``quality.run_plans``; dbt runs with ``XXGK_SCOPE_RUN=<run id>`` and the
incremental marts, the scoped dbt tests and the GX mart checks read those reports
(dbt_project/macros/run_scope.sql). The years the run records a verdict for (*tested*) are
the years of its scope; the others are *settled*. Their rows were tested when they last
changed and have not changed since.

Changes are found by their times (parsed, validated, last received: a file received again
is a change of its receipts in rpt_report_status), so they must come through
the pipeline: a row edited in the warehouse by hand is not seen until its year is tested
whole (a full run). A report parsed again into another agency-year rebuilds its new one; its
former agency-year is rebuilt only if one of its reports changed too (a parser upgrade that
parses every report again changes them all).

A run for some years does not force those years whole: a partition run brings its rows up
to date. A run without partitions, or over every year, is a full run: every report rebuilt
and tested, no scope written. So is a first run, and a run after the checks changed.

A failed or killed run leaves its years failed or pending, so the next run tests them whole,
whatever years that run is for; and publication refuses while any year's last verdict is not
a pass (:func:`blocked_years`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from ..settings import PROJECT_DIR

DBT_GATE = "dbt"
SCOPE_ENV = "XXGK_SCOPE_RUN"  # read by dbt_project/macros/run_scope.sql
# A run's dbt command. dbt's unit tests check the models' logic on fixed inputs, not the
# warehouse: the test suite runs them (tests/dbt); a run leaves them out, as dbt advises for
# production builds.
DBT_BUILD = ("build", "--exclude-resource-type", "unit_test")
# A run that builds every report derives every row again anyway: with --full-refresh its
# incremental models are made anew, so one whose columns changed with the project (an
# upgrade) is rebuilt instead of failing dbt's on_schema_change check.
DBT_BUILD_FULL = (*DBT_BUILD, "--full-refresh")
# The three fact marts carry a blocking GX check each (orchestration/quality/marts.py).
FACT_MARTS = ("fct_applications", "fct_review_litigation", "fct_active_disclosure")
GATES = (DBT_GATE, *(f"gx_{mart}" for mart in FACT_MARTS))

# What decides a verdict: the dbt project (models, tests, macros, the seeds' vocabulary),
# the GX suites and the Python that evaluates them. A change to any of these makes every
# earlier verdict stale, so the next run tests every year.
_FINGERPRINTED = ("dbt_project/dbt_project.yml", "dbt_project/models/**/*", "dbt_project/macros/**/*",
                  "dbt_project/tests/**/*", "seeds/*.csv", "expectations/*.json", "orchestration/quality/*.py")


def fingerprint() -> str:
    """sha256 (16 hex digits) over the names and bytes of the files that define the checks."""
    digest = hashlib.sha256()
    paths = sorted({p for pattern in _FINGERPRINTED for p in PROJECT_DIR.glob(pattern) if p.is_file()})
    for path in paths:
        digest.update(path.relative_to(PROJECT_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Scope:
    """What one run rebuilds and tests. ``rebuilt`` is None for every year (a full run)."""

    rebuilt: list[int] | None  # years rebuilt and tested whole (not clean)
    tested: list[int]  # the years the run records a verdict for
    settled: list[int]
    reports: tuple[tuple[str, bool], ...] = ()  # (report_id, rebuild) of a scoped run

    @property
    def full(self) -> bool:
        return self.rebuilt is None

    @property
    def dbt_command(self) -> tuple[str, ...]:
        return DBT_BUILD_FULL if self.full else DBT_BUILD

    def dbt_env(self, run_id: str) -> dict[str, str]:
        """dbt's environment: the run whose scope (quality.run_scope) the models and tests read.

        An environment variable rather than a ``--vars``: dbt would parse the whole project
        again for every new run id (dbt_project/macros/run_scope.sql)."""
        return {} if self.full else {SCOPE_ENV: run_id}


# dbt's views (int_report_status.sql: every file; int_report_versions.sql: its agency key and
# version groups decide which versions belong together). They exist once a full run has built
# the project, which any clean year implies; the fingerprint covers their definitions.
_STATUS = "main_intermediate.int_report_status"
_VERSIONS = "main_intermediate.int_report_versions"

_SCOPE_SQL = f"""
with last_tested as (
    select year, min(tested_as_of) as tested_as_of
    from quality.checked_years
    where year in (select unnest(?::integer[]))
    group by year
),
files as (
    select s.report_id, s.year, v.agency_key,
           coalesce(v.version_group, 'report|' || s.report_id) as version_group,
           greatest(s.last_received_at, coalesce(s.parsed_at, s.received_at),
                    coalesce(q.validated_at, s.received_at)) as changed_at
    from {_STATUS} s
    left join {_VERSIONS} v using (report_id)
    left join quality.validated_reports q using (report_id)
),
arrived as (
    select files.*
    from files
    left join last_tested using (year)
    where last_tested.tested_as_of is null or files.changed_at > last_tested.tested_as_of
),
rebuilt as (
    select report_id, year from files where version_group in (select version_group from arrived)
),
following as (
    select v.report_id, v.year
    from {_VERSIONS} v
    inner join (select distinct agency_key, year from arrived where agency_key is not null) a
        on v.agency_key = a.agency_key and v.year = a.year + 1
)
select report_id, true as rebuild, year from rebuilt
union all
select distinct report_id, false, year from following where report_id not in (select report_id from rebuilt)
"""


def clean_years(con: duckdb.DuckDBPyConnection, years: list[int], current: str) -> set[int]:
    """Years whose every gate last passed under fingerprint ``current``."""
    rows = con.execute(
        """
        select year from quality.checked_years
        where year in (select unnest(?::integer[]))
        group by year
        having count(*) filter (where verdict = 'passed' and fingerprint = ?) = ?
        """, [years, current, len(GATES)]).fetchall()
    return {row[0] for row in rows}


def plan(con: duckdb.DuckDBPyConnection, run_years: list[int] | None, all_years: list[int],
         current: str) -> Scope:
    """The scope of a run for ``run_years`` (None: every year) among the partitions ``all_years``."""
    everything = Scope(None, list(all_years), [])
    if run_years is None:
        return everything
    clean = clean_years(con, all_years, current)
    if not clean:
        return everything
    try:
        reports = con.execute(_SCOPE_SQL, [sorted(clean)]).fetchall()
    except duckdb.CatalogException:  # dbt's views are gone: build and test everything
        return everything
    tested = sorted((set(all_years) - clean) | {year for _, _, year in reports if year in all_years})
    if set(tested) >= set(all_years):
        return everything
    return Scope(sorted(set(all_years) - clean), tested, sorted(set(all_years) - set(tested)),
                 tuple(sorted((r, bool(rebuild)) for r, rebuild, _ in reports)))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as raw.reports.parsed_at


def start(con: duckdb.DuckDBPyConnection, run_id: str, scope: Scope, current: str) -> None:
    """Fix the run's scope: every gate of its tested years is ``pending`` for this run (not a
    pass until the run says so, so a run killed half-way leaves them to be tested again), and
    a scoped run's reports are written for dbt and the mart checks to read (again, if the
    step is retried). The scopes of runs that hold no pending verdict any more (finished or
    superseded) are dropped."""
    con.execute(
        "insert or replace into quality.checked_years "
        "select year, gate, 'pending', ?, ?, ? from unnest(?::integer[]) as y(year), unnest(?::varchar[]) as g(gate)",
        [run_id, _now(), current, scope.tested, list(GATES)])
    for table in ("run_scope", "run_plans"):
        con.execute(f"delete from quality.{table} where run_id = ? or run_id not in "
                    "(select run_id from quality.checked_years where verdict = 'pending')", [run_id])
    if scope.full:
        return
    ids = [r for r, _ in scope.reports]
    con.execute("insert into quality.run_scope select ?, unnest(?::varchar[]), unnest(?::boolean[])",
                [run_id, ids, [rebuild for _, rebuild in scope.reports]])
    con.execute("insert into quality.run_plans values (?, ?, ?, ?, ?)",
                [run_id, _now(), len(ids), ",".join(map(str, scope.rebuilt)), ",".join(map(str, scope.tested))])


def record(con: duckdb.DuckDBPyConnection, run_id: str, gate: str, years: list[int], passed: bool,
           current: str) -> None:
    """The verdict of ``gate`` over these years. Years this run did not start (a check run on
    its own) are recorded as tested now."""
    con.execute(
        """
        insert or replace into quality.checked_years
        select y.year, ?, ?, ?, coalesce(c.tested_as_of, ?), ?
        from unnest(?::integer[]) as y(year)
        left join quality.checked_years c on c.year = y.year and c.gate = ? and c.run_id = ?
        """, [gate, "passed" if passed else "failed", run_id, _now(), current, years, gate, run_id])


def run_scope(con: duckdb.DuckDBPyConnection, run_id: str, gate: str, all_years: list[int]) -> Scope:
    """The scope this run fixed (:func:`start`) as ``gate`` sees it: its pending years; a
    run that fixed none (a full run, or a check launched on its own) checks every year."""
    if not con.execute("select 1 from quality.run_plans where run_id = ?", [run_id]).fetchall():
        return Scope(None, list(all_years), [])
    tested = sorted(r[0] for r in con.execute(
        "select year from quality.checked_years where run_id = ? and gate = ? and verdict = 'pending'",
        [run_id, gate]).fetchall())
    return Scope([], tested, sorted(set(all_years) - set(tested)))


def blocked_years(con: duckdb.DuckDBPyConnection) -> dict[int, list[str]]:
    """Years whose last verdict of some gate is not a pass, with those gates: publication
    must wait until a run tests them again and they pass."""
    blocked: dict[int, list[str]] = {}
    for year, gate, verdict in con.execute(
            "select year, gate, verdict from quality.checked_years where verdict <> 'passed' "
            "order by year, gate").fetchall():
        blocked.setdefault(year, []).append(f"{gate} {verdict}")
    return blocked


def scope_predicate(run_id: str | None, column: str = "report_id") -> str:
    """SQL: the rows a check reads in run ``run_id``: those of the reports in its scope (rows
    of no report included); everything in a full run. The same rule as the dbt macro
    ``run_scope_test_filter``."""
    if run_id is None:
        return "true"
    quoted = run_id.replace("'", "''")
    return (f"({column} is null or {column} in (select report_id from quality.run_scope "
            f"where run_id = '{quoted}'))")
