"""The deadline sweep on both backends: each timer acts once, at its time, with its
notices in the same write; two sweeps at once never act twice."""

import threading
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib import bootstrap
from chalicelib.domain.outbox import EMAIL
from chalicelib.domain.sla import CLASSES
from chalicelib.domain.ticket import Actor, Command, State, apply
from chalicelib.services import deadlines
from tests.builders import NOW, OPERATOR, make_resident, store_ticket

EXECUTOR = Actor("executor", "executor-1", "dniprovodokanal")
INSPECTOR = Actor("inspector", "inspector-1")
MINUTE = timedelta(minutes=1)


@pytest.fixture
def deps(storage, settings, clock, sms, email):
    return bootstrap.build(settings, clock=clock, sms=sms, email=email, storage=storage)


@pytest.fixture
def resident(deps):
    resident = make_resident()
    deps.storage.users.create(resident)
    return resident


def take(deps, ticket_id: str, name: str, actor: Actor, **data):
    """A person's command, stored as the services store it."""
    ticket = deps.storage.tickets.get(ticket_id)
    changed, events = apply(ticket, Command(name, actor, data), deps.clock.now(), deps.city.sla)
    deps.storage.tickets.update(changed, ticket.version, events)
    return changed


def sweep_at(deps, clock, at: datetime) -> dict:
    clock.set(at)
    return deadlines.sweep(deps)


def queued(deps, ticket_id: str) -> list:
    """(kind, channel, to) of the pending messages about the ticket, sorted."""
    ready = deps.storage.outbox.ready(deps.clock.now(), 1000)
    return sorted((m.kind, m.channel, m.to) for m in ready if m.ticket_id == ticket_id)


def commands(deps, ticket_id: str) -> list:
    return [event.command for event in deps.storage.tickets.history(ticket_id)]


@pytest.mark.parametrize("sla_class", CLASSES)
def test_a_ticket_of_each_class_is_reminded_marked_overdue_and_in_its_second_round_escalated(
        deps, clock, resident, sla_class):
    hours = deps.city.sla.hours_for(sla_class)
    ticket = store_ticket(deps.storage, sla_class=sla_class, reporter_id=resident.id)
    reminder, due = NOW + timedelta(hours=hours * 0.75), NOW + timedelta(hours=hours)

    assert sweep_at(deps, clock, reminder - MINUTE) == {}
    assert sweep_at(deps, clock, reminder) == {"acted": 1}
    reminded = deps.storage.tickets.get(ticket.id)
    assert reminded.reminded and not reminded.overdue
    assert (reminded.next_timer, reminded.next_due_at) == ("overdue", due)
    assert queued(deps, ticket.id) == [("reminder", "email", "vodokanal@dnipro.example"),
                                       ("reminder", "sms", "+380567000201")]

    assert sweep_at(deps, clock, due - MINUTE) == {}
    assert sweep_at(deps, clock, due) == {"acted": 1}
    overdue = deps.storage.tickets.get(ticket.id)
    assert overdue.overdue and overdue.state is State.NEW and overdue.next_due_at is None
    # The executor's dispatcher, and the supervising department by e-mail.
    assert [m for m in queued(deps, ticket.id) if m[0] == "overdue"] == [
        ("overdue", "email", "vodokanal@dnipro.example"), ("overdue", "email", "zhkg@dnipro.example"),
        ("overdue", "sms", "+380567000201")]
    assert sweep_at(deps, clock, due + timedelta(days=30)) == {}

    # Late work, refuted: the second round gets the shorter of the class and `short`.
    take(deps, ticket.id, "route", OPERATOR, organisation="dniprovodokanal")
    take(deps, ticket.id, "accept", EXECUTOR)
    take(deps, ticket.id, "report_done", EXECUTOR)
    done = deps.storage.tickets.get(ticket.id)
    assert (done.deadline_met, done.deadline_minutes) == (False, 30 * 24 * 60)
    second = take(deps, ticket.id, "refute", Actor("resident", resident.id), note="Still no water.")
    second_hours = min(hours, 24)
    assert second.round == 2 and second.due_at == clock.now() + timedelta(hours=second_hours)

    assert sweep_at(deps, clock, second.next_due_at) == {"acted": 1}
    assert sweep_at(deps, clock, second.due_at) == {"acted": 1}
    escalated = deps.storage.tickets.get(ticket.id)
    assert escalated.state is State.INSPECTION and escalated.overdue and escalated.escalated
    assert escalated.next_due_at is None
    assert commands(deps, ticket.id) == ["file", "remind", "mark_overdue", "route", "accept", "report_done",
                                         "refute", "remind", "mark_overdue", "escalate"]
    inspection = [m for m in queued(deps, ticket.id) if m[0] == "inspection"]
    assert ("inspection", "sms", resident.phone) in inspection
    assert ("inspection", "email", "inspektsiia@dnipro.example") in inspection


def test_a_reminder_held_up_past_the_deadline_gives_way_to_the_overdue_flag(deps, clock):
    ticket = store_ticket(deps.storage, sla_class="short")

    assert sweep_at(deps, clock, ticket.due_at + timedelta(hours=2)) == {"acted": 1}

    assert commands(deps, ticket.id) == ["file", "mark_overdue"]
    assert [m[0] for m in queued(deps, ticket.id)] == ["overdue"] * 3


def test_work_reported_done_and_left_unanswered_closes_itself_after_the_citys_days(deps, clock, resident):
    ticket = store_ticket(deps.storage, reporter_id=resident.id)
    take(deps, ticket.id, "route", OPERATOR, organisation="dniprovodokanal")
    take(deps, ticket.id, "accept", EXECUTOR)
    clock.set(NOW + timedelta(hours=20))
    done = take(deps, ticket.id, "report_done", EXECUTOR)
    assert (done.deadline_met, done.deadline_minutes) == (True, 4 * 60)
    closes = done.done_at + timedelta(days=deps.city.sla.auto_close_days)
    assert deps.city.sla.auto_close_days == 5 and done.next_timer == "auto_close"

    assert sweep_at(deps, clock, closes - MINUTE) == {}
    assert sweep_at(deps, clock, closes) == {"acted": 1}

    closed = deps.storage.tickets.get(ticket.id)
    assert closed.state is State.CLOSED and closed.closed_at == closes and closed.next_due_at is None
    assert commands(deps, ticket.id)[-1] == "auto_close"
    assert queued(deps, ticket.id) == [("closed", "sms", resident.phone)]
    assert (closed.deadline_met, closed.deadline_minutes) == (True, 4 * 60)


def test_an_inspectors_order_run_out_proposes_a_fine_and_tells_the_admin(deps, clock):
    ticket = store_ticket(deps.storage, state=State.INSPECTION, escalated=True, next_timer=None, next_due_at=None)
    order_due = NOW + timedelta(days=3)
    ordered = take(deps, ticket.id, "order", INSPECTOR, due_at=order_due, note="Replace the riser.")
    assert (ordered.next_timer, ordered.next_due_at) == ("overdue", order_due)

    assert sweep_at(deps, clock, order_due) == {"acted": 1}

    after = deps.storage.tickets.get(ticket.id)
    assert after.state is State.IN_PROGRESS and after.overdue and after.fines == ()
    assert commands(deps, ticket.id)[-2:] == ["mark_overdue", "propose_fine"]
    [notice] = [m for m in deps.storage.outbox.ready(order_due, 100) if m.kind == deadlines.FINE_PROPOSAL]
    assert (notice.channel, notice.to, notice.ticket_id) == (EMAIL, "1580@dnipro.example", ticket.id)
    assert ticket.number in notice.subject and "26.11.2026 11:00" in notice.text
    assert "КП «Дніпроводоканал»" in notice.text
    # The inspector decides: the fine itself is theirs to take.
    assert take(deps, ticket.id, "fine", INSPECTOR, amount=1700).fines[0]["amount"] == 1700


def test_a_deadline_across_the_spring_clock_change_is_right_in_utc_and_shown_in_kyiv_time(deps, clock):
    kyiv = ZoneInfo("Europe/Kyiv")
    filed = datetime(2027, 3, 27, 22, 0, tzinfo=kyiv)  # EET, UTC+2; summer time starts on the 28th
    # Filed at a time given in Kyiv's zone: the hours are counted in UTC all the same.
    ticket = store_ticket(deps.storage, sla_class="long", filed_at=filed)

    # 168 hours later in UTC: 23:00, not 22:00, on the clocks of Kyiv, an hour having been skipped.
    assert ticket.due_at == datetime(2027, 4, 3, 20, 0, tzinfo=timezone.utc)
    assert ticket.next_due_at == datetime(2027, 4, 2, 2, 0, tzinfo=timezone.utc)
    assert sweep_at(deps, clock, ticket.next_due_at - MINUTE) == {}
    assert sweep_at(deps, clock, ticket.next_due_at) == {"acted": 1}
    [sms] = [m for m in deps.storage.outbox.ready(clock.now(), 100)
             if m.ticket_id == ticket.id and m.channel == "sms"]
    assert "03.04.2027 23:00" in sms.text


def test_two_sweeps_that_read_the_same_due_tickets_act_on_each_exactly_once(deps, clock):
    tickets = [store_ticket(deps.storage, sla_class="emergency") for _ in range(5)]
    now = clock.advance(timedelta(hours=6))
    first, second = deps.storage.tickets.due(now), deps.storage.tickets.due(now)
    assert [t.id for t in first] == [t.id for t in second] == sorted(t.id for t in tickets)

    # Deterministic interleaving: for each ticket, one sweep writes, then the other tries.
    outcomes = [(deadlines.act(deps, mine, now), deadlines.act(deps, theirs, now))
                for mine, theirs in zip(first, second)]

    assert outcomes == [("acted", "skipped")] * 5
    for ticket in tickets:
        assert commands(deps, ticket.id) == ["file", "mark_overdue"]
        assert len(queued(deps, ticket.id)) == 3
    assert deadlines.sweep(deps) == {}


class ReadTogether:
    """The tickets store, with `due` waiting until every sweep has read: the sweeps
    then race each other for every ticket."""

    def __init__(self, tickets, sweeps: int):
        self._tickets = tickets
        self._barrier = threading.Barrier(sweeps, timeout=30)

    def due(self, now, limit=100):
        found = self._tickets.due(now, limit)
        self._barrier.wait()
        return found

    def __getattr__(self, name):
        return getattr(self._tickets, name)


def test_two_sweeps_on_real_threads_over_sqlite_act_on_each_due_ticket_exactly_once(settings, clock, sms, email):
    # SQLite only: moto does not serialise concurrent conditional writes (the interleaving test covers DynamoDB).
    deps = bootstrap.build(settings, clock=clock, sms=sms, email=email)
    storage = deps.storage
    tickets = [store_ticket(storage, sla_class="emergency") for _ in range(30)]
    clock.advance(timedelta(hours=6))
    racing = replace(deps, storage=replace(storage, tickets=ReadTogether(storage.tickets, 2)))
    results = []
    threads = [threading.Thread(target=lambda: results.append(deadlines.sweep(racing))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = sum((Counter(r) for r in results), Counter())
    assert total == {"acted": 30, "skipped": 30}
    for ticket in tickets:
        assert commands(deps, ticket.id) == ["file", "mark_overdue"]
        assert len(queued(deps, ticket.id)) == 3
