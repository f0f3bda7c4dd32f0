"""Open311 API keys on the staff page (contract: notes/admin-api.md). The plain
key is in the answer that makes it, and nowhere else ever."""

from ..domain.open311_key import Open311Key
from ..services import open311_keys
from ..services.answers import utc
from .http import ApiBlueprint, answer

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/admin/open311-keys", methods=["GET"])
def list_keys(call):
    return {"keys": [key_answer(key) for key in open311_keys.list_keys(call.deps, call.staff().actor)]}


@blueprint.endpoint("/api/admin/open311-keys", methods=["POST"])
def issue(call):
    actor = call.staff().actor
    key, api_key = open311_keys.issue(call.deps, actor, call.body().get("name"))
    return answer({"id": key.id, "name": key.name, "created_at": utc(key.created_at), "api_key": api_key},
                  status=201)


@blueprint.endpoint("/api/admin/open311-keys/{key_id}/revoke", methods=["POST"])
def revoke(call, key_id):
    actor = call.staff().actor
    call.nothing_asked()
    return key_answer(open311_keys.revoke(call.deps, actor, key_id))


def key_answer(key: Open311Key) -> dict:
    return {"id": key.id, "name": key.name, "created_at": utc(key.created_at), "revoked_at": utc(key.revoked_at)}
