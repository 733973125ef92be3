"""Ingest: content-addressed archive, every receipt recorded, hostile names kept as data."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from samples import SAMPLE, deny_reading

from orchestration.settings import Settings
from orchestration.stages.ingest import ingest_inbox
from orchestration.warehouse import connect

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


def test_a_file_changing_while_read_waits_for_the_next_run(data_dir, monkeypatch):
    from orchestration.stages import ingest

    settings = Settings.from_env()
    settings.ensure_dirs()
    target = settings.inbox / "uploading.txt"
    shutil.copy(SAMPLE, target)
    real = ingest._archive_copy

    def copy_then_append(source, settings_):
        result = real(source, settings_)
        with open(source, "ab") as handle:  # the uploader is still writing
            handle.write("\n更多内容".encode())
        return result

    monkeypatch.setattr(ingest, "_archive_copy", copy_then_append)
    with connect(settings.warehouse) as con:
        summary = ingest_inbox(settings, con)
        assert con.execute("select count(*) from raw.receipts").fetchall()[0][0] == 0
    assert summary.received == 0 and "changed while being read" in summary.skipped[0]
    assert target.exists()  # still in the inbox for the next run
    monkeypatch.setattr(ingest, "_archive_copy", real)
    with connect(settings.warehouse) as con:
        assert ingest_inbox(settings, con).received == 1


def test_batches_count_duplicates_across_and_within_batches(data_dir, monkeypatch):
    from orchestration.stages import ingest

    monkeypatch.setattr(ingest, "INGEST_BATCH", 2)
    settings = Settings.from_env()
    settings.ensure_dirs()
    for i, name in enumerate(["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]):
        # a, c, e: the sample; b, d: one other file (duplicates within and across batches)
        text = SAMPLE.read_bytes() if i % 2 == 0 else b"other"
        (settings.inbox / name).write_bytes(text)
    with connect(settings.warehouse) as con:
        summary = ingest_inbox(settings, con)
        files = con.execute("select original_name from raw.files order by original_name").fetchall()
        receipts = con.execute("select count(*) from raw.receipts").fetchall()[0][0]
    assert (summary.received, summary.new_files, summary.duplicates) == (5, 2, 3)
    assert files == [("a.txt",), ("b.txt",)] and receipts == 5
    assert not list(settings.inbox.iterdir())
    assert not list(settings.archive.glob(".incoming-*"))


def test_a_batch_that_fails_to_record_leaves_its_files_in_the_inbox(data_dir, monkeypatch):
    """A failure while recording a batch (here: the insert raises) loses nothing: the batch's
    files stay in the inbox, no temporary copy is left, and the next run ingests them."""
    from orchestration.stages import ingest

    monkeypatch.setattr(ingest, "INGEST_BATCH", 2)
    settings = Settings.from_env()
    settings.ensure_dirs()
    for name in ("a.txt", "b.txt", "c.txt"):
        (settings.inbox / name).write_text(f"report {name}")
    real_record = ingest._record
    calls = []

    def fail_second_batch(settings_, con_, batch, known, summary):
        calls.append(len(batch))
        if len(calls) == 2:
            raise OSError("disk went away")
        return real_record(settings_, con_, batch, known, summary)

    monkeypatch.setattr(ingest, "_record", fail_second_batch)
    with connect(settings.warehouse) as con:
        with pytest.raises(OSError, match="disk went away"):
            ingest_inbox(settings, con)
        assert sorted(con.execute("select original_name from raw.files").fetchall()) == [("a.txt",), ("b.txt",)]
    assert [p.name for p in settings.inbox.iterdir()] == ["c.txt"]
    assert not list(settings.archive.glob(".incoming-*"))
    monkeypatch.setattr(ingest, "_record", real_record)
    with connect(settings.warehouse) as con:
        assert ingest_inbox(settings, con).new_files == 1
        assert con.execute("select count(*) from raw.files").fetchall()[0][0] == 3
    assert not list(settings.inbox.iterdir())


def test_a_known_file_under_another_extension_is_a_receipt_not_a_second_copy(data_dir):
    settings = Settings.from_env()
    settings.ensure_dirs()
    shutil.copy(SAMPLE, settings.inbox / "a.txt")
    with connect(settings.warehouse) as con:
        ingest_inbox(settings, con)
        shutil.copy(SAMPLE, settings.inbox / "a.htm")  # the same bytes, renamed, a later run
        summary = ingest_inbox(settings, con)
        assert con.execute("select count(*) from raw.receipts").fetchall() == [(2,)]
    digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert (summary.new_files, summary.duplicates) == (0, 1)
    assert [p.name for p in settings.archive.rglob("*") if p.is_file()] == [f"{digest}.txt"]


def test_a_file_that_cannot_be_read_stays_in_the_inbox_and_the_others_go_on(data_dir, monkeypatch):
    """Permissions or an I/O error on one inbox file (simulated: the suite runs as root, which
    reads any file) leave it in the inbox, named in ``skipped``; the others are archived."""
    from orchestration.stages import ingest

    settings = Settings.from_env()
    settings.ensure_dirs()
    for name in ("a.txt", "locked.txt", "z.txt"):
        (settings.inbox / name).write_bytes(SAMPLE.read_bytes() + name.encode())
    deny_reading(monkeypatch, ingest, "locked.txt")
    with connect(settings.warehouse) as con:
        summary = ingest_inbox(settings, con)
        names = sorted(r[0] for r in con.execute("select original_name from raw.receipts").fetchall())
    assert names == ["a.txt", "z.txt"] and summary.received == 2
    assert summary.skipped == ["locked.txt (cannot be read: Permission denied; left in the inbox)"]
    assert [p.name for p in settings.inbox.iterdir()] == ["locked.txt"]
    assert not list(settings.archive.glob("*.tmp"))


def test_a_file_withdrawn_before_it_is_read_is_passed_over(data_dir, monkeypatch):
    from orchestration.stages import ingest

    settings = Settings.from_env()
    settings.ensure_dirs()
    for name in ("a.txt", "withdrawn.txt", "z.txt"):
        (settings.inbox / name).write_bytes(SAMPLE.read_bytes() + name.encode())
    real = ingest._archive_copy

    def withdrawn_first(source, settings_):
        if source.name == "withdrawn.txt":
            source.unlink()  # its uploader took it back after the inbox was listed
        return real(source, settings_)

    monkeypatch.setattr(ingest, "_archive_copy", withdrawn_first)
    with connect(settings.warehouse) as con:
        summary = ingest_inbox(settings, con)
        assert con.execute("select count(*) from raw.files").fetchall()[0][0] == 2
    assert summary.received == 2
    assert summary.skipped == ["withdrawn.txt (gone from the inbox before it was read)"]
    assert not list(settings.inbox.iterdir())


def test_an_archive_that_cannot_be_written_stops_the_run(data_dir, monkeypatch):
    """Not an inbox file's fault: every file would fail alike, so the run fails loudly and
    the files stay in the inbox."""
    from orchestration.stages import ingest

    settings = Settings.from_env()
    settings.ensure_dirs()
    shutil.copy(SAMPLE, settings.inbox / "a.txt")
    real_open = open

    def archive_full(path, mode="r", *args, **kwargs):
        if "w" in mode:
            raise OSError(28, "No space left on device", str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(ingest, "open", archive_full, raising=False)
    with connect(settings.warehouse) as con, pytest.raises(OSError, match="No space left"):
        ingest_inbox(settings, con)
    assert [p.name for p in settings.inbox.iterdir()] == ["a.txt"]


def test_an_archive_folder_gone_is_not_taken_for_a_withdrawn_file(data_dir, monkeypatch):
    from orchestration.stages import ingest

    settings = Settings.from_env()
    settings.ensure_dirs()
    shutil.copy(SAMPLE, settings.inbox / "a.txt")
    real = ingest._archive_copy

    def archive_removed(source, settings_):
        shutil.rmtree(settings_.archive)  # e.g. an unmounted volume
        return real(source, settings_)

    monkeypatch.setattr(ingest, "_archive_copy", archive_removed)
    with connect(settings.warehouse) as con, pytest.raises(FileNotFoundError, match="incoming"):
        ingest_inbox(settings, con)
    assert [p.name for p in settings.inbox.iterdir()] == ["a.txt"]
