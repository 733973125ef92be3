"""The PDF reader's substitute font: PDFs that name their font without embedding it read the
same with the cached Noto Serif CJK subset (orchestration/fonts.py) as with PDFium's search of
the system's fonts. PDFium's font configuration is per process, so each way runs in a process
of its own."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from orchestration import fonts
from orchestration.render import from_parsed, render, varied
from orchestration.render.pdf import _font
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import read_document
from orchestration.settings import Settings
from orchestration.stages import parse

FIXTURE = Path(__file__).parents[1] / "render" / "fixtures" / "000_0dabcd11a12b22e6.txt"

READ = """
import json, sys
from pathlib import Path
from orchestration.reports.readers import pdf, read_document
docs = {p: repr(read_document(Path(p).read_bytes(), Path(p).name)) for p in sys.argv[1:]}
print(json.dumps({"font": pdf.SUBSTITUTE_FONT and str(pdf.SUBSTITUTE_FONT), "docs": docs}))
"""


def _read_in_a_process(paths: list[Path], env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", READ, *map(str, paths)], env={**os.environ, **env},
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def _latin_named_font_pdf(font: str) -> bytes:
    """A page of a label and numbers in a TrueType font that is named, not embedded, and not
    one of PDF's standard fonts (so PDFium must find a substitute)."""
    rows = [(50, 800, "Report 2023"), (50, 780, "Applications"), (200, 780, "12"), (260, 780, "7"),
            (50, 760, "Granted in part"), (200, 760, "3"), (260, 760, "1025")]
    text = "BT /F1 11 Tf " + " ".join(f"1 0 0 1 {x} {y} Tm ({t}) Tj" for x, y, t in rows) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>"),
        (f"<< /Type /Font /Subtype /TrueType /BaseFont /{font} /FirstChar 32 /LastChar 126 "
        f"/Widths [{' '.join(['556'] * 95)}] /Encoding /WinAnsiEncoding /FontDescriptor 6 0 R >>"),
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        (f"<< /Type /FontDescriptor /FontName /{font} /Flags 32 /FontBBox [-500 -300 1300 1000] "
        "/ItalicAngle 0 /Ascent 750 /Descent -250 /CapHeight 700 /StemV 80 >>"),
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


def _named_font_pdfs(folder: Path) -> list[Path]:
    """The fixture report and a varied copy as PDFs that name STSong-Light, a page of
    characters outside GB2312 (the subset's coverage), one beyond the BMP, and pages in
    Latin and Chinese fonts that are named only."""
    source = parse_document(read_document(FIXTURE.read_bytes(), FIXTURE.name), "fixture")
    paths = []
    for name, content in (("report", from_parsed(source)), ("varied", varied(from_parsed(source)))):
        data = render(content, "pdf-named-font")
        assert b"/FontFile" not in data and b"/STSong-Light" in data
        paths.append(folder / f"{name}.pdf")
        paths[-1].write_bytes(data)
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, invariant=1)
    c.setFont(_font(), 10)
    for n, line in enumerate(["申请人 喆 镕 堃 珺 玥 翀 赟 彧 6 12 0", "一、总体情况 䶮𠀀 龘 犇 垚", "规章 0 0 5"]):
        c.drawString(50, 800 - 20 * n, line)
    c.save()
    paths.append(folder / "rare.pdf")
    paths[-1].write_bytes(buffer.getvalue())
    for font in ("Calibri", "Verdana", "SimSun", "FangSong_GB2312"):
        paths.append(folder / f"{font}.pdf")
        paths[-1].write_bytes(_latin_named_font_pdf(font))
    return paths


@pytest.mark.skipif(fonts.source_font() is None, reason="no Noto Serif CJK collection on this machine "
                    "(apt-get install fonts-noto-cjk): nothing to substitute with")
def test_named_font_pdfs_read_the_same_with_the_substitute_font(tmp_path):
    built = fonts.embeddable_font()  # once per machine (~8 s), as the parse stage does
    paths = _named_font_pdfs(tmp_path)
    empty = tmp_path / "no-font-cache"
    empty.mkdir()
    system = _read_in_a_process(paths, {"XXGK_FONT_CACHE": str(empty), "TMPDIR": str(empty)})
    substitute = _read_in_a_process(paths, {})
    assert system["font"] is None and substitute["font"] == str(built)
    assert substitute["docs"] == system["docs"]
    report = substitute["docs"][str(paths[0])]
    assert "和田地区行署办公室2021年政府信息公开工作年度报告" in report
    assert "喆 镕 堃 珺 玥 翀 赟 彧" in substitute["docs"][str(paths[2])]
    assert "Cell(text='1025'" in substitute["docs"][str(paths[3])]


def test_the_parse_stage_builds_the_font_only_for_pdfs(monkeypatch):
    """The font is built (once per machine) before the workers start, and only when a PDF is
    pending: a run without PDFs never pays for it."""
    built: list[int] = []
    monkeypatch.setattr(parse, "embeddable_font", lambda: built.append(1))
    monkeypatch.setattr(parse, "parse_supervised", lambda tasks, *args: iter(()))

    class Con:
        def __init__(self, rows):
            self.rows = rows

        def execute(self, sql, *args):
            return self

        def fetchall(self):
            return self.rows

    parse.parse_received(Con([("a", "x.txt", "/a"), ("b", "y.docx", "/b")]), Settings.from_env())
    assert built == []
    parse.parse_received(Con([("a", "x.txt", "/a"), ("c", "Z.PDF", "/c")]), Settings.from_env())
    assert built == [1]
