"""Plain-data forms of the domain records, shared by both storage backends.

Times are stored as ISO 8601 UTC strings with 'Z', which sort as text in time order.
"""

from dataclasses import asdict, fields
from datetime import datetime, timezone

from ..domain.address import normalise_house
from ..domain.audit import ContactView
from ..domain.open311_key import Open311Key
from ..domain.outage import Outage
from ..domain.outbox import OutboxMessage
from ..domain.resident import Resident
from ..domain.session import Session, SignInCode, SignInLink
from ..domain.staff import StaffMember
from ..domain.ticket import FINAL, Address, Event, State, Ticket
from ..services.ports import IdempotencyRecord


def time_to_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    # isoformat, not strftime: "%Y" gives "211" for the year 211, which no parser reads back.
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def text_to_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _times_out(record, names) -> dict:
    data = asdict(record)
    for name in names:
        data[name] = time_to_text(data[name])
    return data


def _times_in(data: dict, names) -> dict:
    data = dict(data)
    for name in names:
        data[name] = text_to_time(data.get(name))
    return data


_TICKET_TIMES = ("filed_at", "due_at", "updated_at", "next_due_at", "done_at", "closed_at", "order_due_at")
_TICKET_FIELDS = {f.name for f in fields(Ticket)}


def ticket_to_data(ticket: Ticket) -> dict:
    data = _times_out(ticket, _TICKET_TIMES)
    data["state"] = ticket.state.value
    data["address"] = ticket.address.to_data()
    data["photos"] = list(ticket.photos)
    data["fines"] = [dict(f) for f in ticket.fines]
    return data


def ticket_from_data(data: dict) -> Ticket:
    data = _times_in({k: v for k, v in data.items() if k in _TICKET_FIELDS}, _TICKET_TIMES)
    data["state"] = State(data["state"])
    data["address"] = Address.from_data(data["address"])
    data["photos"] = tuple(data.get("photos") or ())
    data["fines"] = tuple(data.get("fines") or ())
    for name in ("lat", "lon"):
        if data.get(name) is not None:
            data[name] = float(data[name])
    for name in ("version", "sla_hours", "round"):
        data[name] = int(data[name])
    if data.get("rating") is not None:
        data["rating"] = int(data["rating"])
    return Ticket(**data)


def address_key(cause: str, street: str, house: str) -> str:
    """What both backends index open tickets by, to find a duplicate before it is filed."""
    return f"{cause}|{street}|{normalise_house(house)}"


def open_address_key(ticket: Ticket) -> str | None:
    """The ticket's address key while it is open; None once it is not, so it leaves the index."""
    return address_key(ticket.cause, ticket.address.street, ticket.address.house) if ticket.is_open else None


def retention_from(ticket: Ticket) -> str | None:
    """When the retention period of the reporter's personal data began (the ticket
    closed), while the ticket is final and still holds that data; None otherwise, so
    that it is in the anonymisation index only while it waits there."""
    if ticket.state not in FINAL or ticket.anonymised or ticket.closed_at is None:
        return None
    return time_to_text(ticket.closed_at)


def queue_key(ticket: Ticket) -> str:
    """A ticket's place in the staff queue, and the paging cursor: its deadline, then its id."""
    return f"{time_to_text(ticket.due_at)}#{ticket.id}"


def filed_key(ticket: Ticket) -> str:
    """A ticket's place among the tickets filed in its month: its filing time, then its id."""
    return f"{time_to_text(ticket.filed_at)}#{ticket.id}"


def change_key(event: Event) -> str:
    """A state change's place among those of its month: its time, then its ticket and version."""
    return f"{time_to_text(event.at)}#{event.ticket_id}#{event.version:08d}"


def event_to_data(event: Event) -> dict:
    return _times_out(event, ("at",))


def event_from_data(data: dict) -> Event:
    data = _times_in(data, ("at",))
    data["version"] = int(data["version"])
    return Event(**data)


_RESIDENT_TIMES = ("created_at", "deleted_at")


def resident_to_data(resident: Resident) -> dict:
    return _times_out(resident, _RESIDENT_TIMES)


def resident_from_data(data: dict) -> Resident:
    return Resident(**_times_in(data, _RESIDENT_TIMES))


def session_to_data(session: Session) -> dict:
    return _times_out(session, ("created_at", "expires_at"))


def session_from_data(data: dict) -> Session:
    return Session(**_times_in(data, ("created_at", "expires_at")))


_STAFF_TIMES = ("created_at", "locked_until", "sessions_after")


def staff_to_data(member: StaffMember) -> dict:
    return _times_out(member, _STAFF_TIMES)


def staff_from_data(data: dict) -> StaffMember:
    data = _times_in(data, _STAFF_TIMES)
    for name in ("failed_logins", "version", "totp_step"):
        if name in data:
            data[name] = int(data[name])
    return StaffMember(**data)


def link_to_data(link: SignInLink) -> dict:
    return _times_out(link, ("created_at", "expires_at"))


def link_from_data(data: dict) -> SignInLink:
    return SignInLink(**_times_in(data, ("created_at", "expires_at")))


def code_to_data(code: SignInCode) -> dict:
    return _times_out(code, ("created_at", "expires_at"))


def code_from_data(data: dict) -> SignInCode:
    data = _times_in(data, ("created_at", "expires_at"))
    data["wrong_tries"] = int(data["wrong_tries"])
    return SignInCode(**data)


_OUTBOX_TIMES = ("created_at", "next_attempt_at", "sent_at")


def message_to_data(message: OutboxMessage) -> dict:
    return _times_out(message, _OUTBOX_TIMES)


def message_from_data(data: dict) -> OutboxMessage:
    data = _times_in(data, _OUTBOX_TIMES)
    data["tries"] = int(data["tries"])
    return OutboxMessage(**data)


def idempotency_to_data(record: IdempotencyRecord) -> dict:
    return _times_out(record, ("created_at", "expires_at"))


def idempotency_from_data(data: dict) -> IdempotencyRecord:
    data = _times_in(data, ("created_at", "expires_at"))
    data["status"] = int(data["status"])
    return IdempotencyRecord(**data)


_OUTAGE_TIMES = ("starts_at", "expected_end", "created_at", "updated_at", "closed_at")


def outage_to_data(outage: Outage) -> dict:
    data = _times_out(outage, _OUTAGE_TIMES)
    data["addresses"] = [{"street": street, "houses": list(houses)} for street, houses in outage.addresses]
    return data


def outage_from_data(data: dict) -> Outage:
    data = _times_in(data, _OUTAGE_TIMES)
    data["addresses"] = tuple((a["street"], tuple(a["houses"])) for a in data["addresses"])
    data["version"] = int(data["version"])
    return Outage(**data)


def open311_key_to_data(key: Open311Key) -> dict:
    return _times_out(key, ("created_at", "revoked_at"))


def open311_key_from_data(data: dict) -> Open311Key:
    return Open311Key(**_times_in(data, ("created_at", "revoked_at")))


def view_key(view: ContactView) -> str:
    """Where a contact view sorts, by time then id, and the paging cursor of the list."""
    return f"{time_to_text(view.at)}#{view.id}"


def view_to_data(view: ContactView) -> dict:
    return _times_out(view, ("at",))


def view_from_data(data: dict) -> ContactView:
    return ContactView(**_times_in(data, ("at",)))
