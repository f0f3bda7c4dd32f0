"""A message waiting to be sent; its delivery state is kept apart from the ticket's lifecycle."""

from dataclasses import dataclass
from datetime import datetime

PENDING, SENT, DEAD = "pending", "sent", "dead"


@dataclass(frozen=True)
class OutboxMessage:
    id: str
    to: str  # E.164 phone
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
