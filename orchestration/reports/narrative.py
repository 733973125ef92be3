"""Rule R8's data: application counts quoted in the narrative (preamble and section 一), which
the checks query (orchestration/quality/invariants.py) compares with table B's totals.

A sentence that speaks about applications (申请 / 依申请) is cut into clauses at
，、；; a clause names one quantity by its verb and carries exactly one count ``N件``/``N份``
(approximate counts such as ``40余件`` and counts in Chinese words are not read):

| clause says                                   | table B row (column total) |
|-----------------------------------------------|----------------------------|
| 收到 / 受理 / 新收 / 接到 … N件                  | new_received               |
| 上年 / 2021年 结转 … N件                         | carried_over               |
| 办结 N件                                        | results_total              |
| 结转下年度 / 结转2023年度 … N件                   | carried_forward            |
| 未收到 / 未接到 … 公开申请 (no number)            | new_received = 0           |

Clauses about review, litigation, licensing or complaints (行政复议, 诉讼, 许可, 投诉, 留言)
are skipped. R8 fails only when both numbers exist and differ.
"""

from __future__ import annotations

import re

from .model import Quote
from .text import clean

_SENTENCES = re.compile(r"[。；;！!？?\n]")
_CLAUSES = re.compile(r"[，,、：:]")
_COUNT = re.compile(r"(?<![\d.])(\d+)\s*(?:件|份)")
_APPLICATION = re.compile(r"申请|依申请")
_OFF_TOPIC = re.compile(r"复议|诉讼|许可|投诉|留言|咨询|来电|信访")
_FORWARD = re.compile(r"结转(?:至|到)?(?:下一?年度?|次年|(?:19|20)\d{2}年度?)|转(?:入)?下一?年度")
_OVER = re.compile(r"(?:上一?年度?|(?:19|20)\d{2}年度?)(?:结转|转结)|结转上年")
_CLOSED = re.compile(r"办结")
_RECEIVED = re.compile(r"收到|受理|新收|接到")
_NONE = re.compile(r"未(?:收到|接到|受理)[^，,。]*?公开(?:的)?(?:申请|事项|来信|请求)")

ROWS = ("new_received", "carried_over", "results_total", "carried_forward")



def _classify(clause: str) -> str | None:
    if _FORWARD.search(clause):
        return "carried_forward"
    if _OVER.search(clause):
        return "carried_over"
    if _CLOSED.search(clause):
        return "results_total"
    if _RECEIVED.search(clause):
        return "new_received"
    return None


def quotes(paragraphs: list[tuple[str, int]]) -> list[Quote]:
    """The first quoted count of each row in ``paragraphs`` ((text, line) pairs)."""
    found: dict[str, Quote] = {}
    for text, line in paragraphs:
        for sentence in _SENTENCES.split(clean(text)):
            if not _APPLICATION.search(sentence):
                continue
            for clause in _CLAUSES.split(sentence):
                if _OFF_TOPIC.search(clause):
                    continue
                if _NONE.search(clause):
                    found.setdefault("new_received", Quote("new_received", 0, line, clause))
                    continue
                counts = _COUNT.findall(clause)
                row = _classify(clause)
                if row and len(counts) == 1:
                    found.setdefault(row, Quote(row, int(counts[0]), line, clause))
    return [found[row] for row in ROWS if row in found]
