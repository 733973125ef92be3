"""A GX validation result as an HTML page for people (kept per run beside the JSON)."""

from __future__ import annotations

from html import escape
from typing import Any


def validation_html(result: dict[str, Any], title: str) -> str:
    rows = []
    checks = result.get("checks_by_rule", {})
    for item in result.get("results", []):
        meta = item.get("expectation_config", {}).get("meta", {}) or {}
        res = item.get("result", {}) or {}
        # GX counts the distinct cases it judged; checks_by_rule, where the gate adds it, the checks
        failing_checks = checks.get(meta.get("rule_id"), {}).get("failed", res.get("unexpected_count", 0))
        failing = res.get("partial_unexpected_list") or res.get("unexpected_list") or []
        sample = "<br>".join(escape(str(x)) for x in failing[:5])
        rows.append(
            "<tr class='{cls}'><td>{rule}</td><td>{sev}</td><td>{zh}<br><small>{en}</small></td>"
            "<td>{ok}</td><td>{n}</td><td>{sample}</td></tr>".format(
                cls="ok" if item.get("success") else "fail",
                rule=escape(str(meta.get("rule_id", ""))),
                sev=escape(str(meta.get("severity", ""))),
                zh=escape(str(meta.get("description_zh", ""))),
                en=escape(str(meta.get("description_en", ""))),
                ok="通过 pass" if item.get("success") else "未通过 FAIL",
                n=failing_checks,
                sample=sample,
            )
        )
    stats = result.get("statistics", {})
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}}tr.fail{{background:#fde}}
tr.ok{{background:#efe}}</style></head><body>
<h1>{escape(title)}</h1>
<p>suite <b>{escape(str(result.get("suite_name", "")))}</b>:
{"全部通过 (success)" if result.get("success") else "有规则未通过 (failures)"};
expectations evaluated {stats.get("evaluated_expectations", 0)},
successful {stats.get("successful_expectations", 0)}.</p>
<table><tr><th>rule</th><th>severity</th><th>description</th><th>result</th><th>failing checks</th>
<th>examples of failing values</th></tr>
{"".join(rows)}
</table></body></html>
"""
