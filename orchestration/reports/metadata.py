"""The report's header data: agency, year and the date under the signature.

Where each comes from, in order (the first source that gives a value wins):

- title: a line (or two adjacent lines: titles wrap) before section 二 matching one of the
  title shapes ``X2022年(度)政府信息公开工作年度报告``, ``关于2021年度政府信息公开工作的
  年度报告``, ``X政府信息公开工作2022年度报告``, ``2023年X政府信息公开工作年度报告``, also
  inside a preamble sentence ("现公布兴仁市人民政府2022年政府信息公开工作年度报告"). Titles
  quoted in 《》 name other documents and are ignored. Web-page chrome before the title
  (breadcrumbs "首页 > …", "关怀版 无障碍", "发布时间: …") is cut off at its separators.
- agency: the title's words before the year; when the title has none ("关于2021年度…"), the
  short line just above it that reads like an agency name; else the line above the date
  at the end (signature block). Self-references (我局, 本单位, 我办) are not names.
- year: the title's year; else the statistics period (统计期限/时限 "自2019年…"); else the
  year most often written in the preamble and section 一 ("2023年，我局…"), which is the
  reporting year in every report seen; else None (finding P4).
- report date: the last date among the final lines (``2022年1月28日``, also in Chinese
  numerals ``二〇二二年一月二十八日``), alone on its line or after the agency name
  ("某县某局 2023年1月20日").
"""

from __future__ import annotations

import re
from collections import Counter

from .text import clean, compact

_YEAR = r"(?P<year>(?:19|20)\d{2})"
_TAIL = r"(?:工作)?的?(?:情况)?(?:年度)?(?:工作)?报告"
_TITLES = [
    re.compile(rf"(?P<agency>.*?){_YEAR}年度?的?政府信息公开{_TAIL}"),
    re.compile(rf"(?P<agency>.*?)政府信息公开(?:工作)?{_YEAR}年度?报告"),
    re.compile(rf"^{_YEAR}年度?(?P<agency>.+?)政府信息公开{_TAIL}"),
]
_QUOTED = re.compile(r"《[^》]*》")
# Everything up to the last separator or verb before a name is not the name: breadcrumbs
# ("首页>…>中村乡"), sentence starts ("根据…要求,特编制"), "关于".
_LEAD = re.compile(r"^.*(?:[>/|:;,。，：；、]|现公布|特编制|编制|公布|发布|现将)")
_SELF = re.compile(r"^(?:我|本)")
_AGENCY_END = re.compile(
    r"(?:政府|办公室|办事处|局|委员会|委|办|署|厅|部|院|处|街道|镇|乡|中心|会|所|队|站|室|馆|区|县|市)$")
_PERIOD = re.compile(rf"统计(?:期限|时限|期间|时间)(?:为|自|从|是)?{_YEAR}年")
_YEAR_WORD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日$")
_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_CN_DATE = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")


def _cn_number(text: str) -> int:
    """一 … 三十一 (month and day numbers)."""
    if "十" not in text:
        return int(text.translate(_CN_DIGITS))
    tens, _, units = text.partition("十")
    return int(tens.translate(_CN_DIGITS) or 1) * 10 + int(units.translate(_CN_DIGITS) or 0)


def _date(line: str) -> tuple[str, str] | None:
    """(text before the date, ISO date) when ``line`` (compact) ends with a date."""
    match = _DATE.search(line)
    if match:
        y, m, d = (int(g) for g in match.groups())
    else:
        match = _CN_DATE.search(line)
        if not match:
            return None
        y, m, d = int(match.group(1).translate(_CN_DIGITS)), _cn_number(match.group(2)), _cn_number(match.group(3))
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return line[: match.start()], f"{y:04d}-{m:02d}-{d:02d}"


def _agency(text: str) -> str | None:
    name = _LEAD.sub("", re.sub(r"关于$", "", text)).strip()
    name = re.sub(r"^关于", "", name)
    if not name or _SELF.match(name) or len(name) > 40:
        return None
    return name


def _title(lines: list[str]) -> tuple[str | None, int | None, int | None]:
    """(agency, year, index of the line) of the first title among ``lines`` (compact text)."""
    found_year: int | None = None
    found_at: int | None = None
    # Whole lines first: joining a title to the breadcrumb above it would make the
    # breadcrumb part of the name. Two joined lines only for titles that wrap.
    candidates = [(i, line) for i, line in enumerate(lines)]
    candidates += [(i, lines[i] + lines[i + 1]) for i in range(len(lines) - 1)]
    for i, line in candidates:
        text = _QUOTED.sub("", line)
        for pattern in _TITLES:
            match = pattern.search(text)
            if not match:
                continue
            year = int(match.group("year"))
            agency = _agency(match.group("agency"))
            if agency is None and i > 0 and _AGENCY_END.search(lines[i - 1]) and len(lines[i - 1]) <= 30:
                agency = _agency(lines[i - 1])
            if agency:
                return agency, found_year or year, i
            if found_year is None:
                found_year, found_at = year, i
    return None, found_year, found_at


def read_metadata(head: list[str], tail: list[str]) -> tuple[str | None, int | None, str | None]:
    """``head``: printed lines before section 二 (preamble and section 一); ``tail``: the
    last lines of the document. Returns (agency, year, ISO report date)."""
    keys = [compact(line) for line in head]
    agency, year, _ = _title(keys)
    if year is None:
        match = _PERIOD.search("".join(keys))
        year = int(match.group("year")) if match else None
    if year is None:
        years = Counter(int(y) for line in head for y in _YEAR_WORD.findall(_QUOTED.sub("", clean(line))))
        if years:
            year = max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]

    report_date = None
    tail_keys = [compact(line) for line in tail]
    for n in range(len(tail_keys) - 1, -1, -1):
        found = _date(tail_keys[n])
        if found is None:
            continue
        before, report_date = found
        if before and not (len(before) <= 30 and _AGENCY_END.search(before)):
            report_date = None  # a date inside a sentence is not the signature's date
            continue
        above = before or (tail_keys[n - 1] if n > 0 else "")
        if agency is None and 0 < len(above) <= 30 and _AGENCY_END.search(above):
            agency = _agency(above)
        break
    return agency, year, report_date
