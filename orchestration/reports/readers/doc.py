"""Legacy Word .doc reports: converted to .docx by LibreOffice headless, then read by the .docx
reader (so ``line`` means what it means there).

``soffice --headless --convert-to docx`` runs with a private, throw-away profile
(``-env:UserInstallation``) so parallel conversions never share one, and with a timeout
(``DOC_TIMEOUT_S``). Without LibreOffice the file is refused with a clear reason, never
guessed at; LibreOffice's import filter is named (Word 97, RTF) so a damaged file fails
rather than being imported as plain text. Files named .doc that are something else, as sites publish them: a .docx (zip)
goes to the .docx reader, an HTML page saved as .doc to the HTML reader; RTF is converted
like a .doc.

Install (Debian): ``apt-get install -y --no-install-recommends libreoffice-writer-nogui
fonts-noto-cjk``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..model import Document, UnreadableReport
from . import docx, html

DOC_TIMEOUT_S = float(os.environ.get("XXGK_DOC_TIMEOUT_S", "120"))
MAX_DOC_BYTES = int(os.environ.get("XXGK_DOC_MAX_BYTES", str(50 * 1024 * 1024)))


def soffice() -> str | None:
    """The LibreOffice binary: $XXGK_SOFFICE, else soffice / libreoffice on PATH."""
    configured = os.environ.get("XXGK_SOFFICE")
    if configured:
        return configured if shutil.which(configured) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(data: bytes, source: str) -> Document:
    if not data.strip():
        raise UnreadableReport(f"{source}: empty file")
    if len(data) > MAX_DOC_BYTES:
        raise UnreadableReport(f"{source}: {len(data)} bytes, over the .doc size limit of {MAX_DOC_BYTES}")
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"PK"):
        return docx.read(data, source)  # a .docx named .doc
    if head.startswith((b"<html", b"<!doctype html", b"<?xml")) or b"<html" in head:
        return html.read(data, source)  # a web page saved as .doc
    if data.startswith(docx.OLE_SIGNATURE):
        infilter = "MS Word 97"
    elif head.startswith(b"{\\rtf"):
        infilter = "Rich Text Format"
    else:
        raise UnreadableReport(f"{source}: not a Word document (no .doc, .docx, RTF or HTML signature)")
    return docx.read(convert(data, source, infilter=infilter), source)


def convert(data: bytes, source: str, target: str = "docx", infilter: str | None = None) -> bytes:
    """The bytes of ``data`` converted by LibreOffice to ``target`` (docx, doc, pdf, ..., or
    with an export filter: ``txt:Text (encoded):UTF8``).

    ``infilter`` names LibreOffice's import filter: with it a damaged file fails instead of
    being imported as plain text (LibreOffice's fallback), which would be a wrong parse."""
    binary = soffice()
    if binary is None:
        raise UnreadableReport(f"{source}: .doc needs LibreOffice (soffice) to convert; not installed")
    suffix = Path(source).suffix or ".doc"
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as tmp:
        work = Path(tmp)
        original = work / f"input{suffix}"
        original.write_bytes(data)
        outdir = work / "out"
        command = [binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                   "--nologo", "--nodefault", "--nolockcheck", "--convert-to", target, "--outdir", str(outdir),
                   str(original)]
        if infilter:
            command.insert(-1, f"--infilter={infilter}")
        try:
            completed = subprocess.run(command, capture_output=True, timeout=DOC_TIMEOUT_S, check=False,
                                       stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise UnreadableReport(f"{source}: LibreOffice conversion timed out after {DOC_TIMEOUT_S:g} s") from None
        except OSError as exc:
            raise UnreadableReport(f"{source}: LibreOffice could not start ({exc})") from None
        result = outdir / f"input.{target.split(':')[0]}"
        if not result.exists():
            detail = (completed.stderr or completed.stdout).decode("utf-8", "replace").strip().splitlines()
            reason = detail[-1] if detail else f"exit status {completed.returncode}"
            raise UnreadableReport(f"{source}: LibreOffice could not convert the file ({reason})")
        return result.read_bytes()
