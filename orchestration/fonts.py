"""The CJK font of PDFs: embedded by the renderer, substituted by the reader.

Word, WPS and LibreOffice embed subsets of their fonts in the PDFs they export; some
reporting systems print PDFs that only name a font (e.g. STSong-Light), and every reader
then substitutes a system font. One TrueType subset of Noto Serif CJK SC (Song style, as
Word's default 宋体) serves both sides:

- the renderer (render/pdf.py) embeds it, as office suites do;
- the PDF reader (reports/readers/pdf.py) gives PDFium its folder as the only place to look
  for substitute fonts. Otherwise PDFium reads the whole 26 MB Noto CJK collection again for
  every PDF that names its font, about half of that PDF's reading time (bench/RESULTS.md
  (1b), (7)). The subset has the collection's own glyphs and metrics, so the characters'
  boxes, and the Documents read, are the same (tests/readers/test_pdf_fonts.py).

reportlab embeds TrueType outlines only, and the CJK fonts of Linux systems are OpenType/CFF
(Noto CJK). ``embeddable_font()`` therefore builds, once per machine, a TrueType font from the
system's Noto Serif CJK SC: subset to GB2312's characters plus ASCII, CJK punctuation and
full-width forms, its cubic outlines converted to quadratic ones (fontTools; ~8 s). It is
cached under ``XXGK_FONT_CACHE`` (default ``~/.cache/xxgk-warehouse``; the temporary folder
when that is not writable), in a folder of its own named by the source file's size and mtime
(PDFium is given that folder, so nothing else may lie in it), and written atomically so that
parallel workers never read half a file. A character outside the subset is still extracted
right (reportlab maps it to the .notdef glyph with its Unicode value; PDFium reads its code).

Without a Noto Serif CJK collection on the machine there is nothing to embed or substitute:
the renderer falls back to the named font, the reader to PDFium's own search.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

SOURCES = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSerifCJK-Regular.ttc"),
)
FACE = "Noto Serif CJK SC"
_BUILD = 1  # bump when the subset or the conversion changes: a new cache file


def cache_dir() -> Path:
    return Path(os.environ.get("XXGK_FONT_CACHE") or Path.home() / ".cache" / "xxgk-warehouse")


def source_font() -> Path | None:
    return next((path for path in SOURCES if path.is_file()), None)


def embeddable_font(build: bool = True) -> Path | None:
    """Path of the cached TrueType subset, built on first use; None without a source font,
    or when it is not built yet and ``build`` is false."""
    source = source_font()
    if source is None:
        return None
    stat = source.stat()
    key = hashlib.sha256(f"{source}|{stat.st_size}|{stat.st_mtime_ns}|{_BUILD}".encode()).hexdigest()[:16]
    name = "NotoSerifSC-GB2312.ttf"
    # a read-only home (some CI runners) falls back to the temporary folder
    folders = [root / key for root in (cache_dir(), Path(tempfile.gettempdir()) / "xxgk-warehouse-fonts")]
    for folder in folders:
        target = folder / name
        if target.is_file():
            return target
    if not build:
        return None
    data = _build(source)
    for folder in folders:
        target = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # not a font file's suffix: PDFium, scanning the folder, never opens half a file
            partial = folder / f"{name}.{os.getpid()}.partial"
            partial.write_bytes(data)
            os.replace(partial, target)
            return target
        except OSError:
            continue
    raise OSError(f"cannot write the font cache in {cache_dir()} nor in {tempfile.gettempdir()}")


def _characters() -> list[int]:
    codes = set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF01, 0xFF5F))
    codes |= {0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x00B7}
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                codes.add(ord(bytes((first, second)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return sorted(codes)


def _build(source: Path) -> bytes:
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTCollection, newTable

    collection = TTCollection(str(source), lazy=True)
    font = next(f for f in collection.fonts if f["name"].getDebugName(4) == FACE)
    options = subset.Options()
    options.layout_features = []  # plain horizontal text: no vertical or contextual forms
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_characters())
    subsetter.subset(font)

    order = font.getGlyphOrder()
    outlines = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(outlines)
        # TrueType contours run clockwise, PostScript ones counter-clockwise
        outlines[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000  # TrueType's maxp carries these fields; no instructions
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
