"""HTML reports as government sites publish them (lxml's HTML parser; libxml2 gives source lines).

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
_SPAN = re.compile(r"\s*(\d+)")
# etree's HTML parser, not lxml.html's: lxml.html runs a Python element-class lookup for every
# element object the walk makes (each element of the page). Nothing here uses HtmlElement.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=False,
                           recover=True)
_STRING = etree.XPath("string()")  # what lxml.html's text_content() returns
_ANY_HIDDEN_ATTRIBUTE = etree.XPath("boolean(//@hidden)")
_WITH_HIDDEN_ATTRIBUTE = etree.XPath("//*[@hidden]")
_STYLES = etree.XPath("//@style", smart_strings=False)
_STYLED = etree.XPath("//*[@style]")
_BREAK = "\n"  # a line break in a cell's fragments; the fragments hold none (_WS made them spaces)


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
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise UnreadableReport(f"{source}: unreadable HTML ({exc})") from None
    if root is None:
        raise UnreadableReport(f"{source}: unreadable HTML (Document is empty)")
    walker = _Walker(_hidden_elements(root))
    title = root.find(".//head/title")
    if title is not None:
        walker.add(_STRING(title), title.sourceline or 1)
        walker.flush()
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return Document(source=source, blocks=walker.blocks)


def _tag(element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _hidden_elements(root) -> set:
    """The elements hidden with ``hidden`` or an inline ``display:none``/``visibility:hidden``.

    Found once per page by XPath, not by reading two attributes of every element the walk
    visits (each get() costs about what visiting the element does): most pages hide nothing,
    and the styles are read as strings without making an element object for each styled one.
    The set holds the element objects, so lxml gives the walk these same objects again and
    ``in`` compares identities."""
    hidden = set(_WITH_HIDDEN_ATTRIBUTE(root)) if _ANY_HIDDEN_ATTRIBUTE(root) else set()
    if any(_HIDDEN.search(style) for style in _STYLES(root)):
        hidden.update(element for element in _STYLED(root) if _HIDDEN.search(element.get("style")))
    return hidden


class _Walker:
    def __init__(self, hidden: set) -> None:
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.line = 0
        self.hidden = hidden

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
        if not tag or tag in _SKIP or element in self.hidden:
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
        if element.text:
            self.add(element.text, element.sourceline)
        for child in element:
            self.walk(child)
            if child.tail:
                self.add(child.tail, child.sourceline)
        if block:
            self.flush()

    def table(self, table) -> None:
        hidden = self.hidden
        rows = _rows(table, hidden)
        cells = [_cells(row, hidden) for row in rows]
        # a layout table: read what is inside, cell by cell (one search when there is none)
        if next(table.iterdescendants("table"), None) is not None and any(
                next(cell.iterdescendants("table"), None) is not None for row in cells for cell in row):
            for row in cells:
                for cell in row:
                    self.walk(cell)
                    self.flush()
            return
        caption = table.find("caption")
        if caption is not None:
            self.walk(caption)
            self.flush()
        boxes: list[list[Box]] = []
        for r, (row, row_cells) in enumerate(zip(rows, cells)):
            line = row.sourceline or 0
            boxes.append([Box(_cell_text(cell, hidden), cell.sourceline or line,
                              colspan=_span(cell.get("colspan"), 0),
                              rowspan=_span(cell.get("rowspan"), len(rows) - r))
                          for cell in row_cells])
        grid = expand(boxes)
        if grid:
            self.blocks.append(Block(kind="table", line=grid[0][0].line, rows=grid))


def _rows(table, hidden: set) -> list:
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr" and child not in hidden:
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot") and child not in hidden:
            rows.extend(tr for tr in child if _tag(tr) == "tr" and tr not in hidden)
    return rows


def _cells(row, hidden: set) -> list:
    return [cell for cell in row if _tag(cell) in ("td", "th") and cell not in hidden]


def _span(value: str | None, zero_means: int) -> int:
    """An HTML span attribute: leading digits ("2;" -> 2), 0 means "to the end" for rowspan."""
    if value is None:
        return 1
    if value.isdecimal():  # the usual "2": the digits _SPAN would take, without the regex
        number = int(value)
    else:
        match = _SPAN.match(value)
        if not match:
            return 1
        number = int(match.group(1))
    if number == 0:
        return max(1, zero_means)
    return max(1, min(number, 1000))


def _cell_text(cell, hidden: set) -> str:
    """The cell's lines: ``<br>`` and each block element's start and end break a line, blank
    lines are dropped, runs of ASCII whitespace in each text piece are one space."""
    fragments: list[str] = []
    _cell_fragments(cell, fragments, hidden)
    text = "".join(fragments)
    if _BREAK not in text:
        return text.strip(" ")
    return "\n".join(stripped for line in text.split(_BREAK) if (stripped := line.strip(" ")))


def _cell_fragments(element, fragments: list[str], hidden: set) -> None:
    """The element's own text, then each child's and the text that follows it, with a break
    where a line may end. A break where the line is still blank costs nothing: blank lines
    are dropped, and spaces at a line's start are stripped either way."""
    if element.text:
        fragments.append(_WS.sub(" ", element.text))
    for child in element:
        tag = child.tag  # _tag() inlined: this loop runs for every element of every table
        if isinstance(tag, str) and (tag := tag.lower()) not in _SKIP and child not in hidden:
            if tag == "br":
                fragments.append(_BREAK)
            elif tag in _BLOCK:
                fragments.append(_BREAK)
                _cell_fragments(child, fragments, hidden)
                fragments.append(_BREAK)
            else:
                _cell_fragments(child, fragments, hidden)
        if child.tail:
            fragments.append(_WS.sub(" ", child.tail))
