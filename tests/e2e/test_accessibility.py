"""axe-core (from node_modules, pinned in package-lock.json) finds no WCAG 2.1 A/AA
violation on any built page in any language, nor on the report flow's steps, the
signed-in cabinet and ticket pages, the staff page's sections as the scripts draw
them, and the pages the system generates (emergency works, statistics, who does
what) with data on them (at 320 px)."""

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from chalicelib.domain.outbox import DEAD, EMAIL, SENT, OutboxMessage
from chalicelib.jobs import nightly
from chalicelib.services import outbox
from chalicelib.services.ports import QueueQuery

from local import build_site

from tests.builders import make_outage
from tests.e2e.browser import ROOT, Watched, labels

pytestmark = pytest.mark.e2e

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = "+380 67 555 04 04"
GENERATED = ("outages", "stats", "organisations")
# The built pages; the generated ones, which a server run may have left in the folder, are tested apart.
PAGES = sorted(str(path.relative_to(build_site.OUT)) for path in build_site.OUT.rglob("*.html")
               if path.parent.name not in GENERATED)


def axe_violations(page) -> list:
    """Runs axe on the page as it is now. The source is evaluated through the
    DevTools protocol, which the page's CSP does not govern: no policy is loosened."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                          ".then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,"
                          " nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary)})))", TAGS)
    for violation in found:
        print(page.url, violation)
    return found


@pytest.fixture(scope="module")
def outbox_letters(sqlite_server):
    """For the staff page's outbox to show: a message about a ticket that failed all its
    tries, and today's alert of the spent SMS budget (by the UTC day: today or yesterday
    on the city's clock, which runs ahead)."""
    now = datetime.now(timezone.utc)
    ticket = sqlite_server.storage().tickets.queue(QueueQuery(), 1)[0][0]
    sqlite_server.storage().outbox.add([
        OutboxMessage(id=uuid.uuid4().hex, to="+380675550404", text="Your ticket is done.", created_at=now,
                      next_attempt_at=now, ticket_id=ticket.id, kind="done", status=DEAD, tries=5,
                      last_error="provider answered 503"),
        OutboxMessage(id=outbox.alert_id(outbox.BUDGET, now.date()), to="contacts@example.org",
                      text="The budget is spent.", created_at=now, next_attempt_at=now, kind=outbox.BUDGET,
                      channel=EMAIL, status=SENT, tries=1, sent_at=now),
    ])


@pytest.fixture(scope="module")
def generated_pages(sqlite_server):
    """The generated pages regenerated now, with a notice on the outage page beside the
    seeded tickets' counts on the others."""
    deps = sqlite_server.deps()
    now = datetime.now(timezone.utc)
    deps.storage.outages.create(make_outage(starts_at=now - timedelta(hours=1), expected_end=now + timedelta(hours=6)))
    nightly.regenerate(deps)


@pytest.fixture(scope="module")
def watched(browser, sqlite_server):
    assert AXE.exists(), "run `npm ci` (make node_modules) for axe-core"
    page = Watched(browser, sqlite_server.url)
    yield page
    page.close()


def test_the_site_was_built_before_the_browser_tests():
    assert "uk/index.html" in PAGES and "en/report.html" in PAGES


@pytest.mark.parametrize("path", PAGES)
def test_every_built_page_has_no_axe_violations(sqlite_server, watched, path):
    watched.page.goto(f"{sqlite_server.url}/{path}")
    watched.page.wait_for_load_state("networkidle")
    assert axe_violations(watched.page) == []


@pytest.mark.parametrize("lang", ["uk", "ru", "en"])
def test_the_report_steps_and_the_cabinet_have_no_axe_violations(sqlite_server, browser, lang):
    watched = Watched(browser, sqlite_server.url, width=320)
    page = watched.page
    watched.sign_in(sqlite_server, lang, PHONE, "report.html")
    street = labels("streets.json")[0]
    found = {}
    expect(page.locator("#report")).to_be_visible()
    found["topic"] = axe_violations(page)
    page.locator("#topics input").first.check()
    page.locator("#next").click()
    page.locator("#next").click()  # no cause yet: the error shows, tied to the field
    expect(page.locator("#report-error")).to_be_visible()
    found["cause with an error"] = axe_violations(page)
    page.locator("#causes label").first.click()
    page.locator("#next").click()
    page.locator("#street").press_sequentially(street["name"][lang].split()[-1][:4])
    expect(page.locator("[role=option]").first).to_be_visible()
    found["street list open"] = axe_violations(page)
    page.locator("[role=option]").first.click()
    page.locator("#house").fill("3")
    page.locator("#next").click()
    page.locator("#description").fill("Accessibility check")
    page.locator("#next").click()
    expect(page.locator("[data-photos]")).to_be_visible()
    found["photos"] = axe_violations(page)
    page.locator("#next").click()
    found["review"] = axe_violations(page)
    page.locator("#send").click()
    expect(page.locator("#sent")).to_be_visible()
    found["sent"] = axe_violations(page)
    number = page.locator("#sent-number").inner_text()
    sqlite_server.staff(number, "accept", "report_done")
    page.goto(f"{sqlite_server.url}/{lang}/cabinet.html")
    expect(page.locator(f"#current .ticket[data-number='{number}']")).to_be_visible()
    found["cabinet"] = axe_violations(page)
    page.locator(f"#current .ticket[data-number='{number}'] a").click()
    expect(page.locator("#ticket")).to_be_visible()
    expect(page.locator("#refute-form")).to_be_visible()
    page.locator("#refute-form button[type=submit]").click()  # no comment: the error is tied to the field
    expect(page.locator("#refute-error")).to_be_visible()
    found["ticket done, refusal refused"] = axe_violations(page)
    page.locator("#confirm-form button[type=submit]").click()
    expect(page.locator("#rate-form")).to_be_visible()
    found["ticket closed, to rate"] = axe_violations(page)
    assert {step: violations for step, violations in found.items() if violations} == {}
    assert watched.errors == [] and watched.violations() == [] and watched.foreign == []
    watched.close()


@pytest.mark.parametrize("lang", ["uk", "ru", "en"])
def test_the_staff_page_has_no_axe_violations_signing_in_in_the_queue_filing_a_ticket_and_on_it(
        sqlite_server, browser, outbox_letters, lang):
    watched = Watched(browser, sqlite_server.url, width=320)
    page = watched.page
    street = labels("streets.json")[0]
    found = {}
    username, password = sqlite_server.demo_account("operator")
    page.goto(f"{sqlite_server.url}/{lang}/admin/")
    page.locator("#username").fill(username)
    page.locator("#password").fill("a wrong password")
    page.locator("#password").press("Enter")
    expect(page.locator("#signin-error")).to_be_visible()
    found["sign-in refused"] = axe_violations(page)
    page.locator("#password").fill(password)
    page.locator("#password").press("Enter")
    expect(page.locator("#queue-list .ticket").first).to_be_visible()
    page.locator("#filters-box summary").click()
    found["queue with the filters open"] = axe_violations(page)

    page.locator("#staff-menu a[data-view=file]").click()
    page.locator("#file-form button[type=submit]").click()
    expect(page.locator("#file-error")).to_be_visible()
    found["filing form with an error"] = axe_violations(page)
    page.locator("#caller-phone").fill("+380 67 555 09 09")
    page.locator("#file-topic").select_option("water")
    page.locator("#file-cause").select_option("water.low-pressure")
    page.locator("#file-street").press_sequentially(street["name"][lang].split()[-1][:4])
    expect(page.locator("[role=option]").first).to_be_visible()
    found["street list open"] = axe_violations(page)
    page.locator("[role=option]").first.click()
    page.locator("#file-house").fill("5")
    page.locator("#file-description").fill("Accessibility check")
    page.locator("#file-form button[type=submit]").click()
    expect(page.locator("#filed")).to_be_visible()
    found["filed"] = axe_violations(page)
    page.locator("#filed-open").click()
    expect(page.locator("#t-history li").first).to_be_visible()
    found["ticket with the operator's actions"] = axe_violations(page)
    page.locator("#staff-menu a[data-view=outages]").click()
    expect(page.locator("#outage-list li").first).to_be_visible()
    found["outages"] = axe_violations(page)
    page.locator("#staff-menu a[data-view=account]").click()
    page.locator("#totp-start").click()
    expect(page.locator("#totp-confirm-form")).to_be_visible()
    found["own account, turning on two-step sign-in"] = axe_violations(page)
    page.locator("#sign-out").click()

    username, password = sqlite_server.demo_account("admin")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("#password").press("Enter")
    page.locator("#staff-menu a[data-view=admin]").click()
    expect(page.locator("#cause-list tr").first).to_be_visible()
    found["administration"] = axe_violations(page)
    page.locator("#staff-menu a[data-view=outbox]").click()
    expect(page.locator("#outbox-dead button").first).to_be_visible()
    expect(page.locator("#outbox-alerts .ticket").first).to_be_visible()
    found["outbox with a message to send again"] = axe_violations(page)
    assert {step: violations for step, violations in found.items() if violations} == {}
    assert [error for error in watched.errors if "/api/admin/login" not in error] == []
    assert watched.violations() == [] and watched.foreign == []
    watched.close()


@pytest.mark.parametrize("lang", ["uk", "ru", "en"])
@pytest.mark.parametrize("name", GENERATED)
def test_the_generated_pages_have_no_axe_violations_at_320_px(sqlite_server, browser, generated_pages, name, lang):
    watched = Watched(browser, sqlite_server.url, width=320)
    assert watched.page.goto(f"{sqlite_server.url}/{lang}/{name}/").status == 200
    assert axe_violations(watched.page) == []
    assert watched.errors == [] and watched.violations() == [] and watched.foreign == []
    watched.close()
