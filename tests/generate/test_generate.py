"""The corpus generator (orchestration.generate): its reports satisfy every invariant except
where truth.jsonl says a fault was injected, the pipeline's stages find exactly the injected
faults, and the same seed gives byte-identical output."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
from collections import Counter
from pathlib import Path

import pytest

from orchestration.generate import Options, generate
from orchestration.generate.verify import compare, load_files, load_truth
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import read_document
from orchestration.settings import Settings
from orchestration.stages.ingest import ingest_inbox
from orchestration.stages.parse import parse_received
from orchestration.stages.validate import validate_pending
from orchestration.warehouse import connect

ROOT = Path(__file__).resolve().parents[2]
YEARS = tuple(range(2019, 2026))
# 29 agencies x 7 years = 203 reports; a high fault rate so every kind of fault occurs
TXT = Options(years=YEARS, formats=("txt",), fault_rate=0.25, seed=7)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("corpus")
    summary = generate(out, 29, TXT, workers=2)
    data = out / "data"
    settings = dataclasses.replace(
        Settings.from_env(), data_dir=data, inbox=out / "reports", archive=data / "archive",
        warehouse=data / "warehouse.duckdb", published=data / "published", validation=data / "validation")
    with connect(settings.warehouse) as con:
        ingest_inbox(settings, con)
        parse_received(con, settings)
        validate_pending(con, settings.validation, "generated")
        comparison = compare(out, con)
    return {"out": out, "summary": summary, "comparison": comparison}


def test_corpus_shape(corpus):
    out, summary = corpus["out"], corpus["summary"]
    assert summary.reports >= 200
    with open(out / "agencies.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(ROOT / "seeds" / "agencies.csv", encoding="utf-8", newline="") as handle:
        assert list(rows[0]) == next(csv.reader(handle))
    codes = {r["agency_code"] for r in rows}
    assert len(codes) == len(rows) == 29 and len({r["name"] for r in rows}) == 29
    assert {r["level"] for r in rows} <= {"province", "city", "county", "township", "department"}
    assert all(r["parent_code"] in codes for r in rows if r["parent_code"])
    files = load_files(out)
    by_year = Counter((f["year"], f["form_version"]) for f in files if f["kind"] == "report")
    assert by_year[("2019", "2019")] > by_year[("2019", "2021")] and by_year[("2023", "2021")] > 0
    faults = Counter(t["fault"] for t in load_truth(out))
    for kind in ("R1", "R2", "R4", "P1", "duplicate", "corrected_resubmission"):
        assert faults[kind], (kind, faults)


def test_pipeline_finds_exactly_the_injected_faults(corpus):
    c = corpus["comparison"]
    assert c.expected_findings > 20
    assert c.missing == []
    assert c.extra == []
    assert c.wrong_values == []
    assert c.unreadable_mismatch == []
    assert c.duplicate_mismatch == []


def test_clean_reports_of_every_format_parse_back_without_findings(tmp_path):
    """Every format and both forms: the values as generated, and no finding but P3."""
    out = tmp_path / "all"
    generate(out, 4, Options(years=YEARS, formats=("txt", "docx", "html", "pdf"), fault_rate=0.0, seed=3), workers=1)
    files = load_files(out)
    assert {f["format"] for f in files} == {"txt", "docx", "html", "pdf"}
    for f in files:
        data = (out / "reports" / f["file"]).read_bytes()
        report = parse_document(read_document(data, f["file"]), "0" * 64)
        assert (report.year, report.form_version) == (int(f["year"]), f["form_version"]), f
        assert [x.rule for x in report.findings if x.rule != "P3"] == [], f


def _tree(folder: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(tmp_path):
    opts = Options(years=YEARS, formats=("txt", "docx", "html", "pdf"), fault_rate=0.3, seed=11)
    generate(tmp_path / "a", 5, opts, workers=2)
    generate(tmp_path / "b", 5, opts, workers=1)
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert len(a) > 35 and a == b
    generate(tmp_path / "c", 5, dataclasses.replace(opts, seed=12), workers=2)
    assert _tree(tmp_path / "c") != a


def test_negative_changes_on_the_old_form_are_not_r5(tmp_path):
    """The 2019 form's 本年增/减 is signed: a negative change is a fact, not an R5 error."""
    out = tmp_path / "neg"
    generate(out, 10, Options(years=(2019, 2020), formats=("txt",), fault_rate=0.0, seed=5,
                              negative_changes=True), workers=1)
    settings = dataclasses.replace(
        Settings.from_env(), data_dir=tmp_path, inbox=out / "reports", archive=tmp_path / "archive",
        warehouse=tmp_path / "w.duckdb", published=tmp_path / "p", validation=tmp_path / "v")
    with connect(settings.warehouse) as con:
        ingest_inbox(settings, con)
        parse_received(con, settings)
        validate_pending(con, settings.validation, "neg")
        assert con.execute("select count(*) from raw.\"values\" where column_code = 'change' and value < 0"
                           ).fetchall()[0][0] > 0
        assert compare(out, con).extra == []
