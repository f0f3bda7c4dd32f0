"""Outage notices: where a service (water, heating, power, ...) is off, why, and
until when it is expected back. An operator publishes one, edits it as news
comes in, and closes it when the service is back; the public outage page shows
the active ones.

`publish`, `edit` and `close` are pure: they check what the operator sent and
return the new record; the service stores it.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from . import fields
from .address import Registry
from .catalogue import Catalogue
from .errors import IllegalTransition, InvalidInput

ACTIVE, CLOSED = "active", "closed"
STATES = (ACTIVE, CLOSED)
MAX_AREA = 500
MAX_REASON = 2000
MAX_STREETS = 100
MAX_HOUSES = 500  # per street
MAX_HOUSE = 20
# What an edit may change; the rest is the record's own bookkeeping.
EDITABLE = ("kind", "area", "addresses", "reason", "starts_at", "expected_end")


@dataclass(frozen=True)
class Outage:
    id: str
    kind: str  # a catalogue topic's code: what is off
    area: str  # the area in words, as people know it
    addresses: tuple  # ((street code, (house, ...)), ...); no houses: the whole street
    reason: str
    starts_at: datetime
    expected_end: datetime
    created_by: str  # staff id
    created_at: datetime
    updated_by: str
    updated_at: datetime
    state: str = ACTIVE
    version: int = 1
    closed_at: datetime | None = None


def publish(data: dict, *, id: str, by: str, now: datetime, catalogue: Catalogue, registry: Registry) -> Outage:
    """A new active notice from what the operator sent (every editable field required)."""
    return Outage(id=id, created_by=by, created_at=now, updated_by=by, updated_at=now,
                  **_checked(data, EDITABLE, catalogue, registry))


def edit(outage: Outage, data: dict, *, by: str, now: datetime, catalogue: Catalogue,
         registry: Registry) -> Outage:
    """The active notice with the fields `data` names changed, the others kept;
    closed as well if `data` says "closed": true."""
    if outage.state != ACTIVE:
        raise IllegalTransition("outage_closed")
    changed = _checked(data, [name for name in EDITABLE if name in data], catalogue, registry)
    closing = data.get("closed", False)
    if not isinstance(closing, bool):
        raise InvalidInput("must_be_true_or_false", field="closed")
    edited = replace(outage, **changed)
    if edited.expected_end <= edited.starts_at:
        raise InvalidInput("end_before_start", field="expected_end")
    if closing:
        return close(edited, by=by, now=now)
    return replace(edited, updated_by=by, updated_at=now, version=outage.version + 1)


def close(outage: Outage, *, by: str, now: datetime) -> Outage:
    """The service is back: the notice leaves the public page."""
    if outage.state != ACTIVE:
        raise IllegalTransition("outage_closed")
    return replace(outage, state=CLOSED, closed_at=now, updated_by=by, updated_at=now, version=outage.version + 1)


def _checked(data: dict, names, catalogue: Catalogue, registry: Registry) -> dict:
    checks = {
        "kind": lambda value: _kind(value, catalogue),
        "area": lambda value: fields.text(value, "area", required=True, limit=MAX_AREA),
        "addresses": lambda value: _addresses(value, registry),
        "reason": lambda value: fields.text(value, "reason", required=True, limit=MAX_REASON),
        "starts_at": lambda value: fields.time(value, "starts_at"),
        "expected_end": lambda value: fields.time(value, "expected_end"),
    }
    checked = {name: checks[name](data.get(name)) for name in names}
    if "starts_at" in checked and "expected_end" in checked and checked["expected_end"] <= checked["starts_at"]:
        raise InvalidInput("end_before_start", field="expected_end")
    return checked


def _kind(value, catalogue: Catalogue) -> str:
    code = fields.text(value, "kind", required=True, limit=100)
    if catalogue.topic(code) is None:
        raise InvalidInput("unknown_outage_kind", field="kind")
    return code


def _addresses(value, registry: Registry) -> tuple:
    if value is None:
        value = []
    if not isinstance(value, list):
        raise InvalidInput("must_be_list", field="addresses")
    if len(value) > MAX_STREETS:
        raise InvalidInput("too_many_items", field="addresses", limit=MAX_STREETS)
    addresses = []
    for entry in value:
        if not isinstance(entry, dict):
            raise InvalidInput("must_be_list", field="addresses")
        street = fields.text(entry.get("street"), "street", required=True, limit=100)
        if registry.street(street) is None:
            raise InvalidInput("unknown_street", field="street")
        houses = entry.get("houses") if entry.get("houses") is not None else []
        if not isinstance(houses, list):
            raise InvalidInput("must_be_list", field="houses")
        if len(houses) > MAX_HOUSES:
            raise InvalidInput("too_many_items", field="houses", limit=MAX_HOUSES)
        addresses.append((street, tuple(fields.text(house, "house", required=True, limit=MAX_HOUSE)
                                        for house in houses)))
    return tuple(addresses)


