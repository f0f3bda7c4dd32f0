"""Who is told what when a ticket changes: the one table of notices.

`messages_for` turns a transition's events into the outbox messages that go in the
same write as the transition (services.tickets); services.outbox sends them. The
README copies the table.

Recipients:
- resident: the reporter, by SMS in their language, if the account has a phone and
  status SMS are on (whoever filed it: the resident, or an operator for a caller);
- executor: the ticket's organisation, its dispatcher's phone by SMS and its
  e-mail address, in the city's language; a new ticket is e-mailed at once only
  if it is an emergency, the rest are listed in the next morning's digest
  (jobs/digest.py);
- supervisor: the executor's supervising department, by e-mail;
- inspectorate: the housing inspectorate, by e-mail.

Urgent (sent through quiet hours): every message about an emergency-class ticket,
and no other. A second round of a slower class keeps at least the `short` class's
day, so holding its notice until the morning costs the executor little of it,
while a night-time SMS costs the reader their sleep.
"""

import uuid
from dataclasses import dataclass

from ..domain.outbox import EMAIL, SMS, OutboxMessage
from ..domain.ticket import Event, Ticket
from . import email_texts, reference, sms_texts

RESIDENT, EXECUTOR, SUPERVISOR, INSPECTORATE = "resident", "executor", "supervisor", "inspectorate"
EMERGENCY = "emergency"
# Who counts as staff for "a note from the staff": not the resident, nor a timer.
NOT_STAFF = ("resident", "system")
CLOSING = ("confirm", "callback_satisfied", "auto_close", "resolve")
SECOND_ROUND = ("refute", "callback_unsatisfied")


@dataclass(frozen=True)
class Notice:
    commands: tuple  # the event's command, one of these
    into: str | None  # the state the event ends in; None: any
    kind: str  # the text: sms_texts.NOTICES (and email_texts.notice)
    to: tuple  # recipients
    staff_only: bool = False  # only when staff took the command
    # The e-mail only about an emergency; the rest wait for the executor's morning
    # digest (jobs/digest.py), where the staff page's queue has them too.
    email_if_emergency: bool = False


TABLE = (
    Notice(("file",), None, "filed", (RESIDENT,)),
    Notice(("route",), None, "assigned", (EXECUTOR,), email_if_emergency=True),
    Notice(("accept",), None, "taken", (RESIDENT,)),
    Notice(("report_done",), None, "done", (RESIDENT,)),
    Notice(SECOND_ROUND, "reopened", "second_round", (RESIDENT,)),
    Notice(SECOND_ROUND, "reopened", "refuted", (EXECUTOR,)),
    Notice(SECOND_ROUND + ("escalate",), "inspection", "inspection", (RESIDENT, EXECUTOR, INSPECTORATE)),
    Notice(CLOSING, "closed", "closed", (RESIDENT,)),
    Notice(("reject",), None, "rejected", (RESIDENT,)),
    Notice(("merge",), None, "merged", (RESIDENT,)),
    Notice(("comment",), None, "comment", (RESIDENT,), staff_only=True),
    Notice(("remind",), None, "reminder", (EXECUTOR,)),
    Notice(("mark_overdue",), None, "overdue", (EXECUTOR, SUPERVISOR)),
    Notice(("order",), None, "order", (EXECUTOR,)),
    Notice(("fine",), None, "fine", (EXECUTOR,)),
)


def notices(event: Event) -> list:
    """The table's rows for this event."""
    return [notice for notice in TABLE
            if event.command in notice.commands and notice.into in (None, event.to_state)
            and not (notice.staff_only and event.actor_role in NOT_STAFF)]


def messages_for(deps, ticket: Ticket, events: list) -> list:
    """The messages the events of one write cause, `ticket` being the ticket after
    them; in the order of the events, then of the table, then of the recipients."""
    due = [(event, notice) for event in events for notice in notices(event)]
    if not due:
        return []
    ref = reference.load(deps.storage)
    reporter = deps.storage.users.get(ticket.reporter_id)
    messages = []
    for event, notice in due:
        for recipient in notice.to:
            messages += _addressed(deps, ref, reporter, ticket, event, notice, recipient)
    return messages


def _addressed(deps, ref, reporter, ticket: Ticket, event: Event, notice: Notice, recipient: str) -> list:
    city, site, kind = deps.city, deps.settings.site_url, notice.kind
    if recipient == RESIDENT:
        if reporter is None or not (reporter.phone and reporter.status_sms):
            return []
        lang = reporter.language
        values = _values(deps, ref, ticket, event, lang, f"{site}/{lang}/t.html?{ticket.number}")
        return [_message(ticket, event, kind, SMS, reporter.phone, sms_texts.notice(lang, kind, **values))]
    organisation = _organisation(ref, ticket, recipient)
    if organisation is None:
        return []
    lang = city.default_language
    values = _values(deps, ref, ticket, event, lang, f"{site}/admin/#/ticket/{ticket.id}")
    out = []
    if recipient == EXECUTOR and organisation.phone:
        out.append(_message(ticket, event, kind, SMS, organisation.phone, sms_texts.notice(lang, kind, **values)))
    if organisation.email and (ticket.sla_class == EMERGENCY or not notice.email_if_emergency):
        subject, text = email_texts.notice(lang, kind, **values)
        out.append(_message(ticket, event, kind, EMAIL, organisation.email, text, subject))
    return out


def _organisation(ref, ticket: Ticket, recipient: str):
    executor = ref.organisations.get(ticket.organisation)
    if recipient == EXECUTOR:
        return executor
    if recipient == SUPERVISOR:
        return ref.organisations.get(executor.supervisor) if executor and executor.supervisor else None
    return next((o for o in ref.organisations.values() if o.kind == "inspectorate"), None)


def _values(deps, ref, ticket: Ticket, event: Event, lang: str, link: str) -> dict:
    merged_into = deps.storage.tickets.get(event.data["into"]) if event.command == "merge" else None
    return {
        **facts(deps.city, ref, ticket, lang), "organisation": ref.organisation_name(ticket.organisation, lang),
        "link": link, "reason": ticket.reason, "other": merged_into.number if merged_into else "",
        "amount": event.data.get("amount", ""),
    }


def facts(city, ref, ticket: Ticket, lang: str) -> dict:
    """What an organisation reads of a ticket: number, deadline in city time, cause,
    street and house; none of the resident's data (no flat, note or text)."""
    cause = ref.catalogue.cause(ticket.cause)
    street = ref.registry.street(ticket.address.street)
    return {
        "number": ticket.number, "due": sms_texts.local_time(city, ticket.due_at),
        "cause": cause.name(lang) if cause else ticket.cause,
        "address": f"{street.name(lang) if street else ticket.address.street}, {ticket.address.house}",
    }


def _message(ticket: Ticket, event: Event, kind: str, channel: str, to: str, text: str,
             subject: str = "") -> OutboxMessage:
    return OutboxMessage(id=uuid.uuid4().hex, to=to, text=text, created_at=event.at, next_attempt_at=event.at,
                         ticket_id=ticket.id, kind=kind, urgent=ticket.sla_class == EMERGENCY, channel=channel,
                         subject=subject)
