"""TicketStore.queue and count_by_state: the staff queue, filtered, by deadline, in pages."""

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.adapters import codec
from chalicelib.domain.ticket import Actor, Address, Command, State, apply
from chalicelib.services.ports import QueueQuery
from tests.builders import NOW, OPERATOR, store_ticket

EXECUTOR = Actor("executor", "executor-1", "dniprovodokanal")


def filed(storage, hours_to_deadline=24, **overrides):
    """A ticket whose deadline is `hours_to_deadline` after NOW."""
    ticket = store_ticket(storage, **overrides)
    return _moved_deadline(storage, ticket, NOW + timedelta(hours=hours_to_deadline))


def _moved_deadline(storage, ticket, due_at):
    changed = replace(ticket, due_at=due_at, version=ticket.version + 1)
    storage.tickets.update(changed, ticket.version, [])
    return changed


def move(storage, ticket, name, actor=OPERATOR, **data):
    changed, events = apply(ticket, Command(name, actor, data), NOW + timedelta(minutes=ticket.version))
    storage.tickets.update(changed, ticket.version, events)
    return changed


def ids(tickets) -> list:
    return [t.id for t in tickets]


def everything(storage, query=QueueQuery(), page=100, descending=False) -> list:
    tickets, cursor = storage.tickets.queue(query, page, descending=descending)
    assert cursor is None
    return tickets


def test_the_queue_lists_every_ticket_by_deadline_soonest_first(storage):
    later = filed(storage, 30)
    sooner = filed(storage, 2)
    middle = filed(storage, 10)

    assert ids(everything(storage)) == ids([sooner, middle, later])


def test_the_queue_lists_latest_deadline_first_when_asked(storage):
    later = filed(storage, 30)
    sooner = filed(storage, 2)
    middle = filed(storage, 10)

    assert ids(everything(storage, descending=True)) == ids([later, middle, sooner])


def test_the_queue_gives_back_the_tickets_as_stored(storage):
    ticket = filed(storage, 5)

    assert everything(storage) == [ticket]


def test_an_empty_queue_has_no_tickets_and_no_next_page(storage):
    assert storage.tickets.queue(QueueQuery(), 25) == ([], None)


def test_tickets_with_the_same_deadline_follow_their_ids(storage):
    first = filed(storage, 5, id="a-ticket")
    second = filed(storage, 5, id="b-ticket")

    assert ids(everything(storage)) == ["a-ticket", "b-ticket"]
    assert ids(everything(storage, descending=True)) == ["b-ticket", "a-ticket"]
    assert first.due_at == second.due_at


def test_states_pick_the_tickets_in_any_of_them(storage):
    new = filed(storage, 1)
    assigned = move(storage, filed(storage, 2), "route", organisation="dniprovodokanal")
    working = move(storage, move(storage, filed(storage, 3), "route", organisation="dniprovodokanal"), "accept",
                   EXECUTOR)

    assert ids(everything(storage, QueueQuery(states=("assigned", "in_progress")))) == ids([assigned, working])
    assert ids(everything(storage, QueueQuery(states=("new",)))) == ids([new])


@pytest.mark.parametrize("name, kept, other", [
    ("organisation", {"organisation": "teploenergo"}, {"organisation": "dniprovodokanal"}),
    ("topic", {"topic": "heating"}, {"topic": "water"}),
    ("cause", {"cause": "water.no-water"}, {"cause": "water.low-pressure"}),
    ("street", {"address": Address("haharina-ave", "3")}, {"address": Address("yavornytskoho-ave", "8")}),
    ("overdue", {"overdue": True}, {"overdue": False}),
    ("escalated", {"escalated": True}, {"escalated": False}),
])
def test_each_filter_alone_keeps_only_the_tickets_that_match(storage, name, kept, other):
    wanted = filed(storage, 5, **kept)
    filed(storage, 3, **other)
    value = {"street": "haharina-ave"}.get(name, next(iter(kept.values())))

    assert ids(everything(storage, QueueQuery(**{name: value}))) == ids([wanted])


def test_a_false_flag_keeps_the_tickets_without_it(storage):
    filed(storage, 5, overdue=True, escalated=True)
    calm = filed(storage, 3)

    assert ids(everything(storage, QueueQuery(overdue=False, escalated=False))) == ids([calm])


def test_the_filing_dates_are_from_inclusive_to_exclusive(storage):
    day = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
    before = filed(storage, 1, filed_at=day - timedelta(microseconds=1))
    first = filed(storage, 2, filed_at=day)
    last = filed(storage, 3, filed_at=day + timedelta(days=1) - timedelta(microseconds=1))
    after = filed(storage, 4, filed_at=day + timedelta(days=1))

    assert ids(everything(storage, QueueQuery(filed_from=day, filed_to=day + timedelta(days=1)))) == ids([first, last])
    assert ids(everything(storage, QueueQuery(filed_from=day + timedelta(days=1)))) == ids([after])
    assert ids(everything(storage, QueueQuery(filed_to=day))) == ids([before])


def test_filters_combine(storage):
    wanted = filed(storage, 5, organisation="teploenergo", topic="heating", cause="heating.no-heating",
                   address=Address("haharina-ave", "3"), overdue=True, escalated=True,
                   filed_at=NOW - timedelta(hours=1))
    filed(storage, 6, organisation="teploenergo", topic="heating", cause="heating.no-heating",
          address=Address("haharina-ave", "3"), overdue=True, escalated=False)
    filed(storage, 7, organisation="teploenergo", topic="heating", cause="heating.no-heating",
          address=Address("yavornytskoho-ave", "3"), overdue=True, escalated=True)
    filed(storage, 8, organisation="dniprovodokanal", overdue=True, escalated=True)
    filed(storage, 9, organisation="teploenergo", topic="heating", cause="heating.no-heating",
          address=Address("haharina-ave", "3"), overdue=True, escalated=True, filed_at=NOW - timedelta(days=3))
    query = QueueQuery(states=("new",), organisation="teploenergo", topic="heating", cause="heating.no-heating",
                       street="haharina-ave", overdue=True, escalated=True, filed_from=NOW - timedelta(days=1),
                       filed_to=NOW + timedelta(days=1))

    assert ids(everything(storage, query)) == ids([wanted])
    assert storage.tickets.count_by_state(query) == {"new": 1}


@pytest.mark.parametrize("descending", [False, True])
def test_paging_with_the_cursor_gives_every_match_exactly_once_in_order(storage, descending):
    matching = [filed(storage, hours, organisation="teploenergo") for hours in (7, 1, 5, 3, 3, 9, 2)]
    for hours in (4, 6):
        filed(storage, hours, organisation="dniprovodokanal")
    move(storage, matching[0], "route", organisation="teploenergo")
    query = QueueQuery(organisation="teploenergo")

    seen, cursor, pages = [], None, 0
    while True:
        tickets, cursor = storage.tickets.queue(query, 3, after=cursor, descending=descending)
        seen += tickets
        pages += 1
        if cursor is None:
            break
        assert cursor == codec.queue_key(tickets[-1])

    expected = sorted(matching, key=codec.queue_key, reverse=descending)
    assert ids(seen) == ids(expected)
    assert pages == 3


def test_a_page_that_ends_with_the_last_match_has_no_next_page(storage):
    tickets = [filed(storage, hours) for hours in (1, 2)]

    assert storage.tickets.queue(QueueQuery(), 2) == (tickets, None)


def test_the_queue_follows_a_ticket_through_its_changes(storage):
    ticket = filed(storage, 5)
    routed = move(storage, ticket, "route", organisation="teploenergo")

    assert everything(storage, QueueQuery(states=("new",))) == []
    assert ids(everything(storage, QueueQuery(states=("assigned",), organisation="teploenergo"))) == [routed.id]
    assert everything(storage, QueueQuery(organisation="dniprovodokanal")) == []


def test_counts_per_state_honour_the_filters_but_not_the_states(storage):
    for _ in range(2):
        filed(storage, 5, organisation="teploenergo")
    move(storage, filed(storage, 5, organisation="teploenergo"), "route", organisation="teploenergo")
    filed(storage, 5, organisation="dniprovodokanal")

    query = QueueQuery(states=("assigned",), organisation="teploenergo")

    assert storage.tickets.count_by_state(query) == {"new": 2, "assigned": 1}
    assert storage.tickets.count_by_state(QueueQuery()) == {"new": 3, "assigned": 1}


def test_states_with_no_tickets_are_left_out_of_the_counts(storage):
    assert storage.tickets.count_by_state(QueueQuery()) == {}
    closed = store_ticket(storage, state=State.CLOSED, closed_at=NOW, next_timer=None, next_due_at=None)

    assert storage.tickets.count_by_state(QueueQuery()) == {closed.state.value: 1}

