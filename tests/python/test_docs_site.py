"""The dbt docs site, checked as a person would: the sample built, its docs generated and
served by `dbt docs serve`, opened headless in chromium (tests/python/docs_browser.py).

Screenshots of the overview and of fct_related_artists's lineage graph are written to
DOCS_SCREENSHOTS when it is set (`make docs-screenshots` sets it and copies the lineage
graph to docs/images/lineage.png, the README's picture), else to a temporary folder.
Without chromium the tests skip, saying why, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.python.dbt_runner import PROJECT_ROOT, DbtWorkspace
from tests.python.docs_browser import DocsSite, chromium_executable, served_docs_site

pytestmark = pytest.mark.slow

EXPOSURES = {"lookup", "serving_file", "skill_server", "skill_lambda"}
SOURCE_TABLES = {"artists", "top_tracks", "audio_features"}
PIPELINE_DOT = PROJECT_ROOT / "docs" / "images" / "pipeline.dot"
PIPELINE_SVG = PIPELINE_DOT.with_suffix(".svg")


@pytest.fixture(scope="module")
def docs_url(sample_warehouse: DbtWorkspace, sample_docs_site: Path) -> Iterator[str]:
    with served_docs_site(sample_warehouse, sample_docs_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    with sync_playwright() as playwright:
        # As root (CI), chromium's sandbox cannot start.
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        print(f"\nbrowser: chromium {launched.version} ({executable})")
        yield launched
        launched.close()


@pytest.fixture
def site(browser: Browser, docs_url: str) -> Iterator[DocsSite]:
    # Twice the pixels, so the graph's small labels stay legible in the README's picture.
    page = browser.new_page(viewport={"width": 1400, "height": 800}, device_scale_factor=2)
    yield DocsSite(page=page, url=docs_url)
    page.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("DOCS_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_overview_explains_the_flow_with_the_pipeline_picture(
    site: DocsSite, screenshots: Path
) -> None:
    site.open_overview()
    text = site.main_text().lower()
    for words in (
        "extract",
        "lake",
        "staging",
        "intermediate",
        "marts",
        "dbt build --target duckdb",
        "--target athena",
        "nearest",
        "where to look first",
    ):
        assert words in text, f"the overview does not say {words!r}"
    picture = site.page.locator("img[src$='pipeline.svg']")
    assert picture.count() == 1
    loaded = "img => img.complete && img.naturalWidth > 0"
    assert site.page.evaluate(loaded, picture.element_handle()), "the picture did not load"
    site.screenshot_whole_page(screenshots / "overview.png")


def test_lineage_of_related_artists_runs_from_the_lake_to_the_exposures(
    site: DocsSite, screenshots: Path
) -> None:
    site.open_model("fct_related_artists")
    site.open_full_lineage()
    nodes = site.visible_graph_nodes()
    names = {(kind, name) for kind, name, _ in nodes}
    layers = {layer for kind, _, layer in nodes if kind == "model"}
    assert {name for kind, name in names if kind == "source"} == SOURCE_TABLES
    assert layers == {"staging", "intermediate", "marts"}
    assert ("model", "int_artist_search_cells_descended") in names
    assert {name for kind, name in names if kind == "exposure"} == EXPOSURES
    assert not {kind for kind, _ in names} & {"test", "unit_test", "analysis"}
    site.page.screenshot(path=screenshots / "lineage.png")
    print(f"\nlineage graph: {len(nodes)} nodes; screenshots in {screenshots}")


def test_search_finds_an_artist_model_and_opens_it(site: DocsSite) -> None:
    site.open_overview()
    titles = site.search("artists")
    assert "dim_artists model" in titles, titles
    site.open_search_result("dim_artists model")
    site.page.wait_for_selector("h1:has-text('dim_artists')")
    assert "is_recommendable" in site.main_text()


def test_an_exposure_links_to_its_guide(site: DocsSite) -> None:
    site.open("exposure/exposure.spotify_warehouse.skill_server")
    link = site.page.locator("a:has-text('View this exposure')")
    assert link.get_attribute("href") == "docs/chat-skill.md"
    response = site.page.goto(site.url + "docs/chat-skill.md")
    assert response is not None and response.status == 200
    assert "# The chat skill" in site.page.inner_text("body")


def test_pipeline_picture_is_drawn_from_its_source() -> None:
    """docs/images/pipeline.svg is what `make diagram` draws from pipeline.dot today."""
    dot = shutil.which("dot")
    if dot is None:
        reason = "no Graphviz dot on PATH (Debian: apt-get install graphviz)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}: under CI it must run, and .ci/run installs it")
        pytest.skip(reason)
    drawn = subprocess.run(
        [dot, "-Tsvg", str(PIPELINE_DOT)], capture_output=True, text=True, check=True
    ).stdout
    assert drawn == PIPELINE_SVG.read_text(), "run `make diagram` and commit pipeline.svg"
