"""Personal data on both backends: a deleted account's tombstone frees its identities,
an anonymised ticket is stored with its history unnamed at once, the final tickets
due for anonymisation are found without reading the others, a ticket's messages are
found and removed for good, and staff views of a contact are kept and listed."""

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.audit import ContactView
from chalicelib.domain.errors import AlreadyExists, NotFound, StaleVersion
from chalicelib.domain.outbox import DEAD, SENT
from chalicelib.domain.resident import tombstone
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.ticket import ACCOUNT_DELETED, RETENTION, Actor, Command, State, anonymise, apply
from tests.builders import NOW, make_message, make_resident, store_ticket

EMAIL = ("email", "olena@example.org")
GOOGLE = ("oidc:google", "1234567890")
DAY = timedelta(days=1)


# --- accounts -----------------------------------------------------------------------------

def test_erasing_an_account_leaves_its_tombstone_and_frees_every_identity_to_sign_up_afresh(storage):
    resident = make_resident()
    storage.users.create(resident, identities=(EMAIL, GOOGLE))
    gone = tombstone(resident, NOW + DAY)

    storage.users.erase(gone)

    assert storage.users.get(resident.id) == gone
    assert storage.users.identities(resident.id) == []
    for kind, value in (("phone", resident.phone), EMAIL, GOOGLE):
        assert storage.users.by_identity(kind, value) is None
    again = make_resident(phone=resident.phone)
    storage.users.create(again, identities=(EMAIL, GOOGLE))
    assert storage.users.by_phone(resident.phone) == again and storage.users.by_identity(*EMAIL) == again


def test_a_tombstone_takes_no_link_nor_change_and_erasing_it_again_changes_nothing(storage):
    resident = make_resident(phone="")
    storage.users.create(resident, identities=(EMAIL,))
    gone = tombstone(resident, NOW)
    storage.users.erase(gone)

    with pytest.raises(NotFound):
        storage.users.link(resident.id, "phone", "+380671234567")
    with pytest.raises(NotFound):
        storage.users.update(replace(gone, language="en"))
    storage.users.erase(tombstone(resident, NOW + DAY))

    assert storage.users.get(resident.id) == gone
    assert storage.users.by_phone("+380671234567") is None and storage.users.identities(resident.id) == []


def test_erasing_an_account_there_is_not_is_not_found(storage):
    with pytest.raises(NotFound):
        storage.users.erase(tombstone(make_resident(), NOW))


# --- tickets ------------------------------------------------------------------------------

def resident_steps(storage, ticket, comments: int):
    """The reporter comments `comments` times; the ticket after, and its history."""
    reporter = Actor("resident", ticket.reporter_id)
    for n in range(comments):
        changed, events = apply(ticket, Command("comment", reporter, {"text": f"Note {n}"}), NOW, SlaPolicy())
        storage.tickets.update(changed, ticket.version, events)
        ticket = changed
    return ticket, storage.tickets.history(ticket.id)


@pytest.mark.parametrize("comments", [2, 120], ids=["a-few-steps", "more-steps-than-a-transaction-holds"])
def test_an_anonymised_ticket_is_stored_with_its_history_unnamed_and_leaves_its_reporters_list(storage, comments):
    resident = make_resident()
    storage.users.create(resident)
    ticket, history = resident_steps(storage, store_ticket(storage, reporter_id=resident.id), comments)

    changed, events, redacted = anonymise(ticket, history, ACCOUNT_DELETED, NOW + DAY)
    storage.tickets.update(changed, ticket.version, events, redacted=redacted)

    assert storage.tickets.get(ticket.id) == changed and changed.reporter_id == ""
    assert storage.tickets.by_reporter(resident.id) == []
    stored = storage.tickets.history(ticket.id)
    assert len(stored) == comments + 2 and stored[-1] == events[0]
    assert [e.actor_id for e in stored if e.actor_role == "resident"] == [""] * (comments + 1)
    assert [e.note for e in stored[1:-1]] == [f"Note {n}" for n in range(comments)]


def test_a_stale_anonymisation_changes_neither_the_ticket_nor_its_history(storage):
    resident = make_resident()
    storage.users.create(resident)
    ticket, history = resident_steps(storage, store_ticket(storage, reporter_id=resident.id), 1)
    changed, events, redacted = anonymise(ticket, history, ACCOUNT_DELETED, NOW)

    with pytest.raises(StaleVersion):
        storage.tickets.update(changed, ticket.version - 1, events, redacted=redacted)

    assert storage.tickets.get(ticket.id) == ticket
    assert storage.tickets.history(ticket.id) == history
    assert storage.tickets.by_reporter(resident.id) == [ticket]


def final(storage, state: State, closed_days_ago: int, **fields):
    return store_ticket(storage, state=state, closed_at=NOW - timedelta(days=closed_days_ago), **fields)


def test_the_final_tickets_closed_before_a_time_are_found_earliest_first_and_no_other(storage):
    due = [final(storage, State.CLOSED, 1200), final(storage, State.REJECTED, 1100),
           final(storage, State.WITHDRAWN, 1096), final(storage, State.DUPLICATE, 1096)]
    final(storage, State.CLOSED, 1000)  # not yet
    final(storage, State.CLOSED, 2000, anonymised=RETENTION)  # done already
    store_ticket(storage, filed_at=NOW - timedelta(days=2000))  # still open, however old
    store_ticket(storage, state=State.DONE, closed_at=NOW - timedelta(days=2000))  # done is not final

    found = storage.tickets.to_anonymise(NOW - timedelta(days=1095))

    assert found == sorted(due, key=lambda t: (t.closed_at, t.id))
    assert storage.tickets.to_anonymise(NOW - timedelta(days=1095), limit=2) == found[:2]


def test_a_ticket_leaves_the_anonymisation_list_once_anonymised(storage):
    ticket = final(storage, State.CLOSED, 1200)
    changed, events, redacted = anonymise(ticket, storage.tickets.history(ticket.id), RETENTION, NOW)

    storage.tickets.update(changed, ticket.version, events, redacted=redacted)

    assert storage.tickets.to_anonymise(NOW) == []


# --- the outbox ---------------------------------------------------------------------------

def test_the_messages_about_a_ticket_are_found_in_every_state_and_removed_for_good(storage):
    ticket = store_ticket(storage)
    mine = [make_message(ticket_id=ticket.id, created_at=NOW + timedelta(minutes=m)) for m in (3, 1, 2)]
    mine[1] = replace(mine[1], status=SENT, sent_at=NOW)
    mine[2] = replace(mine[2], status=DEAD, tries=5)
    other, alert = make_message(ticket_id="another-ticket"), make_message()
    storage.outbox.add([*mine, other, alert])

    assert storage.outbox.about(ticket.id) == sorted(mine, key=lambda m: m.created_at)

    storage.outbox.remove([m.id for m in mine] + ["never-there"])

    assert storage.outbox.about(ticket.id) == [] and [storage.outbox.get(m.id) for m in mine] == [None] * 3
    assert storage.outbox.get(other.id) == other and storage.outbox.get(alert.id) == alert
    assert storage.outbox.dead() == []
    assert storage.outbox.ready(NOW + DAY) == sorted([alert, other], key=lambda m: (m.next_attempt_at, m.id))


def test_a_message_removed_while_a_sender_holds_it_stays_removed(storage):
    message = make_message(ticket_id="ticket-1")
    storage.outbox.add([message])
    claimed = storage.outbox.claim(message.id, NOW, NOW + timedelta(minutes=5))

    storage.outbox.remove([message.id])
    storage.outbox.finish(replace(claimed, status=SENT, sent_at=NOW))

    assert storage.outbox.get(message.id) is None and storage.outbox.about("ticket-1") == []


# --- staff views of a contact -------------------------------------------------------------

def view(n: int, ticket_id: str = "ticket-1", **fields) -> ContactView:
    values = {"id": f"view-{n:03d}", "at": NOW + timedelta(minutes=n // 2), "staff_id": "staff-1",
              "staff_username": "olha", "staff_role": "operator", "ticket_id": ticket_id, "ticket_number": "1000017"}
    return ContactView(**{**values, **fields})


def test_the_views_of_contacts_read_newest_first_a_page_at_a_time(storage):
    views = [view(n) for n in range(7)]
    for one in views:
        storage.contact_views.add(one)
    newest_first = sorted(views, key=lambda v: (v.at, v.id), reverse=True)

    first, cursor = storage.contact_views.recent(3)
    second, cursor2 = storage.contact_views.recent(3, cursor)
    third, cursor3 = storage.contact_views.recent(3, cursor2)

    assert first + second + third == newest_first
    assert cursor3 is None and len(third) == 1
    assert storage.contact_views.recent(7) == (newest_first, None)


def test_the_views_of_one_tickets_contact_are_found_apart_and_an_id_is_kept_once(storage):
    mine = [view(1, "ticket-1"), view(4, "ticket-1")]
    for one in (*mine, view(2, "ticket-2"), view(3, "ticket-2")):
        storage.contact_views.add(one)

    assert storage.contact_views.of_ticket("ticket-1") == mine[::-1]
    assert storage.contact_views.of_ticket("ticket-3") == []
    with pytest.raises(AlreadyExists):
        storage.contact_views.add(replace(mine[0], ticket_id="ticket-9"))
    assert storage.contact_views.of_ticket("ticket-9") == []
