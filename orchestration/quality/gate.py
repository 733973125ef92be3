"""Run the Great Expectations suites of ``expectations/`` over DataFrames.

GX is imported lazily (it costs seconds) and one ephemeral context serves the process.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"

# GX would otherwise try to reach its analytics service (the machine has no network).
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass
class ExpectationOutcome:
    meta: dict[str, Any]
    success: bool
    unexpected: pd.DataFrame  # the failing rows of the validated frame


@dataclass
class SuiteResult:
    suite: str
    success: bool
    outcomes: list[ExpectationOutcome]
    result_json: dict[str, Any]  # GX's own validation result, kept per run


def load_suite_json(name: str) -> dict[str, Any]:
    return json.loads((EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))


# Expectations whose verdict on a row depends on that row alone (not on other rows, as
# uniqueness does): a suite made only of these gives equal rows equal verdicts.
ROW_WISE = frozenset({"expect_column_pair_values_to_be_equal", "expect_column_values_to_be_between",
                      "expect_column_values_to_not_be_null", "expect_column_values_to_be_in_set"})


def row_wise_columns(name: str) -> tuple[str, ...]:
    """The columns suite ``name`` reads (its expectations' columns and row conditions), in
    order of first use. Raises ValueError if an expectation's verdict on a row depends on
    other rows: then rows cannot be judged once per distinct value."""
    columns: dict[str, None] = {}
    for exp in load_suite_json(name)["expectations"]:
        if exp["type"] not in ROW_WISE:
            raise ValueError(f"suite {name}: {exp['type']} judges a row against other rows")
        kwargs = exp["kwargs"]
        if kwargs.get("mostly", 1) != 1:
            raise ValueError(f"suite {name}: 'mostly' counts rows, which judging distinct values changes")
        for key in ("column", "column_A", "column_B"):
            if key in kwargs:
                columns[kwargs[key]] = None
        condition = kwargs.get("row_condition")
        if condition is not None:
            if not (isinstance(condition, dict) and condition.get("type") == "comparison"):
                raise ValueError(f"suite {name}: row condition {condition!r} is not a column comparison")
            columns[condition["column"]["name"]] = None
    return tuple(columns)


@cache
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def expectation_suite(name: str, suite_name: str | None = None):
    """The suite ``expectations/<name>.json`` as a GX ExpectationSuite (not yet added to a
    context), named ``suite_name`` or as in its file."""
    import great_expectations as gx

    spec = load_suite_json(name)
    suite = gx.ExpectationSuite(name=suite_name or spec["name"], meta=spec.get("meta", {}))
    for exp in spec["expectations"]:
        cls = gx.expectations.registry.get_expectation_impl(exp["type"])
        suite.add_expectation(cls(**exp["kwargs"], meta=exp.get("meta"), severity=exp.get("severity", "critical")))
    return suite


@cache
def _validation(name: str):
    import great_expectations as gx

    context = _context()
    suite = context.suites.add(expectation_suite(name))
    asset = context.data_sources.add_pandas(f"{name}_source").add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe(f"{name}_batch")
    return context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))


def run_suite(name: str, frame: pd.DataFrame, rare_failures: bool = False) -> SuiteResult:
    """Validate ``frame`` against suite ``name``; failing rows come back whole, found by index.

    ``rare_failures``: for frames that are expected to pass (the published marts): GX first
    only decides whether each expectation holds (result format BOOLEAN_ONLY, ~0.55x the time
    of COMPLETE), and finds the failing rows in a second pass only if one does not."""
    frame = frame.reset_index(drop=True)
    if frame.empty:
        return SuiteResult(name, True, [], {"success": True, "suite_name": name, "results": [],
                                            "statistics": {"evaluated_expectations": 0}})
    if rare_failures:
        result = _validation(name).run(batch_parameters={"dataframe": frame},
                                       result_format={"result_format": "BOOLEAN_ONLY"})
        if result.success:
            return SuiteResult(name, True, [
                ExpectationOutcome(dict(item.expectation_config.meta or {}), True, frame.iloc[0:0])
                for item in result.results], result.to_json_dict())
    result = _validation(name).run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False},
    )
    outcomes = []
    for item in result.results:
        indices = item.result.get("unexpected_index_list") or []
        unexpected = frame.loc[[i for i in indices if isinstance(i, int)]] if indices else frame.iloc[0:0]
        outcomes.append(ExpectationOutcome(dict(item.expectation_config.meta or {}), bool(item.success), unexpected))
    return SuiteResult(name, bool(result.success), outcomes, result.to_json_dict())
