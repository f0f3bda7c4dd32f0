"""A signed-in resident files tickets, follows them, comments and withdraws."""

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib import bootstrap
from chalicelib.domain.numbers import is_valid_number
from chalicelib.domain.ticket import Actor, Command, apply
from chalicelib.adapters.sqlite import SqliteTickets
from tests.api.client import ADDRESS, DESCRIPTION, PHONE_E164, ticket


def file(api, cookie, body=None, **headers):
    return api.post("/api/tickets", ticket() if body is None else body, headers={**cookie, **headers})


def test_a_resident_files_follows_comments_on_and_withdraws_a_ticket(api, sms):
    cookie = api.sign_in()

    filed = file(api, cookie)
    assert filed.status_code == 201
    receipt = api.json(filed)
    assert sorted(receipt) == ["due_at", "id", "number", "status"]
    assert receipt["status"] == "assigned" and receipt["due_at"] == "2026-11-24T09:00:00Z"
    assert is_valid_number(receipt["number"])
    assert sms.to(PHONE_E164)[-1] == f"Звернення № {receipt['number']} прийнято. Виконати до 24.11.2026 11:00."

    listed = api.json(api.get("/api/tickets", headers=cookie))
    assert listed["completed"] == []
    [line] = listed["current"]
    assert line == {
        "id": receipt["id"], "number": receipt["number"], "status": "assigned", "status_label": "Передано виконавцю",
        "cause": {"code": "water.low-pressure", "name": "Слабкий тиск холодної води"},
        "category": {"code": "water", "name": "Водопостачання"},
        "address": {**ADDRESS, "street_name": "проспект Дмитра Яворницького"},
        "organisation": {"code": "dniprovodokanal", "name": line["organisation"]["name"]},
        "filed_at": "2026-11-23T09:00:00Z", "due_at": "2026-11-24T09:00:00Z", "overdue": False,
    }

    detail = api.json(api.get(f"/api/tickets/{receipt['id']}", headers=cookie))
    assert detail["description"] == DESCRIPTION and detail["district"]["code"] == "tsentralnyi"
    assert [(h["command"], h["from"], h["to"], h["by"]) for h in detail["history"]] == [
        ("file", None, "new", "resident"), ("route", "new", "assigned", "system")]

    commented = api.post(f"/api/tickets/{receipt['id']}/comment", {"text": "  The 9th floor has none at all. "},
                         headers=cookie)
    assert commented.status_code == 200
    assert api.json(commented)["history"][-1] == {
        "at": "2026-11-23T09:00:00Z", "command": "comment", "by": "resident", "from": "assigned",
        "to": "assigned", "note": "The 9th floor has none at all.", "photos": []}

    withdrawn = api.post(f"/api/tickets/{receipt['id']}/withdraw", headers=cookie)
    assert withdrawn.status_code == 200
    assert api.json(withdrawn)["status"] == "withdrawn"
    assert api.json(withdrawn)["closed_at"] == "2026-11-23T09:00:00Z"
    listed = api.json(api.get("/api/tickets", headers=cookie))
    assert listed["current"] == [] and [t["id"] for t in listed["completed"]] == [receipt["id"]]

    spaced = " ".join([receipt["number"][:3], receipt["number"][3:]])
    public = api.get(f"/api/public/tickets/{spaced.replace(' ', '%20')}?lang=en")
    assert public.status_code == 200
    seen = api.json(public)
    assert seen["number"] == receipt["number"] and seen["status"] == "withdrawn"
    assert seen["address"] == {"street": "yavornytskoho-ave", "street_name": "Dmytra Yavornytskoho Avenue",
                               "house": "8"}
    assert seen["cause"]["name"] == "Low cold water pressure" and seen["organisation"]["code"] == "dniprovodokanal"
    text = public.body.decode()
    for private in (PHONE_E164, "4567", DESCRIPTION, "9th floor", "code 14K", '"flat"', '"entrance"', "reporter",
                    detail["history"][0]["at"] + '","command'):
        assert private not in text


def test_the_filed_sms_is_queued_with_the_ticket_and_sent_at_once(api):
    receipt = api.json(file(api, api.sign_in()))
    rows = api.snapshot()["outbox"]
    # The resident's SMS and the executor's SMS; no e-mail, the ticket being no emergency (services.notifications).
    assert len(rows) == 2 and all("'sent'" in row and receipt["id"] in row for row in rows)
    assert api.deps.storage.outbox.ready(api.deps.clock.now() + timedelta(days=1)) == []


def test_when_the_sms_fails_the_ticket_is_still_filed_and_the_message_waits_for_the_tick(api, sms):
    cookie = api.sign_in()
    sms.fail_next()
    filed = file(api, cookie)
    assert filed.status_code == 201
    [waiting] = api.deps.storage.outbox.ready(api.deps.clock.now() + timedelta(minutes=1))
    assert waiting.tries == 1 and waiting.ticket_id == api.json(filed)["id"]


def test_a_building_cause_goes_to_the_buildings_management_company(api):
    body = ticket(cause="building.roof-leak", address={"street": "yavornytskoho-ave", "house": "44"})
    receipt = api.json(file(api, api.sign_in(), body))
    detail = api.json(api.get(f"/api/tickets/{receipt['id']}", headers=api.sign_in()))
    assert detail["organisation"]["code"] == "zatyshnyi-dim"


def test_an_emergency_is_due_in_six_hours(api):
    receipt = api.json(file(api, api.sign_in(), ticket(cause="water.no-water-building")))
    assert receipt["due_at"] == "2026-11-23T15:00:00Z"


def test_a_repeat_with_the_same_idempotency_key_returns_the_first_answer_and_creates_nothing(api, sms, clock):
    cookie = api.sign_in()
    first = file(api, cookie, **{"Idempotency-Key": "phone-retry-1"})
    clock.advance(timedelta(minutes=3))
    before = api.snapshot()
    # The same request, its keys in another order.
    again = file(api, cookie, dict(reversed(ticket().items())), **{"Idempotency-Key": "phone-retry-1"})
    assert again.status_code == 201 and api.json(again) == api.json(first)
    assert api.snapshot() == before
    assert api.count("tickets") == 1 and len([text for text in sms.to(PHONE_E164) if "№" in text]) == 1


@pytest.mark.parametrize("other", [ticket(description="Something else entirely"), {"cause": "water.low-pressure"}])
def test_another_request_under_a_used_idempotency_key_is_422_and_files_nothing(api, other):
    cookie = api.sign_in()
    file(api, cookie, **{"Idempotency-Key": "phone-retry-1"})
    before = api.snapshot()
    again = file(api, cookie, other, **{"Idempotency-Key": "phone-retry-1"})
    assert again.status_code == 422 and api.error(again)["code"] == "idempotency_key_reused"
    assert api.snapshot() == before


def test_another_key_or_no_key_files_another_ticket(api):
    cookie = api.sign_in()
    numbers = {api.json(file(api, cookie, **{"Idempotency-Key": key}))["number"] for key in ("a", "b")}
    numbers.add(api.json(file(api, cookie))["number"])
    assert len(numbers) == 3 and api.count("tickets") == 3


def test_the_same_key_from_two_residents_files_two_tickets(api):
    one = file(api, api.sign_in("+380501110001"), **{"Idempotency-Key": "same"})
    two = file(api, api.sign_in("+380501110002"), **{"Idempotency-Key": "same"})
    assert api.json(one)["id"] != api.json(two)["id"]


def test_a_key_used_again_a_day_later_still_files_nothing_twice(api, clock):
    cookie = api.sign_in()
    first = api.json(file(api, cookie, **{"Idempotency-Key": "k"}))
    clock.advance(timedelta(hours=25))
    cookie = api.sign_in()
    again = file(api, cookie, **{"Idempotency-Key": "k"})
    # The record outlived its day but is still stored: the first answer stands and nothing is filed twice.
    assert api.json(again) == first and api.count("tickets") == 1


@pytest.mark.parametrize("key", ["", "x" * 201, "has space", "кирилиця"])
def test_a_malformed_idempotency_key_is_422(api, key):
    answer = file(api, api.sign_in(), **{"Idempotency-Key": key})
    assert answer.status_code == 422 and api.error(answer)["code"] == "bad_idempotency_key"


def test_another_residents_ticket_is_not_found_whatever_is_asked(api):
    receipt = api.json(file(api, api.sign_in("+380501110001")))
    stranger = api.sign_in("+380501110002")
    before = api.snapshot()
    for answer in (api.get(f"/api/tickets/{receipt['id']}", headers=stranger),
                   api.post(f"/api/tickets/{receipt['id']}/comment", {"text": "mine now"}, headers=stranger),
                   api.post(f"/api/tickets/{receipt['id']}/withdraw", headers=stranger),
                   api.get("/api/tickets/no-such-ticket", headers=stranger),
                   api.get(f"/api/tickets/{'f' * 300}", headers=stranger)):
        assert answer.status_code == 404
        assert api.error(answer) == {"code": "ticket_not_found", "message": "Такого звернення немає."}
    assert api.snapshot() == before
    assert api.json(api.get("/api/tickets", headers=stranger)) == {"current": [], "completed": []}


def test_a_ticket_in_progress_cannot_be_withdrawn_and_stays_as_it_was(api, deps, clock):
    cookie = api.sign_in()
    receipt = api.json(file(api, cookie))
    stored = deps.storage.tickets.get(receipt["id"])
    accepted, events = apply(stored, Command("accept", Actor("executor", "e-1", "dniprovodokanal")), clock.now())
    deps.storage.tickets.update(accepted, stored.version, events)
    before = api.snapshot()
    answer = api.post(f"/api/tickets/{receipt['id']}/withdraw", headers=cookie)
    assert answer.status_code == 409 and api.error(answer)["code"] == "illegal_transition"
    assert api.snapshot() == before


class ReadsBehind(SqliteTickets):
    """The SQLite store, except that `get` answers an earlier copy of the ticket:
    it moved on between the service's read and its write."""

    def __init__(self, store: SqliteTickets, earlier):
        super().__init__(store.db)
        self.earlier = earlier

    def get(self, ticket_id):
        return self.earlier


def test_a_resident_action_on_a_ticket_that_moved_on_is_409_and_changes_nothing(api, deps):
    cookie = api.sign_in()
    receipt = api.json(file(api, cookie))
    earlier = deps.storage.tickets.get(receipt["id"])
    api.post(f"/api/tickets/{receipt['id']}/comment", {"text": "first"}, headers=cookie)
    lagging = replace(deps.storage, tickets=ReadsBehind(deps.storage.tickets, earlier))
    bootstrap.override(replace(deps, storage=lagging))
    before = api.snapshot()
    answer = api.post(f"/api/tickets/{receipt['id']}/withdraw", headers=cookie)
    assert answer.status_code == 409 and api.error(answer)["code"] == "stale_version"
    assert api.snapshot() == before


def test_an_empty_comment_is_422(api):
    cookie = api.sign_in()
    receipt = api.json(file(api, cookie))
    for body in ({}, {"text": "   "}, {"text": 5}, {"text": "x" * 2001}):
        answer = api.post(f"/api/tickets/{receipt['id']}/comment", body, headers=cookie)
        assert answer.status_code == 422, body


def test_a_ticket_past_its_deadline_shows_as_overdue(api, clock):
    cookie = api.sign_in()
    file(api, cookie)
    clock.advance(timedelta(hours=24))
    [line] = api.json(api.get("/api/tickets", headers=cookie))["current"]
    assert line["overdue"] is True


def test_the_list_is_newest_first_and_in_the_residents_language(api, clock):
    cookie = api.sign_in(lang="en")
    first = api.json(file(api, cookie))
    clock.advance(timedelta(minutes=5))
    second = api.json(file(api, cookie, ticket(cause="roads.pothole")))
    current = api.json(api.get("/api/tickets?lang=uk", headers=cookie))["current"]
    assert [t["id"] for t in current] == [second["id"], first["id"]]
    roads = api.deps.storage.directory.catalogue().topic("roads")
    assert current[0]["category"] == {"code": "roads", "name": roads.name("en")}


def test_without_a_session_the_ticket_routes_are_401(api):
    for answer in (api.post("/api/tickets", ticket()), api.get("/api/tickets"), api.get("/api/tickets/x"),
                   api.post("/api/tickets/x/comment", {"text": "hi"}), api.post("/api/tickets/x/withdraw")):
        assert answer.status_code == 401 and api.error(answer)["code"] == "sign_in_required"
