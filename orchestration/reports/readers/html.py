"""HTML reports as government sites publish them (lxml.html; libxml2 gives source lines).

- Encoding: a byte-order mark; else the page's declaration (``<meta charset>``, the
  ``http-equiv`` content type, an XML declaration) when the bytes decode strictly with it;
  else UTF-8 (strict); else GB18030. GBK/GB2312 (and their aliases) are decoded as GB18030, their
  superset. One exception to the declaration's priority: a page that declares a GB encoding
  or a Western one but whose bytes are valid UTF-8 with non-ASCII text is read as UTF-8 (GBK
  text is practically never valid UTF-8, while UTF-8 read as GB18030 is silent mojibake).
- Tables: rowspan/colspan as the .docx reader does (``grid.py``): a colspan box is one cell, a
  rowspan box is repeated in each row it covers; a cell's text joins its ``<p>``/``<div>``/``<br>`` lines with newlines;
  ``&nbsp;`` stays a no-break space (the parser normalises it). A layout table (cells holding
  tables) is looked through: the tables inside become tables of their own.
- Outside tables each block element (``p``, ``div``, ``h1``…, ``li``, …) and each ``<br>``
  ends a paragraph; runs of ASCII whitespace collapse to one space as a browser shows them.
  The page ``<title>`` is the first paragraph (many pages put navigation before the article).
  ``script``/``style``/``noscript``/``template`` and elements hidden with ``display:none``
  or ``hidden`` are dropped.
- ``line`` is the source line (1-based, in the decoded text) of the element: the ``<td>`` for
  a cell, the element whose text starts a paragraph.

A page with no form table and no report markers still yields a Document (the parser decides);
an empty file, binary content or undecodable bytes raise ``UnreadableReport``.
"""

from __future__ import annotations

import codecs
import os
import re

import lxml.html
from lxml import etree

from ..model import Block, Document, UnreadableReport
from .grid import Box, expand

MAX_HTML_BYTES = int(os.environ.get("XXGK_HTML_MAX_BYTES", str(20 * 1024 * 1024)))

_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_GB = {"gb2312", "gbk", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "csgb2312", "euc-cn", "gb18030", "x-euc-cn",
       "iso-ir-58", "chinese", "csiso58gb231280", "windows-936", "ms936"}
_WESTERN = {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252", "cp1252", "iso8859-1"}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_WS = re.compile(r"[ \t\r\n\f]+")
_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "embed", "select", "button", "svg",
         "canvas", "audio", "video", "map"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre",
          "section", "article", "header", "footer", "nav", "aside", "main", "form", "fieldset", "address",
          "center", "hr", "caption", "figure", "figcaption", "tr", "td", "th", "thead", "tbody", "tfoot",
          "body", "html", "legend", "details", "summary", "table"}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=False,
                               recover=True)


def read(data: bytes, source: str) -> Document:
    text = decode_html(data, source)
    return parse_html(text, source)


def _codec(name: bytes | str | None) -> str | None:
    if not name:
        return None
    label = (name.decode("ascii", "replace") if isinstance(name, bytes) else name).strip().lower()
    if label in _GB:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes, source: str) -> str:
    if len(data) > MAX_HTML_BYTES:
        raise UnreadableReport(f"{source}: {len(data)} bytes, over the HTML size limit of {MAX_HTML_BYTES}")
    if not data.strip():
        raise UnreadableReport(f"{source}: empty file")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return _checked(data[len(bom):].decode(codec), source)
            except UnicodeDecodeError:
                raise UnreadableReport(f"{source}: bytes do not match the {codec} byte-order mark") from None
    match = _DECLARED.search(data[:8192])
    declared = _codec((match.group(1) or match.group(2)) if match else None)
    candidates: list[str] = []
    if declared in {"gb18030"} | {_codec(w) for w in _WESTERN} and not data.isascii():
        candidates.append("utf-8")  # see the module docstring: valid UTF-8 wins over a GB label
    if declared:
        candidates.append(declared)
    candidates += ["utf-8", "gb18030"]
    for codec in dict.fromkeys(candidates):
        try:
            return _checked(data.decode(codec), source)
        except UnicodeDecodeError:
            continue
    raise UnreadableReport(
        f"{source}: text is neither {declared + ', ' if declared else ''}UTF-8 nor GB18030 (undecodable bytes)")


def _checked(text: str, source: str) -> str:
    if "\x00" in text:
        raise UnreadableReport(f"{source}: binary content (NUL bytes), not an HTML page")
    return text


def parse_html(text: str, source: str) -> Document:
    declaration = _XML_DECL.match(text)
    if declaration:  # lxml refuses str input with an encoding declaration; keep line numbers
        text = "\n" * declaration.group(0).count("\n") + text[declaration.end():]
    if not text.strip():
        raise UnreadableReport(f"{source}: empty file")
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise UnreadableReport(f"{source}: unreadable HTML ({exc})") from None
    walker = _Walker()
    title = root.find(".//head/title")
    if title is not None:
        walker.add(title.text_content(), title.sourceline or 1)
        walker.flush()
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return Document(source=source, blocks=walker.blocks)


def _tag(element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _hidden(element) -> bool:
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return bool(style and _HIDDEN.search(style))


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.line = 0

    def add(self, text: str | None, line: int | None) -> None:
        if not text:
            return
        if not self.parts:
            self.line = line or self.line or 1
        self.parts.append(_WS.sub(" ", text))

    def flush(self) -> None:
        text = "".join(self.parts).strip(" ")
        if text.strip():
            self.blocks.append(Block(kind="paragraph", line=self.line, text=text))
        self.parts = []

    def walk(self, element) -> None:
        tag = _tag(element)
        if not tag or tag in _SKIP or _hidden(element):
            return
        if tag == "table":
            self.flush()
            self.table(element)
            return
        if tag == "br":
            self.flush()
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        self.add(element.text, element.sourceline)
        for child in element:
            self.walk(child)
            self.add(child.tail, child.sourceline)
        if block:
            self.flush()

    def table(self, table) -> None:
        rows = _rows(table)
        cells = [cell for row in rows for cell in _cells(row)]
        if any(cell.find(".//table") is not None for cell in cells):
            for cell in cells:  # a layout table: read what is inside, cell by cell
                self.walk(cell)
                self.flush()
            return
        caption = table.find("caption")
        if caption is not None:
            self.walk(caption)
            self.flush()
        boxes: list[list[Box]] = []
        for r, row in enumerate(rows):
            line = row.sourceline or 0
            boxes.append([Box(_cell_text(cell), cell.sourceline or line,
                              colspan=_span(cell.get("colspan"), 0),
                              rowspan=_span(cell.get("rowspan"), len(rows) - r))
                          for cell in _cells(row)])
        grid = expand(boxes)
        if grid:
            self.blocks.append(Block(kind="table", line=grid[0][0].line, rows=grid))


def _rows(table) -> list:
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr" and not _hidden(child):
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot") and not _hidden(child):
            rows.extend(tr for tr in child if _tag(tr) == "tr" and not _hidden(tr))
    return rows


def _cells(row) -> list:
    return [cell for cell in row if _tag(cell) in ("td", "th") and not _hidden(cell)]


def _span(value: str | None, zero_means: int) -> int:
    """An HTML span attribute: leading digits ("2;" -> 2), 0 means "to the end" for rowspan."""
    match = re.match(r"\s*(\d+)", value or "")
    if not match:
        return 1
    number = int(match.group(1))
    if number == 0:
        return max(1, zero_means)
    return max(1, min(number, 1000))


def _cell_text(cell) -> str:
    lines: list[str] = [""]

    def visit(element) -> None:
        tag = _tag(element)
        if not tag or tag in _SKIP or _hidden(element):
            return
        if tag == "br":
            lines.append("")
            return
        block = tag in _BLOCK
        if block and lines[-1].strip(" "):
            lines.append("")
        contents(element)
        if block and lines[-1].strip(" "):
            lines.append("")

    def contents(element) -> None:
        """The element's own text, then each child and the text that follows it."""
        if element.text:
            lines[-1] += _WS.sub(" ", element.text)
        for child in element:
            visit(child)
            if child.tail:
                lines[-1] += _WS.sub(" ", child.tail)

    contents(cell)
    return "\n".join(line.strip(" ") for line in lines if line.strip(" "))
