"""Who may do what: the one table, checked in the service layer.

Lifecycle commands are named as in domain.ticket; the other actions (filing,
reading the queue, managing staff and reference data, ...) are named here.
"""

from ..domain.errors import Forbidden, NotFound
from ..domain.ticket import Actor, Ticket, allowed_commands

# What every staff role may do besides its commands: read the queue and its
# tickets (each role its own part of it, see `can_see`), the reference data and
# the outage notices, and upload a photo to go with a command.
STAFF = frozenset({"see_tickets", "see_directory", "see_outages", "upload_photo"})
# The actions that are no lifecycle command.
OTHER_ACTIONS = STAFF | {"file", "publish_outage", "manage_staff", "manage_directory", "manage_open311_keys",
                         "see_outbox", "retry_outbox", "see_contact", "see_contact_views"}

MAY = {
    "resident": frozenset({"file", "comment", "withdraw", "confirm", "refute", "rate", "upload_photo"}),
    # Those who work a ticket may be shown its reporter's contact (to call back, to get
    # into the flat, to inspect), each time on asking for it, and it is recorded.
    "operator": STAFF | {"file", "route", "reject", "merge", "escalate", "callback_satisfied",
                         "callback_unsatisfied", "comment", "publish", "publish_outage", "see_outbox", "see_contact"},
    "executor": STAFF | {"accept", "report_done", "comment", "see_contact"},
    "inspector": STAFF | {"inspect", "order", "fine", "resolve", "comment", "see_contact"},
    # Admins manage staff, organisations, the catalogue, the registry and the Open311
    # keys, and put dead letters of the outbox back; they read tickets but take no
    # command on them. They read who was shown a reporter's contact, not the contact.
    "admin": (STAFF - {"upload_photo"}) | {"manage_staff", "manage_directory", "manage_open311_keys", "see_outbox",
                                           "retry_outbox", "see_contact_views"},
    # A partner's system with an Open311 key: it files, and reads only what is public.
    "open311": frozenset({"file"}),
    # The scheduled jobs, the filing itself, and removing a reporter's personal data.
    "system": frozenset({"route", "remind", "mark_overdue", "auto_close", "escalate", "propose_fine", "anonymise"}),
}


def can_see(actor: Actor, ticket: Ticket) -> bool:
    if actor.role == "resident":
        return ticket.reporter_id == actor.id
    if actor.role == "executor":
        return ticket.organisation == actor.organisation
    if actor.role == "inspector":
        return ticket.escalated
    if actor.role == "open311":
        # What a partner reads of any ticket is the public record (services.open311).
        return False
    return actor.role in MAY


def queue_scope(actor: Actor) -> dict:
    """The staff queue's filters (services.ports.QueueQuery fields) that keep it to
    the tickets `can_see` shows the actor, set whatever the query asked."""
    if actor.role == "executor":
        # An executor with no organisation sees no ticket: "" is no organisation's code.
        return {"organisation": actor.organisation or ""}
    if actor.role == "inspector":
        return {"escalated": True}
    return {}


def actions(actor: Actor, ticket: Ticket) -> list:
    """The commands the actor may take on the ticket now: their role's, that its state allows."""
    may = MAY.get(actor.role, frozenset())
    return [command for command in allowed_commands(ticket) if command in may]


def may(actor: Actor, action: str) -> bool:
    return action in MAY.get(actor.role, ())


def check(actor: Actor, action: str, ticket: Ticket | None = None) -> None:
    """Forbidden unless the actor's role may take the action; NotFound if the
    ticket is one the actor may not see, so its existence is not given away."""
    if ticket is not None and not can_see(actor, ticket):
        raise NotFound("ticket_not_found")
    if not may(actor, action):
        raise Forbidden("not_allowed")
