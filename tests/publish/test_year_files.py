"""The fact marts' per-year files: a republication writes only the years that changed and
hard-links the others from the previous snapshot (a copy where a link is refused); years that
appear, disappear or have no rows; an empty mart; retention with shared files; the catalog;
unchanged feedback documents linked too. Disk full while a year is written: test_disk_full.py.

Each test works on a writable copy of the shared warehouse whose facts (the sample's 2021)
are copied to 2020 and 2022 as well (conftest.years_con), so that there are years to keep
and years to change."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest
import zstandard
from samples import trash_removed

from orchestration.stages import publish as publish_stage
from orchestration.stages import publish_reuse
from orchestration.stages.publish import MARTS, open_snapshot, publish, validation_summary
from orchestration.stages.publish_reuse import YEAR_MARTS, year_parts


@pytest.fixture
def con(years_con):
    return years_con


@pytest.fixture
def written(monkeypatch) -> list[tuple[str, str]]:
    """(mart, condition) of every Parquet file publication writes."""
    calls = []
    real = publish_stage._write_parquet

    def spy(con, mart, target, where="true"):
        calls.append((mart, where))
        real(con, mart, target, where)

    monkeypatch.setattr(publish_stage, "_write_parquet", spy)
    return calls


def run(con, published: Path, **kwargs):
    return publish(con, published, validation_summary(con), **kwargs)


def year_files(folder: Path) -> dict[str, os.stat_result]:
    return {p.relative_to(folder).as_posix(): p.stat() for mart in YEAR_MARTS
            for p in sorted((folder / mart).iterdir())}


def assert_complete(folder: Path) -> dict:
    """Every file of the manifest is there with its sha256 and size."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for section in ("files", "csv", "feedback", "other"):
        for name, entry in manifest[section].items():
            data = (folder / name).read_bytes()
            assert (hashlib.sha256(data).hexdigest(), len(data)) == (entry["sha256"], entry["bytes"]), name
    return manifest


def assert_catalog_is_the_marts(con, folder: Path) -> None:
    db = open_snapshot(folder)
    try:
        for mart in MARTS:
            assert db.execute(f"select * from {mart} order by all").fetchall() == \
                con.execute(f"select * from main_marts.{mart} order by all").fetchall(), mart
            assert [c[:2] for c in db.execute(f"describe {mart}").fetchall()] == \
                [c[:2] for c in con.execute(f"describe main_marts.{mart}").fetchall()], mart  # names, types
    finally:
        db.close()


def test_republish_after_a_change_to_one_year_writes_only_that_year(con, tmp_path, written):
    published = tmp_path / "published"
    first = run(con, published)
    assert sorted(year_files(first.path)) == sorted(
        f"{mart}/{year}.{suffix}" for mart in YEAR_MARTS for year in (2020, 2021, 2022) for suffix in ("csv", "parquet"))
    assert [w for w in written if w[0] in YEAR_MARTS] == [
        (mart, f"year = {year}") for mart in YEAR_MARTS for year in (2020, 2021, 2022)]
    changed = con.execute("update main_marts.fct_applications set application_count = application_count + 1 "
                          "where year = 2022 and row_code = 'new_received' and column_code = 'total'").fetchall()
    assert changed[0][0] > 0
    written.clear()

    second = run(con, published)
    assert not second.reused and os.readlink(published / "latest") == second.name
    # the other marts are written every time; of the facts only the changed year
    assert [w for w in written if w[0] in YEAR_MARTS] == [("fct_applications", "year = 2022")]
    assert sorted(m for m, _ in written if m not in YEAR_MARTS) == sorted(set(MARTS) - set(YEAR_MARTS))
    before, after = year_files(first.path), year_files(second.path)
    assert sorted(before) == sorted(after)
    new = {"fct_applications/2022.parquet", "fct_applications/2022.csv"}
    for name, stat in after.items():
        if name in new:
            assert stat.st_ino != before[name].st_ino and stat.st_nlink == 1, name
        else:  # the previous snapshot's file itself, not a copy
            assert stat.st_ino == before[name].st_ino and stat.st_nlink == 2, name
    m1, m2 = first.manifest, assert_complete(second.path)
    for section in ("files", "csv"):
        for name, entry in m2[section].items():
            if name in new:
                assert entry["sha256"] != m1[section][name]["sha256"]
                assert entry["content_key"] != m1[section][name]["content_key"]
                assert entry["rows"] == m1[section][name]["rows"]  # values changed, not rows
            elif name.split("/")[0] in YEAR_MARTS:
                assert entry == m1[section][name]  # sha256, bytes, rows, key from the manifest
    assert m2["rows"] == m1["rows"]
    assert_catalog_is_the_marts(con, second.path)


def test_rows_in_another_order_are_the_same_year(con, tmp_path, written):
    """The content key does not depend on the mart's physical row order (the files are
    sorted when written); a value moved from one row to another changes it."""
    published = tmp_path / "published"
    first = run(con, published)
    keys = {p.stem: p.content_key for p in year_parts(con, "fct_review_litigation")}
    con.execute("create or replace table main_marts.fct_review_litigation as "
                "select * from main_marts.fct_review_litigation order by random()")
    assert {p.stem: p.content_key for p in year_parts(con, "fct_review_litigation")} == keys
    written.clear()
    again = run(con, published)
    assert again.reused and again.name == first.name
    assert not [w for w in written if w[0] in YEAR_MARTS]

    # swap the values of two rows of 2020: the same multiset of values, other rows
    rows = con.execute("select group_code, measure, case_count from main_marts.fct_review_litigation "
                       "where year = 2020 and case_count is not null order by case_count, group_code, measure").fetchall()
    low, high = rows[0], rows[-1]
    assert low[2] != high[2]
    for (group, measure, _), value in ((low, high[2]), (high, low[2])):
        con.execute("update main_marts.fct_review_litigation set case_count = ? "
                    "where year = 2020 and group_code = ? and measure = ?", [value, group, measure])
    changed = {p.stem: p.content_key for p in year_parts(con, "fct_review_litigation")}
    assert changed["2020"] != keys["2020"] and changed["2021"] == keys["2021"]


def test_a_year_that_disappears_and_one_that_appears(con, tmp_path, written, add_year):
    published = tmp_path / "published"
    first = run(con, published)
    for mart in YEAR_MARTS:
        con.execute(f"delete from main_marts.{mart} where year = 2020")
    add_year(con, 2023)
    written.clear()
    second = run(con, published)
    assert [w for w in written if w[0] in YEAR_MARTS] == [(mart, "year = 2023") for mart in YEAR_MARTS]
    files = year_files(second.path)
    for mart in YEAR_MARTS:
        assert sorted(n for n in files if n.startswith(f"{mart}/")) == [
            f"{mart}/{year}.{suffix}" for year in (2021, 2022, 2023) for suffix in ("csv", "parquet")]
        for year in (2021, 2022):
            assert files[f"{mart}/{year}.parquet"].st_ino == (first.path / mart / f"{year}.parquet").stat().st_ino
    manifest = assert_complete(second.path)
    assert not [n for n in (*manifest["files"], *manifest["csv"]) if "/2020." in n]
    assert manifest["files"]["fct_applications/2023.parquet"]["rows"] == \
        first.manifest["files"]["fct_applications/2021.parquet"]["rows"]
    db = open_snapshot(second.path)
    try:
        assert db.execute("select distinct year from fct_applications order by year").fetchall() == \
            [(2021,), (2022,), (2023,)]
    finally:
        db.close()
    assert_catalog_is_the_marts(con, second.path)


def test_an_empty_mart_and_a_year_without_rows_in_one_mart(con, tmp_path):
    con.execute("create temp table kept as select * from main_marts.fct_review_litigation where year = 2021")
    con.execute("delete from main_marts.fct_review_litigation")
    con.execute("delete from main_marts.fct_active_disclosure where year = 2022")
    published = tmp_path / "published"
    snap = run(con, published)
    assert list((snap.path / "fct_review_litigation").iterdir()) == []
    assert sorted(p.name for p in (snap.path / "fct_active_disclosure").iterdir()) == [
        "2020.csv", "2020.parquet", "2021.csv", "2021.parquet"]
    manifest = assert_complete(snap.path)
    assert manifest["rows"]["fct_review_litigation"] == 0
    assert not [n for n in manifest["files"] if n.startswith("fct_review_litigation/")]
    # the view of the empty mart: no rows, the mart's columns and types
    assert_catalog_is_the_marts(con, snap.path)
    db = open_snapshot(snap.path)
    try:
        assert db.execute("select count(*) from fct_review_litigation").fetchall() == [(0,)]
    finally:
        db.close()

    con.execute("insert into main_marts.fct_review_litigation select * replace (2024 as year) from kept")
    again = run(con, published)
    assert sorted(p.name for p in (again.path / "fct_review_litigation").iterdir()) == ["2024.csv", "2024.parquet"]
    assert_catalog_is_the_marts(con, again.path)


def test_rows_without_a_year_are_published_in_their_own_file(con, tmp_path):
    """Should a current report have no year, its fact rows are not lost: <mart>/unknown.*"""
    report = con.execute("select min(report_id) from main_marts.fct_applications where year = 2020").fetchall()[0][0]
    con.execute("update main_marts.fct_applications set year = null where year = 2020 and report_id = ?", [report])
    nulls = con.execute("select count(*) from main_marts.fct_applications where year is null").fetchall()[0][0]
    snap = run(con, tmp_path / "published")
    assert sorted(p.name for p in (snap.path / "fct_applications").iterdir()) == [
        f"{stem}.{suffix}" for stem in ("2020", "2021", "2022", "unknown") for suffix in ("csv", "parquet")]
    assert snap.manifest["files"]["fct_applications/unknown.parquet"]["rows"] == nulls > 0
    assert_catalog_is_the_marts(con, snap.path)


def test_pruning_a_snapshot_leaves_the_files_it_shared(con, tmp_path):
    published = tmp_path / "published"
    first = run(con, published)
    shared = year_files(first.path)
    second = run(con, published, force=True, keep=1)  # every year file linked, then first pruned
    assert not first.path.exists() and trash_removed(published)
    assert sorted(p.name for p in published.iterdir()) == sorted(["latest", second.name])
    for name, stat in year_files(second.path).items():
        assert stat.st_ino == shared[name].st_ino and stat.st_nlink == 1, name
    assert assert_complete(second.path)["content_hash"] == first.manifest["content_hash"]
    assert_catalog_is_the_marts(con, second.path)


def test_a_refused_hard_link_becomes_a_copy_that_is_flushed(con, tmp_path, monkeypatch):
    published = tmp_path / "published"
    first = run(con, published)
    refused = []

    def no_link(source, target):
        refused.append(Path(target).name)
        raise OSError(errno.EXDEV, "Invalid cross-device link", str(source))

    monkeypatch.setattr(publish_reuse.os, "link", no_link)
    flushed = []
    real_fsync_tree = publish_stage._fsync_tree

    def spy(folder, skip=frozenset()):
        flushed.append(set(skip))
        real_fsync_tree(folder, skip)

    monkeypatch.setattr(publish_stage, "_fsync_tree", spy)
    second = run(con, published, force=True)
    # three marts x three years x Parquet and CSV, and every (unchanged) feedback document
    assert sorted(refused) == sorted([f"{year}.{suffix}" for _ in YEAR_MARTS for year in (2020, 2021, 2022)
                                      for suffix in ("parquet", "csv")] + [n.split("/")[1] for n in first.manifest["feedback"]])
    assert flushed == [set()]  # copies are flushed like written files
    before, after = year_files(first.path), year_files(second.path)
    for name, stat in after.items():
        assert stat.st_ino != before[name].st_ino and stat.st_nlink == 1, name
        assert (second.path / name).read_bytes() == (first.path / name).read_bytes()
    assert assert_complete(second.path)["files"] == first.manifest["files"]

    # a link that fails for another reason than the file system's refusal is an error
    def broken(source, target):
        raise OSError(errno.EIO, "Input/output error", str(source))

    monkeypatch.setattr(publish_reuse.os, "link", broken)
    with pytest.raises(OSError, match="Input/output error"):
        run(con, published, force=True)
    assert os.readlink(published / "latest") == second.name
    assert not [p for p in published.iterdir() if p.name.startswith(".tmp-")]


def test_unchanged_feedback_documents_are_linked_and_not_flushed_again(con, tmp_path, monkeypatch):
    """Feedback documents follow reports: the ones whose bytes did not change are linked like
    the unchanged years; linked files were flushed with their first snapshot and are not
    flushed again, written ones are."""
    published = tmp_path / "published"
    first = run(con, published)
    # a held report's finding text changes: its two documents differ (the index does not)
    target = con.execute("select report_id from main_marts.fct_findings where report_status = 'held' "
                         "order by report_id, finding_number limit 1").fetchall()[0][0]
    con.execute("update main_marts.fct_findings set message = 'changed' where report_id = ?", [target])
    flushed = []
    real_fsync_tree = publish_stage._fsync_tree
    monkeypatch.setattr(publish_stage, "_fsync_tree",
                        lambda folder, skip=frozenset(): (flushed.append(set(skip)), real_fsync_tree(folder, skip)))
    second = run(con, published)
    changed = {n for n, e in second.manifest["feedback"].items() if e != first.manifest["feedback"].get(n)}
    assert changed == {n for n in first.manifest["feedback"] if target[:8] in n}
    assert len(changed) == 2 and set(second.manifest["feedback"]) == set(first.manifest["feedback"])
    unchanged = set(first.manifest["feedback"]) - changed
    years = {f"{mart}/{year}.{suffix}" for mart in YEAR_MARTS for year in (2020, 2021, 2022) for suffix in ("parquet", "csv")}
    assert flushed == [years | unchanged]
    for name in first.manifest["feedback"]:
        same = (first.path / name).stat().st_ino == (second.path / name).stat().st_ino
        assert same == (name in unchanged), name
    assert "changed" in (second.path / next(n for n in changed if n.endswith(".md") and target[:8] in n)).read_text("utf-8")
    assert_complete(second.path)


def test_only_changed_feedback_documents_are_rendered(con, tmp_path, monkeypatch):
    """A document's key (the rows it is rendered from, and the renderer's digest) decides:
    an unchanged report's documents are linked without being rendered; a changed finding
    renders its report's two documents only; a new renderer renders every document again,
    to the same bytes here."""
    from orchestration.stages import feedback

    rendered: list[str] = []
    real_md, real_html = feedback.render_markdown, feedback.render_html
    monkeypatch.setattr(feedback, "render_markdown", lambda fb: (rendered.append(fb.report_id), real_md(fb))[1])
    monkeypatch.setattr(feedback, "render_html", lambda fb: (rendered.append(fb.report_id), real_html(fb))[1])
    published = tmp_path / "published"
    first = run(con, published)
    documents = {n for n in first.manifest["feedback"] if not n.startswith("feedback/index")}
    keys = {first.manifest["feedback"][n]["key"] for n in documents}
    assert len(rendered) == len(documents) >= 2 and len(keys) == len(documents) // 2
    assert all("key" not in first.manifest["feedback"][f"feedback/index.{s}"] for s in ("md", "html"))

    rendered.clear()
    target = con.execute("select report_id from main_marts.fct_findings where report_status = 'held' "
                         "order by report_id, finding_number limit 1").fetchall()[0][0]
    con.execute("update main_marts.fct_findings set message = 'changed again' where report_id = ?", [target])
    second = run(con, published)
    assert rendered == [target, target]
    changed = {n for n in documents if second.manifest["feedback"][n] != first.manifest["feedback"][n]}
    assert changed == {n for n in documents if target[:8] in n} and len(changed) == 2
    assert "changed again" in (second.path / min(changed)).read_text("utf-8")

    rendered.clear()
    monkeypatch.setattr(feedback, "RENDERER", "0" * 16)
    third = run(con, published, force=True)
    assert sorted(rendered) == sorted(fb_id for n in documents if n.endswith(".md")
                                      for fb_id in [report_of(con, n)] * 2)
    for name in documents:
        entry, before = third.manifest["feedback"][name], second.manifest["feedback"][name]
        assert entry["key"] != before["key"] and entry["sha256"] == before["sha256"], name
    assert_complete(third.path)


def test_a_year_page_of_the_index_is_rendered_only_when_its_lines_change(con, tmp_path, monkeypatch):
    """The index has a page per report year, keyed by the lines it shows: a change that does
    not show on the index renders no page; one that does renders its year's page only, and
    the other pages are linked from the previous snapshot."""
    from orchestration.stages import feedback

    rendered: list[str] = []
    real = feedback.YEAR_INDEX_MD

    class Spy:
        def render(self, **kwargs):
            rendered.append(kwargs["title"])
            return real.render(**kwargs)

    monkeypatch.setattr(feedback, "YEAR_INDEX_MD", Spy())
    published = tmp_path / "published"
    first = run(con, published)
    pages = sorted(n for n in first.manifest["feedback"] if n.startswith("feedback/index-"))
    assert {"feedback/index-2021.md", "feedback/index-unknown.html"} <= set(pages)
    assert len(rendered) == len(pages) // 2 and all("key" in first.manifest["feedback"][n] for n in pages)
    overview = (first.path / "feedback" / "index.md").read_text(encoding="utf-8")
    assert all(f"({n.split('/')[1]})" in overview for n in pages if n.endswith(".md"))
    target, year = con.execute("select f.report_id, s.year from main_marts.fct_findings f "
                               "join main_marts.rpt_report_status s using (report_id) "
                               "where f.report_status = 'held' and f.severity = 'error' "
                               "order by f.report_id, f.finding_number limit 1").fetchall()[0]
    page = f"feedback/index-{year}.md"
    line = next(x for x in (first.path / page).read_text(encoding="utf-8").splitlines() if target[:8] in x)

    rendered.clear()
    con.execute("update main_marts.fct_findings set message = 'not on the index' where report_id = ?", [target])
    second = run(con, published)
    assert rendered == []
    assert all((second.path / n).stat().st_ino == (first.path / n).stat().st_ino for n in pages)

    con.execute("update main_marts.fct_findings set severity = 'warning' where report_id = ? and finding_number = "
                "(select min(finding_number) from main_marts.fct_findings where report_id = ? and severity = 'error')",
                [target, target])
    third = run(con, published)
    assert rendered == [f"{year} 年度"]
    for name in pages:
        same = (third.path / name).stat().st_ino == (second.path / name).stat().st_ino
        assert same == (name not in (page, page.replace(".md", ".html"))), name
    changed = next(x for x in (third.path / page).read_text(encoding="utf-8").splitlines() if target[:8] in x)
    errors, warnings = (int(c) for c in line.split(" | ")[4:6])
    assert [int(c) for c in changed.split(" | ")[4:6]] == [errors - 1, warnings + 1]
    assert_complete(third.path)


def report_of(con, document: str) -> str:
    """The report a feedback document (feedback/<year>-<agency>-<report_id[:8]>.md) is about."""
    prefix = document.rsplit("-", 1)[1].split(".")[0]
    rows = con.execute("select report_id from main_marts.rpt_report_status where starts_with(report_id, ?)",
                       [prefix]).fetchall()
    assert len(rows) == 1, document
    return rows[0][0]


def test_a_csv_beyond_a_spreadsheet_is_compressed_and_reused(con, tmp_path, monkeypatch):
    """A CSV of more rows than a spreadsheet holds is written as .csv.zst: the plain file's
    bytes, zstd-compressed (the same bytes every time), listed under "csv" with the
    compressed file's sha256 and bytes; an unchanged year's .csv.zst is linked like any other
    file. Lowered limit: the sample's largest files cross it, the small marts stay plain."""
    plain = run(con, tmp_path / "plain")
    rows = {name: entry["rows"] for name, entry in plain.manifest["csv"].items()}
    limit = rows["fct_applications/2021.csv"]  # that many data rows + the header: one too many
    monkeypatch.setattr(publish_reuse, "SPREADSHEET_ROWS", limit)
    first = run(con, tmp_path / "published")
    manifest = assert_complete(first.path)
    expected = {(name if n < limit else f"{name}.zst"): n for name, n in rows.items()}
    assert {name: entry["rows"] for name, entry in manifest["csv"].items()} == expected
    compressed = [name for name in expected if name.endswith(".zst")]
    assert "fct_applications/2021.csv.zst" in compressed and "dim_report.csv" in expected
    for name in compressed:
        data = (first.path / name).read_bytes()
        assert zstandard.ZstdDecompressor().decompressobj().decompress(data) == \
            (plain.path / name.removesuffix(".zst")).read_bytes(), name
        assert len(data) < (plain.path / name.removesuffix(".zst")).stat().st_size
        assert not (first.path / name.removesuffix(".zst")).exists()
    assert_catalog_is_the_marts(con, first.path)
    again = run(con, tmp_path / "again")  # compressed, the bytes are still a function of the rows
    assert again.name == first.name
    assert all((again.path / name).read_bytes() == (first.path / name).read_bytes() for name in compressed)

    con.execute("update main_marts.fct_applications set application_count = application_count + 1 "
                "where year = 2022 and row_code = 'new_received' and column_code = 'total'")
    second = run(con, tmp_path / "published")
    assert_complete(second.path)
    for name in compressed:
        same = (first.path / name).stat().st_ino == (second.path / name).stat().st_ino
        assert same == (name != "fct_applications/2022.csv.zst"), name
