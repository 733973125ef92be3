"""Ingest: content-addressed archive, every receipt recorded, hostile names kept as data."""

from __future__ import annotations

import hashlib
import shutil

from orchestration.settings import Settings
from orchestration.stages.ingest import ingest_inbox
from orchestration.warehouse import connect
from samples import SAMPLE

NAMES = ["报告 2021.txt", "..txt", "-rf --no-preserve-root.txt", "a'; drop table raw.files; --.txt",
         "x" * 240 + ".txt"]


def test_same_bytes_under_hostile_names_are_one_file(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    for name in NAMES:
        shutil.copy(SAMPLE, settings.inbox / name)
    with connect(settings.warehouse) as con:
        summary = ingest_inbox(settings, con)
        files = con.execute("select sha256, original_name, archive_path from raw.files").fetchall()
        receipts = sorted(r[0] for r in con.execute("select original_name from raw.receipts").fetchall())
    digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert (summary.received, summary.new_files, summary.duplicates) == (5, 1, 4)
    assert len(files) == 1 and files[0][0] == digest
    assert files[0][2] == str(settings.archive / digest[:2] / f"{digest}.txt")
    assert receipts == sorted(NAMES)
    assert not list(settings.inbox.iterdir())


def test_symlinks_out_of_the_inbox_are_not_followed(data_dir, tmp_path):
    settings = Settings.from_env()
    settings.ensure_dirs()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the archive")
    (settings.inbox / "link.txt").symlink_to(secret)
    with connect(settings.warehouse) as con:
        summary = ingest_inbox(settings, con)
        assert con.execute("select count(*) from raw.files").fetchall()[0][0] == 0
    assert summary.skipped == ["link.txt"] and secret.exists()
    assert not any(p.is_file() for p in settings.archive.rglob("*"))


def test_reingesting_after_a_crash_does_not_duplicate(data_dir):
    """A crash after recording but before removing the inbox file: the next run records the
    same receipt, not a second one."""
    settings = Settings.from_env()
    settings.ensure_dirs()
    shutil.copy(SAMPLE, settings.inbox / "a.txt")
    keep = settings.inbox.parent / "keep.txt"
    shutil.copy2(settings.inbox / "a.txt", keep)
    with connect(settings.warehouse) as con:
        ingest_inbox(settings, con)
        shutil.copy2(keep, settings.inbox / "a.txt")  # as if the unlink never happened
        ingest_inbox(settings, con)
        assert con.execute("select count(*) from raw.receipts").fetchall()[0][0] == 1
        assert con.execute("select count(*) from raw.files").fetchall()[0][0] == 1
