"""Test-document generator: one report's values rendered in every format agencies publish.

``render(content, fmt)`` returns the bytes of the report in ``fmt`` (see ``FORMATS``), laid
out as ``outline(content)`` or as the outline ``items`` given (the generator's 2019-form
tables and varied narratives); the
file name to give it is ``filename(content, fmt)`` (its extension picks the reader). Every
rendering parses back (``read_document`` + ``parse_document``) to the same agency, year, form
version and values, and the same content always gives the same bytes (tests/render).

    from orchestration.render import FORMATS, from_parsed, render
"""

from __future__ import annotations

from collections.abc import Callable

from .content import Item, ReportContent, from_parsed, outline, varied
from .docx import render_docx
from .html import render_html
from .pdf import render_pdf
from .text import docx_text, web_text

# format -> (file extension, renderer(content, items=None))
FORMATS: dict[str, tuple[str, Callable[..., bytes]]] = {
    "docx-text": (".txt", docx_text),
    "web-text": (".txt", web_text),
    "docx": (".docx", render_docx),
    "html-utf8": (".html", lambda c, items=None: render_html(c, "utf-8", items=items)),
    "html-gb18030": (".html", lambda c, items=None: render_html(c, "gb18030", items=items)),
    "html-gb2312-http-equiv": (".htm", lambda c, items=None: render_html(c, "gb18030", declared="gb2312",
                                                                        http_equiv=True, items=items)),
    "pdf": (".pdf", render_pdf),  # its font embedded (a subset), as office suites export
    "pdf-named-font": (".pdf", lambda c, items=None: render_pdf(c, items=items, embed=False)),
}


def render(content: ReportContent, fmt: str, items: list[Item] | None = None) -> bytes:
    return FORMATS[fmt][1](content, items=items)


def filename(content: ReportContent, fmt: str, stem: str | None = None) -> str:
    stem = stem or f"{content.year}_{fmt}"
    return f"{stem}{FORMATS[fmt][0]}"


__all__ = ["FORMATS", "ReportContent", "filename", "from_parsed", "outline", "render", "varied"]
