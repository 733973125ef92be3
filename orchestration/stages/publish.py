"""Publish validated marts as an immutable snapshot and move ``latest`` atomically.

A snapshot is written into a hidden temporary folder, fsynced, renamed to its final name,
and only then does the ``latest`` symlink switch (``os.replace`` of a fresh symlink, atomic
on POSIX). A failure at any point leaves ``latest`` where it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ..settings import PROJECT_DIR

MART_SCHEMA = "main_marts"
MARTS = ("dim_report", "fct_applications", "fct_active_disclosure", "fct_review_litigation",
         "fct_findings", "rpt_report_status")


@dataclass
class Snapshot:
    name: str
    path: Path
    manifest: dict


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def code_version() -> str:
    try:
        out = subprocess.run(["git", "-C", str(PROJECT_DIR), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def publish(con: duckdb.DuckDBPyConnection, published: Path, validation: dict, keep: int = 10) -> Snapshot:
    """Write every mart as Parquet with a manifest into a new snapshot; then switch latest."""
    published.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    tmp = published / f".tmp-{stamp}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        files = {}
        for mart in MARTS:
            target = tmp / f"{mart}.parquet"
            con.execute(f"copy (select * from {MART_SCHEMA}.{mart} order by all) to '{target}' (format parquet)")
            rows = con.execute(f"select count(*) from {MART_SCHEMA}.{mart}").fetchall()[0][0]
            files[target.name] = {"sha256": _sha256(target), "rows": rows, "bytes": target.stat().st_size}
        sources = [
            {"report_id": r[0], "source_name": r[1], "agency": r[2], "year": r[3]}
            for r in con.execute(f"select report_id, source_name, agency, year from {MART_SCHEMA}.dim_report "
                                 "order by report_id").fetchall()
        ]
        content = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:12]
        name = f"{stamp}-{content}"
        manifest = {
            "snapshot": name,
            "created_at": datetime.now(UTC).isoformat(),
            "code_version": code_version(),
            "files": files,
            "source_reports": sources,
            "validation": validation,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _fsync_dir(tmp)
        final = published / name
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _switch_latest(published, name)
    _prune(published, keep)
    return Snapshot(name, final, manifest)


def _fsync_dir(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _switch_latest(published: Path, name: str) -> None:
    link = published / f".latest-{uuid.uuid4().hex[:8]}"
    os.symlink(name, link)  # relative target: the published folder can be moved as a whole
    os.replace(link, published / "latest")


def _prune(published: Path, keep: int) -> None:
    current = os.readlink(published / "latest")
    snapshots = sorted(p.name for p in published.iterdir() if p.is_dir() and not p.is_symlink()
                       and not p.name.startswith("."))
    for old in snapshots[: max(0, len(snapshots) - keep)]:
        if old != current:
            shutil.rmtree(published / old, ignore_errors=True)
