"""Two operators change one ticket at once: one gets 409, nothing is lost. On both
storage backends (DynamoDB under moto), through the same wiring; and with truly
simultaneous writers on SQLite."""

import threading

import pytest

from chalicelib.domain.errors import StaleVersion
from chalicelib.domain.ticket import State
from chalicelib.services import staff_tickets
from tests.builders import make_staff, store_ticket


@pytest.fixture
def api(either_api):
    return either_api


def read(api, headers, ticket_id) -> dict:
    answer = api.get(f"/api/admin/tickets/{ticket_id}", headers=headers)
    assert answer.status_code == 200, answer.body
    return api.json(answer)


def test_of_two_operators_changing_one_ticket_the_second_gets_409_and_nothing_is_lost(api):
    ticket = store_ticket(api.deps.storage)
    first, second = api.staff("operator", name="Anna"), api.staff("operator", name="Borys")
    version = read(api, first, ticket.id)["version"]
    assert read(api, second, ticket.id)["version"] == version

    routed = api.post(f"/api/admin/tickets/{ticket.id}/route", {"version": version, "organisation": "teploenergo"},
                      headers=first)
    refused = api.post(f"/api/admin/tickets/{ticket.id}/reject", {"version": version, "reason": "Duplicate call"},
                       headers=second)

    assert routed.status_code == 200, routed.body
    assert refused.status_code == 409 and api.error(refused)["code"] == "stale_version"
    kept = api.deps.storage.tickets.get(ticket.id)
    assert (kept.state, kept.organisation, kept.version) == (State.ASSIGNED, "teploenergo", version + 1)
    history = api.deps.storage.tickets.history(ticket.id)
    assert [(e.command, e.version) for e in history] == [("file", 1), ("route", version + 1)]

    reloaded = read(api, second, ticket.id)
    assert reloaded["status"] == "assigned" and reloaded["history"][-1]["actor"]["name"] == "Anna"
    rejected = api.post(f"/api/admin/tickets/{ticket.id}/reject",
                        {"version": reloaded["version"], "reason": "Duplicate call"}, headers=second)
    assert rejected.status_code == 200, rejected.body
    assert [(h["command"], h["actor"]["name"]) for h in api.json(rejected)["history"]] == [
        ("file", "Мешканець"), ("route", "Anna"), ("reject", "Borys")]

# On SQLite only: moto runs concurrent DynamoDB transactions without isolation (it
# checks, writes and rolls back on a shared copy of the tables), so under threads it
# cannot stand in for DynamoDB's conditional writes, which the contract tests cover.
def test_of_operators_commenting_on_one_version_at_the_same_moment_exactly_one_gets_through(deps):
    ticket = store_ticket(deps.storage)
    operators = [make_staff(role="operator") for _ in range(4)]
    start = threading.Barrier(len(operators))
    outcomes = []

    def comment(member):
        start.wait()
        try:
            staff_tickets.command(deps, member, ticket.id, "comment",
                                  {"version": ticket.version, "text": f"Called back by {member.name}"}, "en")
            outcomes.append("done")
        except StaleVersion:
            outcomes.append("stale")

    threads = [threading.Thread(target=comment, args=(member,)) for member in operators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["done", "stale", "stale", "stale"]
    history = deps.storage.tickets.history(ticket.id)
    assert [e.command for e in history] == ["file", "comment"]
    assert deps.storage.tickets.get(ticket.id).version == ticket.version + 1
