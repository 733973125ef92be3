"""xxgk status: who reported for a year, read from the published snapshot."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.cli import main


@pytest.fixture
def published(tmp_path, monkeypatch):
    latest = tmp_path / "published" / "latest"
    latest.mkdir(parents=True)
    duckdb.execute(f"""
        copy (select * from (values
            ('A', '甲县人民政府', 'county', '某省某市', 2024, 'on_time', 1, timestamp '2025-01-20 09:00:00'),
            ('B', '乙市教育局', 'department', '某省某市', 2024, 'late', 2, timestamp '2025-03-01 09:00:00'),
            ('C', '丙镇人民政府', 'township', '另一省', 2024, 'held', 1, timestamp '2025-01-10 09:00:00'),
            ('D', '丁街道办事处', 'township', '另一省', 2024, 'missing', 0, null),
            ('D', '丁街道办事处', 'township', '另一省', 2023, 'on_time', 1, timestamp '2024-01-10 09:00:00'))
          as t(agency_code, agency, level, region, year, status, versions, first_received_at))
        to '{latest / "fct_submission_status.parquet"}' (format parquet)""")
    monkeypatch.setenv("XXGK_PUBLISHED", str(tmp_path / "published"))
    return tmp_path / "published"


def test_status_lists_who_did_not_report_first(published, capsys):
    assert main(["status", "--year", "2024"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2024年度报告提交情况：按时提交 1，逾期提交 1，未通过校验（暂不发布） 1，未提交 1"
    assert "未提交" in out[1] and "丁街道办事处" in out[1]
    assert "未通过校验" in out[2] and "丙镇人民政府" in out[2]
    assert "乙市教育局" in out[3] and "共2个版本" in out[3]


def test_status_by_region(published, capsys):
    assert main(["status", "--year", "2024", "--region", "某市"]) == 0
    out = capsys.readouterr().out
    assert "甲县人民政府" in out and "丙镇人民政府" not in out


def test_status_without_a_snapshot_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XXGK_PUBLISHED", str(tmp_path / "nothing"))
    assert main(["status", "--year", "2024"]) == 2
    assert "no published submission status yet" in capsys.readouterr().err
