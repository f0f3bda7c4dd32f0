"""The deadline sweep: every minute, the timers that are due act on their tickets.

Only tickets with a pending timer are read (TicketStore.due, a sparse index), so a
sweep costs what is due, not what is stored. What a timer does is the domain's
(ticket.timer_commands): a reminder at 75 % of the deadline, the overdue flag at
100 % (in the second round also the inspectorate), auto-close of work reported
done that the resident left unanswered, a fine proposal when an inspector's order
runs out. Each ticket is written conditionally on the version the sweep read, with
its notices (services.notifications) in the same write: of two sweeps that read the
same due ticket, one writes and the other finds it moved on and leaves it. The
messages wait in the outbox for the minute tick's dispatch that follows.
"""

import logging
import uuid
from collections import Counter
from dataclasses import replace

from ..domain import stats
from ..domain import ticket as lifecycle
from ..domain.errors import StaleVersion
from ..domain.outbox import DEAD, EMAIL, OutboxMessage
from ..domain.ticket import SYSTEM, Command, Ticket
from ..i18n import N_, translate
from . import notifications, reference, sms_texts

log = logging.getLogger(__name__)

# Tickets one sweep takes, earliest timer first; the rest wait a minute.
BATCH = 100
FINE_PROPOSAL = "fine_proposal"
# The admin's notice of a fine proposal, in the city's language.
FINE_PROPOSAL_SUBJECT = N_("citydesk: a fine is proposed for request No. {number}")
FINE_PROPOSAL_TEXT = N_("The inspectorate's order on request No. {number} was due by {due} and is not reported "
                        "done. A fine for {organisation} is proposed: the inspector decides.\n\n"
                        "The request on the staff page: {link}")


def sweep(deps, limit: int = BATCH) -> dict:
    """Act on the due timers; how many tickets ended each way ("acted", or "skipped"
    when another writer got to the ticket first)."""
    now = deps.clock.now()
    outcomes = Counter(act(deps, ticket, now) for ticket in deps.storage.tickets.due(now, limit))
    return dict(outcomes)


def act(deps, ticket: Ticket, now) -> str:
    """Apply the due timer of the ticket as read and store it with its notices,
    conditional on the version read: "acted", or "skipped" if it moved on meanwhile."""
    commands = lifecycle.timer_commands(ticket, now)
    changed, events = ticket, []
    for name in commands:
        changed, more = lifecycle.apply(changed, Command(name, SYSTEM), now, deps.city.sla)
        events += more
    messages = notifications.messages_for(deps, changed, events)
    if "propose_fine" in commands:
        messages.append(fine_proposal_notice(deps, changed, now))
    try:
        deps.storage.tickets.update(changed, ticket.version, events, messages,
                                    tallies=stats.tallies(changed, events, deps.city.zone))
    except StaleVersion:
        # Another sweep, or a person, changed it since it was read; its next timer is theirs now.
        return "skipped"
    log.info("ticket %s: %s", ticket.number, ", ".join(commands))
    return "acted"


def fine_proposal_notice(deps, ticket: Ticket, now) -> OutboxMessage:
    """The admin's e-mail, to the city's contacts address; a dead letter if the city has
    none, so the staff page still shows it (as services.outbox does with its alerts)."""
    lang = deps.city.default_language
    values = {"number": ticket.number, "due": sms_texts.local_time(deps.city, ticket.order_due_at),
              "organisation": reference.load(deps.storage).organisation_name(ticket.organisation, lang),
              "link": f"{deps.settings.site_url}/admin/#/ticket/{ticket.id}"}
    address = deps.city.contacts.get("email", "")
    message = OutboxMessage(
        id=uuid.uuid4().hex, to=address, channel=EMAIL, kind=FINE_PROPOSAL, ticket_id=ticket.id, created_at=now,
        next_attempt_at=now, subject=translate(lang, FINE_PROPOSAL_SUBJECT, **values),
        text=translate(lang, FINE_PROPOSAL_TEXT, **values))
    if not address:
        return replace(message, status=DEAD, last_error="the city has no contacts e-mail (city.json)")
    return message
