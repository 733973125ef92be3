"""One small warehouse built by the real stages (ingest, parse, validate) and `dbt build`,
shared by tests/corrections, tests/publish and tests/feedback (built once per session).

Variants of the sample report seeds/reports/000_0dabcd11a12b22e6.txt (its cells carry
no-break spaces), received in two rounds:

round 1  A v1  甲县人民政府, clean                       -> superseded by A v2
         A v1  the same bytes again (exact duplicate)    -> one report, two receipts
         B v1  乙县人民政府, new_received total 23 ≠ 22  -> held, then superseded by B v2
         C v1  丙县人民政府, clean                       -> stays current (C v2 is held)
         scan.pdf, no text                               -> unreadable
round 2  A v2  "甲县　政府" (ideographic space, 政府), review upheld/total 0 -> 1: accepted
         B v2  乙县人民政府, corrected                   -> accepted, current
         C v2  丙县人民政府, new_received total 23       -> held, C v1 stays published
         A v1  the same bytes a third time               -> still one report, not a new version
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.settings import Settings
from orchestration.stages.ingest import ingest_inbox
from orchestration.stages.parse import parse_received
from orchestration.stages.validate import validate_pending
from orchestration.warehouse import connect

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "seeds" / "reports" / "000_0dabcd11a12b22e6.txt"
DBT_PROJECT = ROOT / "dbt_project"
SAMPLE_AGENCY = "和田地区行署办公室"

LINE_NEW_RECEIVED_TOTAL = 84  # '\t\u00a022' in the sample
LINE_REVIEW_UPHELD = 383      # '\t0\u00a0'
LINE_REVIEW_TOTAL = 387       # '\t0\u00a0'


def variant(agency: str, edits: dict[int, str] | None = None) -> bytes:
    text = SAMPLE.read_text(encoding="utf-8").replace(SAMPLE_AGENCY, agency)
    lines = text.split("\n")
    for number, cell in (edits or {}).items():
        assert lines[number - 1].startswith("\t"), number
        lines[number - 1] = "\t" + cell
    return "\n".join(lines).encode("utf-8")


A1 = variant("甲县人民政府")
A2 = variant("甲县\u3000政府", {LINE_REVIEW_UPHELD: "1", LINE_REVIEW_TOTAL: "1"})
B1 = variant("乙县人民政府", {LINE_NEW_RECEIVED_TOTAL: "23"})
B2 = variant("乙县人民政府")
B2 = B2.replace("工作报告".encode(), "工作报告（更正版）".encode(), 1)
C1 = variant("丙县人民政府")
C1 = C1.replace("工作报告".encode(), "工作报告 ".encode(), 1)  # other bytes than B2/A1
C2 = variant("丙县人民政府", {LINE_NEW_RECEIVED_TOTAL: "23"})

ROUNDS = [
    {"a_v1.txt": A1, "a_v1_copy.txt": A1, "b_v1.txt": B1, "c_v1.txt": C1,
     "scan.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"},
    {"a_v2.txt": A2, "b_v2.txt": B2, "c_v2.txt": C2, "a_v1_again.txt": A1},
]


def settings_for(root: Path) -> Settings:
    data = root / "data"
    return dataclasses.replace(
        Settings.from_env(), data_dir=data, inbox=data / "inbox", archive=data / "archive",
        warehouse=data / "warehouse.duckdb", published=data / "published",
        validation=data / "validation", keep_snapshots=10)


def run_dbt(args: list[str], warehouse: Path, work: Path) -> subprocess.CompletedProcess:
    """dbt ``args`` on the warehouse at ``warehouse``, with target and logs under ``work``."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "XXGK_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [str(dbt) if dbt.exists() else "dbt", *args, "--profiles-dir", str(DBT_PROJECT),
         "--project-dir", str(DBT_PROJECT), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs")],
        cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=600, check=False)


def dbt_build(warehouse: Path, work: Path) -> subprocess.CompletedProcess:
    return run_dbt(["build", "--threads", "4"], warehouse, work)


def build(root: Path) -> dict:
    """Run both rounds through ingest/parse/validate, then dbt build. Returns paths and the
    report ids (sha256) of the variants."""
    settings = settings_for(root)
    settings.ensure_dirs()
    for number, files in enumerate(ROUNDS, start=1):
        for name, data in files.items():
            (settings.inbox / name).write_bytes(data)
        with connect(settings.warehouse) as con:
            ingest_inbox(settings, con)
            parse_received(con, settings)
            validate_pending(con, settings.validation, f"round-{number}")
    result = dbt_build(settings.warehouse, root / "dbt")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    ids = {name: hashlib.sha256(data).hexdigest()
           for name, data in {"A1": A1, "A2": A2, "B1": B1, "B2": B2, "C1": C1, "C2": C2}.items()}
    return {"settings": settings, "warehouse": settings.warehouse, "ids": ids, "root": root,
            "dbt_log": result.stdout}


_BUILT: dict = {}


def shared(tmp_path_factory) -> dict:
    """The fixture warehouse, built once per test session."""
    if "pipeline" not in _BUILT:
        _BUILT["pipeline"] = build(tmp_path_factory.mktemp("xxgk_pipeline"))
    return _BUILT["pipeline"]


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
