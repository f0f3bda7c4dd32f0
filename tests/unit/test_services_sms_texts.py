"""The SMS residents get: in their language, in the city's time, in one segment."""

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from chalicelib.domain.city import City
from chalicelib.services import sms_texts

CITY = City.from_data(json.loads(
    (Path(__file__).resolve().parents[2] / "functions/chalicelib/data/city.json").read_text(encoding="utf-8")))
# One SMS holds 70 characters once any is Cyrillic (UCS-2); a longer text is sent, and paid, twice.
ONE_SEGMENT = 70
WINTER_DUE = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
SUMMER_DUE = datetime(2026, 7, 1, 21, 30, tzinfo=timezone.utc)


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
    assert sms_texts.ticket_filed(lang, CITY, "1000051", WINTER_DUE) == text


def test_summer_time_is_three_hours_ahead_and_may_change_the_date():
    assert sms_texts.ticket_filed("en", CITY, "1000051", SUMMER_DUE).endswith("Due by 02.07.2026 00:30.")


@pytest.mark.parametrize("lang", ["uk", "ru", "en"])
def test_every_text_fits_one_sms_with_the_longest_values(lang):
    assert len(sms_texts.sign_in_code(lang, "999999", 10)) <= ONE_SEGMENT
    assert len(sms_texts.ticket_filed(lang, CITY, "99999999999", WINTER_DUE)) <= ONE_SEGMENT
