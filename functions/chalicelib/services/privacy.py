"""A resident's personal data: the copy they may download, deleting their account,
and removing the reporter's personal data from tickets, when the account goes and
once a ticket has been final for the retention period (the nightly job).

Personal here is: the account's phone, name and e-mail; the identities it signs in
with; on each of its tickets the reporter, the flat and the note on how to find the
place; and the SMS sent to the reporter's phone about the ticket. A ticket itself
stays: it is the city's record of the problem (cause, street and house, description,
dates, the staff's work), and the statistics counted it when it happened.
"""

import logging
from datetime import timedelta

from ..domain import ticket as lifecycle
from ..domain.errors import InvalidInput, StaleVersion, Unauthenticated
from ..domain.resident import EMAIL, OIDC_PREFIX, PHONE, Resident, tombstone
from ..domain.ticket import ACCOUNT_DELETED, RETENTION, SYSTEM, Ticket
from . import answers, auth, limits, permissions, reference, tickets

log = logging.getLogger(__name__)

EXPORTS_PER_HOUR = 10
# The resident's own answers about the work: on the site, and by phone to an operator.
CONFIRMATIONS = ("confirm", "refute", "callback_satisfied", "callback_unsatisfied")
# A ticket that changed while its reporter was being removed is read again, this many times.
TRIES = 5
# The nightly job anonymises at most this many tickets a night, a page at a time: a
# city's first night with the setting may find years of them, and the job has two
# minutes. The rest wait for the next night (a day's closings are far fewer).
PER_RUN, PAGE = 1000, 100


# --- the resident's own copy ------------------------------------------------------------

def export(deps, resident: Resident) -> dict:
    """Everything the city keeps about the signed-in resident, in their language: the
    account, the ways they sign in, their preferences, and every ticket filed for them
    with its history (photos as links that work for a few minutes), their ratings and
    their answers about the work. The staff's names are not theirs to have: a step by
    staff reads "staff", as on the ticket's page."""
    now = deps.clock.now()
    limits.count_within_limit(deps, f"exports:{resident.id}", EXPORTS_PER_HOUR, now, "too_many_exports")
    ref, lang = reference.load(deps.storage), resident.language
    filed, ratings, confirmations = [], [], []
    for ticket in deps.storage.tickets.by_reporter(resident.id):
        history = [e for e in deps.storage.tickets.history(ticket.id) if e.command not in tickets.STAFF_ONLY_EVENTS]
        shown = tickets.detail(deps, ticket, history, ref, lang, [])
        del shown["actions"]
        filed.append({**shown, "channel": ticket.channel})
        for event in history:
            if event.command == "rate" and event.actor_role == "resident":
                ratings.append({"ticket": ticket.number, "stars": event.data.get("score"), "comment": event.note,
                                "at": answers.utc(event.at)})
            if event.command in CONFIRMATIONS:
                confirmations.append({"ticket": ticket.number, "answer": event.command, "comment": event.note,
                                      "at": answers.utc(event.at)})
    log.info("resident %s downloaded their data (%d tickets)", resident.id, len(filed))
    return {
        "exported_at": answers.utc(now),
        "account": {"id": resident.id, "phone": resident.phone, "name": resident.name, "email": resident.email,
                    "created_at": answers.utc(resident.created_at)},
        "identities": [_identity(kind, value) for kind, value in deps.storage.users.identities(resident.id)],
        "preferences": {"language": resident.language, "status_sms": resident.status_sms},
        "tickets": filed, "ratings": ratings, "confirmations": confirmations,
    }


def _identity(kind: str, value: str) -> dict:
    if kind.startswith(OIDC_PREFIX):
        return {"kind": "provider", "provider": kind.removeprefix(OIDC_PREFIX), "subject": value}
    return {"kind": kind, "value": value}


# --- deleting the account ---------------------------------------------------------------

def delete_account(deps, token: str, body: dict) -> None:
    """Delete the account of the session `token`, given {"confirm": true}: its tickets
    stay and go on being worked, without the reporter's personal data; the SMS about
    them not sent yet are not sent; then the account becomes its tombstone, every
    session of it ends and each of its identities signs up afresh.

    A repeat from the same session (a phone that lost the first answer) is answered
    the same and finishes what an interrupted deletion left: the tickets are done
    first, so a deletion cut short keeps the account, and the repeat does it all."""
    session = auth.live_session(deps, token, "resident")
    resident = deps.storage.users.get(session.user_id)
    if resident is None:
        raise Unauthenticated("session_expired")
    if body.get("confirm") is not True:
        raise InvalidInput("confirm_deletion", field="confirm")
    addresses = {value for kind, value in deps.storage.users.identities(resident.id) if kind in (PHONE, EMAIL)}
    # The account's phone is where the SMS went; a phone linked later may be only an identity.
    addresses |= {resident.phone} - {""}
    done = [remove_reporter(deps, ticket, ACCOUNT_DELETED, addresses)
            for ticket in deps.storage.tickets.by_reporter(resident.id)]
    if not resident.deleted:
        deps.storage.users.erase(tombstone(resident, deps.clock.now()))
    log.info("resident %s deleted their account; %d tickets anonymised", resident.id, len(done))


# --- removing the reporter from a ticket --------------------------------------------------

def remove_reporter(deps, ticket: Ticket, reason: str, addresses: set) -> Ticket:
    """The ticket stored without its reporter's personal data (domain.ticket.anonymise),
    the messages about it to the reporter's `addresses` removed first, sent or not.

    No message to the reporter can slip in between: a message is queued only in the
    same write as a change of its ticket, which the conditional write below would meet
    as a stale version, and the ticket is read again. (On DynamoDB the messages are
    found through an index that may lag a change made within the same second.)"""
    permissions.check(SYSTEM, "anonymise")
    for _ in range(TRIES):
        history = deps.storage.tickets.history(ticket.id)
        changed, events, redacted = lifecycle.anonymise(ticket, history, reason, deps.clock.now(), deps.city.sla)
        deps.storage.outbox.remove([m.id for m in deps.storage.outbox.about(ticket.id) if m.to in addresses])
        try:
            deps.storage.tickets.update(changed, ticket.version, events, redacted=redacted)
        except StaleVersion:
            ticket = deps.storage.tickets.get(ticket.id)
            if ticket.anonymised:
                return ticket
            continue
        return changed
    raise StaleVersion("stale_version", ticket=ticket.id)


def anonymise_due(deps) -> int:
    """Remove the reporter's personal data from tickets final for longer than the
    retention period (settings.anonymise_after_days), at most PER_RUN; how many. Reads
    only the tickets due (a sparse index), never the others."""
    closed_before = deps.clock.now() - timedelta(days=deps.settings.anonymise_after_days)
    done = 0
    while done < PER_RUN:
        due = deps.storage.tickets.to_anonymise(closed_before, min(PAGE, PER_RUN - done))
        if not due:
            break
        for ticket in due:
            reporter = deps.storage.users.get(ticket.reporter_id)
            remove_reporter(deps, ticket, RETENTION, {reporter.phone} - {""} if reporter else set())
        done += len(due)
    if done:
        log.info("anonymised %d tickets final since before %s", done, closed_before.date().isoformat())
    return done
