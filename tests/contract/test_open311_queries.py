"""TicketStore.filed and TicketStore.changes: Open311's requests filed in a time range
and the state changes made in one, both paged by offset, on both backends."""

from datetime import timedelta

from chalicelib.domain.ticket import Actor, Command, apply
from chalicelib.services.ports import FiledQuery
from tests.builders import NOW, OPERATOR, store_ticket

EXECUTOR = Actor("executor", "executor-1", "dniprovodokanal")
DAY = timedelta(days=1)


def everything(from_=NOW - 100 * DAY, to=NOW + DAY, **filters) -> FiledQuery:
    return FiledQuery(filed_from=from_, filed_to=to, **filters)


def ids(tickets) -> list:
    return [t.id for t in tickets]


def move(storage, ticket, name, at, actor=OPERATOR, **data):
    changed, events = apply(ticket, Command(name, actor, data), at)
    storage.tickets.update(changed, ticket.version, events)
    return changed


# --- filed ------------------------------------------------------------------------------

def test_filed_tickets_come_newest_first_as_stored(storage):
    older = store_ticket(storage, filed_at=NOW - 2 * DAY)
    newer = store_ticket(storage, filed_at=NOW - DAY)

    assert storage.tickets.filed(everything(), 0, 10) == [newer, older]


def test_tickets_filed_at_the_same_moment_follow_their_ids_descending(storage):
    store_ticket(storage, id="a-ticket")
    store_ticket(storage, id="b-ticket")
    store_ticket(storage, id="c-ticket")

    assert ids(storage.tickets.filed(everything(), 0, 10)) == ["c-ticket", "b-ticket", "a-ticket"]


def test_the_filing_range_is_from_inclusive_to_exclusive_across_months(storage):
    start, end = NOW - 40 * DAY, NOW
    store_ticket(storage, id="before", filed_at=start - timedelta(microseconds=1))
    store_ticket(storage, id="first", filed_at=start)
    store_ticket(storage, id="middle", filed_at=NOW - 20 * DAY)
    store_ticket(storage, id="last", filed_at=end - timedelta(microseconds=1))
    store_ticket(storage, id="after", filed_at=end)

    assert start.month != end.month
    assert ids(storage.tickets.filed(everything(start, end), 0, 10)) == ["last", "middle", "first"]


def test_a_range_the_wrong_way_round_finds_nothing(storage):
    store_ticket(storage)

    assert storage.tickets.filed(everything(NOW + DAY, NOW - DAY), 0, 10) == []


def test_causes_keep_the_tickets_of_any_of_them(storage):
    pressure = store_ticket(storage, cause="water.low-pressure", filed_at=NOW - 3 * DAY)
    store_ticket(storage, cause="roads.pothole", topic="roads", filed_at=NOW - 2 * DAY)
    burst = store_ticket(storage, cause="water.main-burst", filed_at=NOW - DAY)

    assert ids(storage.tickets.filed(everything(causes=("water.main-burst",)), 0, 10)) == ids([burst])
    assert ids(storage.tickets.filed(everything(causes=("water.low-pressure", "water.main-burst")), 0, 10)) \
        == ids([burst, pressure])


def test_open_or_closed_keeps_the_tickets_in_either(storage):
    working = move(storage, store_ticket(storage, filed_at=NOW - 3 * DAY), "route", NOW, organisation="dniprovodokanal")
    rejected = move(storage, store_ticket(storage, filed_at=NOW - 2 * DAY), "reject", NOW, reason="Not ours.")
    new = store_ticket(storage, filed_at=NOW - DAY)

    assert ids(storage.tickets.filed(everything(open=True), 0, 10)) == ids([new, working])
    assert ids(storage.tickets.filed(everything(open=False), 0, 10)) == ids([rejected])
    assert ids(storage.tickets.filed(everything(open=None), 0, 10)) == ids([new, rejected, working])


def test_a_ticket_that_closes_leaves_the_open_ones(storage):
    ticket = store_ticket(storage)
    move(storage, ticket, "withdraw", NOW + timedelta(minutes=5))

    assert storage.tickets.filed(everything(open=True), 0, 10) == []
    assert ids(storage.tickets.filed(everything(open=False), 0, 10)) == ids([ticket])


def test_filters_combine_with_the_range(storage):
    wanted = store_ticket(storage, cause="roads.pothole", topic="roads", filed_at=NOW - 5 * DAY)
    store_ticket(storage, cause="roads.pothole", topic="roads", filed_at=NOW - 50 * DAY)
    move(storage, store_ticket(storage, cause="roads.pothole", topic="roads", filed_at=NOW - 4 * DAY), "reject",
         NOW, reason="Not ours.")
    store_ticket(storage, cause="water.low-pressure", filed_at=NOW - 3 * DAY)

    query = everything(NOW - 10 * DAY, NOW, causes=("roads.pothole",), open=True)
    assert ids(storage.tickets.filed(query, 0, 10)) == ids([wanted])


def test_offset_and_limit_page_through_the_tickets_across_months(storage):
    made = [store_ticket(storage, id=f"t-{n:02d}", filed_at=NOW - n * 7 * DAY) for n in range(7)]
    newest_first = ids(made)

    pages = [ids(storage.tickets.filed(everything(NOW - 60 * DAY), offset, 3)) for offset in (0, 3, 6, 9)]

    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:7], []]


# --- changes ----------------------------------------------------------------------------

def test_changes_are_the_state_changes_oldest_first_with_the_ticket_as_it_is_now(storage):
    ticket = store_ticket(storage, filed_at=NOW)
    routed = move(storage, ticket, "route", NOW + timedelta(minutes=1), organisation="dniprovodokanal")
    commented = move(storage, routed, "comment", NOW + timedelta(minutes=2), text="We are on it.")
    working = move(storage, commented, "accept", NOW + timedelta(minutes=3), EXECUTOR)

    found = storage.tickets.changes(NOW, NOW + DAY, 0, 10)

    assert [(t, e.command, e.from_state, e.to_state) for t, e in found] == [
        (working, "route", "new", "assigned"), (working, "accept", "assigned", "in_progress")]
    assert [e.version for _, e in found] == [2, 4]


def test_changes_are_from_inclusive_to_exclusive_across_months(storage):
    start, end = NOW - 40 * DAY, NOW
    tickets = [store_ticket(storage, id=f"t-{n}", filed_at=start - DAY) for n in range(5)]
    for ticket, at in zip(tickets, (start - timedelta(microseconds=1), start, NOW - 20 * DAY,
                                    end - timedelta(microseconds=1), end)):
        move(storage, ticket, "reject", at, reason="Not ours.")

    found = storage.tickets.changes(start, end, 0, 10)

    assert [t.id for t, _ in found] == ["t-1", "t-2", "t-3"]


def test_changes_at_the_same_moment_follow_their_tickets_and_versions(storage):
    second, first = store_ticket(storage, id="b-ticket"), store_ticket(storage, id="a-ticket")
    for ticket in (second, first):
        routed = move(storage, ticket, "route", NOW + DAY, organisation="dniprovodokanal")
        move(storage, routed, "accept", NOW + DAY, EXECUTOR)

    found = storage.tickets.changes(NOW, NOW + 2 * DAY, 0, 10)

    assert [(t.id, e.version) for t, e in found] == [("a-ticket", 2), ("a-ticket", 3), ("b-ticket", 2),
                                                     ("b-ticket", 3)]


def test_offset_and_limit_page_through_the_changes_across_months(storage):
    for n in range(5):
        move(storage, store_ticket(storage, id=f"t-{n}", filed_at=NOW - 60 * DAY), "reject", NOW - (50 - n * 10) * DAY,
             reason="Not ours.")

    pages = [[t.id for t, _ in storage.tickets.changes(NOW - 60 * DAY, NOW, offset, 2)] for offset in (0, 2, 4, 6)]

    assert pages == [["t-0", "t-1"], ["t-2", "t-3"], ["t-4"], []]


def test_a_range_of_changes_the_wrong_way_round_finds_nothing(storage):
    move(storage, store_ticket(storage), "reject", NOW, reason="Not ours.")

    assert storage.tickets.changes(NOW + DAY, NOW - DAY, 0, 10) == []
