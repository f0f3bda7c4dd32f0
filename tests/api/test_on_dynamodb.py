"""The resident's whole flow once more, through the same wiring on the DynamoDB
adapters (under moto): the API does not care which backend keeps its data."""

from datetime import timedelta

import pytest

from tests.api.client import PHONE_E164, serving, ticket
from tests.api.open311 import file as open311_file
from tests.api.open311 import get as open311_get
from tests.api.open311 import partner_key
from tests.api.open311 import read as open311_read
from tests.api.test_cabinet import walk_the_second_round
from tests.aws import dynamodb_deps


@pytest.fixture
def api(settings, clock, sms, monkeypatch):
    with dynamodb_deps(settings, monkeypatch, "api-", clock=clock, sms=sms) as deps:
        yield from serving(deps, sms)


def test_sign_in_file_follow_comment_withdraw_and_look_up_on_dynamodb(api, sms):
    cookie = api.sign_in()
    first = api.post("/api/tickets", ticket(), headers={**cookie, "Idempotency-Key": "k-1"})
    again = api.post("/api/tickets", ticket(), headers={**cookie, "Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201 and api.json(first) == api.json(again)
    receipt = api.json(first)
    # Once each: the resident, and the executor's dispatcher.
    assert [s.to for s in sms.sent if receipt["number"] in s.text] == [PHONE_E164, "+380567000201"]

    assert [t["id"] for t in api.json(api.get("/api/tickets", headers=cookie))["current"]] == [receipt["id"]]
    api.post(f"/api/tickets/{receipt['id']}/comment", {"text": "Still none."}, headers=cookie)
    withdrawn = api.json(api.post(f"/api/tickets/{receipt['id']}/withdraw", headers=cookie))
    assert [h["command"] for h in withdrawn["history"]] == ["file", "route", "comment", "withdraw"]

    stranger = api.sign_in("+380671112233")
    assert api.get(f"/api/tickets/{receipt['id']}", headers=stranger).status_code == 404
    public = api.get(f"/api/public/tickets/{receipt['number']}")
    assert api.json(public)["status"] == "withdrawn" and PHONE_E164 not in public.body.decode()
    assert api.post("/api/auth/logout", headers=cookie).status_code == 204
    assert api.get("/api/me", headers=cookie).status_code == 401


def test_the_cabinets_second_round_confirm_and_rate_on_dynamodb(api):
    walk_the_second_round(api)


def test_the_duplicate_hint_on_dynamodb(api):
    cookie = api.sign_in()
    filed = api.json(api.post("/api/tickets", ticket(address={"street": "yavornytskoho-ave", "house": "12 а"}),
                              headers=cookie))

    answer = api.get("/api/tickets/similar?cause=water.low-pressure&street=yavornytskoho-ave&house=12А",
                     headers=cookie)

    assert [(t["number"], t["mine"]) for t in api.json(answer)["tickets"]] == [(filed["number"], True)]


def test_open311_files_lists_filters_and_reports_updates_on_dynamodb(api, sms):
    key = partner_key(api.deps)
    first = open311_file(api, key, phone="050 765 43 21")
    api.deps.clock.advance(timedelta(minutes=1))
    second = open311_file(api, key, service_code="roads.pothole", address_id="voskresenska:12/1")
    number = api.deps.storage.tickets.by_number(second)
    api.post(f"/api/admin/tickets/{number.id}/reject", {"version": number.version, "reason": "Not the city's."},
             headers=api.staff("operator"))

    def listed(query):
        return [r["service_request_id"] for r in open311_read(open311_get(api, f"requests.json{query}"))]

    assert listed("") == [second, first]
    assert listed("?status=open") == [first]
    assert listed("?service_code=roads.pothole&status=closed") == [second]
    assert listed("?page=2&page_size=1") == [first]
    assert [(u["service_request_id"], u["status"]) for u in open311_read(open311_get(
        api, "servicerequestupdates.json"))] == [(first, "ACTION_SCHEDULED"), (second, "ACTION_SCHEDULED"),
                                                 (second, "NOT_COUNCILS_RESPONSIBILITY")]
    assert [s.to for s in sms.sent if first in s.text][0] == "+380507654321"
