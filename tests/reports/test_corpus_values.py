"""The values a careful reader finds in the hardest excerpts of the corpus, cell for cell.

Each dict is what the excerpt prints (read by hand from the file, see INDEX.tsv for the
file's quirks); a row cut by the excerpt keeps the cells it has and no more.
"""

from __future__ import annotations

import pytest

B_COLS = ("natural_person", "commercial", "research", "public_welfare", "legal_services", "other_org", "total")


def b(*cells):
    return dict(zip(B_COLS, cells))


ZEROS = b(0, 0, 0, 0, 0, 0, 0)
A_2021_ZEROS = {
    "rules": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
    "licensing": {"decisions": 0},
    "penalty": {"decisions": 0},
    "coercion": {"decisions": 0},
    "fees": {"amount": 0},
}
OLD_ITEMS_ZEROS = {"prev_year_items": 0, "change": 0, "decisions": 0}

# xuwen: only 自然人 and 总计 are filled in 新收; every other row only 总计 (blank = None).
XUWEN_TOTAL_ONLY = b(None, None, None, None, None, None, 0)

EXPECTED = {
    # old form, one cell per paragraph, header cells split ('本年新' / '制作数量')
    "2020_huichang_zhongcunxiang_1.txt": ({
        "rules": {"made": 0, "published": 0, "total_public": 0},
        "normative_documents": {"made": 5, "published": 5, "total_public": 5},
        "licensing": OLD_ITEMS_ZEROS,
        "other_services": OLD_ITEMS_ZEROS,
        "penalty": OLD_ITEMS_ZEROS,
        "coercion": OLD_ITEMS_ZEROS,
        "fees": {"prev_year_items": 0, "change": 0},
        "procurement": {"items": 1, "amount": 8040},
    }, {}),
    # old form, rows opened by a lone '|' line, cells closed by ' |' / ' | |'
    "2020_hukou_dalongxiang_1.txt": ({
        "rules": {"made": 0, "published": 0, "total_public": 0},
        "normative_documents": {"made": 0, "published": 0, "total_public": 0},
        "licensing": OLD_ITEMS_ZEROS,
        "other_services": OLD_ITEMS_ZEROS,
        "penalty": OLD_ITEMS_ZEROS,
        "coercion": OLD_ITEMS_ZEROS,
        "fees": {"prev_year_items": 0, "change": 0},
    }, {}),
    # 2020 report on the 2021 form; the fees row is cut before its label
    "2020_qilixiang_jingxiang_1.txt": ({
        "rules": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
        "licensing": {"decisions": 15},
        "penalty": {"decisions": 0},
        "coercion": {"decisions": 3},
    }, {}),
    # '现行有效件' truncated header, one cell per paragraph, ' 0' and nbsp-only lines
    "2021_yanbian_xinjiuzhen_1.txt": (A_2021_ZEROS, {
        "new_received": ZEROS, "carried_over": ZEROS, "granted": ZEROS,
    }),
    "2022_guojia_xinwenchubanshu_1.txt": ({
        "rules": {"issued": 0, "repealed": 0, "in_force": 25},
        "normative_documents": {"issued": 3, "repealed": 0, "in_force": 291},
        "licensing": {"decisions": 46209},
        "penalty": {"decisions": 6},
        "coercion": {"decisions": 0},
        "fees": {"amount": 0},
    }, {}),
    # '现行有效件数 (历史累计)'; 规章 现行有效 printed blank (two lone '|' lines)
    "2022_wuhan_hanyang_bangongshi_1.txt": ({
        "rules": {"issued": 0, "repealed": 0, "in_force": None},
        "normative_documents": {"issued": 5, "repealed": 12, "in_force": 8},
        "licensing": {"decisions": 0},
        "penalty": {"decisions": 0},
        "coercion": {"decisions": 0},
        "fees": {"amount": 0},
    }, {"new_received": b(8, 0, 0, 0, 0, 0, 8), "carried_over": ZEROS}),
    "2023_changchun_tuiyijunren_1.txt": (A_2021_ZEROS, {
        "new_received": b(3, 0, 0, 0, 0, 0, 3), "carried_over": ZEROS,
    }),
    # last row cut after six cells
    "2023_guanzhou_jiedao_1.txt": ({**A_2021_ZEROS, "penalty": {"decisions": 1472}}, {
        "new_received": b(1, 0, 0, 0, 0, 0, 1),
        **{row: ZEROS for row in ("carried_over", "granted", "partly_granted", "withheld_state_secret",
                                  "withheld_prohibited", "withheld_security_stability",
                                  "withheld_third_party", "withheld_internal")},
        "withheld_process": b(0, 0, 0, 0, 0, 0),
    }),
    # every cell and every '|' on its own line; a town printing 规章 现行有效 6
    "2023_xinjiang_xjnlk_zhen_1.txt": ({**A_2021_ZEROS, "rules": {"issued": 0, "repealed": 0, "in_force": 6}}, {
        row: ZEROS for row in ("new_received", "carried_over", "granted", "partly_granted",
                               "withheld_state_secret", "withheld_prohibited",
                               "withheld_security_stability", "withheld_third_party",
                               "withheld_internal")
    }),
    # blank cells: only 自然人 and 总计 filled
    "2023_xuwen_bumen_1.txt": ({**A_2021_ZEROS, "normative_documents": {"issued": 3, "repealed": 0, "in_force": 101}}, {
        "new_received": b(0, None, None, None, None, None, 0),
        **{row: XUWEN_TOTAL_ONLY for row in ("carried_over", "granted", "partly_granted",
                                             "withheld_state_secret", "withheld_prohibited",
                                             "withheld_security_stability", "withheld_third_party",
                                             "withheld_internal")},
    }),
    "2023_zhanjiang_difangzhi_1.txt": (A_2021_ZEROS, {
        "new_received": ZEROS, "carried_over": ZEROS, "granted": ZEROS,
    }),
    # non-zero table B; 7.属于行政执法案卷 cut after six cells
    "2024_shenzhen_longgang_bumen_1.txt": ({**A_2021_ZEROS, "normative_documents": {"issued": 5, "repealed": 1, "in_force": 25}}, {
        "new_received": b(58, 7, 0, 0, 1, 0, 66),
        "carried_over": b(2, 0, 0, 0, 0, 0, 2),
        "granted": b(2, 1, 0, 0, 0, 0, 3),
        "partly_granted": b(16, 1, 0, 0, 0, 0, 17),
        "withheld_state_secret": ZEROS,
        "withheld_prohibited": ZEROS,
        "withheld_security_stability": ZEROS,
        "withheld_third_party": ZEROS,
        "withheld_internal": b(1, 0, 0, 0, 0, 0, 1),
        "withheld_process": ZEROS,
        "withheld_enforcement_file": b(0, 0, 0, 0, 0, 0),
    }),
    # no headings, page chrome only; one cell per line with '||' fillers
    "unknownyear_haidian_bumen_1.txt": ({**A_2021_ZEROS, "penalty": {"decisions": 187}}, {
        "new_received": b(49, 0, 0, 0, 0, 0, 49),
        "carried_over": b(8, 0, 0, 0, 0, 0, 8),
        "granted": b(1, 0, 0, 0, 0, 0, 1),
        **{row: ZEROS for row in ("partly_granted", "withheld_state_secret", "withheld_prohibited",
                                  "withheld_security_stability", "withheld_third_party",
                                  "withheld_internal", "withheld_process",
                                  "withheld_enforcement_file", "withheld_inquiry",
                                  "unavailable_unclear")},
        "unavailable_not_held": b(54, 0, 0, 0, 0, 0, 54),
        "unavailable_needs_creation": b(1, 0, 0, 0, 0, 0, 1),
    }),
    "2024_tongxiang_jingxinju_1.txt": ({
        "rules": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"issued": 4, "repealed": 5, "in_force": 5},
    }, {}),
    "2024_pinghu_bumen_1.txt": ({
        "rules": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
        "licensing": {"decisions": 460},
    }, {}),
    "2022_yangling_shenjiju_1.txt": (A_2021_ZEROS, {}),
}

# Excerpts without any table: nothing to read, one P2 per absent table.
NARRATIVE_ONLY = ["2019_huhehaote_saihanqu_1.txt", "2021_wuqi_zhouwanzhen_1.txt", "2022_dazu_waiban_1.txt",
                  "2022_nanjing_gaochun_1.txt", "2022_qianxinan_xingrenshi_1.txt",
                  "2023_hangzhou_binjiang_changhe_jiedao_1.txt", "2023_shanghai_quanshi_1.txt",
                  "2023_xixian_zhengyang_jiedao_1.txt"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_values_present(parsed, name):
    active, applications = EXPECTED[name]
    report = parsed(name)
    assert report.nested("A") == active
    assert report.nested("B") == applications
    assert report.nested("C") == {}  # no excerpt reaches table C


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_blank_cells_have_p1_and_cut_rows_p2(parsed, name):
    report = parsed(name)
    blanks = {(v.table, v.row, v.column) for v in report.values if v.value is None}
    p1 = {(f.table, f.row, f.column) for f in report.findings if f.rule == "P1"}
    assert blanks == p1
    cut = {row for table in ("A", "B") for row, cells in report.nested(table).items()
           if len(cells) < (7 if table == "B" else len(EXPECTED[name][0][row]))}
    short = {f.row for f in report.findings if f.rule == "P2" and "缺少数值" in f.message}
    assert cut == short


@pytest.mark.parametrize("name", NARRATIVE_ONLY)
def test_narrative_only_reports_parse_with_findings(parsed, name):
    report = parsed(name)
    assert report.values == []
    absent = sorted(f.table for f in report.findings if f.rule == "P2" and f.row is None)
    assert absent == ["A", "B", "C"]


def test_a_cut_table_reports_its_missing_rows(parsed):
    report = parsed("2024_shenzhen_longgang_bumen_1.txt")
    missing = [f.row for f in report.findings if f.rule == "P2" and f.message.startswith("未找到「")]
    assert missing == ["withheld_inquiry", "unavailable_not_held", "unavailable_needs_creation",
                       "unavailable_unclear", "rejected_petition", "rejected_duplicate",
                       "rejected_publication", "rejected_excessive", "rejected_confirmation",
                       "other_overdue_correction", "other_unpaid_fee", "other_other",
                       "results_total", "carried_forward"]
    assert [f.table for f in report.findings if f.rule == "P2" and f.row is None] == ["C"]
