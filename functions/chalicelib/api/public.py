"""What anyone may look up: a ticket by its number."""

from urllib.parse import unquote

from ..services import public
from .http import ApiBlueprint

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/public/tickets/{number}", methods=["GET"])
def public_ticket(call, number):
    # A number copied from an SMS may carry spaces, which may reach us still encoded.
    return public.public_ticket(call.deps, unquote(number), call.lang)
