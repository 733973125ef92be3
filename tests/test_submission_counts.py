"""fct_submission_status's counts reach its materialization metadata; the dbt event stream is
otherwise passed on unchanged and in order, also when dbt fails."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.defs.submission_counts import submission_counts, with_submission_counts

COUNTS = {"by_status": {"late": 1, "missing": 2, "on_time": 3}, "by_year": {"2023": {"on_time": 3}}}


def events():
    return [dg.Output(None, output_name="marts__dim_report"),
            dg.Output(None, output_name="marts__fct_submission_status", metadata={"x": 1}),
            dg.AssetCheckResult(asset_key=["marts", "fct_submission_status"], passed=True, check_name="c"),
            dg.Output(None, output_name="marts__rpt_submission_rollup")]


def test_counts_from_rows():
    rows = [(2022, "on_time", 2), (2022, "missing", 1), (2023, "on_time", 3), (2023, "held", 1)]
    assert submission_counts(rows) == {
        "by_status": {"held": 1, "missing": 1, "on_time": 5},
        "by_year": {"2022": {"on_time": 2, "missing": 1}, "2023": {"on_time": 3, "held": 1}}}


def test_the_mart_gets_its_counts_read_after_the_stream():
    reads = []
    stream = events()

    def read():
        reads.append(len(out))  # how many events had gone out when the counts were read
        return COUNTS

    out: list = []
    out.extend(with_submission_counts(iter(stream), read=read))
    assert reads == [1]  # after dbt: only the event before the mart had been passed on
    assert [getattr(e, "output_name", None) for e in out] == [getattr(e, "output_name", None) for e in stream]
    mart = out[1]
    assert mart.metadata["x"].value == 1
    assert mart.metadata["submission_status"].value == COUNTS["by_status"]
    assert mart.metadata["status/missing"].value == 2
    assert mart.metadata["submission_status_by_year"].value == COUNTS["by_year"]
    assert "submission_status" not in out[0].metadata


def test_without_the_mart_nothing_is_read():
    def read():
        raise AssertionError("must not read")
    stream = [e for e in events() if getattr(e, "output_name", "") != "marts__fct_submission_status"]
    assert list(with_submission_counts(iter(stream), read=read)) == stream


def test_a_dbt_failure_still_passes_on_what_was_built():
    def failing():
        yield from events()
        raise RuntimeError("dbt exited with 1")

    out = []
    with pytest.raises(RuntimeError):
        for event in with_submission_counts(failing(), read=lambda: COUNTS):
            out.append(event)  # noqa: PERF402 - the events before the exception are the point
    assert len(out) == 4 and "submission_status" not in out[1].metadata
