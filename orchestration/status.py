"""`xxgk status`: who has reported for a year, read from the published snapshot (the
fct_submission_status mart), the way any consumer reads it."""

from __future__ import annotations

from pathlib import Path

import duckdb

STATUS_ZH = {"on_time": "按时提交", "late": "逾期提交", "held": "未通过校验（暂不发布）", "missing": "未提交"}


def submission_status(published: Path, year: int, region: str | None = None) -> list[tuple]:
    path = published / "latest" / "fct_submission_status.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no published submission status yet (run the pipeline first: make run)")
    sql = ("select status, agency, level, region, versions, first_received_at "
           "from read_parquet(?) where year = ?")
    params: list = [str(path), year]
    if region:
        sql += " and region like ?"
        params.append(f"%{region}%")
    sql += " order by case status when 'missing' then 0 when 'held' then 1 when 'late' then 2 else 3 end, region, agency"
    con = duckdb.connect()
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def format_status(rows: list[tuple], year: int) -> str:
    counts: dict[str, int] = {}
    lines = []
    for status, agency, level, region, versions, first in rows:
        counts[status] = counts.get(status, 0) + 1
        when = first.strftime("%Y-%m-%d") if first else ""
        extra = f"，共{versions}个版本" if versions and versions > 1 else ""
        lines.append(f"  {STATUS_ZH.get(status, status):<10} {agency}（{level or '未登记'}，{region or '—'}）{when}{extra}")
    head = f"{year}年度报告提交情况：" + "，".join(f"{STATUS_ZH[s]} {counts.get(s, 0)}" for s in STATUS_ZH)
    return "\n".join([head, *lines])
