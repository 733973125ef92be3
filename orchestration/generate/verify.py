"""Compare what the pipeline found in a generated corpus with the corpus's truth.

``compare(out_dir, warehouse_connection)`` reads ``truth.jsonl`` and ``files.csv`` and the
warehouse's raw.files / raw.receipts / quality.findings (after ingest, parse and validate)
and returns the differences: per file, findings expected and not found (``missing``),
findings made where none was expected (``extra``), unreadable files not refused or readable
files refused, and duplicates not recognised as the same file. Empty lists mean the pipeline
found exactly the injected faults.

Informational findings that do not report a fault are ignored: P3 (table A on the
2019-2020 form).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

IGNORED_RULES = {"P3"}


@dataclass
class Comparison:
    files: int = 0
    expected_findings: int = 0
    found_findings: int = 0
    missing: list[tuple] = field(default_factory=list)
    extra: list[tuple] = field(default_factory=list)
    wrong_values: list[tuple] = field(default_factory=list)
    unreadable_mismatch: list[str] = field(default_factory=list)
    duplicate_mismatch: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not (self.missing or self.extra or self.wrong_values or self.unreadable_mismatch
                    or self.duplicate_mismatch)


def load_truth(out: Path) -> list[dict]:
    with open(Path(out) / "truth.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def load_files(out: Path) -> list[dict]:
    with open(Path(out) / "files.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _key(rule, table, row, column) -> tuple:
    return (rule, table or None, row or None, column or None)


def compare(out: Path, con) -> Comparison:
    truth = load_truth(out)
    files = load_files(out)
    result = Comparison(files=len(files))
    expected: dict[str, dict[tuple, dict]] = defaultdict(dict)
    unreadable_expected: set[str] = set()
    duplicate_of: dict[str, str] = {}
    for t in truth:
        if t["rule"] == "unreadable":
            unreadable_expected.add(t["file"])
        elif t["fault"] == "duplicate":
            duplicate_of[t["file"]] = t["duplicate_of"]
        elif t["rule"] is not None:
            expected[t["file"]][_key(t["rule"], t["table"], t["row"], t["column"])] = t
    sha_of = dict(con.execute("select original_name, sha256 from raw.receipts").fetchall())
    status = dict(con.execute("select sha256, status from raw.files").fetchall())
    found: dict[str, dict[tuple, tuple]] = defaultdict(dict)
    for report_id, rule, table, row, column, exp, act in con.execute(
            "select report_id, rule_id, table_code, row_code, column_code, expected, actual from quality.findings"
    ).fetchall():
        if rule not in IGNORED_RULES:
            found[report_id][_key(rule, table, row, column)] = (exp, act)
    for f in files:
        name = f["file"]
        sha = sha_of.get(name)
        if sha is None:
            result.unreadable_mismatch.append(f"{name}: not ingested")
            continue
        if name in duplicate_of:
            if sha_of.get(duplicate_of[name]) != sha:
                result.duplicate_mismatch.append(name)
            continue
        refused = status.get(sha) == "unreadable"
        if refused != (name in unreadable_expected):
            result.unreadable_mismatch.append(f"{name}: status {status.get(sha)}")
            continue
        want, got = expected.get(name, {}), found.get(sha, {})
        result.expected_findings += len(want)
        result.found_findings += len(got)
        result.missing += [(name, *k) for k in sorted(set(want) - set(got), key=str)]
        result.extra += [(name, *k) for k in sorted(set(got) - set(want), key=str)]
        for k in set(want) & set(got):
            t, (exp, act) = want[k], got[k]
            if t["actual"] is not None and act != t["actual"] or \
                    k[0] != "S1" and t["expected"] is not None and exp != t["expected"]:
                result.wrong_values.append((name, *k, (t["expected"], t["actual"]), (exp, act)))
    return result
