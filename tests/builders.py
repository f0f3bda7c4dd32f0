"""Records for tests: valid by default, any field overridable by keyword.

Every builder call gets fresh ids (and a fresh ticket number and phone), so records
built in one test never collide unless the test says so.
"""

import itertools
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from chalicelib.domain.numbers import ticket_number
from chalicelib.domain.open311_key import Open311Key
from chalicelib.domain.outage import Outage
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.resident import Resident
from chalicelib.domain.session import Session, SignInCode
from chalicelib.domain.staff import StaffMember
from chalicelib.domain.ticket import Actor, Address, Ticket, file
from chalicelib.services.ports import IdempotencyRecord

# The fixed "now" of the tests: a Monday morning, 11:00 in Kyiv.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
OPERATOR = Actor("operator", "operator-1")

_serial = itertools.count(1)

# The keywords `ticket.file` takes; any other keyword a ticket builder gets is a Ticket field.
_FILING = ("id", "number", "reporter_id", "channel", "language", "topic", "cause", "sla_class", "organisation",
           "address", "district", "description", "actor", "policy", "lat", "lon", "photos")


def filed_ticket(**overrides) -> tuple:
    """A ticket just filed through the domain, and its 'filed' event: state new,
    version 1, the deadline and the reminder timer set as the domain sets them.

    `filed_at` is when it was filed (default NOW); a keyword `ticket.file` takes
    goes to it; any other Ticket field is replaced afterwards as given.
    """
    n = next(_serial)
    reporter_id = overrides.get("reporter_id", "resident-1")
    filing = {
        "id": f"ticket-{n}", "number": ticket_number(n), "reporter_id": reporter_id, "channel": "web",
        "language": "uk", "topic": "water", "cause": "water.low-pressure", "sla_class": "short",
        "organisation": "dniprovodokanal", "address": Address("yavornytskoho-ave", "8", entrance="2", flat="14"),
        "district": "tsentralnyi", "description": "Weak cold water pressure on the upper floors since Friday.",
        "actor": Actor("resident", reporter_id),
    }
    filing.update({name: overrides.pop(name) for name in _FILING if name in overrides})
    ticket, events = file(now=overrides.pop("filed_at", NOW), **filing)
    return replace(ticket, **overrides), events


def make_ticket(**overrides) -> Ticket:
    """`filed_ticket` without its event."""
    return filed_ticket(**overrides)[0]


def make_resident(**overrides) -> Resident:
    n = next(_serial)
    fields = {"id": f"resident-{n}", "phone": f"+38050{n:07d}", "language": "uk", "created_at": NOW,
              "name": "Olena Kovalenko", "email": "", "status_sms": True}
    return Resident(**{**fields, **overrides})


def make_staff(**overrides) -> StaffMember:
    """An operator by default; `password_hash` is no real hash (services.staff makes those)."""
    n = next(_serial)
    fields = {"id": f"staff-{n}", "username": f"staff{n}", "role": "operator", "name": f"Operator {n}",
              "password_hash": "not-a-hash", "created_at": NOW}
    return StaffMember(**{**fields, **overrides})


def make_outage(**overrides) -> Outage:
    """An active water outage on two houses, from NOW for six hours."""
    n = next(_serial)
    fields = {"id": f"outage-{n}", "kind": "water", "area": "Tsentralnyi, around the Opera House",
              "addresses": (("yavornytskoho-ave", ("8", "44")),), "reason": "A main burst: repairs.",
              "starts_at": NOW, "expected_end": NOW + timedelta(hours=6), "created_by": "staff-1", "created_at": NOW,
              "updated_by": "staff-1", "updated_at": NOW}
    return Outage(**{**fields, **overrides})


def make_open311_key(**overrides) -> Open311Key:
    n = next(_serial)
    fields = {"id": f"key-{n}", "name": f"Partner {n}", "key_hash": f"key-hash-{n}", "created_at": NOW}
    return Open311Key(**{**fields, **overrides})


def make_session(**overrides) -> Session:
    n = next(_serial)
    fields = {"token_hash": f"session-hash-{n}", "user_id": "resident-1", "kind": "resident", "created_at": NOW,
              "expires_at": NOW + timedelta(days=30)}
    return Session(**{**fields, **overrides})


def make_code(**overrides) -> SignInCode:
    n = next(_serial)
    fields = {"phone": f"+38067{n:07d}", "code_hash": f"code-hash-{n}", "created_at": NOW,
              "expires_at": NOW + timedelta(minutes=10), "wrong_tries": 0}
    return SignInCode(**{**fields, **overrides})


def make_message(**overrides) -> OutboxMessage:
    """A pending SMS, ready to send at NOW."""
    n = next(_serial)
    fields = {"id": f"message-{n}", "to": "+380501112233", "text": "Your request is accepted.",
              "created_at": NOW, "next_attempt_at": NOW, "kind": "filed"}
    return OutboxMessage(**{**fields, **overrides})


def make_idempotency(**overrides) -> IdempotencyRecord:
    n = next(_serial)
    fields = {"key": f"tickets:resident-1:key-{n}", "status": 201, "body": {"number": ticket_number(n)},
              "created_at": NOW, "expires_at": NOW + timedelta(hours=24), "request": f"request-{n}"}
    return IdempotencyRecord(**{**fields, **overrides})


def store_ticket(storage, **overrides) -> Ticket:
    """`filed_ticket`, created in `storage` with its event."""
    ticket, events = filed_ticket(**overrides)
    storage.tickets.create(ticket, events)
    return ticket
