"""A resident turns the SMS about their tickets off and on again in their account;
sign-in codes go by SMS whatever the setting says."""

import pytest

from tests.api.client import PHONE, PHONE_E164, ticket


def file(api, cookie, key: str) -> dict:
    answer = api.post("/api/tickets", ticket(), headers={**cookie, "Idempotency-Key": key})
    assert answer.status_code == 201, answer.body
    return api.json(answer)


def test_status_sms_are_on_for_a_new_account(api):
    assert api.json(api.get("/api/me", headers=api.sign_in()))["status_sms"] is True


def test_a_resident_turns_status_sms_off_and_the_account_keeps_it(api):
    cookie = api.sign_in()

    changed = api.patch("/api/me", {"status_sms": False}, headers=cookie)

    assert changed.status_code == 200 and api.json(changed)["status_sms"] is False
    me = api.json(api.get("/api/me", headers=cookie))
    assert me["status_sms"] is False and me["language"] == "uk"
    assert api.deps.storage.users.get(me["id"]).status_sms is False


def test_with_status_sms_off_filing_sends_the_resident_nothing_but_sign_in_codes_still_go(api, sms):
    cookie = api.sign_in()
    api.patch("/api/me", {"status_sms": False}, headers=cookie)

    receipt = file(api, cookie, "k-1")
    assert not [text for text in sms.to(PHONE_E164) if receipt["number"] in text]

    asked = api.post("/api/auth/phone", {"phone": PHONE})
    assert asked.status_code == 200
    assert sms.sent[-1].to == PHONE_E164 and api.last_code() in sms.sent[-1].text


def test_turned_on_again_the_next_ticket_is_confirmed_by_sms(api, sms):
    cookie = api.sign_in()
    api.patch("/api/me", {"status_sms": False}, headers=cookie)
    assert api.json(api.patch("/api/me", {"status_sms": True}, headers=cookie))["status_sms"] is True

    receipt = file(api, cookie, "k-1")

    assert [text for text in sms.to(PHONE_E164) if receipt["number"] in text]


def test_language_and_status_sms_change_together(api):
    cookie = api.sign_in()
    me = api.json(api.patch("/api/me", {"language": "en", "status_sms": False}, headers=cookie))
    assert (me["language"], me["status_sms"]) == ("en", False)


@pytest.mark.parametrize("value", ["false", 0, None, [], {"on": False}])
def test_status_sms_must_be_true_or_false_and_a_refusal_changes_nothing(api, value):
    cookie = api.sign_in()
    before = api.snapshot()

    refused = api.patch("/api/me", {"status_sms": value}, headers=cookie)

    assert refused.status_code == 422
    assert api.error(refused) == {"code": "must_be_true_or_false",  # in the account's language
                                  "message": "Поле «SMS про мої заявки» має бути «так» або «ні»."}
    assert api.snapshot() == before


def test_a_wrong_language_refuses_the_status_sms_change_sent_with_it(api):
    cookie = api.sign_in()
    refused = api.patch("/api/me", {"language": "de", "status_sms": False}, headers=cookie)
    assert refused.status_code == 422 and api.error(refused)["code"] == "unknown_language"
    assert api.json(api.get("/api/me", headers=cookie))["status_sms"] is True


def test_a_patch_naming_nothing_changes_nothing(api):
    cookie = api.sign_in()
    before = api.snapshot()
    answer = api.patch("/api/me", {}, headers=cookie)
    assert answer.status_code == 200 and api.json(answer)["status_sms"] is True
    assert api.snapshot() == before


def test_only_a_signed_in_resident_changes_status_sms(api):
    answer = api.patch("/api/me", {"status_sms": False})
    assert answer.status_code == 401
