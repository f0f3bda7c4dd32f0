"""Outage notices on the staff page (contract: notes/admin-api.md)."""

from ..domain.outage import Outage
from ..services import outages, reference
from ..services.answers import utc
from .http import ApiBlueprint, answer

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/admin/outages", methods=["GET"])
def list_outages(call):
    found = outages.list_outages(call.deps, call.staff().actor, call.query("state") or "active")
    ref = reference.load(call.deps.storage)
    return {"outages": [outage_answer(outage, ref, call.lang) for outage in found]}


@blueprint.endpoint("/api/admin/outages", methods=["POST"])
def publish(call):
    actor = call.staff().actor
    outage = outages.publish(call.deps, actor, call.body())
    return answer(outage_answer(outage, reference.load(call.deps.storage), call.lang), status=201)


@blueprint.endpoint("/api/admin/outages/{outage_id}", methods=["PATCH"])
def edit(call, outage_id):
    actor = call.staff().actor
    outage = outages.edit(call.deps, actor, outage_id, call.body())
    return outage_answer(outage, reference.load(call.deps.storage), call.lang)


def outage_answer(outage: Outage, ref: reference.Reference, lang: str) -> dict:
    topic = ref.catalogue.topic(outage.kind)
    streets = {street.code: street for street in ref.registry.streets}
    return {
        "id": outage.id,
        # A topic taken out of the catalogue later still names the notices about it.
        "kind": {"code": outage.kind, "label": topic.name(lang) if topic else outage.kind},
        "area": outage.area,
        "addresses": [{"street": code, "name": streets[code].name(lang) if code in streets else code,
                       "houses": list(houses)} for code, houses in outage.addresses],
        "reason": outage.reason,
        "starts_at": utc(outage.starts_at),
        "expected_end": utc(outage.expected_end),
        "state": outage.state,
        "version": outage.version,
        "created_at": utc(outage.created_at),
        "updated_at": utc(outage.updated_at),
        "closed_at": utc(outage.closed_at),
    }
