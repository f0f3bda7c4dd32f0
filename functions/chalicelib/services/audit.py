"""The record of who was shown a resident's personal data: each time a staff member
asks for a ticket's reporter's contact (services.staff_tickets.contact), and the
admin's list of those records, newest first or of one ticket."""

import logging
import uuid

from ..domain import fields
from ..domain.audit import ContactView
from ..domain.errors import InvalidInput
from ..domain.staff import StaffMember
from ..domain.ticket import Ticket
from . import answers, permissions

log = logging.getLogger(__name__)

PAGE = 50
MAX_PAGE = 200
# A cursor is a codec.view_key: a time, "#" and an id.
MAX_CURSOR = 200
# Ticket numbers are digits; a longer "number" is none.
MAX_NUMBER = 20


def contact_shown(deps, member: StaffMember, ticket: Ticket) -> None:
    """Record that `member` is being shown the contact of `ticket`'s reporter. Written
    before the contact is answered: a view that cannot be recorded is not given."""
    deps.storage.contact_views.add(ContactView(
        id=uuid.uuid4().hex, at=deps.clock.now(), staff_id=member.id, staff_username=member.username,
        staff_role=member.role, ticket_id=ticket.id, ticket_number=ticket.number))
    log.info("staff %s was shown the reporter's contact of ticket %s", member.id, ticket.number)


def contact_views(deps, member: StaffMember, params: dict) -> dict:
    """For an admin: the views of reporters' contacts, newest first a page at a time
    (`limit`, the cursor `after`, `next` for the following page), or with `ticket` (a
    number) every view of that ticket's reporter. Each names the staff member by their
    current name too."""
    permissions.check(member.actor, "see_contact_views")
    params = params or {}
    number = (params.get("ticket") or "").strip()
    if number:
        ticket = deps.storage.tickets.by_number(number) if len(number) <= MAX_NUMBER else None
        if ticket is None:
            raise InvalidInput("unknown_ticket_number", field="ticket")
        views, cursor = deps.storage.contact_views.of_ticket(ticket.id), None
    else:
        limit = fields.page_size(params.get("limit") or "", default=PAGE, maximum=MAX_PAGE)
        views, cursor = deps.storage.contact_views.recent(limit, fields.cursor(params.get("after") or "",
                                                                                limit=MAX_CURSOR))
    members = {staff_id: deps.storage.staff.get(staff_id) for staff_id in {view.staff_id for view in views}}
    return {"views": [_shown(view, members[view.staff_id]) for view in views], "next": cursor}


def _shown(view: ContactView, member: StaffMember | None) -> dict:
    return {"at": answers.utc(view.at), "ticket": {"id": view.ticket_id, "number": view.ticket_number},
            "staff": {"id": view.staff_id, "username": view.staff_username, "role": view.staff_role,
                      "name": member.name if member else ""}}
