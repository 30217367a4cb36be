"""The dbt docs site as a person uses it: served by `dbt docs serve`, opened in Debian's
chromium through Playwright (its own browser download is never used).

``served_docs_site`` starts `dbt docs serve` on a free port of 127.0.0.1 and stops it;
``DocsSite`` is what a reader does there: the overview, a model's page, its lineage graph
with the tests hidden, the search box. The graph is drawn on a canvas, so what it shows is
read from the site's own graph (cytoscape) object: the nodes a reader sees.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.python.dbt_runner import DbtWorkspace

# Where Debian's package puts it; CHROMIUM overrides.
CHROMIUM_NAMES = ("chromium", "chromium-browser")
SERVE_TIMEOUT_SECONDS = 60
# The graph's resource filter: what the lineage screenshot leaves out, by its label there.
HIDDEN_RESOURCES = ("Tests", "Unit_tests", "Analyses")
# Each visible graph node as (resource type, name, the folder under models/ or "").
VISIBLE_NODES_JS = """() => {
  const graph = angular.element(document.body).injector().get("graph");
  return graph.graph_element.nodes().filter(node => node.visible()).map(node => {
    const data = node.data();
    const path = data.original_file_path || "";
    const layer = path.startsWith("models/") ? path.split("/")[1] : "";
    return [data.resource_type, data.name, layer];
  });
}"""


def chromium_executable() -> str:
    """The system chromium, or the test fails under CI (`.ci/run` installs it) and skips
    elsewhere, saying why."""
    found = os.environ.get("CHROMIUM") or next(
        filter(None, map(shutil.which, CHROMIUM_NAMES)), None
    )
    if found:
        return found
    reason = "no chromium on PATH (Debian: apt-get install chromium; or set CHROMIUM)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: under CI the browser tests must run, and .ci/run installs it")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served_docs_site(workspace: DbtWorkspace, site: Path) -> Iterator[str]:
    """`dbt docs serve` over the generated ``site`` folder; yields its base URL."""
    port = free_port()
    command = workspace.command(
        ["docs", "serve", "--port", str(port), "--host", "127.0.0.1", "--no-browser"],
        target_path=site,
    )
    log = (workspace.root / f"docs-serve-{port}.log").open("w")
    server = subprocess.Popen(
        command, cwd=workspace.root, env=workspace.environment(), stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVE_TIMEOUT_SECONDS
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"dbt docs serve did not answer on {url}") from None
                time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@dataclass
class DocsSite:
    """One reader's tab on the served site."""

    page: Page
    url: str

    def open(self, route: str) -> None:
        self.page.goto(f"{self.url}#!/{route}")

    def open_overview(self) -> None:
        self.open("overview")
        self.page.wait_for_selector(".app-details h1")

    def open_model(self, name: str) -> None:
        self.open(f"model/model.spotify_warehouse.{name}")
        self.page.wait_for_selector(f"h1:has-text('{name}')")

    def screenshot_whole_page(self, path: Path) -> None:
        """The page's content, all of it: the site scrolls inside its own panel, which a
        full-page screenshot would cut at the window's height."""
        viewport = self.page.viewport_size
        height = self.page.evaluate(
            "document.querySelector('.app-details.app-scroll').scrollHeight"
        )
        self.page.set_viewport_size({"width": viewport["width"], "height": height + 100})
        self.page.screenshot(path=path)
        self.page.set_viewport_size(viewport)

    def main_text(self) -> str:
        return self.page.inner_text(".app-details")

    def open_full_lineage(self, hidden: tuple[str, ...] = HIDDEN_RESOURCES) -> None:
        """From a model's page: the lineage button, full screen, ``hidden`` resource types
        unticked, Update Graph."""
        self.page.click(".launcher-btn")
        self.page.click("a[title='View Fullscreen'] >> visible=true")
        self.page.click(".launcher-footer select >> nth=0")
        for label in hidden:
            self.page.click(f".launcher-footer li:text-is('{label}') >> visible=true")
        self.page.click(".launcher-footer .field-label, .launcher-header", force=True)
        self.page.click("text=Update Graph")
        self.page.wait_for_function(
            "() => angular.element(document.body).injector().get('graph').graph_element"
            ".nodes().filter(n => n.visible() && n.data('resource_type') === 'test')"
            ".length === 0"
        )
        # The layout animates into place before it settles.
        self.page.wait_for_timeout(1500)

    def visible_graph_nodes(self) -> list[tuple[str, str, str]]:
        return [tuple(node) for node in self.page.evaluate(VISIBLE_NODES_JS)]

    def search(self, text: str) -> list[str]:
        """Type ``text`` in the search box; the titles of the results listed, e.g.
        "dim_artists model"."""
        self.page.fill("input[placeholder='Search for models...']", text)
        self.page.wait_for_selector(".search-result")
        return [
            result.splitlines()[0].strip()
            for result in self.page.locator(".search-result").all_inner_texts()
        ]

    def open_search_result(self, title: str) -> None:
        self.page.click(f".search-result:has-text('{title}') >> nth=0")
