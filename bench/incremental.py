"""Incremental monthly run: with N reports published, new reports and corrected resubmissions
arrive; the second run's wall time as a share of the full run.

    .venv/bin/python bench/incremental.py --reports 100000 --new 500 --corrected 50 --late-years 2

One generated corpus (fault rate 0.05); run 1 gets every file except ``--new`` first
submissions (chosen by name hash; default 5 % of them) and ``--corrected`` `_v2` corrections
(default: every one); run 2 gets those. Both runs are the full pipeline (ingest, parse, validate, dbt build, the blocking GX mart
checks, publish) as warehouse_job runs it: run 1 over every year partition, run 2 (the monthly run) for the
partitions of the reports that arrived (`--late-years`: the new reports are of the last N
years, as late and corrected submissions are; 0 = any year, spread like the corpus).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
from pathlib import Path

from _common import Timer, machine, print_stages, run_pipeline, settings_for

from orchestration.generate import Options, generate
from orchestration.generate.verify import load_files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--formats", default="txt,docx,html,pdf")
    ap.add_argument("--late-years", type=int, default=0,
                    help="run 2's reports and corrections are of the last N years of the corpus (0: any year)")
    ap.add_argument("--new", type=int, default=None,
                    help="first submissions held back for run 2 (default: 5 %% of all first submissions)")
    ap.add_argument("--corrected", type=int, default=None,
                    help="corrected resubmissions held back for run 2 (default: every one of the late years)")
    args = ap.parse_args()
    print(machine())
    work = Path(tempfile.mkdtemp(prefix="xxgk-inc-"))
    try:
        corpus = work / "corpus"
        generate(corpus, max(1, args.reports // 7), Options(tuple(range(2019, 2026)), tuple(args.formats.split(",")),
                                                           0.05, 1, negative_changes=False))
        files = load_files(corpus)
        later = work / "later"
        later.mkdir()
        late = set(range(2026 - args.late_years, 2026)) if args.late_years else set(range(2019, 2026))
        firsts = [f["file"] for f in files if f["kind"] == "report" and int(f["year"]) in late]
        by_hash = sorted(firsts, key=lambda n: hashlib.sha256(n.encode()).hexdigest())
        # default: 5 % of every year's first submissions, taken from the late years
        wanted = len(firsts) * 35 // (100 * len(late)) if args.new is None else args.new
        new = set(by_hash[:wanted])
        corrections = sorted((f["file"] for f in files if f["kind"] == "correction" and int(f["year"]) in late),
                             key=lambda n: hashlib.sha256(n.encode()).hexdigest())
        if args.corrected is not None:
            if args.corrected > len(corrections):
                raise SystemExit(f"the corpus has {len(corrections)} corrections of years {sorted(late)}, "
                                 f"not {args.corrected}")
            corrections = corrections[:args.corrected]
        corrections = set(corrections)
        for name in sorted(new | corrections):
            shutil.move(corpus / "reports" / name, later / name)
        settings = settings_for(work, inbox=corpus / "reports")
        full = Timer()
        run_pipeline(settings, work, full, "full")
        print_stages(full, len(files) - len(new) - len(corrections), "run 1 (full)")
        for name in sorted(later.iterdir()):
            shutil.move(name, corpus / "reports" / name.name)
        inc = Timer()
        out = run_pipeline(settings, work, inc, "monthly", years="arrived")
        print(f"run 2 was for {out['years']}; its scope: {out.get('scope_reports', 'every')} report(s); "
              f"verdicts recorded for {out.get('tested', 'every year')}")
        print_stages(inc, len(new) + len(corrections),
                     f"run 2 (monthly: {len(new)} new + {len(corrections)} corrected)")
        a, b = sum(full.stages.values()), sum(inc.stages.values())
        print(f"monthly run / full run: {b:.1f} s / {a:.1f} s = {100 * b / a:.0f} %")
        for stage in full.stages:
            print(f"  {stage:<10} {100 * inc.stages[stage] / full.stages[stage]:5.0f} % of the full run's")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
