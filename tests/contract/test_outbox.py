"""OutboxStore: SMS waiting to be sent; claimed under a lease, finished sent, retried or dead."""

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.errors import AlreadyExists
from chalicelib.domain.outbox import DEAD, PENDING, SENT
from tests.builders import NOW, filed_ticket, make_message

LEASE = NOW + timedelta(minutes=2)


def test_an_added_message_comes_back_equal(storage):
    message = make_message(ticket_id="ticket-1", urgent=True, text="Заявку 1000009 прийнято. Номер: 1000009.")

    storage.outbox.add([message])

    assert storage.outbox.get(message.id) == message


def test_an_unknown_message_is_none(storage):
    assert storage.outbox.get("no-such-message") is None


def test_ready_lists_pending_messages_whose_time_has_come_oldest_first(storage):
    exactly_now = make_message(created_at=NOW, next_attempt_at=NOW)
    oldest = make_message(created_at=NOW - timedelta(minutes=9), next_attempt_at=NOW - timedelta(minutes=9))
    later = make_message(created_at=NOW, next_attempt_at=NOW + timedelta(seconds=1))
    middle = make_message(created_at=NOW - timedelta(minutes=3), next_attempt_at=NOW - timedelta(minutes=3))
    storage.outbox.add([exactly_now, oldest, later, middle])

    assert storage.outbox.ready(NOW) == [oldest, middle, exactly_now]
    assert storage.outbox.ready(NOW, limit=2) == [oldest, middle]


def test_ready_leaves_out_sent_and_dead_messages(storage):
    sent, dead, pending = make_message(), make_message(), make_message()
    storage.outbox.add([sent, dead, pending])
    storage.outbox.finish(replace(sent, status=SENT, tries=1, provider_id="sns-1", sent_at=NOW))
    storage.outbox.finish(replace(dead, status=DEAD, tries=5, last_error="InvalidParameter"))

    assert storage.outbox.ready(NOW + timedelta(days=1)) == [pending]


def test_a_claim_leases_the_message_and_counts_a_try(storage):
    message = make_message()
    storage.outbox.add([message])

    claimed = storage.outbox.claim(message.id, NOW, LEASE)

    assert claimed == replace(message, next_attempt_at=LEASE, tries=1, status=PENDING)
    assert storage.outbox.get(message.id) == claimed
    assert storage.outbox.ready(NOW) == []
    assert storage.outbox.ready(LEASE) == [claimed]


def test_of_two_claims_of_one_message_only_one_wins(storage):
    message = make_message()
    storage.outbox.add([message])

    first = storage.outbox.claim(message.id, NOW, LEASE)
    second = storage.outbox.claim(message.id, NOW, LEASE)

    assert first is not None and second is None
    assert storage.outbox.get(message.id).tries == 1


def test_a_message_whose_sender_died_can_be_claimed_again_after_the_lease(storage):
    message = make_message()
    storage.outbox.add([message])
    storage.outbox.claim(message.id, NOW, LEASE)

    again = storage.outbox.claim(message.id, LEASE, LEASE + timedelta(minutes=2))

    assert again == replace(message, next_attempt_at=LEASE + timedelta(minutes=2), tries=2)


def test_a_message_not_yet_ready_cannot_be_claimed(storage):
    message = make_message(next_attempt_at=NOW + timedelta(minutes=1))
    storage.outbox.add([message])

    assert storage.outbox.claim(message.id, NOW, LEASE) is None
    assert storage.outbox.get(message.id) == message


def test_a_sent_or_unknown_message_cannot_be_claimed(storage):
    message = make_message()
    storage.outbox.add([message])
    claimed = storage.outbox.claim(message.id, NOW, LEASE)
    sent = replace(claimed, status=SENT, provider_id="sns-1", sent_at=NOW)
    storage.outbox.finish(sent)

    assert storage.outbox.claim(message.id, LEASE, LEASE + timedelta(minutes=2)) is None
    assert storage.outbox.get(message.id) == sent
    assert storage.outbox.claim("no-such-message", NOW, LEASE) is None


def test_a_failed_try_finished_as_pending_waits_for_its_next_attempt(storage):
    message = make_message()
    storage.outbox.add([message])
    claimed = storage.outbox.claim(message.id, NOW, LEASE)
    retry_at = NOW + timedelta(minutes=10)
    failed = replace(claimed, next_attempt_at=retry_at, last_error="Throttling")

    storage.outbox.finish(failed)

    assert storage.outbox.get(message.id) == failed
    assert storage.outbox.ready(retry_at - timedelta(seconds=1)) == []
    assert storage.outbox.ready(retry_at) == [failed]


def test_dead_lists_dead_letters_newest_first_and_nothing_else(storage):
    old = make_message(created_at=NOW - timedelta(hours=2), next_attempt_at=NOW - timedelta(hours=2))
    new = make_message(created_at=NOW - timedelta(hours=1), next_attempt_at=NOW - timedelta(hours=1))
    alive = make_message()
    storage.outbox.add([old, new, alive])
    dead_old = replace(old, status=DEAD, tries=5, last_error="InvalidParameter")
    dead_new = replace(new, status=DEAD, tries=5, last_error="OptedOut")
    storage.outbox.finish(dead_old)
    storage.outbox.finish(dead_new)

    assert storage.outbox.dead() == [dead_new, dead_old]


def test_no_dead_letters_is_an_empty_list(storage):
    storage.outbox.add([make_message()])

    assert storage.outbox.dead() == []


def test_a_ticket_writes_messages_the_sender_sees_as_ready(storage):
    ticket, events = filed_ticket()
    message = make_message(ticket_id=ticket.id)

    storage.tickets.create(ticket, events, [message])

    assert storage.outbox.ready(NOW) == [message]


def test_a_revived_dead_letter_is_pending_and_ready_with_its_tries_from_zero(storage):
    message = make_message(created_at=NOW - timedelta(hours=1), next_attempt_at=NOW - timedelta(hours=1))
    storage.outbox.add([message])
    storage.outbox.finish(replace(message, status=DEAD, tries=5, last_error="OptedOut"))

    revived = storage.outbox.revive(message.id, NOW)

    assert revived == replace(message, status=PENDING, tries=0, next_attempt_at=NOW, last_error="OptedOut")
    assert storage.outbox.get(message.id) == revived
    assert storage.outbox.dead() == []
    assert storage.outbox.ready(NOW) == [revived]


def test_only_a_dead_letter_can_be_revived_and_only_once(storage):
    dead, pending = make_message(), make_message()
    storage.outbox.add([dead, pending])
    storage.outbox.finish(replace(dead, status=DEAD, tries=5))

    assert storage.outbox.revive(dead.id, NOW) is not None
    assert storage.outbox.revive(dead.id, NOW) is None
    assert storage.outbox.revive(pending.id, NOW) is None
    assert storage.outbox.revive("no-such-message", NOW) is None
    assert storage.outbox.get(pending.id) == pending


def test_waiting_counts_the_pending_messages_due_later(storage):
    due, later, leased, sent = (make_message(), make_message(next_attempt_at=NOW + timedelta(hours=9)),
                                make_message(), make_message())
    storage.outbox.add([due, later, leased, sent])
    storage.outbox.claim(leased.id, NOW, LEASE)
    storage.outbox.finish(replace(sent, status=SENT, tries=1, sent_at=NOW))

    assert storage.outbox.waiting(NOW) == 2
    assert storage.outbox.waiting(NOW + timedelta(days=1)) == 0


def test_two_senders_that_read_the_same_ready_messages_claim_each_once(storage):
    # Both read the list, then both try every message: the interleaving in which
    # a sender without conditional claims would send everything twice.
    messages = [make_message(to=f"+38050{n:07d}") for n in range(30)]
    storage.outbox.add(messages)
    first_reads, second_reads = storage.outbox.ready(NOW), storage.outbox.ready(NOW)
    assert first_reads == second_reads == sorted(messages, key=lambda m: m.id)

    wins = [[storage.outbox.claim(m.id, NOW, LEASE) is not None for m in (first, second)]
            for first, second in zip(first_reads, second_reads)]

    assert wins == [[True, False]] * len(messages)


def test_adding_a_message_whose_id_is_taken_adds_none_of_its_batch(storage):
    first = make_message()
    storage.outbox.add([first])
    newcomer = make_message()

    with pytest.raises(AlreadyExists):
        storage.outbox.add([newcomer, replace(first, text="again")])

    assert storage.outbox.get(first.id) == first and storage.outbox.get(newcomer.id) is None
