"""What the API answers about tickets and residents: plain dicts, names in the
reader's language, times as ISO 8601 UTC with 'Z'.

The public answer is built field by field from what may be shown to anyone:
never the reporter, the flat, the entrance, the note or the description.
"""

from datetime import datetime, timezone

from ..domain.resident import Resident
from ..domain.ticket import WORKING, Event, State, Ticket
from ..i18n import N_, translate
from .reference import Reference

# The lifecycle states are code; what people read for each is text in the catalogue.
STATUS_LABELS = {
    State.NEW: N_("Received"),
    State.ASSIGNED: N_("Sent to the executor"),
    State.IN_PROGRESS: N_("In progress"),
    State.DONE: N_("Done, awaiting confirmation"),
    State.CLOSED: N_("Closed"),
    State.REOPENED: N_("Second round"),
    State.INSPECTION: N_("With the housing inspectorate"),
    State.REJECTED: N_("Rejected"),
    State.DUPLICATE: N_("Merged with another ticket"),
    State.WITHDRAWN: N_("Withdrawn"),
}
# Who did what, as the resident sees it: staff act as the city, never as named people.
PUBLIC_ROLES = ("resident", "system")


def utc(at: datetime | None) -> str | None:
    # isoformat, not strftime: "%Y" gives "211" for the year 211.
    return at.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z") if at else None


def me(resident: Resident) -> dict:
    return {"id": resident.id, "phone": resident.phone, "language": resident.language, "name": resident.name,
            "status_sms": resident.status_sms}


def receipt(ticket: Ticket) -> dict:
    """The answer to filing, kept as the idempotent answer to a repeat."""
    return {"id": ticket.id, "number": ticket.number, "status": ticket.state.value, "due_at": utc(ticket.due_at)}


def overdue(ticket: Ticket, now: datetime) -> bool:
    # The deadline sweep sets the flag within a minute; until then the clock says it.
    return ticket.overdue or (ticket.state in WORKING and now >= ticket.due_at)


def status_label(ticket: Ticket, lang: str) -> str:
    return translate(lang, STATUS_LABELS[ticket.state])


def summary(ticket: Ticket, ref: Reference, lang: str, now: datetime) -> dict:
    """One line of the resident's list."""
    return {
        "id": ticket.id, "number": ticket.number, "status": ticket.state.value,
        "status_label": status_label(ticket, lang),
        "cause": _cause(ticket, ref, lang), "category": _category(ticket, ref, lang),
        "address": {**ticket.address.to_data(), "street_name": _street_name(ticket, ref, lang)},
        "organisation": _organisation(ticket, ref, lang),
        "filed_at": utc(ticket.filed_at), "due_at": utc(ticket.due_at), "overdue": overdue(ticket, now),
    }


def queue_row(ticket: Ticket, ref: Reference, lang: str, now: datetime) -> dict:
    """One line of the staff queue (and of its CSV export)."""
    def labelled(named: dict) -> dict:
        return {"code": named["code"], "label": named["name"]}

    return {
        "id": ticket.id, "number": ticket.number, "state": ticket.state.value,
        "status_label": status_label(ticket, lang), "topic": labelled(_category(ticket, ref, lang)),
        "cause": {**labelled(_cause(ticket, ref, lang)), "sla_class": ticket.sla_class},
        "organisation": labelled(_organisation(ticket, ref, lang)),
        "address": f"{_street_name(ticket, ref, lang)}, {ticket.address.house}",
        "district": labelled(_district(ticket, ref, lang)),
        "filed_at": utc(ticket.filed_at), "due_at": utc(ticket.due_at), "overdue": overdue(ticket, now),
        "round": ticket.round, "escalated": ticket.escalated, "channel": ticket.channel,
    }


def detail(ticket: Ticket, history: list, ref: Reference, lang: str, now: datetime, actions: list,
           photos: list = (), event_photos: dict | None = None) -> dict:
    """The resident's own ticket, with its history, the `actions` they may take now
    and its `photos` as short-lived links ([{"url"}]): never the stored keys.
    `event_photos` gives the links of photos sent with a history entry (a
    refutation's), by the entry's version."""
    event_photos = event_photos or {}
    return {
        **summary(ticket, ref, lang, now),
        "description": ticket.description, "lat": ticket.lat, "lon": ticket.lon, "photos": list(photos),
        "district": _district(ticket, ref, lang), "closed_at": utc(ticket.closed_at), "rating": ticket.rating,
        "round": ticket.round, "actions": actions,
        "history": [_event(e, event_photos.get(e.version, [])) for e in history],
    }


def similar(ticket: Ticket, reader_id: str, lang: str) -> dict:
    """An open ticket at the address a resident is about to report: what the public
    answer shows of it, and whether it is the reader's own."""
    return {"number": ticket.number, "status": ticket.state.value, "status_label": status_label(ticket, lang),
            "filed_at": utc(ticket.filed_at), "due_at": utc(ticket.due_at), "mine": ticket.reporter_id == reader_id}


def public(ticket: Ticket, ref: Reference, lang: str, now: datetime) -> dict:
    return {
        "number": ticket.number, "status": ticket.state.value,
        "cause": _cause(ticket, ref, lang), "category": _category(ticket, ref, lang),
        "address": {"street": ticket.address.street, "street_name": _street_name(ticket, ref, lang),
                    "house": ticket.address.house},
        "district": _district(ticket, ref, lang), "organisation": _organisation(ticket, ref, lang),
        "filed_at": utc(ticket.filed_at), "due_at": utc(ticket.due_at), "closed_at": utc(ticket.closed_at),
        "overdue": overdue(ticket, now),
    }


def _event(event: Event, photos: list) -> dict:
    return {"at": utc(event.at), "command": event.command,
            "by": event.actor_role if event.actor_role in PUBLIC_ROLES else "staff",
            "from": event.from_state, "to": event.to_state, "note": event.note, "photos": list(photos)}


def _cause(ticket: Ticket, ref: Reference, lang: str) -> dict:
    cause = ref.catalogue.cause(ticket.cause)
    return {"code": ticket.cause, "name": cause.name(lang) if cause else ticket.cause}


def _category(ticket: Ticket, ref: Reference, lang: str) -> dict:
    topic = ref.catalogue.topic(ticket.topic)
    return {"code": ticket.topic, "name": topic.name(lang) if topic else ticket.topic}


def _street_name(ticket: Ticket, ref: Reference, lang: str) -> str:
    street = ref.registry.street(ticket.address.street)
    return street.name(lang) if street else ticket.address.street


def _district(ticket: Ticket, ref: Reference, lang: str) -> dict:
    district = next((d for d in ref.registry.districts if d.code == ticket.district), None)
    return {"code": ticket.district, "name": district.name(lang) if district else ticket.district}


def _organisation(ticket: Ticket, ref: Reference, lang: str) -> dict:
    return {"code": ticket.organisation, "name": ref.organisation_name(ticket.organisation, lang)}
