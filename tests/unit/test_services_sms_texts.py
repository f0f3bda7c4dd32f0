"""The SMS citydesk sends: in the reader's language, in the city's time, in one
segment where it can and two at most, with the longest values the data holds."""

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from chalicelib.domain.city import City
from chalicelib.domain.sms import segments
from chalicelib.services import sms_texts
from chalicelib.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "functions/chalicelib/data"
CITY = City.from_data(json.loads((DATA / "city.json").read_text(encoding="utf-8")))
WINTER_DUE = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
SUMMER_DUE = datetime(2026, 7, 1, 21, 30, tzinfo=timezone.utc)
LANGUAGES = ("uk", "ru", "en")


def longest(lang: str, data: str, names) -> str:
    return max(names(json.loads((DATA / data).read_text(encoding="utf-8"))), key=len)[lang]


def worst_case(lang: str) -> dict:
    """Each value as long as it gets: a 7-digit number, the longest cause,
    organisation and street the demo data names, the demo site's link."""
    return {
        "number": "9999999", "other": "9999998", "due": sms_texts.local_time(CITY, WINTER_DUE),
        "organisation": longest(lang, "organisations.json", lambda data: [o["name"] for o in data]),
        "cause": longest(lang, "catalogue.json", lambda data: [c["name"] for t in data for c in t["causes"]]),
        "address": longest(lang, "streets.json", lambda data: [s["name"] for s in data]) + ", 125А",
        "link": f"{Settings.site_url}/{lang}/t.html?9999999", "reason": "Not a municipal matter. " * 40,
        "amount": "1000000",
    }


@pytest.mark.parametrize("lang, text", [
    ("uk", "Код для входу: 042917. Дійсний 10 хв. Нікому його не повідомляйте."),
    ("ru", "Код для входа: 042917. Действует 10 мин. Никому его не сообщайте."),
    ("en", "Sign-in code: 042917. Valid for 10 min. Do not tell it to anyone."),
])
def test_the_sign_in_code_text_in_each_language(lang, text):
    assert sms_texts.sign_in_code(lang, "042917", 10) == text


@pytest.mark.parametrize("lang, text", [
    ("uk", "Звернення № 1000051 прийнято. Виконати до 24.11.2026 11:00."),
    ("ru", "Обращение № 1000051 принято. Выполнить до 24.11.2026 11:00."),
    ("en", "Request No. 1000051 is accepted. Due by 24.11.2026 11:00."),
])
def test_the_filed_text_gives_the_number_and_the_deadline_in_kyiv_time(lang, text):
    assert sms_texts.notice(lang, "filed", number="1000051", due=sms_texts.local_time(CITY, WINTER_DUE)) == text


def test_summer_time_is_three_hours_ahead_and_may_change_the_date():
    assert sms_texts.local_time(CITY, SUMMER_DUE) == "02.07.2026 00:30"


def test_the_sign_in_code_fits_one_segment_in_every_language():
    assert [segments(sms_texts.sign_in_code(lang, "999999", 10)) for lang in LANGUAGES] == [1, 1, 1]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(sms_texts.NOTICES))
def test_every_notice_fits_two_segments_with_the_longest_values(lang, kind):
    text = sms_texts.notice(lang, kind, **worst_case(lang))
    assert "{" not in text and 1 <= segments(text) <= sms_texts.MAX_SEGMENTS


def test_most_notices_fit_one_segment_even_with_the_longest_values():
    counts = [segments(sms_texts.notice(lang, kind, **worst_case(lang)))
              for lang in LANGUAGES for kind in sms_texts.NOTICES]
    assert counts.count(1) > len(counts) * 2 / 3


@pytest.mark.parametrize("lang, ellipsis", [("uk", "…"), ("en", "...")])
def test_a_long_reason_is_cut_to_fit_with_an_ellipsis_that_keeps_the_encoding(lang, ellipsis):
    text = sms_texts.notice(lang, "rejected", number="1000051", reason="Not a municipal matter. " * 40)
    assert text.endswith(ellipsis) and segments(text) == 2
    assert text.startswith(sms_texts.notice(lang, "rejected", number="1000051", reason="Not a municipal matter."))


def test_a_short_reason_is_kept_whole():
    assert sms_texts.notice("en", "rejected", number="1000051", reason="A duplicate.") == \
        "Request No. 1000051 is rejected: A duplicate."


def test_an_organisation_name_an_admin_made_very_long_is_cut_too():
    text = sms_texts.notice("uk", "taken", number="1000051", organisation="Комунальне підприємство " * 10)
    assert text.endswith("підприємство….") and segments(text) == 2
