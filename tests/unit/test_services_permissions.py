"""Who may do what to a ticket: the one table."""

import pytest

from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.ticket import COMMANDS, Actor
from chalicelib.services.permissions import MAY, check
from tests.builders import make_ticket

MINE = make_ticket(reporter_id="resident-1", organisation="dniprovodokanal")
RESIDENT = Actor("resident", "resident-1")
STRANGER = Actor("resident", "resident-2")


def test_every_command_in_the_table_is_a_lifecycle_command_and_every_command_has_someone():
    granted = set().union(*MAY.values()) - {"file"}
    assert granted <= set(COMMANDS)
    assert set(COMMANDS) <= granted


@pytest.mark.parametrize("command", ["comment", "withdraw", "confirm", "refute", "rate"])
def test_a_resident_may_act_on_their_own_ticket(command):
    check(RESIDENT, command, MINE)


@pytest.mark.parametrize("command", ["route", "accept", "report_done", "reject", "merge", "escalate", "resolve",
                                     "fine", "auto_close"])
def test_a_resident_may_not_work_their_ticket(command):
    with pytest.raises(Forbidden):
        check(RESIDENT, command, MINE)


def test_another_residents_ticket_is_not_found_rather_than_forbidden():
    with pytest.raises(NotFound):
        check(STRANGER, "comment", MINE)


def test_an_executor_sees_only_its_organisations_tickets():
    check(Actor("executor", "e-1", "dniprovodokanal"), "accept", MINE)
    with pytest.raises(NotFound):
        check(Actor("executor", "e-2", "teploenergo"), "accept", MINE)


def test_an_admin_manages_the_directory_not_tickets():
    with pytest.raises(Forbidden):
        check(Actor("admin", "a-1"), "route", MINE)


def test_an_unknown_role_may_do_nothing():
    with pytest.raises(Forbidden):
        check(Actor("visitor", "v"), "comment")
