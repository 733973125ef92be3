"""Word .docx reports: lxml over the main document part (``word/document.xml``), no python-docx.

Blocks follow the body order: paragraphs, and tables as rows of cells. Content controls
(``w:sdt``) and custom-XML wrappers are looked through; a layout table (one whose cells hold
other tables) is looked through too, so the form table inside it is a table of its own.

- Merged cells (see ``grid.py`` for why): a box spanning columns (``w:gridSpan``, legacy
  ``w:hMerge``) is one cell; a box spanning rows (``w:vMerge``) is repeated in each row it
  covers. ``w:gridBefore`` / ``w:gridAfter`` leave holes, not cells.
- A cell's paragraphs are joined with a newline ("商业" / "企业" -> "商业\\n企业").
- A body paragraph with line breaks (``w:br``, Shift+Enter) is one paragraph block per printed
  line, as a text extraction would show it (a signature and its date on one paragraph).
- Deleted revisions (``w:delText``, ``w:moveFrom``) and the fallback copies of drawings
  (``mc:Fallback``) are not text; field codes (``w:instrText``) neither.

``line`` (Cell/Block): the 1-based ordinal of the paragraph or table row in the body, counted
together in reading order (every paragraph, empty ones too, and every table row is one
"line"), as if the document were printed one paragraph or one table row per line. All cells of
a row share the row's number; a merged box repeated below keeps the number of its first row.

Guards (each an ``UnreadableReport`` with a one-line reason): not a zip (an OLE compound file
here is a password-protected .docx or a legacy .doc renamed), a truncated zip, no main
document part, a part larger than ``MAX_XML_BYTES`` (checked before decompressing, and again
while reading), XML with a DOCTYPE / entity declarations (refused, never expanded).
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile

from lxml import etree

from ..model import Block, Document, UnreadableReport
from .grid import Box, expand

# Uncompressed size limit for one XML part (bytes); real reports are well under 2 MB.
MAX_XML_BYTES = int(os.environ.get("XXGK_DOCX_MAX_XML_BYTES", str(50 * 1024 * 1024)))

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_OFFICE_DOCUMENT = re.compile(
    rb'<Relationship[^>]*Type="[^"]*/officeDocument"[^>]*Target="([^"]+)"'
    rb'|<Relationship[^>]*Target="([^"]+)"[^>]*Type="[^"]*/officeDocument"'
)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


P, TBL, TR, TC, SDT, SDT_CONTENT, CUSTOM_XML = (
    _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("sdt"), _w("sdtContent"), _w("customXml"))
T, TAB, BR, CR, NB_HYPHEN = _w("t"), _w("tab"), _w("br"), _w("cr"), _w("noBreakHyphen")
TC_PR, GRID_SPAN, V_MERGE, H_MERGE, VAL = _w("tcPr"), _w("gridSpan"), _w("vMerge"), _w("hMerge"), _w("val")
TR_PR, GRID_BEFORE, GRID_AFTER = _w("trPr"), _w("gridBefore"), _w("gridAfter")
_BREAKS = (TAB, BR, CR, NB_HYPHEN)  # the non-w:t elements a paragraph's text reads
_GRID = (GRID_SPAN, V_MERGE, H_MERGE, GRID_BEFORE)  # the row/cell properties the grid reads
_NOT_TEXT = (f"{{{MC}}}Fallback", _w("moveFrom"), _w("del"))

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                          dtd_validation=False, remove_comments=True, remove_pis=True)


def read(data: bytes, source: str) -> Document:
    return parse_xml(main_part(data, source), source)


def main_part(data: bytes, source: str) -> bytes:
    """The bytes of the main document part, with every guard applied."""
    if not data:
        raise UnreadableReport(f"{source}: empty file")
    if data.startswith(OLE_SIGNATURE):
        raise UnreadableReport(
            f"{source}: password-protected (encrypted) .docx, or a legacy .doc renamed .docx "
            "(OLE compound file, not a zip)")
    if not data.startswith(b"PK"):
        raise UnreadableReport(f"{source}: not a .docx (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            name = _main_part_name(archive, source)
            return _read_member(archive, name, source)
    except zipfile.BadZipFile as exc:
        raise UnreadableReport(f"{source}: damaged or truncated .docx (bad zip: {exc})") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise UnreadableReport(f"{source}: unreadable .docx zip ({type(exc).__name__}: {exc})") from None


def _read_member(archive: zipfile.ZipFile, name: str, source: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_XML_BYTES:
        raise UnreadableReport(
            f"{source}: {name} is {info.file_size} bytes uncompressed, over the limit of {MAX_XML_BYTES}")
    if info.flag_bits & 0x1:
        raise UnreadableReport(f"{source}: {name} is encrypted in the zip")
    with archive.open(info) as member:
        content = member.read(MAX_XML_BYTES + 1)  # the header may lie: never inflate past the limit
    if len(content) > MAX_XML_BYTES:
        raise UnreadableReport(f"{source}: {name} inflates past the limit of {MAX_XML_BYTES} bytes")
    return content


def _main_part_name(archive: zipfile.ZipFile, source: str) -> str:
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        rels = _read_member(archive, "_rels/.rels", source)
        match = _OFFICE_DOCUMENT.search(rels)
        if match:
            target = (match.group(1) or match.group(2)).decode("utf-8", "replace")
            target = posixpath.normpath(target.lstrip("/"))
            if target in names:
                return target
    if "word/document.xml" in names:
        return "word/document.xml"
    raise UnreadableReport(f"{source}: not a Word document (zip has no word/document.xml)")


def parse_xml(xml: bytes, source: str) -> Document:
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise UnreadableReport(f"{source}: document XML declares a DOCTYPE/entities (refused)")
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnreadableReport(f"{source}: damaged document XML ({exc})") from None
    if root.getroottree().docinfo.doctype:
        raise UnreadableReport(f"{source}: document XML declares a DOCTYPE (refused)")
    for tag in _NOT_TEXT:
        for element in list(root.iter(tag)):
            element.getparent().remove(element)
    body = root.find(_w("body"))
    if body is None:
        raise UnreadableReport(f"{source}: document XML has no w:body")
    walker = _Walker(root)
    walker.container(body)
    return Document(source=source, blocks=walker.blocks)


def _mixed_paragraphs(root) -> set:
    """The paragraphs holding a tab, a line break or a no-break hyphen (nested ones included).

    One scan of the document finds them; every other paragraph's text is its w:t texts, which
    one tag to match reads in half the time of five. The set holds the element objects, so
    lxml gives the walk these same objects again and ``in`` compares identities."""
    return {p for element in root.iter(*_BREAKS) for p in element.iterancestors(P)}


def _grid_properties(root) -> dict:
    """For each properties element (w:tcPr, w:trPr) holding any of ``_GRID``: the first child
    of each of these tags, by tag.

    One scan of the document finds the few there are, so the many cells without a merge are
    not looked into. The keys are the element objects, which lxml gives the walk again."""
    found: dict = {}
    for element in root.iter(*_GRID):
        parent = element.getparent()
        if parent is not None:
            found.setdefault(parent, {}).setdefault(element.tag, element)
    return found


_NO_PROPERTIES: dict = {}


class _Walker:
    def __init__(self, root) -> None:
        self.blocks: list[Block] = []
        self.line = 0
        self.mixed = _mixed_paragraphs(root)
        self.grid_properties = _grid_properties(root)

    def container(self, element) -> None:
        for child in element:
            tag = child.tag
            if tag == P:
                self.paragraph(child)
            elif tag == TBL:
                self.table(child)
            elif tag in (SDT_CONTENT, CUSTOM_XML):
                self.container(child)
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self.container(content)

    def paragraph(self, p) -> None:
        self.line += 1
        for piece in self.paragraph_text(p).split("\n"):
            if piece.strip():
                self.blocks.append(Block(kind="paragraph", line=self.line, text=piece))

    def table(self, tbl) -> None:
        rows = [tr for tr in _children(tbl, TR)]
        if next(tbl.iterdescendants(TBL), None) is not None:
            # A layout table around the content: read what is inside, cell by cell.
            for tr in rows:
                for tc in _children(tr, TC):
                    self.container(tc)
            return
        grid_properties = self.grid_properties
        first_line = self.line + 1
        boxes: list[list[Box]] = []
        origin: dict[int, Box] = {}  # grid column -> the box a w:vMerge continues
        for tr in rows:
            self.line += 1
            row: list[Box] = []
            row_props = grid_properties.get(_properties(tr, TR_PR), _NO_PROPERTIES)
            col = _grid_value(row_props.get(GRID_BEFORE))
            for tc in _children(tr, TC):
                props = grid_properties.get(_properties(tc, TC_PR), _NO_PROPERTIES)
                span = max(1, _grid_value(props.get(GRID_SPAN)))
                v_merge, h_merge = props.get(V_MERGE), props.get(H_MERGE)
                if h_merge is not None and h_merge.get(VAL) != "restart" and row:
                    row[-1].colspan += span  # legacy horizontal merge: continues the box before
                    col += span
                    continue
                if v_merge is not None and v_merge.get(VAL) != "restart" and col in origin:
                    origin[col].rowspan += 1
                    col += span
                    continue
                box = Box(self.cell_text(tc), self.line, colspan=span, col=col)
                row.append(box)
                origin[col] = box
                col += span
            boxes.append(row)
        cells = expand(boxes)
        if cells:
            self.blocks.append(Block(kind="table", line=first_line, rows=cells))


    def paragraph_text(self, p) -> str:
        if p not in self.mixed:
            return "".join([t.text or "" for t in p.iter(T)])
        parts: list[str] = []
        for element in p.iter(T, TAB, BR, CR, NB_HYPHEN):
            tag = element.tag
            if tag == T:
                parts.append(element.text or "")
            elif tag == TAB:
                parts.append("\t")
            elif tag == NB_HYPHEN:
                parts.append("-")
            else:
                parts.append("\n")
        return "".join(parts)

    def cell_lines(self, container, lines: list[str]) -> None:
        for child in container:
            tag = child.tag
            if tag == P:
                lines.append(self.paragraph_text(child))
            elif tag == TBL:  # a table nested in a cell: its cells' lines, in order
                for tr in _children(child, TR):
                    for tc in _children(tr, TC):
                        self.cell_lines(tc, lines)
            elif tag in (SDT_CONTENT, CUSTOM_XML):
                self.cell_lines(child, lines)
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self.cell_lines(content, lines)

    def cell_text(self, tc) -> str:
        lines: list[str] = []
        self.cell_lines(tc, lines)
        if len(lines) == 1:
            return lines[0]
        return "\n".join(line for line in lines if line.strip())


def _children(element, tag: str):
    """Direct children with ``tag``, looking through content controls (rows/cells in w:sdt)."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in (SDT, CUSTOM_XML):
            inner = child.find(SDT_CONTENT) if child.tag == SDT else child
            if inner is not None:
                yield from _children(inner, tag)


def _properties(element, tag: str):
    """``element.find(tag)`` for a row's or cell's properties (w:trPr, w:tcPr): the first child
    in every file Word writes, which is checked first as find() costs ten times more."""
    if len(element):
        first = element[0]
        if first.tag == tag:
            return first
    return element.find(tag)


def _grid_value(element) -> int:
    if element is None:
        return 0
    try:
        return max(0, min(int(element.get(VAL, "1")), 1000))
    except ValueError:
        return 1
