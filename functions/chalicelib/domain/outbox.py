"""A message waiting to be sent, by SMS or by e-mail; its delivery state is kept
apart from the ticket's lifecycle."""

from dataclasses import dataclass
from datetime import datetime

PENDING, SENT, DEAD = "pending", "sent", "dead"
SMS, EMAIL = "sms", "email"


@dataclass(frozen=True)
class OutboxMessage:
    id: str
    to: str  # E.164 phone, or an e-mail address when `channel` is EMAIL
    text: str
    created_at: datetime
    next_attempt_at: datetime
    ticket_id: str | None = None
    kind: str = ""  # e.g. "filed", "done": what caused it
    urgent: bool = False
    status: str = PENDING
    tries: int = 0
    last_error: str = ""
    provider_id: str = ""
    sent_at: datetime | None = None
    channel: str = SMS
    subject: str = ""  # an e-mail's
