"""Publication cost when two report years changed: the first publication of a warehouse, then
the publication after a monthly run that touched two years, each repeated; medians.

    .venv/bin/python bench/publish_reuse.py --reports 10000 --work /tmp/xxgk-reuse [--repeat 3]
    # the code before (any checkout's orchestration package publishes):
    .venv/bin/python bench/publish_reuse.py --work /tmp/xxgk-reuse --code <checkout>

Building (once per --work, reused afterwards): a generated txt corpus of ~N reports
(2019-2025, fault rate 0.05); run 1 is the full pipeline (bench/_common.run_pipeline) on every
file except a 5 % sample of the 2024-2025 first submissions and the 2024-2025 corrections
(the split of bench/incremental.py --late-years 2); run 2 is the monthly run on those, for the
years that arrived. The warehouse after each run is kept: ``warehouse-1.duckdb``,
``warehouse-2.duckdb``.

Measuring: per repetition, a fresh published folder; ``publish`` of warehouse 1 (the first
publication: every file written), then of warehouse 2 (the republication: only 2024-2025 of
the fact marts changed, plus the small cross-year marts and the feedback of the new reports),
then of warehouse 2 again (unchanged: no new snapshot). Printed per publication: the wall
time, the snapshot, its files and size, and how many files (and MB) were written anew rather
than shared by hard link with the previous snapshot. The code that publishes is ``--code``'s
``orchestration`` package (default: this checkout), so the same warehouses measure before
and after.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(work: Path, reports: int) -> None:
    """Two warehouses (before and after a monthly run for 2024-2025) under ``work``."""
    from _common import Timer, run_pipeline, settings_for

    from orchestration.generate import Options, generate
    from orchestration.generate.verify import load_files

    corpus = work / "corpus"
    generate(corpus, max(1, reports // 7), Options(tuple(range(2019, 2026)), ("txt",), 0.05, 1,
                                                   negative_changes=False))
    files = load_files(corpus)
    later = work / "later"
    later.mkdir()
    late = {2024, 2025}
    firsts = [f["file"] for f in files if f["kind"] == "report" and int(f["year"]) in late]
    share = 5 * 7 / len(late)  # 5 % of all first submissions, as bench/incremental.py
    new = {n for n in firsts if int(hashlib.sha256(n.encode()).hexdigest(), 16) % 1000 < share * 10}
    corrections = {f["file"] for f in files if f["kind"] == "correction" and int(f["year"]) in late}
    for name in sorted(new | corrections):
        shutil.move(corpus / "reports" / name, later / name)
    settings = settings_for(work, inbox=corpus / "reports")
    run_pipeline(settings, work, Timer(), "full")
    shutil.copyfile(settings.warehouse, work / "warehouse-1.duckdb")
    for name in sorted(later.iterdir()):
        shutil.move(name, corpus / "reports" / name.name)
    out = run_pipeline(settings, work, Timer(), "monthly", years="arrived")
    shutil.copyfile(settings.warehouse, work / "warehouse-2.duckdb")
    print(f"built: run 1 = {len(files) - len(new) - len(corrections)} files, run 2 = {len(new)} new + "
          f"{len(corrections)} corrected for {out['years']}")


def measure(work: Path, code: Path, repeat: int) -> None:
    sys.path.insert(0, str(code))
    import duckdb

    from orchestration.stages import publish as publish_stage

    print(f"publishing code: {Path(publish_stage.__file__).resolve()}")
    warehouses = [work / "warehouse-1.duckdb", work / "warehouse-2.duckdb", work / "warehouse-2.duckdb"]
    times: dict[str, list[float]] = {"first": [], "second": [], "unchanged": []}
    for i in range(repeat):
        published = work / f"published-{code.name}-{i}"
        shutil.rmtree(published, ignore_errors=True)
        for label, warehouse in zip(times, warehouses, strict=True):
            con = duckdb.connect(str(warehouse), read_only=True)
            try:
                validation = publish_stage.validation_summary(con)
                started = time.perf_counter()
                snap = publish_stage.publish(con, published, validation, keep=3)
                times[label].append(time.perf_counter() - started)
            finally:
                con.close()
            line = f"  {i + 1}/{repeat} {label:<9} {times[label][-1]:6.2f} s  {snap.name}"
            if snap.reused:
                print(f"{line}  (unchanged content: no new snapshot)", flush=True)
                continue
            files = [p.stat() for p in snap.path.rglob("*") if p.is_file()]
            new = [s for s in files if s.st_nlink == 1]  # with keep=3 nothing is pruned here
            print(f"{line}  {len(files)} files, {sum(s.st_size for s in files) / 1e6:,.0f} MB; written anew: "
                  f"{len(new)} files, {sum(s.st_size for s in new) / 1e6:,.1f} MB", flush=True)
        shutil.rmtree(published, ignore_errors=True)
    for label, values in times.items():
        print(f"{label} publication: median {statistics.median(values):.2f} s "
              f"(min {min(values):.2f}, max {max(values):.2f}, n={len(values)})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=10000)
    ap.add_argument("--work", type=Path, required=True, help="kept between calls (the two warehouses)")
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose orchestration package publishes")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}")
    if not (args.work / "warehouse-2.duckdb").exists():
        args.work.mkdir(parents=True, exist_ok=True)
        sys.path.insert(0, str(ROOT / "bench"))
        build(args.work, args.reports)
        # the build imported this checkout's package; measuring another one needs a fresh process
        if args.code.resolve() != ROOT:
            print("built; run again to measure --code")
            return
    measure(args.work, args.code.resolve(), args.repeat)


if __name__ == "__main__":
    main()
