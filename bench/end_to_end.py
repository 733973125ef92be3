"""End to end on N generated reports (mixed formats): wall time of every stage and peak RSS.

    .venv/bin/python bench/end_to_end.py --reports 1000 [--formats txt,docx,html,pdf] [--work DIR]
    .venv/bin/python bench/end_to_end.py --corpus DIR [--work DIR]

``--corpus``: an `xxgk generate` output to run on instead of generating one (its reports are
hard-linked into the inbox, so the corpus stays whole for the next run).

Generates ~N reports (N/7 agencies x 2019-2025, fault rate 0.05), then runs ingest, parse,
validate (the GX gate), `dbt build` and publish exactly as the pipeline does (stage
functions; dbt as a subprocess), each timed, and checks that the findings are exactly the
injected faults. Prints per stage seconds, ms/report and share, and peak RSS of this process
and of the largest child (parse workers, dbt).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import (
    Timer,
    dump,
    link_corpus,
    machine,
    peak_rss_mb,
    print_stages,
    run_pipeline,
    settings_for,
)

from orchestration.generate import Options, generate
from orchestration.generate.verify import compare
from orchestration.warehouse import connect


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--formats", default="txt,docx,html,pdf")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--corpus", type=Path, default=None, help="run on this generated corpus instead")
    args = ap.parse_args()
    print(machine())
    work = args.work or Path(tempfile.mkdtemp(prefix="xxgk-e2e-"))
    timer = Timer()
    if args.corpus:
        corpus, gen_s = args.corpus, 0.0
        inbox = work / "inbox"
        files = link_corpus(corpus, inbox)
        print(f"corpus {corpus}: {files} files")
    else:
        corpus, inbox = work / "corpus", work / "corpus" / "reports"
        started = time.perf_counter()
        summary = generate(corpus, max(1, args.reports // 7),
                           Options(tuple(range(2019, 2026)), tuple(args.formats.split(",")), 0.05, args.seed))
        gen_s, files = time.perf_counter() - started, summary.files
        print(f"generate: {summary.reports} reports, {summary.files} files ({args.formats}) in {gen_s:.1f} s "
              f"({summary.reports / gen_s:.0f} reports/s)")
    settings = settings_for(work, inbox=inbox)
    out = run_pipeline(settings, work, timer)
    print(out)
    print_stages(timer, files, "pipeline")
    own, children = peak_rss_mb()
    print(f"peak RSS: this process {own:.0f} MiB, largest child {children:.0f} MiB")
    with connect(settings.warehouse, read_only=True) as con:
        c = compare(corpus, con)
    print(f"findings vs truth: expected {c.expected_findings}, found {c.found_findings}, missing {len(c.missing)}, "
          f"extra {len(c.extra)}, wrong values {len(c.wrong_values)}, unreadable mismatches "
          f"{len(c.unreadable_mismatch)}, duplicate mismatches {len(c.duplicate_mismatch)}")
    for item in (c.missing + c.extra + c.wrong_values)[:10]:
        print("  ", item)
    dump(args.json, {"reports": files, "formats": args.formats, "generate_s": gen_s,
                     "stages": timer.stages, "peak_rss_mb": {"self": own, "child": children},
                     "exact": c.exact})
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
