"""The resident turns the SMS about their tickets off in the cabinet: the choice is
saved at once, survives a reload, and signing in again still works by SMS code."""

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Watched

pytestmark = pytest.mark.e2e

PHONE = "+380 67 555 07 89"


def test_unticking_status_sms_saves_it_and_the_next_sign_in_code_still_comes(sqlite_server, browser):
    watched = Watched(browser, sqlite_server.url)
    page = watched.page
    try:
        watched.sign_in(sqlite_server, "uk", PHONE)
        box = page.get_by_role("checkbox", name="SMS про мої заявки")
        expect(box).to_be_checked()

        with page.expect_response(lambda r: r.url.endswith("/api/me") and r.request.method == "PATCH") as patched:
            box.uncheck()
        assert json.loads(patched.value.request.post_data) == {"status_sms": False}
        expect(page.locator("#status-sms-saved")).to_have_text("Збережено: SMS про ваші заявки вимкнено.")

        page.reload()
        expect(box).not_to_be_checked()

        page.locator("#logout").click()
        page.wait_for_url("**/uk/")
        watched.sign_in(sqlite_server, "uk", PHONE)
        expect(box).not_to_be_checked()
        box.check()
        expect(page.locator("#status-sms-saved")).to_have_text("Збережено: SMS про ваші заявки увімкнено.")

        assert watched.errors == [] and watched.violations() == [] and watched.foreign == []
    finally:
        watched.close()
