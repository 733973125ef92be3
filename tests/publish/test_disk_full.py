"""A real full file system under publication: the published folder is a tmpfs with room for
one complete snapshot, the first Parquet file of the next, and no more. Needs mount rights
(root or CAP_SYS_ADMIN); skipped with the reason otherwise."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.stages import publish as publish_stage
from orchestration.stages.publish import DiskFullError, publish, validation_summary

PAGE = os.sysconf("SC_PAGE_SIZE")  # tmpfs allocates whole pages


@pytest.fixture
def con(pipeline):
    con = duckdb.connect(str(pipeline["warehouse"]), read_only=True)
    yield con
    con.close()


@pytest.fixture
def tmpfs(tmp_path):
    """mount(size) -> a fresh tmpfs of that many bytes; unmounted afterwards, whatever happens."""
    point = tmp_path / "published"
    point.mkdir()
    mounted = []

    def mount(size: int) -> Path:
        if not (shutil.which("mount") and shutil.which("umount")):
            pytest.skip("cannot mount a tmpfs here: no mount/umount command")
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "xxgk-test-tmpfs",
                                 str(point)], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {result.stderr.strip()}")
        mounted.append(point)
        return point

    try:
        yield mount
    finally:
        for path in mounted:
            if subprocess.run(["umount", str(path)], check=False).returncode != 0:
                subprocess.run(["umount", "-l", str(path)], check=False)


def pages(size: int) -> int:
    return -(-size // PAGE) * PAGE


def allocated(folder: Path) -> int:
    return sum(pages(p.stat().st_size) for p in folder.rglob("*") if p.is_file())


def free_bytes(folder: Path) -> int:
    stat = os.statvfs(folder)
    return stat.f_bavail * stat.f_frsize


def run(con, published: Path, **kwargs):
    return publish(con, published, validation_summary(con), **kwargs)


def assert_complete(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for section in ("files", "csv", "feedback", "other"):
        for name, entry in manifest[section].items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == entry["sha256"], name
    return manifest


def test_disk_full_while_publishing_keeps_latest_then_recovers(con, tmp_path, tmpfs, monkeypatch):
    probe = run(con, tmp_path / "probe")  # how much room one snapshot takes, on the real disk
    snapshot_size = allocated(probe.path)
    first_parquet = probe.manifest["files"]["dim_report.parquet"]["bytes"]
    published = tmpfs(2 * snapshot_size + 64 * PAGE)
    good = run(con, published)  # the previous complete snapshot
    before = sorted(p.name for p in published.iterdir())

    # leave room for the first Parquet file (dim_report) and not for the rest
    filler = published / ".filler"
    with open(filler, "wb") as out:
        os.posix_fallocate(out.fileno(), 0, free_bytes(published) - pages(first_parquet) - 2 * PAGE)
    written = []
    real_write = publish_stage._write_parquet

    def spy(con, mart, target, where="true"):
        real_write(con, mart, target, where)
        written.append(mart)

    monkeypatch.setattr(publish_stage, "_write_parquet", spy)

    with pytest.raises(DiskFullError) as failure:
        run(con, published, force=True)
    message = str(failure.value)
    assert failure.value.errno == errno.ENOSPC and failure.value.filename == str(published)
    assert f"disk full while publishing a snapshot into {published}" in message
    assert f"latest still points to {good.name}" in message
    assert "No space left on device" in message  # the cause, as the OS said it
    assert written == ["dim_report"]  # it failed half-way: the first Parquet fitted, the snapshot not
    # no temporary or partial snapshot left behind; latest untouched and still complete
    assert sorted(p.name for p in published.iterdir() if p != filler) == before
    assert os.readlink(published / "latest") == good.name
    assert_complete(published / "latest")

    filler.unlink()  # space freed: the next publication completes
    complete = run(con, published, force=True)
    assert os.readlink(published / "latest") == complete.name != good.name
    manifest = assert_complete(published / "latest")
    assert manifest["content_hash"] == good.manifest["content_hash"]
    assert not [p.name for p in published.iterdir() if p.name.startswith(".")]


def test_disk_full_while_a_changed_year_is_written_keeps_latest(years_con, tmp_path, tmpfs, monkeypatch):
    """A republication after one year changed: the unchanged years are links (no room
    needed); the changed year's Parquet file fits, its CSV does not."""
    con = years_con
    published = tmpfs(2 * allocated(run(con, tmp_path / "probe").path) + 64 * PAGE)
    good = run(con, published)
    con.execute("update main_marts.fct_applications set application_count = application_count + 1 "
                "where year = 2022 and row_code = 'new_received'")
    sizes = run(con, tmp_path / "probe-changed").manifest  # what the changed snapshot writes
    year_csv = sizes["csv"]["fct_applications/2022.csv"]["bytes"]
    # dim_report's CSV is written beside a plain copy, then the plain copy is removed
    room = (pages(sizes["files"]["dim_report.parquet"]["bytes"]) + 2 * pages(sizes["csv"]["dim_report.csv"]["bytes"])
            + pages(sizes["files"]["fct_applications/2022.parquet"]["bytes"]) + 2 * PAGE)
    assert pages(year_csv) > pages(sizes["csv"]["dim_report.csv"]["bytes"]) + 2 * PAGE  # it cannot fit
    filler = published / ".filler"
    with open(filler, "wb") as out:
        os.posix_fallocate(out.fileno(), 0, free_bytes(published) - room)
    written = []
    real_write = publish_stage._write_parquet

    def spy(con, mart, target, where="true"):
        real_write(con, mart, target, where)
        written.append((mart, where))

    monkeypatch.setattr(publish_stage, "_write_parquet", spy)
    before = sorted(p.name for p in published.iterdir() if p != filler)
    with pytest.raises(DiskFullError) as failure:
        run(con, published)
    assert f"latest still points to {good.name}" in str(failure.value)
    assert "No space left on device" in str(failure.value)
    # 2020 and 2021 were linked, 2022's Parquet file written, its CSV did not fit
    assert written == [("dim_report", "true"), ("fct_applications", "year = 2022")]
    assert sorted(p.name for p in published.iterdir() if p != filler) == before
    assert os.readlink(published / "latest") == good.name
    assert_complete(published / "latest")

    filler.unlink()
    complete = run(con, published)
    assert os.readlink(published / "latest") == complete.name != good.name
    manifest = assert_complete(published / "latest")
    assert manifest["content_hash"] == sizes["content_hash"]
    assert (complete.path / "fct_applications" / "2021.csv").stat().st_ino == \
        (good.path / "fct_applications" / "2021.csv").stat().st_ino
