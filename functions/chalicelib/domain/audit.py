"""Who saw a resident's personal data: each time a staff member is shown the contact
of a ticket's reporter, one record, kept for an admin to read. It names the staff
member and the ticket as they were then (a username and a ticket number never
change), and holds nothing of the resident."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ContactView:
    id: str
    at: datetime
    staff_id: str
    staff_username: str
    staff_role: str
    ticket_id: str
    ticket_number: str
