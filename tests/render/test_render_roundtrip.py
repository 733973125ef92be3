"""Every rendering parses back to the report it was rendered from, and rendering is deterministic."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from orchestration import fonts
from orchestration.render import FORMATS, filename, from_parsed, render, varied
from orchestration.render.docx import render_docx
from orchestration.render.html import render_html
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import doc as doc_reader
from orchestration.reports.readers import read_document

FIXTURE = Path(__file__).parent / "fixtures" / "000_0dabcd11a12b22e6.txt"


def parse(data: bytes, name: str):
    return parse_document(read_document(data, name), "0" * 64)


@pytest.fixture(scope="module")
def source():
    return parse(FIXTURE.read_bytes(), FIXTURE.name)


def facts(report) -> tuple:
    return (report.agency, report.year, report.form_version,
            sorted((v.table, v.row, v.column, v.value) for v in report.values))


def test_the_source_report_is_complete(source):
    assert (source.agency, source.year, source.form_version) == ("和田地区行署办公室", 2021, "2021")
    assert len(source.values) == 10 + 25 * 7 + 15  # A, B, C
    assert not source.findings


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("values", ["source", "varied"])
def test_rendering_parses_back_to_the_same_report(source, fmt, values):
    content = from_parsed(source)
    if values == "varied":
        content = varied(content)
    expected = facts(source) if values == "source" else (
        content.agency, content.year, "2021", sorted((t, r, c, v) for (t, r, c), v in content.values.items()))
    data = render(content, fmt)
    report = parse(data, filename(content, fmt))
    assert facts(report) == expected
    assert report.report_date == "2022-01-28"
    # the only findings allowed are the blank cell of the varied report
    assert [(f.rule, f.row, f.column) for f in report.findings] == (
        [] if values == "source" else [("P1", "withheld_inquiry", "other_org")])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_rendering_is_deterministic(source, fmt):
    content = from_parsed(source)
    assert render(content, fmt) == render(from_parsed(source), fmt)


needs_soffice = pytest.mark.skipif(
    doc_reader.soffice() is None,
    reason="LibreOffice (soffice) is not installed: apt-get install -y --no-install-recommends "
           "libreoffice-writer-nogui fonts-noto-cjk")


@needs_soffice
def test_legacy_doc_saved_by_libreoffice_parses_back(source):
    content = varied(from_parsed(source))
    legacy = doc_reader.convert(render_docx(content), "x.docx", "doc")
    report = parse(legacy, "x.doc")
    assert facts(report)[3] == sorted((t, r, c, v) for (t, r, c), v in content.values.items())


@needs_soffice
def test_pdf_exported_by_an_office_suite_parses_back(source):
    """A PDF as Word, WPS or LibreOffice export it: subsets of its fonts embedded (the
    generator's PDFs name a font without embedding it) and the table drawn cell border by cell
    border. Agency, year, date and every value come back as the .docx had them."""
    content = varied(from_parsed(source))
    exported = doc_reader.convert(render_docx(content), "x.docx", "pdf")
    assert b"/FontFile" in exported
    report = parse(exported, "x.pdf")
    assert facts(report) == (content.agency, content.year, "2021",
                             sorted((t, r, c, v) for (t, r, c), v in content.values.items()))
    assert report.report_date == "2022-01-28"
    assert [(f.rule, f.row, f.column) for f in report.findings] == [("P1", "withheld_inquiry", "other_org")]
    # every value's source position is the printed line it stands on (page 1 starts at 1001)
    assert all(v.line > 1000 for v in report.values)


@needs_soffice
@pytest.mark.parametrize("encoding", ["UTF8", "GBK"])
def test_text_saved_by_an_office_suite_parses_back(source, encoding):
    """Saved as text by an office suite: every cell a line of its own, a blank cell an empty
    line; in GBK the no-break spaces that pad cells become "?". The varied report's blank cell
    comes back blank, every other value in its column."""
    content = varied(from_parsed(source))
    text = doc_reader.convert(render_docx(content), "x.docx", f"txt:Text (encoded):{encoding}")
    assert (b"?" in text) == (encoding == "GBK")
    report = parse(text, "x.txt")
    assert facts(report) == (content.agency, content.year, "2021",
                             sorted((t, r, c, v) for (t, r, c), v in content.values.items()))
    assert [(f.rule, f.row, f.column) for f in report.findings] == [("P1", "withheld_inquiry", "other_org")]


def test_html_declares_and_uses_its_encoding(source):
    content = from_parsed(source)
    gb = render_html(content, "gb18030")
    assert b'<meta charset="gb18030">' in gb
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")
    assert "和田地区行署办公室".encode("gb18030") in gb
    assert b'<meta charset="utf-8">' in render_html(content)


def test_docx_has_merged_header_cells_and_fixed_metadata(source):
    import io
    import zipfile

    data = render_docx(from_parsed(source))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode()
        core = archive.read("docProps/core.xml").decode()
        assert {i.date_time for i in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert '<w:gridSpan w:val="7"/>' in xml and '<w:vMerge w:val="restart"/>' in xml and "<w:vMerge/>" in xml
    assert "2000-01-01T00:00:00Z" in core


def test_pdf_text_layer_extracts_with_pypdfium2(source):
    data = render(from_parsed(source), "pdf")
    document = pdfium.PdfDocument(data)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "和田地区行署办公室2021年政府信息公开工作年度报告" in text
    assert "收到和处理政府信息公开申请情况" in text


@pytest.mark.skipif(fonts.source_font() is None, reason="no Noto Serif CJK collection on this machine "
                    "(apt-get install fonts-noto-cjk): the PDF rendering names its font instead")
def test_pdf_embeds_a_subset_of_its_font_and_the_named_font_layout_does_not(source):
    """Office suites embed their fonts; some reporting systems only name one. Both layouts
    carry the same text (test_rendering_parses_back_to_the_same_report covers their values)."""
    content = from_parsed(source)
    embedded, named = render(content, "pdf"), render(content, "pdf-named-font")
    assert b"/FontFile2" in embedded and b"/STSong-Light" not in embedded
    assert b"/FontFile" not in named and b"/STSong-Light" in named


@pytest.mark.skipif(fonts.source_font() is None, reason="no Noto Serif CJK collection on this machine")
def test_the_embedded_font_is_truetype_and_covers_the_reports_characters():
    from fontTools.ttLib import TTFont

    path = fonts.embeddable_font()
    assert path == fonts.embeddable_font()  # cached: the same file, not rebuilt
    font = TTFont(path)
    assert "glyf" in font and "CFF " not in font  # reportlab embeds TrueType outlines only
    cmap = font.getBestCmap()
    assert all(ord(ch) in cmap for ch in "和田地区行署办公室政府信息公开工作年度报告（一）、：；0123456789")


@pytest.mark.skipif(fonts.source_font() is None, reason="no Noto Serif CJK collection on this machine")
def test_an_unwritable_font_cache_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(fonts, "_build", lambda source: b"the font's bytes")  # where, not what
    blocked = tmp_path / "a-file"
    blocked.write_text("no folder can be made under a file")
    monkeypatch.setenv("XXGK_FONT_CACHE", str(blocked / "cache"))
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    path = fonts.embeddable_font()
    assert path.parent.parent == tmp_path / "tmp" / "xxgk-warehouse-fonts"
    assert path.read_bytes() == b"the font's bytes" and not list(path.parent.glob("*.partial"))
