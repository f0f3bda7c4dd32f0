"""The lists the resident's forms are built from: categories and streets."""

from ..services import reference
from .http import ApiBlueprint

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/categories", methods=["GET"])
def categories(call):
    return reference.categories(call.deps, call.lang)


@blueprint.endpoint("/api/streets", methods=["GET"])
def streets(call):
    return reference.streets(call.deps, call.query("q"), call.lang)
