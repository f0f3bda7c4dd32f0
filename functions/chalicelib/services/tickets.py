"""A resident's tickets: filing one, following them, and the few things a
resident may do to their own (comment, withdraw, confirm, refute, rate); and
the steps the staff's tickets (services.staff_tickets) share with them: filing,
the duplicate look-up, taking a command, the detail."""

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from ..domain import fields, stats
from ..domain import ticket as lifecycle
from ..domain.address import route
from ..domain.catalogue import Cause
from ..domain.errors import AlreadyExists, InvalidInput, NotFound
from ..domain.numbers import ticket_number
from ..domain.resident import Resident
from ..domain.ticket import FINAL, SYSTEM, Actor, Address, Command, Ticket
from . import answers, notifications, outbox, permissions, photos, public_pages, reference
from .ports import IdempotencyRecord

log = logging.getLogger(__name__)

IDEMPOTENCY_TTL = timedelta(hours=24)
MAX_IDEMPOTENCY_KEY = 200
# Ticket ids this service makes are 32 hex digits; anything much longer is no id.
MAX_TICKET_ID = 100
# Limits on the address parts a resident types.
ADDRESS_LIMITS = {"house": 20, "entrance": 10, "flat": 10, "note": 300}
# A resident's comment on refuting or rating the work.
MAX_COMMENT = 2000
STARS = range(1, 6)


@dataclass(frozen=True)
class Filing:
    """A checked request to file a ticket."""

    cause: Cause
    address: Address
    description: str
    lat: float | None
    lon: float | None


def file_ticket(deps, resident: Resident, payload: dict, idempotency_key: str | None = None) -> dict:
    """A resident files a ticket on the web; the receipt (see `file`)."""
    return file(deps, resident, Actor("resident", resident.id), "web", payload, idempotency_key)


def file(deps, reporter: Resident, actor: Actor, channel: str, payload: dict,
         idempotency_key: str | None = None, media_url: str = "") -> dict:
    """File the reporter's ticket as `actor` (the reporter, staff for a caller, or a
    partner's Open311 key), route it and queue its notices (services.notifications) in
    one write; the receipt. Photos are the ones `actor` uploaded; `media_url` is a
    checked link to a photo a partner's app keeps (services.open311).

    With an idempotency key, a repeat of the request gets the first receipt and
    creates nothing, for as long as the store keeps the record (24 hours and more:
    expiry only lets the store clear it out); another request under the same key
    is refused (422), as the IETF's Idempotency-Key draft asks.
    """
    permissions.check(actor, "file")
    key = _scoped_key(actor.id, idempotency_key)
    request = _fingerprint(payload)
    now = deps.clock.now()
    if key:
        earlier = deps.storage.idempotency.get(key)
        if earlier is not None:
            return _repeat(earlier, request)
    ref = reference.load(deps.storage)
    filing = parse_filing(payload, ref)
    street, house = filing.address.street, filing.address.house
    organisation = route(filing.cause, street, house, ref.registry)
    # Last of the checks, as it writes: a request refused for anything else stores
    # no photo. If the ticket write below fails, the copies stay as orphans.
    stored_photos = photos.attach(deps, actor.id, payload.get("photos"))
    policy = deps.city.sla
    ticket, events = lifecycle.file(
        id=uuid.uuid4().hex, number=ticket_number(deps.storage.counters.next_sequence("ticket")),
        reporter_id=reporter.id, channel=channel, language=reporter.language, topic=filing.cause.topic,
        cause=filing.cause.code, sla_class=filing.cause.sla_class, organisation=organisation,
        address=filing.address, district=ref.registry.district_of(street, house) or "",
        description=filing.description, now=now, actor=actor, policy=policy, lat=filing.lat, lon=filing.lon,
        photos=stored_photos, media_url=media_url)
    ticket, routed = lifecycle.apply(ticket, Command("route", SYSTEM, {"organisation": organisation}), now, policy)
    messages = notifications.messages_for(deps, ticket, events + routed)
    receipt = answers.receipt(ticket)
    record = IdempotencyRecord(key, 201, receipt, now, now + IDEMPOTENCY_TTL, request) if key else None
    try:
        deps.storage.tickets.create(ticket, events + routed, messages, record,
                                    tallies=stats.tallies(ticket, events + routed, deps.city.zone))
    except AlreadyExists:
        earlier = deps.storage.idempotency.get(key) if key else None
        if earlier is None:
            raise
        # A repeat that raced the first request: the first receipt stands.
        return _repeat(earlier, request)
    log.info("ticket %s filed by %s %s, routed to %s", ticket.number, actor.role, actor.id, organisation)
    _send_now(deps, messages)
    return receipt


def parse_filing(payload: dict, ref: reference.Reference) -> Filing:
    """The checked filing, or InvalidInput naming the first wrong field."""
    cause_code = payload.get("cause")
    cause = ref.catalogue.cause(cause_code) if isinstance(cause_code, str) else None
    if cause is None:
        raise InvalidInput("unknown_cause", field="cause")
    raw_address = payload.get("address")
    if not isinstance(raw_address, dict):
        raise InvalidInput("required", field="address")
    street = raw_address.get("street")
    if not isinstance(street, str) or ref.registry.street(street) is None:
        raise InvalidInput("unknown_street", field="address.street")
    parts = {name: fields.text(raw_address.get(name), f"address.{name}", required=name == "house", limit=limit)
             for name, limit in ADDRESS_LIMITS.items()}
    description = fields.text(payload.get("description"), "description", required=True, limit=lifecycle.MAX_DESCRIPTION)
    lat = _coordinate(payload, "lat", 90)
    lon = _coordinate(payload, "lon", 180)
    if (lat is None) != (lon is None):
        raise InvalidInput("coordinates_in_pairs", field="lon" if lon is None else "lat")
    return Filing(cause=cause, address=Address(street=street, **parts), description=description, lat=lat, lon=lon)


def similar(deps, resident: Resident, cause: str, street: str, house: str) -> dict:
    """Open tickets of this cause at this address, so that the resident may follow
    one instead of filing a duplicate: of other people's tickets only what the
    public page shows."""
    found = open_at_address(deps, Actor("resident", resident.id), cause, street, house)
    return {"tickets": [answers.similar(ticket, resident.id, resident.language) for ticket in found]}


def open_at_address(deps, actor: Actor, cause, street, house) -> list:
    """The open tickets of this cause at this address, for one who may file, newest filed first."""
    permissions.check(actor, "file")
    ref = reference.load(deps.storage)
    if ref.catalogue.cause(cause) is None:
        raise InvalidInput("unknown_cause", field="cause")
    if ref.registry.street(street) is None:
        raise InvalidInput("unknown_street", field="street")
    house = fields.text(house, "house", required=True, limit=ADDRESS_LIMITS["house"])
    return deps.storage.tickets.open_at_address(cause, street, house)


def my_tickets(deps, resident: Resident) -> dict:
    ref = reference.load(deps.storage)
    now = deps.clock.now()
    lists = {"current": [], "completed": []}
    for ticket in deps.storage.tickets.by_reporter(resident.id):
        lists["completed" if ticket.state in FINAL else "current"].append(
            answers.summary(ticket, ref, resident.language, now))
    return lists


def my_ticket(deps, resident: Resident, ticket_id: str) -> dict:
    ticket = visible(deps, Actor("resident", resident.id), ticket_id)
    return _detail(deps, ticket, resident.language)


def confirm(deps, resident: Resident, ticket_id: str) -> dict:
    """The resident confirms the work reported done: the ticket closes."""
    return resident_command(deps, resident, ticket_id, "confirm", {})


def refute(deps, resident: Resident, ticket_id: str, body: dict) -> dict:
    """The resident says the work reported done is not: with a comment (and up to
    three photos, kept on the history entry), a second, urgent round; after a
    second round, the housing inspectorate."""
    comment = fields.text(body.get("comment"), "comment", required=True, limit=MAX_COMMENT)
    return resident_command(deps, resident, ticket_id, "refute", {"note": comment}, body.get("photos"))


def rate(deps, resident: Resident, ticket_id: str, body: dict) -> dict:
    """The resident rates a closed ticket once, 1 to 5 stars; the comment goes into the history."""
    stars = body.get("stars")
    # JSON's true is Python's 1, and 5.0 equals 5: neither is a number of stars.
    if type(stars) is not int or stars not in STARS:
        raise InvalidInput("rating_out_of_range", field="stars")
    comment = fields.text(body.get("comment"), "comment", required=False, limit=MAX_COMMENT)
    return resident_command(deps, resident, ticket_id, "rate", {"score": stars, "note": comment})


def resident_command(deps, resident: Resident, ticket_id: str, name: str, data: dict, uploads=None) -> dict:
    """Apply a resident's command to their ticket, conditional on the version read:
    StaleVersion (409) if the ticket moved on in between. The ticket after it.

    Photos uploaded under `uploads` go with the command (its event's "photos"),
    attached only once the command is known to be legal: a refused one stores none."""
    actor = Actor("resident", resident.id)
    ticket = visible(deps, actor, ticket_id)
    permissions.check(actor, name)
    changed = take_command(deps, actor, ticket, name, data, uploads)
    return _detail(deps, changed, resident.language)


def take_command(deps, actor: Actor, ticket: Ticket, name: str, data: dict, uploads=None) -> Ticket:
    """Apply the command to the ticket as read and store it, conditional on its
    version: StaleVersion if it moved on meanwhile. Photos `actor` uploaded under
    `uploads` go on the command's history entry, attached only once the command
    is known to be legal: a refused one stores none. The notices the command
    causes go in the same write and are sent at once after it. The ticket after it."""
    now, policy = deps.clock.now(), deps.city.sla
    changed, events = lifecycle.apply(ticket, Command(name, actor, data), now, policy)
    if uploads not in (None, []):
        data = {**data, "photos": list(photos.attach(deps, actor.id, uploads))}
        changed, events = lifecycle.apply(ticket, Command(name, actor, data), now, policy)
    messages = notifications.messages_for(deps, changed, events)
    deps.storage.tickets.update(changed, ticket.version, events, messages,
                                tallies=stats.tallies(changed, events, deps.city.zone))
    if public_pages.on_the_page(ticket, changed):
        public_pages.outages_changed(deps)
    log.info("%s %s: %s on ticket %s", actor.role, actor.id, name, ticket.number)
    _send_now(deps, messages)
    return changed


def visible(deps, actor: Actor, ticket_id: str) -> Ticket:
    """The ticket, if the actor may see it; NotFound otherwise, as if there were none."""
    ticket = deps.storage.tickets.get(ticket_id) if len(ticket_id) <= MAX_TICKET_ID else None
    if ticket is None or not permissions.can_see(actor, ticket):
        raise NotFound("ticket_not_found")
    return ticket


# History entries the resident's own view leaves out: the deadline reminder is the
# executor's, a fine proposal and what may be published are the staff's business.
STAFF_ONLY_EVENTS = frozenset({"remind", "propose_fine", "publish"})


def _detail(deps, ticket: Ticket, lang: str) -> dict:
    actions = permissions.actions(Actor("resident", ticket.reporter_id), ticket)
    history = [e for e in deps.storage.tickets.history(ticket.id) if e.command not in STAFF_ONLY_EVENTS]
    return detail(deps, ticket, history, reference.load(deps.storage), lang, actions)


def detail(deps, ticket: Ticket, history: list, ref: reference.Reference, lang: str, actions: list) -> dict:
    """answers.detail with the photos of the ticket and of its history entries as short-lived links."""
    event_photos = {e.version: photos.links(deps, e.data["photos"]) for e in history if e.data.get("photos")}
    return answers.detail(ticket, history, ref, lang, deps.clock.now(), actions,
                          photos.links(deps, ticket.photos), event_photos)


def _send_now(deps, messages: list) -> None:
    # Each goes at once if it can; whatever fails here the minute tick retries.
    for message in messages:
        outbox.send(deps, message.id)


def _fingerprint(payload: dict) -> str:
    """The request's hash, the same for the same JSON whatever its spacing or key order."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _repeat(earlier: IdempotencyRecord, request: str) -> dict:
    """The first answer, to a repeat of its request."""
    # A record kept from before requests were hashed ("") answers any repeat, as then.
    if earlier.request not in ("", request):
        raise InvalidInput("idempotency_key_reused", field="Idempotency-Key")
    return earlier.body


def _scoped_key(owner_id: str, header: str | None) -> str | None:
    if header is None:
        return None
    if not 0 < len(header) <= MAX_IDEMPOTENCY_KEY or not all(" " < ch <= "~" for ch in header):
        raise InvalidInput("bad_idempotency_key", field="Idempotency-Key")
    return f"tickets:{owner_id}:{header}"


def _coordinate(data: dict, name: str, bound: int) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    # NaN fails the range check too: it compares false with everything.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -bound <= value <= bound:
        raise InvalidInput("must_be_coordinate", field=name, min=-bound, max=bound)
    return float(value)
