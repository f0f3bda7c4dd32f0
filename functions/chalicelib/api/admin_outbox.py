"""The outbox on the staff page: the dead letters (recipients masked), how many
messages are held for later, the alerts of the last days; an admin puts a dead
letter back."""

from ..domain.outbox import OutboxMessage
from ..services import outbox
from ..services.answers import utc
from .http import ApiBlueprint

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/admin/outbox", methods=["GET"])
def overview(call):
    seen = outbox.overview(call.deps, call.staff().actor)
    return {"dead": [{**message_answer(m), "ticket_number": seen.numbers.get(m.ticket_id)} for m in seen.dead],
            "held": seen.held,
            "alerts": [{"id": a.id, "kind": a.kind, "title": outbox.alert_title(a.kind, call.lang),
                        "raised_at": utc(a.created_at), "status": a.status} for a in seen.alerts]}


@blueprint.endpoint("/api/admin/outbox/{message_id}/retry", methods=["POST"])
def retry(call, message_id):
    actor = call.staff().actor
    call.nothing_asked()
    return message_answer(outbox.retry(call.deps, actor, message_id))


def message_answer(message: OutboxMessage) -> dict:
    """A message as staff see it: the text stays out (it may quote a resident's
    words), the recipient masked; the ticket tells the rest."""
    return {"id": message.id, "channel": message.channel, "to": outbox.masked_address(message), "kind": message.kind,
            "ticket_id": message.ticket_id, "urgent": message.urgent, "status": message.status,
            "tries": message.tries, "last_error": message.last_error, "created_at": utc(message.created_at),
            "next_attempt_at": utc(message.next_attempt_at), "sent_at": utc(message.sent_at)}
