"""Sending queued messages, by SMS or by e-mail: claim, guard, send, record the outcome.

A message is claimed before it is sent, so two senders (the minute tick and the
request that queued it) never send it twice; one that dies mid-send leaves it
to be retried when its lease ends. Failures back off 1, 2, 4, 8 minutes; the
fifth failure dead-letters the message, and an admin may put it back.

Two guards hold an SMS back without counting a try. E-mail passes both: it wakes
nobody at night, and nobody pumps it for money.
- Quiet hours: an SMS claimed between 22:00 and 08:00 city time waits until 08:00,
  unless it is urgent (an emergency-class ticket's).
- Caps against SMS pumping: the SMS one phone gets in a city day (organisations'
  phones excepted: their dispatchers get one per ticket) and all SMS of the day,
  counted as they are handed to the provider in windows ending at the city's
  midnight. Beyond either, the SMS waits for the next day and the admin is told,
  once a day for each cap, by an e-mail that stays in the outbox as the record.
"""

import logging
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone

from ..domain.errors import AlreadyExists, IllegalTransition, NotFound
from ..domain.outbox import DEAD, EMAIL, SENT, SMS, OutboxMessage
from ..domain.resident import mask_email, mask_phone
from ..domain.ticket import Actor
from ..i18n import N_, translate
from . import permissions
from .ports import EmailError, SmsError

log = logging.getLogger(__name__)

MAX_TRIES = 5
LEASE = timedelta(minutes=5)
BATCH = 50
QUIET_FROM, QUIET_UNTIL = time(22), time(8)
# How far back the staff page lists the alerts.
ALERT_DAYS = 7

PHONE_CAP, BUDGET = "sms_phone_cap", "sms_budget"
# (subject, text) of the alert e-mail each cap raises, in the city's language.
ALERTS = {
    PHONE_CAP: (N_("citydesk: a phone reached the daily SMS limit"),
                N_("On {day} the phone {phone} reached the limit of {limit} SMS a day. Its further SMS wait "
                   "until the next day. Many SMS to one number can be SMS pumping: the staff page shows how "
                   "many messages are held.")),
    BUDGET: (N_("citydesk: the daily SMS budget is spent"),
             N_("On {day} citydesk handed over the {limit} SMS of its daily budget. Further SMS, emergency ones "
                "too, wait until the next day. If the traffic is real, raise CITYDESK_SMS_PER_DAY.")),
}


def dispatch_ready(deps, limit: int = BATCH) -> dict:
    """Send what is due now; how many messages ended each way."""
    outcomes = Counter(send(deps, m.id) for m in deps.storage.outbox.ready(deps.clock.now(), limit))
    return dict(outcomes)


def send(deps, message_id: str) -> str:
    """Send one message if it is still ready: "sent", "retry", "dead", "held" (a
    guard put it back for later), or "skipped" when another sender has it or it
    is not ready."""
    outbox = deps.storage.outbox
    now = deps.clock.now()
    message = outbox.claim(message_id, now, now + LEASE)
    if message is None:
        return "skipped"
    until, reason = hold(deps, message, now)
    if until is not None:
        # Held is no try: the claim's is given back.
        outbox.finish(replace(message, tries=message.tries - 1, next_attempt_at=until))
        log.info("%s %s to %s held until %s (%s)", message.channel, message.id, masked_address(message),
                 until.isoformat(), reason)
        return "held"
    try:
        provider_id = _deliver(deps, message)
    except (SmsError, EmailError) as error:
        failed = after_failure(message, str(error).replace(message.to, masked_address(message)), now)
        outbox.finish(failed)
        log.warning("%s %s to %s failed (try %d): %s", message.channel, message.id, masked_address(message),
                    message.tries, failed.last_error)
        return "dead" if failed.status == DEAD else "retry"
    outbox.finish(replace(message, status=SENT, sent_at=now, provider_id=provider_id, last_error=""))
    log.info("%s %s (%s) to %s sent", message.channel, message.id, message.kind, masked_address(message))
    return "sent"


def _deliver(deps, message: OutboxMessage) -> str:
    if message.channel == EMAIL:
        return deps.email.send(message.to, message.subject, message.text)
    return deps.sms.send(message.to, message.text, urgent=message.urgent)


def after_failure(message: OutboxMessage, error: str, now: datetime) -> OutboxMessage:
    """The claimed message after its send failed: pending again later, or dead."""
    if message.tries >= MAX_TRIES:
        return replace(message, status=DEAD, last_error=error)
    return replace(message, next_attempt_at=now + backoff(message.tries), last_error=error)


def backoff(tries: int) -> timedelta:
    return timedelta(minutes=2 ** (tries - 1))


def masked_address(message: OutboxMessage) -> str:
    """What a log line or the staff page shows of the recipient."""
    return mask_email(message.to) if message.channel == EMAIL else mask_phone(message.to)


# --- the guards ------------------------------------------------------------------------

def hold(deps, message: OutboxMessage, now: datetime) -> tuple:
    """(until when the claimed message must wait, why), or (None, "") if it may go
    now. An SMS that may go is counted against the caps here."""
    if message.channel != SMS:
        return None, ""
    zone = deps.city.zone
    quiet_end = None if message.urgent else quiet_until(now, zone)
    if quiet_end is not None:
        return quiet_end, "quiet hours"
    cap = _count_against_caps(deps, message, now)
    if cap is None:
        return None, ""
    _alert(deps, cap, message, now)
    next_day = next_midnight(now, zone)
    return (next_day if message.urgent else quiet_until(next_day, zone) or next_day), cap


def quiet_until(at: datetime, zone) -> datetime | None:
    """The end (08:00 city time, in UTC) of the quiet hours `at` falls in; None outside them."""
    local = at.astimezone(zone)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=zone).astimezone(timezone.utc)


def next_midnight(at: datetime, zone) -> datetime:
    """The start of the next city day, in UTC: where the caps' day ends."""
    tomorrow = at.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=zone).astimezone(timezone.utc)


def _count_against_caps(deps, message: OutboxMessage, now: datetime) -> str | None:
    """Count the SMS for its phone and for the day; the cap it is beyond, if any."""
    counters, settings = deps.storage.counters, deps.settings
    day_end = next_midnight(now, deps.city.zone)
    phone_key = f"sms-by-phone:{message.to}"
    # The directory is read only past the cap: most SMS never need it.
    if (counters.increment(phone_key, day_end) > settings.sms_per_phone_per_day
            and not _organisation_phone(deps, message.to)):
        return PHONE_CAP
    if counters.increment("sms-by-day", day_end) > settings.sms_per_day:
        # Held by the budget, the SMS is not the phone's either.
        counters.increment(phone_key, day_end, by=-1)
        return BUDGET
    return None


def _organisation_phone(deps, phone: str) -> bool:
    return any(o.phone == phone for o in deps.storage.directory.organisations())


def _alert(deps, cap: str, message: OutboxMessage, now: datetime) -> None:
    """Tell the admin, once a city day for each cap, by e-mail to the city's contacts
    address. The e-mail's id names the cap and the day: a second alert of the day
    is refused as a duplicate, and the staff page finds the day's alert by its id."""
    day = now.astimezone(deps.city.zone).date()
    address = deps.city.contacts.get("email", "")
    lang = deps.city.default_language
    subject, text = ALERTS[cap]
    limit = deps.settings.sms_per_phone_per_day if cap == PHONE_CAP else deps.settings.sms_per_day
    alert = OutboxMessage(
        id=alert_id(cap, day), to=address, channel=EMAIL, kind=cap, created_at=now, next_attempt_at=now,
        subject=translate(lang, subject),
        text=translate(lang, text, day=day.isoformat(), limit=limit, phone=mask_phone(message.to)))
    if not address:
        # Kept all the same, as a dead letter: the staff page shows it, and that it went nowhere.
        alert = replace(alert, status=DEAD, last_error="the city has no contacts e-mail (city.json)")
    try:
        deps.storage.outbox.add([alert])
    except AlreadyExists:
        return
    log.warning("SMS %s held: %s reached on %s; the admin is alerted", message.id, cap, day.isoformat())
    if address:
        send(deps, alert.id)


def alert_id(cap: str, day: date) -> str:
    return f"alert:{cap}:{day.isoformat()}"


# --- the staff page ----------------------------------------------------------------------

@dataclass(frozen=True)
class Overview:
    dead: list  # OutboxMessage, newest first
    held: int  # pending messages waiting for a later time
    alerts: list  # the alerts' OutboxMessage, newest day first
    numbers: dict  # the number of each dead letter's ticket, by ticket id


def overview(deps, actor: Actor) -> Overview:
    permissions.check(actor, "see_outbox")
    now = deps.clock.now()
    outbox = deps.storage.outbox
    today = now.astimezone(deps.city.zone).date()
    days = [today - timedelta(days=n) for n in range(ALERT_DAYS)]
    found = (outbox.get(alert_id(cap, day)) for day in days for cap in ALERTS)
    dead = outbox.dead()
    tickets = (deps.storage.tickets.get(ticket_id) for ticket_id in {m.ticket_id for m in dead if m.ticket_id})
    return Overview(dead=dead, held=outbox.waiting(now), alerts=[alert for alert in found if alert],
                    numbers={ticket.id: ticket.number for ticket in tickets if ticket})


def alert_title(kind: str, lang: str) -> str:
    return translate(lang, ALERTS[kind][0])


def retry(deps, actor: Actor, message_id: str) -> OutboxMessage:
    """An admin puts a dead letter back and it is tried at once; the message after."""
    permissions.check(actor, "retry_outbox")
    outbox = deps.storage.outbox
    revived = outbox.revive(message_id, deps.clock.now())
    if revived is None:
        if outbox.get(message_id) is None:
            raise NotFound("message_not_found")
        raise IllegalTransition("message_not_dead")
    log.info("%s %s put back by %s %s", revived.channel, revived.id, actor.role, actor.id)
    send(deps, revived.id)
    return outbox.get(revived.id)
