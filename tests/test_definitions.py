"""The asset graph as a data engineer sees it: a broken or shrunken graph fails CI."""

from __future__ import annotations

from datetime import datetime

import dagster as dg

from orchestration.definitions import UNPARTITIONED, defs
from orchestration.defs.partitions import REPORT_YEARS, year_keys
from orchestration.stages.publish import MARTS

FACTS = {dg.AssetKey(["marts", m]) for m in ("fct_applications", "fct_active_disclosure",
                                               "fct_review_litigation")}


def graph():
    return defs.resolve_asset_graph()


def test_layers_and_keys():
    groups: dict[str, set[str]] = {}
    for key in graph().get_all_asset_keys():
        node = graph().get(key)
        if node.is_materializable:
            groups.setdefault(node.group_name, set()).add(key.to_user_string())
    assert groups["ingest"] == {"raw/files", "raw/receipts"}
    assert groups["parse"] == {"raw/reports", "raw/values", "raw/parse_findings"}
    assert groups["quality"] == {"quality/findings", "quality/validated_reports"}
    assert {"staging/stg_raw__files", "staging/stg_raw__receipts", "staging/stg_raw__reports",
            "staging/stg_raw__values", "staging/stg_quality__findings"} <= groups["staging"]
    assert {f"marts/{m}" for m in MARTS} <= groups["marts"]
    assert {"vocabulary/form_rows", "vocabulary/form_columns", "vocabulary/form_rules",
            "vocabulary/form_sections"} <= groups["vocabulary"]
    assert groups["publish"] == {"published/snapshot"}


def test_dbt_sources_are_the_python_assets():
    # dbt's source('raw', 'values') must resolve to the parse asset, not a dangling external.
    parents = graph().get(dg.AssetKey(["staging", "stg_raw__values"])).parent_keys
    assert dg.AssetKey(["raw", "values"]) in parents
    assert graph().get(dg.AssetKey(["raw", "values"])).is_materializable


def test_blocking_gx_checks_guard_the_marts():
    checks = {key.to_user_string() for key in graph().asset_check_keys}
    for mart in ("fct_applications", "fct_review_litigation", "fct_active_disclosure"):
        assert f"marts/{mart}:gx_{mart}_invariants" in checks
    blocking = [spec for c in defs.asset_checks for spec in c.check_specs if spec.blocking]
    assert len(blocking) == 3
    # dbt tests are asset checks too.
    assert any(c.startswith("marts/fct_applications:unique_combination_of_columns") for c in checks)


def test_publish_depends_on_every_mart():
    parents = graph().get(dg.AssetKey(["published", "snapshot"])).parent_keys
    assert {dg.AssetKey(["marts", m]) for m in MARTS} <= parents


def test_every_asset_is_described_and_owned():
    for key in graph().get_all_asset_keys():
        node = graph().get(key)
        if node.is_materializable:
            assert node.description, key
            assert node.owners, key


def test_report_years_are_the_partitions():
    keys = year_keys()
    assert keys[0] == "2019" and keys[-1] == str(datetime.now().year)
    assert keys == [str(y) for y in range(2019, datetime.now().year + 1)]
    job = defs.resolve_job_def("warehouse_job")
    assert job.partitions_def == REPORT_YEARS
    asset_graph = graph()
    for key in FACTS:
        assert asset_graph.get(key).partitions_def == REPORT_YEARS
    # cross-year marts and the file-shaped stages are built once per run
    for key in (["marts", "dim_report"], ["marts", "fct_submission_status"], ["marts", "fct_findings"],
                ["raw", "files"], ["quality", "findings"], ["published", "snapshot"]):
        assert asset_graph.get(dg.AssetKey(key)).partitions_def is None
    assert not FACTS & set(UNPARTITIONED)
    # one dbt op for both kinds: a run starts dbt once
    assert len({asset_graph.get(k).assets_def.node_def.name for k in FACTS | {dg.AssetKey(['marts', 'dim_report'])}}) == 1
