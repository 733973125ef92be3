"""Submission status on a generated corpus: its registry, reports received on their
submission dates (before and after the 31 January deadline), reports held by an error,
corrected resubmissions, unreadable files and reports that never arrived.

The expected status of every agency x year is worked out here from the generator's own
records (files.csv, truth.jsonl, the files' dates), not from the pipeline."""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from xxgk_pipeline_fixture import run_dbt, settings_for

from orchestration.generate import Options, faults, generate
from orchestration.stages.ingest import ingest_inbox
from orchestration.stages.parse import parse_received
from orchestration.stages.validate import validate_pending
from orchestration.warehouse import connect

YEARS = (2022, 2023)
# held (an R1 typo), held then corrected, unreadable, or clean
WEIGHTS = {"R1": 3, "corrected": 3, "unreadable_random": 2}


def dbt(args: list[str], warehouse: Path, work: Path) -> None:
    vars_ = json.dumps({"first_report_year": YEARS[0], "last_report_year": YEARS[-1]})
    result = run_dbt([*args, "--vars", vars_], warehouse, work)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("submission_status")
    out = root / "corpus"
    saved = dict(faults.FAULT_WEIGHTS)
    faults.FAULT_WEIGHTS.clear()
    faults.FAULT_WEIGHTS.update(WEIGHTS)
    try:  # one worker: the patched weights live in this process
        generate(out, 24, Options(years=YEARS, formats=("txt",), fault_rate=0.5, seed=17), workers=1)
    finally:
        faults.FAULT_WEIGHTS.clear()
        faults.FAULT_WEIGHTS.update(saved)
    with open(out / "files.csv", encoding="utf-8", newline="") as handle:
        files = list(csv.DictReader(handle))
    truth = [json.loads(line) for line in (out / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    # three agency-years never arrive: every file of theirs is withdrawn before ingest
    reports = sorted({(f["agency_code"], f["year"]) for f in files if f["kind"] == "report"})
    withdrawn = set(reports[1:len(reports):len(reports) // 3][:3])
    for f in files:
        if (f["agency_code"], f["year"]) in withdrawn:
            (out / "reports" / f["file"]).unlink()
    files = [f for f in files if (f["agency_code"], f["year"]) not in withdrawn]
    submitted = {f["file"]: datetime.fromtimestamp((out / "reports" / f["file"]).stat().st_mtime, UTC).date()
                 for f in files}

    settings = dataclasses.replace(settings_for(root), inbox=out / "reports")
    settings.ensure_dirs()
    with connect(settings.warehouse) as con:
        ingest_inbox(settings, con)
        # the files arrived on their submission dates, not all today
        con.register("arrivals", pd.DataFrame(
            {"name": list(submitted), "at": [datetime(d.year, d.month, d.day, 9) for d in submitted.values()]}))
        con.execute("update raw.receipts set received_at = a.at from arrivals a where original_name = a.name")
        con.execute("update raw.files set received_at = a.at from arrivals a where original_name = a.name")
        parse_received(con, settings)
        validate_pending(con, settings.validation, "generated")
    work = root / "dbt"
    dbt(["seed"], settings.warehouse, work)
    with connect(settings.warehouse) as con:  # the generated registry instead of the sample one
        con.execute("delete from main.agencies")
        con.execute("insert into main.agencies select * from read_csv(?, all_varchar = true, header = true)",
                    [str(out / "agencies.csv")])
    dbt(["build", "--exclude", "resource_type:seed"], settings.warehouse, work)
    return {"files": files, "truth": truth, "submitted": submitted, "withdrawn": withdrawn,
            "warehouse": settings.warehouse, "registry": out / "agencies.csv"}


def expected_status(corpus) -> dict[tuple[str, int], str]:
    errors = {t["file"] for t in corpus["truth"] if t.get("rule") in ("R1", "R2", "R3", "R4", "R5")}
    unreadable = {t["file"] for t in corpus["truth"] if t.get("rule") == "unreadable"}
    with open(corpus["registry"], encoding="utf-8", newline="") as handle:
        codes = [row["agency_code"] for row in csv.DictReader(handle)]
    out = {}
    for code in codes:
        for year in YEARS:
            mine = [f for f in corpus["files"] if f["agency_code"] == code and int(f["year"]) == year
                    and f["file"] not in unreadable and f["kind"] != "non_report"]
            if not mine:
                out[(code, year)] = "missing"
            elif all(f["file"] in errors for f in mine):
                out[(code, year)] = "held"
            else:
                first = min(corpus["submitted"][f["file"]] for f in mine)
                out[(code, year)] = "on_time" if first < date(year + 1, 2, 1) else "late"
    return out


def test_every_agency_year_has_the_status_the_generator_implies(corpus):
    con = duckdb.connect(str(corpus["warehouse"]), read_only=True)
    try:
        rows = con.execute("select agency_code, year, status from main_marts.fct_submission_status "
                           "where is_registered").fetchall()
        unregistered = con.execute("select count(*) from main_marts.fct_submission_status "
                                   "where not is_registered").fetchall()
    finally:
        con.close()
    actual = {(code, year): status for code, year, status in rows}
    expected = expected_status(corpus)
    assert actual == expected
    assert unregistered == [(0,)]
    # the corpus exercises every status
    counts = {s: list(expected.values()).count(s) for s in ("on_time", "late", "held", "missing")}
    assert all(counts.values()), counts
    assert all(expected[(code, int(year))] == "missing" for code, year in corpus["withdrawn"])
