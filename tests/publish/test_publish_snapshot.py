"""Publication: immutable, versioned snapshots (Parquet, CSV with BOM, a DuckDB catalog,
feedback, manifest); latest moves atomically; idempotent bytes; kill-safety; retention.
The per-year files of the fact marts and their reuse: test_year_files.py."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from samples import trash_removed

from orchestration.settings import Settings
from orchestration.stages import publish as publish_stage
from orchestration.stages.publish import MARTS, open_snapshot, publish, validation_summary
from orchestration.stages.publish_reuse import GRAIN, YEAR_MARTS


@pytest.fixture
def con(pipeline):
    con = duckdb.connect(str(pipeline["warehouse"]), read_only=True)
    yield con
    con.close()


def run(con, published: Path, **kwargs):
    return publish(con, published, validation_summary(con), **kwargs)


def visible(published: Path) -> list[str]:
    return sorted(p.name for p in published.iterdir())


def mart_stems(con, mart: str) -> dict[str, str]:
    """The file stems of a mart in a snapshot -> the SQL condition selecting their rows."""
    if mart not in YEAR_MARTS:
        return {mart: "true"}
    years = con.execute(f"select distinct year from main_marts.{mart} order by year").fetchall()
    return {f"{mart}/{y}": f"year = {y}" for (y,) in years}


def data_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in ("manifest.json", "warehouse.duckdb")}


def test_snapshot_has_parquet_csv_catalog_feedback_and_manifest(con, tmp_path):
    snap = run(con, tmp_path / "published")
    folder = tmp_path / "published" / "latest"
    assert folder.resolve() == snap.path.resolve()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for mart in MARTS:  # rpt_report_status (held / unreadable list) included
        assert manifest["rows"][mart] == con.execute(f"select count(*) from main_marts.{mart}").fetchall()[0][0]
        stems = mart_stems(con, mart)
        assert stems  # the sample's facts are of 2021: one file pair
        for stem, where in stems.items():
            rows = con.execute(f"select count(*) from main_marts.{mart} where {where}").fetchall()[0][0]
            for section, suffix in (("files", "parquet"), ("csv", "csv")):
                entry = manifest[section][f"{stem}.{suffix}"]
                path = folder / f"{stem}.{suffix}"
                assert entry["rows"] == rows > 0
                assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
                assert entry["bytes"] == path.stat().st_size
                assert ("content_key" in entry) == (mart in YEAR_MARTS)
            raw = (folder / f"{stem}.csv").read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")
            assert len(list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))) == rows
    assert set(manifest["files"]) == {f"{stem}.parquet" for m in MARTS for stem in mart_stems(con, m)}
    assert mart_stems(con, "fct_applications") == {"fct_applications/2021": "year = 2021"}
    status = list(csv.DictReader(io.StringIO((folder / "rpt_report_status.csv").read_text("utf-8-sig"))))
    assert {r["status"] for r in status} >= {"held", "unreadable"}
    assert manifest["feedback"] and all(n.startswith("feedback/") for n in manifest["feedback"])
    for name, entry in manifest["feedback"].items():
        assert entry["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
    assert manifest["content_hash"].startswith(snap.name.split("-")[1])
    assert manifest["snapshot"] == snap.name and manifest["sequence"] == 1
    assert manifest["code_version"]
    assert manifest["validation"]["reports_by_status"]["held"] == 1
    # the source reports are the current ones, whose numbers the snapshot publishes
    assert len(manifest["source_reports"]) == 3
    assert (folder / "warehouse.duckdb").exists()
    assert "file_search_path" in (folder / "README.txt").read_text(encoding="utf-8")
    assert "README.txt" in manifest["other"]


def test_csv_is_the_sorted_mart_byte_for_byte(con, tmp_path):
    """The CSV is read back from the snapshot's Parquet file (one sort per file): the same
    bytes as the sorted mart (a fact mart: its year) written straight to CSV."""
    snap = run(con, tmp_path / "published")
    for mart in MARTS:
        for stem, where in mart_stems(con, mart).items():
            direct = tmp_path / f"{stem.replace('/', '-')}.direct.csv"
            order = ", ".join(GRAIN.get(mart, ["all"]))
            con.execute(f"copy (select * from main_marts.{mart} where {where} order by {order}) "
                        f"to '{direct}' (format csv, header true)")
            assert (snap.path / f"{stem}.csv").read_bytes() == b"\xef\xbb\xbf" + direct.read_bytes(), stem


def test_same_content_gives_same_bytes_and_is_not_republished(con, tmp_path):
    first = run(con, tmp_path / "one")
    other = run(con, tmp_path / "two")
    assert data_bytes(first.path) == data_bytes(other.path)  # Parquet, CSV, feedback
    assert first.name == other.name  # named by sequence + content hash, not by the clock
    # publishing an unchanged warehouse again reuses latest: nothing new is written
    before = visible(tmp_path / "one")
    again = run(con, tmp_path / "one")
    assert again.reused and again.name == first.name and visible(tmp_path / "one") == before
    # forced, it is a new snapshot with the same data bytes; only the manifest's
    # timestamps and names differ
    time.sleep(0.01)
    forced = run(con, tmp_path / "one", force=True)
    assert forced.name == "000002-" + first.name.split("-")[1]
    assert data_bytes(forced.path) == data_bytes(first.path)
    m1, m2 = first.manifest, forced.manifest
    differing = {k for k in m1 if m1[k] != m2[k]}
    assert differing <= {"created_at", "snapshot", "sequence", "catalog"}
    assert m1["catalog"]["views"] == m2["catalog"]["views"]
    assert os.readlink(tmp_path / "one" / "latest") == forced.name


@pytest.mark.parametrize("failing", ["_write_csv", "_write_catalog", "_fsync_tree"])
def test_failure_halfway_leaves_latest_and_no_half_snapshot(con, tmp_path, monkeypatch, failing):
    published = tmp_path / "published"
    good = run(con, published)
    before = visible(published)
    calls = []
    real = getattr(publish_stage, failing)

    def boom(*args, **kwargs):
        calls.append(args)
        real(*args, **kwargs)  # the file is written ... then the process "dies"
        raise RuntimeError("killed")

    monkeypatch.setattr(publish_stage, failing, boom)
    with pytest.raises(RuntimeError, match="killed"):
        run(con, published, force=True)
    assert calls
    assert visible(published) == before  # no half snapshot, not even a hidden one
    assert os.readlink(published / "latest") == good.name
    monkeypatch.setattr(publish_stage, failing, real)
    complete = run(con, published, force=True)
    assert os.readlink(published / "latest") == complete.name != good.name
    for section in ("files", "csv", "feedback", "other"):
        assert set(complete.manifest[section]) == set(good.manifest[section])
    assert data_bytes(complete.path) == data_bytes(good.path)


def test_leftovers_of_a_killed_run_are_removed(con, tmp_path):
    published = tmp_path / "published"
    published.mkdir()
    stale = published / ".tmp-deadbeef"
    (stale / "feedback").mkdir(parents=True)
    (stale / "dim_report.parquet").write_bytes(b"half")
    old = time.time() - 2 * publish_stage.STALE_TMP_SECONDS
    os.utime(stale, (old, old))
    run(con, published)
    assert not stale.exists()


def test_retention_follows_xxgk_keep_snapshots(con, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_KEEP_SNAPSHOTS", "2")
    keep = Settings.from_env().keep_snapshots
    assert keep == 2
    published = tmp_path / "published"
    names = [run(con, published, keep=keep, force=True).name for _ in range(4)]
    assert trash_removed(published)
    snapshots = [n for n in visible(published) if n != "latest"]
    assert snapshots == names[-2:]
    assert os.readlink(published / "latest") == names[-1]
    # a re-run with unchanged content publishes nothing new but still applies retention
    again = run(con, published, keep=1)
    assert again.reused and trash_removed(published) and visible(published) == sorted([names[-1], "latest"])


def test_a_pruned_snapshot_is_hidden_at_once_and_removed_without_the_run_waiting(con, tmp_path, monkeypatch):
    """Retention renames the old snapshot to a hidden trash folder (consumers never see it
    half removed) and a detached process unlinks it; publication does not wait for it."""
    published = tmp_path / "published"
    first = run(con, published)
    removals = []
    monkeypatch.setattr(publish_stage, "_remove_detached", removals.append)  # hold the removal
    second = run(con, published, keep=1, force=True)
    [trash] = removals
    assert not first.path.exists() and trash.parent == published and trash.name.startswith(".trash-")
    assert (trash / "manifest.json").exists()  # renamed whole, nothing removed yet
    assert visible(published) == sorted([trash.name, second.name, "latest"])
    monkeypatch.undo()
    publish_stage._remove_detached(trash)
    assert trash_removed(published) and visible(published) == sorted([second.name, "latest"])


def test_trash_left_behind_is_removed_by_the_next_publication(con, tmp_path):
    published = tmp_path / "published"
    run(con, published)
    left = published / ".trash-000000-c0ffee000000-1234abcd"
    (left / "feedback").mkdir(parents=True)
    (left / "feedback" / "doc.md").write_text("x", encoding="utf-8")
    run(con, published, force=True)
    assert not left.exists()


def test_snapshot_duckdb_opens_read_only_from_elsewhere_after_a_move(con, tmp_path, monkeypatch):
    snap = run(con, tmp_path / "published")
    moved = tmp_path / "somewhere" / "else"
    shutil.copytree(snap.path, moved)
    shutil.rmtree(snap.path)  # the original location is gone: no absolute path may remain
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    db = open_snapshot(moved)
    try:
        for mart in MARTS:
            assert db.execute(f"select count(*) from {mart}").fetchall()[0][0] == snap.manifest["rows"][mart]
        views = db.execute("select view_name, sql from duckdb_views() where not internal").fetchall()
        assert {v[0] for v in views} == set(MARTS)
        assert all(str(tmp_path) not in v[1] for v in views)
        with pytest.raises(duckdb.Error):
            db.execute("create table t (x int)")  # read-only
    finally:
        db.close()
    # from inside the folder, a plain read-only connection works too
    monkeypatch.chdir(moved)
    plain = duckdb.connect("warehouse.duckdb", read_only=True)
    try:
        assert plain.execute("select count(*) from dim_report where is_current").fetchall() == [(3,)]
    finally:
        plain.close()


def test_fact_files_are_sorted_by_a_grain_dbt_keeps_unique():
    """A fact mart's files are ordered by its grain alone, which is a total order only while
    the mart's dbt test keeps the grain unique: the two must name the same columns."""
    import yaml

    models = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"
    assert set(GRAIN) == set(YEAR_MARTS)
    for mart, grain in GRAIN.items():
        spec = yaml.safe_load((models / f"{mart}.yml").read_text(encoding="utf-8"))["models"][0]
        combinations = [test["unique_combination_of_columns"]["arguments"]["combination_of_columns"]
                        for test in spec.get("data_tests", []) if "unique_combination_of_columns" in test]
        assert list(grain) in combinations, mart
