"""Resident sign-in by e-mail link, and linking a second way of signing in to one account."""

import json
import logging
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

from chalicelib import bootstrap
from chalicelib.adapters.email import LogEmail, SesEmail
from chalicelib.services.ports import EmailError
from chalicelib.settings import Settings
from tests.api.client import PHONE_E164, ticket
from tests.aws import FAKE_AWS_ENV, REGION

EMAIL = "Olena.K@Example.org"
ADDRESS = "olena.k@example.org"


def ask(api, email=EMAIL, lang="uk", headers=None):
    return api.post(f"/api/auth/email?lang={lang}", {"email": email}, headers=headers)


def last_token(email) -> str:
    return re.search(r"#token=([\w-]+)", email.sent[-1].text).group(1)


def verify(api, token, headers=None):
    return api.post("/api/auth/email/verify", {"token": token}, headers=headers)


def cookie_of(answer) -> dict:
    return {"Cookie": answer.headers["Set-Cookie"].split(";")[0]}


def sign_in_by_email(api, email, headers=None) -> dict:
    assert ask(api).status_code == 200
    answer = verify(api, last_token(email), headers)
    assert answer.status_code == 200, answer.body
    return cookie_of(answer)


def test_a_link_to_the_sign_in_page_goes_to_the_lowercased_address_in_the_request_language(api, email):
    answer = ask(api, " Olena.K@Example.ORG ", lang="en")

    assert answer.status_code == 200
    assert api.json(answer) == {"email": ADDRESS, "expires_at": "2026-11-23T09:15:00Z"}
    [mail] = email.sent
    assert mail.to == ADDRESS
    assert mail.subject == "Dnipro: sign-in link"
    assert re.search(r"http://127\.0\.0\.1:8000/en/signin-email\.html#token=[\w-]{40,}\n", mail.text)
    assert "15 minutes" in mail.text


def test_the_link_speaks_ukrainian_by_default(api, email):
    ask(api)
    assert "/uk/signin-email.html#token=" in email.sent[0].text
    assert email.sent[0].text.startswith("Щоб увійти")


def test_posting_the_token_signs_in_to_a_new_account_without_a_phone(api, email):
    ask(api)

    answer = verify(api, last_token(email))

    assert answer.status_code == 200
    me = api.json(answer)["resident"]
    assert me["phone"] == "" and me["language"] == "uk"
    assert me["identities"] == [{"kind": "email", "value": "o***@example.org"}]
    cookie = answer.headers["Set-Cookie"]
    assert "SameSite=Strict" in cookie and "HttpOnly" in cookie and "Path=/api" in cookie
    assert api.json(api.get("/api/me", headers=cookie_of(answer))) == me


def test_a_new_account_reads_the_language_the_link_was_asked_for_in(api, email):
    ask(api, lang="en")

    answer = verify(api, last_token(email), headers={"Accept-Language": "ru"})

    assert api.json(answer)["resident"]["language"] == "en"


def test_signing_in_by_email_again_finds_the_same_account(api, email):
    first = api.get("/api/me", headers=sign_in_by_email(api, email)).body
    second = api.get("/api/me", headers=sign_in_by_email(api, email)).body

    assert first == second
    assert api.count("users") == 1


def test_a_link_signs_in_once(api, email):
    ask(api)
    token = last_token(email)
    assert verify(api, token).status_code == 200

    again = verify(api, token)

    assert again.status_code == 401 and api.error(again)["code"] == "link_expired"


def test_a_link_expires_after_fifteen_minutes(api, email, clock):
    ask(api)
    clock.advance(timedelta(minutes=15))

    answer = verify(api, last_token(email))

    assert answer.status_code == 401 and api.error(answer)["code"] == "link_expired"
    assert api.snapshot()["users"] == [] and api.snapshot()["sessions"] == []


def test_a_made_up_or_missing_token_is_refused(api):
    made_up = verify(api, "x" * 43)
    missing = api.post("/api/auth/email/verify", {})

    assert made_up.status_code == 401 and api.error(made_up)["code"] == "link_expired"
    assert missing.status_code == 422 and api.error(missing)["code"] == "bad_link"


def test_only_the_hash_of_the_token_is_stored(api, email):
    ask(api)
    assert last_token(email) not in repr(api.snapshot())


def test_an_address_that_is_no_address_is_refused_before_anything_is_sent(api, email):
    for wrong in ("olena", "olena@example", "a b@example.org", "@example.org", "x" * 250 + "@example.org"):
        answer = ask(api, wrong)
        assert answer.status_code == 422 and api.error(answer)["code"] == "bad_email", wrong
    empty = ask(api, "  ")
    assert empty.status_code == 422 and api.error(empty)["code"] == "required"
    assert "адреса електронної пошти" in api.error(empty)["message"]
    assert email.sent == []


def test_three_links_per_address_per_hour(api, email, clock):
    assert [ask(api).status_code for _ in range(3)] == [200, 200, 200]
    fourth = ask(api)
    assert fourth.status_code == 429
    assert api.error(fourth) == {"code": "too_many_links",
                                 "message": "Запитано забагато посилань для входу. Спробуйте знову після 12:00."}
    assert ask(api, "someone.else@example.org").status_code == 200
    clock.advance(timedelta(hours=1))
    assert ask(api).status_code == 200
    assert len(email.sent) == 5


def test_one_client_may_not_ask_links_for_many_addresses(api, deps):
    bootstrap.override(replace(deps, settings=replace(deps.settings, codes_per_client_per_hour=2)))
    assert [ask(api, f"r{n}@example.org").status_code for n in range(3)] == [200, 200, 429]


def test_a_failed_send_answers_503_and_the_next_try_works(api, email):
    email.fail_next()

    failed = ask(api)

    assert failed.status_code == 503 and api.error(failed)["code"] == "email_unavailable"
    assert ask(api).status_code == 200


def test_an_email_only_resident_files_a_ticket_and_no_sms_is_queued_for_them(api, email, sms):
    headers = sign_in_by_email(api, email)

    filed = api.post("/api/tickets", ticket(), headers=headers)

    assert filed.status_code == 201, filed.body
    # Only the executor is told: its dispatcher by SMS (no e-mail: the ticket is no emergency).
    assert [s.to for s in sms.sent] == ["+380567000201"]
    assert len(api.snapshot()["outbox"]) == 1


def test_a_phone_resident_links_an_email_and_then_signing_in_by_email_reaches_the_same_tickets(api, email):
    by_phone = api.sign_in()
    number = api.json(api.post("/api/tickets", ticket(), headers=by_phone))["number"]
    ask(api)

    linked = verify(api, last_token(email), headers=by_phone)

    assert linked.status_code == 200
    assert api.json(linked)["resident"]["identities"] == [
        {"kind": "email", "value": "o***@example.org"}, {"kind": "phone", "value": "+380*****4567"}]
    by_email = sign_in_by_email(api, email)
    assert api.json(api.get("/api/me", headers=by_email)) == api.json(api.get("/api/me", headers=by_phone))
    mine = api.json(api.get("/api/tickets", headers=by_email))
    assert [t["number"] for t in mine["current"]] == [number]
    assert api.count("users") == 1


def test_an_email_resident_links_a_phone_which_then_gets_the_sms(api, email, sms):
    by_email = sign_in_by_email(api, email)
    api.post("/api/auth/phone", {"phone": PHONE_E164})

    linked = api.post("/api/auth/phone/verify", {"phone": PHONE_E164, "code": api.last_code()}, headers=by_email)

    assert linked.status_code == 200 and api.json(linked)["resident"]["phone"] == PHONE_E164
    number = api.json(api.post("/api/tickets", ticket(), headers=by_email))["number"]
    assert number in sms.to(PHONE_E164)[-1]
    assert api.count("users") == 1


def test_an_email_another_account_signs_in_with_is_not_linked_409(api, email):
    sign_in_by_email(api, email)
    by_phone = api.sign_in()
    ask(api)
    before = api.snapshot()["identities"]

    refused = verify(api, last_token(email), headers=by_phone)

    assert refused.status_code == 409 and api.error(refused)["code"] == "identity_in_use"
    assert api.snapshot()["identities"] == before
    assert api.count("users") == 2


def test_a_phone_another_account_signs_in_with_is_not_linked_409(api, email):
    api.sign_in()
    by_email = sign_in_by_email(api, email)
    api.post("/api/auth/phone", {"phone": PHONE_E164})

    refused = api.post("/api/auth/phone/verify", {"phone": PHONE_E164, "code": api.last_code()}, headers=by_email)

    assert refused.status_code == 409 and api.error(refused)["code"] == "identity_in_use"
    assert api.json(api.get("/api/me", headers=by_email))["phone"] == ""


def test_no_log_line_holds_the_address_or_the_token(api, email, caplog):
    caplog.set_level(logging.DEBUG)
    by_phone = api.sign_in()
    ask(api)
    token = last_token(email)
    verify(api, token, headers=by_phone)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "o***@example.org" in logged
    for secret in (ADDRESS, EMAIL, token, PHONE_E164):
        assert secret not in logged


def test_the_log_backend_writes_one_json_line_per_email(tmp_path):
    path = tmp_path / "var" / "email.log"
    sender = LogEmail(str(path))

    sender.send("olena@example.org", "Subject", "Line one\nline two")
    sender.send("ivan@example.org", "Тема", "Текст")

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["to"], line["subject"], line["text"]) for line in lines] == [
        ("olena@example.org", "Subject", "Line one\nline two"), ("ivan@example.org", "Тема", "Текст")]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line["at"]) for line in lines)


def test_the_ses_backend_sends_from_the_verified_address_and_a_refusal_is_an_email_error(monkeypatch):
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        import boto3
        from moto.ses.models import ses_backends

        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress="desk@city.example")

        SesEmail(REGION, "desk@city.example").send("olena@example.org", "Тема", "Текст")
        with pytest.raises(EmailError):
            SesEmail(REGION, "unverified@city.example").send("olena@example.org", "Тема", "Текст")

        [sent] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert (sent.source, sent.destinations, sent.subject, sent.body) == (
        "desk@city.example", {"ToAddresses": ["olena@example.org"]}, "Тема", "Текст")


def test_the_email_backend_is_the_log_file_by_default_and_ses_needs_a_sender_address():
    env = {"CITYDESK_SECRET": "s", "CITYDESK_EMAIL_LOG": "var/mail.log"}
    assert isinstance(bootstrap.open_email(Settings.from_env(env)), LogEmail)
    ses = bootstrap.open_email(Settings.from_env({**env, "CITYDESK_EMAIL": "ses",
                                                  "CITYDESK_EMAIL_FROM": "desk@city.example"}))
    assert isinstance(ses, SesEmail) and ses.sender == "desk@city.example"
    with pytest.raises(ValueError, match="CITYDESK_EMAIL_FROM"):
        Settings.from_env({**env, "CITYDESK_EMAIL": "ses"})
    with pytest.raises(ValueError, match="CITYDESK_EMAIL must be"):
        Settings.from_env({**env, "CITYDESK_EMAIL": "smtp"})
