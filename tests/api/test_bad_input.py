"""The issue's "Bad input": each gets the one error shape, the right status, and
writes nothing. Chalice's own errors come in the same shape."""

import pytest

from tests.api.client import ticket
from tests.api.client import PHONE

TOO_BIG = b'{"description": "' + b"x" * (64 * 1024) + b'"}'
DEEP = b"[" * 100_000 + b"]" * 100_000


BAD_TICKETS = [
    # (what, raw body or JSON value, content type, status, code)
    ("malformed JSON", b'{"cause": ', "application/json", 400, "bad_json"),
    ("an empty body", b"", "application/json", 400, "bad_json"),
    ("bytes that are not UTF-8", b'{"cause": "\xff\xfe"}', "application/json", 400, "bad_json"),
    ("NaN, which JSON does not have", b'{"lat": NaN}', "application/json", 400, "bad_json"),
    ("nesting past any sense", DEEP[:60_000], "application/json", 400, "bad_json"),
    ("a body over 64 KB", TOO_BIG, "application/json", 413, "too_large"),
    ("a wrong content type", b"cause=water", "text/plain", 415, "unsupported_media_type"),
    ("a form post", b"cause=water", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ("a JSON array", [ticket()], "application/json", 422, "must_be_object"),
    ("an unknown cause code", ticket(cause="water.no-such-thing"), "application/json", 422, "unknown_cause"),
    ("a cause that is no text", ticket(cause=["water.low-pressure"]), "application/json", 422, "unknown_cause"),
    ("a missing address", {k: v for k, v in ticket().items() if k != "address"}, "application/json", 422,
     "required"),
    ("an unknown street", ticket(address={"street": "baker-street", "house": "221B"}), "application/json", 422,
     "unknown_street"),
    ("a missing house", ticket(address={"street": "yavornytskoho-ave"}), "application/json", 422, "required"),
    ("a house number that is a number", ticket(address={"street": "yavornytskoho-ave", "house": 8}),
     "application/json", 422, "must_be_text"),
    ("a flat too long", ticket(address={"street": "yavornytskoho-ave", "house": "8", "flat": "1" * 11}),
     "application/json", 422, "too_long"),
    ("a description over 4000 characters", ticket(description="я" * 4001), "application/json", 422, "too_long"),
    ("a blank description", ticket(description=" \n "), "application/json", 422, "required"),
    ("a latitude off the globe", ticket(lat=91), "application/json", 422, "must_be_coordinate"),
    ("a latitude that is true", ticket(lat=True), "application/json", 422, "must_be_coordinate"),
    ("a latitude without its longitude", {**ticket(), "lon": None}, "application/json", 422,
     "coordinates_in_pairs"),
    ("a photo from elsewhere", ticket(photos=["https://example.org/a.jpg"]), "application/json", 422,
     "photo_not_yours"),
]


@pytest.mark.parametrize("what, body, content_type, status, code", BAD_TICKETS, ids=[b[0] for b in BAD_TICKETS])
def test_a_bad_ticket_gets_its_status_and_error_and_nothing_is_written(api, what, body, content_type, status, code):
    cookie = api.sign_in()
    before = api.snapshot()
    raw = body if isinstance(body, bytes) else None
    answer = api.post("/api/tickets", None if raw is not None else body, raw=raw,
                      headers={**cookie, "Content-Type": content_type})
    assert (answer.status_code, api.error(answer)["code"]) == (status, code)
    assert api.snapshot() == before


def test_the_description_limit_counts_characters_not_bytes(api):
    answer = api.post("/api/tickets", ticket(description="я" * 4000), headers=api.sign_in())
    assert answer.status_code == 201


def test_a_field_error_names_the_field_in_the_callers_language(api):
    cookie = api.sign_in(lang="en")
    answer = api.post("/api/tickets", ticket(description="x" * 4001), headers=cookie)
    assert api.error(answer) == {"code": "too_long", "message": "“description” is too long: at most 4000 characters."}
    answer = api.post("/api/tickets?lang=ru", ticket(address={"street": "yavornytskoho-ave"}), headers=cookie)
    # A signed-in resident is answered in their account's language, whatever the query says.
    assert api.error(answer)["message"] == "Fill in “house”."


@pytest.mark.parametrize("lang, message", [
    ("uk", "Введіть номер мобільного, наприклад 050 123 45 67."),
    ("ru", "Введите номер мобильного, например 050 123 45 67."),
    ("en", "Enter a mobile number, for example 050 123 45 67."),
])
def test_an_anonymous_caller_is_answered_in_the_asked_language(api, lang, message):
    by_query = api.post(f"/api/auth/phone?lang={lang}", {"phone": "12"})
    by_header = api.post("/api/auth/phone", {"phone": "12"}, headers={"Accept-Language": f"{lang};q=0.9, de"})
    assert api.error(by_query)["message"] == api.error(by_header)["message"] == message


def test_without_a_language_asked_the_answer_is_in_the_citys_language(api):
    answer = api.post("/api/auth/phone", {"phone": "12"}, headers={"Accept-Language": "de-DE, fr;q=0.5"})
    assert api.error(answer)["message"].startswith("Введіть")


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/auth/phone", b'{"phone": "050'),
    ("POST", "/api/auth/phone/verify", b"not json at all"),
    ("POST", "/api/tickets/{ticket}/comment", b'{"text": }'),
    ("PATCH", "/api/me", b"{"),
])
def test_malformed_json_anywhere_is_400_bad_json(api, method, path, body):
    cookie = api.sign_in()
    filed = api.json(api.post("/api/tickets", ticket(), headers=cookie))
    before = api.snapshot()
    answer = api.client.http.request(method, path.format(ticket=filed["id"]), body=body,
                                     headers={**cookie, "Content-Type": "application/json"})
    assert answer.status_code == 400 and api.error(answer)["code"] == "bad_json"
    assert api.snapshot() == before


@pytest.mark.parametrize("method, path, status, code", [
    ("PUT", "/api/tickets", 405, "method_not_allowed"),
    ("DELETE", "/api/tickets", 405, "method_not_allowed"),
    ("GET", "/api/auth/phone", 405, "method_not_allowed"),
    ("POST", "/api/categories", 405, "method_not_allowed"),
])
def test_chalices_own_errors_come_in_the_one_shape_in_the_callers_language(api, method, path, status, code):
    answer = api.client.http.request(method, path, headers={"Content-Type": "application/json", "Accept-Language": "en"},
                                     body=b"{}")
    assert answer.status_code == status
    assert api.error(answer) == {"code": code, "message": "This address does not accept this method."}
    assert answer.headers["Content-Type"] == "application/json"


def test_chalices_415_comes_in_the_one_shape(api):
    answer = api.post("/api/auth/phone?lang=en", raw=b"phone=0501234567", headers={"Content-Type": "text/plain"})
    assert answer.status_code == 415
    assert api.error(answer) == {"code": "unsupported_media_type",
                                 "message": "Send the request as JSON (Content-Type: application/json)."}


def test_an_unexpected_failure_is_a_500_in_the_one_shape_and_tells_nothing_inside(api, deps, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database file is at /secret/path")

    monkeypatch.setattr(deps.storage.directory, "catalogue", broken)
    answer = api.get("/api/categories?lang=en")
    assert answer.status_code == 500
    assert api.error(answer) == {"code": "internal_error",
                                 "message": "Something went wrong on our side. Please try again in a minute."}
    assert b"secret" not in answer.body


def test_every_answer_is_json_that_no_cache_keeps(api):
    for answer in (api.get("/api/health"), api.get("/api/categories"), api.post("/api/auth/phone", {"phone": "1"})):
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.headers["Cache-Control"] == "no-store"


def test_a_wrong_code_writes_only_its_count_of_tries_and_a_stale_session_writes_nothing(api):
    api.post("/api/auth/phone", {"phone": PHONE})
    before = api.snapshot()
    wrong = api.post("/api/auth/phone/verify", {"phone": PHONE, "code": "000000" if api.last_code() != "000000"
                                                else "111111"})
    assert wrong.status_code == 401 and api.error(wrong)["code"] == "wrong_code"
    after = api.snapshot()
    assert {t for t in after if after[t] != before[t]} == {"codes"}
    stale = api.get("/api/tickets", headers={"Cookie": "citydesk_session=expired-or-forged"})
    assert stale.status_code == 401 and api.error(stale)["code"] == "session_expired"
    assert api.snapshot() == after
