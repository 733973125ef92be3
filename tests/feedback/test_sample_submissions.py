"""The sample submissions of `make run` (seeds/reports/): the clean sample and three copies
with a typo each, breaking R1, R2 and R4. Every finding names the right rule, row, column and
values; the clean report is published; the three are held, listed and sent feedback."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from samples import ROOT, SAMPLE, variant
from xxgk_pipeline_fixture import dbt_build, settings_for

from orchestration.stages.ingest import ingest_inbox
from orchestration.stages.parse import parse_received
from orchestration.stages.publish import parquet_source, publish, validation_summary
from orchestration.stages.validate import validate_pending
from orchestration.warehouse import connect

REPORTS = ROOT / "seeds" / "reports"
# file -> (agency, {source line: cell as typed}) relative to the sample
VARIANTS = {
    "001_r1_row_total_typo.txt": ("和田地区发展和改革委员会", {84: "23"}),
    "002_r2_carried_forward_typo.txt": ("和田地区教育局", {335: "1", 341: "1"}),
    "003_r4_review_upheld_typo.txt": ("和田县人民政府", {383: "1"}),
}


def test_variants_are_the_sample_with_one_typo_each():
    assert sorted(p.name for p in REPORTS.iterdir()) == sorted([SAMPLE.name, *VARIANTS])
    for name, (agency, edits) in VARIANTS.items():
        assert (REPORTS / name).read_bytes() == variant(agency, edits).encode("utf-8"), name


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    settings = settings_for(root)
    settings.ensure_dirs()
    for path in REPORTS.iterdir():
        shutil.copy(path, settings.inbox / path.name)
    with connect(settings.warehouse) as con:
        ingest_inbox(settings, con)
        parse_received(con, settings)
        validate_pending(con, settings.validation, "samples")
    result = dbt_build(settings.warehouse, root / "dbt")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    with connect(settings.warehouse, read_only=True) as con:
        snapshot = publish(con, settings.published, validation_summary(con))
    return settings, snapshot.path


def parquet(folder: Path, mart: str, sql: str) -> list[tuple]:
    return duckdb.sql(sql.replace("{mart}", f"'{folder / parquet_source(mart)}'")).fetchall()


def test_every_finding_names_rule_row_column_and_values(run):
    _, folder = run
    errors = parquet(folder, "fct_findings", """
        select agency, rule_id, row_code, column_code, expected, actual, source_line, arithmetic_zh
        from {mart} where severity = 'error' order by agency, rule_id, column_code""")
    assert errors == [
        ("和田县人民政府", "R4", "review", "total", 1.0, 0.0, 387, "1 + 0 + 0 + 0 = 1 ≠ 0"),
        ("和田地区发展和改革委员会", "R1", "new_received", "total", 22.0, 23.0, 84,
         "22 + 0 + 0 + 0 + 0 + 0 = 22 ≠ 23"),
        ("和田地区发展和改革委员会", "R2", "results_total", "total", 23.0, 22.0, 332,
         "23 + 0 = 23 ≠ 22 + 0 = 22"),
        ("和田地区教育局", "R2", "results_total", "natural_person", 22.0, 23.0, 326,
         "22 + 0 = 22 ≠ 22 + 1 = 23"),
        ("和田地区教育局", "R2", "results_total", "total", 22.0, 23.0, 332, "22 + 0 = 22 ≠ 22 + 1 = 23"),
    ]
    # the typo in the R1 copy also contradicts its narrative (22 applications): a warning
    assert parquet(folder, "fct_findings", "select agency, rule_id, expected, actual from {mart} "
                                           "where severity = 'warning'") == [
        ("和田地区发展和改革委员会", "R8", 23.0, 22.0)]


def test_clean_report_published_and_the_others_listed_as_held(run):
    _, folder = run
    assert parquet(folder, "fct_applications", "select distinct agency from {mart}") == [("和田地区行署办公室",)]
    held = parquet(folder, "rpt_report_status", "select agency from {mart} where status = 'held' order by agency")
    assert held == [("和田县人民政府",), ("和田地区发展和改革委员会",), ("和田地区教育局",)]
    feedback = sorted(p.name for p in (folder / "feedback").glob("2021-*.md"))
    assert [name.split("-")[1] for name in feedback] == ["和田县人民政府", "和田地区发展和改革委员会", "和田地区教育局"]
