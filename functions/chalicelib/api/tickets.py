"""A signed-in resident's tickets."""

from ..services import tickets
from .http import ApiBlueprint, answer

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/tickets", methods=["POST"])
def file_ticket(call):
    resident = call.resident()
    receipt = tickets.file_ticket(call.deps, resident, call.body(), call.header("idempotency-key"))
    return answer(receipt, status=201)


@blueprint.endpoint("/api/tickets", methods=["GET"])
def my_tickets(call):
    return tickets.my_tickets(call.deps, call.resident())


# Chalice and API Gateway match a literal segment before a {parameter}: this is no ticket id.
@blueprint.endpoint("/api/tickets/similar", methods=["GET"])
def similar(call):
    return tickets.similar(call.deps, call.resident(), call.query("cause"), call.query("street"), call.query("house"))


@blueprint.endpoint("/api/tickets/{ticket_id}", methods=["GET"])
def my_ticket(call, ticket_id):
    return tickets.my_ticket(call.deps, call.resident(), ticket_id)


@blueprint.endpoint("/api/tickets/{ticket_id}/comment", methods=["POST"])
def comment(call, ticket_id):
    resident = call.resident()
    body = call.body()
    data = {"text": body["text"]} if "text" in body else {}
    return tickets.resident_command(call.deps, resident, ticket_id, "comment", data)


@blueprint.endpoint("/api/tickets/{ticket_id}/withdraw", methods=["POST"])
def withdraw(call, ticket_id):
    resident = call.resident()
    call.nothing_asked()
    return tickets.resident_command(call.deps, resident, ticket_id, "withdraw", {})


@blueprint.endpoint("/api/tickets/{ticket_id}/confirm", methods=["POST"])
def confirm(call, ticket_id):
    resident = call.resident()
    call.nothing_asked()
    return tickets.confirm(call.deps, resident, ticket_id)


@blueprint.endpoint("/api/tickets/{ticket_id}/refute", methods=["POST"])
def refute(call, ticket_id):
    resident = call.resident()
    return tickets.refute(call.deps, resident, ticket_id, call.body())


@blueprint.endpoint("/api/tickets/{ticket_id}/rate", methods=["POST"])
def rate(call, ticket_id):
    resident = call.resident()
    return tickets.rate(call.deps, resident, ticket_id, call.body())
