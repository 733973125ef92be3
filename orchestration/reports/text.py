"""Normalising printed text: the one place that knows about Word artefacts and odd spaces."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Word leaves bookmark markers in extracted text ("[bookmark: _GoBack]22").
_ARTEFACT = re.compile(r"\[bookmark:[^\]]*\]", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# Minus signs NFKC leaves alone (U+2212, U+FE63); "本年增/减" cells of the old form use them.
_MINUS = str.maketrans({"\u2212": "-", "\ufe63": "-"})

# Traditional characters of the form's labels (reports from Hong Kong-style templates or
# converted pages print 規章 / 行政許可 / 本年新收政府信息公開申請數量). Only ``compact``
# (label matching) folds them; printed text keeps its characters.
_TRADITIONAL = str.maketrans(
    "規範許處罰強製費開請數結轉國與機關詢執過內務資護權條項為現廢發決復議訟維糾審總計體況組織構業會個無確補訪舉報訴類複繳納觀歷來後據於錄屬險裡當經劃純銷蓋辦區縣鎮街鄉單齊產",
    "规范许处罚强制费开请数结转国与机关询执过内务资护权条项为现废发决复议讼维纠审总计体况组织构业会个无确补访举报诉类复缴纳观历来后据于录属险里当经划纯销盖办区县镇街乡单齐产",
)


# The same short texts ("0", row labels, column headers) recur in every report: cached, the
# normalisation runs once per distinct text instead of several times per cell.
@lru_cache(maxsize=1 << 16)
def clean(text: str) -> str:
    """NFKC (full-width digits/punctuation, ideographic and no-break spaces), artefacts removed,
    runs of whitespace collapsed, stripped."""
    text = _ARTEFACT.sub("", text)
    text = unicodedata.normalize("NFKC", text).translate(_MINUS)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1 << 16)
def compact(text: str) -> str:
    """``clean`` without any spaces and in simplified characters: the form used to match labels."""
    return clean(text).replace(" ", "").translate(_TRADITIONAL)
