"""TicketStore.open_at_address: the open tickets a resident about to file is shown as possible duplicates."""

from datetime import timedelta

import pytest

from chalicelib.domain.ticket import Actor, Address, Command, State, apply
from tests.builders import NOW, OPERATOR, store_ticket

STREET = "yavornytskoho-ave"
CAUSE = "water.low-pressure"
EXECUTOR = Actor("executor", "executor-1", "dniprovodokanal")


def at(house, street=STREET, **overrides):
    return {"address": Address(street, house, entrance="1", flat="7"), **overrides}


def move(storage, ticket, name, actor=OPERATOR, **data):
    changed, events = apply(ticket, Command(name, actor, data), NOW + timedelta(minutes=ticket.version))
    storage.tickets.update(changed, ticket.version, events)
    return changed


def test_the_open_tickets_of_the_cause_at_the_address_come_back_newest_filed_first(storage):
    older = store_ticket(storage, **at("12"), filed_at=NOW - timedelta(days=2))
    newest = store_ticket(storage, **at("12"), filed_at=NOW)
    middle = store_ticket(storage, **at("12"), filed_at=NOW - timedelta(days=1), state=State.IN_PROGRESS)

    assert storage.tickets.open_at_address(CAUSE, STREET, "12") == [newest, middle, older]


def test_nothing_is_offered_where_there_is_nothing_open(storage):
    assert storage.tickets.open_at_address(CAUSE, STREET, "12") == []


@pytest.mark.parametrize("asked", ["12А", "12 а", "12-а", " 12а"])
def test_house_12_a_matches_however_it_is_written(storage, asked):
    ticket = store_ticket(storage, **at("12 а"))

    assert storage.tickets.open_at_address(CAUSE, STREET, asked) == [ticket]


def test_a_closed_ticket_at_the_same_address_is_not_offered(storage):
    store_ticket(storage, **at("12"), state=State.CLOSED, closed_at=NOW, next_timer=None, next_due_at=None)

    assert storage.tickets.open_at_address(CAUSE, STREET, "12") == []


def test_another_cause_at_the_same_address_is_not_offered(storage):
    store_ticket(storage, **at("12"), cause="water.poor-quality")

    assert storage.tickets.open_at_address(CAUSE, STREET, "12") == []


def test_another_house_or_street_is_not_offered(storage):
    store_ticket(storage, **at("12Б"))
    store_ticket(storage, **at("12", street="haharina-ave"))
    store_ticket(storage, **at("120"))

    assert storage.tickets.open_at_address(CAUSE, STREET, "12") == []


def test_a_ticket_leaves_the_offer_when_an_update_closes_it(storage):
    ticket = store_ticket(storage, **at("12"))
    move(storage, ticket, "withdraw", Actor("resident", ticket.reporter_id))

    assert storage.tickets.open_at_address(CAUSE, STREET, "12") == []


def test_a_done_ticket_is_still_offered_and_a_refuted_one_too(storage):
    ticket = move(storage, store_ticket(storage, **at("12"), state=State.ASSIGNED), "accept", EXECUTOR)
    done = move(storage, ticket, "report_done", EXECUTOR)
    assert storage.tickets.open_at_address(CAUSE, STREET, "12") == [done]

    reopened = move(storage, done, "refute", Actor("resident", ticket.reporter_id), note="Still no pressure.")

    assert reopened.state == State.REOPENED
    assert storage.tickets.open_at_address(CAUSE, STREET, "12") == [reopened]
