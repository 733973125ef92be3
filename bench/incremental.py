"""Incremental monthly run: with N reports published, new reports and corrected resubmissions
arrive; the second run's wall time as a share of the full run.

    .venv/bin/python bench/incremental.py --reports 100000 --new 500 --corrected 50 --late-years 2

One generated corpus (fault rate 0.05); run 1 gets every file except ``--new`` first
submissions (chosen by name hash; default 5 % of them) and ``--corrected`` `_v2` corrections
(default: every one); run 2 gets those. Both runs are the full pipeline (ingest, parse, validate, dbt build, the blocking GX mart
checks, publish) as warehouse_job runs it: run 1 over every year partition, run 2 (the monthly run) for the
partitions of the reports that arrived (`--late-years`: the new reports are of the last N
years, as late and corrected submissions are; 0 = any year, spread like the corpus).

`--corpus DIR` uses a corpus made by `xxgk generate` (its files hard-linked, the corpus left
whole) instead of generating one; its reports must include the held-back kinds.
`--keep DIR` keeps the corpus and a copy of the warehouse and published folder as they were
after run 1; `--again DIR` restores that state, makes it what run 1 leaves behind with the
code at hand (dbt's parse of the project, the checks' fingerprint: `steady_state`) and times
run 2 only, against run 1's saved figures (for profiling the monthly run without a 15-minute
full run each time).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from _common import Timer, dbt, link_corpus, machine, print_stages, run_pipeline, settings_for

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
    ap.add_argument("--corpus", type=Path, help="use this generated corpus (linked) instead of generating one")
    ap.add_argument("--keep", type=Path, help="keep the corpus and the state after run 1 in this folder")
    ap.add_argument("--again", type=Path, help="restore the state kept by --keep and time run 2 only")
    args = ap.parse_args()
    print(machine())
    if args.again:
        again(args.again)
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="xxgk-inc-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus"
        if args.corpus:
            corpus.mkdir()
            shutil.copy2(args.corpus / "files.csv", corpus / "files.csv")
            link_corpus(args.corpus, corpus / "reports")
        else:
            generate(corpus, max(1, args.reports // 7), Options(tuple(range(2019, 2026)),
                                                               tuple(args.formats.split(",")), 0.05, 1,
                                                               negative_changes=False))
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
        if args.keep:
            shutil.copytree(settings.data_dir, work / "after-full", symlinks=True)
            shutil.copytree(later, work / "arrivals")  # ingest removes them from the inbox
            (work / "after-full.json").write_text(json.dumps(
                {"stages": full.stages, "later": sorted(p.name for p in later.iterdir()),
                 "new": len(new), "corrected": len(corrections)}), encoding="utf-8")
        for name in sorted(later.iterdir()):
            shutil.move(name, corpus / "reports" / name.name)
        inc = Timer()
        out = run_pipeline(settings, work, inc, "monthly", years="arrived")
        print(f"run 2 was for {out['years']}; its scope: {out.get('scope_reports', 'every')} report(s); "
              f"verdicts recorded for {out.get('tested', 'every year')}")
        report(full.stages, inc, len(new), len(corrections))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(full: dict[str, float], inc: Timer, new: int, corrected: int) -> None:
    print_stages(inc, new + corrected, f"run 2 (monthly: {new} new + {corrected} corrected)")
    a, b = sum(full.values()), sum(inc.stages.values())
    print(f"monthly run / full run: {b:.1f} s / {a:.1f} s = {100 * b / a:.1f} %")
    for stage, seconds in full.items():
        print(f"  {stage:<10} {100 * inc.stages[stage] / seconds:5.1f} % of the full run's")


def again(work: Path) -> None:
    """Run 2 again from the state --keep saved after run 1 (the full run's figures are that run's)."""
    saved = json.loads((work / "after-full.json").read_text(encoding="utf-8"))
    settings = settings_for(work, inbox=work / "corpus" / "reports")
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    shutil.copytree(work / "after-full", settings.data_dir, symlinks=True)
    for name in saved["later"]:
        shutil.copy2(work / "arrivals" / name, settings.inbox / name)
    steady_state(settings, work)
    # the restored state is ~8 GB: its write-back to disk would run beside the timed run
    os.sync()
    # run 2 of a whole bench runs in the process of run 1: GX is imported and its suites built
    from orchestration.quality.gate import EXPECTATIONS_DIR, _validation
    for suite in sorted(EXPECTATIONS_DIR.glob("*.json")):
        _validation(suite.stem)
    inc = Timer()
    out = run_pipeline(settings, work, inc, "monthly", years="arrived")
    print(f"run 2 was for {out['years']}; its scope: {out.get('scope_reports', 'every')} report(s)")
    report(saved["stages"], inc, saved["new"], saved["corrected"])


def steady_state(settings, work: Path) -> None:
    """Make the kept state what run 1 leaves behind when it ran this code: dbt's parse of the
    project (made without a run scope, as run 1's build does) and the checks' fingerprint.
    Without this, a state kept by older code would make run 2 parse the project again and test
    every year, and a state whose parse was left by an earlier run 2 would spare it a parse.
    An incremental model that the kept state has as a view or not at all (the code of run 1
    had it as a view) is built in full first, as run 1 would have built it. Valid only while
    the code has the same raw and quality tables as the code that made run 1."""
    from orchestration.quality import checked_years
    from orchestration.warehouse import connect

    shutil.rmtree(work / "dbt-target", ignore_errors=True)
    dbt(("parse",), settings.warehouse, work, {})
    manifest = json.loads((work / "dbt-target" / "manifest.json").read_text(encoding="utf-8"))
    incremental = {(n["schema"], n["name"]) for n in manifest["nodes"].values()
                   if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"}
    with connect(settings.warehouse) as con:
        tables = set(con.execute("select table_schema, table_name from information_schema.tables "
                                 "where table_type = 'BASE TABLE'").fetchall())
        for schema, name in sorted(incremental - tables):
            con.execute(f'drop view if exists {schema}."{name}"')
    if incremental - tables:
        models = [name for _, name in sorted(incremental - tables)]
        print(f"built in full first, as run 1 would have: {', '.join(models)}")
        dbt(("run", "--select", *models), settings.warehouse, work, {})
    with connect(settings.warehouse) as con:
        con.execute("update quality.checked_years set fingerprint = ?", [checked_years.fingerprint()])


if __name__ == "__main__":
    main()
