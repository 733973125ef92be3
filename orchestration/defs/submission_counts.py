"""fct_submission_status's counts (on time / late / held / missing, per year) as metadata of its
materialization in Dagster.

dbt runs in a subprocess that holds the DuckDB file for writing until it exits, so the counts
cannot be read when dbt reports the model. The event for fct_submission_status, and every
event after it, is held back until the dbt process has ended; then the counts are read
through a read-only connection that is closed before the events go on, in their order.
"""

from collections.abc import Iterable, Iterator

import dagster as dg

from ..settings import Settings
from ..warehouse import connect

MART = dg.AssetKey(["marts", "fct_submission_status"])
COUNTS_SQL = ("select year, status, count(*) from main_marts.fct_submission_status "
              "group by year, status order by year, status")


def submission_counts(rows: Iterable[tuple]) -> dict:
    """{"by_status": {status: n}, "by_year": {"2021": {status: n}}} from (year, status, n)."""
    by_status: dict[str, int] = {}
    by_year: dict[str, dict[str, int]] = {}
    for year, status, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        by_year.setdefault(str(year), {})[status] = count
    return {"by_status": dict(sorted(by_status.items())), "by_year": by_year}


def read_submission_counts() -> dict:
    with connect(Settings.from_env().warehouse, read_only=True) as con:
        return submission_counts(con.execute(COUNTS_SQL).fetchall())


def _is_the_mart(event) -> bool:
    # dagster-dbt names a model's output after its asset key, parts joined by "__"
    return isinstance(event, dg.Output) and event.output_name == "__".join(MART.path)


def with_submission_counts(events: Iterable, read=read_submission_counts) -> Iterator:
    """The dbt event stream unchanged, except that fct_submission_status's Output carries
    ``submission_status`` (counts by status), ``submission_status_by_year`` and one
    ``status/<name>`` number per status."""
    held: list = []
    try:
        for event in events:
            if held or _is_the_mart(event):
                held.append(event)
            else:
                yield event
    except Exception:
        # dbt failed after the mart: what it did build is still recorded, without counts
        yield from held
        raise
    if not held:
        return
    counts = read()  # the dbt process has exited: its write lock is gone
    metadata = {"submission_status": dg.MetadataValue.json(counts["by_status"]),
                "submission_status_by_year": dg.MetadataValue.json(counts["by_year"]),
                **{f"status/{status}": n for status, n in counts["by_status"].items()}}
    yield held[0].with_metadata({**held[0].metadata, **metadata})
    yield from held[1:]
