"""Bytes to text: UTF-8 (with or without BOM) or GB18030, anything else is refused."""

from __future__ import annotations

from .model import UnreadableReport


def decode(data: bytes, source: str) -> str:
    if not data.strip():
        raise UnreadableReport(f"{source}: empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            # GB18030 is a superset of GBK and GB2312, the legacy encodings of Chinese sites.
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise UnreadableReport(
                f"{source}: text is neither UTF-8 nor GB18030 (undecodable byte at offset {exc.start})"
            ) from None
    if "\x00" in text:
        raise UnreadableReport(f"{source}: binary content (NUL bytes), not a text report")
    return text
