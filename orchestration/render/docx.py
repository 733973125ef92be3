"""A .docx rendering written as raw WordprocessingML (no template, no clock: same bytes for the
same content). Tables carry their merged boxes as Word does: ``w:gridSpan`` across columns,
``w:vMerge`` restart/continue down rows; a four-character header is two paragraphs ("商业" /
"企业"), values carry the padding clerks type (no-break and ideographic spaces)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from .content import Item, ReportContent, Table, grid, outline

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
_PAGE_TWIPS = 9000  # text width of an A4 page with 2.5 cm margins, roughly
_PADS = ("{}", "\u3000{}", "\u00a0{}", "{}\u00a0")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '</Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '</Relationships>'
)
_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<dc:title>{title}</dc:title><dc:creator>xxgk-warehouse render</dc:creator>'
    '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
    '</cp:coreProperties>'
)
_FONT = '<w:rFonts w:ascii="宋体" w:eastAsia="宋体" w:hAnsi="宋体"/>'


def _run(text: str, bold: bool = False, size: int = 21) -> str:
    props = _FONT + ("<w:b/>" if bold else "") + f'<w:sz w:val="{size}"/>'
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _paragraph(text: str, align: str | None = None, bold: bool = False, size: int = 21,
               lines: list[str] | None = None) -> str:
    props = f'<w:pPr><w:jc w:val="{align}"/></w:pPr>' if align else ""
    runs = _run(text, bold, size)
    if lines:  # a paragraph of several printed lines (Shift+Enter)
        runs = "<w:r><w:br/></w:r>".join(_run(line, bold, size) for line in lines)
    return f"<w:p>{props}{runs}</w:p>"


def _table(table: Table, pad_counter: list[int]) -> str:
    total = sum(table.widths)
    widths = [int(_PAGE_TWIPS * w / total) for w in table.widths]
    out = ['<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/><w:tblBorders>']
    out += [f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")]
    out.append('</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>')
    out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
    out.append("</w:tblGrid>")
    for row in grid(table):
        out.append("<w:tr>")
        for box, col, first_row in row:
            props = f'<w:tcW w:w="{sum(widths[col:col + box.colspan])}" w:type="dxa"/>'
            if box.colspan > 1:
                props += f'<w:gridSpan w:val="{box.colspan}"/>'
            if box.rowspan > 1:
                props += '<w:vMerge w:val="restart"/>' if first_row else "<w:vMerge/>"
            props += '<w:vAlign w:val="center"/>'
            if not first_row:
                body = "<w:p/>"
            elif box.numeric:
                text = _PADS[pad_counter[0] % len(_PADS)].format(box.text) if box.text else ""
                pad_counter[0] += 1
                body = _paragraph(text, align="center", size=18)
            elif box.header and len(box.text) == 4:
                body = _paragraph(box.text[:2], "center", size=18) + _paragraph(box.text[2:], "center", size=18)
            else:
                body = _paragraph(box.text, align="center" if box.header else None, size=18)
            out.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def document_xml(content: ReportContent, items: list[Item] | None = None) -> str:
    parts: list[str] = []
    pad_counter = [0]
    items = items if items is not None else outline(content)
    for n, item in enumerate(items):
        if item.kind == "title":
            parts.append(_paragraph(item.text, align="center", bold=True, size=36))
            parts.append("<w:p/>")
        elif item.kind == "heading":
            parts.append(_paragraph(item.text, bold=True, size=24))
        elif item.kind == "table":
            assert item.table is not None
            parts.append(_table(item.table, pad_counter))
        elif item.kind == "signature":
            # Signature and date in one paragraph, on two printed lines (Shift+Enter).
            parts.append("<w:p/>")
            parts.append(_paragraph("", align="right", lines=[item.text, items[n + 1].text]))
        elif item.kind == "date":
            continue
        else:
            parts.append(_paragraph("\u3000\u3000" + item.text))
    body = "".join(parts)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f'<w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851" '
        'w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>'
    )


def package(parts: dict[str, str | bytes]) -> bytes:
    """A zip of ``parts`` with fixed timestamps and order (deterministic bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buffer.getvalue()


def render_docx(content: ReportContent, items: list[Item] | None = None) -> bytes:
    title = f"{content.agency}{content.year}年政府信息公开工作年度报告"
    return package({
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _RELS,
        "docProps/core.xml": _CORE.format(title=escape(title)),
        "word/document.xml": document_xml(content, items),
    })
