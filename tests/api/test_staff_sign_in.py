"""Staff sign-in: a username and a password (and a TOTP code if the account has it
on), the per-account lock and the per-client limit around them, the session's
idle and absolute ends, the member's own password and TOTP."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain import totp
from chalicelib.services import permissions, staff
from tests.builders import NOW

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

PASSWORD = "correct horse battery"
WRONG = "correct horse batterz"
# Read before the cheap_password_hashes fixture lowers it.
PRODUCTION_COST = dict(staff.HASH_COST)


def account(deps, username="o.kovalenko", role="operator", organisation=None, password=PASSWORD, **changes):
    member, _ = staff.create(deps, username, "Олена Коваленко", role, organisation, password)
    if changes:
        member = replace(member, version=2, **changes)
        deps.storage.staff.update(member, 1)
    return member


def login(api, username="o.kovalenko", password=PASSWORD, client="198.51.100.7", **extra):
    return api.post("/api/admin/login", {"username": username, "password": password, **extra},
                    headers={"CloudFront-Viewer-Address": f"{client}:443", "Accept-Language": "en"})


def cookie(answer) -> dict:
    return {"Cookie": answer.headers["Set-Cookie"].split(";")[0]}


def me(api, headers):
    return api.get("/api/admin/me", headers=headers)


def test_the_right_password_signs_in_with_a_strict_http_only_cookie_for_the_staff_api_only(api, deps):
    member = account(deps)

    answer = login(api)

    assert answer.status_code == 200
    assert api.json(answer) == {"staff": {
        "id": member.id, "username": "o.kovalenko", "name": "Олена Коваленко", "role": "operator",
        "organisation": None, "totp": False, "may": sorted(permissions.MAY["operator"])}}
    name_value, *attributes = [part.strip() for part in answer.headers["Set-Cookie"].split(";")]
    assert name_value.startswith("citydesk_staff=") and len(name_value) > 40
    assert set(attributes) == {"HttpOnly", "SameSite=Strict", "Path=/api/admin", f"Max-Age={7 * 24 * 3600}", "Secure"}
    assert api.json(me(api, cookie(answer))) == api.json(answer)["staff"]


def test_the_username_is_read_without_case_or_surrounding_spaces(api, deps):
    account(deps)
    assert login(api, username="  O.Kovalenko ").status_code == 200


def test_an_executor_sees_their_organisation_and_their_actions(api, deps):
    account(deps, username="zhek12.master", role="executor", organisation="zhek-12")
    staff_me = api.json(login(api, username="zhek12.master"))["staff"]
    assert staff_me["organisation"] == "zhek-12" and staff_me["may"] == sorted(permissions.MAY["executor"])


def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(api, deps):
    account(deps)

    wrong_password, unknown = login(api, password=WRONG), login(api, username="o.kovalenk0")

    assert wrong_password.status_code == unknown.status_code == 401
    assert api.error(wrong_password) == api.error(unknown) == {"code": "wrong_login",
                                                               "message": "Wrong username or password."}
    assert "Set-Cookie" not in wrong_password.headers


def test_the_refusal_speaks_the_callers_language(api, deps):
    answer = api.post("/api/admin/login?lang=uk", {"username": "nobody", "password": WRONG})
    assert api.error(answer)["message"] == "Неправильне ім'я користувача або пароль."


def test_an_unknown_username_takes_about_as_long_as_a_wrong_password(api, deps, monkeypatch):
    monkeypatch.setattr(staff, "HASH_COST", PRODUCTION_COST)
    account(deps)
    login(api, username="nobody")  # makes the dummy hash once

    def fastest(username):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            assert login(api, username=username, password=WRONG).status_code == 401
            times.append(time.perf_counter() - started)
        return min(times)

    wrong_password, unknown = fastest("o.kovalenko"), fastest("nobody")
    assert unknown > wrong_password / 2, (unknown, wrong_password)


def test_a_switched_off_account_cannot_sign_in_and_is_told_nothing_more(api, deps):
    account(deps, active=False)
    answer = login(api)
    assert answer.status_code == 401 and api.error(answer)["code"] == "wrong_login"


@pytest.mark.parametrize("body, code, field", [
    ({"password": PASSWORD}, "required", "username"),
    ({"username": "o.kovalenko"}, "required", "password"),
    ({"username": "o.kovalenko", "password": ""}, "required", "password"),
    ({"username": "o.kovalenko", "password": 12345678901234}, "must_be_text", "password"),
])
def test_a_missing_username_or_password_is_invalid_input(api, body, code, field):
    answer = api.post("/api/admin/login?lang=en", body)
    assert answer.status_code == 422
    error = api.error(answer)
    assert error["code"] == code and f"“{field}”" in error["message"]


def test_ten_wrong_passwords_in_a_row_lock_the_account_for_fifteen_minutes(api, deps, clock):
    account(deps)

    answers = [login(api, password=WRONG) for _ in range(10)]

    assert [a.status_code for a in answers] == [401] * 9 + [429]
    assert api.error(answers[-1]) == {"code": "account_locked",
                                      "message": "Too many wrong tries: the account is locked until 11:15."}
    assert answers[-1].headers["Retry-After"] == str(15 * 60)
    clock.advance(timedelta(minutes=14, seconds=59))
    still_locked = login(api)
    assert still_locked.status_code == 429 and api.error(still_locked)["code"] == "account_locked"
    assert still_locked.headers["Retry-After"] == "1"
    clock.advance(timedelta(seconds=1))
    assert login(api).status_code == 200


def test_a_right_password_resets_the_count_of_wrong_ones(api, deps):
    account(deps)
    for _ in range(9):
        login(api, password=WRONG)

    assert login(api).status_code == 200

    assert [login(api, password=WRONG).status_code for _ in range(9)] == [401] * 9
    assert deps.storage.staff.by_username("o.kovalenko").failed_logins == 9


def test_parallel_guesses_never_get_more_than_ten_comparisons_before_the_lock(deps):
    account(deps)

    def guess(n):
        try:
            staff.login(deps, "o.kovalenko", f"guess number {n}", None, "198.51.100.7")
        except Exception as error:
            return error.message_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(guess, range(30)))

    assert sorted(answers) == ["account_locked"] * 21 + ["wrong_login"] * 9
    assert deps.storage.staff.by_username("o.kovalenko").locked_until == NOW + timedelta(minutes=15)


def test_a_login_limit_per_client_stops_a_password_sprayer_but_not_other_clients(api, deps):
    account(deps)
    for n in range(staff.LOGINS_PER_CLIENT_PER_HOUR):
        assert login(api, username=f"guess{n}").status_code == 401

    refused = login(api)

    assert refused.status_code == 429
    assert api.error(refused) == {"code": "too_many_logins", "message": "Too many sign-in attempts. Try again after 12:00."}
    assert login(api, client="203.0.113.9").status_code == 200


def test_with_totp_on_the_password_alone_asks_for_the_code(api, deps):
    account(deps, totp_secret=totp.new_secret())
    answer = login(api)
    assert answer.status_code == 401 and api.error(answer)["code"] == "totp_required"
    assert "Set-Cookie" not in answer.headers


def test_with_totp_on_the_current_code_signs_in_and_a_wrong_one_does_not(api, deps, clock):
    secret = totp.new_secret()
    account(deps, totp_secret=secret)
    right = totp.code_at(secret, clock.now())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    refused = login(api, totp=wrong)
    assert refused.status_code == 401 and api.error(refused)["code"] == "wrong_totp"
    assert login(api, totp=f"{right[:3]} {right[3:]}").status_code == 200


def test_a_totp_code_signs_in_once_so_one_seen_over_a_shoulder_is_useless(api, deps, clock):
    secret = totp.new_secret()
    account(deps, totp_secret=secret)
    code = totp.code_at(secret, clock.now())
    assert login(api, totp=code).status_code == 200

    clock.advance(timedelta(seconds=20))
    replayed = login(api, totp=code)

    assert replayed.status_code == 401 and api.error(replayed)["code"] == "wrong_totp"
    clock.advance(timedelta(seconds=30))
    assert login(api, totp=totp.code_at(secret, clock.now())).status_code == 200


def test_a_wrong_totp_code_counts_as_a_wrong_try(api, deps, clock):
    secret = totp.new_secret()
    account(deps, totp_secret=secret)
    wrong = f"{(int(totp.code_at(secret, clock.now())) + 5) % 1_000_000:06d}"
    for _ in range(9):
        login(api, password=WRONG)

    answer = login(api, totp=wrong)

    assert answer.status_code == 429 and api.error(answer)["code"] == "account_locked"


def test_a_wrong_password_with_totp_on_says_wrong_login_not_whether_the_code_was_right(api, deps, clock):
    secret = totp.new_secret()
    account(deps, totp_secret=secret)
    answer = login(api, password=WRONG, totp=totp.code_at(secret, clock.now()))
    assert api.error(answer)["code"] == "wrong_login"


def test_a_hash_made_at_an_older_cost_is_remade_at_the_current_one_on_sign_in(api, deps, monkeypatch):
    account(deps)
    monkeypatch.setattr(staff, "HASH_COST", {"time_cost": 2, "memory_cost": 16, "parallelism": 1})

    assert login(api).status_code == 200

    stored = deps.storage.staff.by_username("o.kovalenko").password_hash
    assert "m=16,t=2,p=1" in stored
    assert login(api).status_code == 200


def test_logout_ends_the_session_and_clears_the_cookie(api, deps):
    account(deps)
    signed_in = cookie(login(api))

    answer = api.post("/api/admin/logout", headers=signed_in)

    assert answer.status_code == 204
    assert answer.headers["Set-Cookie"].startswith("citydesk_staff=;") and "Max-Age=0" in answer.headers["Set-Cookie"]
    assert api.error(me(api, signed_in))["code"] == "session_expired"


def test_anyone_may_log_out(api):
    assert api.post("/api/admin/logout").status_code == 204


def test_without_a_session_me_asks_to_sign_in(api):
    answer = me(api, {})
    assert answer.status_code == 401 and api.error(answer)["code"] == "sign_in_required"


def test_a_residents_session_is_no_staff_session(api):
    resident = api.sign_in()["Cookie"].split("=", 1)[1]
    answer = me(api, {"Cookie": f"citydesk_staff={resident}"})
    assert answer.status_code == 401 and api.error(answer)["code"] == "session_expired"


def test_a_session_idle_for_11_h_59_min_still_works_and_its_idle_end_moves_on(api, deps, clock):
    account(deps)
    signed_in = cookie(login(api))

    clock.advance(timedelta(hours=11, minutes=59))
    assert me(api, signed_in).status_code == 200
    clock.advance(timedelta(hours=11, minutes=59))
    assert me(api, signed_in).status_code == 200


def test_a_session_idle_for_12_hours_ends(api, deps, clock):
    account(deps)
    signed_in = cookie(login(api))

    clock.advance(timedelta(hours=12))

    answer = me(api, signed_in)
    assert answer.status_code == 401 and api.error(answer)["code"] == "session_expired"


def test_a_busy_session_still_ends_seven_days_after_the_sign_in(api, deps, clock):
    account(deps)
    signed_in = cookie(login(api))
    for _ in range(7 * 2):
        clock.advance(timedelta(hours=11, minutes=59))
        assert me(api, signed_in).status_code == 200
    clock.set(NOW + timedelta(days=7) - timedelta(seconds=1))
    assert me(api, signed_in).status_code == 200

    clock.set(NOW + timedelta(days=7))

    assert api.error(me(api, signed_in))["code"] == "session_expired"


def test_a_member_changes_their_password_by_giving_the_current_one(api, deps):
    account(deps)
    signed_in = cookie(login(api))

    answer = api.post("/api/admin/me/password", {"current": PASSWORD, "new": "a much longer passphrase"},
                      headers=signed_in)

    assert answer.status_code == 204
    assert login(api).status_code == 401
    assert login(api, password="a much longer passphrase").status_code == 200


def test_a_password_change_ends_every_other_session_and_keeps_the_changer_signed_in(api, deps, clock):
    account(deps)
    elsewhere = cookie(login(api))
    clock.advance(timedelta(minutes=1))
    here = cookie(login(api))
    clock.advance(timedelta(minutes=1))

    answer = api.post("/api/admin/me/password", {"current": PASSWORD, "new": "a much longer passphrase"},
                      headers=here)

    assert answer.status_code == 204
    assert api.error(me(api, elsewhere))["code"] == "session_expired"
    assert api.error(me(api, here))["code"] == "session_expired"
    assert me(api, cookie(answer)).status_code == 200


@pytest.mark.parametrize("body, code, field", [
    ({"current": WRONG, "new": "a much longer passphrase"}, "wrong_password", "current password"),
    ({"current": PASSWORD, "new": "short pass"}, "too_short", "new password"),
    ({"current": PASSWORD, "new": "x" * 201}, "too_long", "new password"),
    ({"current": PASSWORD}, "required", "new password"),
])
def test_a_password_change_with_a_wrong_current_one_or_a_bad_new_one_changes_nothing(api, deps, body, code, field):
    account(deps)
    signed_in = cookie(login(api))

    answer = api.post("/api/admin/me/password?lang=en", body, headers=signed_in)

    assert answer.status_code == 422
    error = api.error(answer)
    assert error["code"] == code and field in error["message"]
    assert login(api).status_code == 200


def test_wrong_current_passwords_lock_the_account_like_wrong_sign_ins(api, deps):
    account(deps)
    signed_in = cookie(login(api))
    body = {"current": WRONG, "new": "a much longer passphrase"}

    answers = [api.post("/api/admin/me/password", body, headers=signed_in) for _ in range(10)]

    assert [a.status_code for a in answers] == [422] * 9 + [429]
    assert login(api).status_code == 429


def test_totp_is_turned_on_with_a_code_from_the_new_secret_and_then_asked_at_sign_in(api, deps, clock):
    account(deps)
    signed_in = cookie(login(api))

    started = api.json(api.post("/api/admin/me/totp", headers=signed_in))
    secret = started["secret"]
    assert totp.is_secret(secret)
    assert started["uri"].startswith("otpauth://totp/citydesk%3Ao.kovalenko?secret=" + secret)
    assert api.json(me(api, signed_in))["totp"] is False

    confirmed = api.post("/api/admin/me/totp/confirm", {"secret": secret, "code": totp.code_at(secret, clock.now())},
                         headers=signed_in)

    assert confirmed.status_code == 200 and api.json(confirmed)["totp"] is True
    assert api.error(login(api))["code"] == "totp_required"
    assert login(api, totp=totp.code_at(secret, clock.now())).status_code == 200


def test_a_wrong_code_or_a_bad_secret_does_not_turn_totp_on(api, deps, clock):
    account(deps)
    signed_in = cookie(login(api))
    secret = api.json(api.post("/api/admin/me/totp", headers=signed_in))["secret"]
    wrong = f"{(int(totp.code_at(secret, clock.now())) + 1) % 1_000_000:06d}"

    wrong_code = api.post("/api/admin/me/totp/confirm", {"secret": secret, "code": wrong}, headers=signed_in)
    bad_secret = api.post("/api/admin/me/totp/confirm", {"secret": "not-a-secret", "code": "123456"},
                          headers=signed_in)

    assert (wrong_code.status_code, api.error(wrong_code)["code"]) == (422, "wrong_totp")
    assert (bad_secret.status_code, api.error(bad_secret)["code"]) == (422, "bad_totp_secret")
    assert api.json(me(api, signed_in))["totp"] is False


def test_asking_for_a_totp_secret_takes_no_fields_and_refuses_a_body_that_is_no_json_object(api, deps):
    account(deps)
    signed_in = cookie(login(api))

    a_list = api.post("/api/admin/me/totp", [None, None], headers=signed_in)
    bad_json = api.post("/api/admin/me/totp", raw=b"{", headers=signed_in)

    assert (a_list.status_code, api.error(a_list)["code"]) == (422, "must_be_object")
    assert (bad_json.status_code, api.error(bad_json)["code"]) == (400, "bad_json")
    assert api.post("/api/admin/me/totp", {}, headers=signed_in).status_code == 200


def test_totp_on_already_is_not_replaced_without_turning_it_off(api, deps, clock):
    member = account(deps, totp_secret=totp.new_secret())
    signed_in = {"Cookie": f"citydesk_staff={staff.open_session(deps, member)}"}
    other = totp.new_secret()

    started = api.post("/api/admin/me/totp", headers=signed_in)
    confirmed = api.post("/api/admin/me/totp/confirm", {"secret": other, "code": totp.code_at(other, clock.now())},
                         headers=signed_in)

    assert (started.status_code, api.error(started)["code"]) == (409, "totp_on_already")
    assert (confirmed.status_code, api.error(confirmed)["code"]) == (409, "totp_on_already")


def test_totp_is_turned_off_with_a_current_code_only(api, deps, clock):
    secret = totp.new_secret()
    account(deps, totp_secret=secret)
    signed_in = cookie(login(api, totp=totp.code_at(secret, clock.now())))
    wrong = f"{(int(totp.code_at(secret, clock.now())) + 1) % 1_000_000:06d}"

    refused = api.post("/api/admin/me/totp/off", {"code": wrong}, headers=signed_in)
    assert (refused.status_code, api.error(refused)["code"]) == (422, "wrong_totp")

    answer = api.post("/api/admin/me/totp/off", {"code": totp.code_at(secret, clock.now())}, headers=signed_in)

    assert answer.status_code == 200 and api.json(answer)["totp"] is False
    assert login(api).status_code == 200


def test_neither_a_password_nor_its_hash_is_ever_logged_at_sign_in(api, deps, caplog):
    caplog.set_level(logging.DEBUG)
    member = account(deps)

    login(api, password=WRONG)
    login(api, username="nobody", password="typed into the username box")
    login(api)

    stored = deps.storage.staff.get(member.id).password_hash
    for secret in (PASSWORD, WRONG, "typed into the username box", stored, member.password_hash):
        assert secret not in caplog.text
    assert "nobody" not in caplog.text
