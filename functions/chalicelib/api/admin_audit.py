"""For an admin: who was shown a reporter's contact, and when."""

from ..services import audit
from .http import ApiBlueprint

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/admin/contact-views", methods=["GET"])
def contact_views(call):
    return audit.contact_views(call.deps, call.staff(), call.request.query_params or {})
