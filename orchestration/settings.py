"""Where runtime state lives. Every path comes from an environment variable with a default
under ``data/`` so tests and benchmarks run in a temporary directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    inbox: Path
    archive: Path
    warehouse: Path
    published: Path
    validation: Path
    keep_snapshots: int
    max_file_bytes: int
    parse_timeout_s: float
    parse_memory_mb: int
    parse_workers: int
    lock_wait_s: float = 600.0

    @classmethod
    def from_env(cls) -> Settings:
        data = Path(os.environ.get("XXGK_DATA_DIR", PROJECT_DIR / "data")).resolve()

        def path(var: str, default: Path) -> Path:
            return Path(os.environ.get(var, default)).resolve()

        return cls(
            data_dir=data,
            inbox=path("XXGK_INBOX", data / "inbox"),
            archive=path("XXGK_ARCHIVE", data / "archive"),
            warehouse=path("XXGK_WAREHOUSE", data / "warehouse.duckdb"),
            published=path("XXGK_PUBLISHED", data / "published"),
            validation=path("XXGK_VALIDATION", data / "validation"),
            keep_snapshots=int(os.environ.get("XXGK_KEEP_SNAPSHOTS", "10")),
            # Limits, enforced before the expensive work and named in the error they cause.
            max_file_bytes=int(os.environ.get("XXGK_MAX_FILE_BYTES", str(50 * 1024 * 1024))),
            parse_timeout_s=float(os.environ.get("XXGK_PARSE_TIMEOUT_S", "60")),
            parse_memory_mb=int(os.environ.get("XXGK_PARSE_MEMORY_MB", "1024")),
            parse_workers=int(os.environ.get("XXGK_PARSE_WORKERS", str(min(2, os.cpu_count() or 1)))),
            # how long a stage waits for the DuckDB file lock held by another process
            lock_wait_s=float(os.environ.get("XXGK_LOCK_WAIT_S", "600")),
        )

    def ensure_dirs(self) -> None:
        for folder in (self.inbox, self.archive, self.published, self.validation, self.warehouse.parent):
            folder.mkdir(parents=True, exist_ok=True)
