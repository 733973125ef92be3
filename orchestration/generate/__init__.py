"""Synthetic national-scale corpus of annual reports with injected faults and their truth.

    from orchestration.generate import Options, generate
    generate(Path("corpus"), 1000, Options(years=tuple(range(2019, 2026)), formats=("txt",),
                                          fault_rate=0.05, seed=1))

or ``xxgk generate --agencies 1000 --years 2019-2025 --formats txt,docx,html,pdf --fault-rate
0.05 --seed 1 OUT/``. See :mod:`orchestration.generate.corpus` for the output layout.
"""

from .corpus import FILES_COLUMNS, Options, Summary, generate
from .layout import FORMAT_GROUPS

__all__ = ["FILES_COLUMNS", "FORMAT_GROUPS", "Options", "Summary", "generate"]
