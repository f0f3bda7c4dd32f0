"""Who may do what to a ticket: the one table."""

import pytest

from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.ticket import COMMANDS, Actor
from chalicelib.services.permissions import MAY, OTHER_ACTIONS, actions, can_see, check, queue_scope
from tests.builders import make_ticket

MINE = make_ticket(reporter_id="resident-1", organisation="dniprovodokanal")
RESIDENT = Actor("resident", "resident-1")
STRANGER = Actor("resident", "resident-2")


def test_every_command_in_the_table_is_a_lifecycle_command_and_every_command_has_someone():
    granted = set().union(*MAY.values()) - OTHER_ACTIONS
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


ESCALATED = make_ticket(organisation="dniprovodokanal", escalated=True)
INSPECTOR = Actor("inspector", "i-1")
ADMIN = Actor("admin", "a-1")


def test_an_inspector_sees_only_escalated_tickets():
    check(INSPECTOR, "see_tickets", ESCALATED)
    with pytest.raises(NotFound):
        check(INSPECTOR, "see_tickets", MINE)


def test_an_admin_reads_every_ticket_but_takes_no_command_on_it():
    check(ADMIN, "see_tickets", MINE)
    check(ADMIN, "see_tickets", ESCALATED)
    assert MAY["admin"] & set(COMMANDS) == set()
    assert actions(ADMIN, MINE) == []


@pytest.mark.parametrize("role", ["operator", "executor", "inspector", "admin"])
def test_every_staff_role_reads_the_queue_and_the_directory(role):
    assert {"see_tickets", "see_directory", "see_outages"} <= MAY[role]


@pytest.mark.parametrize("actor", [Actor("operator", "o-1"), Actor("executor", "e-1", "dniprovodokanal"),
                                   Actor("executor", "e-2", "teploenergo"), Actor("executor", "e-3"), INSPECTOR,
                                   ADMIN])
def test_the_queue_scope_lets_through_exactly_the_tickets_the_actor_may_see(actor):
    tickets = [MINE, ESCALATED, make_ticket(organisation="teploenergo")]
    scope = queue_scope(actor)

    def passes(ticket) -> bool:
        return all(getattr(ticket, name) == value for name, value in scope.items())

    assert [passes(t) for t in tickets] == [can_see(actor, t) for t in tickets]
