"""Open311 GeoReport v2 in the ticket's terms: the one table from the lifecycle to the
statuses Open311 speaks, and the address id both directions of the API share.

A request is `open` or `closed` (the standard's two); its updates carry the upper-case
extended statuses of FixMyStreet's extension, one per state a change leads to.
"""

from .address import MAX_HOUSE
from .ticket import FINAL, Event, State, Ticket

S = State
# What each state change reports. `done` is the executor's report of the work, which
# the resident may still refute: FixMyStreet reopens a fixed report on a later update.
UPDATE_STATUSES = {
    S.NEW: "OPEN",
    S.ASSIGNED: "ACTION_SCHEDULED",
    S.IN_PROGRESS: "IN_PROGRESS",
    S.DONE: "FIXED",
    # The second round: back with the executor, to be taken into work again.
    S.REOPENED: "ACTION_SCHEDULED",
    S.INSPECTION: "INVESTIGATING",
    # Closed after the work was reported done (the resident confirmed it, a call-back
    # found them satisfied, or they did not answer); the inspectorate's closing is below.
    S.CLOSED: "FIXED",
    S.REJECTED: "NOT_COUNCILS_RESPONSIBILITY",
    S.DUPLICATE: "DUPLICATE",
    S.WITHDRAWN: "CLOSED",
}
# Closings that say nothing of the work being done.
CLOSED_BY = {"resolve": "CLOSED"}

OPENED, ACTIVITY, CLOSED = "opened", "activity", "closed"


def status(ticket: Ticket) -> str:
    return "open" if ticket.is_open else "closed"


def update_status(event: Event) -> str:
    """The extended status a state change (Event.changes_state) reports."""
    to_state = State(event.to_state)
    if to_state == S.CLOSED and event.command in CLOSED_BY:
        return CLOSED_BY[event.command]
    return UPDATE_STATUSES[to_state]


def is_note(event: Event) -> bool:
    """Whether the history entry is one of a request's public notes: its filing and its state changes."""
    return event.command == "file" or event.changes_state


def note_type(event: Event) -> str:
    if event.command == "file":
        return OPENED
    return CLOSED if State(event.to_state) in FINAL else ACTIVITY


# An address id is the registry's street code and the house: "yavornytskoho-ave:8".
# Street codes have no colon; a house may have a slash ("12/1").
SEPARATOR = ":"


def address_id(street: str, house: str) -> str:
    return f"{street}{SEPARATOR}{house}"


def split_address_id(text: str) -> tuple | None:
    """(street code, house) of an address id, or None if it is none (the street is not checked here)."""
    street, separator, house = text.partition(SEPARATOR)
    house = house.strip()
    if not separator or not street.strip() or not house or len(house) > MAX_HOUSE:
        return None
    return street.strip(), house
