"""Turning a printed cell into a number, with the documented decisions for odd cells.

Decisions (README "Reading values"):
- empty cell -> None (blank, never 0; the parser records a finding);
- ``—``, ``-``, ``/``, ``--``, ``\\`` alone -> None (printed "not applicable", treated as blank);
- ``无`` ("none") -> 0;
- a ``?`` at either end of a cell is dropped ("?9", "1?" -> 9, 1): it is what a text saved in a
  legacy code page (GBK) prints for a character the code page lacks, mostly the no-break space
  that pads cells; a cell of nothing but ``?`` stays text (its content is lost, not blank);
- thousands separators and units (元, 万元, 件, 个, 条, 项, 次, 份) are dropped; full-width
  digits are normalised; decimals are kept (fees in 万元 are decimal);
- a sign is kept: the old form's 本年增/减 ("change") is legitimately negative ("-2"), and
  Unicode minus signs read as "-";
- ``parse_amount``: a cell of a column printed in 万元 that says ``元`` explicitly
  ("251000元") is converted to 万元 (25.1); without a unit the number is taken as printed.
"""

from __future__ import annotations

import re

from .text import compact

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_UNITS = re.compile(r"(?:万元|元|件|个|条|项|次|份)$")
_DASHES = {"—", "-", "/", "--", "——", "－", "–", "\\", "―", "─"}
_LOST = "?"  # a code page's stand-in for a character it lacks (full-width ？ is NFKC-normalised to it)


class NotAValue(ValueError):
    """The cell holds text, not a number or a blank."""


def parse_value(raw: str) -> int | float | None:
    """Return the cell's number, None for a blank, or raise NotAValue."""
    text = compact(raw)
    if text.strip(_LOST) != text:
        if not text.strip(_LOST):
            raise NotAValue(raw)
        text = text.strip(_LOST)
    if text == "" or text in _DASHES:
        return None
    if text == "无":
        return 0
    text = text.replace(",", "")
    text = _UNITS.sub("", text)
    if not _NUMBER.match(text):
        raise NotAValue(raw)
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def parse_amount(raw: str) -> int | float | None:
    """A value of a column printed in 万元: as ``parse_value``, but an explicit 元 is converted."""
    value = parse_value(raw)
    text = compact(raw)
    if value is not None and text.endswith("元") and not text.endswith("万元"):
        value = round(value / 10000, 6)
    return value


def is_value(raw: str) -> bool:
    try:
        parse_value(raw)
    except NotAValue:
        return False
    return True


def is_blank(raw: str) -> bool:
    try:
        return parse_value(raw) is None
    except NotAValue:
        return False
