"""How the parser reads what agencies really print: title and heading variants, label
drift, glued cells, odd values, the 2019-2020 form, narrative counts (R8), and which
documents are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.reports.model import UnreadableReport
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import read_document

B_ROWS = [
    "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "(一)予以公开",
    "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "1.属于国家秘密", "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”", "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
    "7.属于行政执法案卷", "8.属于行政查询事项", "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确", "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
    "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他",
    "(七)总计", "四、结转下年度继续办理",
]


def parse(text: str, name: str = "t.txt"):
    return parse_document(read_document(text.encode("utf-8"), name), "x")


def report(title: str = "某县某局2022年政府信息公开工作年度报告", overview: str = "本年度无特别事项。",
           table_a: str | None = None, b_rows: list[str] | None = None, headings=("一、", "二、", "三、", "四、")):
    table_a = table_a if table_a is not None else (
        "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
        "规章 | 0 | 0 | 0 |\n行政规范性文件 | 1 | 0 | 3 |\n"
        "信息内容 | 本年处理决定数量 |\n行政许可 | 2 |\n行政处罚 | 0 |\n行政强制 | 0 |\n"
        "信息内容 | 本年收费金额(单位:万元) |\n行政事业性收费 | 0 |\n")
    rows = b_rows if b_rows is not None else [f"{label} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" for label in B_ROWS]
    c = "\n".join(["行政复议 | 行政诉讼 |"] + [" | ".join(["0"] * 15) + " |"])
    return (f"{title}\n{headings[0]}总体情况\n{overview}\n{headings[1]}主动公开政府信息情况\n{table_a}"
            f"{headings[2]}收到和处理政府信息公开申请情况\n" + "\n".join(rows) + "\n"
            f"{headings[3]}政府信息公开行政复议、行政诉讼情况\n{c}\n五、存在的主要问题及改进情况\n无。\n")


def test_the_synthetic_report_is_complete():
    parsed = parse(report())
    assert parsed.findings == []
    assert (parsed.agency, parsed.year, parsed.form_version) == ("某县某局", 2022, "2021")
    assert len(parsed.nested("B")) == 25 and len(parsed.nested("C")) == 3


@pytest.mark.parametrize(("head", "agency", "year"), [
    ("某县某局2022年度政府信息公开工作年度报告", "某县某局", 2022),
    ("关于2021年度政府信息公开工作的年度报告", None, 2021),
    ("某县人民政府\n关于2021年度政府信息公开工作的年度报告", "某县人民政府", 2021),
    ("某市某委员会政府信息公开工作2022年度报告", "某市某委员会", 2022),
    ("某区某街道办事处2023年度政府\n信息公开工作年度报告", "某区某街道办事处", 2023),
    ("关怀版 无障碍\n您当前所在位置: 首页 > 乡镇 > 某乡\n某乡2020年政府信息公开工作年度报告\n访问量:", "某乡", 2020),
    ("首页/ 政府信息公开 / 年报 / 2021年 / 正文\n某镇2021年政府信息公开工作年度报告", "某镇", 2021),
    ("根据《条例》要求,特编制某市某办公室2023年政府信息公开工作年度报告。", "某市某办公室", 2023),
    ("现公布我局2022年政府信息公开工作年度报告。", None, 2022),
    ("本报告中所列数据的统计期限自2019年1月1日起至2019年12月31日止。", None, 2019),
])
def test_title_variants(head, agency, year):
    parsed = parse(report(title=head))
    assert (parsed.agency, parsed.year) == (agency, year)


def test_quoted_titles_of_other_reports_are_not_the_title():
    parsed = parse(report(title="根据规定编制本报告。", overview="2022年,公开发布《某署2021年政府信息公开工作年度报告》。"))
    assert (parsed.agency, parsed.year) == (None, 2022)


def test_signature_block_gives_agency_and_date():
    text = report(title="根据规定编制本报告。统计期限自2022年1月1日起。") + "\n某县某局\n2023年1月20日\n"
    parsed = parse(text)
    assert (parsed.agency, parsed.year, parsed.report_date) == ("某县某局", 2022, "2023-01-20")


def test_headings_numbered_in_digits_and_sentences_before_tables():
    text = report(headings=("1、 ", "2、 ", "3、 ", "4、 ")).replace(
        "主动公开政府信息情况\n", "主动公开政府信息情况\n该部分以表格形式报告。表格如下:\n")
    parsed = parse(text)
    assert parsed.findings == []


@pytest.mark.parametrize(("label", "row"), [
    ("規章", "rules"), ("行政規範性文件", "normative_documents"), ("行政許可", "licensing"),
])
def test_traditional_characters(label, row):
    table_a = report().split("二、主动公开政府信息情况\n")[1].split("三、")[0]
    plain = {"rules": "规章", "normative_documents": "行政规范性文件", "licensing": "行政许可"}[row]
    parsed = parse(report(table_a=table_a.replace(plain, label)))
    assert row in parsed.nested("A") and not [f for f in parsed.findings if f.rule == "P2"]


def test_header_drift_does_not_change_the_reading():
    table_a = report().split("二、主动公开政府信息情况\n")[1].split("三、")[0]
    for header in ("现行有效件 |", "现行有效件数 (历史累计) |", "现行有效件数（历史累计） |"):
        parsed = parse(report(table_a=table_a.replace("现行有效件数 |", header)))
        assert parsed.nested("A")["normative_documents"] == {"issued": 1, "repealed": 0, "in_force": 3}
        assert parsed.form_version == "2021"


def test_glued_cells():
    parsed = parse(report(table_a="信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n规章000 |\n"))
    assert parsed.nested("A")["rules"] == {"issued": 0, "repealed": 0, "in_force": 0}


@pytest.mark.parametrize(("cell", "value"), [
    ("—", None), ("-", None), ("/", None), ("无", 0), ("１２", 12), ("1,234", 1234), ("3件", 3),
    # a no-break space saved as GBK, which lacks it: "?"
    ("?9", 9), ("12?", 12), ("？7？", 7),
])
def test_value_decisions_in_table_b(cell, value):
    rows = [f"{B_ROWS[0]} | {cell} | 0 | 0 | 0 | 0 | 0 | 0 |"] + [
        f"{label} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" for label in B_ROWS[1:]]
    parsed = parse(report(b_rows=rows))
    assert parsed.nested("B")["new_received"]["natural_person"] == value
    assert any(f.rule == "P1" for f in parsed.findings) == (value is None)


@pytest.mark.parametrize(("cell", "amount"), [("251000元", 25.1), ("25.1", 25.1), ("59237.2449", 59237.2449),
                                             ("25.1万元", 25.1), ("0", 0)])
def test_fees_in_wan_yuan(cell, amount):
    table_a = "信息内容 | 本年收费金额(单位:万元) |\n行政事业性收费 | " + cell + " |\n"
    assert parse(report(table_a=table_a)).nested("A")["fees"] == {"amount": amount}


OLD_TABLE_A = (
    "第二十条第(一)项\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n"
    "规章 | 0 | 0 | 0 |\n规范性文件 | 2 | 2 | 10 |\n"
    "第二十条第(五)项\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
    "行政许可 | 12 | -2 | 40 |\n其他对外管理服务事项 | 3 | −1 | 5 |\n"
    "第二十条第(六)项\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
    "行政处罚 | 7 | +1 | 9 |\n行政强制 | 1 | 0 | 0 |\n"
    "第二十条第(八)项\n信息内容 | 上一年项目数量 | 本年增/减 |\n行政事业性收费 | 2 | －1 |\n"
    "第二十条第(九)项\n信息内容 | 采购项目数量 | 采购总金额 |\n政府集中采购 | 1 | 8040 |\n"
)


def test_old_form_table_a_and_table_b():
    rows = [f"{label} | 1 | 0 | 0 | 0 | 0 | 0 | 1 |" if label.startswith("一、") else
            f"{label} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"
            for label in B_ROWS if "逾期" not in label and label != "3.其他"]
    rows.insert(20, "(六)其他处理 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |")
    parsed = parse(report(title="某乡2020年政府信息公开工作年度报告", table_a=OLD_TABLE_A, b_rows=rows))
    assert parsed.form_version == "2019"
    assert parsed.nested("A") == {
        "rules": {"made": 0, "published": 0, "total_public": 0},
        "normative_documents": {"made": 2, "published": 2, "total_public": 10},
        "licensing": {"prev_year_items": 12, "change": -2, "decisions": 40},
        "other_services": {"prev_year_items": 3, "change": -1, "decisions": 5},
        "penalty": {"prev_year_items": 7, "change": 1, "decisions": 9},
        "coercion": {"prev_year_items": 1, "change": 0, "decisions": 0},
        "fees": {"prev_year_items": 2, "change": -1},
        "procurement": {"items": 1, "amount": 8040},
    }
    b = parsed.nested("B")
    assert "other_overdue_correction" not in b and "other_unpaid_fee" not in b
    assert b["other_other"]["total"] == 1
    assert [f.rule for f in parsed.findings] == ["P3"]


@pytest.mark.parametrize(("overview", "expected"), [
    ("全年收到政府信息公开申请22件,其中自然人申请20件。", [("new_received", 0.0, 22.0)]),
    ("本年度,共受理政府信息公开申请0件。", []),
    ("新收10件、上年结转2件、办结10件、结转下年2件,均依法答复依申请公开事项。",
     [("new_received", 0.0, 10.0), ("carried_over", 0.0, 2.0), ("results_total", 0.0, 10.0),
      ("carried_forward", 0.0, 2.0)]),
    ("共收到12件信息依申请公开,其中10件已经答复,剩余2件结转下年度继续办理。",
     [("new_received", 0.0, 12.0), ("carried_forward", 0.0, 2.0)]),
    ("全年未收到政府信息公开申请。", []),
    ("因政府信息公开引发行政复议2件、行政诉讼0件。", []),
    ("全年共收到政府信息公开申请四十余件。", []),
])
def test_r8_narrative_counts(overview, expected):
    parsed = parse(report(overview=overview))
    assert not [f for f in parsed.findings if f.rule == "R8"]  # the parser reads, the gate judges
    r8 = r8_findings(parsed)
    assert sorted((f.row_code, f.expected, f.actual) for f in r8.itertuples()) == sorted(expected)
    assert all(f.severity == "warning" and f.column_code == "total" and f.line == 3 for f in r8.itertuples())


def r8_findings(parsed_report):
    """R8 as the pipeline judges it: the narrative quotes the parser read, against table B,
    through the GX suite."""
    from orchestration.quality.findings import judge
    from orchestration.stages.parse import quotes_frame, values_frame

    findings, _ = judge(values_frame(parsed_report), None, quotes_frame(parsed_report))
    return findings[findings.rule_id == "R8"]


def test_r8_on_changchun(parsed):
    report_ = parsed("2023_changchun_tuiyijunren_1.txt")
    assert [(q.row, q.number, q.line) for q in report_.quotes] == [("new_received", 2, 3)]
    r8 = r8_findings(report_)
    assert [(f.table_code, f.row_code, f.column_code, f.expected, f.actual, f.line, f.arithmetic)
            for f in r8.itertuples()] == [("B", "new_received", "total", 3.0, 2.0, 3, "正文 2 ≠ 表三 3")]
    assert "2件" in r8.message.iloc[0] and "3件" in r8.message.iloc[0]


@pytest.mark.parametrize("name", ["2022_qianxinan_xingrenshi_1.txt", "000_0dabcd11a12b22e6.txt",
                                  "2023_suqian_shi_1.txt", "2023_zhanjiang_difangzhi_1.txt"])
def test_no_r8_without_a_table_value_or_when_they_agree(parsed, name):
    assert r8_findings(parsed(name)).empty


@pytest.mark.parametrize("text", ["hello world", "会议通知\n请各单位于下周一参加会议。\n"])
def test_documents_without_report_markers_are_refused(text):
    with pytest.raises(UnreadableReport, match="not an annual report"):
        parse(text, "n.txt")


def test_a_report_without_tables_is_parsed_with_findings():
    parsed = parse("某镇2023年政府信息公开工作年度报告\n一、总体情况\n全年主动公开信息40余条。\n")
    assert (parsed.agency, parsed.year, parsed.values, parsed.form_version) == ("某镇", 2023, [], None)
    assert sorted((f.rule, f.table) for f in parsed.findings) == [("P2", "A"), ("P2", "B"), ("P2", "C")]


@pytest.mark.parametrize(("signature", "agency", "date"), [
    ("某县某局\n2023年1月20日", "某县某局", "2023-01-20"),
    ("某县某局\n二〇二三年一月二十日", "某县某局", "2023-01-20"),
    ("某县某局　　2023年12月5日", "某县某局", "2023-12-05"),
    ("联系电话:0000。本报告于2023年1月20日", None, None),
])
def test_signature_variants(signature, agency, date):
    parsed = parse(report(title="根据规定编制本报告。统计期限自2022年1月1日起。") + "\n" + signature + "\n")
    assert (parsed.agency, parsed.report_date) == (agency, date)


def test_a_narrative_mentioning_old_form_words_is_not_the_old_form():
    parsed = parse("某镇2023年政府信息公开工作年度报告\n一、总体情况\n"
                   "全年公开政府集中采购信息5条，上一年项目数量为3项，本年新制作数量有所增加，详见附表。\n")
    assert parsed.form_version is None


B_COLUMNS = ("natural_person", "commercial", "research", "public_welfare", "legal_services", "other_org", "total")
TEXT_EXPORT = Path(__file__).parents[1] / "fixtures" / "libreoffice_text_export.txt"


def test_a_word_processors_text_export_keeps_blank_cells_in_their_columns():
    """LibreOffice's text export of a generated .docx with two blank cells: every table cell
    is a line and an empty cell an empty line, with no row breaks. A blank between two numbers
    stays a blank in its column; the number after it is not moved into its place."""
    parsed = parse_document(read_document(TEXT_EXPORT.read_bytes(), TEXT_EXPORT.name), "x")
    values = {(v.table, v.row, v.column): v.value for v in parsed.values}
    assert (parsed.agency, parsed.year, parsed.report_date, len(values)) == ("鹤建市人民政府", 2024, "2025-03-04", 200)
    assert [values["B", "rejected_excessive", c] for c in B_COLUMNS] == [2, 0, 0, 0, 0, None, 2]
    assert [values["B", "withheld_prohibited", c] for c in B_COLUMNS] == [0, 0, 0, 0, 0, None, 0]
    assert sorted((f.rule, f.row, f.column) for f in parsed.findings) == [
        ("P1", "rejected_excessive", "other_org"), ("P1", "withheld_prohibited", "other_org")]


def test_a_cell_of_only_question_marks_is_text_not_a_blank():
    """What a code page could not encode is lost, not empty: the cell is not read as blank."""
    from orchestration.reports.values import NotAValue, parse_value

    for cell in ("?", "??", "？"):
        with pytest.raises(NotAValue):
            parse_value(cell)


def _saved_as_text(text: str, separator: str) -> str:
    """A report of ``report()`` as a word processor saves it as text: a table row on one line,
    its cells separated by ``separator`` instead of " | "."""
    return "\n".join(line.rstrip(" |").replace(" | ", separator) if " | " in line else line
                     for line in text.splitlines())


def test_a_blank_cell_in_tab_separated_rows_stays_in_its_column():
    """Word's "save as text" ends each cell of a row with a tab: two tabs between two numbers
    enclose a blank cell, and the number after it stays in its own column."""
    rows = [f"{label} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" for label in B_ROWS]
    rows[18] = "4.无正当理由大量反复申请 | 2 | 0 | 0 | 0 | 0 |  | 2 |"
    parsed = parse(_saved_as_text(report(b_rows=rows), "\t"))
    assert [parsed.nested("B")["rejected_excessive"][c] for c in B_COLUMNS] == [2, 0, 0, 0, 0, None, 2]
    assert [(f.rule, f.row, f.column) for f in parsed.findings] == [("P1", "rejected_excessive", "other_org")]


def test_text_aligned_with_runs_of_tabs_has_no_blank_cells():
    """Where every cell is followed by two tabs (aligned by hand), a run of tabs is one
    separator, not a blank cell."""
    rows = [f"{label} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" for label in B_ROWS]
    rows[18] = "4.无正当理由大量反复申请 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |"
    parsed = parse(_saved_as_text(report(b_rows=rows), "\t\t"))
    assert [parsed.nested("B")["rejected_excessive"][c] for c in B_COLUMNS] == [2, 0, 0, 0, 0, 0, 2]
    assert parsed.findings == []
