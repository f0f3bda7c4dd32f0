"""The exact texts a resident and the executor receive while a ticket goes from
filing to rating (filed, routed, taken, done, refuted, taken, done, confirmed,
rated): on SQLite with the recording senders, and on DynamoDB with SNS and SES
under moto, as they recorded what they were handed. Whether the resident filed
on the web or an operator filed for them on the phone, the texts are the same.
The executor's e-mail about a new ticket goes at once for an emergency only; the
rest wait for the morning digest (tests/api/test_digest.py)."""

from datetime import timedelta

import pytest
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.adapters.email import Mail, SesEmail
from chalicelib.adapters.sms import Sent, SnsSms
from tests.api.client import PHONE, PHONE_E164, Api, ticket
from tests.aws import dynamodb_deps

REGION = "eu-central-1"
ACCOUNT = "123456789012"  # moto's default account
SENDER = "desk@dnipro.example"
EXECUTOR, EXECUTOR_PHONE, EXECUTOR_EMAIL = "dniprovodokanal", "+380567000201", "vodokanal@dnipro.example"
SITE = "http://127.0.0.1:8000"


class MotoSns:
    """What moto's SNS recorded, in the shape of RecordingSms (Api.last_code reads it)."""

    @property
    def sent(self) -> list:
        from moto.sns.models import sns_backends

        return [Sent(to, text, False) for to, text in sns_backends[ACCOUNT][REGION].sms_messages.values()]

    def to(self, phone: str) -> list:
        return [s.text for s in self.sent if s.to == phone]


class MotoSes:
    """What moto's SES recorded, in the shape of RecordingEmail."""

    @property
    def sent(self) -> list:
        from moto.ses.models import ses_backends

        return [Mail(m.destinations["ToAddresses"][0], m.subject, m.body)
                for m in ses_backends[ACCOUNT][REGION].sent_messages]


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request, settings, clock, sms, email, monkeypatch):
    """(api, the SMS sender's record, the e-mail sender's record) on each backend."""
    if request.param == "sqlite":
        deps = bootstrap.build(settings, clock=clock, sms=sms, email=email)
        bootstrap.override(deps)
        from app import app

        with Client(app) as client:
            yield Api(client, deps, sms), sms, email
        bootstrap.reset()
        return
    with dynamodb_deps(settings, monkeypatch, "lifecycle-", clock=clock, sms=SnsSms(REGION, "citydesk"),
                       email=SesEmail(REGION, SENDER)) as deps:
        import boto3

        from app import app

        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
        bootstrap.override(deps)
        with Client(app) as client:
            yield Api(client, deps, MotoSns()), MotoSns(), MotoSes()
        bootstrap.reset()


def file(api, cookie, filed_by: str, **changes) -> dict:
    if filed_by == "resident":
        answer = api.post("/api/tickets", ticket(**changes), headers=cookie)
    else:
        body = {**ticket(photos=None, **changes), "caller": {"phone": PHONE, "name": "Olena"}, "channel": "phone"}
        answer = api.post("/api/admin/tickets", body, headers=api.staff("operator"))
    assert answer.status_code == 201, answer.body
    return api.json(answer)


def executor(api, ticket_id: str, name: str, **data) -> None:
    headers = api.staff("executor", EXECUTOR)
    body = {"version": api.deps.storage.tickets.get(ticket_id).version, **data}
    answer = api.post(f"/api/admin/tickets/{ticket_id}/{name}", body, headers=headers)
    assert answer.status_code == 200, answer.body


def resident(api, cookie, ticket_id: str, name: str, body: dict | None = None) -> None:
    answer = api.post(f"/api/tickets/{ticket_id}/{name}", body, headers=cookie)
    assert answer.status_code == 200, answer.body


@pytest.mark.parametrize("filed_by", ["resident", "operator"])
def test_the_resident_and_the_executor_get_exactly_these_texts_from_filing_to_rating(backend, filed_by):
    api, sms, email = backend
    clock = api.deps.clock
    cookie = api.sign_in()
    codes = len(sms.to(PHONE_E164))

    receipt = file(api, cookie, filed_by)  # 11:00 in Kyiv; due in 24 hours
    number, ticket_id = receipt["number"], receipt["id"]
    clock.advance(timedelta(hours=1))
    executor(api, ticket_id, "accept")
    clock.advance(timedelta(hours=3))
    executor(api, ticket_id, "report_done", note="Valve replaced.")
    clock.advance(timedelta(hours=1))
    resident(api, cookie, ticket_id, "refute", {"comment": "Still no pressure on the 9th floor."})  # 16:00
    clock.advance(timedelta(hours=1))
    executor(api, ticket_id, "accept")
    clock.advance(timedelta(hours=2))
    executor(api, ticket_id, "report_done", note="Pump adjusted.")
    clock.advance(timedelta(hours=1))
    resident(api, cookie, ticket_id, "confirm")
    resident(api, cookie, ticket_id, "rate", {"stars": 5})

    link = f"{SITE}/uk/t.html?{number}"
    assert sms.to(PHONE_E164)[codes:] == [
        f"Звернення № {number} прийнято. Виконати до 24.11.2026 11:00.",
        f"Звернення № {number} взято в роботу: КП «Дніпроводоканал».",
        f"Звернення № {number} виконано. Підтвердіть або спростуйте: {link}",
        f"Звернення № {number}: друге коло. Виконати до 24.11.2026 16:00.",
        f"Звернення № {number} взято в роботу: КП «Дніпроводоканал».",
        f"Звернення № {number} виконано. Підтвердіть або спростуйте: {link}",
        f"Звернення № {number} закрито. Оцініть роботу: {link}",
    ]
    assigned = (f"Нове звернення № {number}: Слабкий тиск холодної води, проспект Дмитра Яворницького, 8. "
                f"Виконати до 24.11.2026 11:00.")
    refuted = f"Звернення № {number}: спростовано, друге коло до 24.11.2026 16:00."
    assert sms.to(EXECUTOR_PHONE) == [assigned, refuted]
    # No e-mail for the new ticket: it is no emergency, and the morning digest lists it if it still waits.
    assert [(m.to, m.subject) for m in email.sent] == [(EXECUTOR_EMAIL, refuted)]
    assert email.sent[0].text == (
        f"{refuted}\n\n"
        "Проблема: Слабкий тиск холодної води\n"
        "Адреса: проспект Дмитра Яворницького, 8\n"
        "Виконавець: КП «Дніпроводоканал»\n"
        "Термін: 24.11.2026 16:00\n\n"
        f"Звернення на сторінці працівників: {SITE}/admin/#/ticket/{ticket_id}")
    assert api.deps.storage.outbox.ready(clock.now() + timedelta(days=2)) == []


@pytest.mark.parametrize("filed_by", ["resident", "operator"])
def test_the_executor_gets_an_emergency_by_sms_and_e_mail_at_once(backend, filed_by):
    api, sms, email = backend
    cookie = api.sign_in()

    receipt = file(api, cookie, filed_by, cause="water.main-burst")  # 11:00 in Kyiv; due in 6 hours
    number, ticket_id = receipt["number"], receipt["id"]

    assigned = (f"Нове звернення № {number}: Порив водогону: вода б'є з-під землі, "
                f"проспект Дмитра Яворницького, 8. Виконати до 23.11.2026 17:00.")
    assert sms.to(EXECUTOR_PHONE) == [assigned]
    assert [(m.to, m.subject) for m in email.sent] == [(EXECUTOR_EMAIL, assigned)]
    assert email.sent[0].text == (
        f"{assigned}\n\n"
        "Проблема: Порив водогону: вода б'є з-під землі\n"
        "Адреса: проспект Дмитра Яворницького, 8\n"
        "Виконавець: КП «Дніпроводоканал»\n"
        "Термін: 23.11.2026 17:00\n\n"
        f"Звернення на сторінці працівників: {SITE}/admin/#/ticket/{ticket_id}")
    assert api.deps.storage.outbox.ready(api.deps.clock.now() + timedelta(days=2)) == []
