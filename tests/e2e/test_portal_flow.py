"""The resident's whole journey in a real Chromium against the real local server, on
SQLite and on the DynamoDB adapters over moto, in Ukrainian and in Russian: sign in
with the code from the SMS log, file a ticket with a photo, find it in the cabinet,
send it back when the executor reports it done, see the second round, confirm the
next "done" and rate the work. No console error, no CSP violation, nothing fetched
from anywhere but the site itself."""

import io
import re
from urllib.parse import urljoin

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.browser import Watched, labels, photo_file

pytestmark = pytest.mark.e2e

# What the resident reads in each language, as the catalogues have it.
TEXTS = {
    "uk": {
        "heading": "Повідомити про проблему", "deadline": "аварійна: термін — 6 годин", "next": "Далі",
        "send": "Надіслати", "assigned": "Передано виконавцю", "done": "Виконано, чекає підтвердження",
        "second_round": "Повторний розгляд", "closed": "Закрито", "sent_back": "друге коло",
        "confirmed": "Дякуємо. Звернення закрито.", "rated": "Дякуємо за оцінку.", "stars": "4 з 5",
        "refute": "Повернути на доопрацювання", "confirm": "Так, виконано", "rate": "Оцінити",
        "photo": "Фото 1",
    },
    "ru": {
        "heading": "Сообщить о проблеме", "deadline": "аварийная: срок — 6 часов", "next": "Далее",
        "send": "Отправить", "assigned": "Передано исполнителю", "done": "Выполнено, ждёт подтверждения",
        "second_round": "Повторное рассмотрение", "closed": "Закрыто", "sent_back": "второй круг",
        "confirmed": "Спасибо. Обращение закрыто.", "rated": "Спасибо за оценку.", "stars": "4 из 5",
        "refute": "Вернуть на доработку", "confirm": "Да, выполнено", "rate": "Оценить",
        "photo": "Фото 1",
    },
}
PHONES = {"uk": "+380 67 555 01 23", "ru": "+380 67 555 02 34"}


@pytest.fixture
def watched(browser, server):
    page = Watched(browser, server.url)
    yield page
    page.close()


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_a_resident_files_with_a_photo_refutes_the_first_done_confirms_the_second_and_rates(
        server, watched, lang, tmp_path):
    say = TEXTS[lang]
    page = watched.page
    topic = next(t for t in labels("catalogue.json") if any(c["sla_class"] == "emergency" for c in t["causes"]))
    cause = next(c for c in topic["causes"] if c["sla_class"] == "emergency")
    street = labels("streets.json")[0]

    watched.sign_in(server, lang, PHONES[lang], "report.html")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", name=say["heading"], exact=True)).to_be_visible()

    page.get_by_role("radio", name=topic["name"][lang], exact=True).check()
    page.get_by_role("button", name=say["next"]).click()
    choice = page.locator("label.choice", has=page.locator(f"input[value='{cause['code']}']"))
    expect(choice).to_contain_text(say["deadline"])
    choice.click()
    page.get_by_role("button", name=say["next"]).click()
    page.get_by_role("combobox").press_sequentially(street["name"][lang].split()[-1][:5])
    page.get_by_role("option", name=street["name"][lang]).click()
    page.locator("#house").fill("10")
    page.locator("#flat").fill("7")
    page.get_by_role("button", name=say["next"]).click()
    page.locator("#description").fill("Water is gone since six in the morning.")
    page.reload()
    expect(page.locator("#description")).to_have_value("Water is gone since six in the morning.")
    page.get_by_role("button", name=say["next"]).click()

    page.locator("#photo").set_input_files(str(photo_file(tmp_path)))
    expect(page.get_by_role("img", name=say["photo"])).to_be_visible()
    page.get_by_role("button", name=say["next"]).click()
    expect(page.locator("#review-deadline")).to_have_text(say["deadline"])
    page.get_by_role("button", name=say["send"]).click()

    expect(page.locator("#sent")).to_be_visible()
    number = page.locator("#sent-number").inner_text()
    assert re.fullmatch(r"\d+", number)
    assert re.fullmatch(r"[0-9a-f-]{32,36}", watched.sent[-1].headers["idempotency-key"])
    assert len(watched.sent[-1].post_data_json["photos"]) == 1

    page.goto(f"{server.url}/{lang}/cabinet.html")
    mine = page.locator(f"#current .ticket[data-number='{number}']")
    expect(mine).to_contain_text(cause["name"][lang])
    expect(mine).to_contain_text(say["assigned"])

    server.staff(number, "accept", "report_done")
    mine.get_by_role("link").click()
    expect(page.locator("#badges")).to_contain_text(say["done"])
    expect(page.locator("#t-photos img")).to_have_count(1)
    shown = page.request.get(urljoin(page.url, page.locator("#t-photos img").get_attribute("src")))
    stored = Image.open(io.BytesIO(shown.body()))
    # The browser shrank the 2.24-megapixel photo before uploading it.
    assert stored.format == "JPEG" and stored.width * stored.height <= 2_000_000
    page.locator("#refute-comment").fill("Still no water on the fifth floor.")
    page.get_by_role("button", name=say["refute"]).click()
    expect(page.locator("#action-done")).to_contain_text(say["sent_back"])

    page.goto(f"{server.url}/{lang}/cabinet.html")
    expect(page.locator(f"#current .ticket[data-number='{number}']")).to_contain_text(say["second_round"])

    server.staff(number, "accept", "report_done")
    page.locator(f"#current .ticket[data-number='{number}'] a").click()
    page.get_by_role("button", name=say["confirm"]).click()
    expect(page.locator("#action-done")).to_have_text(say["confirmed"])
    expect(page.locator("#badges")).to_contain_text(say["closed"])
    page.get_by_role("radio", name=say["stars"]).check()
    page.locator("#rate-comment").fill("Fixed the second time.")
    page.get_by_role("button", name=say["rate"], exact=True).click()
    expect(page.locator("#action-done")).to_have_text(say["rated"])
    expect(page.locator("#t-rating")).to_have_text(say["stars"])
    expect(page.locator("#rate-form")).to_be_hidden()

    page.goto(f"{server.url}/{lang}/cabinet.html")
    expect(page.locator(f"#completed .ticket[data-number='{number}']")).to_contain_text(say["closed"])

    assert watched.errors == []
    assert watched.violations() == []
    assert watched.foreign == []


def test_anyone_tracks_a_ticket_by_number_without_personal_data(server, watched):
    street = labels("streets.json")[0]
    page = watched.page
    watched.sign_in(server, "en", "+380 67 555 03 45", "report.html")
    number = file_quickly(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{server.url}/en/")
    page.goto(f"{server.url}/en/track.html?number={number}")
    expect(page.locator("#result")).to_contain_text(street["name"]["en"])
    expect(page.locator("#result")).not_to_contain_text("flat")
    assert watched.errors == [] and watched.violations() == [] and watched.foreign == []


def fill_to_review(page, house: str = "1"):
    """The first cause of the first topic at the first street, up to the review step."""
    page.locator("#topics input").first.check()
    page.locator("#next").click()
    page.locator("#causes label").first.click()
    page.locator("#next").click()
    page.locator("#street").press_sequentially(labels("streets.json")[0]["name"]["en"].split()[0][:4])
    page.locator("[role=option]").first.click()
    page.locator("#house").fill(house)
    page.locator("#flat").fill("12")
    page.locator("#next").click()
    page.locator("#description").fill("The lift is stuck.")
    page.locator("#next").click()
    page.locator("#next").click()


def file_quickly(page, house: str = "1") -> str:
    """Files a ticket (see fill_to_review); its number."""
    fill_to_review(page, house)
    page.locator("#send").click()
    expect(page.locator("#sent")).to_be_visible()
    return page.locator("#sent-number").inner_text()


def test_a_ticket_sent_offline_goes_with_its_location_when_the_connection_returns(server, browser):
    watched = Watched(browser, server.url, geolocation={"latitude": 48.4647, "longitude": 35.0462},
                      permissions=["geolocation"])
    page = watched.page
    watched.sign_in(server, "en", "+380 67 555 04 56", "report.html")
    page.locator("#topics input").first.check()
    page.locator("#next").click()
    page.locator("#causes label").first.click()
    page.locator("#next").click()
    page.locator("#street").press_sequentially(labels("streets.json")[0]["name"]["en"].split()[0][:4])
    page.locator("[role=option]").first.click()
    page.locator("#house").fill("2")
    page.get_by_role("button", name="Use my location").click()
    expect(page.locator("#located")).to_have_text("Location saved: 48.46470, 35.04620")
    page.locator("#next").click()
    page.locator("#description").fill("Sent from a basement with no signal.")
    page.locator("#next").click()
    page.locator("#next").click()

    watched.context.set_offline(True)
    page.locator("#send").click()
    expect(page.locator("#queued")).to_be_visible()
    watched.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    expect(page.locator("#sent")).to_be_visible()
    assert len({request.headers["idempotency-key"] for request in watched.sent}) == 1
    assert watched.sent[-1].post_data_json["lat"] == 48.4647 and watched.sent[-1].post_data_json["lon"] == 35.0462
    assert [error for error in watched.errors if "ERR_INTERNET_DISCONNECTED" not in error] == []
    assert watched.violations() == [] and watched.foreign == []
    watched.close()


def test_an_e_mailed_link_signs_in_only_when_the_resident_presses_the_button(server, watched):
    page = watched.page
    page.goto(f"{server.url}/en/signin.html")
    page.get_by_label("E-mail address").fill("resident@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator("#email-sent")).to_contain_text("resident@example.org")
    link = server.link_sent_to("resident@example.org")

    # What a mail scanner does: fetch the link. Nothing is spent, nobody is signed in.
    page.goto(server.url + link)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.request.get(server.url + "/api/me").status == 401

    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/en/cabinet.html")
    expect(page.locator("#mine")).to_be_visible()
    assert "#token" not in page.url
    assert watched.errors == [] and watched.violations() == [] and watched.foreign == []


def test_before_sending_the_resident_sees_open_tickets_of_the_same_cause_at_the_address(server, watched):
    page = watched.page
    watched.sign_in(server, "en", "+380 67 555 05 67", "report.html")
    number = file_quickly(page, house="77")
    page.get_by_role("button", name="Report another problem").click()
    fill_to_review(page, house="77")
    expect(page.locator("#similar")).to_be_visible()
    follow = page.locator("#similar-list .ticket", has_text=number).get_by_role("link", name="Follow this one instead")
    follow.click()
    page.wait_for_url(f"{server.url}/en/track.html?number={number}")
    expect(page.locator("#result-number")).to_contain_text(number)
    assert watched.errors == [] and watched.violations() == [] and watched.foreign == []


def test_a_failed_provider_sign_in_is_explained_on_the_sign_in_page(sqlite_server, browser):
    watched = Watched(browser, sqlite_server.url)
    watched.page.goto(f"{sqlite_server.url}/ru/signin.html#error=sign_in_failed")
    expect(watched.page.get_by_role("alert")).to_have_text("Не удалось войти. Попробуйте ещё раз.")
    assert "#error" not in watched.page.url
    assert watched.errors == [] and watched.violations() == []
    watched.close()
