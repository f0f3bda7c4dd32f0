"""The staff page in a real Chromium against the real local server (SQLite and the
DynamoDB adapters over moto): staff sign in through the form, an operator files a
ticket for a caller, the executor takes it and reports it done, the operator records
an unsatisfied call-back and escalates the second round, the inspector orders the
work, and the history names every step and who took it. No console error, no CSP
violation, nothing fetched from anywhere but the site itself."""

import json
import re
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

import pytest
import requests
from playwright.sync_api import expect

from chalicelib.domain import totp
from chalicelib.domain.outbox import DEAD, EMAIL, SENT, OutboxMessage
from chalicelib.services import outbox

from tests.e2e.browser import Watched, labels, photo_file

pytestmark = pytest.mark.e2e

# A cause every ticket of which goes to one executor, wherever the address.
TOPIC, CAUSE, EXECUTOR = "water", "water.low-pressure", "dniprovodokanal"


@pytest.fixture
def watched(browser, server):
    page = Watched(browser, server.url)
    yield page
    page.close()


def clean(watched, *expected_refusals):
    """No console error but the refusals the test provoked on purpose, no CSP
    violation, nothing from elsewhere."""
    errors = [error for error in watched.errors if not any(path in error for path in expected_refusals)]
    assert errors == [] and watched.violations() == [] and watched.foreign == []


def file_for_caller(page, phone: str, house: str) -> str:
    """The operator's filing form, filled and sent; the new ticket's number."""
    street = labels("streets.json")[0]
    page.get_by_role("link", name="File for a caller").click()
    form = page.locator("#file-form")
    form.get_by_label("Phone number").fill(phone)
    form.get_by_label("Name").fill("Caller Kovalenko")
    form.get_by_role("radio", name="by phone").check()
    form.get_by_label("Topic").select_option(TOPIC)
    form.get_by_label("Cause").select_option(CAUSE)
    form.get_by_role("combobox", name="Street").press_sequentially(street["name"]["en"].split()[0][:5])
    page.get_by_role("option", name=street["name"]["en"]).click()
    form.get_by_label("House").fill(house)
    form.get_by_label("Flat").fill("9")
    form.get_by_label("What the caller says").fill("Low pressure on the upper floors since morning.")
    form.get_by_role("button", name="File the ticket").click()
    expect(page.locator("#filed")).to_be_visible()
    expect(page.locator("#filed")).to_contain_text("is filed")
    return page.locator("#filed-text").inner_text().split("No. ")[1].split(" ")[0]


def open_ticket(page, number: str):
    """Finds the ticket in the queue by its cause, the way staff narrow a long queue, and opens it."""
    page.get_by_role("link", name="Tickets", exact=True).click()
    page.get_by_text("Filters", exact=True).click()
    page.locator("#filters").get_by_label("Topic").select_option(TOPIC)
    page.locator("#filters").get_by_label("Cause").select_option(CAUSE)
    page.locator("#filters").get_by_role("button", name="Show").click()
    page.locator(f"#queue-list .ticket[data-number='{number}'] a").click()
    expect(page.locator("#ticket-title")).to_have_text(f"No. {number}")


def act(page, action: str, button: str, **fields):
    """Fills the command's form and sends it; waits for the page to say it is done."""
    form = page.locator(f"form[data-action='{action}']")
    for label, value in fields.items():
        form.get_by_label(label.replace("_", " ")).fill(value)
    form.get_by_role("button", name=button).click()
    expect(page.locator("#t-done")).to_be_visible()


def test_a_ticket_goes_from_a_callers_phone_call_through_a_second_round_to_an_inspectors_order(server, watched, tmp_path):
    page = watched.page
    operator, executor, inspector = (server.demo_account("operator"), server.demo_account("executor", EXECUTOR),
                                     server.demo_account("inspector"))

    watched.staff_sign_in(server, "en", *operator)
    expect(page.locator("#staff-role")).to_have_text("operator")
    number = file_for_caller(page, "+380 67 555 07 01", "31")
    page.get_by_role("link", name="Open the ticket").click()
    # The contact only on asking for it, which is recorded.
    expect(page.locator("#t-reporter")).to_have_text("Shown on request; every showing is recorded.")
    expect(page.locator("#t-phone")).to_have_text("—")
    page.get_by_role("button", name="Show the contact").click()
    expect(page.locator("#t-phone")).to_have_text("+380675550701")
    expect(page.locator("#t-reporter")).to_have_text("Caller Kovalenko")
    watched.staff_sign_out()

    watched.staff_sign_in(server, "en", *executor)
    open_ticket(page, number)
    # Only what the API lists for the executor now: nothing an operator or inspector does.
    expect(page.locator("form[data-action]:visible")).to_have_count(2)
    expect(page.locator("form[data-action='accept']")).to_be_visible()
    expect(page.locator("form[data-action='comment']")).to_be_visible()
    act(page, "accept", "Take into work")
    page.locator("form[data-action='report_done']").get_by_label("Add a photo").set_input_files(str(photo_file(tmp_path)))
    expect(page.get_by_role("img", name="Photo 1")).to_be_visible()
    act(page, "report_done", "Report done", What_was_done="Raised the pump pressure at the station.")
    expect(page.locator("#t-history > li[data-command='report_done'] img")).to_have_count(1)
    expect(page.locator("#t-badges")).to_contain_text("Done, awaiting confirmation")
    watched.staff_sign_out()

    watched.staff_sign_in(server, "en", *operator)
    open_ticket(page, number)
    act(page, "callback_unsatisfied", "Send back to the executor", What_is_still_wrong="Still weak on the 9th floor.")
    expect(page.locator("#t-badges")).to_contain_text("Second round")
    expect(page.locator("#t-badges")).to_contain_text("second round")
    act(page, "escalate", "Escalate", Why="Second complaint in a week.")
    expect(page.locator("#t-badges")).to_contain_text("With the housing inspectorate")
    watched.staff_sign_out()

    watched.staff_sign_in(server, "en", *inspector)
    open_ticket(page, number)
    page.get_by_label("Do by (city time)").fill("2031-03-01T12:00")
    act(page, "order", "Issue the order", What_must_be_done="Replace the booster pump.")
    expect(page.locator("#t-badges")).to_contain_text("In progress")
    expect(page.locator("#t-due")).to_contain_text("2031")

    history = page.locator("#t-history > li")
    steps = [(item.get_attribute("data-command"), item.locator(".actor").inner_text()) for item in history.all()]
    staff_names = {role: server.staff_name(username) for role, (username, _) in
                   {"operator": operator, "executor": executor, "inspector": inspector}.items()}
    assert ("file", f"operator {staff_names['operator']}") in steps
    assert [step for step in steps if step[0] != "file" and step[0] != "route"] == [
        ("accept", f"executor {staff_names['executor']}"),
        ("report_done", f"executor {staff_names['executor']}"),
        ("callback_unsatisfied", f"operator {staff_names['operator']}"),
        ("escalate", f"operator {staff_names['operator']}"),
        ("order", f"inspector {staff_names['inspector']}"),
    ]
    expect(history.filter(has_text="Replace the booster pump.")).to_have_count(1)
    clean(watched)


def test_a_wrong_password_is_said_in_words_and_an_account_with_totp_asks_for_its_code(sqlite_server, browser):
    watched = Watched(browser, sqlite_server.url, width=320)
    page = watched.page
    secret = totp.new_secret()
    username, password = sqlite_server.staff_account("operator", secret)
    page.goto(f"{sqlite_server.url}/en/admin/")
    form = page.locator("#signin-form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill("not the password at all")
    form.get_by_label("Password").press("Enter")
    expect(form.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(form.get_by_label("Password")).to_have_attribute("aria-invalid", "true")

    form.get_by_label("Password").fill(password)
    form.get_by_label("Password").press("Enter")
    expect(form.get_by_role("alert")).to_have_text("Enter the 6-digit code from your authenticator app.")
    expect(form.get_by_label("Code from the authenticator app")).to_be_focused()
    page.keyboard.type(totp.code_at(secret, datetime.now(timezone.utc)))
    page.keyboard.press("Enter")
    expect(page.locator("#queue")).to_be_visible()
    expect(page.locator("#staff-name")).to_have_text(f"Operator {username[-4:]}")
    clean(watched, "/api/admin/login")
    watched.close()


def test_a_command_on_a_ticket_someone_else_just_changed_is_refused_and_the_page_offers_to_reload(sqlite_server, browser):
    operator = sqlite_server.demo_account("operator")
    first, second = Watched(browser, sqlite_server.url), Watched(browser, sqlite_server.url)
    first.staff_sign_in(sqlite_server, "en", *operator)
    number = file_for_caller(first.page, "+380 67 555 07 02", "32")
    first.page.get_by_role("link", name="Open the ticket").click()
    expect(first.page.locator("#ticket-title")).to_have_text(f"No. {number}")
    second.staff_sign_in(sqlite_server, "en", *operator)
    second.page.goto(first.page.url)
    expect(second.page.locator("#ticket-title")).to_have_text(f"No. {number}")

    act(first.page, "comment", "Add the note", Note="The caller phoned again.")
    form = second.page.locator("form[data-action='comment']")
    form.get_by_label("Note").fill("Another note, from the old view.")
    form.get_by_role("button", name="Add the note").click()
    stale = second.page.locator("#t-stale")
    expect(stale).to_contain_text("The ticket has just been changed by someone else")
    expect(second.page.locator("#t-history")).not_to_contain_text("The caller phoned again.")
    stale.get_by_role("button", name="Reload the ticket").click()
    expect(stale).to_be_hidden()
    expect(second.page.locator("#t-history")).to_contain_text("The caller phoned again.")
    expect(second.page.locator("#t-history")).not_to_contain_text("Another note, from the old view.")
    clean(first)
    clean(second, "/comment")
    first.close()
    second.close()


def test_filing_for_a_caller_shows_open_tickets_of_the_cause_at_the_address_and_merges_into_one(server, watched):
    page = watched.page
    watched.staff_sign_in(server, "en", *server.demo_account("operator"))
    kept = file_for_caller(page, "+380 67 555 07 03", "33")
    page.get_by_role("button", name="File another ticket").click()
    again = file_for_caller(page, "+380 67 555 07 04", "33")
    assert again != kept
    page.get_by_role("button", name=f"Merge into No. {kept}").click()
    expect(page.locator("#filed-text")).to_have_text(f"The new ticket is merged into No. {kept}.")
    page.get_by_role("link", name="Open the ticket").click()
    expect(page.locator("#t-badges")).to_contain_text("Merged with another ticket")
    clean(watched)


def test_the_similar_tickets_show_while_the_operator_fills_the_form(sqlite_server, browser):
    watched = Watched(browser, sqlite_server.url)
    page = watched.page
    watched.staff_sign_in(sqlite_server, "en", *sqlite_server.demo_account("operator"))
    number = file_for_caller(page, "+380 67 555 07 05", "34")
    page.get_by_role("button", name="File another ticket").click()
    form = page.locator("#file-form")
    street = labels("streets.json")[0]
    form.get_by_label("Topic").select_option(TOPIC)
    form.get_by_label("Cause").select_option(CAUSE)
    form.get_by_role("combobox", name="Street").press_sequentially(street["name"]["en"].split()[0][:5])
    page.get_by_role("option", name=street["name"]["en"]).click()
    form.get_by_label("House").fill("34")
    form.get_by_label("House").press("Tab")
    expect(page.locator("#file-similar")).to_be_visible()
    expect(page.locator("#file-similar-list")).to_contain_text(f"No. {number}")
    clean(watched)
    watched.close()


def file_through_the_api(server, account: tuple, count: int, street: str, cause: str):
    """`count` tickets filed for callers by the operator `account`, over HTTP."""
    with requests.Session() as http:
        http.post(f"{server.url}/api/admin/login",
                  json={"username": account[0], "password": account[1]}).raise_for_status()
        for house in range(1, count + 1):
            http.post(f"{server.url}/api/admin/tickets", json={
                "caller": {"phone": f"+380 67 555 {house:02d} 99", "name": ""}, "channel": "office", "cause": cause,
                "address": {"street": street, "house": str(house)}, "description": "Meter seal broken.",
            }).raise_for_status()


def test_the_queue_filters_counts_pages_and_exports_what_it_shows(sqlite_server, browser):
    watched = Watched(browser, sqlite_server.url, width=320)
    page = watched.page
    operator = sqlite_server.demo_account("operator")
    street = labels("streets.json")[-1]
    file_through_the_api(sqlite_server, operator, 26, street["code"], "water.meter")
    watched.staff_sign_in(sqlite_server, "en", *operator)

    page.get_by_text("Filters", exact=True).click()
    filters = page.locator("#filters")
    filters.get_by_label("Topic").select_option("water")
    filters.get_by_label("Cause").select_option("water.meter")
    filters.get_by_role("combobox", name="Street").press_sequentially(street["name"]["en"][:6])
    page.get_by_role("option", name=street["name"]["en"]).click()
    filters.get_by_role("button", name="Show").click()
    summary = page.locator("#queue-summary")
    expect(summary).to_have_text("Tickets on this page: 25. Page 1.")
    expect(page.get_by_role("button", name="All: 26")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#queue-list .ticket").first).to_contain_text(street["name"]["en"])

    page.get_by_role("button", name="Next page").click()
    expect(summary).to_have_text("Tickets on this page: 1. Page 2.")
    expect(page.get_by_role("button", name="Next page")).to_be_hidden()
    page.get_by_role("button", name="Previous page").click()
    expect(summary).to_have_text("Tickets on this page: 25. Page 1.")

    page.get_by_role("button", name="new: 0").click()
    expect(page.get_by_role("button", name="new: 0")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#queue-list")).to_have_text("No tickets match.")
    page.get_by_role("button", name="All: 26").click()

    filters.get_by_label("Executor").select_option("zhek-12")
    filters.get_by_role("button", name="Show").click()
    expect(page.locator("#queue-list")).to_have_text("No tickets match.")
    filters.get_by_label("Executor").select_option(EXECUTOR)
    filters.get_by_label("Filed until").fill("2020-01-31")
    filters.get_by_role("button", name="Show").click()
    expect(page.locator("#queue-list")).to_have_text("No tickets match.")
    filters.get_by_label("Filed until").fill("")
    filters.get_by_label("Order").select_option("desc")
    filters.get_by_role("button", name="Show").click()
    expect(summary).to_have_text("Tickets on this page: 25. Page 1.")

    export = page.request.get(urljoin(page.url, page.locator("#export").get_attribute("href")))
    assert export.status == 200 and export.headers["content-type"].startswith("text/csv")
    assert len(export.text().lstrip("\ufeff").splitlines()) == 1 + 26
    clean(watched)
    watched.close()


def test_the_staff_page_opens_at_admin_in_the_city_language_and_switches_language(server, watched):
    page = watched.page
    page.goto(f"{server.url}/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Сторінка працівників")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{server.url}/en/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff page")
    clean(watched)


def test_an_operator_publishes_an_outage_and_closes_it_when_the_water_is_back(server, watched):
    page = watched.page
    street = labels("streets.json")[1]
    watched.staff_sign_in(server, "en", *server.demo_account("operator"))
    page.get_by_role("link", name="Outages").click()
    form = page.locator("#outage-form")
    form.get_by_label("What is off").select_option("water")
    form.get_by_label("Area").fill("Riverside, blocks 3 to 5")
    form.get_by_label("Since (city time)").fill("2026-11-23T08:00")
    form.get_by_label("Expected back (city time)").fill("2031-11-23T20:00")
    form.get_by_role("combobox", name="Street").press_sequentially(street["name"]["en"][:6])
    page.get_by_role("option", name=street["name"]["en"]).click()
    form.get_by_label("Houses").fill("3, 5")
    form.get_by_role("button", name="Add the street").click()
    expect(page.locator("#outage-addresses")).to_contain_text(f"{street['name']['en']}: 3, 5")
    form.get_by_label("Reason").fill("A burst main is being replaced.")
    form.get_by_role("button", name="Publish").click()

    notice = page.locator("#outage-list li", has_text="Riverside, blocks 3 to 5")
    expect(notice).to_contain_text(f"{street['name']['en']}: 3, 5")
    notice.get_by_role("button", name="Close: the supply is back").click()
    expect(notice).to_have_count(0)
    page.get_by_label("Show", exact=True).select_option("closed")
    expect(page.locator("#outage-list li", has_text="Riverside, blocks 3 to 5")).to_contain_text("closed")
    clean(watched)


def test_an_admin_makes_an_executor_account_resets_its_password_and_it_signs_in_with_the_one_shown(
        server, browser, tmp_path):
    admin = Watched(browser, server.url)
    page = admin.page
    admin.staff_sign_in(server, "en", *server.demo_account("admin"))
    page.get_by_role("link", name="Administration").click()
    expect(page.locator("#organisation-list")).to_contain_text("Dniprovodokanal")
    username = f"pump-{datetime.now().strftime('%H%M%S%f')}"
    form = page.locator("#staff-form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Name shown in histories").fill("Petro Pump")
    form.get_by_label("Role").select_option("executor")
    form.get_by_label("Executor").select_option(EXECUTOR)
    form.get_by_role("button", name="Create the account").click()
    given = page.locator("#staff-password")
    expect(given).to_contain_text(f"Password of {username}: ")
    first = given.inner_text()
    row = page.locator(f"#staff-list tr[data-username='{username}']")
    expect(row).to_contain_text("executor")
    row.get_by_role("button", name="New password").click()
    expect(given).not_to_have_text(first)
    password = given.inner_text().split(": ", 1)[1].split(" — ")[0]

    cause = page.locator("#cause-list tr[data-cause='waste.overflowing']")
    cause.get_by_role("combobox").first.select_option("short")
    cause.get_by_role("button", name="Save").click()
    expect(cause.get_by_role("button", name="Saved.")).to_be_visible()

    bad = tmp_path / "buildings.csv"
    bad.write_text("street,house,district,management_company\nno-such-street,1,tsentralnyi,zhek-12\n", encoding="utf-8")
    page.get_by_label("Buildings, as a CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#registry-error")).to_be_visible()
    expect(page.locator("#registry-done")).to_be_hidden()

    page.locator("#key-form").get_by_label("Who the key is for").fill("City app")
    page.locator("#key-form").get_by_role("button", name="Create a key").click()
    expect(page.locator("#key-given")).to_contain_text("The key for City app: ")
    page.locator("#key-list li", has_text="City app").get_by_role("button", name="Revoke").click()
    expect(page.locator("#key-list li", has_text="City app")).to_contain_text("revoked")
    clean(admin, "/api/admin/registry/buildings")
    admin.close()

    executor = Watched(browser, server.url)
    executor.staff_sign_in(server, "en", username, password)
    expect(executor.page.locator("#staff-name")).to_have_text("Petro Pump")
    expect(executor.page.get_by_role("link", name="Administration")).to_be_hidden()
    clean(executor)
    executor.close()


def test_a_member_changes_their_password_and_turns_on_two_step_sign_in(sqlite_server, browser):
    watched = Watched(browser, sqlite_server.url, width=320)
    page = watched.page
    username, password = sqlite_server.staff_account("inspector")
    watched.staff_sign_in(sqlite_server, "en", username, password)
    page.get_by_role("link", name="My account").click()
    form = page.locator("#password-form")
    form.get_by_label("Current password").fill(password)
    form.get_by_label("New password").fill("correct horse battery staple")
    form.get_by_role("button", name="Change the password").click()
    expect(page.locator("#password-done")).to_be_visible()

    expect(page.locator("#totp-state")).to_have_text("Off: signing in asks for the password only.")
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#totp-confirm-form")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.locator("#totp-confirm-form").get_by_label("Code from the authenticator app").fill(
        totp.code_at(secret, datetime.now(timezone.utc)))
    page.locator("#totp-confirm-form").get_by_role("button", name="Turn on").click()
    expect(page.locator("#totp-state")).to_have_text("On: signing in asks for a code from your authenticator app.")
    watched.staff_sign_out()

    form = page.locator("#signin-form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill("correct horse battery staple")
    form.get_by_role("button", name="Sign in").click()
    # The next step's code: the one just used to turn it on is spent.
    form.get_by_label("Code from the authenticator app").fill(
        totp.code_at(secret, datetime.now(timezone.utc) + timedelta(seconds=totp.STEP_SECONDS)))
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("#queue")).to_be_visible()
    clean(watched, "/api/admin/login")
    watched.close()


def test_an_executor_finds_no_ticket_of_another_organisation_even_by_its_address(sqlite_server, browser):
    watched = Watched(browser, sqlite_server.url)
    page = watched.page
    watched.staff_sign_in(sqlite_server, "en", *sqlite_server.demo_account("operator"))
    file_for_caller(page, "+380 67 555 07 06", "35")
    link = page.locator("#filed-open").get_attribute("href")
    watched.staff_sign_out()

    watched.staff_sign_in(sqlite_server, "en", *sqlite_server.demo_account("executor", "zhek-12"))
    page.goto(f"{sqlite_server.url}/en/admin/{link}")
    expect(page.locator("#page-error")).to_be_visible()
    expect(page.locator("#ticket")).to_be_hidden()
    expect(page.locator("#t-reporter")).not_to_contain_text("Caller Kovalenko")
    clean(watched, "/api/admin/tickets/")
    watched.close()


def test_a_slow_answer_does_not_pull_the_operator_out_of_the_field_they_are_typing_in(sqlite_server, browser):
    watched = Watched(browser, sqlite_server.url)
    page = watched.page
    watched.staff_sign_in(sqlite_server, "en", *sqlite_server.demo_account("operator"))
    held = []
    page.route("**/api/admin/outages?*", lambda route: held.append(route))
    with page.expect_request("**/api/admin/outages?*"):
        page.get_by_role("link", name="Outages").click()
    area = page.locator("#outage-form").get_by_label("Area")
    area.fill("Typed while the list was on its way")
    held[0].continue_()
    expect(page.locator("#outage-list li").first).to_be_visible()
    expect(area).to_be_focused()
    clean(watched)
    watched.close()


def dead_letter(server, ticket_id: str) -> OutboxMessage:
    """An SMS to a resident that failed all its tries, written into the server's outbox.
    Urgent: sent again, it goes out at any hour of the day the test runs."""
    failed = datetime.now(timezone.utc) - timedelta(hours=1)
    message = OutboxMessage(
        id=uuid.uuid4().hex, to="+380675550871", text="Your ticket is taken into work.", created_at=failed,
        next_attempt_at=failed, ticket_id=ticket_id, kind="taken", urgent=True, status=DEAD, tries=5,
        last_error='provider answered 503: {"error":"upstream_gateway_timeout_while_delivering_the_message"}')
    server.storage().outbox.add([message])
    return message


def phone_cap_alert(server) -> None:
    """The e-mail the outbox sends the admin when a phone reaches its daily SMS limit. Dated
    by the UTC day: the city's clock runs ahead of UTC, so that is today or yesterday there."""
    now = datetime.now(timezone.utc)
    server.storage().outbox.add([OutboxMessage(
        id=outbox.alert_id(outbox.PHONE_CAP, now.date()), to="contacts@example.org",
        text="A phone reached the limit.", created_at=now, next_attempt_at=now, kind=outbox.PHONE_CAP,
        channel=EMAIL, status=SENT, tries=1, sent_at=now)])


def test_an_operator_sees_a_dead_letter_masked_and_an_admin_sends_it_again_from_the_keyboard(sqlite_server, browser):
    with requests.Session() as http:
        http.post(f"{sqlite_server.url}/api/admin/login", json=dict(zip(
            ("username", "password"), sqlite_server.demo_account("operator")))).raise_for_status()
        filed = http.post(f"{sqlite_server.url}/api/admin/tickets", json={
            "caller": {"phone": "+380 67 555 08 71", "name": ""}, "channel": "phone", "cause": CAUSE,
            "address": {"street": labels("streets.json")[0]["code"], "house": "71"}, "description": "No water.",
        }).json()
    message = dead_letter(sqlite_server, filed["id"])
    phone_cap_alert(sqlite_server)
    watched = Watched(browser, sqlite_server.url, width=320)
    page = watched.page
    watched.staff_sign_in(sqlite_server, "en", *sqlite_server.demo_account("operator"))
    page.get_by_role("link", name="Outbox").click()
    expect(page.locator("#outbox-held")).to_have_text(re.compile(r"sent later .*: \d+$"))
    expect(page.locator("#outbox-alerts")).to_contain_text("citydesk: a phone reached the daily SMS limit")
    expect(page.locator("#outbox-alerts")).to_contain_text("the administrator was e-mailed")
    letter = page.locator(f"#outbox-dead li[data-message='{message.id}']")
    expect(letter).to_contain_text("taken into work")
    expect(letter).to_contain_text(f"SMS to {outbox.masked_address(message)}")
    expect(letter).not_to_contain_text(message.to)
    expect(letter).to_contain_text("Tries: 5")
    expect(letter).to_contain_text("Last error: provider answered 503")
    expect(letter.get_by_role("button")).to_have_count(0)
    # Nothing, not even a long error or address, makes a 320 px screen scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    letter.get_by_role("link", name=f"Open ticket No. {filed['number']}").click()
    expect(page.locator("#ticket-title")).to_have_text(f"No. {filed['number']}")
    watched.staff_sign_out()

    watched.staff_sign_in(sqlite_server, "en", *sqlite_server.demo_account("admin"))
    page.get_by_role("link", name="Outbox").press("Enter")
    letter.get_by_role("button", name="Send again").press("Enter")
    expect(page.locator("#outbox-done")).to_have_text("The message went out.")
    expect(page.locator("#outbox-done")).to_be_focused()
    expect(letter).to_have_count(0)
    assert sqlite_server.storage().outbox.get(message.id).status == SENT
    clean(watched)
    watched.close()


def test_a_request_a_partner_files_through_open311_shows_the_partner_and_its_photo_link(sqlite_server, browser):
    accounts = json.loads((sqlite_server.var / "demo-accounts.json").read_text(encoding="utf-8"))
    api_key = next(a["api_key"] for a in accounts if a["role"] == "open311")
    photo = "https://photos.example.org/partner/42.jpg"
    filed = requests.post(f"{sqlite_server.url}/api/open311/v2/requests.xml", timeout=10, data={
        "api_key": api_key, "service_code": CAUSE, "address_id": "yavornytskoho-ave:8", "media_url": photo,
        "description": "Low pressure on the fifth floor, sent from the city app."})
    assert filed.status_code == 201, filed.text
    number = re.search(r"<service_request_id>(\d+)</service_request_id>", filed.text)[1]
    watched = Watched(browser, sqlite_server.url)
    watched.staff_sign_in(sqlite_server, "en", *sqlite_server.demo_account("operator"))

    open_ticket(watched.page, number)

    link = watched.page.locator("#t-media a")
    expect(link).to_have_text(photo)
    assert (link.get_attribute("href"), link.get_attribute("rel")) == (photo, "noopener noreferrer")
    expect(watched.page.locator("#t-history")).to_contain_text("Demo partner")
    clean(watched)
    watched.close()
