"""Browser test: the shared `dagster dev` (tests/ui/conftest.py), the asset graph page in
headless Chromium, a screenshot kept under data/ci-artifacts/, and the asset keys of every
layer on the page."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "data" / "ci-artifacts"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
LOCATION = "xxgk_warehouse"  # workspace.yaml

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER) and not os.environ.get("CI"),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
)


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
