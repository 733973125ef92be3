"""Growth: cost per report of every stage at several sizes (each size in a fresh process,
so peak RSS is per size).

    .venv/bin/python bench/growth.py --sizes 1000,10000 [--formats txt,docx,html,pdf]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import machine

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--formats", default="txt,docx,html,pdf")
    args = ap.parse_args()
    print(machine())
    results = []
    for n in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="xxgk-growth-") as tmp:
            out = Path(tmp) / "r.json"
            subprocess.run([sys.executable, str(HERE / "end_to_end.py"), "--reports", str(n), "--formats",
                            args.formats, "--json", str(out)], check=True)
            results.append(json.loads(out.read_text()))
    stages = list(results[0]["stages"])
    print("\nms/report by size:")
    print(f"{'stage':<10}" + "".join(f"{r['reports']:>12}" for r in results))
    for stage in stages:
        print(f"{stage:<10}" + "".join(f"{1000 * r['stages'][stage] / r['reports']:12.3f}" for r in results))
    print(f"{'total':<10}" + "".join(f"{1000 * sum(r['stages'].values()) / r['reports']:12.3f}" for r in results))
    print(f"{'peak MiB':<10}" + "".join(f"{max(r['peak_rss_mb'].values()):12.0f}" for r in results))


if __name__ == "__main__":
    main()
