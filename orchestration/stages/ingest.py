"""Inbox -> archive: keep every submitted file unchanged, content-addressed, on record."""

from __future__ import annotations

import ctypes
import functools
import hashlib
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ..settings import Settings

log = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    received: int = 0
    new_files: int = 0
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)  # inbox entries that are not regular files


# Upload tools write under these suffixes and rename when done: such files are not yet
# submissions and wait in the inbox for the next run.
IN_PROGRESS_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".filepart", ".uploading")

# Files per transaction and per flush to disk. Durability costs one disk flush per batch
# instead of one fsync per file (at 10k files the per-file fsync and transaction were most of
# ingest); a crash loses at most the batch in flight, whose files are still in the inbox.
INGEST_BATCH = 500

TMP_PREFIX = ".incoming-"


@dataclass(frozen=True)
class _Copied:
    name: str
    source: Path
    tmp: Path
    sha256: str
    size: int
    mtime_ns: int


def is_submission(entry: os.DirEntry) -> bool:
    """A regular file (never followed through a symlink) whose upload is complete."""
    return entry.is_file(follow_symlinks=False) and not entry.name.lower().endswith(IN_PROGRESS_SUFFIXES)


def archive_path(settings: Settings, sha256: str, extension: str) -> Path:
    """Archive names derive from the hash only (never from the submitted name)."""
    safe_ext = extension if extension.isascii() and extension[1:].isalnum() else ""
    return settings.archive / sha256[:2] / f"{sha256}{safe_ext}"


def _archive_copy(source: Path, settings: Settings) -> tuple[str, Path, int, os.stat_result]:
    """Stream ``source`` into a temporary file of the archive while hashing it (a 1 GB file
    never sits in memory). Returns (sha256, temporary file, size, the source's stat when
    opened): the batch renames the copy into place once flushed to disk. Raises _Unreadable
    when ``source`` cannot be opened or read (gone included); an error of the archive's
    propagates as it is."""
    digest = hashlib.sha256()
    try:
        # opened apart from the copy to tell its errors from the archive's; the copy's with closes it
        src = open(source, "rb")  # noqa: SIM115
    except OSError as exc:
        raise _Unreadable(exc) from exc
    tmp = settings.archive / f"{TMP_PREFIX}{uuid.uuid4().hex}.tmp"
    size = 0
    try:
        with src, open(tmp, "wb") as dst:
            opened = os.fstat(src.fileno())
            while True:
                try:
                    chunk = src.read(1 << 20)
                except OSError as exc:
                    raise _Unreadable(exc) from exc
                if not chunk:
                    break
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        return digest.hexdigest(), tmp, size, opened
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class _Unreadable(Exception):
    """The inbox file could not be opened or read (not: the archive could not be written)."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.reason = error.strerror or str(error)
        self.gone = isinstance(error, FileNotFoundError)  # withdrawn since the inbox was listed


def _flush_to_disk(folder: Path) -> None:
    """Flush the filesystem holding ``folder`` (Linux syncfs: only that filesystem, not every
    disk of a shared server as os.sync would); elsewhere os.sync."""
    libc = _libc()
    if libc is not None:
        fd = os.open(folder, os.O_RDONLY)
        try:
            if libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    os.sync()


@functools.cache
def _libc():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syncfs.argtypes = [ctypes.c_int]
        return libc
    except (OSError, AttributeError):
        return None


def ingest_inbox(settings: Settings, con: duckdb.DuckDBPyConnection) -> IngestSummary:
    """Archive every regular file in the inbox, record the receipt, then remove it from the
    inbox. The same bytes twice are one file (one raw.files row) with two receipts.

    Symlinks and uploads in progress are left alone; a file that changes while it is read
    stays in the inbox for the next run, and so does one that cannot be read (permissions, an
    I/O error); one withdrawn before it was read is passed over. Each is named in ``skipped``
    and the other files go on. Files are recorded in batches of ``INGEST_BATCH``."""
    settings.ensure_dirs()
    for stale in settings.archive.glob(f"{TMP_PREFIX}*.tmp"):  # copies of a crashed run
        stale.unlink(missing_ok=True)
    summary = IngestSummary()
    # The hashes on record, read once: looking each batch's hashes up in raw.files scans the
    # whole table, a cost per batch that grows with the warehouse (bench/RESULTS.md (3c)).
    # One writer at a time, so the set stays true during the run.
    known = {sha256 for (sha256,) in con.execute("select sha256 from raw.files").fetchall()}
    entries = sorted(os.scandir(settings.inbox), key=lambda e: e.name)
    batch: list[_Copied] = []
    try:
        for entry in entries:
            if not is_submission(entry):
                summary.skipped.append(entry.name)
                continue
            path = Path(entry.path)
            try:
                sha256, tmp, size, before = _archive_copy(path, settings)
            except _Unreadable as exc:
                if exc.gone:
                    summary.skipped.append(f"{entry.name} (gone from the inbox before it was read)")
                    continue
                # permissions or an I/O error where it lies: it stays in the inbox for someone to
                # fix, and the other files go on (an archive that cannot be written stops the run)
                log.warning("inbox file %s cannot be read: %s", entry.name, exc.reason)
                summary.skipped.append(f"{entry.name} (cannot be read: {exc.reason}; left in the inbox)")
                continue
            try:
                after = path.stat(follow_symlinks=False)
            except FileNotFoundError:
                tmp.unlink()
                summary.skipped.append(f"{entry.name} (gone from the inbox while being read)")
                continue
            if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or size != after.st_size:
                tmp.unlink()
                summary.skipped.append(f"{entry.name} (changed while being read; retried next run)")
                continue
            batch.append(_Copied(entry.name, path, tmp, sha256, size, before.st_mtime_ns))
            if len(batch) >= INGEST_BATCH:
                _record(settings, con, batch, known, summary)
                batch = []
        _record(settings, con, batch, known, summary)
    finally:
        for copied in batch:  # a batch that failed: its files are still in the inbox
            copied.tmp.unlink(missing_ok=True)
    if summary.received >= INGEST_BATCH:
        log.info("ingested %d files (%d new)", summary.received, summary.new_files)
    return summary


def _record(settings: Settings, con: duckdb.DuckDBPyConnection, batch: list[_Copied], known: set[str],
            summary: IngestSummary) -> None:
    """Make a batch's copies durable, record the files and receipts in one transaction, then
    remove them from the inbox. ``known``: the hashes in raw.files, to which the batch's new
    ones are added once recorded.

    Order matters for a crash at any point: the copies are flushed before they are renamed
    into place (an archive file is never a partial copy), and recorded before the inbox copy
    is removed (a crash re-ingests the same hash under the same receipt id, never a second)."""
    if not batch:
        return
    # The first copy of each new hash is the file, archived under its extension; a copy of a
    # known file is only a receipt, its bytes are already in the archive.
    targets: dict[str, Path] = {}
    for copied in batch:
        if copied.sha256 not in known:
            targets.setdefault(copied.sha256, archive_path(settings, copied.sha256, copied.source.suffix.lower()))
    _flush_to_disk(settings.archive)  # the copies' bytes
    for copied in batch:
        target = targets.get(copied.sha256)
        if target is None or target.exists():
            copied.tmp.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(copied.tmp, target)
    _flush_to_disk(settings.archive)  # the renames
    now = datetime.now(UTC).replace(tzinfo=None)
    files = pd.DataFrame({
        "sha256": [c.sha256 for c in batch], "original_name": [c.name for c in batch],
        "extension": [c.source.suffix.lower() for c in batch], "size_bytes": [c.size for c in batch],
        "archive_path": [str(targets.get(c.sha256, "")) for c in batch],
        # The receipt id derives from the inbox entry itself, so a crash between recording
        # and removing the file re-records the same receipt next run instead of a second one.
        "receipt_id": [hashlib.sha256(f"{c.sha256}|{c.name}|{c.mtime_ns}|{c.size}".encode()).hexdigest()[:32]
                       for c in batch],
        "position": range(len(batch)),
        "is_new": [c.sha256 in targets for c in batch],
    })
    con.register("ingest_batch", files)
    con.execute("begin")
    try:
        con.execute("""
            insert into raw.files
            select sha256, original_name, extension, size_bytes, archive_path, ?, 'received', null
            from ingest_batch where is_new
            qualify row_number() over (partition by sha256 order by position) = 1""", [now])
        con.execute("insert or ignore into raw.receipts select receipt_id, sha256, original_name, ? "
                    "from ingest_batch", [now])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("ingest_batch")
    known.update(targets)
    summary.new_files += len(targets)
    summary.duplicates += len(batch) - len(targets)
    summary.received += len(batch)
    # Only once archived and recorded do the files leave the inbox.
    for copied in batch:
        copied.source.unlink(missing_ok=True)  # recorded; its uploader may have withdrawn it since
    batch.clear()


def copy_into_inbox(settings: Settings, files: list[Path]) -> None:
    settings.ensure_dirs()
    for file in files:
        shutil.copyfile(file, settings.inbox / file.name)
