"""A resident's personal data in a real Chromium against the real local server, on
SQLite and on the DynamoDB adapters over moto: in the cabinet they download a copy of
their data and delete their account (asked to confirm first), after which they are
signed out everywhere and their ticket goes on without them; on the staff page an
operator is shown a reporter's contact on asking, and an admin finds the showing in
the administration area. No console error, no CSP violation, no axe violation on the
states these pages take, nothing fetched from elsewhere."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Watched
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_portal_flow import file_quickly
from tests.e2e.test_staff_page import clean, file_for_caller

pytestmark = pytest.mark.e2e

PHONE = "+380 67 555 06 06"


@pytest.fixture
def watched(browser, server):
    page = Watched(browser, server.url, width=320)
    yield page
    page.close()


def test_a_resident_downloads_their_data_then_deletes_the_account_and_the_ticket_goes_on_without_them(
        server, watched):
    page = watched.page
    watched.sign_in(server, "en", PHONE, "report.html")
    number = file_quickly(page, house="41")
    page.goto(f"{server.url}/en/cabinet.html")
    expect(page.locator(f"#current .ticket[data-number='{number}']")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    assert re.fullmatch(r"citydesk-my-data-\d{4}-\d{2}-\d{2}\.json", download.value.suggested_filename)
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert data["account"]["phone"] == "+" + re.sub(r"\D", "", PHONE)
    mine = next(t for t in data["tickets"] if t["number"] == number)
    assert mine["address"]["house"] == "41" and mine["address"]["flat"] == "12"

    page.get_by_role("button", name="I want to delete my account").click()
    expect(page.get_by_label("Yes, delete my account. This cannot be undone.")).to_be_focused()
    page.get_by_role("button", name="Delete the account").click()
    expect(page.locator("#delete-error")).to_have_text("Tick the box to confirm that the account is to be deleted.")
    found = {"asked to confirm": axe_violations(page)}
    page.get_by_label("Yes, delete my account. This cannot be undone.").check()
    page.get_by_role("button", name="Delete the account").click()

    expect(page.locator("#deleted")).to_be_focused()
    expect(page.locator("#deleted")).to_contain_text("Your account is deleted")
    expect(page.locator("#mine")).to_be_hidden()
    found["deleted"] = axe_violations(page)
    assert {step: violations for step, violations in found.items() if violations} == {}
    assert page.evaluate("localStorage.getItem('citydesk.draft')") is None
    page.reload()
    expect(page.locator("#signed-out")).to_be_visible()
    assert page.request.get(f"{server.url}/api/me").status == 401

    ticket = server.storage().tickets.by_number(number)
    assert (ticket.reporter_id, ticket.address.flat, ticket.anonymised) == ("", "", "account_deleted")
    server.staff(number, "accept")
    assert server.storage().tickets.by_number(number).state.value == "in_progress"
    assert watched.errors == [] and watched.violations() == [] and watched.foreign == []


def test_an_operator_is_shown_a_contact_on_asking_and_the_admin_finds_that_in_the_record(server, watched):
    page = watched.page
    operator = server.demo_account("operator")
    watched.staff_sign_in(server, "en", *operator)
    number = file_for_caller(page, "+380 67 555 07 07", "42")
    page.get_by_role("link", name="Open the ticket").click()
    page.get_by_role("button", name="Show the contact").click()
    expect(page.locator("#t-phone")).to_have_text("+380675550707")
    expect(page.get_by_role("button", name="Show the contact")).to_be_hidden()
    watched.staff_sign_out()

    watched.staff_sign_in(server, "en", *server.demo_account("admin"))
    page.get_by_role("link", name="Administration").click()
    page.locator("#views-ticket").fill(number)
    page.locator("#views-form").get_by_role("button", name="Show").click()
    rows = page.locator("#views-list tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(server.staff_name(operator[0]))
    expect(rows.first).to_contain_text(f"No. {number}")
    # An admin reads who was shown the contact, never the contact.
    rows.first.get_by_role("link").click()
    expect(page.locator("#t-reporter")).to_have_text("Shown only to those who work the ticket.")
    expect(page.get_by_role("button", name="Show the contact")).to_be_hidden()
    clean(watched)
