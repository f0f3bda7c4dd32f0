"""Every command against every state: the allowed ones land where the design says,
the forbidden ones raise and leave the ticket as it was.

EXPECTED is written out by hand from ARCHITECTURE.md's lifecycle, independently of
the RULES table it checks.
"""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import ticket as t
from chalicelib.domain.errors import IllegalTransition, InvalidInput
from chalicelib.domain.sla import SlaPolicy
from chalicelib.domain.ticket import SYSTEM, Actor, Command, State

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
POLICY = SlaPolicy()
OPERATOR = Actor("operator", "op-1")

WORKING_FLAGS = {"remind": None, "mark_overdue": None}  # None: the state stays
# Whether the description may be published is the operator's say in every state, and
# the reporter's personal data may be removed in every state (once).
PUBLISH = {"publish": None, "anonymise": None}
EXPECTED = {
    ("new", "plain"): {"route": "assigned", "reject": "rejected", "merge": "duplicate",
                       "withdraw": "withdrawn", "comment": None, **WORKING_FLAGS, **PUBLISH},
    ("assigned", "plain"): {"route": "assigned", "accept": "in_progress", "reject": "rejected",
                            "merge": "duplicate", "withdraw": "withdrawn", "comment": None, **WORKING_FLAGS, **PUBLISH},
    ("in_progress", "plain"): {"report_done": "done", "comment": None, **WORKING_FLAGS, **PUBLISH},
    ("done", "plain"): {"confirm": "closed", "callback_satisfied": "closed", "auto_close": "closed",
                        "refute": "reopened", "callback_unsatisfied": "reopened", "comment": None, **PUBLISH},
    ("closed", "plain"): {"rate": None, **PUBLISH},
    ("reopened", "plain"): {"accept": "in_progress", "escalate": "inspection", "comment": None, **WORKING_FLAGS, **PUBLISH},
    ("inspection", "plain"): {"inspect": None, "order": "in_progress", "fine": None, "resolve": "closed",
                              "comment": None, **PUBLISH},
    ("rejected", "plain"): {**PUBLISH},
    ("duplicate", "plain"): {**PUBLISH},
    ("withdrawn", "plain"): {**PUBLISH},
    # The second round: a refutation or an unhappy call-back goes to the inspectorate,
    # and work in progress may be escalated.
    ("done", "second_round"): {"confirm": "closed", "callback_satisfied": "closed", "auto_close": "closed",
                               "refute": "inspection", "callback_unsatisfied": "inspection", "comment": None, **PUBLISH},
    ("in_progress", "second_round"): {"report_done": "done", "escalate": "inspection", "comment": None,
                                      **WORKING_FLAGS, **PUBLISH},
    # Overdue work may be escalated; it is not marked overdue twice.
    ("new", "overdue"): {"route": "assigned", "reject": "rejected", "merge": "duplicate", "withdraw": "withdrawn",
                         "comment": None, "escalate": "inspection", **PUBLISH},
    ("assigned", "overdue"): {"route": "assigned", "accept": "in_progress", "reject": "rejected",
                              "merge": "duplicate", "withdraw": "withdrawn", "comment": None,
                              "escalate": "inspection", **PUBLISH},
    ("in_progress", "overdue"): {"report_done": "done", "comment": None, "escalate": "inspection", **PUBLISH},
    ("reopened", "reminded"): {"accept": "in_progress", "escalate": "inspection", "comment": None,
                               "mark_overdue": None, **PUBLISH},
    # Work under an inspector's order may be fined; once the order is overdue, the sweep proposes a fine.
    ("in_progress", "ordered"): {"report_done": "done", "comment": None, "fine": None, **WORKING_FLAGS, **PUBLISH},
    ("in_progress", "order_overdue"): {"report_done": "done", "comment": None, "fine": None, "escalate": "inspection",
                                       "propose_fine": None, **PUBLISH},
    ("closed", "rated"): {**PUBLISH},
    ("closed", "anonymised"): {"rate": None, "publish": None},
    ("in_progress", "anonymised"): {"report_done": "done", "comment": None, **WORKING_FLAGS, "publish": None},
}

DATA = {
    "route": {"organisation": "vodokanal"},
    "order": {"due_at": NOW + timedelta(days=3), "note": "replace the riser"},
    "fine": {"amount": 1700, "note": "order ignored"},
    "reject": {"reason": "not a municipal matter"},
    "merge": {"into": "other-ticket"},
    "rate": {"score": 4},
    "comment": {"text": "The water is brown again"},
    "publish": {"public": True},
    "anonymise": {"why": "retention"},
}


def a_ticket(state: str = "new", variant: str = "plain") -> t.Ticket:
    ticket, _ = t.file(
        id="t-1", number="100009", reporter_id="r-1", channel="web", language="uk", topic="water",
        cause="water.no_water_building", sla_class="emergency", organisation="vodokanal",
        address=t.Address("yavornytskoho", "12"), district="sobornyi", description="No water since morning",
        now=NOW - timedelta(hours=1), actor=Actor("resident", "r-1"), policy=POLICY,
    )
    ticket = replace(ticket, state=State(state), version=7)
    if state == "done":
        ticket = replace(ticket, done_at=NOW - timedelta(minutes=5))
    return replace(ticket, **{
        "plain": {},
        "second_round": {"round": 2},
        "overdue": {"overdue": True, "reminded": True},
        "reminded": {"reminded": True},
        "ordered": {"order_due_at": NOW + timedelta(days=1)},
        "order_overdue": {"order_due_at": NOW - timedelta(hours=1), "overdue": True, "reminded": True},
        "rated": {"rating": 5},
        "anonymised": {"anonymised": "account_deleted", "reporter_id": ""},
    }[variant])


CASES = [(state, variant, command) for (state, variant) in EXPECTED for command in t.COMMANDS]


def case_id(case):
    state, variant, command = case
    allowed = command in EXPECTED[(state, variant)]
    return f"{command}-in-{state}-{variant}-{'allowed' if allowed else 'forbidden'}"


def test_the_expectation_covers_every_state_and_command():
    assert {state for state, _ in EXPECTED} == {s.value for s in State}
    mentioned = {c for commands in EXPECTED.values() for c in commands}
    assert mentioned == set(t.COMMANDS)


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_each_command_in_each_state_is_allowed_or_refused_as_designed(case):
    state, variant, command = case
    before = a_ticket(state, variant)
    expected = EXPECTED[(state, variant)]
    cmd = Command(command, OPERATOR, DATA.get(command, {}))
    if command in expected:
        after, events = t.apply(before, cmd, NOW, POLICY)
        target = expected[command] or state
        assert after.state.value == target
        assert after.version == before.version + 1
        assert after.updated_at == NOW
        [event] = events
        assert (event.command, event.from_state, event.to_state, event.version) == (
            command, state, target, after.version)
        assert (event.actor_role, event.actor_id, event.at) == ("operator", "op-1", NOW)
    else:
        with pytest.raises(IllegalTransition):
            t.apply(before, cmd, NOW, POLICY)


def test_allowed_commands_lists_exactly_the_expected_ones():
    for (state, variant), expected in EXPECTED.items():
        assert set(t.allowed_commands(a_ticket(state, variant))) == set(expected), (state, variant)


def test_filing_starts_the_clock_with_the_class_hours_and_a_reminder_at_three_quarters():
    ticket, [event] = t.file(
        id="t-2", number="100017", reporter_id="r-1", channel="web", language="en", topic="roads",
        cause="roads.pothole", sla_class="medium", organisation="roads", address=t.Address("gagarina", "5"),
        district="sobornyi", description="  A deep pothole  ", now=NOW, actor=Actor("resident", "r-1"),
        policy=POLICY,
    )
    assert ticket.state is State.NEW and ticket.version == 1
    assert ticket.due_at == NOW + timedelta(hours=72)
    assert (ticket.next_timer, ticket.next_due_at) == ("reminder", NOW + timedelta(hours=54))
    assert ticket.description == "A deep pothole"
    assert (event.command, event.from_state, event.to_state) == ("file", None, "new")


def test_a_reminded_ticket_waits_for_its_deadline_and_an_overdue_one_for_nothing():
    reminded, _ = t.apply(a_ticket("assigned"), Command("remind", SYSTEM), NOW, POLICY)
    assert (reminded.next_timer, reminded.next_due_at) == ("overdue", reminded.due_at)
    overdue, _ = t.apply(reminded, Command("mark_overdue", SYSTEM), NOW, POLICY)
    assert overdue.overdue and (overdue.next_timer, overdue.next_due_at) == (None, None)


def test_refuting_a_done_ticket_starts_an_urgent_second_round():
    done = replace(a_ticket("done"), sla_class="long", sla_hours=168, overdue=True, reminded=True)
    reopened, [event] = t.apply(done, Command("refute", Actor("resident", "r-1"), {"note": "Still leaking"}),
                                NOW, POLICY)
    assert reopened.state is State.REOPENED and reopened.round == 2
    assert reopened.due_at == NOW + timedelta(hours=24)  # the shorter of `long` and `short`
    assert not reopened.overdue and not reopened.reminded
    assert reopened.next_timer == "reminder"
    assert event.note == "Still leaking"


def test_an_emergency_keeps_its_six_hours_in_the_second_round():
    reopened, _ = t.apply(a_ticket("done"), Command("refute", Actor("resident", "r-1")), NOW, POLICY)
    assert reopened.due_at == NOW + timedelta(hours=6)


def test_a_second_refutation_goes_to_the_inspectorate():
    second = a_ticket("done", "second_round")
    escalated, [event] = t.apply(second, Command("refute", Actor("resident", "r-1")), NOW, POLICY)
    assert escalated.state is State.INSPECTION and escalated.round == 2 and escalated.due_at == second.due_at
    assert (escalated.next_timer, escalated.next_due_at) == (None, None)
    assert event.to_state == "inspection"


def test_a_done_ticket_closes_itself_after_the_configured_days():
    done, _ = t.apply(a_ticket("in_progress"), Command("report_done", Actor("executor", "e-1", "vodokanal")),
                      NOW, SlaPolicy(auto_close_days=3))
    assert done.done_at == NOW
    assert (done.next_timer, done.next_due_at) == ("auto_close", NOW + timedelta(days=3))


def test_an_inspectors_order_sets_its_own_deadline_without_a_reminder():
    ordered, _ = t.apply(a_ticket("inspection"), Command("order", Actor("inspector", "i-1"), DATA["order"]),
                         NOW, POLICY)
    assert ordered.state is State.IN_PROGRESS
    assert ordered.order_due_at == ordered.due_at == NOW + timedelta(days=3)
    assert (ordered.next_timer, ordered.next_due_at) == ("overdue", NOW + timedelta(days=3))


def test_a_fine_is_recorded_against_the_organisation_and_keeps_the_state():
    fined, _ = t.apply(a_ticket("inspection"), Command("fine", Actor("inspector", "i-1"), {"amount": 850}),
                       NOW, POLICY)
    assert fined.state is State.INSPECTION
    assert fined.fines == ({"at": NOW.isoformat(), "amount": 850, "organisation": "vodokanal"},)


@pytest.mark.parametrize("command,data", [
    ("route", {}),
    ("route", {"organisation": 7}),
    ("reject", {"reason": "   "}),
    ("merge", {"into": "t-1"}),
    ("rate", {"score": 6}),
    ("rate", {"score": True}),
    ("rate", {"score": "5"}),
    ("fine", {"amount": -5}),
    ("fine", {"amount": 2.5}),
    ("order", {"due_at": NOW - timedelta(hours=1)}),
    ("order", {"due_at": "tomorrow"}),
    ("order", {"due_at": datetime(2026, 12, 1)}),
    ("comment", {"text": ""}),
    ("comment", {"text": "x" * 2001}),
], ids=lambda v: str(v)[:40])
def test_a_command_with_bad_data_is_refused(command, data):
    state = {"route": "new", "reject": "new", "merge": "new", "rate": "closed", "fine": "inspection",
             "order": "inspection", "comment": "assigned"}[command]
    with pytest.raises(InvalidInput):
        t.apply(a_ticket(state), Command(command, OPERATOR, data), NOW, POLICY)


def test_an_unknown_command_is_invalid_input_not_a_crash():
    with pytest.raises(InvalidInput):
        t.apply(a_ticket("new"), Command("teleport", OPERATOR), NOW, POLICY)


@pytest.mark.parametrize("description", ["", "   ", "x" * 4001])
def test_a_ticket_needs_a_description_of_at_most_4000_characters(description):
    with pytest.raises(InvalidInput):
        t.file(id="t-3", number="100025", reporter_id="r-1", channel="web", language="uk", topic="water",
               cause="water.x", sla_class="short", organisation="vodokanal", address=t.Address("s", "1"),
               district="d", description=description, now=NOW, actor=Actor("resident", "r-1"))


def test_final_states_record_when_the_ticket_ended():
    for command, state in (("reject", "new"), ("merge", "assigned"), ("withdraw", "new"), ("confirm", "done")):
        after, _ = t.apply(a_ticket(state), Command(command, OPERATOR, DATA.get(command, {})), NOW, POLICY)
        assert after.closed_at == NOW and not after.is_open
        assert (after.next_timer, after.next_due_at) == (None, None)


@pytest.mark.parametrize("command", ["publish", "anonymise"])
@pytest.mark.parametrize("state", ["rejected", "duplicate", "withdrawn", "closed"])
def test_a_command_on_a_final_ticket_keeps_the_time_it_ended(state, command):
    ended = replace(a_ticket(state), closed_at=NOW - timedelta(days=30))
    after, _ = t.apply(ended, Command(command, SYSTEM, DATA[command]), NOW, POLICY)
    assert after.closed_at == NOW - timedelta(days=30) and after.state.value == state


def test_anonymising_removes_the_reporter_the_flat_and_the_note_and_keeps_the_record_of_the_problem():
    ticket = replace(a_ticket("in_progress"), address=t.Address("yavornytskoho", "12", entrance="3", flat="41",
                                                                  note="Intercom 41K, ask for Olena"))
    history = [
        t.Event("t-1", 1, NOW, "file", "resident", "r-1", None, "new"),
        t.Event("t-1", 2, NOW, "route", "system", "system", "new", "assigned"),
        t.Event("t-1", 3, NOW, "accept", "executor", "e-1", "assigned", "in_progress"),
        t.Event("t-1", 4, NOW, "comment", "resident", "r-1", "in_progress", "in_progress", note="Still leaking"),
    ]

    after, [event], redacted = t.anonymise(ticket, history, t.ACCOUNT_DELETED, NOW, POLICY)

    assert (after.reporter_id, after.address, after.anonymised) == (
        "", t.Address("yavornytskoho", "12", entrance="3"), "account_deleted")
    assert (after.state, after.version, after.description, after.due_at, after.next_due_at) == (
        ticket.state, ticket.version + 1, ticket.description, ticket.due_at, ticket.next_due_at)
    assert (event.command, event.actor_role, event.note, event.data) == (
        "anonymise", "system", "", {"why": "account_deleted"})
    # The reporter's own steps no longer name them; the others' stay as they were.
    assert redacted == [replace(history[0], actor_id=""), replace(history[3], actor_id="")]
    assert redacted[1].note == "Still leaking"


def test_a_ticket_is_anonymised_once_and_only_for_a_known_reason():
    anonymised, _, _ = t.anonymise(a_ticket("closed"), [], t.RETENTION, NOW, POLICY)
    with pytest.raises(IllegalTransition):
        t.anonymise(anonymised, [], t.RETENTION, NOW, POLICY)
    with pytest.raises(InvalidInput):
        t.apply(a_ticket("closed"), Command("anonymise", SYSTEM, {"why": "curiosity"}), NOW, POLICY)


@pytest.mark.parametrize("done_at,met,minutes", [
    (timedelta(hours=-2), True, 120),
    (timedelta(seconds=-59), True, 0),
    (timedelta(0), True, 0),
    (timedelta(seconds=1), False, 1),
    (timedelta(hours=3, minutes=5), False, 185),
], ids=["two-hours-early", "seconds-early", "on-the-dot", "a-second-late", "three-hours-late"])
def test_reporting_the_work_done_records_whether_the_deadline_was_met_and_by_how_many_minutes(done_at, met, minutes):
    ticket = a_ticket("in_progress")
    done, _ = t.apply(ticket, Command("report_done", Actor("executor", "e-1", "vodokanal")),
                      ticket.due_at + done_at, POLICY)
    assert (done.deadline_met, done.deadline_minutes) == (met, minutes)


def test_a_ticket_stored_before_compliance_was_recorded_reads_as_not_yet_known():
    from chalicelib.adapters import codec

    data = codec.ticket_to_data(a_ticket("in_progress"))
    del data["deadline_met"], data["deadline_minutes"]
    assert (codec.ticket_from_data(data).deadline_met, codec.ticket_from_data(data).deadline_minutes) == (None, None)


@pytest.mark.parametrize("state,variant,at,expected", [
    ("assigned", "plain", "reminder", ("remind",)),
    ("assigned", "plain", "due", ("mark_overdue",)),  # held up past the deadline: no reminder then
    ("assigned", "reminded", "due", ("mark_overdue",)),
    ("reopened", "reminded", "due", ("mark_overdue", "escalate")),
    ("in_progress", "second_round", "due", ("mark_overdue", "escalate")),
    ("in_progress", "ordered", "order", ("mark_overdue", "propose_fine")),
    ("done", "plain", "auto_close", ("auto_close",)),
    ("assigned", "plain", "before", ()),
    ("inspection", "plain", "due", ()),
])
def test_a_due_timer_calls_for_the_system_commands_the_design_gives_it(state, variant, at, expected):
    ticket = t._with_timer(a_ticket(state, variant), POLICY)
    if variant == "reminded":
        ticket = replace(ticket, round=2 if state == "reopened" else 1)
    when = {
        "reminder": ticket.next_due_at, "due": ticket.due_at, "order": ticket.order_due_at,
        "auto_close": ticket.next_due_at, "before": ticket.next_due_at - timedelta(seconds=1) if ticket.next_due_at
        else NOW,
    }[at]
    commands = t.timer_commands(ticket, when)
    assert commands == expected
    for name in commands:  # and each is legal in turn
        ticket, _ = t.apply(ticket, Command(name, SYSTEM), when, POLICY)


def test_refuting_work_done_under_an_order_starts_a_second_round_that_a_breach_escalates():
    done = replace(a_ticket("done", "ordered"), round=1)
    reopened, _ = t.apply(done, Command("refute", Actor("resident", "r-1")), NOW, POLICY)
    assert reopened.order_due_at is None and reopened.next_timer == "reminder"
    assert t.timer_commands(reopened, reopened.due_at) == ("mark_overdue", "escalate")
