"""Normalising printed text: the one place that knows about Word artefacts and odd spaces."""

from __future__ import annotations

import re
import unicodedata

# Word leaves bookmark markers in extracted text ("[bookmark: _GoBack]22").
_ARTEFACT = re.compile(r"\[bookmark:[^\]]*\]", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """NFKC (full-width digits/punctuation, ideographic and no-break spaces), artefacts removed,
    runs of whitespace collapsed, stripped."""
    text = _ARTEFACT.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()


def compact(text: str) -> str:
    """``clean`` without any spaces: the form used to match labels."""
    return clean(text).replace(" ", "")
