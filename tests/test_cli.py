"""xxgk parse / xxgk check: output shape, findings and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from samples import LINE_NEW_RECEIVED_NATURAL, SAMPLE, variant

from orchestration.cli import main


@pytest.fixture
def dirty(tmp_path) -> Path:
    path = tmp_path / "dirty.txt"
    path.write_text(variant("某某县人民政府", {LINE_NEW_RECEIVED_NATURAL: "23\u00a0"}), encoding="utf-8")
    return path


def test_parse_json_prints_every_value(capsys):
    assert main(["parse", "--json", str(SAMPLE)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"source", "sha256", "agency", "year", "form_version", "report_date", "active",
                        "applications", "review_litigation", "findings"}
    assert (out["agency"], out["year"], out["form_version"]) == ("和田地区行署办公室", 2021, "2021")
    assert out["applications"]["new_received"]["natural_person"] == 22
    assert out["applications"]["unavailable_not_held"]["total"] == 22
    assert out["active"]["normative_documents"] == {"issued": 2, "repealed": 2, "in_force": 126}
    assert out["review_litigation"]["litigation_after_review"]["total"] == 0
    assert sum(len(cols) for cols in out["applications"].values()) == 175
    assert out["findings"] == []


def test_parse_json_reports_findings_and_exits_0(dirty, capsys):
    assert main(["parse", "--json", str(dirty)]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["rule"], f["severity"], f["table"], f["row"], f["column"], f["expected"], f["actual"], f["line"])
            for f in findings] == [
        ("R1", "error", "B", "new_received", "total", 23.0, 22.0, 84),
        ("R2", "error", "B", "results_total", "natural_person", 23.0, 22.0, 326),
    ]


def test_unreadable_file_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("会议纪要：今天没有表格。", encoding="utf-8")
    assert main(["parse", "--json", str(bad), str(SAMPLE)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and str(bad) in captured.err and "not an annual report" in captured.err
    assert json.loads(captured.out)["agency"] == "和田地区行署办公室"  # the good file still printed


def test_check_prints_labels_and_exits_1(dirty, capsys):
    assert main(["check", str(dirty)]) == 1
    out = capsys.readouterr().out
    assert "「一、本年新收政府信息公开申请数量」" in out and "「总计」" in out and "第84行" in out
    assert "R2" in out and "「自然人」" in out


def test_check_clean_exits_0(capsys):
    assert main(["check", str(SAMPLE)]) == 0
    assert "通过" in capsys.readouterr().out


def test_console_script_has_no_traceback(tmp_path):
    missing = tmp_path / "missing.docx"
    xxgk = Path(sys.executable).with_name("xxgk")
    proc = subprocess.run([str(xxgk), "parse", "--json", str(missing)], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and str(missing) in proc.stderr


def test_same_report_in_every_format_gives_the_same_json(tmp_path, capsys):
    """txt (two layouts), docx, HTML (UTF-8, GB18030, GB2312 declared), PDF and, with
    LibreOffice, .doc: identical `xxgk parse --json` output except source and sha256."""
    import shutil

    from orchestration.render import FORMATS, filename, from_parsed, render
    from orchestration.reports.parser import parse_document
    from orchestration.reports.readers import read_document

    content = from_parsed(parse_document(read_document(SAMPLE.read_bytes(), SAMPLE.name), "x"))
    files = []
    for fmt in FORMATS:
        path = tmp_path / filename(content, fmt)
        path.write_bytes(render(content, fmt))
        files.append(path)
    soffice = shutil.which("soffice")
    if soffice:
        docx = tmp_path / filename(content, "docx")
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                        "--convert-to", "doc", "--outdir", str(tmp_path / "doc"), str(docx)],
                       capture_output=True, timeout=180, check=True)
        files += sorted((tmp_path / "doc").glob("*.doc"))
    assert main(["parse", "--json", *map(str, files)]) == 0
    outputs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(outputs) == len(files) == len(FORMATS) + (1 if soffice else 0)
    strip = [{k: v for k, v in o.items() if k not in ("source", "sha256")} for o in outputs]
    assert all(o == strip[0] for o in strip)
    assert strip[0]["agency"] == "和田地区行署办公室" and strip[0]["applications"]["new_received"]["total"] == 22
