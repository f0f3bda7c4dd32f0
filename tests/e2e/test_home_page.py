"""The home page's line on emergency works now, as a browser shows it from the summary
the system regenerates: none at first, the count by kind once an operator publishes a
notice and the next tick runs; and without JavaScript, or without the summary, the
page still leads to the outage page, which the server serves at its folder's URL."""

from datetime import datetime, timedelta, timezone

import pytest
import requests
from playwright.sync_api import expect

from chalicelib.jobs import tick

from local import build_site

from tests.e2e.browser import LocalServer, Watched

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server and a site folder of its own: the seed has no emergency works, and no
    other server writes its summary here."""
    site = tmp_path_factory.mktemp("site-home")
    build_site.build(site)
    running = LocalServer("sqlite", tmp_path_factory.mktemp("var-home"), site)
    yield running
    assert running.stop() == 0, running.output


def publish_notice(server) -> None:
    """An operator publishes a heating notice through the staff API."""
    now = datetime.now(timezone.utc)
    username, password = server.demo_account("operator")
    with requests.Session() as http:
        http.post(f"{server.url}/api/admin/login", json={"username": username, "password": password}).raise_for_status()
        http.post(f"{server.url}/api/admin/outages", json={
            "kind": "heating", "area": "Around the Opera House",
            "addresses": [{"street": "yavornytskoho-ave", "houses": ["8"]}], "reason": "Heating main replaced.",
            "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "expected_end": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}).raise_for_status()


def test_the_home_page_shows_no_works_then_the_count_by_kind_after_a_notice_and_the_next_tick(server, browser):
    watched = Watched(browser, server.url, width=320)
    page = watched.page
    line = page.locator("#works-now")
    page.goto(f"{server.url}/en/")
    expect(line).to_have_text("No emergency works now — see the page")

    publish_notice(server)
    tick.minute(server.deps())
    page.reload()

    expect(line).to_have_text("Emergency works now: 1 — Heating 1 — see the page")
    page.goto(f"{server.url}/uk/")
    expect(line).to_have_text("Аварійні роботи зараз: 1 — Опалення 1 — дивіться сторінку")
    line.get_by_role("link").click()
    page.wait_for_url("**/uk/outages/")
    expect(page.locator("h1")).to_have_text("Аварійні роботи зараз")
    assert watched.errors == [] and watched.violations() == [] and watched.foreign == []
    watched.close()


def test_without_javascript_the_home_page_links_to_the_outage_page_its_folder_url_serves(server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 844})
    page = context.new_page()
    page.goto(f"{server.url}/ru/")

    expect(page.locator("#works-now")).to_be_hidden()
    page.locator("main").get_by_role("link", name="Отключения").click()

    page.wait_for_url("**/ru/outages/")
    expect(page.locator("h1")).to_have_text("Аварийные работы сейчас")
    context.close()


def test_without_the_summary_the_line_stays_hidden_and_the_link_remains(server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 844})
    page = context.new_page()
    asked = []
    page.route("**/outages-summary.json", lambda route: (asked.append(route.request.url), route.fulfill(status=404)))
    page.goto(f"{server.url}/en/")
    page.wait_for_load_state("networkidle")

    assert asked
    expect(page.locator("#works-now")).to_be_hidden()
    expect(page.locator("main a[href='/en/outages/']")).to_be_visible()
    context.close()
