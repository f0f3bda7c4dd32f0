"""The morning digest: once a city day, from 08:00 city time (jobs/daily.py), each
executor organisation with an e-mail address and tickets waiting for it to accept
them (state assigned) gets one e-mail: how many wait, and the first of them by
deadline. It stands in for an e-mail per new ticket, which only an emergency still
gets (services.notifications): a busy executor would get hundreds a day, and the
staff page's queue is where the work is.

An emergency e-mailed at once is listed again while it still waits: the count is
what waits, and an emergency nobody has taken since is what the morning reader
most needs to see (by deadline, it comes first).

The digests go in the outbox, which the minute tick sends. Each one's id names the
organisation and the day, so a run tried again after a failure adds none twice.
"""

from datetime import date

from ..domain.errors import AlreadyExists
from ..domain.outbox import EMAIL, OutboxMessage
from ..domain.ticket import State
from ..services import email_texts, notifications, reference
from .daily import once_a_city_day

DIGEST_HOUR = 8
# Tickets listed one by one; the rest are counted ("and N more").
LISTED = 20
KIND = "digest"


def morning_digest(deps) -> dict | None:
    """Queue the day's digests once per city day, from 08:00; what it did, or None when not due."""
    return once_a_city_day(deps, KIND, DIGEST_HOUR, lambda day: {"digests": len(queue_digests(deps, day))})


def queue_digests(deps, day: date) -> list:
    """Add the day's digest of each organisation that has tickets waiting; the ids added."""
    ref = reference.load(deps.storage)
    added = []
    for organisation in sorted(ref.organisations.values(), key=lambda o: o.code):
        if organisation.kind != "executor" or not organisation.email:
            continue
        # The by-organisation index, in one state: what waits, never the table.
        waiting = deps.storage.tickets.by_organisation(organisation.code, State.ASSIGNED.value)
        if not waiting:
            continue
        message = digest(deps, ref, organisation, waiting, day)
        try:
            deps.storage.outbox.add([message])
        except AlreadyExists:
            continue
        added.append(message.id)
    return added


def digest(deps, ref, organisation, waiting: list, day: date) -> OutboxMessage:
    lang = deps.city.default_language
    waiting = sorted(waiting, key=lambda t: (t.due_at, t.number))
    subject, text = email_texts.digest(
        lang, organisation.name(lang), len(waiting),
        [notifications.facts(deps.city, ref, ticket, lang) for ticket in waiting[:LISTED]],
        max(len(waiting) - LISTED, 0), f"{deps.settings.site_url}/admin/")
    now = deps.clock.now()
    return OutboxMessage(id=digest_id(organisation.code, day), to=organisation.email, text=text, subject=subject,
                         created_at=now, next_attempt_at=now, kind=KIND, channel=EMAIL)


def digest_id(organisation: str, day: date) -> str:
    return f"{KIND}:{organisation}:{day.isoformat()}"
