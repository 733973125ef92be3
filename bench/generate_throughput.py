"""Generator throughput: reports/s of `xxgk generate` per format, all cores and one.

    .venv/bin/python bench/generate_throughput.py [--agencies 300] [--formats txt,docx,html,pdf]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from _common import machine

from orchestration.generate import Options, generate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agencies", type=int, default=300)
    ap.add_argument("--formats", default="txt,docx,html,pdf")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(machine())
    work = Path(tempfile.mkdtemp(prefix="xxgk-gen-"))
    try:
        for fmt in args.formats.split(","):
            for workers in sorted({1, os.cpu_count() or 1}):
                rates = []
                for r in range(args.repeat):
                    out = work / f"{fmt}-{workers}-{r}"
                    s = generate(out, args.agencies, Options(tuple(range(2019, 2026)), (fmt,), 0.05, seed=r),
                                 workers=workers)
                    rates.append(s.reports / s.seconds)
                    shutil.rmtree(out)
                rates.sort()
                print(f"{fmt:<5} workers={workers}: median {rates[len(rates) // 2]:7.0f} reports/s "
                      f"(runs {', '.join(f'{x:.0f}' for x in rates)}; {s.reports} reports each)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
