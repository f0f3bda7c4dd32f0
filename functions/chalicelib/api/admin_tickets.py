"""The staff's tickets: the queue, its CSV export, filing for a caller, a ticket's
detail, its reporter's contact and the commands on it, and the form a staff member's
photo is uploaded with."""

from ..services import photos, staff_tickets
from .http import ApiBlueprint, answer

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/admin/tickets", methods=["GET"])
def queue(call):
    member = call.staff()
    return staff_tickets.queue(call.deps, member, call.request.query_params or {}, call.lang)


# Chalice and API Gateway match a literal segment before a {parameter}: these are no ticket ids.
@blueprint.endpoint("/api/admin/tickets/export", methods=["GET"])
def export(call):
    member = call.staff()
    text = staff_tickets.export(call.deps, member, call.request.query_params or {}, call.lang)
    day = call.deps.clock.now().astimezone(call.deps.city.zone).date().isoformat()
    return answer(text, headers={"Content-Type": "text/csv; charset=utf-8",
                                 "Content-Disposition": f'attachment; filename="tickets-{day}.csv"'})


@blueprint.endpoint("/api/admin/tickets/similar", methods=["GET"])
def similar(call):
    member = call.staff()
    return staff_tickets.similar(call.deps, member, call.query("cause"), call.query("street"), call.query("house"),
                                 call.lang)


@blueprint.endpoint("/api/admin/tickets", methods=["POST"])
def file_for_caller(call):
    member = call.staff()
    receipt = staff_tickets.file_for_caller(call.deps, member, call.body(), call.header("idempotency-key"))
    return answer(receipt, status=201)


@blueprint.endpoint("/api/admin/tickets/{ticket_id}", methods=["GET"])
def detail(call, ticket_id):
    return staff_tickets.detail(call.deps, call.staff(), ticket_id, call.lang)


# A read that is recorded (who was shown whose contact, when): asked for, never sent with the detail.
@blueprint.endpoint("/api/admin/tickets/{ticket_id}/contact", methods=["GET"])
def contact(call, ticket_id):
    return staff_tickets.contact(call.deps, call.staff(), ticket_id)


@blueprint.endpoint("/api/admin/tickets/{ticket_id}/{name}", methods=["POST"])
def command(call, ticket_id, name):
    member = call.staff()
    return staff_tickets.command(call.deps, member, ticket_id, name, call.body(), call.lang)


@blueprint.endpoint("/api/admin/uploads", methods=["POST"])
def upload_form(call):
    member = call.staff()
    return answer(photos.upload_form(call.deps, member.actor, call.body()), status=201)
