"""Open311 GeoReport v2: the catalogue as services, filing with a partner's key by the
portal's own path (services.tickets.file, channel `open311`), and what anyone may read
of the tickets: the public record, never the reporter, the flat, the photos, or a
description no operator published.

Every answer is plain data for api.open311 to write as XML or JSON: dicts in the order
the standard lists their fields, lists, text, numbers, booleans, and None for an empty
value. Filing is synchronous, so a request is answered with its number at once and no
token is ever handed out (`type` realtime): `tokens/{token}` knows none.
"""

import re
from datetime import datetime, timedelta

from ..domain import fields
from ..domain import open311 as georeport
from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.labels import pick
from ..domain.resident import EMAIL, PHONE, Resident
from ..domain.ticket import Actor, Event, State, Ticket
from ..i18n import N_, translate
from . import answers, auth, limits, open311_keys, public, reference, sms_texts, tickets
from . import phone as phones
from .ports import FiledQuery

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When what this API answers last changed: a partner's system re-reads the services then.
CHANGESET = "2026-11-23T00:00:00Z"
FORMATS = ("text/xml", "application/json")
# The standard's default and limit of a search: the requests filed in 90 days.
WINDOW = timedelta(days=90)
# Without paging asked for, the standard's "first 1000"; with it, Chicago's page sizes.
UNPAGED_LIMIT = 1000
PAGE_SIZE, MAX_PAGE_SIZE = 50, 500
# A page past this is no search a partner makes; reading that far is refused.
MAX_PAGE = 1000
# How many numbers or service codes one search may list.
MAX_LISTED = 100
MAX_CODE = 100
MAX_ADDRESS = 300
MAX_MEDIA_URL = 1000
MAX_NAME = 200
MAX_TIME = 40
# A partner's app files for many people, but a key filing more than this an hour is a fault or an abuse.
FILINGS_PER_KEY_PER_HOUR = 300
MEDIA_URL = re.compile(r"https?://[^\s/?#]+\S*")

DEADLINE = N_("Deadline: {hours} h.")
NOTICE = N_("Deadline: {due}, the city's time.")
CONTACT = N_("Questions about this API: {email}.")
KEY_SERVICE = N_("Ask the city for an API key to file requests: {email}.")
ATTRIBUTE_LIMIT = N_("At most {limit} characters.")

# The attributes every service takes: the address's details besides street and house,
# as services.tickets keeps them. No GET answer ever shows one of them.
ADDRESS_DETAILS = (
    ("entrance", "string", N_("Entrance: the number of the building's entrance (stairwell), if it matters.")),
    ("flat", "string", N_("Flat: its number, if the problem is in one. Seen only by the city's staff and the "
                          "executor, never published.")),
    ("note", "text", N_("How to find the place or get in: a landmark, a door code. Seen only by the city's staff "
                        "and the executor.")),
)


# --- what the city offers ----------------------------------------------------------------

def discovery(deps, lang: str) -> dict:
    email = deps.city.contacts.get("email", "")
    return {
        "changeset": CHANGESET,
        "contact": translate(lang, CONTACT, email=email),
        "key_service": translate(lang, KEY_SERVICE, email=email),
        "endpoints": [{
            "specification": SPECIFICATION, "url": f"{deps.settings.site_url}/api/open311/v2",
            "changeset": CHANGESET, "type": "test" if deps.settings.local else "production",
            "formats": list(FORMATS),
        }],
    }


def services(deps, lang: str) -> list:
    """One service per cause, grouped by its topic, in the catalogue's order."""
    catalogue = reference.load(deps.storage).catalogue
    return [_service(deps, topic, cause, lang) for topic in catalogue.topics for cause in topic.causes]


def _service(deps, topic, cause, lang: str) -> dict:
    hours = deps.city.sla.hours_for(cause.sla_class)
    description = translate(lang, DEADLINE, hours=hours)
    if cause.advice:
        description += " " + pick(cause.advice, lang)
    return {
        "service_code": cause.code, "service_name": cause.name(lang), "description": description,
        # Every service has a definition: the address details.
        "metadata": True, "type": "realtime",
        "keywords": f"{topic.code}, {cause.code.removeprefix(topic.code + '.')}", "group": topic.name(lang),
    }


def definition(deps, code: str, lang: str) -> dict:
    if reference.load(deps.storage).catalogue.cause(code) is None:
        raise NotFound("unknown_service")
    return {"service_code": code, "attributes": [
        {"variable": True, "code": name, "datatype": datatype, "required": False,
         "datatype_description": translate(lang, ATTRIBUTE_LIMIT, limit=tickets.ADDRESS_LIMITS[name]),
         "order": order, "description": translate(lang, text), "values": []}
        for order, (name, datatype, text) in enumerate(ADDRESS_DETAILS, start=1)]}


# --- filing --------------------------------------------------------------------------------

def file_request(deps, form: dict, api_key, idempotency_key: str | None, lang: str) -> list:
    """File a ticket with a partner's key; [the answer of the one request]. `form`
    holds the POST's fields as text, and its attributes under "attribute" ({code:
    text, or a list for `attribute[code][]`).

    Every field is checked before anything is written; then the key's hourly count,
    then the reporter's account (found or made by phone, else by e-mail; neither: the
    ticket is the key's alone, and no SMS goes), then the ticket."""
    key = open311_keys.check(deps, api_key)
    if key is None:
        raise Forbidden("open311_bad_key")
    ref = reference.load(deps.storage)
    code = _text(form, "service_code", MAX_CODE)
    if not code:
        raise InvalidInput("required", field="service_code")
    if ref.catalogue.cause(code) is None:
        raise NotFound("unknown_service")
    street, house = _location(ref, form)
    details = form.get("attribute") or {}
    payload = {
        "cause": code, "description": form.get("description"),
        "address": {"street": street, "house": house,
                    **{name: details[name] for name, _, _ in ADDRESS_DETAILS if name in details}},
        "lat": _coordinate(form, "lat"), "lon": _coordinate(form, "long"),
    }
    media_url = _media_url(form)
    tickets.parse_filing(payload, ref)
    identity = _identity(deps, form)
    name = " ".join(part for part in (_text(form, "first_name", MAX_NAME), _text(form, "last_name", MAX_NAME))
                    if part)
    limits.count_within_limit(deps, f"open311-filings:{key.id}", FILINGS_PER_KEY_PER_HOUR, deps.clock.now(),
                              "too_many_filings")
    reporter = (auth.sign_in_or_link(deps, *identity, lang, "", name=name) if identity
                # No account: one the key's tickets share, which no one signs in to.
                else Resident(id=f"open311:{key.id}", phone="", language=lang, created_at=deps.clock.now()))
    receipt = tickets.file(deps, reporter, Actor("open311", key.id), "open311", payload, idempotency_key,
                           media_url=media_url)
    due = datetime.fromisoformat(receipt["due_at"])
    return [{"service_request_id": receipt["number"],
             "service_notice": translate(lang, NOTICE, due=sms_texts.local_time(deps.city, due)),
             "account_id": None}]


def _location(ref, form: dict) -> tuple:
    """(street code, house) an address id or an address written out names. The registry
    has no coordinates yet: lat and long alone name no address it knows."""
    address_id = _text(form, "address_id", MAX_ADDRESS)
    if address_id:
        found = georeport.split_address_id(address_id)
        if found is None or ref.registry.street(found[0]) is None:
            raise InvalidInput("unknown_address_id", field="address_id")
        return found
    written = _text(form, "address_string", MAX_ADDRESS)
    if written:
        found = ref.registry.find_address(written)
        if found is None:
            raise InvalidInput("unknown_address", field="address_string")
        return found
    if form.get("lat") or form.get("long"):
        raise InvalidInput("coordinates_without_address", field="address_string")
    raise InvalidInput("location_required", field="address_string")


def _coordinate(form: dict, name: str) -> float | None:
    """The number sent as text; its range (NaN included) is services.tickets' check."""
    raw = form.get(name) or ""
    if not raw:
        return None
    try:
        if isinstance(raw, str) and len(raw) <= MAX_TIME:
            return float(raw)
    except ValueError:
        pass
    bound = 90 if name == "lat" else 180
    raise InvalidInput("must_be_coordinate", field=name, min=-bound, max=bound)


def _media_url(form: dict) -> str:
    raw = form.get("media_url") or ""
    if not raw:
        return ""
    if not isinstance(raw, str) or len(raw) > MAX_MEDIA_URL or not MEDIA_URL.fullmatch(raw.strip()):
        raise InvalidInput("bad_media_url", field="media_url", limit=MAX_MEDIA_URL)
    return raw.strip()


def _identity(deps, form: dict) -> tuple | None:
    """(kind, value) of the reporter's account: the phone, which status SMS go to, else
    the e-mail address. Never both: a partner's word links no two sign-ins together."""
    if form.get("phone"):
        return PHONE, phones.normalise(form["phone"], deps.city.allowed_country_codes)
    if form.get("email"):
        return EMAIL, auth.normalise_email(form["email"])
    return None


def _text(form: dict, name: str, limit: int) -> str:
    return fields.text(form.get(name), name, required=False, limit=limit)


# --- what anyone may read --------------------------------------------------------------------

def requests(deps, params: dict, lang: str) -> list:
    """The requests a search names: by number (`service_request_id`, which overrides
    every other parameter), or those filed in its time range (the last 90 days unless
    asked), of its services and statuses, newest first, a page at a time. Every
    parameter is checked, the overridden ones too: a wrong one is the partner's
    mistake whether it filters or not."""
    ref = reference.load(deps.storage)
    extensions = _flag(params, "extensions")
    numbers = _list(params, "service_request_id", MAX_LISTED)
    since, until = _range(deps, params)
    offset, limit = _page(params)
    query = FiledQuery(since, until, causes=_causes(params, ref), open=_status(params))
    if numbers:
        found = [ticket for ticket in (public.by_number(deps, number) for number in numbers) if ticket]
    else:
        found = deps.storage.tickets.filed(query, offset, limit)
    return [_request(deps, ticket, ref, lang, extensions) for ticket in found]


def request(deps, number: str, params: dict, lang: str) -> list:
    """[the one request] of this number; NotFound for an unknown one."""
    extensions = _flag(params, "extensions")
    ticket = public.by_number(deps, number)
    if ticket is None:
        raise NotFound("ticket_not_found")
    return [_request(deps, ticket, reference.load(deps.storage), lang, extensions)]


def token(value: str) -> list:
    """[the request a token stands for]: none, ever. Filing answers with the request's
    number at once, so no token is handed out to be asked about."""
    raise NotFound("token_not_found")


def updates(deps, params: dict, lang: str) -> list:
    """FixMyStreet's service request updates: each state change made in the time range
    (the last 90 days unless asked), oldest first, a page at a time."""
    since, until = _range(deps, params)
    offset, limit = _page(params)
    return [{
        "update_id": f"{ticket.number}-{event.version}", "service_request_id": ticket.number,
        "status": georeport.update_status(event), "updated_datetime": answers.utc(event.at),
        "description": _state_label(event, lang), "media_url": None,
    } for ticket, event in deps.storage.tickets.changes(since, until, offset, limit)]


def _request(deps, ticket: Ticket, ref, lang: str, extensions: bool) -> dict:
    """The public record of a ticket, as the public tracking page shows it."""
    cause = ref.catalogue.cause(ticket.cause)
    street = ref.registry.street(ticket.address.street)
    street_name = street.name(lang) if street else ticket.address.street
    record = {
        "service_request_id": ticket.number, "status": georeport.status(ticket),
        "status_notes": answers.status_label(ticket, lang),
        "service_name": cause.name(lang) if cause else ticket.cause, "service_code": ticket.cause,
        # The resident's text may name them or their neighbours: only an operator publishes it.
        "description": ticket.description if ticket.description_public else None,
        "agency_responsible": ref.organisation_name(ticket.organisation, lang), "service_notice": None,
        "requested_datetime": answers.utc(ticket.filed_at),
        # The standard's: a closed request's is when it closed (a rating after it changes nothing).
        "updated_datetime": answers.utc(ticket.closed_at if not ticket.is_open and ticket.closed_at
                                        else ticket.updated_at or ticket.filed_at),
        "expected_datetime": answers.utc(ticket.due_at) if ticket.is_open else None,
        "address": f"{street_name}, {ticket.address.house}, {deps.city.name(lang)}",
        "address_id": georeport.address_id(ticket.address.street, ticket.address.house),
        # No coordinates and no photos: the public record has neither.
        "zipcode": None, "lat": None, "long": None, "media_url": None,
    }
    if extensions:
        parent = deps.storage.tickets.get(ticket.merged_into) if ticket.merged_into else None
        record["extended_attributes"] = {
            "channel": ticket.channel, "duplicate": ticket.state == State.DUPLICATE,
            "parent_service_request_id": parent.number if parent else None,
        }
        record["notes"] = [
            {"datetime": answers.utc(event.at), "summary": _state_label(event, lang),
             "type": georeport.note_type(event), "description": None}
            for event in deps.storage.tickets.history(ticket.id) if georeport.is_note(event)]
    return record


def _state_label(event: Event, lang: str) -> str:
    return translate(lang, answers.STATUS_LABELS[State(event.to_state)])


# --- the query string --------------------------------------------------------------------------

def _range(deps, params: dict) -> tuple:
    """(since, until) of a search, `until` exclusive: from start_date to end_date, both
    included to the second, at most WINDOW apart; the one not given is WINDOW from the
    other; neither, the WINDOW to now."""
    start, end = _time(params, "start_date"), _time(params, "end_date")
    if start is None and end is None:
        end = deps.clock.now().replace(microsecond=0)
    try:
        if start is None:
            start = end - WINDOW
        if end is None:
            end = start + WINDOW
        # Times are answered to the second: a request filed within end_date's second shows
        # end_date as its time, and is in.
        until = end + timedelta(seconds=1)
    except OverflowError:
        # Within the window of the years 1 or 9999: no window fits around the time given.
        raise InvalidInput("must_be_zoned_time", field="end_date" if params.get("end_date") else "start_date") \
            from None
    if end < start:
        raise InvalidInput("end_before_start_date", field="end_date")
    if end - start > WINDOW:
        raise InvalidInput("range_too_long", field="end_date", days=WINDOW.days)
    return start, until


def _time(params: dict, name: str) -> datetime | None:
    # A "+02:00" put in a URL unencoded arrives with a space for its plus.
    raw = (params.get(name) or "").strip().replace(" ", "+")
    if not raw:
        return None
    return fields.time(raw, name, message="must_be_zoned_time").replace(microsecond=0)


def _page(params: dict) -> tuple:
    """(offset, limit): the standard's first 1000 unless `page` or `page_size` is given."""
    page, size = params.get("page") or "", params.get("page_size") or ""
    if not page and not size:
        return 0, UNPAGED_LIMIT
    size = _whole(size, "page_size", MAX_PAGE_SIZE) if size else PAGE_SIZE
    page = _whole(page, "page", MAX_PAGE) if page else 1
    return (page - 1) * size, size


def _whole(raw: str, name: str, most: int) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= most:
        raise InvalidInput("must_be_whole_number_between", field=name, min=1, max=most)
    return int(raw)


def _causes(params: dict, ref) -> tuple:
    codes = _list(params, "service_code", MAX_LISTED)
    if any(ref.catalogue.cause(code) is None for code in codes):
        raise NotFound("unknown_service")
    return codes


def _status(params: dict) -> bool | None:
    """True for open only, False for closed only, None for both (or neither named)."""
    wanted = set(_list(params, "status", MAX_LISTED))
    if not wanted <= {"open", "closed"}:
        raise InvalidInput("unknown_request_status", field="status")
    return None if len(wanted) != 1 else wanted == {"open"}


def _flag(params: dict, name: str) -> bool:
    raw = (params.get(name) or "").lower()
    if raw not in ("", "true", "false"):
        raise InvalidInput("must_be_true_or_false", field=name)
    return raw == "true"


def _list(params: dict, name: str, most: int) -> tuple:
    """The comma-separated values of a parameter (a repeated one's values are joined
    with commas), each once, in order."""
    values = tuple(dict.fromkeys(part.strip() for part in (params.get(name) or "").split(",") if part.strip()))
    if len(values) > most:
        raise InvalidInput("too_many_items", field=name, limit=most)
    return values
