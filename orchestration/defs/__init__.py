"""Dagster definitions, one module per stage in flow order: ingest, parse, quality (the
per-report gate and the blocking checks on the marts), transform (dbt), publish."""
