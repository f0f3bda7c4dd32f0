"""The page-weight benchmark runs on a freshly built site, and since weight is
deterministic its limits are checked here as well as by make bench."""

import pytest

from benchmarks import pages
from local import build_site


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    build_site.build(site)
    return site, pages.measure(site)


def test_the_benchmark_weighs_every_built_page(figures):
    site, found = figures
    assert set(found["page_bytes"]) == {str(p.relative_to(site)) for p in site.rglob("*.html")}
    assert found["max_page_bytes"] == max(found["page_bytes"].values())
    assert 0 < found["home_critical_bytes"] <= found["max_page_bytes"]


def test_a_page_weighs_its_html_and_every_module_it_imports(figures):
    site, found = figures
    report = site / "uk" / "report.html"
    loaded = pages.with_imports(site, pages.Assets(report.read_text(encoding="utf-8")).found)
    assert {"/css/site.css", "/js/report.js", "/js/api.js", "/js/photos.js", "/js/street.js"} <= set(loaded)
    assert found["page_bytes"]["uk/report.html"] == pages.gz(report.read_bytes()) + sum(
        pages.gz((site / url.lstrip("/")).read_bytes()) for url in loaded)


def test_every_page_stays_under_50_kb_and_the_home_page_fits_one_round_trip(figures):
    _, found = figures
    assert found["max_page_bytes"] <= pages.PAGE_LIMIT
    assert found["home_critical_bytes"] <= pages.HOME_CRITICAL_LIMIT
