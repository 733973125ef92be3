"""Everything that needs a live `dagster dev` (webserver + daemon), against the one instance
of tests/ui/conftest.py, in one module so that the suite's two processes never start two
(`make test` hands a whole module to one process):

- the asset graph page in headless Chromium shows every layer; screenshots are kept under
  data/ci-artifacts/;
- a report dropped into the inbox is published without anyone doing anything (the inbox
  sensor starts the run);
- two runs at once with the webserver open: while the sensor's run is going, a second run is
  launched through GraphQL; both succeed, one after the other (run queue, tag xxgk/writer),
  with no DuckDB lock error, and the second publishes nothing new;
- the idle webserver and daemon do not hold the DuckDB file;
- both schedules and the sensor are listed and running.

Timings go to data/ci-artifacts/live-runs.json (figures in RELIABILITY.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from samples import SAMPLE

from orchestration.stages.publish import parquet_source

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "data" / "ci-artifacts"
ARTIFACT = ARTIFACTS / "live-runs.json"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
LOCATION = "xxgk_warehouse"  # workspace.yaml
RUN_TIMEOUT_S = 900  # a run takes ~80 s on a loaded 2-core machine; the sensor ticks every 30 s
ACTIVE = {"QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING"}
LOCK_ERRORS = ("could not set lock", "conflicting lock")  # DuckDB's IOException text

TIMINGS: dict[str, float] = {}


def record(name: str, seconds: float) -> None:
    TIMINGS[name] = round(seconds, 1)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(TIMINGS, indent=1))


def parquet(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        return con.execute(sql.replace("{file}", f"read_parquet('{path}')")).fetchall()
    finally:
        con.close()


def published_state(published: Path) -> dict:
    """What consumers see: the snapshot latest points to, its content hash, row counts, the
    reports and the values of table B."""
    latest = published / "latest"
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    return {
        "snapshot": os.readlink(latest),
        "content_hash": manifest["content_hash"],
        "rows": manifest["rows"],
        "reports": parquet(latest / "dim_report.parquet",
                           "select report_id, status, is_current from {file} order by all"),
        "applications": parquet(latest / parquet_source("fct_applications"),
                                "select count(*), sum(application_count) from {file}"),
    }


def wait_until(condition, seconds: float, dagster_dev, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(2)
    pytest.fail(f"{what}: not within {seconds} s\n{dagster_dev.diagnosis()}")


def idle(dagster_dev) -> bool:
    return not any(run["status"] in ACTIVE for run in dagster_dev.runs())


@pytest.fixture(scope="module")
def first_publication(dagster_dev) -> dict:
    """The sample report dropped into the inbox of the running instance; as soon as the
    sensor's run exists, a second run is launched by hand (two runs at once); then nothing
    but waiting until both have finished."""
    inbox = dagster_dev.data / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    report_id = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    # written under an upload suffix and renamed, as an uploader would: never half a file
    shutil.copy(SAMPLE, inbox / f"{SAMPLE.name}.part")
    os.rename(inbox / f"{SAMPLE.name}.part", inbox / SAMPLE.name)
    record("dagster_dev_startup_s", dagster_dev.startup_s)
    dropped = time.monotonic()
    wait_until(lambda: dagster_dev.runs(), RUN_TIMEOUT_S, dagster_dev, "the inbox sensor's run")
    (sensor_run,) = dagster_dev.runs()
    launched = time.monotonic()
    manual_run = dagster_dev.launch_run(tags={"xxgk/trigger": "test-manual"})
    dim_report = dagster_dev.data / "published" / "latest" / "dim_report.parquet"

    def published() -> bool:
        return dim_report.exists() and (report_id,) in parquet(dim_report, "select report_id from {file}")

    wait_until(published, RUN_TIMEOUT_S, dagster_dev, f"report {report_id[:12]} in {dim_report}")
    record("inbox_drop_to_published_s", time.monotonic() - dropped)
    state = published_state(dagster_dev.data / "published")

    def finished() -> list[dict] | None:
        runs = dagster_dev.runs()
        return runs if len(runs) == 2 and idle(dagster_dev) else None

    wait_until(finished, 2 * RUN_TIMEOUT_S, dagster_dev, "both runs to finish")
    record("two_runs_at_once_s", time.monotonic() - launched)
    return {"report_id": report_id, "state": state, "sensor_run": sensor_run["runId"], "manual_run": manual_run}


def test_report_dropped_in_inbox_is_published_by_the_sensor(dagster_dev, first_publication):
    (run,) = [r for r in dagster_dev.runs() if r["runId"] == first_publication["sensor_run"]]
    tags = {t["key"]: t["value"] for t in run["tags"]}
    assert run["status"] == "SUCCESS", dagster_dev.diagnosis()
    assert tags["dagster/sensor_name"] == "inbox_sensor" and tags["xxgk/trigger"] == "inbox"
    assert tags["xxgk/years"] == "2021" and tags["xxgk/writer"] == "warehouse"
    messages = [m.lower() for m in dagster_dev.run_messages(run["runId"])]
    assert not [m for m in messages if any(e in m for e in LOCK_ERRORS)]
    latest = dagster_dev.data / "published" / "latest"
    report_id = first_publication["report_id"]
    assert parquet(latest / "dim_report.parquet", "select status, is_current from {file}") == [("accepted", True)]
    values = parquet(latest / parquet_source("fct_applications"),  # fct_applications/*.parquet
                     f"select agency, row_code, column_code, application_count from {{file}} "
                     f"where report_id = '{report_id}'")
    assert len(values) == 175
    assert ("和田地区行署办公室", "new_received", "total", 22) in values
    assert not any((dagster_dev.data / "inbox").iterdir())  # picked up, archived


def test_idle_webserver_and_daemon_do_not_hold_the_warehouse(dagster_dev, first_publication):
    warehouse = dagster_dev.data / "warehouse.duckdb"
    assert warehouse.exists() and idle(dagster_dev)
    started = time.monotonic()
    con = duckdb.connect(str(warehouse))  # read-write, no retry: fails at once if locked
    try:
        opened = time.monotonic() - started
        assert con.execute("select count(*) from raw.files").fetchall() == [(1,)]
    finally:
        con.close()
    record("idle_open_read_write_s", opened)
    assert opened < 5


def test_two_runs_at_once_both_succeed_one_after_the_other(dagster_dev, first_publication):
    runs = dagster_dev.runs()
    assert {r["runId"] for r in runs} == {first_publication["sensor_run"], first_publication["manual_run"]}
    assert [r["status"] for r in runs] == ["SUCCESS", "SUCCESS"], dagster_dev.diagnosis()
    for run in runs:
        assert {"key": "xxgk/writer", "value": "warehouse"} in run["tags"]  # the job's tag: queued
        messages = [m.lower() for m in dagster_dev.run_messages(run["runId"])]
        assert len(messages) > 50  # a whole run's event log was read
        assert not [m for m in messages if any(e in m for e in LOCK_ERRORS)]
    # the queue ran them one after the other, never both at once
    first, second = sorted(runs, key=lambda r: r["startTime"])
    assert first["runId"] == first_publication["sensor_run"]
    assert second["startTime"] >= first["endTime"]
    # nothing new arrived for the second run: the same snapshot stays published, not a copy
    assert published_state(dagster_dev.data / "published") == first_publication["state"]
    con = duckdb.connect(str(dagster_dev.data / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw.files").fetchall() == [(1,)]
        assert con.execute("select count(*) from raw.receipts").fetchall() == [(1,)]
        assert con.execute("select count(*) from raw.reports").fetchall() == [(1,)]
    finally:
        con.close()


def test_schedules_and_the_inbox_sensor_are_listed_and_running(dagster_dev):
    """What `dagster dev -w workspace.yaml` shows under Automation: both schedules and the
    sensor, running by default."""
    data = dagster_dev.graphql("""query($repo: RepositorySelector!) {
      schedulesOrError(repositorySelector: $repo) { __typename
        ... on Schedules { results { name cronSchedule executionTimezone scheduleState { status } } } }
      sensorsOrError(repositorySelector: $repo) { __typename
        ... on Sensors { results { name minIntervalSeconds sensorState { status } } } } }""",
                               {"repo": {"repositoryLocationName": "xxgk_warehouse",
                                         "repositoryName": "__repository__"}})
    schedules = {s["name"]: (s["cronSchedule"], s["executionTimezone"], s["scheduleState"]["status"])
                 for s in data["schedulesOrError"]["results"]}
    assert schedules == {"yearly_publication": ("0 6 1 2 *", "Asia/Shanghai", "RUNNING"),
                         "monthly_corrections": ("0 6 1 * *", "Asia/Shanghai", "RUNNING")}
    sensors = {s["name"]: (s["minIntervalSeconds"], s["sensorState"]["status"])
               for s in data["sensorsOrError"]["results"]}
    assert sensors == {"inbox_sensor": (30, "RUNNING")}


def layers() -> dict[str, set[str]]:
    """Every materializable asset of the code location, by group, as the UI names them."""
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    out: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable:
            out.setdefault(node.group_name, set()).add(key.path[-1])
    return out


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER) and not os.environ.get("CI"),
                    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")
def test_asset_graph_shows_every_layer(dagster_dev, tmp_path):
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=2400,1600", f"--user-data-dir={tmp_path / 'chrome'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    page_text = lambda d: d.find_element("tag name", "body").get_attribute("textContent")
    expected = layers()
    assert {"ingest", "parse", "quality", "staging", "intermediate", "marts", "publish"} <= set(expected)
    missing: dict[str, list[str]] = {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        # The global lineage, one box per layer, as the screenshot kept by CI.
        driver.get(f"{dagster_dev.url}/asset-groups")
        WebDriverWait(driver, 120).until(lambda d: all(group in page_text(d) for group in expected))
        for button in driver.find_elements("xpath", "//button[normalize-space()='Skip']"):
            button.click()  # the newsletter prompt of a fresh instance
        time.sleep(2)
        driver.save_screenshot(str(ARTIFACTS / "asset-graph.png"))
        # Expanded, the same page names the assets inside each layer.
        ActionChains(driver).key_down(Keys.ALT).send_keys("e").key_up(Keys.ALT).perform()
        time.sleep(3)
        driver.save_screenshot(str(ARTIFACTS / "asset-graph-expanded.png"))
        # Each layer's list page names all of its assets (the graph view draws only what is in view).
        for group, names in sorted(expected.items()):
            driver.get(f"{dagster_dev.url}/locations/{LOCATION}/asset-groups/{group}/list")
            try:
                WebDriverWait(driver, 60).until(lambda d, names=names: all(n in page_text(d) for n in names))
            except TimeoutException:
                missing[group] = sorted(n for n in names if n not in page_text(driver))
    finally:
        driver.quit()
    assert not missing, missing
    assert (ARTIFACTS / "asset-graph.png").stat().st_size > 10_000
