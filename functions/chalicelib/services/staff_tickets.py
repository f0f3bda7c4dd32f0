"""The staff's tickets: the queue and its CSV export, a ticket's detail, filing
for a caller, and the commands operators, executors and inspectors take.

Which tickets a staff member sees is permissions.can_see; the queue keeps to it
with filters this service sets (permissions.queue_scope), which no query
parameter loosens.
"""

import csv
import io
import logging
import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

from ..domain import fields
from ..domain import ticket as lifecycle
from ..domain.errors import InvalidInput, NotFound, StaleVersion
from ..domain.resident import EMAIL, PHONE
from ..domain.staff import StaffMember
from ..domain.ticket import Actor, State, Ticket
from ..i18n import N_, translate
from . import answers, audit, auth, permissions, reference, sms_texts, tickets
from . import phone as phones
from .ports import QueueQuery

log = logging.getLogger(__name__)

PAGE = 25
MAX_PAGE = 100
# A spreadsheet of more rows is no longer read; whoever needs more narrows the filters.
EXPORT_ROWS = 5000
# A cursor is a codec.queue_key: a time, "#" and a ticket id.
MAX_CURSOR = 200
MAX_NOTE = 2000
MAX_CALLER_NAME = 200
# Ticket numbers are digits; a longer "number" is none.
MAX_NUMBER = 20
# How a caller reached the contact centre (the web and Open311 file by themselves).
CALLER_CHANNELS = ("phone", "walk_in", "office")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
STATES = frozenset(state.value for state in State)

# Who did what, as staff read a history: staff by name, the others by these labels.
ACTOR_LABELS = {"resident": N_("Resident"), "system": N_("System")}
CHANNEL_LABELS = {"web": N_("Web site"), "phone": N_("Phone call"), "walk_in": N_("Walk-in"),
                  "office": N_("Neighbourhood office"), "open311": N_("City app (Open311)")}
YES_NO = {True: N_("yes"), False: N_("no")}
# The export's columns: each a header and what it shows of a queue row.
COLUMNS = (
    (N_("Number"), lambda row, lang, city: row["number"]),
    (N_("Status"), lambda row, lang, city: row["status_label"]),
    (N_("Topic"), lambda row, lang, city: row["topic"]["label"]),
    (N_("Problem"), lambda row, lang, city: row["cause"]["label"]),
    (N_("Executor"), lambda row, lang, city: row["organisation"]["label"]),
    (N_("Address"), lambda row, lang, city: row["address"]),
    (N_("District"), lambda row, lang, city: row["district"]["label"]),
    (N_("Filed"), lambda row, lang, city: _local(city, row["filed_at"])),
    (N_("Deadline"), lambda row, lang, city: _local(city, row["due_at"])),
    (N_("Overdue"), lambda row, lang, city: _yes_no(row["overdue"], lang)),
    (N_("Round"), lambda row, lang, city: row["round"]),
    (N_("Escalated"), lambda row, lang, city: _yes_no(row["escalated"], lang)),
    (N_("Channel"), lambda row, lang, city: _channel(row["channel"], lang)),
)
# A cell a spreadsheet would read as a formula is written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def queue(deps, member: StaffMember, params: dict, lang: str) -> dict:
    """A page of the tickets the member may see that pass the query's filters, by
    deadline; the cursor of the next page; how many pass the filters in each state."""
    actor = member.actor
    permissions.check(actor, "see_tickets")
    ref = reference.load(deps.storage)
    query = _query(deps, actor, params, ref)
    limit = fields.page_size(_param(params, "limit"), default=PAGE, maximum=MAX_PAGE)
    descending, after = _descending(params), fields.cursor(_param(params, "after"), limit=MAX_CURSOR)
    found, cursor = deps.storage.tickets.queue(query, limit, after, descending)
    now = deps.clock.now()
    return {"tickets": [answers.queue_row(ticket, ref, lang, now) for ticket in found], "next": cursor,
            "counts": deps.storage.tickets.count_by_state(query)}


def export(deps, member: StaffMember, params: dict, lang: str) -> str:
    """The queue with these filters as CSV (UTF-8 with a BOM, which spreadsheets
    need to read it as UTF-8), every page up to EXPORT_ROWS rows, headers in
    `lang`, times in the city's. Nothing of the reporter is in it."""
    actor = member.actor
    permissions.check(actor, "see_tickets")
    ref = reference.load(deps.storage)
    query, descending = _query(deps, actor, params, ref), _descending(params)
    found, cursor = [], None
    while len(found) < EXPORT_ROWS:
        page, cursor = deps.storage.tickets.queue(query, MAX_PAGE, cursor, descending)
        found += page
        if cursor is None:
            break
    now = deps.clock.now()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([translate(lang, header) for header, _ in COLUMNS])
    for ticket in found[:EXPORT_ROWS]:
        row = answers.queue_row(ticket, ref, lang, now)
        writer.writerow([_cell(value(row, lang, deps.city)) for _, value in COLUMNS])
    log.info("staff %s exported %d tickets", member.id, min(len(found), EXPORT_ROWS))
    return out.getvalue()


def detail(deps, member: StaffMember, ticket_id: str, lang: str) -> dict:
    actor = member.actor
    ticket = tickets.visible(deps, actor, ticket_id)
    permissions.check(actor, "see_tickets")
    return _detail(deps, actor, ticket, lang)


def contact(deps, member: StaffMember, ticket_id: str) -> dict:
    """The reporter's name, phone and e-mail, shown to a member whose role may contact
    them, and recorded before it is shown (who, which ticket, when: services.audit).
    NotFound `contact_removed` once the reporter's personal data is gone."""
    actor = member.actor
    ticket = tickets.visible(deps, actor, ticket_id)
    permissions.check(actor, "see_contact")
    reporter = deps.storage.users.get(ticket.reporter_id)
    if ticket.anonymised or reporter is None or reporter.deleted:
        raise NotFound("contact_removed")
    email = reporter.email or next((value for kind, value in deps.storage.users.identities(reporter.id)
                                    if kind == EMAIL), "")
    audit.contact_shown(deps, member, ticket)
    return {"name": reporter.name, "phone": reporter.phone, "email": email}


def similar(deps, member: StaffMember, cause, street, house, lang: str) -> dict:
    """Open tickets of this cause at this address: the duplicate hint while filing for a caller."""
    found = tickets.open_at_address(deps, member.actor, cause, street, house)
    return {"tickets": [{"id": t.id, "number": t.number, "state": t.state.value,
                         "status_label": answers.status_label(t, lang), "filed_at": answers.utc(t.filed_at),
                         "due_at": answers.utc(t.due_at)} for t in found]}


def file_for_caller(deps, member: StaffMember, payload: dict, idempotency_key: str | None = None) -> dict:
    """File a ticket for someone who called or came in: their account is found by
    their phone, or made (with their name) if they have none; the 'filed' SMS goes
    to them as to anyone who files. The receipt (tickets.file)."""
    actor = member.actor
    permissions.check(actor, "file")
    channel = payload.get("channel")
    if channel not in CALLER_CHANNELS:
        raise InvalidInput("unknown_channel", field="channel")
    caller = payload.get("caller")
    if not isinstance(caller, dict):
        raise InvalidInput("required", field="caller")
    phone = phones.normalise(caller.get("phone"), deps.city.allowed_country_codes)
    name = fields.text(caller.get("name"), "caller.name", required=False, limit=MAX_CALLER_NAME)
    language = caller.get("language", deps.city.default_language)
    if language not in deps.city.languages:
        raise InvalidInput("unknown_language", field="caller.language")
    # Checked before the account is found or made, so that a refused filing makes none.
    tickets.parse_filing(payload, reference.load(deps.storage))
    reporter = auth.sign_in_or_link(deps, PHONE, phone, language, "", name=name)
    return tickets.file(deps, reporter, actor, channel, payload, idempotency_key)


def command(deps, member: StaffMember, ticket_id: str, name: str, body: dict, lang: str) -> dict:
    """Take the command on the ticket as of `body["version"]`: StaleVersion if the
    ticket is at another version now, and nothing is written. The detail after it."""
    if name not in lifecycle.COMMANDS:
        raise NotFound("unknown_command")
    actor = member.actor
    ticket = tickets.visible(deps, actor, ticket_id)
    permissions.check(actor, name)
    version = body.get("version")
    if type(version) is not int:
        raise InvalidInput("must_be_whole_number", field="version")
    if version != ticket.version:
        raise StaleVersion("stale_version", ticket=ticket.id)
    data = PARSERS[name](deps, ticket, body)
    uploads = body.get("photos") if name == "report_done" else None
    changed = tickets.take_command(deps, actor, ticket, name, data, uploads)
    return _detail(deps, actor, changed, lang)


# --- the fields of each staff command ------------------------------------------------

def _note(body: dict, required: bool) -> dict:
    note = fields.text(body.get("note"), "note", required=required, limit=MAX_NOTE)
    return {"note": note} if note else {}


def _with_note(required: bool):
    return lambda deps, ticket, body: _note(body, required)


def _route(deps, ticket: Ticket, body: dict) -> dict:
    code = body.get("organisation")
    organisation = reference.load(deps.storage).organisations.get(code) if isinstance(code, str) else None
    if organisation is None or organisation.kind != "executor":
        raise InvalidInput("not_an_executor", field="organisation")
    return {"organisation": code, **_note(body, required=False)}


def _merge(deps, ticket: Ticket, body: dict) -> dict:
    number = body.get("into")
    if type(number) is int:
        number = str(number)
    target = (deps.storage.tickets.by_number(number.strip())
              if isinstance(number, str) and len(number) <= MAX_NUMBER else None)
    if target is None:
        raise InvalidInput("unknown_ticket_number", field="into")
    if target.id == ticket.id:
        raise InvalidInput("cannot_merge_into_itself", field="into")
    if not target.is_open:
        raise InvalidInput("merge_into_closed", field="into")
    return {"into": target.id, **_note(body, required=False)}


def _order(deps, ticket: Ticket, body: dict) -> dict:
    return {"due_at": fields.time(body.get("due_at"), "due_at", local_zone=deps.city.zone),
            **_note(body, required=False)}


PARSERS = {
    "route": _route,
    "reject": lambda deps, ticket, body: {"reason": body.get("reason")},
    "merge": _merge,
    "escalate": _with_note(required=False),
    "callback_satisfied": _with_note(required=False),
    "callback_unsatisfied": _with_note(required=True),
    "comment": lambda deps, ticket, body: {"text": body.get("text")},
    "accept": lambda deps, ticket, body: {},
    "report_done": _with_note(required=True),
    "inspect": _with_note(required=True),
    "order": _order,
    "fine": lambda deps, ticket, body: {"amount": body.get("amount"), **_note(body, required=False)},
    "resolve": _with_note(required=False),
    "publish": lambda deps, ticket, body: {"public": body.get("public")},
}


# --- the detail ------------------------------------------------------------------------

def _detail(deps, actor: Actor, ticket: Ticket, lang: str) -> dict:
    """The resident's detail, and what staff see besides: what there is of the
    reporter (their contact itself only on asking: `contact`), the version to send with
    a command, the commands `actor` may take now, and who did each step of the history."""
    history = deps.storage.tickets.history(ticket.id)
    answer = tickets.detail(deps, ticket, history, reference.load(deps.storage), lang,
                            permissions.actions(actor, ticket))
    names = _actor_names(deps, history, lang)
    return {
        **answer,
        # `removed`: why the reporter's personal data is gone (domain.ticket.ANONYMISED_BECAUSE), or "".
        "reporter": {"removed": ticket.anonymised,
                     "contact": not ticket.anonymised and permissions.may(actor, "see_contact")},
        "description_public": ticket.description_public, "escalated": ticket.escalated, "media_url": ticket.media_url,
        "organisation": {**answer["organisation"], "label": answer["organisation"]["name"]},
        "version": ticket.version,
        "history": [{**entry, "actor": names[(event.actor_role, event.actor_id)]}
                    for entry, event in zip(answer["history"], history)],
    }


def _actor_names(deps, history: list, lang: str) -> dict:
    """{(role, id): {"role", "name"}} of everyone in the history."""
    names = {}
    for event in history:
        key = (event.actor_role, event.actor_id)
        if key in names:
            continue
        if event.actor_role in ACTOR_LABELS:
            name = translate(lang, ACTOR_LABELS[event.actor_role])
        elif event.actor_role == "open311":
            # A partner's system, by the name its key was given.
            partner = deps.storage.open311_keys.get(event.actor_id)
            name = partner.name if partner else event.actor_id
        else:
            member = deps.storage.staff.get(event.actor_id)
            name = member.name if member else event.actor_id
        names[key] = {"role": event.actor_role, "name": name}
    return names


# --- the query string ------------------------------------------------------------------

def _query(deps, actor: Actor, params: dict, ref: reference.Reference) -> QueueQuery:
    """The filters asked for, each checked, and the actor's part of the queue (permissions.queue_scope) over them."""
    states = tuple(dict.fromkeys(part.strip() for part in _param(params, "state").split(",") if part.strip()))
    if not set(states) <= STATES:
        raise InvalidInput("unknown_state", field="state")
    topic, cause = _param(params, "topic") or None, _param(params, "cause") or None
    if topic is not None and ref.catalogue.topic(topic) is None:
        raise InvalidInput("unknown_topic", field="topic")
    if cause is not None and ref.catalogue.cause(cause) is None:
        raise InvalidInput("unknown_cause", field="cause")
    organisation, street = _param(params, "organisation") or None, _param(params, "street") or None
    if organisation is not None and organisation not in ref.organisations:
        raise InvalidInput("unknown_organisation", field="organisation")
    if street is not None and ref.registry.street(street) is None:
        raise InvalidInput("unknown_street", field="street")
    query = QueueQuery(states=states, organisation=organisation, topic=topic, cause=cause, street=street,
                       overdue=_flag(params, "overdue"), filed_from=_day(deps, params, "from"),
                       filed_to=_day(deps, params, "to", after=1))
    return replace(query, **permissions.queue_scope(actor))


def _param(params: dict, name: str) -> str:
    return (params or {}).get(name) or ""


def _day(deps, params: dict, name: str, after: int = 0) -> datetime | None:
    """The start, in UTC, of the day YYYY-MM-DD in the city's time zone (or of the
    day `after` days later)."""
    raw = _param(params, name)
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) + timedelta(days=after) if DAY.fullmatch(raw) else None
        start = datetime.combine(day, time(), tzinfo=deps.city.zone).astimezone(timezone.utc) if day else None
    # A day that is none (2026-02-30), or one whose start is outside the years 1 to 9999 in UTC.
    except (ValueError, OverflowError):
        start = None
    if start is None:
        raise InvalidInput("must_be_date", field=name)
    return start


def _flag(params: dict, name: str) -> bool | None:
    raw = _param(params, name)
    if not raw:
        return None
    if raw not in ("1", "0", "true", "false"):
        raise InvalidInput("must_be_true_or_false", field=name)
    return raw in ("1", "true")


def _descending(params: dict) -> bool:
    order = _param(params, "order") or "asc"
    if order not in ("asc", "desc"):
        raise InvalidInput("unknown_order", field="order")
    return order == "desc"




def _yes_no(value: bool, lang: str) -> str:
    return translate(lang, YES_NO[value])


def _channel(code: str, lang: str) -> str:
    return translate(lang, CHANNEL_LABELS[code])


def _local(city, at: str) -> str:
    return sms_texts.local_time(city, datetime.fromisoformat(at))


def _cell(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
