"""Which report years a run must test, and the durable record of every year's last verdict.

A monthly run rebuilds and tests only what it touches, so "only tested and checked rows are
published" needs a memory of what the earlier runs found: ``quality.checked_years`` holds,
per report year and gate (the dbt tests, each blocking GX mart check), the last verdict
(``pending`` while a run is testing it, then ``passed`` or ``failed``), the run, when the
scope was fixed (``tested_as_of``) and a fingerprint of the checks' definitions (table created with the
others in orchestration/warehouse.py).

A run's scope (:func:`plan`) is

- *rebuilt*: the run's years, every year that is not settled, and every year with a report
  parsed or validated after that year was last tested (a run for the wrong partition still
  tests what arrived);
- *tested*: those years and the year after each (R6/R7 compare a report with the agency's
  report of the year before, so ``fct_findings`` rows of year Y+1 change with year Y);
- *settled*: every other year: each gate's last verdict was ``passed`` under the same
  fingerprint. Only these rows are skipped by the scoped dbt tests and GX mart checks
  (rows of no year, or of a year outside the partitions, are always tested).

A year is *settled* only if every gate passed, so a year that failed (or whose run was
killed: ``pending``) is tested again by the next run, whatever years that run is for; and
publication refuses while any year's last verdict is not a pass (:func:`blocked_years`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from ..settings import PROJECT_DIR

DBT_GATE = "dbt"
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

    rebuilt: list[int] | None
    tested: list[int]
    settled: list[int]

    @property
    def full(self) -> bool:
        return self.rebuilt is None

    def dbt_vars(self) -> dict:
        """``--vars`` for dbt: the facts' years and the years the scoped tests skip."""
        if self.full:
            return {}
        return {"report_years": self.rebuilt, "settled_years": self.settled}


def settled_years(con: duckdb.DuckDBPyConnection, years: list[int], current: str) -> set[int]:
    """Years whose every gate last passed under fingerprint ``current``, with no report
    parsed or validated since they were tested."""
    rows = con.execute(
        """
        with verdicts as (
            select year, min(tested_as_of) as tested_as_of
            from quality.checked_years
            where year in (select unnest(?::integer[]))
            group by year
            having count(*) filter (where verdict = 'passed' and fingerprint = ?) = ?
        ),
        arrived as (
            select r.year, max(greatest(r.parsed_at, coalesce(v.validated_at, r.parsed_at))) as last_arrival
            from raw.reports r
            left join quality.validated_reports v using (report_id)
            group by r.year
        )
        select verdicts.year
        from verdicts
        left join arrived using (year)
        where arrived.last_arrival is null or arrived.last_arrival <= verdicts.tested_as_of
        """, [years, current, len(GATES)]).fetchall()
    return {row[0] for row in rows}


def plan(con: duckdb.DuckDBPyConnection, run_years: list[int] | None, all_years: list[int],
         current: str) -> Scope:
    """The scope of a run for ``run_years`` (None: every year) among the partitions ``all_years``."""
    if run_years is None:
        return Scope(None, list(all_years), [])
    settled = settled_years(con, all_years, current)
    rebuilt = sorted(set(run_years) | (set(all_years) - settled))
    tested = sorted({y for year in rebuilt for y in (year, year + 1) if y in all_years} | set(rebuilt))
    if set(tested) >= set(all_years):
        return Scope(None, list(all_years), [])
    return Scope(rebuilt, tested, sorted(set(all_years) - set(tested)))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as raw.reports.parsed_at


def start(con: duckdb.DuckDBPyConnection, run_id: str, years: list[int], current: str) -> None:
    """Every gate of these years is ``pending`` for this run: not a pass until the run says
    so, so a run killed half-way leaves them to be tested again."""
    con.execute(
        "insert or replace into quality.checked_years "
        "select year, gate, 'pending', ?, ?, ? from unnest(?::integer[]) as y(year), unnest(?::varchar[]) as g(gate)",
        [run_id, _now(), current, years, list(GATES)])


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
    """The scope this run fixed for ``gate`` (:func:`start`); a run that fixed none (a check
    launched on its own) checks every year."""
    tested = sorted(r[0] for r in con.execute(
        "select year from quality.checked_years where run_id = ? and gate = ? and verdict = 'pending'",
        [run_id, gate]).fetchall())
    if not tested or set(tested) >= set(all_years):
        return Scope(None, list(all_years), [])
    return Scope(tested, tested, sorted(set(all_years) - set(tested)))


def blocked_years(con: duckdb.DuckDBPyConnection) -> dict[int, list[str]]:
    """Years whose last verdict of some gate is not a pass, with those gates: publication
    must wait until a run tests them again and they pass."""
    blocked: dict[int, list[str]] = {}
    for year, gate, verdict in con.execute(
            "select year, gate, verdict from quality.checked_years where verdict <> 'passed' "
            "order by year, gate").fetchall():
        blocked.setdefault(year, []).append(f"{gate} {verdict}")
    return blocked


def scope_predicate(column: str, settled: list[int]) -> str:
    """SQL: the rows a scoped check reads (everything but the settled years); the same rule
    as the dbt macro ``report_year_test_scope``."""
    if not settled:
        return "true"
    return f"({column} is null or {column} not in ({', '.join(str(int(y)) for y in settled)}))"
