"""Sending queued SMS: claim, send, record the outcome.

A message is claimed before it is sent, so two senders (the minute tick and the
request that queued it) never send it twice; one that dies mid-send leaves it
to be retried when its lease ends. Failures back off 1, 2, 4, 8 minutes; the
fifth failure dead-letters the message.
"""

import logging
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from ..domain.outbox import DEAD, SENT, OutboxMessage
from ..domain.resident import mask_phone
from .ports import SmsError

log = logging.getLogger(__name__)

MAX_TRIES = 5
LEASE = timedelta(minutes=5)
BATCH = 50


def dispatch_ready(deps, limit: int = BATCH) -> dict:
    """Send what is due now; how many messages ended each way."""
    outcomes = Counter(send(deps, m.id) for m in deps.storage.outbox.ready(deps.clock.now(), limit))
    return dict(outcomes)


def send(deps, message_id: str) -> str:
    """Send one message if it is still ready: "sent", "retry", "dead", or
    "skipped" when another sender has it or it is not ready."""
    outbox = deps.storage.outbox
    now = deps.clock.now()
    message = outbox.claim(message_id, now, now + LEASE)
    if message is None:
        return "skipped"
    try:
        provider_id = deps.sms.send(message.to, message.text, urgent=message.urgent)
    except SmsError as error:
        failed = after_failure(message, str(error).replace(message.to, mask_phone(message.to)), now)
        outbox.finish(failed)
        log.warning("SMS %s to %s failed (try %d): %s", message.id, mask_phone(message.to), message.tries,
                    failed.last_error)
        return "dead" if failed.status == DEAD else "retry"
    outbox.finish(replace(message, status=SENT, sent_at=now, provider_id=provider_id, last_error=""))
    return "sent"


def after_failure(message: OutboxMessage, error: str, now: datetime) -> OutboxMessage:
    """The claimed message after its send failed: pending again later, or dead."""
    if message.tries >= MAX_TRIES:
        return replace(message, status=DEAD, last_error=error)
    return replace(message, next_attempt_at=now + backoff(message.tries), last_error=error)


def backoff(tries: int) -> timedelta:
    return timedelta(minutes=2 ** (tries - 1))
