"""Format readers: each turns a file's bytes into the common :class:`Document`.

``read_document`` picks the reader from the file's extension; a new format is a new module
here registered in ``READERS``, never a change to the form parser.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from ..model import Document, UnreadableReport
from . import doc, docx, html, pdf, plaintext

Reader = Callable[[bytes, str], Document]

READERS: dict[str, Reader] = {
    ".txt": plaintext.read,
    ".text": plaintext.read,
    ".docx": docx.read,
    ".doc": doc.read,
    ".html": html.read,
    ".htm": html.read,
    ".shtml": html.read,
    ".xhtml": html.read,
    ".pdf": pdf.read,
}


def read_document(data: bytes, source: str) -> Document:
    """Read ``data`` (the bytes of the file named ``source``) into a Document."""
    suffix = PurePath(source).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise UnreadableReport(f"{source}: unsupported file type {suffix or '(none)'} (known: {known})")
    return reader(data, source)
