"""``xxgk``: the warehouse's command line.

    xxgk parse [--json] FILE...   parse reports; with --json one JSON object per line
    xxgk check FILE...            the check an agency can run before it submits
    xxgk status --year Y [--region R]   who has reported for year Y (published snapshot)
    xxgk generate --agencies N ... OUT/  a synthetic corpus with injected faults (truth.jsonl)

Exit codes: 0 read (parse) / no rule broken (check); 1 a rule is broken (check);
2 a file is not a readable report (one line on stderr naming the file and the reason).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import signal
import sys
from pathlib import Path

from .reports import form
from .reports.model import Finding, ParsedReport, UnreadableReport


def load_report(path: Path) -> ParsedReport:
    """Parse one file and add the invariant findings of the GX gate (the pipeline's own)."""
    import pandas as pd

    from .quality.findings import as_findings, judge
    from .reports.parser import parse_document
    from .reports.readers import read_document
    from .stages.parse import quotes_frame, values_frame

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableReport(f"{path}: cannot read ({exc.strerror})") from None
    report = parse_document(read_document(data, str(path)), hashlib.sha256(data).hexdigest())
    reports = pd.DataFrame({"report_id": [report.sha256], "agency": [report.agency], "year": [report.year]})
    findings, _ = judge(values_frame(report), reports, quotes_frame(report))
    report.findings = report.findings + as_findings(findings)
    return report


def _run(paths: list[str], emit) -> int:
    """Parse each file and hand it to ``emit`` (which returns True when a rule is broken).
    One unreadable file never stops the others."""
    failed = broken = False
    for name in paths:
        try:
            report = load_report(Path(name))
        except UnreadableReport as exc:
            print(f"xxgk: {exc}", file=sys.stderr)
            failed = True
            continue
        except Exception as exc:  # noqa: BLE001 - a parser bug: still one line that names the file
            print(f"xxgk: {name}: internal parser error ({type(exc).__name__}: {exc})", file=sys.stderr)
            failed = True
            continue
        broken |= emit(report)
    return 2 if failed else (1 if broken else 0)


def cmd_parse(args) -> int:
    def emit(report: ParsedReport) -> bool:
        if args.json:
            print(json.dumps(report.as_json(), ensure_ascii=False))
        else:
            n_values = sum(v.value is not None for v in report.values)
            print(f"{report.source}: {report.agency or '(机关未识别)'} {report.year or '(年度未识别)'} "
                  f"form {report.form_version}, {n_values} values, {len(report.findings)} findings")
        return False

    return _run(args.files, emit)


def _describe(f: Finding) -> str:
    where = []
    if f.table:
        where.append({"A": "表二 主动公开", "B": "表三 依申请公开", "C": "表四 复议诉讼"}[f.table])
    if f.row:
        where.append(f"「{form.row_label(f.table, f.row)}」")
    if f.column:
        where.append(f"「{form.column_label(f.table, f.column)}」")
    line = f"第{f.line}行" if f.line else "位置未知"
    level = "错误" if f.severity == "error" else "提示"
    arithmetic = f"  核算：{f.arithmetic}" if f.arithmetic else ""
    return f"  [{level} {f.rule}] {' '.join(where)} ({line}): {f.message}{arithmetic}"


def cmd_check(args) -> int:
    def emit(report: ParsedReport) -> bool:
        errors = [f for f in report.findings if f.severity == "error"]
        print(f"{report.source}: {report.agency or '(机关未识别)'} {report.year or ''}")
        if not report.findings:
            print("  通过：未发现问题 (all rules pass)")
        for finding in sorted(report.findings, key=lambda f: (f.severity != "error", f.rule, f.line or 0)):
            print(_describe(finding))
        if errors:
            print(f"  共 {len(errors)} 项错误，报告不会发布，请更正后重新提交。")
        return bool(errors)

    return _run(args.files, emit)


def cmd_generate(args) -> int:
    from .generate import FORMAT_GROUPS, Options, generate

    first, _, last = args.years.partition("-")
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMAT_GROUPS]
    if unknown or not formats:
        print(f"xxgk: unknown format(s) {unknown} (known: {', '.join(FORMAT_GROUPS)})", file=sys.stderr)
        return 2
    opts = Options(years=tuple(range(int(first), int(last or first) + 1)), formats=formats,
                   fault_rate=args.fault_rate, seed=args.seed)
    summary = generate(Path(args.out), args.agencies, opts, workers=args.workers)
    print(f"{summary.agencies} agencies, {summary.reports} reports, {summary.files} files in {args.out} "
          f"({summary.seconds:.1f} s, {summary.reports / max(summary.seconds, 1e-9):.0f} reports/s); "
          f"truth records by fault: {json.dumps(summary.faults, ensure_ascii=False, sort_keys=True)}")
    return 0


def cmd_status(args) -> int:
    from .settings import Settings
    from .status import format_status, submission_status

    try:
        rows = submission_status(Settings.from_env().published, args.year, args.region)
    except FileNotFoundError as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 2
    print(format_status(rows, args.year))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xxgk", description="xxgk-warehouse: annual reports on government information disclosure")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="parse reports into FORM.md codes")
    p.add_argument("--json", action="store_true", help="one JSON object per file and line")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_parse)
    c = sub.add_parser("check", help="check reports against the form's rules before submitting")
    c.add_argument("files", nargs="+")
    c.set_defaults(func=cmd_check)
    g = sub.add_parser("generate", help="write a synthetic corpus with injected faults and their truth")
    g.add_argument("--agencies", type=int, required=True)
    g.add_argument("--years", default="2019-2025", help="first-last, e.g. 2019-2025")
    g.add_argument("--formats", default="txt", help="comma-separated: txt,docx,html,pdf")
    g.add_argument("--fault-rate", type=float, default=0.05)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--workers", type=int, default=None, help="processes (default: every core)")
    g.add_argument("out")
    g.set_defaults(func=cmd_generate)
    st = sub.add_parser("status", help="who has reported for a year (from the published snapshot)")
    st.add_argument("--year", type=int, required=True)
    st.add_argument("--region", help="only agencies whose region contains this text")
    st.set_defaults(func=cmd_status)
    args = parser.parse_args(argv)
    # Behave like a Unix filter when piped into head: end quietly, no traceback.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
