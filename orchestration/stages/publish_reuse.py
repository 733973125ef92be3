"""Per-year files of the fact marts, and their reuse from the previous snapshot.

The year-shaped fact marts are published as one Parquet and one CSV file per report year
(``<mart>/<year>.parquet``, ``<mart>/<year>.csv`` or ``.csv.zst`` by its rows, see
csv_name; rows without a year, should a current report have none, go to
``<mart>/unknown.*``). A monthly run changes one or two years; the
other years' files are taken from the snapshot ``latest`` points to instead of being written
again: hard-linked (no bytes copied, no space used), or copied where a link is impossible.

Whether a year is unchanged is decided by its **content key**, computed in DuckDB in one scan
of the mart (grouped by year) and stored in the manifest beside each file: the sha256 of

* the key format (``KEY_FORMAT``) and the writer (DuckDB version, the COPY options): files
  written by another writer (or hashed by another DuckDB) are never taken for what this one
  would write;
* the mart's column names and types, in order;
* the year's row count and ``sum(hash(hash(row)))`` over its rows (a 128-bit sum: no
  overflow), which does not depend on the rows' order (the files are sorted when written,
  the mart is not).

Collision risk. DuckDB's ``hash(row)`` is a 64-bit non-cryptographic hash; over a row it is
an XOR of per-column hashes mixed by position. Summed as is, that XOR structure would let
values moved between two rows of one column cancel out with probability (3/4)^64 (about
1e-8); hashing each row hash again (a 64-bit multiply-xorshift finaliser, bijective and not
XOR-linear) removes it, so an accidental match of a changed year needs a 64-bit coincidence:
about 2^-64 per changed year and publication. The key is not collision-resistant against
crafted input: an agency that crafted a corrected report whose rows collide with the
accepted ones would keep that year's previous (validated, published) files in the snapshot
until the year's next change (dim_report and the other marts show the new version). A
cryptographic digest per row (``md5(to_json(row))``) was measured at 3.9 s against 0.1 s for
the 1.66 M rows of fct_applications at 10k reports: about what writing all of its years again
costs, which is what reuse is meant to save.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..warehouse import MART_SCHEMA

YEAR_MARTS = ("fct_applications", "fct_active_disclosure", "fct_review_litigation")
YEAR_COLUMN = "year"
NO_YEAR = "unknown"  # the file stem of the rows whose year is NULL
KEY_FORMAT = 1
# The grain of each fact mart (its dbt unique_combination_of_columns test keeps it unique):
# the files list the rows in this order, a total one. Sorting on three columns instead of
# every column (order by all) writes the largest year of fct_applications at 100k reports in
# 1.6 s instead of 2.7 s. The other marts are small and sorted on every column.
GRAIN = {
    "fct_applications": ("report_id", "row_code", "column_code"),
    "fct_active_disclosure": ("report_id", "row_code", "measure"),
    "fct_review_litigation": ("report_id", "group_code", "measure"),
}
# rows a spreadsheet holds, header included (Excel, LibreOffice Calc): a larger CSV is
# compressed (csv_name)
SPREADSHEET_ROWS = 1_048_576
# what makes the bytes of a year's files; publish.py's COPY statements must match it
WRITER = (f"parquet zstd, rows sorted by GRAIN; csv header, utf-8 bom, "
          f"zstd from {SPREADSHEET_ROWS} rows with the header")


def csv_name(stem: str, rows: int) -> str:
    """The CSV file of ``rows`` data rows: ``<stem>.csv``, or ``<stem>.csv.zst`` when the rows
    and the header are more than a spreadsheet holds (publish.py writes it compressed)."""
    return f"{stem}.csv" if rows < SPREADSHEET_ROWS else f"{stem}.csv.zst"


# a hard link cannot be made: another file system, links not permitted, too many links;
# the file is copied instead
LINK_ERRNOS = {errno.EXDEV, errno.EPERM, errno.EACCES, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}


@dataclass(frozen=True)
class YearPart:
    """One report year of a fact mart: its file stem, the SQL condition selecting its rows,
    its row count and content key."""
    stem: str
    where: str
    rows: int
    content_key: str


def year_parts(con: duckdb.DuckDBPyConnection, mart: str) -> list[YearPart]:
    """The years of ``mart`` (one scan), ordered; an empty mart has none."""
    relation = f"{MART_SCHEMA}.{mart}"
    schema = con.execute(f"describe {relation}").fetchall()
    if YEAR_COLUMN not in [c[0] for c in schema]:
        raise ValueError(f"{relation} has no column {YEAR_COLUMN!r}: it cannot be published per year")
    head = hashlib.sha256(f"{KEY_FORMAT}\0duckdb {duckdb.__version__}\0{WRITER}\0".encode())
    for name, type_, *_ in schema:
        head.update(f"{name}\0{type_}\0".encode())
    rows = con.execute(
        f"select {YEAR_COLUMN}, count(*), sum(hash(hash(m))) from {relation} as m "
        f"group by {YEAR_COLUMN} order by {YEAR_COLUMN} nulls last").fetchall()
    parts = []
    for year, count, row_hashes in rows:
        key = head.copy()
        key.update(f"{count}\0{row_hashes}".encode())
        if year is None:
            parts.append(YearPart(NO_YEAR, f"{YEAR_COLUMN} is null", count, key.hexdigest()))
        else:
            parts.append(YearPart(str(int(year)), f"{YEAR_COLUMN} = {int(year)}", count, key.hexdigest()))
    return parts


def reusable(previous: Path | None, manifest: dict | None, names: list[str], key: str) -> bool:
    """Whether the previous snapshot holds ``names`` with this content key, intact in size
    (a cheap guard against a truncated or replaced file; the bytes are not read again)."""
    if previous is None or manifest is None:
        return False
    entries = {**manifest.get("files", {}), **manifest.get("csv", {})}
    for name in names:
        entry = entries.get(name)
        if entry is None or entry.get("content_key") != key or size_of(previous / name) != entry["bytes"]:
            return False
    return True


def size_of(path: Path | str) -> int | None:
    """The file's size; None if it is not there (or cannot be read)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def link_or_copy(source: Path | str, target: Path | str) -> bool:
    """Put ``source``'s file at ``target`` (its folder made if missing): a hard link (True)
    or, where the file system refuses one, a copy (False). Snapshots are never modified in
    place, so sharing the inode is safe; removing one snapshot leaves the other's link
    intact. Called for tens of thousands of feedback documents: str paths are welcome, and
    the folder is only made when the link says it is missing."""
    for attempt in range(2):
        try:
            os.link(source, target)
            return True
        except FileNotFoundError:
            if attempt or not os.path.exists(source):
                raise
            os.makedirs(os.path.dirname(target), exist_ok=True)
        except OSError as exc:
            if exc.errno not in LINK_ERRNOS:
                raise
            break
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(source, target)
    return False
