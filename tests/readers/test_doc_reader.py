"""Legacy .doc: LibreOffice converts, the .docx reader reads; without LibreOffice a clear refusal."""

from __future__ import annotations

import pytest

from orchestration.render.docx import package
from orchestration.reports.model import UnreadableReport
from orchestration.reports.readers import doc, read_document

NO_SOFFICE = "LibreOffice (soffice) is not installed: apt-get install -y --no-install-recommends " \
             "libreoffice-writer-nogui fonts-noto-cjk"
needs_soffice = pytest.mark.skipif(doc.soffice() is None, reason=NO_SOFFICE)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(*paragraphs: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    body += ("<w:tbl><w:tblGrid><w:gridCol w:w='2000'/><w:gridCol w:w='2000'/></w:tblGrid><w:tr><w:tc><w:p><w:r><w:t>规章</w:t></w:r></w:p></w:tc>"
             "<w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/>")
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>'
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    types = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    return package({"[Content_Types].xml": types, "_rels/.rels": rels, "word/document.xml": xml})


def texts(document) -> list:
    return [b.text if b.kind == "paragraph" else [[c.text for c in row] for row in b.rows] for b in document.blocks]


def test_without_libreoffice_a_doc_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setenv("XXGK_SOFFICE", "/nonexistent/soffice")
    with pytest.raises(UnreadableReport) as error:
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000, "old.doc")
    assert str(error.value) == "old.doc: .doc needs LibreOffice (soffice) to convert; not installed"


def test_a_docx_or_a_web_page_named_doc_is_read_for_what_it_is():
    assert texts(read_document(_docx("标题"), "x.doc")) == ["标题", [["规章", "3"]]]
    assert texts(read_document("<html><body><p>网页另存为</p></body></html>".encode(), "x.doc")) == ["网页另存为"]


@pytest.mark.parametrize(("data", "reason"), [(b"", "empty file"), (b"plain words", "not a Word document")])
def test_unreadable_doc_says_why(data, reason):
    with pytest.raises(UnreadableReport, match=reason):
        read_document(data, "x.doc")


@needs_soffice
def test_a_real_doc_converts_and_reads():
    legacy = doc.convert(_docx("某局2021年政府信息公开工作年度报告", "一、总体情况"), "x.docx", "doc")
    assert legacy.startswith(b"\xd0\xcf\x11\xe0")
    assert texts(read_document(legacy, "x.doc")) == ["某局2021年政府信息公开工作年度报告", "一、总体情况",
                                                     [["规章", "3"]]]


@needs_soffice
def test_a_damaged_doc_is_refused_not_guessed():
    with pytest.raises(UnreadableReport, match="^bad.doc: "):
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4, "bad.doc")
