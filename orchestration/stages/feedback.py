"""Feedback to submitting agencies: one Chinese document per report that needs their action.

Built from the published marts only, in one query (main_marts.rpt_report_status joined with
main_marts.fct_findings and, for the agency-year's current version, main_marts.dim_report):

* a **held** report: every error (and warning) with the table (表二/表三/表四 as printed),
  the row and column by their printed labels, the printed and the expected value, the
  failing arithmetic, the source line and the raw cell text, and how to fix it; the report
  is not published until a corrected file is accepted;
* an **accepted** (current) report with warnings: published, please check the warnings;
* an **unreadable** file: why, and which formats to send instead.

Superseded reports get no document (their correction replaced them) and pending ones are
not judged yet. Every document exists as Markdown and HTML (jinja2, HTML auto-escaped);
file names never come from submitted text: ``<year>-<sanitised agency>-<report_id[:8]>``
keeps only CJK ideographs, ASCII letters and digits, and the report_id makes it unique.
Nothing time-dependent is written, so the same warehouse gives the same bytes.

Each document has a key: the md5 of the rows of FEEDBACK_SQL it is rendered from, with a
digest of this module (its templates and wording). Publication passes the keys the previous
snapshot recorded, and a document whose key is unchanged is taken from there instead of
being rendered again: a monthly run renders the documents of the reports that changed, not
the tens of thousands that did not.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb
import jinja2

from ..warehouse import MART_SCHEMA

FEEDBACK_SQL = f"""
with current_versions as (
    select agency_key, year, version as current_version, report_id as current_report_id
    from {MART_SCHEMA}.dim_report
    where is_current
)
select
    s.report_id, s.status, s.status_reason, s.agency, s.year, s.version, s.source_name,
    s.original_name, s.received_at, s.receipt_count, s.file_error, s.error_count,
    s.warning_count, c.current_version, c.current_report_id,
    f.finding_number, f.rule_id, f.severity, f.rule_description_zh, f.table_code,
    f.table_label_zh, f.table_heading_zh, f.row_code, f.row_label_zh, f.column_code,
    f.column_label_zh, f.expected, f.actual, f.arithmetic_zh, f.source_line, f.raw_text,
    f.message
from {MART_SCHEMA}.rpt_report_status s
left join {MART_SCHEMA}.fct_findings f
    on s.report_id = f.report_id
left join current_versions c
    on s.agency_key = c.agency_key and s.year = c.year and s.report_id <> c.current_report_id
where s.status in ('held', 'unreadable')
   or (s.status = 'accepted' and f.report_id is not null)
order by s.report_id, f.severity, f.finding_number
"""

# The templates, wording and fixes that turn those rows into documents live in this file.
RENDERER = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]

# One row per document: what its index line shows, and its key (see the module docstring).
SUMMARY_SQL = f"""
select
    report_id, any_value(status) as status, any_value(agency) as agency,
    any_value(year) as year, any_value(version) as version,
    count(rule_id) filter (where severity = 'error') as errors,
    count(rule_id) filter (where severity is distinct from 'error') as warnings,
    $renderer || ':' || md5(string_agg(cast(f as varchar), chr(30)
                                    order by severity, finding_number, cast(f as varchar))) as key
from ({FEEDBACK_SQL}) as f
group by report_id
"""

STATUS_ZH = {
    "held": "暂缓发布",
    "accepted": "已发布",
    "unreadable": "无法读取",
}

SEVERITY_ZH = {"error": "错误", "warning": "提示"}

# How a clerk fixes a finding of each rule (FORM.md R1-R8, parser warnings P1-P4).
FIX_ZH = {
    "R1": "请核对该行各栏：「总计」应等于自然人、商业企业、科研机构、社会公益组织、法律服务机构、"
          "其他六栏之和。请更正填错的分项或总计。",
    "R2": "请核对该列：第一项（本年新收）加第二项（上年结转）之和，应等于第三项（七）总计加"
          "第四项（结转下年度继续办理）之和。",
    "R3": "请核对该列：三（七）总计应等于三（一）至三（六）各项办理结果之和。",
    "R4": "请核对该组：总计应等于结果维持、结果纠正、其他结果、尚未审结四项之和。",
    "R5": "数量应为非负整数，收费金额应为非负数，请更正该单元格。",
    "R6": "本年「上年结转」数应等于上一年度报告「结转下年度继续办理」数，请核对两年的报告。",
    "R7": "现行有效件数通常等于上年现行有效件数加本年制发件数减本年废止件数，请核实。",
    "R8": "正文（一、总体情况）所述数字与表三不一致，请核对正文或表格，使两者一致。",
    "S1": "请核对标题和统计期限中的报告年度。",
    "S2": "乡镇、街道不能制定规章。如填的是行政规范性文件，请移至「行政规范性文件」行；否则请填 0。",
    "S3": "县级人民政府不能制定规章。如填的是行政规范性文件，请移至「行政规范性文件」行；否则请填 0。",
    "S4": "请核对本年新收申请数：是否填入了县、市的数字，或两个单元格的数字被连在一起。",
    "P1": "该单元格为空。如数量为零，请填写 0。",
    "P2": "报告缺少表格中的行或数值，请按规定格式补全表格。",
    "P3": "表二使用了2019年版格式；2021年度起请使用国办公开办函〔2021〕30号规定的格式。",
    "P4": "未能从报告中识别机关名称或报告年度，请在标题中写明，"
          "如“××县人民政府2023年政府信息公开工作年度报告”。",
}
FIX_DEFAULT = "请核对并更正。"

UNREADABLE_FIX = ("请提交可复制文字的电子文件（.docx、.html、.txt 或带文字层的 .pdf），"
                  "不要提交扫描图片。")


@dataclass
class Finding:
    number: int
    rule_id: str
    severity: str
    severity_zh: str
    rule_description: str | None
    table: str | None
    row_label: str | None
    column_label: str | None
    actual: str | None
    expected: str | None
    arithmetic: str | None
    source_line: int | None
    raw_text: str | None
    message: str | None
    fix: str


@dataclass
class Feedback:
    report_id: str
    status: str
    status_zh: str
    status_text: str
    agency: str | None
    year: int | None
    version: int | None
    source_name: str | None
    received_at: str
    receipt_count: int
    file_error: str | None
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    slug: str = ""


def _num(value) -> str | None:
    if value is None:
        return None
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


_UNSAFE = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]+")


def slug(agency: str | None, year: int | None, report_id: str, status: str) -> str:
    """A file name stem that is safe whatever the agency wrote: only CJK ideographs, ASCII
    letters and digits survive; the report_id prefix makes it unique."""
    if status == "unreadable":
        return f"unreadable-{report_id[:12]}"
    name = _UNSAFE.sub("", agency or "")[:30] or "unknown"
    return f"{year if year is not None else 'unknown'}-{name}-{report_id[:8]}"


def _status_text(row: dict) -> str:
    status = row["status"]
    if status == "held":
        text = (f"本报告存在 {row['error_count']} 项错误，暂缓发布：更正后重新提交、"
                "并通过审核前，本版本的数据不予发布。")
        if row["current_version"] is not None:
            text += (f"此前通过审核的第 {row['current_version']} 版仍在发布中，"
                     "直至更正后的文件通过审核。")
        return text
    if status == "accepted":
        return ("本报告已通过审核并已发布。以下提示项请核实；如确有错误，"
                "请提交更正后的报告，通过审核后将替换本版本。")
    return f"文件无法读取：{row['file_error'] or '原因未记录'}。{UNREADABLE_FIX}"


@dataclass
class Summary:
    """A document's line in the index, and its key."""
    report_id: str
    status: str
    status_zh: str
    agency: str | None
    year: int | None
    version: int | None
    errors: int
    warnings: int
    key: str
    slug: str


def summaries(con: duckdb.DuckDBPyConnection) -> list[Summary]:
    """Every report that needs the agency's attention, by slug (one query)."""
    rows = con.execute(SUMMARY_SQL, {"renderer": RENDERER}).fetchall()
    out = [Summary(report_id, status, STATUS_ZH.get(status, status), agency, year, version,
                   errors, warnings, key, slug(agency, year, report_id, status))
           for report_id, status, agency, year, version, errors, warnings, key in rows]
    return sorted(out, key=lambda item: item.slug)


def load(con: duckdb.DuckDBPyConnection, report_ids: list[str] | None = None) -> list[Feedback]:
    """The reports that need the agency's attention (those of ``report_ids``, or every one),
    with their findings (one query)."""
    if report_ids is None:
        cursor = con.execute(FEEDBACK_SQL)
    else:
        cursor = con.execute(f"select * from ({FEEDBACK_SQL}) where report_id in (select unnest(?::varchar[])) "
                             "order by report_id, severity, finding_number", [report_ids])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    out: dict[str, Feedback] = {}
    for row in rows:
        fb = out.get(row["report_id"])
        if fb is None:
            fb = out[row["report_id"]] = Feedback(
                report_id=row["report_id"], status=row["status"],
                status_zh=STATUS_ZH.get(row["status"], row["status"]),
                status_text=_status_text(row), agency=row["agency"], year=row["year"],
                version=row["version"], source_name=row["source_name"] or row["original_name"],
                received_at=str(row["received_at"])[:19], receipt_count=row["receipt_count"],
                file_error=row["file_error"],
                slug=slug(row["agency"], row["year"], row["report_id"], row["status"]))
        if row["rule_id"] is None:
            continue
        finding = Finding(
            number=row["finding_number"], rule_id=row["rule_id"], severity=row["severity"],
            severity_zh=SEVERITY_ZH.get(row["severity"], row["severity"]),
            rule_description=row["rule_description_zh"],
            table=(f"{row['table_label_zh']}（{row['table_heading_zh']}）"
                   if row["table_label_zh"] else None),
            row_label=row["row_label_zh"], column_label=row["column_label_zh"],
            actual=_num(row["actual"]), expected=_num(row["expected"]),
            arithmetic=row["arithmetic_zh"], source_line=row["source_line"],
            raw_text=row["raw_text"], message=row["message"],
            fix=FIX_ZH.get(row["rule_id"], FIX_DEFAULT))
        (fb.errors if row["severity"] == "error" else fb.warnings).append(finding)
    return list(out.values())


def _md(value) -> str:
    """Escape text from a submitted report for Markdown (it is data, never markup)."""
    if value is None:
        return ""
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", str(value)).replace("\n", " ")


def _cell(value) -> str:
    """A raw cell as printed, with invisible spaces made visible."""
    if value is None:
        return ""
    return str(value).replace("\u00a0", "␣").replace("\u3000", "□")


_ENV = jinja2.Environment(autoescape=False, keep_trailing_newline=True, trim_blocks=True,
                          lstrip_blocks=True, undefined=jinja2.StrictUndefined)
_ENV.filters["md"] = _md
_ENV.filters["cell"] = _cell
_HTML_ENV = jinja2.Environment(autoescape=True, keep_trailing_newline=True, trim_blocks=True,
                               lstrip_blocks=True, undefined=jinja2.StrictUndefined)
_HTML_ENV.filters["cell"] = _cell

MARKDOWN = _ENV.from_string("""\
# 政府信息公开工作年度报告审核意见

- 报送机关：{{ fb.agency | md if fb.agency else "（未能识别）" }}
- 报告年度：{{ fb.year if fb.year is not none else "（未能识别）" }}
- 文件：{{ fb.source_name | md }}（{% if fb.version %}第 {{ fb.version }} 版，{% endif %}{{ fb.received_at }} 收到，编号 {{ fb.report_id[:12] }}）
- 审核结果：**{{ fb.status_zh }}**

{{ fb.status_text | md }}

{% for title, items in (("需要更正的错误", fb.errors), ("请核实的提示", fb.warnings)) if items %}
## {{ title }}（共 {{ items | length }} 项）

{% for f in items %}
### {{ loop.index }}. {{ f.rule_id }} {{ f.rule_description | md }}

{% if f.table %}
- 位置：{{ f.table | md }}{% if f.row_label %}，行「{{ f.row_label | md }}」{% endif %}{% if f.column_label %}，列「{{ f.column_label | md }}」{% endif %}

{% endif %}
{% if f.actual is not none %}
- 报告所填：{{ f.actual }}{% if f.expected is not none %}；按规则应为：{{ f.expected }}{% endif %}

{% endif %}
{% if f.arithmetic %}
- 核算：{{ f.arithmetic | md }}
{% endif %}
{% if f.source_line %}
- 原文位置：第 {{ f.source_line }} 行{% if f.raw_text is not none %}，单元格原文「{{ f.raw_text | cell | md }}」{% endif %}

{% endif %}
{% if f.message %}
- 说明：{{ f.message | md }}
{% endif %}
- 修改方法：{{ f.fix }}

{% endfor %}
{% endfor %}
## 如何更正

请按上述意见修改后，重新报送完整的年度报告文件（同一机关、同一年度）。新文件通过审核后即取代本版本发布；原文件仍存档备查。
{% if fb.status != "unreadable" %}

单元格原文中「␣」表示不间断空格，「□」表示全角空格。
{% endif %}
""")

HTML = _HTML_ENV.from_string("""\
<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>审核意见：{{ fb.agency or "未能识别" }} {{ fb.year if fb.year is not none else "" }}</title>
<style>body{font-family:sans-serif;max-width:48em;margin:2em auto;line-height:1.6}
.error{color:#a00}.warning{color:#a60}dt{font-weight:bold}code{background:#eee}</style></head>
<body>
<h1>政府信息公开工作年度报告审核意见</h1>
<ul>
<li>报送机关：{{ fb.agency or "（未能识别）" }}</li>
<li>报告年度：{{ fb.year if fb.year is not none else "（未能识别）" }}</li>
<li>文件：{{ fb.source_name }}（{% if fb.version %}第 {{ fb.version }} 版，{% endif %}{{ fb.received_at }} 收到，编号 {{ fb.report_id[:12] }}）</li>
<li>审核结果：<strong>{{ fb.status_zh }}</strong></li>
</ul>
<p>{{ fb.status_text }}</p>
{% for title, items, css in (("需要更正的错误", fb.errors, "error"), ("请核实的提示", fb.warnings, "warning")) if items %}
<h2 class="{{ css }}">{{ title }}（共 {{ items | length }} 项）</h2>
<ol>
{% for f in items %}
<li><h3>{{ f.rule_id }} {{ f.rule_description or "" }}</h3>
<dl>
{% if f.table %}<dt>位置</dt><dd>{{ f.table }}{% if f.row_label %}，行「{{ f.row_label }}」{% endif %}{% if f.column_label %}，列「{{ f.column_label }}」{% endif %}</dd>
{% endif %}
{% if f.actual is not none %}<dt>报告所填</dt><dd>{{ f.actual }}{% if f.expected is not none %}；按规则应为：{{ f.expected }}{% endif %}</dd>
{% endif %}
{% if f.arithmetic %}<dt>核算</dt><dd><code>{{ f.arithmetic }}</code></dd>
{% endif %}
{% if f.source_line %}<dt>原文位置</dt><dd>第 {{ f.source_line }} 行{% if f.raw_text is not none %}，单元格原文「<code>{{ f.raw_text | cell }}</code>」{% endif %}</dd>
{% endif %}
{% if f.message %}<dt>说明</dt><dd>{{ f.message }}</dd>
{% endif %}
<dt>修改方法</dt><dd>{{ f.fix }}</dd>
</dl></li>
{% endfor %}
</ol>
{% endfor %}
<h2>如何更正</h2>
<p>请按上述意见修改后，重新报送完整的年度报告文件（同一机关、同一年度）。新文件通过审核后即取代本版本发布；原文件仍存档备查。</p>
{% if fb.status != "unreadable" %}<p>单元格原文中「␣」表示不间断空格，「□」表示全角空格。</p>
{% endif %}
</body>
</html>
""")

# The index: one page per report year (index-<year>, index-unknown for reports whose year
# was not read) and an overview of the years. A year's page has a key like a document's, so a
# monthly run renders only the pages whose lines changed (at 100k reports a year the whole
# index was ~33k lines, 1.2 s of Jinja per publication).
YEAR_INDEX_MD = _ENV.from_string("""\
# 审核意见索引：{{ title }}

[← 全部年度](index.md)

| 报送机关 | 年度 | 版本 | 审核结果 | 错误 | 提示 | 意见书 |
|---|---|---|---|---|---|---|
{% for fb in items %}
| {{ fb.agency | md if fb.agency else "（未能识别）" }} | {{ fb.year if fb.year is not none else "" }} | {{ fb.version or "" }} | {{ fb.status_zh }} | {{ fb.errors }} | {{ fb.warnings }} | [{{ fb.slug }}.md]({{ fb.slug }}.md) · [html]({{ fb.slug }}.html) |
{% endfor %}
""")

YEAR_INDEX_HTML = _HTML_ENV.from_string("""\
<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>审核意见索引：{{ title }}</title></head>
<body><h1>审核意见索引：{{ title }}</h1>
<p><a href="index.html">← 全部年度</a></p>
<table border="1" cellpadding="4"><tr><th>报送机关</th><th>年度</th><th>版本</th><th>审核结果</th><th>错误</th><th>提示</th><th>意见书</th></tr>
{% for fb in items %}
<tr><td>{{ fb.agency or "（未能识别）" }}</td><td>{{ fb.year if fb.year is not none else "" }}</td><td>{{ fb.version or "" }}</td><td>{{ fb.status_zh }}</td><td>{{ fb.errors }}</td><td>{{ fb.warnings }}</td><td><a href="{{ fb.slug }}.html">{{ fb.slug }}</a></td></tr>
{% endfor %}
</table></body></html>
""")

INDEX_MD = _ENV.from_string("""\
# 审核意见索引

| 报告年度 | 意见书 | 暂缓发布 | 无法读取 | 已发布（请核实提示） | 索引 |
|---|---|---|---|---|---|
{% for page in pages %}
| {{ page.title }} | {{ page.items | length }} | {{ page.count("held") }} | {{ page.count("unreadable") }} | {{ page.count("accepted") }} | [{{ page.stem }}.md]({{ page.stem }}.md) · [html]({{ page.stem }}.html) |
{% endfor %}
""")

INDEX_HTML = _HTML_ENV.from_string("""\
<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>审核意见索引</title></head>
<body><h1>审核意见索引</h1>
<table border="1" cellpadding="4"><tr><th>报告年度</th><th>意见书</th><th>暂缓发布</th><th>无法读取</th><th>已发布（请核实提示）</th><th>索引</th></tr>
{% for page in pages %}
<tr><td>{{ page.title }}</td><td>{{ page.items | length }}</td><td>{{ page.count("held") }}</td><td>{{ page.count("unreadable") }}</td><td>{{ page.count("accepted") }}</td><td><a href="{{ page.stem }}.html">{{ page.stem }}</a></td></tr>
{% endfor %}
</table></body></html>
""")


@dataclass
class YearPage:
    """One year's page of the index: its documents' lines, and its key (every field the
    lines show, with the renderer's digest)."""
    year: int | None
    items: list[Summary]

    @property
    def stem(self) -> str:
        return f"index-{self.year if self.year is not None else 'unknown'}"

    @property
    def title(self) -> str:
        return f"{self.year} 年度" if self.year is not None else "年度未能识别"

    @property
    def key(self) -> str:
        lines = "\n".join(repr((item.slug, item.agency, item.year, item.version, item.status,
                                 item.errors, item.warnings)) for item in self.items)
        return f"{RENDERER}:{hashlib.md5(lines.encode('utf-8')).hexdigest()}"

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)


def year_pages(items: list[Summary]) -> list[YearPage]:
    """The index's pages: every year with a document, in order, the unknown year last."""
    by_year: dict[int | None, list[Summary]] = {}
    for item in items:
        by_year.setdefault(item.year, []).append(item)
    return [YearPage(year, by_year[year])
            for year in sorted(by_year, key=lambda y: (y is None, y if y is not None else 0))]


def render_markdown(fb: Feedback) -> str:
    return MARKDOWN.render(fb=fb)


def render_html(fb: Feedback) -> str:
    return HTML.render(fb=fb)


class Documents(Protocol):
    """Where write_feedback puts the documents, named by file name inside the folder (str:
    publication handles tens of thousands per snapshot)."""

    def reuse(self, names: tuple[str, ...], key: str) -> bool:
        """Put in place the documents ``names`` as published before under ``key``; False
        if there are none such (they are then rendered and written)."""

    def write(self, name: str, data: bytes, key: str | None) -> None:
        """Put ``data`` in the document ``name``; ``key``: its key (None for the overview index)."""


class _Files:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def reuse(self, names: tuple[str, ...], key: str) -> bool:
        return False

    def write(self, name: str, data: bytes, key: str | None) -> None:
        (self.folder / name).write_bytes(data)


def write_feedback(con: duckdb.DuckDBPyConnection, folder: Path,
                   documents: Documents | None = None) -> None:
    """Write <slug>.md and <slug>.html per report needing action, the index of each report year
    (index-<year>.md/.html, index-unknown for a year not read) and index.md/index.html over
    the years (UTF-8, LF), into ``folder``. ``documents`` puts each in place:
    publication passes one that takes a document whose key is unchanged from the previous
    snapshot, so only the others are rendered."""
    documents = documents or _Files(folder)
    folder.mkdir(parents=True, exist_ok=True)
    items = {item.report_id: item for item in summaries(con)}

    def pair(item: Summary) -> tuple[str, str]:
        return f"{item.slug}.md", f"{item.slug}.html"

    stale = [item.report_id for item in items.values() if not documents.reuse(pair(item), item.key)]
    for fb in load(con, stale) if stale else []:
        md, html = pair(items[fb.report_id])
        documents.write(md, render_markdown(fb).encode("utf-8"), items[fb.report_id].key)
        documents.write(html, render_html(fb).encode("utf-8"), items[fb.report_id].key)
    pages = year_pages(list(items.values()))
    for page in pages:
        names = (f"{page.stem}.md", f"{page.stem}.html")
        if not documents.reuse(names, page.key):
            for name, template in zip(names, (YEAR_INDEX_MD, YEAR_INDEX_HTML), strict=True):
                documents.write(name, template.render(title=page.title, items=page.items).encode("utf-8"), page.key)
    for name, template in (("index.md", INDEX_MD), ("index.html", INDEX_HTML)):
        documents.write(name, template.render(pages=pages).encode("utf-8"), None)
