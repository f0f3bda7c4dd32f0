"""The admin's reference data on the staff page: organisations, the catalogue
and its SLA mapping, the building registry (contract: notes/admin-api.md)."""

from ..domain.catalogue import Cause
from ..domain.organisation import Organisation
from ..services import directory_admin
from .http import ApiBlueprint, answer

blueprint = ApiBlueprint(__name__)

# A city's building registry as CSV: ~40 bytes a building, some 50 000 buildings.
MAX_REGISTRY_BODY = 2 * 1024 * 1024


@blueprint.endpoint("/api/admin/organisations", methods=["GET"])
def organisations(call):
    found = directory_admin.organisations(call.deps, call.staff().actor)
    return {"organisations": [organisation_answer(o, call.lang) for o in found]}


@blueprint.endpoint("/api/admin/organisations", methods=["POST"])
def create_organisation(call):
    actor = call.staff().actor
    organisation = directory_admin.create_organisation(call.deps, actor, call.body())
    return answer(organisation_answer(organisation, call.lang), status=201)


@blueprint.endpoint("/api/admin/organisations/{code}", methods=["PUT"])
def update_organisation(call, code):
    actor = call.staff().actor
    return organisation_answer(directory_admin.update_organisation(call.deps, actor, code, call.body()), call.lang)


@blueprint.endpoint("/api/admin/catalogue", methods=["GET"])
def catalogue(call):
    found = directory_admin.catalogue(call.deps, call.staff().actor)
    return {"topics": [{"code": topic.code, "name": topic.names, "label": topic.name(call.lang), "icon": topic.icon,
                        "causes": [cause_answer(cause, call.lang) for cause in topic.causes]}
                       for topic in found.topics],
            "sla_classes": dict(call.deps.city.sla.hours)}


@blueprint.endpoint("/api/admin/catalogue/causes/{code}", methods=["PATCH"])
def update_cause(call, code):
    actor = call.staff().actor
    return cause_answer(directory_admin.update_cause(call.deps, actor, code, call.body()), call.lang)


@blueprint.endpoint("/api/admin/registry", methods=["GET"])
def registry(call):
    return directory_admin.registry_summary(call.deps, call.staff().actor)


@blueprint.endpoint("/api/admin/registry/buildings", methods=["PUT"])
def import_buildings(call):
    actor = call.staff().actor
    body = call.body(limit=MAX_REGISTRY_BODY)
    return {"imported": directory_admin.import_buildings(call.deps, actor, body.get("csv"))}


def organisation_answer(organisation: Organisation, lang: str) -> dict:
    return {"code": organisation.code, "kind": organisation.kind, "name": organisation.names,
            "label": organisation.name(lang), "supervisor": organisation.supervisor, "phone": organisation.phone,
            "email": organisation.email, "topics": list(organisation.topics)}


def cause_answer(cause: Cause, lang: str) -> dict:
    return {"code": cause.code, "topic": cause.topic, "name": cause.names, "label": cause.name(lang),
            "sla_class": cause.sla_class, "scope": cause.scope, "organisation": cause.organisation,
            "advice": cause.advice}
