"""Looking a ticket up by its number, as anyone may: no personal data in the answer."""

from ..domain.errors import NotFound
from ..domain.numbers import is_valid_number, normalise_number
from ..domain.ticket import Ticket
from . import answers, reference

# Numbers are six digits and more; no sequence will reach twenty.
MAX_NUMBER = 20


def public_ticket(deps, number: str, lang: str) -> dict:
    """The public view of the ticket; NotFound for an unknown number and for one
    whose check digit is wrong (a misread number is never looked up)."""
    ticket = by_number(deps, number)
    if ticket is None:
        raise NotFound("ticket_not_found")
    return answers.public(ticket, reference.load(deps.storage), lang, deps.clock.now())


def by_number(deps, number: str) -> Ticket | None:
    """The ticket of a number as people write it (spaces and dashes are left out); None
    for an unknown one and for one whose check digit is wrong, which is not looked up."""
    number = normalise_number(number)
    if len(number) > MAX_NUMBER or not is_valid_number(number):
        return None
    return deps.storage.tickets.by_number(number)
