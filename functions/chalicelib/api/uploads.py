"""Photo uploads: the form a signed-in resident's browser posts a photo with,
straight to the photo store (photos never pass through the API)."""

from ..domain.ticket import Actor
from ..services import photos
from .http import ApiBlueprint, answer

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/uploads", methods=["POST"])
def upload_form(call):
    resident = call.resident()
    return answer(photos.upload_form(call.deps, Actor("resident", resident.id), call.body()), status=201)
