"""Outage notices on the staff page: every staff role reads them; operators
publish, edit and close them (services.permissions)."""

import logging
import uuid

from ..domain import outage as notices
from ..domain.errors import InvalidInput, NotFound, StaleVersion
from ..domain.outage import ACTIVE, CLOSED, Outage
from ..domain.ticket import Actor
from . import permissions, public_pages, reference

log = logging.getLogger(__name__)

# What the staff list may show: one state, or every notice.
LISTS = (ACTIVE, CLOSED, "all")


def list_outages(deps, actor: Actor, which: str = ACTIVE) -> list:
    """The active notices earliest start first; closed ones or all latest start first."""
    permissions.check(actor, "see_outages")
    if which not in LISTS:
        raise InvalidInput("unknown_outage_state", field="state")
    store = deps.storage.outages
    return store.active() if which == ACTIVE else store.all(None if which == "all" else which)


def publish(deps, actor: Actor, data: dict) -> Outage:
    permissions.check(actor, "publish_outage")
    ref = reference.load(deps.storage)
    outage = notices.publish(data, id=uuid.uuid4().hex, by=actor.id, now=deps.clock.now(),
                             catalogue=ref.catalogue, registry=ref.registry)
    deps.storage.outages.create(outage)
    public_pages.outages_changed(deps)
    log.info("outage %s published by %s", outage.id, actor.id)
    return outage


def edit(deps, actor: Actor, outage_id: str, data: dict) -> Outage:
    """Change the fields `data` names (and close the notice if it says "closed":
    true), from the version the operator read: a stale one changes nothing."""
    permissions.check(actor, "publish_outage")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidInput("must_be_positive_whole_number", field="version")
    stored = deps.storage.outages.get(outage_id)
    if stored is None:
        raise NotFound("outage_not_found")
    if stored.version != version:
        raise StaleVersion("outage_changed")
    ref = reference.load(deps.storage)
    outage = notices.edit(stored, data, by=actor.id, now=deps.clock.now(), catalogue=ref.catalogue,
                          registry=ref.registry)
    try:
        deps.storage.outages.update(outage, expected_version=version)
    except StaleVersion:
        # Another operator saved between our read and our write.
        raise StaleVersion("outage_changed") from None
    public_pages.outages_changed(deps)
    log.info("outage %s %s by %s", outage.id, "closed" if outage.state == CLOSED else "edited", actor.id)
    return outage
