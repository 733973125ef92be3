"""Every kind of bad input the inbox receives, generated here (no big binaries committed):
each ends in a recorded status with a clear reason, and the rest of the batch goes on.

The summary of the last run is written to data/ci-artifacts/hostile-summary.json (figures
for RELIABILITY.md)."""

from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from pathlib import Path

import pytest
from samples import ROOT, SAMPLE, sample_text

from orchestration.render import from_parsed, render
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import read_document
from orchestration.settings import Settings
from orchestration.stages.ingest import ingest_inbox
from orchestration.stages.parse import parse_received
from orchestration.stages.validate import validate_pending
from orchestration.warehouse import connect

ARTIFACTS = ROOT / "data" / "ci-artifacts"


def sample_content():
    data = SAMPLE.read_bytes()
    return from_parsed(parse_document(read_document(data, SAMPLE.name), "x"))


def noise(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def docx_with(document_xml: bytes, compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A .docx whose document part inflates to 200 MB of zeros (a few hundred KB packed)."""
    buffer = io.BytesIO()
    block = b"\0" * (1 << 20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("word/document.xml", "w", force_zip64=True) as part:
        for _ in range(200):
            part.write(block)
    return buffer.getvalue()


XXE = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
       b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>")
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
          + ']><html><body><p>&lol9;</p></body></html>').encode()


def many_pages_pdf(pages: int) -> bytes:
    """A valid PDF of ``pages`` empty pages (no text layer), written by hand."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [" + " ".join(f"{3 + i} 0 R" for i in range(pages)) + f"] /Count {pages} >>"]
    objects += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def encrypted_pdf() -> bytes:
    pdf = many_pages_pdf(1)
    return pdf.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Encrypt << /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >> >>")


def hostile_files(tmp: Path) -> dict[str, bytes]:
    content = sample_content()
    docx, pdf = render(content, "docx"), render(content, "pdf")
    old_form = (ROOT / "tests" / "fixtures" / "corpus" / "2020_huichang_zhongcunxiang_1.txt").read_bytes()
    return {
        "empty.txt": b"", "empty.docx": b"", "empty.pdf": b"", "empty.html": b"",
        "noise.txt": noise(4096, 1), "noise.docx": noise(4096, 2), "noise.pdf": noise(4096, 3),
        "noise.html": noise(4096, 4), "noise.doc": noise(4096, 5), "noise.xlsx": noise(4096, 6),
        "truncated.docx": docx[: len(docx) // 2], "truncated.pdf": pdf[: len(pdf) // 2],
        "encrypted.docx": bytes.fromhex("D0CF11E0A1B11AE1") + noise(4088, 7),
        "encrypted.pdf": encrypted_pdf(),
        "zip-bomb.docx": zip_bomb(),
        "xxe.docx": docx_with(XXE),
        "billion-laughs.html": LAUGHS,
        "5000-pages.pdf": many_pages_pdf(5000),
        "news-page.html": "<html><head><meta charset='utf-8'><title>新闻</title></head><body><h1>市长调研春耕生产</h1>"
                          "<p>4月2日，市长一行深入田间地头……</p></body></html>".encode(),
        "policy.txt": "关于印发《某某市优化营商环境若干措施》的通知\n各区人民政府：\n现将有关措施印发给你们，请认真贯彻执行。\n".encode(),
        "old-form-2020.txt": old_form,
        "utf16.txt": sample_text().encode("utf-16"),
        "shift-jis.txt": "年次報告書です。表はありません。".encode("shift_jis"),
        "good.txt": SAMPLE.read_bytes(),
        "good copy.txt": SAMPLE.read_bytes(),  # same bytes, second name
    }


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    settings = Settings(**{**Settings.from_env().__dict__, "data_dir": tmp, "inbox": tmp / "inbox",
                           "archive": tmp / "archive", "warehouse": tmp / "warehouse.duckdb",
                           "published": tmp / "published", "validation": tmp / "validation",
                           "parse_timeout_s": 60.0})
    settings.ensure_dirs()
    files = hostile_files(tmp)
    for name, data in files.items():
        (settings.inbox / name).write_bytes(data)
    # A 1 GB file (sparse: no 1 GB written by the test itself).
    with open(settings.inbox / "huge.txt", "wb") as handle:
        handle.truncate(1 << 30)
    with connect(settings.warehouse) as con:
        ingest_inbox(settings, con)
        parse_received(con, settings)
        validate_pending(con, settings.validation, "hostile")
        statuses = con.execute(
            "select f.original_name, f.status, f.error, count(r.receipt_id) "
            "from raw.files f join raw.receipts r using (sha256) group by all order by 1").fetchall()
        receipts = con.execute("select original_name from raw.receipts order by 1").fetchall()
        findings = con.execute("select count(*) from quality.findings q join raw.files f on q.report_id = f.sha256 "
                               "where f.original_name = 'good.txt'").fetchall()[0][0]
    return settings, files, statuses, [r[0] for r in receipts], findings


def test_every_file_is_on_record(hostile_run):
    settings, files, statuses, receipts, _ = hostile_run
    submitted = set(files) | {"huge.txt"}
    assert set(receipts) == submitted  # every submission has a receipt, duplicates included
    distinct = {hashlib.sha256(data).hexdigest() for data in files.values()} | {"the 1 GB file"}
    assert len(statuses) == len(distinct)  # the same bytes under several names are one file
    assert not any(settings.inbox.iterdir())


def test_bad_files_are_unreadable_with_a_reason(hostile_run):
    _, _, statuses, _, _ = hostile_run
    by_name = {name: (status, error) for name, status, error, _ in statuses}
    parsed = {name for name, (status, _) in by_name.items() if status == "parsed"}
    assert parsed <= {"good.txt", "good copy.txt", "old-form-2020.txt"}
    assert "old-form-2020.txt" in parsed
    for name, (status, error) in by_name.items():
        if status == "unreadable":
            assert error and error.startswith(f"{name}: ") and "Traceback" not in error, (name, error)
    reasons = {name: error for name, (_, error) in by_name.items()}
    assert "XXGK_MAX_FILE_BYTES" in reasons["huge.txt"]
    # The four empty files are one content: recorded once, under the first name received.
    assert reasons["empty.docx"] == "empty.docx: empty file"


def test_the_good_report_goes_on(hostile_run):
    _, _, statuses, _, findings = hostile_run
    good = [s for s in statuses if s[0] in ("good.txt", "good copy.txt")]
    assert len(good) == 1 and good[0][1] == "parsed" and good[0][3] == 2  # one file, two receipts
    assert findings == 0


def test_nothing_from_a_document_reaches_the_file_system(hostile_run):
    settings, *_ = hostile_run
    archived = sorted(p.relative_to(settings.archive).as_posix() for p in settings.archive.rglob("*") if p.is_file())
    for path in archived:
        prefix, name = path.split("/")
        assert len(prefix) == 2 and name[:2] == prefix and len(name.split(".")[0]) == 64


def test_write_summary(hostile_run):
    _, files, statuses, receipts, _ = hostile_run
    summary = {
        "files_submitted": len(receipts),
        "distinct_files": len(statuses),
        "by_status": {s: sum(1 for row in statuses if row[1] == s) for s in {row[1] for row in statuses}},
        "reasons": {name: error for name, status, error, _ in statuses if status != "parsed"},
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "hostile-summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    assert summary["files_submitted"] == len(files) + 1
