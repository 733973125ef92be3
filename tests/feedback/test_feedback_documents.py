"""Feedback to agencies: a Chinese document per report needing action, that a clerk can act
on (table, row and column by printed label, values, arithmetic, source line, raw cell, fix)."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.stages.feedback import Feedback, Finding, render_html, slug, write_feedback


@pytest.fixture(scope="module")
def documents(pipeline, tmp_path_factory):
    folder = tmp_path_factory.mktemp("feedback")
    con = duckdb.connect(str(pipeline["warehouse"]), read_only=True)
    try:
        write_feedback(con, folder)
        written = sorted(folder.iterdir())
    finally:
        con.close()
    return folder, written


def test_held_report_feedback_tells_the_clerk_what_to_fix(pipeline, documents):
    folder, _ = documents
    c2 = pipeline["ids"]["C2"]
    md = (folder / f"2021-丙县人民政府-{c2[:8]}.md").read_text(encoding="utf-8")
    for expected in (
        "暂缓发布",                                  # status: not published until corrected
        "此前通过审核的第 1 版仍在发布中",
        "表三（收到和处理政府信息公开申请情况）",      # table as printed
        "行「一、本年新收政府信息公开申请数量」，列「总计」",  # row and column labels
        "报告所填：23；按规则应为：22",                # the values
        "22 + 0 + 0 + 0 + 0 + 0 = 22 ≠ 23",          # the failing arithmetic (R1)
        "第 84 行，单元格原文「23」",                  # where in their file
        "23 + 0 = 23 ≠ 22 + 0 = 22",                 # R2 on the total column
        "第 332 行，单元格原文「22␣」",               # raw cell with its no-break space
        "修改方法：请核对该行各栏",                    # how to fix
    ):
        assert expected in md, expected
    if "请核实的提示" in md:  # warnings (e.g. R8, narrative vs table) come after the errors
        assert md.index("需要更正的错误") < md.index("请核实的提示")
    html = (folder / f"2021-丙县人民政府-{c2[:8]}.html").read_text(encoding="utf-8")
    assert "22 + 0 + 0 + 0 + 0 + 0 = 22 ≠ 23" in html and "第 84 行" in html


def test_only_reports_needing_action_get_a_document(pipeline, documents):
    folder, written = documents
    ids = pipeline["ids"]
    names = {p.name for p in written}
    for clean_or_replaced in ("A1", "A2", "B1", "B2", "C1"):
        assert not any(ids[clean_or_replaced][:8] in n for n in names), clean_or_replaced
    assert any(n.startswith("unreadable-") and n.endswith(".md") for n in names)
    # the index: an overview of the years, and a page per year listing its documents
    index = (folder / "index.md").read_text(encoding="utf-8")
    assert "[index-2021.md](index-2021.md)" in index and "[index-unknown.md](index-unknown.md)" in index
    year_page = (folder / "index-2021.md").read_text(encoding="utf-8")
    c2 = pipeline["ids"]["C2"]
    assert f"| 2021 | 2 | 暂缓发布 | 2 | 1 | [2021-丙县人民政府-{c2[:8]}.md]" in year_page
    unknown = (folder / "index-unknown.html").read_text(encoding="utf-8")
    assert "无法读取" in unknown and 'href="unreadable-' in unknown
    unreadable = next(p for p in written if p.name.startswith("unreadable-") and p.suffix == ".md")
    assert "scan.pdf" in unreadable.read_text(encoding="utf-8")


def test_names_from_reports_never_become_paths_or_markup():
    for hostile in ("../../etc/passwd", "a/b\\c", "..", "甲县<script>", "\u202e", ""):
        name = slug(hostile, 2021, "0123456789abcdef", "held")
        assert "/" not in name and "\\" not in name and ".." not in name and "<" not in name
        assert name.startswith("2021-") and name.endswith("-01234567")
    fb = Feedback(report_id="0" * 64, status="held", status_zh="暂缓发布", status_text="x",
                  agency="<script>alert(1)</script>", year=2021, version=1,
                  source_name="<b>.txt", received_at="2024-01-01 00:00:00", receipt_count=1,
                  file_error=None, slug="s")
    fb.errors.append(Finding(1, "R1", "error", "错误", "d", "表三（x）", "<i>", "总计", "23", "22",
                             "22 ≠ 23", 84, "<img src=x>", "m", "fix"))
    html = render_html(fb)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x&gt;" in html
