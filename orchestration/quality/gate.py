"""Run the Great Expectations suites of ``expectations/`` over DataFrames.

GX is imported lazily (it costs seconds) and one ephemeral context serves the process.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

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
    """The batch definition of suite ``name``'s data (a whole DataFrame) and the suite, added to
    the process's context once. A batch is validated directly rather than through a
    ValidationDefinition, whose run also serializes each result into the context's store
    (~10 % of a call, kept in memory for nothing: the caller keeps the result it wants)."""
    context = _context()
    suite = context.suites.add(expectation_suite(name))
    asset = context.data_sources.add_pandas(f"{name}_source").add_dataframe_asset(name)
    return asset.add_batch_definition_whole_dataframe(f"{name}_batch"), suite


def _validate(name: str, frame: pd.DataFrame, result_format: dict[str, Any]):
    batch_definition, suite = _validation(name)
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format=result_format)
    result.meta["validation_time"] = datetime.now(UTC).isoformat()
    return result


def run_suite(name: str, frame: pd.DataFrame, rare_failures: bool = False,
              unexpected: Literal["rows", "values"] = "rows") -> SuiteResult:
    """Validate ``frame`` against suite ``name``. Each outcome's ``unexpected`` is, with
    ``unexpected="rows"``, the failing rows whole (found by index); with ``"values"``, the
    distinct failing values of the expectation's columns (a frame of those columns), which GX
    returns in less time (result format BASIC: ~50 against ~67 ms a call for the gate's suite,
    bench/RESULTS.md (4e)). For a row-wise suite over distinct rows (the gate's cases) the
    values name the rows.

    ``rare_failures``: for frames that are expected to pass (the published marts): GX first
    only decides whether each expectation holds (result format BOOLEAN_ONLY, ~0.55x the time
    of COMPLETE), and finds the failing rows in a second pass only if one does not.

    Raises GXSuiteError when an expectation could not be evaluated (a missing column, say):
    it has failed but names no failing row, and must not pass for a check that passed."""
    frame = frame.reset_index(drop=True)
    if frame.empty:
        return SuiteResult(name, True, [], {"success": True, "suite_name": name, "results": [],
                                            "statistics": {"evaluated_expectations": 0}})
    if rare_failures:
        result = _validate(name, frame, {"result_format": "BOOLEAN_ONLY"})
        _raise_errors(name, result)
        if result.success:
            return SuiteResult(name, True, [
                ExpectationOutcome(dict(item.expectation_config.meta or {}), True, frame.iloc[0:0])
                for item in result.results], result.to_json_dict())
    if unexpected == "values":
        result = _validate(name, frame, {"result_format": "BASIC", "partial_unexpected_count": len(frame)})
        found = _failing_values
    elif unexpected == "rows":
        result = _validate(name, frame, {"result_format": "COMPLETE", "return_unexpected_index_query": False})
        found = _failing_rows
    else:
        raise ValueError(f"unexpected={unexpected!r}: 'rows' or 'values'")
    _raise_errors(name, result)
    outcomes = [ExpectationOutcome(dict(item.expectation_config.meta or {}), bool(item.success),
                                   found(frame, item)) for item in result.results]
    return SuiteResult(name, bool(result.success), outcomes, result.to_json_dict())


class GXSuiteError(RuntimeError):
    pass


def _raise_errors(name: str, result) -> None:
    errors = [f"{item.expectation_config.type} {dict(item.expectation_config.kwargs)}: {message}"
              for item in result.results for message in _exception_messages(item.exception_info)]
    if errors:
        raise GXSuiteError(f"suite {name}: expectation(s) could not be evaluated: " + "; ".join(errors))


def _exception_messages(info: dict | None) -> list[str]:
    """GX reports an exception either at the top of ``exception_info`` or per metric under it."""
    if not info:
        return []
    if "raised_exception" in info:
        return [str(info.get("exception_message"))] if info["raised_exception"] else []
    return [str(part.get("exception_message")) for part in info.values()
            if isinstance(part, dict) and part.get("raised_exception")]


def _failing_rows(frame: pd.DataFrame, item) -> pd.DataFrame:
    indices = item.result.get("unexpected_index_list") or []
    return frame.loc[[i for i in indices if isinstance(i, int)]] if indices else frame.iloc[0:0]


def _failing_values(frame: pd.DataFrame, item) -> pd.DataFrame:
    kwargs = item.expectation_config.kwargs
    columns = [kwargs[k] for k in ("column_A", "column_B") if k in kwargs] or [kwargs["column"]]
    values = item.result.get("partial_unexpected_list") or []
    if len(values) < (item.result.get("unexpected_count") or 0):
        raise GXSuiteError(f"{item.expectation_config.type} {dict(kwargs)}: GX listed {len(values)} "
                           f"of {item.result['unexpected_count']} failing values")
    rows = [tuple(v) if len(columns) > 1 else (v,) for v in values]
    return pd.DataFrame(rows, columns=columns).drop_duplicates(ignore_index=True)
