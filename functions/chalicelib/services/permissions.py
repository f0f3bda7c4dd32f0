"""Who may do what to a ticket: the one table, checked in the service layer.

Filing is not a lifecycle command, but who may file is decided here too.
"""

from ..domain.errors import Forbidden, NotFound
from ..domain.ticket import Actor, Ticket, allowed_commands

MAY = {
    "resident": frozenset({"file", "comment", "withdraw", "confirm", "refute", "rate"}),
    "operator": frozenset({"file", "route", "reject", "merge", "escalate", "callback_satisfied",
                           "callback_unsatisfied", "comment"}),
    "executor": frozenset({"accept", "report_done", "comment"}),
    "inspector": frozenset({"inspect", "order", "fine", "resolve", "comment"}),
    # Admins manage staff, organisations and the catalogue, not tickets.
    "admin": frozenset(),
    # The scheduled jobs and the filing itself.
    "system": frozenset({"route", "remind", "mark_overdue", "auto_close", "escalate"}),
}


def can_see(actor: Actor, ticket: Ticket) -> bool:
    if actor.role == "resident":
        return ticket.reporter_id == actor.id
    if actor.role == "executor":
        return ticket.organisation == actor.organisation
    return actor.role in MAY


def actions(actor: Actor, ticket: Ticket) -> list:
    """The commands the actor may take on the ticket now: their role's, that its state allows."""
    may = MAY.get(actor.role, frozenset())
    return [command for command in allowed_commands(ticket) if command in may]


def check(actor: Actor, action: str, ticket: Ticket | None = None) -> None:
    """Forbidden unless the actor's role may take the action; NotFound if the
    ticket is one the actor may not see, so its existence is not given away."""
    if ticket is not None and not can_see(actor, ticket):
        raise NotFound("ticket_not_found")
    if action not in MAY.get(actor.role, ()):
        raise Forbidden("not_allowed")
