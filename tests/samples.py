"""The founding sample report and controlled variants of it, for tests."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "seeds" / "reports" / "000_0dabcd11a12b22e6.txt"


def of_year(year: int, agency: str, edits: dict[int, str] | None = None) -> str:
    """:func:`variant` as the report of another year."""
    return variant(agency, edits).replace("2021年度", f"{year}年度")


def pipeline_settings(env, data: Path):
    """Point the pipeline at ``data`` (XXGK_DATA_DIR, no XXGK_WAREHOUSE override) through the
    pytest MonkeyPatch ``env``, and create its folders."""
    from orchestration.settings import Settings

    env.setenv("XXGK_DATA_DIR", str(data))
    env.delenv("XXGK_WAREHOUSE", raising=False)
    settings = Settings.from_env()
    settings.ensure_dirs()
    return settings


def inbox_of_two_years(settings) -> None:
    """The inbox of the year-partition tests: the sample (2021, a.txt) and a 2022 report of
    another agency (b.txt)."""
    shutil.copy(SAMPLE, settings.inbox / "a.txt")
    (settings.inbox / "b.txt").write_text(of_year(2022, "乙县人民政府"), encoding="utf-8")


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def variant(agency: str, cell_edits: dict[int, str] | None = None) -> str:
    """The sample under another agency name, with the cells on the given 1-based lines
    replaced (the tab and the rest of the layout are kept)."""
    lines = sample_text().replace("和田地区行署办公室", agency).split("\n")
    for number, text in (cell_edits or {}).items():
        assert lines[number - 1].startswith("\t"), f"line {number} is not a cell"
        lines[number - 1] = "\t" + text
    return "\n".join(lines)


# Lines of the sample that the tests edit (see the parser test for the full map).
LINE_NEW_RECEIVED_NATURAL = 78
LINE_NEW_RECEIVED_TOTAL = 84
LINE_REVIEW_UPHELD = 383
LINE_REVIEW_TOTAL = 387


def trash_removed(published: Path, timeout_s: float = 60.0) -> bool:
    """Whether the snapshots pruned into hidden ``.trash-*`` folders are gone within
    ``timeout_s``: a detached process unlinks them after publication returns."""
    from orchestration.stages.publish import TRASH

    deadline = time.monotonic() + timeout_s
    while any(p.name.startswith(TRASH) for p in published.iterdir()):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def deny_reading(monkeypatch, module, suffix: str) -> None:
    """Make ``open`` in ``module`` fail with EACCES for paths ending in ``suffix``: the suite
    runs as root, which reads any file whatever its mode."""
    real_open = open

    def open_denied(path, *args, **kwargs):
        if str(path).endswith(suffix):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(module, "open", open_denied, raising=False)
