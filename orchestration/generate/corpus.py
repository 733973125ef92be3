# ruff: noqa: B023  (emit() is called only inside the loop iteration that defines it)
"""Write a synthetic corpus: ``agencies.csv``, one report per agency and year, injected faults
and their ground truth.

Output (all deterministic for a seed: the same bytes, names and mtimes every time):

- ``agencies.csv``  the registry, columns as ``seeds/agencies.csv``
- ``reports/``      the submissions: ``<agency_code>_<year>.<ext>``; a corrected resubmission
  ``<agency_code>_<year>_v2.<ext>`` (sorts after, mtime 30 days later); an exact duplicate
  ``<agency_code>_<year>_copy.<ext>``; a non-report upload ``<agency_code>_<year>_notice.<ext>``
- ``files.csv``     every file: agency_code, year, form_version, format, layout, kind
- ``truth.jsonl``   one JSON object per expected finding or expected outcome: file,
  agency_code, year, fault (what was injected), rule (R1-R5, S1, S2, R8, P1, P2, or
  ``unreadable``; null for a duplicate/correction record), table, row, column, expected, actual
  and, where relevant, corrects / corrected_by / duplicate_of.
  Reports without a record must come through with no finding (the 2019-2020 form's
  informational P3 aside).

Work is split by agency (a report depends on the agency's previous year) over worker
processes; each agency draws from its own RNG seeded by sha256(seed, agency_code), so the
output does not depend on the number of workers or their scheduling.
"""

from __future__ import annotations

import csv
import hashlib
import json
import multiprocessing
import os
import random
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from ..fonts import embeddable_font
from ..render import ReportContent, render
from ..reports import form
from . import faults
from .layout import (
    FORMAT_GROUPS,
    Narrative,
    extension,
    non_report_html,
    non_report_text,
    outline_for,
)
from .registry import COLUMNS, Agency, build_registry
from .values import new_state, year_values

FILES_COLUMNS = ("file", "agency_code", "year", "form_version", "format", "layout", "kind")
OTHER_FORM_SHARE = 0.03  # reports printed on the other year's form (both directions exist)


@dataclass(frozen=True)
class Options:
    years: tuple[int, ...]
    formats: tuple[str, ...]
    fault_rate: float
    seed: int
    negative_changes: bool = True  # the old form's 本年增/减 may be negative (value_type 'signed')


@dataclass
class Summary:
    agencies: int = 0
    reports: int = 0
    files: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _seed(seed: int, *parts: object) -> int:
    digest = hashlib.sha256("|".join(map(str, (seed, *parts))).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _epoch(day: date) -> float:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC).timestamp()


def _write(folder: Path, name: str, data: bytes, day: date) -> None:
    path = folder / name
    path.write_bytes(data)
    os.utime(path, (_epoch(day), _epoch(day)))


def _agency_reports(job: tuple[Agency, Options, str]) -> tuple[list[tuple], list[dict]]:
    """Every file of one agency (all years); returns its files.csv rows and truth records."""
    agency, opts, folder_name = job
    folder = Path(folder_name)
    rng = random.Random(_seed(opts.seed, agency.agency_code))
    nrng = np.random.default_rng(_seed(opts.seed, agency.agency_code, "values"))
    state = new_state(agency, nrng)
    level = faults.judged_level(agency.level, agency.name)
    rows: list[tuple] = []
    truth: list[dict] = []
    kinds = list(faults.FAULT_WEIGHTS)
    weights = [faults.FAULT_WEIGHTS[k] for k in kinds]
    for year in opts.years:
        version = form.OLD if year <= 2020 else form.CURRENT
        if rng.random() < OTHER_FORM_SHARE:
            version = form.CURRENT if version == form.OLD else form.OLD
        values = year_values(state, agency, year, version, nrng, opts.negative_changes)
        group = rng.choice(opts.formats)
        layout = rng.choice(FORMAT_GROUPS[group])
        ext = extension(layout)
        day = date(year + 1, 1, 1) + timedelta(days=rng.randrange(10, 80))
        story = Narrative(rng.choice((0, 0, 1, 2)))
        fault = rng.choices(kinds, weights)[0] if rng.random() < opts.fault_rate else None
        if fault in faults.VALUE_FAULTS and not faults.applicable(fault, version, level, values):
            fault = "duplicate"
        stem = f"{agency.agency_code}_{year}"
        name = stem + ext
        base = {"agency_code": agency.agency_code, "year": year}
        content = ReportContent(agency.name, year, day, values, version)

        def emit(file: str, content: ReportContent, story: Narrative, kind: str, fault_name: str | None,
                 upto: str | None = None, extra: dict | None = None, when: date = day,
                 data: bytes | None = None) -> bytes:
            if data is None:
                data = render(content, layout, outline_for(content, story, upto))
            _write(folder, file, data, when)
            rows.append((file, agency.agency_code, year, version, group, layout, kind))
            if fault_name is not None:
                quoted = story.received if story.received is not None else (
                    content.value("B", "new_received", "total") if story.style in (0, 1) else None)
                found = faults.broken_checks(content.values, content.year, level, quoted)
                if upto == "A":
                    found = [faults._record("P2", t, None, None, None, None) for t in "ABC"]
                for record in found or [{"rule": None}]:
                    truth.append({"file": file, **base, "fault": fault_name, **record, **(extra or {})})
            return data

        if fault is None:
            emit(name, content, story, "report", None)
        elif fault in ("R1", "R2", "R3", "R4", "R5", "S2", "S3", "P1"):
            faulty = dict(values)
            done = faults.inject(fault, faulty, version, rng)
            emit(name, replace(content, values=faulty), story, "report", fault, extra={"injected": done})
        elif fault == "S1":
            emit(name, replace(content, year=faults.typo_year(year)), story, "report", "S1")
        elif fault == "R8":
            table = values[("B", "new_received", "total")]
            quoted = table + rng.choice([1, 2, 5]) if table < 3 or rng.random() < 0.5 else table - rng.choice([1, 2])
            emit(name, content, Narrative(rng.choice((0, 1)), quoted), "report", "R8")
        elif fault == "corrected":
            first = rng.choice([k for k in ("R1", "R2", "R4", "R5") if faults.applicable(k, version, level, values)])
            faulty = dict(values)
            done = faults.inject(first, faulty, version, rng)
            fixed_name = f"{stem}_v2{ext}"
            emit(name, replace(content, values=faulty), story, "report", first,
                 extra={"injected": done, "corrected_by": fixed_name})
            later = day + timedelta(days=30)
            emit(fixed_name, replace(content, report_date=later), story, "correction", "corrected_resubmission",
                 extra={"corrects": name}, when=later)
        elif fault == "duplicate":
            data = emit(name, content, story, "report", None)
            copy = f"{stem}_copy{ext}"
            emit(copy, content, story, "duplicate", None, data=data)
            truth.append({"file": copy, **base, "fault": "duplicate", "rule": None, "duplicate_of": name})
        elif fault == "unreadable_random":
            junk = rng.randbytes(rng.randrange(2000, 20000))
            emit(name, content, story, "unreadable", None, data=junk)
            truth.append({"file": name, **base, "fault": "unreadable_random", "rule": "unreadable"})
        elif fault == "truncated":
            if group in ("docx", "pdf"):
                whole = render(content, layout, outline_for(content, story))
                emit(name, content, story, "unreadable", None, data=whole[: len(whole) // 2])
                truth.append({"file": name, **base, "fault": "truncated", "rule": "unreadable"})
            else:
                emit(name, content, story, "report", "truncated", upto="A")
        elif fault == "not_a_report":
            emit(name, content, story, "report", None)
            text = non_report_text(rng.randrange(3), agency.name, year, day)
            notice_ext = ".html" if group == "html" else ".txt"
            data = non_report_html(text) if notice_ext == ".html" else text.encode("utf-8")
            notice = f"{stem}_notice{notice_ext}"
            emit(notice, content, story, "non_report", None, data=data)
            truth.append({"file": notice, **base, "fault": "not_a_report", "rule": "unreadable"})
    return rows, truth


def generate(out: Path, n_agencies: int, opts: Options, workers: int | None = None) -> Summary:
    """Write the corpus under ``out`` (created; must not hold an earlier corpus's reports)."""
    started = time.perf_counter()
    out = Path(out)
    reports_dir = out / "reports"
    reports_dir.mkdir(parents=True, exist_ok=True)
    agencies = build_registry(n_agencies, random.Random(_seed(opts.seed, "registry")))
    with open(out / "agencies.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(a.row() for a in agencies)
    jobs = [(a, opts, str(reports_dir)) for a in agencies]
    if "pdf" in opts.formats:
        embeddable_font()  # built once here, not by every worker at once (~8 s on first use)
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(jobs) > 1:
        # not "fork": a parent holding threads (Dagster, DuckDB, a test session) can deadlock
        # its forked children
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        with ctx.Pool(workers) as pool:
            results = list(pool.imap(_agency_reports, jobs, chunksize=max(1, len(jobs) // (workers * 16))))
    else:
        results = [_agency_reports(job) for job in jobs]
    rows = sorted(r for rs, _ in results for r in rs)
    truth = [t for _, ts in results for t in ts]
    truth.sort(key=lambda t: (t["file"], str(t["rule"]), str(t.get("table")), str(t.get("row")),
                              str(t.get("column"))))
    with open(out / "files.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FILES_COLUMNS)
        writer.writerows(rows)
    with open(out / "truth.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n" for record in truth)
    stamp = date(max(opts.years) + 2, 1, 1)  # metadata files: a fixed mtime too (no wall clock)
    for name in ("agencies.csv", "files.csv", "truth.jsonl"):
        os.utime(out / name, (_epoch(stamp), _epoch(stamp)))
    summary = Summary(agencies=len(agencies), files=len(rows),
                      reports=sum(1 for r in rows if r[6] in ("report", "correction", "unreadable")))
    for record in truth:
        summary.faults[record["fault"]] = summary.faults.get(record["fault"], 0) + 1
    summary.seconds = time.perf_counter() - started
    return summary
