"""Resources configured once: where the data lives and the warehouse connection."""


from contextlib import contextmanager

import dagster as dg

from ..settings import Settings
from ..warehouse import connect

OWNERS = ["team:xxgk-data-engineering"]


class Warehouse(dg.ConfigurableResource):
    """Paths come from the XXGK_* environment variables (see orchestration/settings.py)."""

    def settings(self) -> Settings:
        settings = Settings.from_env()
        settings.ensure_dirs()
        return settings

    @contextmanager
    def connect(self, read_only: bool = False):
        settings = self.settings()
        with connect(settings.warehouse, read_only=read_only, wait_s=settings.lock_wait_s) as con:
            yield con


def table_preview(con, sql: str, limit: int = 10) -> dg.MetadataValue:
    frame = con.execute(f"{sql} limit {int(limit)}").df()
    return dg.MetadataValue.md(frame.to_markdown(index=False) if not frame.empty else "(no rows)")
