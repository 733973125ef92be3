"""Parse throughput per file format, one core: reports/s for read_document + parse_document
("parse"), for read_document alone ("read"), and the floor (reading + decoding the same
bytes without interpreting them).

    .venv/bin/python bench/parse_throughput.py [--seconds 2] [--no-doc] [--cpu]

The documents are the renderings of the founding sample (orchestration.render), so every
format carries the same report. Two floors:
- "floor": reading and decoding the bytes without interpreting them (the issue's definition):
  text/HTML = decode the bytes; .docx = unzip word/document.xml; PDF = open and load every
  page's text page; .doc = the LibreOffice conversion alone;
- "tree": the floor plus the format library's own parse, still without interpreting the
  report: text = decode and split into lines; HTML = lxml's tree of the decoded page; .docx =
  lxml's tree of word/document.xml; PDF = the floor plus every page's characters as a string.
Two PDF layouts of the renderer: "pdf" embeds a subset of its CJK font, as office suites
export; "pdf-named-font" only names it, so PDFium loads the system's CJK font collection for
every document. With LibreOffice installed, one more PDF row: the .docx rendering exported to
PDF by LibreOffice (fonts embedded, every table cell's borders drawn).
``--cpu`` times by this process's CPU time instead of the wall clock: on a shared machine
whose cores are busy, the wall clock also counts the time spent waiting for a core. The .doc
row stays on the wall clock (its work is a LibreOffice child process).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lxml.html
import pypdfium2 as pdfium
from lxml import etree

from orchestration.render import FORMATS, filename, from_parsed, render
from orchestration.render.docx import render_docx
from orchestration.reports.parser import parse_document
from orchestration.reports.readers import doc as doc_reader
from orchestration.reports.readers import read_document
from orchestration.reports.readers.html import _XML_DECL

SAMPLE = ROOT / "tests" / "render" / "fixtures" / "000_0dabcd11a12b22e6.txt"


def rate(fn, seconds: float, minimum: int = 3, clock=time.perf_counter) -> tuple[float, int]:
    """Calls per second of ``fn`` (by ``clock``) over at least ``seconds`` and ``minimum`` calls."""
    fn()  # warm-up (imports, font registration, caches)
    count, start = 0, clock()
    while True:
        fn()
        count += 1
        elapsed = clock() - start
        if elapsed >= seconds and count >= minimum:
            return count / elapsed, count


def floor_for(fmt: str, data: bytes):
    if fmt.endswith("text"):
        return lambda: data.decode("utf-8")
    if fmt.startswith("html"):
        codec = "utf-8" if fmt == "html-utf8" else "gb18030"
        return lambda: data.decode(codec)
    if fmt == "docx":
        def unzip() -> bytes:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return archive.read("word/document.xml")
        return unzip
    if fmt.startswith("pdf"):
        def load() -> None:
            pdf = pdfium.PdfDocument(data)
            for i in range(len(pdf)):
                page = pdf[i]
                page.get_textpage().close()
                page.close()
            pdf.close()
        return load
    raise ValueError(fmt)


def tree_for(fmt: str, data: bytes):
    if fmt.endswith("text"):
        return lambda: data.decode("utf-8").splitlines()
    if fmt.startswith("html"):
        codec = "utf-8" if fmt == "html-utf8" else "gb18030"
        return lambda: lxml.html.document_fromstring(_XML_DECL.sub("", data.decode(codec)))
    if fmt == "docx":
        def unzip_and_parse():
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return etree.fromstring(archive.read("word/document.xml"))
        return unzip_and_parse
    if fmt.startswith("pdf"):
        def load_text() -> list[str]:
            pdf = pdfium.PdfDocument(data)
            texts = []
            for i in range(len(pdf)):
                page = pdf[i]
                textpage = page.get_textpage()
                texts.append(textpage.get_text_range())
                textpage.close()
                page.close()
            pdf.close()
            return texts
        return load_text
    raise ValueError(fmt)


def print_row(label: str, fmt: str, data: bytes, name: str, seconds: float, clock) -> None:
    parse_rate, _ = rate(lambda: parse_document(read_document(data, name), "0" * 64), seconds, clock=clock)
    read_rate, _ = rate(lambda: read_document(data, name), seconds, clock=clock)
    floor_rate, _ = rate(floor_for(fmt, data), seconds, clock=clock)
    tree_rate, _ = rate(tree_for(fmt, data), seconds, clock=clock)
    print(f"{label:<24}{len(data):>9}{parse_rate:>10.1f}{1000 / parse_rate:>9.2f}{read_rate:>10.1f}"
          f"{1000 / read_rate:>9.2f}{floor_rate:>11.1f}{1000 / floor_rate:>9.3f}"
          f"{tree_rate:>10.1f}{1000 / tree_rate:>9.3f}{100 * parse_rate / floor_rate:>12.2f}%"
          f"{100 * parse_rate / tree_rate:>11.1f}%")


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
            f"{' (' + model + ')' if model else ''}; measured on one core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--no-doc", action="store_true", help="skip .doc (LibreOffice, ~3 s per report)")
    parser.add_argument("--cpu", action="store_true", help="time by CPU time, not the wall clock")
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    source = parse_document(read_document(SAMPLE.read_bytes(), SAMPLE.name), "0" * 64)
    content = from_parsed(source)
    print(machine() + ("; CPU time" if args.cpu else ""))
    print(f"{'format':<24}{'bytes':>9}{'parse/s':>10}{'ms':>9}{'read/s':>10}{'ms':>9}{'floor/s':>11}{'ms':>9}"
          f"{'tree/s':>10}{'ms':>9}{'parse/floor':>13}{'parse/tree':>12}")
    for fmt in FORMATS:
        data = render(content, fmt)
        print_row(fmt, fmt, data, filename(content, fmt), args.seconds, clock)
    if doc_reader.soffice():
        # As Word, WPS and LibreOffice export: fonts embedded as subsets (as the generator's
        # "pdf" layout; "pdf-named-font" makes PDFium load the system's CJK collection) and
        # every table cell's borders drawn.
        exported = doc_reader.convert(render_docx(content), "x.docx", "pdf")
        print_row("pdf (LibreOffice export)", "pdf", exported, "x.pdf", args.seconds, clock)
    if not args.no_doc and doc_reader.soffice():
        legacy = doc_reader.convert(render_docx(content), "x.docx", "doc")
        parse_rate, _ = rate(lambda: parse_document(read_document(legacy, "x.doc"), "0" * 64), 0, minimum=3)
        floor_rate, _ = rate(lambda: doc_reader.convert(legacy, "x.doc", infilter="MS Word 97"), 0, minimum=3)
        print(f"{'doc (LibreOffice)':<24}{len(legacy):>9}{parse_rate:>10.2f}{1000 / parse_rate:>9.0f}"
              f"{'':>19}{floor_rate:>11.2f}{1000 / floor_rate:>9.0f}")
    elif not args.no_doc:
        print("doc: skipped (LibreOffice not installed)")


if __name__ == "__main__":
    main()
