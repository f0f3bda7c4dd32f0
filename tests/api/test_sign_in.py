"""Resident sign-in by phone: a code by SMS, a session cookie, and the limits around both."""

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib import bootstrap
from tests.api.client import PHONE, PHONE_E164


def ask(api, phone=PHONE, **headers):
    return api.post("/api/auth/phone", {"phone": phone}, headers=headers)


def verify(api, code, phone=PHONE):
    return api.post("/api/auth/phone/verify", {"phone": phone, "code": code})


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_goes_by_sms_to_the_normalised_number_and_is_valid_for_ten_minutes(api, sms):
    answer = ask(api, "+38 (050) 123-45-67")
    assert answer.status_code == 200
    assert api.json(answer) == {"phone": PHONE_E164, "expires_at": "2026-11-23T09:10:00Z"}
    assert [s.to for s in sms.sent] == [PHONE_E164]
    assert api.last_code() in sms.sent[0].text


def test_the_right_code_signs_in_with_a_secure_http_only_strict_cookie_for_the_api_only(api):
    ask(api)
    answer = verify(api, api.last_code())
    assert answer.status_code == 200
    me = api.json(answer)["resident"]
    assert me["phone"] == PHONE_E164 and me["language"] == "uk" and len(me["id"]) == 32
    cookie = answer.headers["Set-Cookie"]
    name_value, *attributes = [part.strip() for part in cookie.split(";")]
    assert name_value.startswith("citydesk_session=") and len(name_value) > 40
    assert set(attributes) == {"HttpOnly", "SameSite=Strict", "Path=/api", f"Max-Age={30 * 24 * 3600}", "Secure"}
    assert api.json(api.get("/api/me", headers={"Cookie": name_value})) == me


def test_the_cookie_is_not_secure_in_local_mode_where_the_server_speaks_plain_http(api, deps):
    bootstrap.override(replace(deps, settings=replace(deps.settings, local=True)))
    ask(api)
    cookie = verify(api, api.last_code()).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie


def test_neither_the_code_nor_the_session_token_is_stored_in_the_clear(api):
    ask(api)
    code = api.last_code()
    assert f'"{code}"' not in repr(api.snapshot()["codes"])
    token = verify(api, code).headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    stored = api.snapshot()
    assert stored["sessions"] and token not in repr(stored)


def test_a_new_resident_keeps_the_language_they_signed_in_with(api):
    ask(api, **{"Accept-Language": "ru-UA,ru;q=0.9,en;q=0.5"})
    answer = api.post("/api/auth/phone/verify", {"phone": PHONE, "code": api.last_code()},
                      headers={"Accept-Language": "ru-UA,ru;q=0.9,en;q=0.5"})
    assert api.json(answer)["resident"]["language"] == "ru"


def test_the_sms_speaks_the_language_of_the_request(api, sms):
    ask(api, **{"Accept-Language": "en"})
    assert sms.sent[-1].text.startswith("Sign-in code:")


def test_signing_in_again_finds_the_same_account(api):
    first = api.get("/api/me", headers=api.sign_in()).body
    second = api.get("/api/me", headers=api.sign_in("+380501234567")).body
    assert first == second
    assert api.count("users") == 1


def test_wrong_codes_count_down_and_the_fifth_uses_the_code_up(api):
    ask(api)
    code = api.last_code()
    answers = [verify(api, wrong(code)) for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert [api.error(a)["code"] for a in answers] == ["wrong_code"] * 4 + ["too_many_wrong_codes"]
    assert api.error(answers[0])["message"] == "Неправильний код. Залишилося спроб: 4."
    assert api.error(answers[3])["message"].endswith("1.")
    after = verify(api, code)
    assert after.status_code == 429 and api.error(after)["code"] == "too_many_wrong_codes"
    # Waiting does not help: a new code does.
    assert "Retry-After" not in after.headers
    assert api.snapshot()["sessions"] == []


def test_the_right_code_still_works_after_four_wrong_ones(api):
    ask(api)
    code = api.last_code()
    for _ in range(4):
        verify(api, wrong(code))
    assert verify(api, code).status_code == 200


def test_a_code_signs_in_once(api):
    ask(api)
    code = api.last_code()
    assert verify(api, code).status_code == 200
    again = verify(api, code)
    assert again.status_code == 401 and api.error(again)["code"] == "code_expired"


def test_a_new_code_replaces_the_earlier_one(api):
    ask(api)
    first = api.last_code()
    ask(api)
    second = api.last_code()
    if first != second:  # one time in a million the new code is the old one
        assert verify(api, first).status_code == 401
    assert verify(api, second).status_code == 200


def test_a_code_expires_after_ten_minutes(api, clock):
    ask(api)
    code = api.last_code()
    clock.advance(timedelta(minutes=11))
    before = api.snapshot()
    answer = verify(api, code)
    assert answer.status_code == 401 and api.error(answer)["code"] == "code_expired"
    assert api.snapshot() == before


def test_a_code_never_asked_for_is_refused_and_writes_nothing(api):
    before = api.snapshot()
    answer = verify(api, "123456")
    assert answer.status_code == 401 and api.error(answer)["code"] == "code_expired"
    assert api.snapshot() == before


def test_three_codes_per_phone_per_hour_then_429_until_the_next_hour(api, clock, sms):
    assert [ask(api).status_code for _ in range(3)] == [200, 200, 200]
    fourth = ask(api)
    assert fourth.status_code == 429
    assert api.error(fourth) == {"code": "too_many_codes",
                                 "message": "Запитано забагато кодів. Спробуйте знову після 12:00."}
    # The clock stands at 11:00 in Kyiv: the hour's window ends in an hour.
    assert fourth.headers["Retry-After"] == "3600"
    assert len(sms.sent) == 3
    assert ask(api, "+380671112233").status_code == 200
    clock.advance(timedelta(hours=1))
    assert ask(api).status_code == 200


def test_one_client_may_not_ask_codes_for_many_phones(api, deps):
    bootstrap.override(replace(deps, settings=replace(deps.settings, codes_per_client_per_hour=2)))
    assert ask(api, "+380671112201").status_code == 200
    assert ask(api, "+380671112202").status_code == 200
    third = ask(api, "+380671112203")
    assert third.status_code == 429 and api.error(third)["code"] == "too_many_codes"
    other_client = ask(api, "+380671112204", **{"CloudFront-Viewer-Address": "198.51.100.7:50123"})
    assert other_client.status_code == 200


@pytest.mark.parametrize("phone, code", [
    ("12345", "bad_phone"),
    ("not a phone", "bad_phone"),
    ("+380 12 345 67 89", "bad_phone"),
    ("056 745 15 80", "not_mobile_phone"),
    ("+48 601 234 567", "phone_country_not_allowed"),
    ("0" * 40, "bad_phone"),
    (380501234567, "bad_phone"),
    (None, "bad_phone"),
])
def test_a_bad_phone_number_is_422_and_nothing_is_written_or_sent(api, sms, phone, code):
    before = api.snapshot()
    answer = ask(api, phone)
    assert answer.status_code == 422 and api.error(answer)["code"] == code
    assert api.snapshot() == before and sms.sent == []


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "١٢٣٤٥٦", 123456, None])
def test_a_malformed_code_is_422_and_uses_no_try(api, code):
    ask(api)
    before = api.snapshot()
    answer = verify(api, code)
    assert answer.status_code == 422 and api.error(answer)["code"] == "bad_code"
    assert api.snapshot() == before


def test_when_the_sms_cannot_be_sent_the_answer_is_503_in_the_error_shape(api, sms):
    sms.fail_next()
    answer = ask(api)
    assert answer.status_code == 503 and api.error(answer)["code"] == "sms_unavailable"


def test_logout_ends_the_session_and_clears_the_cookie(api):
    cookie = api.sign_in()
    out = api.post("/api/auth/logout", headers=cookie)
    assert out.status_code == 204
    assert "Max-Age=0" in out.headers["Set-Cookie"] and out.headers["Set-Cookie"].startswith("citydesk_session=;")
    after = api.get("/api/me", headers=cookie)
    assert after.status_code == 401 and api.error(after)["code"] == "session_expired"
    assert api.snapshot()["sessions"] == []


def test_logout_without_a_session_is_harmless(api):
    assert api.post("/api/auth/logout").status_code == 204


def test_a_session_ends_after_thirty_days(api, clock):
    cookie = api.sign_in()
    clock.advance(timedelta(days=30))
    answer = api.get("/api/me", headers=cookie)
    assert answer.status_code == 401 and api.error(answer)["code"] == "session_expired"


@pytest.mark.parametrize("cookie", ["", "citydesk_session=", "citydesk_session=forged", "other=1",
                                    "citydesk_session=" + "x" * 5000])
def test_without_a_valid_session_me_is_401(api, cookie):
    answer = api.get("/api/me", headers={"Cookie": cookie} if cookie else {})
    assert answer.status_code == 401
    assert api.error(answer)["code"] in ("sign_in_required", "session_expired")


def test_a_resident_changes_the_language_of_their_account_and_their_answers(api):
    cookie = api.sign_in()
    changed = api.patch("/api/me", {"language": "en"}, headers=cookie)
    assert changed.status_code == 200 and api.json(changed)["language"] == "en"
    refused = api.patch("/api/me", {"language": "de"}, headers=cookie)
    assert refused.status_code == 422
    assert api.error(refused) == {"code": "unknown_language", "message": "This language is not available."}

