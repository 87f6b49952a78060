"""The dbt docs site, checked as a user sees it: in a real headless browser.

`dbt docs generate` (own target folder) on the planted build, the charts drawn into the
site's assets folder, `dbt docs serve` on 127.0.0.1, then Debian's chromium driven by
selenium (chromedriver from Debian's chromium-driver) checks that

* the site loads (the dbt docs app renders the overview page),
* a chart image renders on the overview page (an <img> under assets/charts/ with
  naturalWidth > 0), and every chart the overview embeds does,
* the manifest the page loads holds the segmentation models and the exposures, and the
  rendered lineage graph (the cytoscape graph the page draws) contains the segmentation
  models with the edges from the Python step to the exposures.

Skipped with "chromium not installed: browser check skipped" where /usr/bin/chromium is
absent (`.ci/run` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from tests.conftest import DBT, OTHER_SHAPE_CHARTS, PROJECT_DIR, run_dbt

from customer_behavior.charts import render_charts

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SEGMENT_MODELS = ["segment_features", "segment_k_selection", "segment_model",
                  "customer_segment_assignments", "segment_assignments_sql", "segment_profiles",
                  "segment_stability", "customer_segments"]
PAGE_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError as exc:  # not up yet
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s: {last}")


@pytest.fixture(scope="module")
def docs_site(planted_build, tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed: browser check skipped")
    if not CHROMEDRIVER.exists():
        pytest.skip("chromedriver not installed (Debian package chromium-driver): "
                    "browser check skipped")
    warehouse = planted_build["warehouse"]
    work = tmp_path_factory.mktemp("docs")
    dbt_vars = {"data_dir": str(planted_build["data_dir"]), "segment_k": 4}
    run_dbt(["docs", "generate"], warehouse, dbt_vars)
    target = warehouse.parent / f"target-{warehouse.stem}"
    assert (target / "index.html").exists() and (target / "catalog.json").exists()
    # `make build` writes the charts to assets/charts (the project's asset-paths) and dbt
    # copies that folder into the target; the test draws them straight into the target it
    # serves, so that it never writes into the project tree.
    charts_dir = target / "assets" / "charts"
    shutil.rmtree(charts_dir, ignore_errors=True)
    entries = render_charts(warehouse, charts_dir)
    # every chart but those of other data shapes, which leave a placeholder image
    assert {e["name"] for e in entries if e["status"] != "written"} == set(OTHER_SHAPE_CHARTS)

    port = _free_port()
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "CUSTOMER_BEHAVIOR_WAREHOUSE": str(warehouse),
        "CUSTOMER_BEHAVIOR_TEMP_DIR": str(work / "spill"),
    }
    log = open(work / "serve.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(DBT), "docs", "serve", "--target-path", str(target),
         "--log-path", str(work / "logs"), "--host", "127.0.0.1", "--port", str(port),
         "--no-browser"],
        cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/index.html", 90)
        yield {"base": base, "work": work, "target": target}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(docs_site):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = docs_site["work"] / "chromium-profile"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()


def _wait_for(driver, script: str, timeout: float = PAGE_TIMEOUT):
    """Poll a JS expression until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.5)
    return value


def test_site_loads_and_overview_chart_renders(docs_site, browser):
    browser.get(f"{docs_site['base']}/index.html#!/overview")
    # The page renders asynchronously, and other h1s (the search panel's "0 search results")
    # exist before the overview does: wait for the overview's own heading.
    headings = "return Array.from(document.querySelectorAll('h1')).map(h => h.innerText)"
    title = _wait_for(browser, headings + ".find(t => t.indexOf('customer_behavior') >= 0) || null;")
    assert title and "customer_behavior" in title, (
        f"overview page did not render: {title!r}; headings: {browser.execute_script(headings)!r}")
    images = _wait_for(browser, """
        var imgs = Array.from(document.images).filter(
            i => (i.getAttribute('src') || '').indexOf('assets/charts/') >= 0);
        if (!imgs.length || !imgs.every(i => i.complete)) return null;
        return imgs.map(i => [i.getAttribute('src'), i.naturalWidth, i.naturalHeight]);
    """)
    browser.save_screenshot(str(docs_site["work"] / "overview.png"))
    assert images, "the overview page embeds no chart under assets/charts/"
    broken = [src for src, width, _ in images if width == 0]
    assert not broken, f"chart images that did not render: {broken}"
    assert any(width >= 600 for _, width, _ in images)
    # every chart the project draws is on the site, not only the main ones
    from customer_behavior.charts import CHARTS

    shown = {src.rsplit("/", 1)[-1] for src, _, _ in images}
    assert {spec.file_name for spec in CHARTS} <= shown, sorted(
        {spec.file_name for spec in CHARTS} - shown)


def test_manifest_the_page_loads_has_the_segmentation_models(docs_site):
    with urllib.request.urlopen(f"{docs_site['base']}/manifest.json", timeout=30) as response:
        manifest = json.load(response)
    for name in SEGMENT_MODELS:
        assert f"model.customer_behavior.{name}" in manifest["nodes"], name
    exposures = manifest["exposures"]
    assert {"exposure.customer_behavior.chart_set",
            "exposure.customer_behavior.insight_report"} <= set(exposures)
    report_deps = exposures["exposure.customer_behavior.insight_report"]["depends_on"]["nodes"]
    assert "model.customer_behavior.segment_profiles" in report_deps


def test_lineage_graph_reaches_from_sources_through_segments_to_exposures(docs_site, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{docs_site['base']}/index.html#!/overview")
    # open the project's lineage graph as a user does: the round button at the bottom right
    launcher = _wait_for(browser, "return document.querySelector('.launcher-btn a');")
    assert launcher, "no lineage-graph button on the overview page"
    browser.find_element(By.CSS_SELECTOR, ".launcher-btn a").click()
    graph = _wait_for(browser, """
        var el = document.getElementById('cy');
        if (!el || !window.angular) return null;
        var scope = angular.element(el).scope();
        var g = scope && scope.graph;
        if (!g || !g.elements || !g.elements.length) return null;
        var canvases = Array.from(el.querySelectorAll('canvas')).filter(c => c.width > 0);
        if (!canvases.length) return null;
        var nodes = [], edges = [];
        g.elements.forEach(function (e) {
            if (e.data && e.data.source) edges.push([e.data.source, e.data.target]);
            else if (e.data) nodes.push(e.data.unique_id || e.data.id);
        });
        return {nodes: nodes, edges: edges, canvases: canvases.length};
    """)
    browser.save_screenshot(str(docs_site["work"] / "lineage.png"))
    assert graph, "the lineage graph did not render"
    nodes, edges = set(graph["nodes"]), {tuple(e) for e in graph["edges"]}
    for name in SEGMENT_MODELS:
        assert f"model.customer_behavior.{name}" in nodes, f"{name} missing from the lineage graph"
    sources = {n for n in nodes if n.startswith("source.customer_behavior.contract.")}
    assert sources, "no raw contract sources in the lineage graph"
    children: dict[str, set[str]] = {}
    for parent, child in edges:
        children.setdefault(parent, set()).add(child)

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in children.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    from_orders = reachable("source.customer_behavior.contract.orders")
    assert "model.customer_behavior.segment_model" in from_orders
    from_model = reachable("model.customer_behavior.segment_model")
    # raw orders -> ... -> the Python step -> the named profiles -> what people read
    assert "model.customer_behavior.segment_profiles" in from_model
    assert {"exposure.customer_behavior.insight_report",
            "exposure.customer_behavior.chart_set"} <= from_model
    assert ("model.customer_behavior.segment_profiles",
            "exposure.customer_behavior.insight_report") in edges


def test_model_page_shows_its_chart(docs_site, browser):
    browser.get(f"{docs_site['base']}/index.html"
                "#!/model/model.customer_behavior.segment_profiles")
    images = _wait_for(browser, """
        var imgs = Array.from(document.images).filter(
            i => (i.getAttribute('src') || '').indexOf('assets/charts/segment_profiles') >= 0);
        if (!imgs.length || !imgs.every(i => i.complete)) return null;
        return imgs.map(i => i.naturalWidth);
    """)
    assert images and all(width > 0 for width in images)
