"""TicketStore: atomic writes with their history and outbox, optimistic locking, the lists."""

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import AlreadyExists, NotFound, StaleVersion
from chalicelib.domain.ticket import Address, Command, State, apply
from tests.builders import NOW, OPERATOR, filed_ticket, make_idempotency, make_message, store_ticket

LATER = NOW + timedelta(minutes=5)


def comment(ticket, text="Called the resident back.", at=LATER):
    return apply(ticket, Command("comment", OPERATOR, {"text": text}), at)


def test_a_created_ticket_comes_back_equal_by_id_and_by_number(storage):
    ticket, events = filed_ticket()
    storage.tickets.create(ticket, events)

    assert storage.tickets.get(ticket.id) == ticket
    assert storage.tickets.by_number(ticket.number) == ticket


def test_an_unknown_ticket_is_none_by_id_and_by_number(storage):
    assert storage.tickets.get("no-such-ticket") is None
    assert storage.tickets.by_number("1000009") is None


def test_a_ticket_with_every_field_set_comes_back_equal(storage):
    ticket, events = filed_ticket(
        address=Address("yavornytskoho-ave", "103А", entrance="1", flat="7", note="Код домофона 7#"),
        description="Тече стеля у під'їзді; \"терміново\" — вода на електрощитку.",
        lat=48.4647, lon=35.0462, photos=("photos/ticket/a.jpg", "photos/ticket/b.jpg"),
        state=State.CLOSED, version=9, updated_at=NOW + timedelta(days=6), round=2, reminded=True, overdue=True,
        next_timer=None, next_due_at=None, done_at=NOW + timedelta(days=5), closed_at=NOW + timedelta(days=6),
        order_due_at=NOW + timedelta(days=4, microseconds=1), rating=4, reason="Fixed after the order.",
        fines=({"at": "2026-11-26T10:00:00+00:00", "amount": 1700, "organisation": "zhek-12"},),
    )
    storage.tickets.create(ticket, events)

    assert storage.tickets.get(ticket.id) == ticket


def test_create_writes_the_history_the_outbox_messages_and_the_idempotency_record(storage):
    ticket, events = filed_ticket()
    messages = [make_message(ticket_id=ticket.id), make_message(ticket_id=ticket.id, to="+380671234567")]
    record = make_idempotency(body={"id": ticket.id, "number": ticket.number})

    storage.tickets.create(ticket, events, messages, record)

    assert storage.tickets.history(ticket.id) == events
    assert [storage.outbox.get(m.id) for m in messages] == messages
    assert storage.idempotency.get(record.key) == record


def test_create_refuses_a_duplicate_id_and_writes_nothing(storage):
    first, first_events = filed_ticket()
    storage.tickets.create(first, first_events)
    again, again_events = filed_ticket(id=first.id, description="Another problem under the same id.")
    message, record = make_message(ticket_id=first.id), make_idempotency()

    with pytest.raises(AlreadyExists):
        storage.tickets.create(again, again_events, [message], record)

    assert storage.tickets.get(first.id) == first
    assert storage.tickets.by_number(again.number) is None
    assert storage.tickets.history(first.id) == first_events
    assert storage.outbox.get(message.id) is None
    assert storage.idempotency.get(record.key) is None


def test_create_refuses_a_duplicate_number_and_writes_nothing(storage):
    first = store_ticket(storage)
    again, again_events = filed_ticket(number=first.number)
    message, record = make_message(ticket_id=again.id), make_idempotency()

    with pytest.raises(AlreadyExists):
        storage.tickets.create(again, again_events, [message], record)

    assert storage.tickets.get(again.id) is None
    assert storage.tickets.by_number(first.number) == first
    assert storage.tickets.history(again.id) == []
    assert storage.outbox.get(message.id) is None
    assert storage.idempotency.get(record.key) is None


def test_create_refuses_a_used_idempotency_key_and_writes_nothing(storage):
    first, first_events = filed_ticket()
    record = make_idempotency()
    storage.tickets.create(first, first_events, [], record)
    again, again_events = filed_ticket()
    message = make_message(ticket_id=again.id)
    repeat = make_idempotency(key=record.key, body={"id": again.id})

    with pytest.raises(AlreadyExists):
        storage.tickets.create(again, again_events, [message], repeat)

    assert storage.tickets.get(again.id) is None
    assert storage.tickets.by_number(again.number) is None
    assert storage.tickets.history(again.id) == []
    assert storage.outbox.get(message.id) is None
    assert storage.idempotency.get(record.key) == record


def test_an_update_replaces_the_ticket_and_appends_its_events_and_messages(storage):
    ticket, filed_events = filed_ticket()
    storage.tickets.create(ticket, filed_events)
    routed, routed_events = apply(ticket, Command("route", OPERATOR, {"organisation": "zhek-12"}), LATER)
    message = make_message(ticket_id=ticket.id, kind="assigned")

    storage.tickets.update(routed, ticket.version, routed_events, [message])

    assert storage.tickets.get(ticket.id) == routed
    assert storage.tickets.by_number(ticket.number) == routed
    assert storage.tickets.history(ticket.id) == filed_events + routed_events
    assert storage.outbox.get(message.id) == message


def test_a_stale_update_is_refused_and_changes_nothing(storage):
    ticket, filed_events = filed_ticket()
    storage.tickets.create(ticket, filed_events)
    first, first_events = comment(ticket, "The first operator's note.")
    storage.tickets.update(first, ticket.version, first_events)
    late, late_events = comment(ticket, "A second operator, working from the old version.")
    message = make_message(ticket_id=ticket.id)

    with pytest.raises(StaleVersion):
        storage.tickets.update(late, ticket.version, late_events, [message])

    assert storage.tickets.get(ticket.id) == first
    assert storage.tickets.history(ticket.id) == filed_events + first_events
    assert storage.outbox.get(message.id) is None


def test_an_update_of_a_missing_ticket_is_not_found_and_writes_nothing(storage):
    ghost, _ = filed_ticket()
    changed, events = comment(ghost)
    message = make_message(ticket_id=ghost.id)

    with pytest.raises(NotFound):
        storage.tickets.update(changed, ghost.version, events, [message])

    assert storage.tickets.get(ghost.id) is None
    assert storage.tickets.history(ghost.id) == []
    assert storage.outbox.get(message.id) is None


def test_history_comes_back_oldest_first_by_version_past_ten_versions(storage):
    ticket, events = filed_ticket()
    storage.tickets.create(ticket, events)
    history = list(events)
    for minute in range(1, 12):
        changed, new_events = comment(ticket, f"Note {minute}.", NOW + timedelta(minutes=minute))
        storage.tickets.update(changed, ticket.version, new_events)
        ticket, history = changed, history + new_events

    stored = storage.tickets.history(ticket.id)

    assert [event.version for event in stored] == list(range(1, 13))
    assert stored == history


def test_an_unknown_ticket_has_no_history(storage):
    assert storage.tickets.history("no-such-ticket") == []


def test_by_reporter_lists_the_reporters_tickets_newest_filed_first(storage):
    middle = store_ticket(storage, reporter_id="resident-7", filed_at=NOW - timedelta(days=1))
    newest = store_ticket(storage, reporter_id="resident-7", filed_at=NOW)
    store_ticket(storage, reporter_id="resident-8", filed_at=NOW - timedelta(hours=1))
    oldest = store_ticket(storage, reporter_id="resident-7", filed_at=NOW - timedelta(days=30))

    assert storage.tickets.by_reporter("resident-7") == [newest, middle, oldest]
    assert storage.tickets.by_reporter("resident-9") == []


def test_by_organisation_lists_newest_filed_first_in_every_state_or_in_one(storage):
    oldest = store_ticket(storage, organisation="zhek-12", filed_at=NOW - timedelta(days=3))
    middle = store_ticket(storage, organisation="zhek-12", filed_at=NOW - timedelta(days=2), state=State.ASSIGNED)
    newest = store_ticket(storage, organisation="zhek-12", filed_at=NOW - timedelta(days=1), state=State.ASSIGNED)
    store_ticket(storage, organisation="zhek-27", filed_at=NOW, state=State.ASSIGNED)

    assert storage.tickets.by_organisation("zhek-12") == [newest, middle, oldest]
    assert storage.tickets.by_organisation("zhek-12", "assigned") == [newest, middle]
    assert storage.tickets.by_organisation("zhek-12", "new") == [oldest]
    assert storage.tickets.by_organisation("zhek-12", "closed") == []
    assert storage.tickets.by_organisation("teploenergo") == []


def test_a_routed_ticket_moves_to_its_new_organisations_list_and_state(storage):
    ticket = store_ticket(storage, organisation="dniprovodokanal")
    routed, events = apply(ticket, Command("route", OPERATOR, {"organisation": "zhek-12"}), LATER)

    storage.tickets.update(routed, ticket.version, events)

    assert storage.tickets.by_organisation("dniprovodokanal") == []
    assert storage.tickets.by_organisation("zhek-12", "new") == []
    assert storage.tickets.by_organisation("zhek-12", "assigned") == [routed]


def test_by_month_lists_tickets_filed_in_that_utc_month_oldest_first(storage):
    # 23:30 UTC on 30 November is already 1 December in Kyiv: the month is the UTC one.
    late = store_ticket(storage, filed_at=datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc))
    first = store_ticket(storage, filed_at=datetime(2026, 11, 1, 0, 0, tzinfo=timezone.utc))
    store_ticket(storage, filed_at=datetime(2026, 10, 31, 23, 59, 59, tzinfo=timezone.utc))
    december = store_ticket(storage, filed_at=datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc))

    assert storage.tickets.by_month("2026-11") == [first, late]
    assert storage.tickets.by_month("2026-12") == [december]
    assert storage.tickets.by_month("2026-09") == []


def due_ticket(storage, at):
    return store_ticket(storage, next_timer="overdue", next_due_at=at)


def test_due_returns_the_tickets_whose_timer_is_at_or_before_now_earliest_first(storage):
    exactly_now = due_ticket(storage, NOW)
    two_hours_late = due_ticket(storage, NOW - timedelta(hours=2))
    due_ticket(storage, NOW + timedelta(microseconds=1))
    an_hour_late = due_ticket(storage, NOW - timedelta(hours=1))
    due_ticket(storage, NOW + timedelta(days=3))

    assert storage.tickets.due(NOW) == [two_hours_late, an_hour_late, exactly_now]


def test_due_returns_at_most_limit_tickets_the_earliest_ones(storage):
    tickets = [due_ticket(storage, NOW - timedelta(minutes=m)) for m in (5, 50, 30, 10, 40)]
    earliest_first = sorted(tickets, key=lambda t: t.next_due_at)

    assert storage.tickets.due(NOW, limit=2) == earliest_first[:2]
    assert storage.tickets.due(NOW, limit=10) == earliest_first


def test_due_leaves_out_tickets_without_a_timer(storage):
    store_ticket(storage, state=State.CLOSED, next_timer=None, next_due_at=None, filed_at=NOW - timedelta(days=9))
    timed = due_ticket(storage, NOW - timedelta(hours=1))

    assert storage.tickets.due(NOW + timedelta(days=365)) == [timed]


def test_a_ticket_leaves_due_when_an_update_clears_its_timer(storage):
    ticket = due_ticket(storage, NOW - timedelta(hours=1))
    rejected, events = apply(ticket, Command("reject", OPERATOR, {"reason": "Not a city matter."}), NOW)
    assert rejected.next_due_at is None

    storage.tickets.update(rejected, ticket.version, events)

    assert storage.tickets.due(NOW + timedelta(days=365)) == []


def test_a_ticket_moves_in_due_when_an_update_moves_its_timer(storage):
    # A 24-hour ticket filed 20 hours ago: its reminder (at 18 hours) is due, its deadline is not.
    ticket = store_ticket(storage, sla_class="short", filed_at=NOW - timedelta(hours=20))
    assert storage.tickets.due(NOW) == [ticket]
    reminded, events = apply(ticket, Command("remind", OPERATOR), NOW)

    storage.tickets.update(reminded, ticket.version, events)

    assert storage.tickets.due(NOW) == []
    assert storage.tickets.due(ticket.due_at) == [reminded]
