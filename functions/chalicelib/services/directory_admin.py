"""The admin's reference data: organisations, the catalogue's SLA mapping and
routing, and the building registry (imported from CSV).

Every staff role reads it ("see_directory"); only admins change it
("manage_directory"). The next request after a change reads the change:
services.reference loads the directory from storage on every request.
"""

import csv
import io
import logging
import re
from dataclasses import dataclass, replace

from ..domain import fields
from ..domain.address import Building, normalise_house
from ..domain.catalogue import SCOPES, Catalogue, Cause
from ..domain.errors import AlreadyExists, InvalidInput, NotFound
from ..domain.labels import LANGUAGES
from ..domain.organisation import KINDS, Organisation
from ..domain.sla import CLASSES
from ..domain.ticket import Actor
from . import auth, permissions, reference

log = logging.getLogger(__name__)

CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,59}")
# E.164: a plus, then up to 15 digits, the first no zero.
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
MAX_NAME = 200
CSV_COLUMNS = ("street", "house", "district", "management_company")
MAX_HOUSE = 20
# How much of a wrong value an error message repeats.
MAX_QUOTED = 60


# --- organisations -------------------------------------------------------------------

def organisations(deps, actor: Actor) -> list:
    """Every organisation, by code."""
    permissions.check(actor, "see_directory")
    return deps.storage.directory.organisations()


def create_organisation(deps, actor: Actor, data: dict) -> Organisation:
    permissions.check(actor, "manage_directory")
    code = fields.text(data.get("code"), "code", required=True, limit=60)
    if not CODE.fullmatch(code):
        raise InvalidInput("bad_organisation_code", field="code")
    ref = reference.load(deps.storage)
    if code in ref.organisations:
        raise AlreadyExists("organisation_exists")
    organisation = _organisation(code, data, ref, districts=())
    deps.storage.directory.put_organisation(organisation)
    log.info("organisation %s created by %s", code, actor.id)
    return organisation


def update_organisation(deps, actor: Actor, code: str, data: dict) -> Organisation:
    """Replace the organisation's kind, names, supervisor, contacts and topics (its code and its
    area stay: the area comes with the directory's data, the admin's page does not edit it)."""
    permissions.check(actor, "manage_directory")
    ref = reference.load(deps.storage)
    stored = ref.organisations.get(code)
    if stored is None:
        raise NotFound("organisation_not_found")
    organisation = _organisation(code, data, ref, districts=stored.districts)
    if organisation.kind != stored.kind and _in_use(deps, ref, stored):
        raise InvalidInput("organisation_in_use", field="kind")
    deps.storage.directory.put_organisation(organisation)
    log.info("organisation %s updated by %s", code, actor.id)
    return organisation


def _organisation(code: str, data: dict, ref: reference.Reference, districts: tuple) -> Organisation:
    kind = data.get("kind")
    if kind not in KINDS:
        raise InvalidInput("unknown_organisation_kind", field="kind")
    names = data.get("name")
    if not isinstance(names, dict):
        raise InvalidInput("required", field="name")
    names = {lang: fields.text(names.get(lang), f"name.{lang}", required=True, limit=MAX_NAME)
             for lang in LANGUAGES}
    supervisor = fields.text(data.get("supervisor"), "supervisor", required=kind == "executor", limit=60) or None
    if supervisor is not None and (supervisor == code or getattr(ref.organisations.get(supervisor), "kind", None)
                                   != "department"):
        raise InvalidInput("supervisor_not_department", field="supervisor")
    phone = fields.text(data.get("phone"), "phone", required=False, limit=16)
    if phone and not E164.fullmatch(phone):
        raise InvalidInput("bad_organisation_phone", field="phone")
    email = data.get("email")
    # 0, false or [] is a wrong e-mail address, not a missing one.
    if email is not None and not isinstance(email, str):
        raise InvalidInput("must_be_text", field="email")
    email = auth.normalise_email(email) if email else ""
    topics = data.get("topics") if data.get("topics") is not None else []
    if not isinstance(topics, list) or not all(isinstance(t, str) and ref.catalogue.topic(t) for t in topics):
        raise InvalidInput("unknown_topic", field="topics")
    return Organisation(code=code, kind=kind, names=names, supervisor=supervisor, phone=phone, email=email,
                        topics=tuple(dict.fromkeys(topics)), districts=districts)


def _in_use(deps, ref: reference.Reference, organisation: Organisation) -> bool:
    """Whether something relies on the organisation being of its kind: causes,
    buildings and executors' accounts on an executor, organisations on their
    supervising department."""
    code = organisation.code
    if organisation.kind == "executor":
        return (any(cause.organisation == code for cause in ref.catalogue.causes())
                or any(b.management_company == code for b in ref.registry.buildings)
                or any(member.organisation == code for member in deps.storage.staff.all()))
    if organisation.kind == "department":
        return any(o.supervisor == code for o in ref.organisations.values())
    return False


# --- the catalogue -------------------------------------------------------------------

def catalogue(deps, actor: Actor) -> Catalogue:
    permissions.check(actor, "see_directory")
    return reference.load(deps.storage).catalogue


def update_cause(deps, actor: Actor, code: str, data: dict) -> Cause:
    """Change a cause's SLA class, executor or scope; the next ticket filed for it
    follows the change (tickets filed before keep their deadline)."""
    permissions.check(actor, "manage_directory")
    ref = reference.load(deps.storage)
    cause = ref.catalogue.cause(code)
    if cause is None:
        raise NotFound("cause_not_found")
    changes = {}
    if "sla_class" in data:
        if data["sla_class"] not in CLASSES:
            raise InvalidInput("unknown_sla_class", field="sla_class")
        changes["sla_class"] = data["sla_class"]
    if "organisation" in data:
        if not _is_executor(ref, data["organisation"]):
            raise InvalidInput("not_an_executor", field="organisation")
        changes["organisation"] = data["organisation"]
    if "scope" in data:
        if data["scope"] not in SCOPES:
            raise InvalidInput("unknown_scope", field="scope")
        changes["scope"] = data["scope"]
    changed = replace(cause, **changes)
    topics = tuple(replace(topic, causes=tuple(changed if c.code == code else c for c in topic.causes))
                   for topic in ref.catalogue.topics)
    deps.storage.directory.put_catalogue(Catalogue(topics))
    log.info("cause %s changed by %s: %s", code, actor.id, sorted(changes))
    return changed


def _is_executor(ref: reference.Reference, code) -> bool:
    return isinstance(code, str) and getattr(ref.organisations.get(code), "kind", None) == "executor"


# --- the building registry -----------------------------------------------------------

def registry_summary(deps, actor: Actor) -> dict:
    permissions.check(actor, "see_directory")
    registry = reference.load(deps.storage).registry
    return {"districts": len(registry.districts), "streets": len(registry.streets),
            "buildings": len(registry.buildings)}


def import_buildings(deps, actor: Actor, text) -> int:
    """Replace the building list with the CSV's (streets and districts stay); how
    many buildings it holds. Every line is checked first: one bad line, named by
    its number, and nothing is written."""
    permissions.check(actor, "manage_directory")
    if not isinstance(text, str):
        raise InvalidInput("must_be_text", field="csv")
    ref = reference.load(deps.storage)
    buildings = _buildings(text, ref)
    deps.storage.directory.put_registry(replace(ref.registry, buildings=tuple(buildings)))
    log.info("%d buildings imported by %s", len(buildings), actor.id)
    return len(buildings)


def _buildings(text: str, ref: reference.Reference) -> list:
    known = _Known(streets=frozenset(s.code for s in ref.registry.streets),
                   districts=frozenset(d.code for d in ref.registry.districts),
                   executors=frozenset(o.code for o in ref.organisations.values() if o.kind == "executor"))
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")), strict=True)
    try:
        header = next(rows, None)
        if header is None or tuple(cell.strip().lower() for cell in header) != CSV_COLUMNS:
            raise InvalidInput("csv_header", field="csv", columns=",".join(CSV_COLUMNS))
        buildings, first_line = [], {}
        for row in rows:
            building = _building(row, rows.line_num, known)
            if building is None:
                continue
            key = (building.street, normalise_house(building.house))
            if key in first_line:
                raise InvalidInput("csv_duplicate_building", field="csv", line=rows.line_num, first=first_line[key])
            first_line[key] = rows.line_num
            buildings.append(building)
    except csv.Error:
        # An unclosed quote, or a field longer than the csv module takes.
        raise InvalidInput("csv_unreadable", field="csv", line=rows.line_num) from None
    if not buildings:
        raise InvalidInput("csv_no_buildings", field="csv")
    return buildings


@dataclass(frozen=True)
class _Known:
    """The codes a building's line may name."""

    streets: frozenset
    districts: frozenset
    executors: frozenset


def _building(row: list, line: int, known: _Known) -> Building | None:
    """The building on one line of the CSV; None for a blank line."""
    if not any(cell.strip() for cell in row):
        return None
    if len(row) != len(CSV_COLUMNS):
        raise InvalidInput("csv_columns", field="csv", line=line, count=len(CSV_COLUMNS))
    street, house, district, company = (cell.strip() for cell in row)
    if street not in known.streets:
        raise InvalidInput("csv_unknown_street", field="csv", line=line, value=street[:MAX_QUOTED])
    if not house or len(house) > MAX_HOUSE:
        raise InvalidInput("csv_bad_house", field="csv", line=line, limit=MAX_HOUSE)
    if district not in known.districts:
        raise InvalidInput("csv_unknown_district", field="csv", line=line, value=district[:MAX_QUOTED])
    if company not in known.executors:
        raise InvalidInput("csv_unknown_company", field="csv", line=line, value=company[:MAX_QUOTED])
    return Building(street=street, house=house, district=district, management_company=company)
