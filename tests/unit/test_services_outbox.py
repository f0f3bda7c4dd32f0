"""Sending queued SMS: once, with back-off on failure, dead after five tries."""

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.outbox import DEAD, PENDING, SENT, OutboxMessage
from chalicelib.jobs import tick
from chalicelib.services import outbox
from chalicelib.services.ports import SmsError, SmsSender
from tests.builders import NOW


def queue(deps, id="m-1", to="+380501234567"):
    deps.storage.outbox.add([OutboxMessage(id=id, to=to, text="Request No. 1000051 is accepted.", created_at=NOW,
                                           next_attempt_at=NOW, kind="filed")])


def test_the_tick_sends_what_is_ready_once(deps, sms):
    queue(deps, "m-1")
    queue(deps, "m-2")
    assert tick.minute(deps) == {"outbox": {"sent": 2}}
    assert tick.minute(deps) == {"outbox": {}}
    assert len(sms.sent) == 2
    sent = deps.storage.outbox.get("m-1")
    assert sent.status == SENT and sent.sent_at == NOW and sent.provider_id == "recorded-1" and sent.tries == 1


def test_a_message_another_sender_holds_is_skipped(deps, sms):
    queue(deps)
    deps.storage.outbox.claim("m-1", NOW, NOW + timedelta(minutes=5))
    assert outbox.send(deps, "m-1") == "skipped"
    assert sms.sent == []


def test_failures_back_off_one_two_four_eight_minutes_and_the_fifth_is_dead(deps, sms, clock):
    queue(deps)
    waits = []
    for _ in range(4):
        sms.fail_next()
        assert outbox.send(deps, "m-1") == "retry"
        message = deps.storage.outbox.get("m-1")
        waits.append(message.next_attempt_at - clock.now())
        assert outbox.send(deps, "m-1") == "skipped"  # not ready before its time
        clock.set(message.next_attempt_at)
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    sms.fail_next()
    assert outbox.send(deps, "m-1") == "dead"
    assert [m.id for m in deps.storage.outbox.dead()] == ["m-1"]
    assert deps.storage.outbox.ready(clock.now() + timedelta(days=1)) == []


def test_a_retry_that_succeeds_is_sent(deps, sms, clock):
    queue(deps)
    sms.fail_next()
    tick.minute(deps)
    clock.advance(timedelta(minutes=1))
    assert tick.minute(deps) == {"outbox": {"sent": 1}}
    assert deps.storage.outbox.get("m-1").status == SENT


class RefusesWithTheNumber(SmsSender):
    """A provider whose error message repeats the number it refused, as real ones do."""

    def send(self, to, text, *, urgent=False):
        raise SmsError(f"Invalid parameter: PhoneNumber {to} is not reachable")


def test_a_provider_error_is_kept_with_the_number_masked(deps):
    queue(deps)
    outbox.send(replace(deps, sms=RefusesWithTheNumber()), "m-1")
    failed = deps.storage.outbox.get("m-1")
    assert failed.status == PENDING and "+380501234567" not in failed.last_error
    assert "+380*****4567" in failed.last_error


@pytest.mark.parametrize("tries, status", [(1, PENDING), (4, PENDING), (5, DEAD)])
def test_after_failure_is_a_pure_decision(tries, status):
    message = OutboxMessage(id="m", to="+380501234567", text="t", created_at=NOW, next_attempt_at=NOW, tries=tries)
    assert outbox.after_failure(message, "boom", NOW).status == status
