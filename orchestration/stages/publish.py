"""Publish validated marts as an immutable, versioned snapshot and move ``latest`` atomically.

A snapshot ``data/published/<NNNNNN>-<content>/`` holds ``<mart>.parquet`` and ``<mart>.csv``
(UTF-8 with BOM, for spreadsheets) per mart, except the year-shaped fact marts
(``publish_reuse.YEAR_MARTS``), which have one pair per report year:
``<mart>/<year>.parquet`` and ``<mart>/<year>.csv``. A CSV of more rows than a spreadsheet
holds is zstd-compressed instead, ``.csv.zst`` (publish_reuse.csv_name): no spreadsheet
opens it whole, the tools that read such a file read zstd, and it is ~3 % of the bytes (one
national year of fct_applications: 2.4 M rows, 518 MB as text, 15 MB compressed, written in
a fifth of the time). Then the feedback documents to agencies
(``feedback/``), ``README.txt``, ``warehouse.duckdb`` (views over the Parquet files by
relative name) and ``manifest.json``: ``files`` (the Parquet files), ``csv`` (``.csv`` and
``.csv.zst``), ``feedback`` and ``other`` (README.txt), each file with sha256 and bytes, the
mart files with row counts and the per-year files with their content key, the feedback documents with theirs (see
feedback.py); ``rows`` (per mart); ``catalog``;
``source_reports`` (the current reports, whose numbers are published); ``validation``;
``code_version``; ``content_hash``.

Cost follows the years that changed: a year of a fact mart whose content key equals the one
recorded for it in the snapshot ``latest`` points to is not written again; its two files are
hard-linked from that snapshot (copied where a link is impossible) and their sha256, bytes
and rows taken from its manifest (publish_reuse.py: the key and its collision risk). A
feedback document whose key is unchanged is linked the same way without being rendered. The
other marts are small (per report, not per cell) and are written every time.

Naming and idempotency: ``<content>`` is the first 12 hex digits of the sha256 over the
data files' names and sha256 (Parquet, CSV, feedback, README; not the manifest or the DuckDB
catalog, which carry timestamps); ``NNNNNN`` is a sequence, one more than the highest
published. The data files are byte-for-byte functions of the marts (rows ordered, no
timestamps written), so publishing an unchanged warehouse again yields the same content
hash; such a re-run is **skipped**: ``latest`` already holds exactly these bytes, so no new
snapshot is written and the returned Snapshot has ``reused=True`` (``force=True`` writes a
new one anyway, e.g. to record a new code version).

Kill-safety: everything is written into a hidden ``.tmp-*`` folder, fsynced, renamed to
its final name, and only then does ``latest`` switch (``os.replace`` of a fresh relative
symlink, atomic on POSIX). An exception at any point removes the temporary folder and
leaves ``latest`` where it was; a folder left by a killed process stays hidden and is
removed by a later run. Retention keeps the newest ``keep`` snapshots (XXGK_KEEP_SNAPSHOTS)
and never removes the one ``latest`` points to. A snapshot past retention is renamed to a
hidden ``.trash-*`` folder (atomic: consumers never see it half removed) and its files are
unlinked by a detached process, so the run does not wait for it (at 100k reports a snapshot
holds ~65k files: 0.5 s to unlink when newer snapshots share them, 8.6 s when it was their
last link, 14 s once on a loaded machine); a trash folder left behind (the machine stopped) is
removed by the next publication. Snapshots that share a hard-linked file
share its inode: removing one snapshot removes its links only, and no file of a published
snapshot is ever modified in place (consumers must not either).

Reading a snapshot's ``warehouse.duckdb``: its views name the Parquet files relatively
(``<mart>.parquet``, ``<mart>/*.parquet``), and DuckDB resolves relative paths against the
working directory or ``file_search_path``; so open it from inside the snapshot folder, or use
:func:`open_snapshot` (which sets ``file_search_path`` to the folder). The folder can be
moved or copied as a whole.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ..settings import PROJECT_DIR
from ..warehouse import MART_SCHEMA
from . import feedback
from .publish_reuse import (
    GRAIN,
    YEAR_MARTS,
    csv_name,
    link_or_copy,
    reusable,
    size_of,
    year_parts,
)

MARTS = ("dim_report", "fct_applications", "fct_active_disclosure", "fct_review_litigation",
         "fct_findings", "rpt_report_status", "fct_submission_status", "rpt_submission_rollup")
CATALOG = "warehouse.duckdb"
FEEDBACK = "feedback"
MANIFEST = "manifest.json"
SNAPSHOT_NAME = re.compile(r"^(\d{6})-([0-9a-f]{12})$")
STALE_TMP_SECONDS = 3600
TRASH = ".trash-"
_REMOVERS: list[subprocess.Popen] = []  # the detached removals this process started


README = """\
政府信息公开工作年度报告数据快照 / Snapshot of the xxgk warehouse

<mart>.parquet   one file per mart (dim_report, fct_findings, rpt_report_status,
                 fct_submission_status, rpt_submission_rollup)
<mart>.csv       the same rows as CSV, UTF-8 with a byte order mark (opens in spreadsheets)
<mart>.csv.zst   instead of <mart>.csv when there are more than 1,048,575 rows, more than a
                 spreadsheet holds: the same CSV, zstd-compressed (zstd -d, or read it as
                 it is with DuckDB's read_csv or pandas.read_csv and the zstandard package)
<mart>/<year>.parquet, <mart>/<year>.csv (or .csv.zst)
                 the fact tables fct_applications, fct_active_disclosure and
                 fct_review_litigation, one file per report year (a year without rows has
                 none); read them all at once with read_parquet('<mart>/*.parquet'), or the
                 views of warehouse.duckdb. Files of years that did not change are shared
                 (hard links) with the previous snapshot: never edit a file in place
feedback/        审核意见: one document per held, unreadable or warned report (.md, .html),
                 index.md / index.html list the report years, index-<year>.md / .html
                 the documents of a year
warehouse.duckdb views over the Parquet files, by relative name: open it from this folder
                 (cd here; duckdb -readonly warehouse.duckdb), or from anywhere with
                 SET file_search_path = '<this folder>' (Python: config={"file_search_path": ...})
manifest.json    sha256, bytes and row counts of every file (and the content key of every
                 per-year file), rows per mart, the source reports, the validation summary,
                 the code version and the content hash

dim_report.status: accepted (current, in the fact tables), superseded (a later corrected
file of the same agency and year was accepted), held (error findings; not published until
a corrected file is accepted), pending, unreadable (the file could not be read as a report;
no agency, year or version). rpt_report_status lists every file with its receipts.
"""


class DiskFullError(OSError):
    """The file system of the published folder filled up while a snapshot was written.
    The unfinished snapshot has been removed and ``latest`` did not move."""


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    # DuckDB's COPY reports it as an IOException carrying the OS message and errno
    return isinstance(exc, duckdb.IOException) and (
        "No space left on device" in str(exc) or '"errno":"28"' in str(exc))


def _room_left(folder: Path) -> str:
    try:
        stat = os.statvfs(folder)
    except OSError:  # e.g. the folder itself could not be created
        return "free space unknown"
    return f"{stat.f_bavail * stat.f_frsize:,} bytes free after removing the unfinished snapshot"


@dataclass
class Snapshot:
    name: str
    path: Path
    manifest: dict
    reused: bool = False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def code_version() -> str:
    try:
        out = subprocess.run(["git", "-C", str(PROJECT_DIR), "rev-parse", "HEAD"],
                             check=False, capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def validation_summary(con: duckdb.DuckDBPyConnection, mart_checks: str = "passed") -> dict:
    """What the manifest says about validation: reports by status, findings by rule and
    severity, and the verdict of the blocking mart checks."""
    return {
        "reports_by_status": dict(con.execute(
            f"select status, count(*) from {MART_SCHEMA}.rpt_report_status "
            "group by status order by status").fetchall()),
        "findings_by_rule": dict(con.execute(
            f"select rule_id, count(*) from {MART_SCHEMA}.fct_findings "
            "group by rule_id order by rule_id").fetchall()),
        "findings_of_current_or_held_reports_by_severity": dict(con.execute(
            f"select severity, count(*) from {MART_SCHEMA}.fct_findings "
            "where report_status in ('accepted', 'held') group by severity order by severity"
        ).fetchall()),
        "mart_checks": mart_checks,
    }


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _order(mart: str) -> str:
    """The rows' order in a mart's files: a fact mart's grain, every column for the others."""
    return ", ".join(_quote(c) for c in GRAIN[mart]) if mart in GRAIN else "all"


def _write_parquet(con: duckdb.DuckDBPyConnection, mart: str, target: Path, where: str = "true") -> None:
    """The mart's rows (those matching ``where``: one report year) sorted, as Parquet.
    publish_reuse.WRITER describes these options: change both together."""
    con.execute(f"copy (select * from {MART_SCHEMA}.{mart} where {where} order by {_order(mart)}) "
                f"to '{_sql_path(target)}' (format parquet, compression zstd)")


def _write_csv(con: duckdb.DuckDBPyConnection, parquet: Path, target: Path) -> str:
    """CSV with a UTF-8 byte order mark, so spreadsheet programs read the Chinese right;
    zstd-compressed when ``target`` ends in ``.zst`` (its decompressed bytes are those of
    the plain file); returns its sha256.

    Read back from the mart's Parquet file just written, whose rows are already sorted
    (DuckDB keeps a file's row order: preserve_insertion_order): the mart is sorted once,
    not once per format. The mark is written by DuckDB as the first bytes of the header (the
    first column is renamed U+FEFF + its name for the copy), so the largest files of a
    snapshot (the facts' CSV, ~35 KB per report) are written once and read once, to hash."""
    first = con.execute(f"select * from read_parquet('{_sql_path(parquet)}') limit 0").description[0][0]
    compression = ", compression zstd" if target.suffix == ".zst" else ""
    con.execute(f"copy (select * rename ({_quote(first)} as {_quote(chr(0xFEFF) + first)}) "
                f"from read_parquet('{_sql_path(parquet)}')) to '{_sql_path(target)}' "
                f"(format csv, header true{compression})")
    return _sha256(target)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def parquet_source(mart: str) -> str:
    """Where a mart's Parquet data lies in a snapshot, relative to its folder, as
    ``read_parquet`` takes it: the mart's file, or for a fact mart the glob over its year
    files (which matches nothing, and DuckDB refuses, when the mart has no rows)."""
    return f"{mart}/*.parquet" if mart in YEAR_MARTS else f"{mart}.parquet"


def _view_sql(folder: Path, mart: str, columns: list[tuple[str, str]]) -> str:
    """The catalog view of one mart: its Parquet file, or all its year files by a glob. A
    fact mart without any row has no file for a glob to match (DuckDB refuses an empty
    glob), so its view is an empty relation of the mart's columns and types."""
    if mart not in YEAR_MARTS or any((folder / mart).glob("*.parquet")):
        return f"select * from read_parquet('{parquet_source(mart)}')"
    return ("select " + ", ".join(f"cast(null as {type_}) as {_quote(name)}" for name, type_ in columns)
            + " where false")


def _write_catalog(folder: Path, schemas: dict[str, list[tuple[str, str]]]) -> None:
    """warehouse.duckdb: one view per mart over its Parquet file(s), named relatively.
    ``schemas``: each mart's (column, type) list, for the view of an empty fact mart."""
    con = duckdb.connect(str(folder / CATALOG))
    try:
        # bind the views against the snapshot folder while creating them; the stored view
        # text keeps the relative file name or glob
        con.execute(f"set file_search_path = '{_sql_path(folder)}'")
        for mart in MARTS:
            con.execute(f"create view {mart} as {_view_sql(folder, mart, schemas[mart])}")
        con.execute("checkpoint")
    finally:
        con.close()


def open_snapshot(folder: Path) -> duckdb.DuckDBPyConnection:
    """Open a snapshot's warehouse.duckdb read-only from anywhere (any working directory)."""
    folder = Path(folder).resolve()
    return duckdb.connect(str(folder / CATALOG), read_only=True,
                          config={"file_search_path": str(folder)})


def _snapshots(published: Path) -> list[str]:
    """Published snapshot names, oldest first (sequence order)."""
    names = [p.name for p in published.iterdir()
             if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]
    # names of this scheme sort by sequence; any other (older scheme) counts as older
    return sorted(names, key=lambda n: (1, n) if SNAPSHOT_NAME.match(n) else (0, n))


def _next_sequence(published: Path) -> int:
    numbers = [int(m.group(1)) for n in _snapshots(published) if (m := SNAPSHOT_NAME.match(n))]
    return max(numbers, default=0) + 1


def current_snapshot(published: Path) -> Path | None:
    link = published / "latest"
    if not link.is_symlink():
        return None
    target = published / os.readlink(link)
    return target if (target / MANIFEST).exists() else None


def _clean_stale(published: Path) -> None:
    """Remove what a killed run left behind: hidden temporary folders and links, and trash
    whose removal did not finish."""
    now = time.time()
    for entry in published.iterdir():
        if entry.name.startswith(TRASH):
            shutil.rmtree(entry, ignore_errors=True)
            continue
        if not (entry.name.startswith(".tmp-") or entry.name.startswith(".latest-")):
            continue
        try:
            if now - entry.lstat().st_mtime < STALE_TMP_SECONDS:
                continue  # maybe another publisher at work right now
            if entry.is_symlink() or entry.is_file():
                entry.unlink()
            else:
                shutil.rmtree(entry, ignore_errors=True)
        except FileNotFoundError:
            pass


def content_hash(files: dict[str, dict]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{files[name]['sha256']}\n".encode())
    return digest.hexdigest()


def publish(con: duckdb.DuckDBPyConnection, published: Path, validation: dict, keep: int = 10,
            force: bool = False) -> Snapshot:
    """Write every mart (Parquet + CSV), the feedback documents, the DuckDB catalog and the
    manifest into a new snapshot; then switch latest and apply retention.

    A full disk raises :class:`DiskFullError` (errno ENOSPC) naming the folder, the room left
    and the snapshot ``latest`` still points to: DuckDB's own message names a file in the
    hidden temporary folder, which is already gone when the error is read."""
    try:
        return _publish(con, published, validation, keep, force)
    except (OSError, duckdb.IOException) as exc:
        if not _is_disk_full(exc):
            raise
        current = current_snapshot(published)
        raise DiskFullError(
            errno.ENOSPC,
            f"disk full while publishing a snapshot into {published} "
            f"({_room_left(published)}); "
            f"latest still points to {current.name if current else 'no snapshot yet'}; "
            f"free space there and run again. Cause: {exc}",
            str(published)) from exc


def _publish(con: duckdb.DuckDBPyConnection, published: Path, validation: dict, keep: int,
             force: bool) -> Snapshot:
    published.mkdir(parents=True, exist_ok=True)
    _clean_stale(published)
    current = current_snapshot(published)
    previous = json.loads((current / MANIFEST).read_text(encoding="utf-8")) if current else None
    tmp = published / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        files: dict[str, dict] = {}  # the mart files' manifest entries
        linked: set[str] = set()  # files hard-linked from the previous snapshot
        rows: dict[str, int] = {}
        for mart in MARTS:
            if mart in YEAR_MARTS:
                rows[mart] = _publish_years(con, mart, tmp, current, previous, files, linked)
            else:
                rows[mart] = con.execute(f"select count(*) from {MART_SCHEMA}.{mart}").fetchall()[0][0]
                _write_mart(con, mart, tmp, mart, "true", {"rows": rows[mart]}, files)
        feedback.write_feedback(con, tmp / FEEDBACK, _Documents(tmp, current, previous, files, linked))
        readme = README.encode("utf-8")
        (tmp / "README.txt").write_bytes(readme)
        files["README.txt"] = {"sha256": hashlib.sha256(readme).hexdigest(), "bytes": len(readme)}
        content = content_hash(files)

        if previous is not None and not force and previous.get("content_hash") == content:
            shutil.rmtree(tmp, ignore_errors=True)
            _prune(published, keep)  # a lowered XXGK_KEEP_SNAPSHOTS still applies
            return Snapshot(current.name, current, previous, reused=True)

        _write_catalog(tmp, {mart: [(c[0], c[1]) for c in con.execute(
            f"describe {MART_SCHEMA}.{mart}").fetchall()] for mart in MARTS})
        sources = [
            {"report_id": r[0], "source_name": r[1], "agency": r[2], "year": r[3],
             "version": r[4]}
            for r in con.execute(
                f"select report_id, source_name, agency, year, version from {MART_SCHEMA}.dim_report "
                "where is_current order by report_id").fetchall()
        ]
        kinds: dict[str, dict] = {"parquet": {}, "csv": {}, "feedback": {}, "other": {}}
        for name, entry in files.items():
            suffix = name.removesuffix(".zst").rpartition(".")[2]
            kind = ("feedback" if name.startswith(FEEDBACK + "/")
                    else suffix if suffix in ("parquet", "csv") else "other")
            kinds[kind][name] = entry
        manifest = {
            "snapshot": None,
            "sequence": None,
            "content_hash": content,
            "created_at": datetime.now(UTC).isoformat(),
            "code_version": code_version(),
            # "files" keeps its meaning (the Parquet files); the CSV copies, the feedback
            # documents and the README have their own sections; together they make up the
            # content hash
            "files": kinds["parquet"],
            "csv": kinds["csv"],
            "feedback": kinds["feedback"],
            "other": kinds["other"],
            "rows": rows,  # per mart (a fact mart's rows are spread over its year files)
            "catalog": {"file": CATALOG, "sha256": _sha256(tmp / CATALOG),
                        "views": list(MARTS),
                        "usage": "views name the Parquet files relatively (<mart>.parquet, "
                                 "<mart>/*.parquet): open it from the snapshot folder, or set "
                                 "file_search_path to the folder"},
            # the reports whose numbers this snapshot publishes (every version, held and
            # superseded ones included, is in dim_report / rpt_report_status)
            "source_reports": sources,
            "validation": validation,
        }
        final = _rename_into_place(tmp, published, content, manifest, linked)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _switch_latest(published, final.name)
    _prune(published, keep)
    return Snapshot(final.name, final, manifest)


def _write_mart(con: duckdb.DuckDBPyConnection, mart: str, tmp: Path, stem: str, where: str,
                extra: dict, files: dict[str, dict]) -> None:
    """Write ``<stem>.parquet`` and its CSV (csv_name) of the mart's rows matching ``where``
    and record both in ``files`` with sha256, bytes and ``extra`` (rows, content key)."""
    csv_file = csv_name(stem, extra["rows"])
    parquet, csv = tmp / f"{stem}.parquet", tmp / csv_file
    _write_parquet(con, mart, parquet, where)
    csv_digest = _write_csv(con, parquet, csv)
    files[f"{stem}.parquet"] = {"sha256": _sha256(parquet), "bytes": parquet.stat().st_size, **extra}
    files[csv_file] = {"sha256": csv_digest, "bytes": csv.stat().st_size, **extra}


def _publish_years(con: duckdb.DuckDBPyConnection, mart: str, tmp: Path, current: Path | None,
                   previous: dict | None, files: dict[str, dict], linked: set[str]) -> int:
    """A fact mart as one Parquet + CSV (csv_name) pair per report year under ``<mart>/``: a
    year whose content key is the one the previous snapshot recorded for the same files is
    taken from there (hard link, or copy), the others are written. Returns the mart's row
    count."""
    (tmp / mart).mkdir()
    total = 0
    for part in year_parts(con, mart):
        total += part.rows
        stem = f"{mart}/{part.stem}"
        names = [f"{stem}.parquet", csv_name(stem, part.rows)]
        if reusable(current, previous, names, part.content_key):
            entries = {**previous["files"], **previous["csv"]}
            for name in names:
                if link_or_copy(current / name, tmp / name):
                    linked.add(name)
                files[name] = dict(entries[name])
        else:
            _write_mart(con, mart, tmp, stem, part.where,
                        {"rows": part.rows, "content_key": part.content_key}, files)
    return total


class _Documents:
    """Puts the feedback documents in place (feedback.Documents): a pair of documents whose
    key the previous snapshot recorded for the same names is hard-linked from there (copied
    where a link is impossible) without being rendered; the overview index, which has no key, is
    linked when its bytes are the previous ones. Most documents are unchanged from one
    publication to the next (they follow reports, not years), and a written file costs a
    flush to disk at the end, a linked one does not (_fsync_tree)."""

    def __init__(self, tmp: Path, current: Path | None, previous: dict | None,
                 files: dict[str, dict], linked: set[str]) -> None:
        self.tmp, self.current, self.files, self.linked = tmp, current, files, linked
        self.entries = previous.get("feedback", {}) if previous else {}

    def _link(self, name: str) -> None:
        # names are the manifest's ("feedback/<file>"); str paths throughout, for 65k files
        if link_or_copy(f"{self.current}/{name}", f"{self.tmp}/{name}"):
            self.linked.add(name)
        self.files[name] = dict(self.entries[name])

    def reuse(self, names: tuple[str, ...], key: str) -> bool:
        names = tuple(f"{FEEDBACK}/{name}" for name in names)
        for name in names:
            entry = self.entries.get(name)
            if entry is None or entry.get("key") != key or size_of(f"{self.current}/{name}") != entry["bytes"]:
                return False
        for name in names:
            self._link(name)
        return True

    def write(self, name: str, data: bytes, key: str | None) -> None:
        name = f"{FEEDBACK}/{name}"
        entry = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        if key is None and self.entries.get(name) == entry and size_of(f"{self.current}/{name}") == len(data):
            self._link(name)
            return
        (self.tmp / name).write_bytes(data)
        self.files[name] = entry if key is None else {**entry, "key": key}


def _rename_into_place(tmp: Path, published: Path, content: str, manifest: dict,
                       linked: set[str] = frozenset()) -> Path:
    """Pick the next sequence number, write the manifest, fsync, rename. Another publisher
    taking the same number makes the rename fail: then take the next one."""
    for _ in range(100):
        sequence = _next_sequence(published)
        name = f"{sequence:06d}-{content[:12]}"
        manifest["snapshot"], manifest["sequence"] = name, sequence
        # compact: the indenting encoder is pure Python, ~2 s for the ~100k entries at 100k
        # reports; the C encoder takes a tenth of that
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False) + "\n", encoding="utf-8")
        _fsync_tree(tmp, skip=linked)
        final = published / name
        try:
            os.rename(tmp, final)  # fails if final exists and is not empty
        except OSError:
            if final.exists():
                continue
            raise
        _fsync_dir(published)
        return final
    raise RuntimeError("could not find a free snapshot name")


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path, skip: set[str] = frozenset()) -> None:
    """Flush every file and folder under ``folder`` to disk. ``skip``: files (relative names)
    hard-linked from a published snapshot: their bytes were flushed before that snapshot was
    renamed into place, and the new link is a directory entry, made durable by flushing the
    directory (on a journalling file system that commit carries the inode's link count too)."""
    # os.walk, not Path.rglob: a snapshot holds tens of thousands of feedback documents
    for root, _, names in os.walk(folder, topdown=False):
        prefix = os.path.relpath(root, folder).replace(os.sep, "/") + "/" if root != str(folder) else ""
        for name in names:
            if prefix + name not in skip:
                fd = os.open(os.path.join(root, name), os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        _fsync_dir(Path(root))


def _switch_latest(published: Path, name: str) -> None:
    link = published / f".latest-{uuid.uuid4().hex[:8]}"
    os.symlink(name, link)  # relative target: the published folder can be moved as a whole
    os.replace(link, published / "latest")


def _prune(published: Path, keep: int) -> None:
    current = os.readlink(published / "latest")
    snapshots = _snapshots(published)
    for old in snapshots[: max(0, len(snapshots) - max(keep, 1))]:
        if old != current:
            trash = published / f"{TRASH}{old}-{uuid.uuid4().hex[:8]}"
            os.rename(published / old, trash)
            _remove_detached(trash)


def _remove_detached(folder: Path) -> None:
    """Remove ``folder`` in a process of its own that outlives this one (a Dagster step ends
    when publication returns); in this process if none can be started."""
    _REMOVERS[:] = [remover for remover in _REMOVERS if remover.poll() is None]  # reap the finished
    try:
        _REMOVERS.append(subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                          str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True))
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
