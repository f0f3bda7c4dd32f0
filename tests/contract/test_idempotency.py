"""IdempotencyStore: the first answer to a repeatable write, saved with the ticket it created."""

from datetime import timedelta

from tests.builders import NOW, filed_ticket, make_idempotency


def test_the_record_saved_with_a_ticket_comes_back_equal(storage):
    ticket, events = filed_ticket()
    record = make_idempotency(status=201, body={"id": ticket.id, "number": ticket.number,
                                                "links": ["/api/tickets/" + ticket.id], "sms": True})

    storage.tickets.create(ticket, events, [], record)

    assert storage.idempotency.get(record.key) == record


def test_an_expired_record_still_comes_back_for_the_service_to_ignore(storage):
    ticket, events = filed_ticket()
    record = make_idempotency(created_at=NOW - timedelta(days=2), expires_at=NOW - timedelta(days=1))

    storage.tickets.create(ticket, events, [], record)

    assert storage.idempotency.get(record.key) == record


def test_an_unknown_key_has_no_record(storage):
    assert storage.idempotency.get("tickets:resident-1:never-used") is None
