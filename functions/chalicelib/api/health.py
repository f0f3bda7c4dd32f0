"""Liveness: answers without touching storage, so a probe never wakes a database."""

from chalice import Blueprint

blueprint = Blueprint(__name__)


@blueprint.route("/api/health", methods=["GET"])
def health():
    return {"status": "ok"}
