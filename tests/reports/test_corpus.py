"""Every report of the corpus goes through the parser, and its header data is what the
excerpt prints (INDEX.tsv describes each file)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"

FILES = sorted(p.name for p in CORPUS.glob("*.txt"))


def test_the_corpus_is_there():
    with open(CORPUS / "INDEX.tsv", encoding="utf-8", newline="") as handle:
        listed = {row["file"] for row in csv.DictReader(handle, delimiter="\t")}
    assert listed == set(FILES) and len(FILES) == 27


@pytest.mark.parametrize("name", FILES)
def test_every_file_parses(parsed, name):
    report = parsed(name)
    assert report.values or report.findings
    rules = {f.rule for f in report.findings}
    assert rules <= {"P1", "P2", "P3", "P4", "R8"}


# (agency, year) as printed in each excerpt: the title (also when split over two lines,
# behind page chrome or inside the preamble), the signature, the statistics period, or the
# narrative's year. None where the excerpt does not print it (INDEX.tsv has those from the
# page's URL only: they are not in the text).
METADATA = {
    "000_0dabcd11a12b22e6.txt": ("和田地区行署办公室", 2021),
    "2023_suqian_shi_1.txt": ("宿迁市人民政府", 2023),
    "2020_huichang_zhongcunxiang_1.txt": ("中村乡", 2020),
    "2020_hukou_dalongxiang_1.txt": ("湖口县大垅乡", 2020),
    "2021_wuqi_zhouwanzhen_1.txt": ("周湾镇", 2021),
    "2021_yanbian_xinjiuzhen_1.txt": ("盐边县新九镇人民政府", 2021),
    "2022_dazu_waiban_1.txt": ("重庆市大足区人民政府外事办公室", 2022),
    "2022_qianxinan_xingrenshi_1.txt": ("兴仁市人民政府", 2022),
    "2023_zhanjiang_difangzhi_1.txt": ("湛江市人民政府地方志办公室", 2023),
    "2023_xixian_dizhang_jiedao_1.txt": ("西咸新区底张街道办事处", 2023),
    "2023_xixian_zhengyang_jiedao_1.txt": ("正阳街道办事处", 2023),
    "2023_shanghai_quanshi_1.txt": ("上海市", 2023),
    "2019_huhehaote_saihanqu_1.txt": (None, 2019),
    "2020_qilixiang_jingxiang_1.txt": (None, 2020),
    "2022_guojia_xinwenchubanshu_1.txt": (None, 2022),
    "2022_nanjing_gaochun_1.txt": (None, 2022),
    "2022_wuhan_hanyang_bangongshi_1.txt": (None, 2022),
    "2022_yangling_shenjiju_1.txt": (None, 2022),
    "2023_changchun_tuiyijunren_1.txt": (None, 2023),
    "2023_guanzhou_jiedao_1.txt": (None, 2023),
    "2023_hangzhou_binjiang_changhe_jiedao_1.txt": (None, 2023),
    "2023_xinjiang_xjnlk_zhen_1.txt": (None, 2023),
    "2024_shenzhen_longgang_bumen_1.txt": (None, 2024),
    "2024_pinghu_bumen_1.txt": (None, 2024),
    "2024_tongxiang_jingxinju_1.txt": (None, 2024),
    "2023_xuwen_bumen_1.txt": (None, None),
    "unknownyear_haidian_bumen_1.txt": (None, None),
}


def test_metadata_covers_the_corpus():
    assert set(METADATA) == set(FILES)


@pytest.mark.parametrize(("name", "agency", "year"), [(k, *v) for k, v in METADATA.items()])
def test_metadata(parsed, name, agency, year):
    report = parsed(name)
    assert (report.agency, report.year) == (agency, year)
    p4 = [f.message for f in report.findings if f.rule == "P4"]
    assert len(p4) == (agency is None) + (year is None)


def test_signature_date(parsed):
    assert parsed("000_0dabcd11a12b22e6.txt").report_date == "2022-01-28"


def test_suqian_equals_its_expected_json(parsed):
    expected = json.loads((CORPUS / "2023_suqian_shi_1.expected.json").read_text(encoding="utf-8"))
    got = parsed("2023_suqian_shi_1.txt").as_json()
    for key in ("agency", "year", "form_version", "active", "applications", "review_litigation"):
        assert got[key] == expected[key], key
    assert got["findings"] == expected["expected_findings"]


def test_the_founding_sample_is_clean(parsed):
    report = parsed("000_0dabcd11a12b22e6.txt")
    assert report.findings == []
    assert len(report.values) == 2 * 3 + 4 + 25 * 7 + 15


@pytest.mark.parametrize(("name", "version"), [
    ("2023_xixian_dizhang_jiedao_1.txt", "2019"),  # a 2023 report on the old form
    ("2020_huichang_zhongcunxiang_1.txt", "2019"),
    ("2020_hukou_dalongxiang_1.txt", "2019"),
    ("2020_qilixiang_jingxiang_1.txt", "2021"),  # a 2020 report on the new form
    ("000_0dabcd11a12b22e6.txt", "2021"),
    ("2022_dazu_waiban_1.txt", None),  # narrative only: no table-A label to judge from
])
def test_form_version_comes_from_the_labels(parsed, name, version):
    report = parsed(name)
    assert report.form_version == version
    assert any(f.rule == "P3" for f in report.findings) == (version == "2019")


def test_old_form_values_keep_their_own_codes(parsed):
    report = parsed("2023_xixian_dizhang_jiedao_1.txt")
    assert report.nested("A") == {
        "rules": {"made": 0, "published": 0, "total_public": 0},
        "normative_documents": {"made": 0, "published": 0, "total_public": 0},
        "licensing": {"prev_year_items": 0, "change": 0, "decisions": 0},
    }
