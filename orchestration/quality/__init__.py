"""The quality gate: the form's invariants evaluated set-wise in DuckDB and judged by the
Great Expectations suites in ``expectations/``. Used by the pipeline and by ``xxgk check``."""
