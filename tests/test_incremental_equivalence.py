"""A monthly run re-derives only the reports it touches (orchestration/quality/checked_years.py,
dbt_project/macros/run_scope.sql), and leaves the marts exactly as a full rebuild would.

On one warehouse, with warehouse_job in process:
1. a full run over a generated corpus (2019-2025, faults and corrections) minus what arrives
   later;
2. the monthly run for 2023-2025: new first submissions, the corrected resubmissions of those
   years (their first versions held, so the correction becomes current), and a second copy of
   an accepted 2024 report (a new file with the same numbers: it supersedes the first, whose
   rows must leave the facts), and an exact copy of a 2019 report under another name (a
   second receipt of the same file, counted in rpt_report_status) - its scope must be a small
   share of the reports;
3. a full run (no partition): every report rebuilt and tested.
The incremental models after 2 and after 3 are equal, row for row.
"""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest
from samples import pipeline_settings

from orchestration.definitions import defs
from orchestration.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from orchestration.generate import Options, generate
from orchestration.generate.verify import load_files

MARTS = ("main_marts.fct_applications", "main_marts.fct_active_disclosure", "main_marts.fct_review_litigation",
         "main_marts.fct_findings", "main_marts.dim_report", "main_marts.rpt_report_status",
         "main_intermediate.int_cross_year_checks")
LATE = {2023, 2024, 2025}


def run(**kwargs) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("warehouse_job")
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, **kwargs)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return result


def marts(settings) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return {mart.split(".")[1]: con.execute(f"select * from {mart} order by all").fetchall() for mart in MARTS}
    finally:
        con.close()


def query(settings, sql: str) -> list[tuple]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("equivalence")
    corpus = root / "corpus"
    generate(corpus, 16, Options(tuple(range(2019, 2026)), ("txt",), 0.3, 1, negative_changes=False), workers=1)
    files = load_files(corpus)
    firsts = sorted(f["file"] for f in files if f["kind"] == "report" and int(f["year"]) in LATE)
    corrections = sorted(f["file"] for f in files if f["kind"] == "correction" and int(f["year"]) in LATE)
    later = set(firsts[::5]) | set(corrections)
    data = root / "data"
    with pytest.MonkeyPatch.context() as env:
        settings = pipeline_settings(env, data)
        out = {"settings": settings, "later": later, "corrections": corrections}
        for f in files:
            if f["file"] not in later:
                shutil.copy(corpus / "reports" / f["file"], settings.inbox / f["file"])
        out["full"] = run()
        # an accepted 2024 report of run 1, sent again as a new file with the same numbers
        accepted = query(settings, "select source_name from main_marts.dim_report "
                                   "where is_current and year = 2024 order by report_id limit 1")[0][0]
        out["resent"] = accepted
        text = (corpus / "reports" / accepted).read_bytes()
        (settings.inbox / f"resent_{accepted}").write_bytes(text + b"\n")
        # a file of run 1, received again: only its receipts change
        again = query(settings, "select source_name from main_marts.dim_report "
                                "where year = 2019 order by report_id limit 1")[0][0]
        out["again"] = again
        shutil.copy(corpus / "reports" / again, settings.inbox / f"again_{again}")
        for name in sorted(later):
            shutil.copy(corpus / "reports" / name, settings.inbox / name)
        out["monthly"] = run(tags={RANGE_START_TAG: "2023", RANGE_END_TAG: "2025"})
        out["plan"] = query(settings, "select run_id, reports from quality.run_plans")
        out["reports"] = query(settings, "select count(*) from raw.files")[0][0]
        out["after_monthly"] = marts(settings)
        out["rebuilt"] = run()
        out["after_rebuild"] = marts(settings)
        yield out


def test_the_monthly_run_was_scoped_to_a_share_of_the_reports(runs):
    [(run_id, reports)] = runs["plan"]
    assert run_id == runs["monthly"].run_id
    assert runs["corrections"]  # corrected resubmissions were among the arrivals
    assert len(runs["later"]) < reports < runs["reports"] / 2


def test_the_monthly_run_leaves_every_mart_as_a_full_rebuild_does(runs):
    for mart in runs["after_rebuild"]:
        assert runs["after_monthly"][mart] == runs["after_rebuild"][mart], mart
    assert runs["after_rebuild"]["int_cross_year_checks"]  # the rules across years had pairs to compare


def test_a_superseded_report_left_the_facts(runs):
    """The first copy of the re-sent report was current after run 1; after the monthly run its
    second copy is, and the first's rows are gone from the facts."""
    first, second = query(runs["settings"], f"""
        select report_id, status from main_marts.dim_report
        where source_name in ('{runs["resent"]}', 'resent_{runs["resent"]}') order by version""")
    assert first[1] == "superseded" and second[1] == "accepted"
    facts = {row[0] for row in runs["after_monthly"]["fct_applications"]}
    assert first[0] not in facts and second[0] in facts


def test_a_file_received_again_counts_its_receipts(runs):
    """The second receipt of a run-1 file changes only its row in rpt_report_status; the
    monthly run counts it there as a full rebuild does."""
    [(count,)] = query(runs["settings"], f"""
        select receipt_count from main_marts.rpt_report_status where source_name = '{runs["again"]}'""")
    assert count == 2
