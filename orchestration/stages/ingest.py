"""Inbox -> archive: keep every submitted file unchanged, content-addressed, on record."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ..settings import Settings


@dataclass
class IngestSummary:
    received: int = 0
    new_files: int = 0
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)  # inbox entries that are not regular files


# Upload tools write under these suffixes and rename when done: such files are not yet
# submissions and wait in the inbox for the next run.
IN_PROGRESS_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".filepart", ".uploading")


def is_submission(entry: os.DirEntry) -> bool:
    """A regular file (never followed through a symlink) whose upload is complete."""
    return entry.is_file(follow_symlinks=False) and not entry.name.lower().endswith(IN_PROGRESS_SUFFIXES)


def archive_path(settings: Settings, sha256: str, extension: str) -> Path:
    """Archive names derive from the hash only (never from the submitted name)."""
    safe_ext = extension if extension.isascii() and extension[1:].isalnum() else ""
    return settings.archive / sha256[:2] / f"{sha256}{safe_ext}"


def _archive_copy(source: Path, settings: Settings) -> tuple[str, Path, int]:
    """Stream ``source`` into the archive while hashing it (a 1 GB file never sits in memory);
    the copy is renamed into place only when complete."""
    digest = hashlib.sha256()
    settings.archive.mkdir(parents=True, exist_ok=True)
    tmp = settings.archive / f".incoming-{uuid.uuid4().hex}.tmp"
    size = 0
    try:
        with open(source, "rb") as src, open(tmp, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        sha256 = digest.hexdigest()
        target = archive_path(settings, sha256, source.suffix.lower())
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            tmp.unlink()
        else:
            os.replace(tmp, target)
        return sha256, target, size
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def ingest_inbox(settings: Settings, con: duckdb.DuckDBPyConnection) -> IngestSummary:
    """Archive every regular file in the inbox, record the receipt, then remove it from the
    inbox. The same bytes twice are one file (one raw.files row) with two receipts.

    Symlinks and uploads in progress are left alone; a file that changes while it is read
    stays in the inbox for the next run."""
    settings.ensure_dirs()
    summary = IngestSummary()
    for entry in sorted(os.scandir(settings.inbox), key=lambda e: e.name):
        if not is_submission(entry):
            summary.skipped.append(entry.name)
            continue
        path = Path(entry.path)
        before = entry.stat(follow_symlinks=False)
        sha256, target, size = _archive_copy(path, settings)
        after = path.stat(follow_symlinks=False)
        if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or size != after.st_size:
            summary.skipped.append(f"{entry.name} (changed while being read; retried next run)")
            continue
        extension = path.suffix.lower()
        now = datetime.now(UTC).replace(tzinfo=None)
        # The receipt id derives from the inbox entry itself, so a crash between recording and
        # removing the file re-records the same receipt next run instead of a second one.
        receipt_id = hashlib.sha256(f"{sha256}|{entry.name}|{before.st_mtime_ns}|{size}".encode()).hexdigest()[:32]
        con.execute("begin")
        try:
            if con.execute("select 1 from raw.files where sha256 = ?", [sha256]).fetchall():
                summary.duplicates += 1
            else:
                con.execute(
                    "insert into raw.files values (?, ?, ?, ?, ?, ?, 'received', null)",
                    [sha256, entry.name, extension, size, str(target), now],
                )
                summary.new_files += 1
            con.execute("insert or ignore into raw.receipts values (?, ?, ?, ?)",
                        [receipt_id, sha256, entry.name, now])
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        summary.received += 1
        # Only once archived and recorded does the file leave the inbox: a crash before this
        # line re-ingests it next time (same hash, same receipt), never loses it.
        path.unlink()
    return summary


def copy_into_inbox(settings: Settings, files: list[Path]) -> None:
    settings.ensure_dirs()
    for file in files:
        shutil.copyfile(file, settings.inbox / file.name)
