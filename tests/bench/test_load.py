"""The load test's code runs on a small size (make load runs 200 residents for 60 s
on each backend), and what it stands for holds: nothing accepted is lost or stored
twice. Its verdict is checked on its own too, so that a loss it is there to catch
cannot pass unseen."""

from dataclasses import replace

import pytest

from benchmarks import load
from benchmarks.load_census import Census, Filed, description, verdict
from chalicelib.domain.outbox import DEAD, PENDING, SENT
from tests.builders import filed_ticket, make_idempotency, make_message

PHONE = "+380930000001"


def test_a_few_residents_for_a_few_seconds_lose_and_duplicate_nothing_on_both_backends():
    figures = load.measure(residents=3, seconds=5)["load"]

    assert set(figures) == {"sqlite", "dynamodb"}
    for found in figures.values():
        assert found.get("problems") is None
        assert found["tickets"] > 0 and found["repeats"] > 0 and found["staff_commands"] > 0
        assert (found["lost"], found["duplicated"], found["staff_lost"], found["errors"]) == (0, 0, 0, 0)
        assert found["sms_sent"] + found["sms_held"] == found["tickets"]
        assert 0 < found["p50_ms"] <= found["p95_ms"] <= found["p99_ms"]
        assert load.passed(found)


def stored(key: str, **changes) -> tuple:
    """(the receipt, the census) of one ticket filed under `key` and stored whole, its SMS sent."""
    ticket, events = filed_ticket(description=description(key), **changes)
    message = make_message(ticket_id=ticket.id, to=PHONE, text=f"No. {ticket.number} is accepted.", status=SENT)
    record = make_idempotency(key=f"tickets:resident-1:{key}", body={"id": ticket.id, "number": ticket.number})
    receipt = Filed(key=key, phone=PHONE, id=ticket.id, number=ticket.number)
    return receipt, Census(tickets=[ticket], events=events, messages=[message], records=[record],
                           sms=[(PHONE, message.text)])


def test_a_ticket_stored_once_with_its_history_and_its_sms_is_neither_lost_nor_duplicated():
    receipt, census = stored("k1")

    found = verdict([receipt], [receipt], [], census)

    assert (found.tickets, found.lost, found.duplicated, found.sms_sent) == (1, 0, 0, 1)
    assert found.problems == []


def test_an_sms_held_for_the_morning_is_not_lost():
    receipt, census = stored("k1")
    census = replace(census, messages=[replace(census.messages[0], status=PENDING)], sms=[])

    found = verdict([receipt], [], [], census)

    assert (found.lost, found.sms_held) == (0, 1)


@pytest.mark.parametrize("what, damage", [
    ("not stored", lambda census: replace(census, tickets=[], events=[], messages=[], records=[])),
    ("no history", lambda census: replace(census, events=[])),
    ("no idempotency record", lambda census: replace(census, records=[])),
    ("no 'filed' SMS", lambda census: replace(census, messages=[])),
    ("its SMS dead", lambda census: replace(census, messages=[replace(census.messages[0], status=DEAD)])),
    ("its SMS marked sent and never sent", lambda census: replace(census, sms=[])),
])
def test_an_accepted_ticket_not_stored_whole_is_lost(what, damage):
    receipt, census = stored("k1")

    found = verdict([receipt], [], [], damage(census))

    assert found.lost == 1 and found.duplicated == 0
    assert len(found.problems) == 1


def test_a_ticket_stored_twice_under_one_key_is_duplicated():
    receipt, census = stored("k1")
    _, twice = stored("k1")

    found = verdict([receipt], [], [], replace(census, tickets=census.tickets + twice.tickets))

    assert (found.lost, found.duplicated) == (0, 1)


def test_a_repeat_answered_with_another_ticket_is_duplicated():
    receipt, census = stored("k1")

    found = verdict([receipt], [replace(receipt, id="other", number="100019")], [], census)

    assert found.duplicated == 1


def test_an_sms_sent_twice_is_duplicated():
    receipt, census = stored("k1")

    found = verdict([receipt], [], [], replace(census, sms=census.sms * 2))

    assert (found.lost, found.duplicated) == (0, 1)


def test_a_staff_command_answered_and_missing_from_the_history_is_lost():
    receipt, census = stored("k1")

    found = verdict([receipt], [], [(receipt.id, "file", 1), (receipt.id, "accept", 2)], census)

    assert (found.staff_commands, found.staff_lost) == (2, 1)


def test_a_ticket_stored_for_a_key_no_client_was_answered_for_is_counted_apart():
    _, census = stored("k1")

    found = verdict([], [], [], census)

    assert (found.tickets, found.lost, found.duplicated, found.unacknowledged) == (0, 0, 0, 1)


@pytest.mark.parametrize("figure", ["lost", "duplicated", "staff_lost", "errors"])
def test_make_load_fails_on_anything_lost_duplicated_or_failed(figure):
    clean = {"tickets": 10, "lost": 0, "duplicated": 0, "staff_lost": 0, "errors": 0}

    assert load.passed(clean)
    assert not load.passed({**clean, figure: 1})
    assert not load.passed({**clean, "tickets": 0})


def test_a_simulated_resident_that_fails_on_an_answer_is_counted_not_lost_silently():
    seen = load.Seen()

    thread = load.worker(seen, "resident 7", lambda: {}["tickets"])
    thread.start()
    thread.join()

    assert seen.crashed == ["resident 7 stopped: KeyError: 'tickets'"]
