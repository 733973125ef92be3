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


def archive_path(settings: Settings, sha256: str, extension: str) -> Path:
    """Archive names derive from the hash only (never from the submitted name)."""
    safe_ext = extension if extension.isascii() and extension[1:].isalnum() else ""
    return settings.archive / sha256[:2] / f"{sha256}{safe_ext}"


def ingest_inbox(settings: Settings, con: duckdb.DuckDBPyConnection) -> IngestSummary:
    """Archive every regular file in the inbox, record the receipt, then remove it from the
    inbox. The same bytes twice are one file (one raw.files row) with two receipts."""
    settings.ensure_dirs()
    summary = IngestSummary()
    for entry in sorted(os.scandir(settings.inbox), key=lambda e: e.name):
        if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
            summary.skipped.append(entry.name)
            continue
        path = Path(entry.path)
        data = path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        extension = path.suffix.lower()
        target = archive_path(settings, sha256, extension)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        now = datetime.now(UTC).replace(tzinfo=None)
        known = con.execute("select 1 from raw.files where sha256 = ?", [sha256]).fetchall()
        con.execute("begin")
        if known:
            summary.duplicates += 1
        else:
            con.execute(
                "insert into raw.files values (?, ?, ?, ?, ?, ?, 'received', null)",
                [sha256, path.name, extension, len(data), str(target), now],
            )
            summary.new_files += 1
        con.execute("insert into raw.receipts values (?, ?, ?, ?)",
                    [uuid.uuid4().hex, sha256, path.name, now])
        con.execute("commit")
        summary.received += 1
        # Only once archived and recorded does the file leave the inbox: a crash before this
        # line re-ingests it next time (same hash, so no second file), never loses it.
        path.unlink()
    return summary


def copy_into_inbox(settings: Settings, files: list[Path]) -> None:
    settings.ensure_dirs()
    for file in files:
        shutil.copyfile(file, settings.inbox / file.name)
