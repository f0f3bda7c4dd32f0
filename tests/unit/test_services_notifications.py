"""Who is told what (services.notifications): each row of the table, through the
production wiring on SQLite; the whole lifecycle is in tests/api/test_notifications_lifecycle.py."""

from dataclasses import replace
from pathlib import Path
from datetime import timedelta

import pytest

from chalicelib.domain.outbox import EMAIL, SMS
from chalicelib.domain.ticket import COMMANDS, Actor, Command, State, apply
from chalicelib.services import notifications
from tests.builders import NOW, OPERATOR, make_resident, make_ticket, store_ticket

PHONE = "+380501110000"
EXECUTOR = Actor("executor", "staff-7", "dniprovodokanal")
INSPECTOR = Actor("inspector", "staff-9")
EXECUTOR_PHONE, EXECUTOR_EMAIL = "+380567000201", "vodokanal@dnipro.example"
SUPERVISOR_EMAIL, INSPECTORATE_EMAIL = "zhkg@dnipro.example", "inspektsiia@dnipro.example"
# Commands that tell nobody: the resident's own withdrawal and rating, an inspector's
# working note, making the description public.
SILENT = {"withdraw", "rate", "inspect", "publish", "anonymise"}
# The deadline sweep's fine proposal: services.deadlines tells the admin itself.
TOLD_ELSEWHERE = {"propose_fine"}


@pytest.fixture
def reporter(deps):
    resident = make_resident(id="resident-1", phone=PHONE, language="uk")
    deps.storage.users.create(resident)
    return resident


def told(deps, ticket, command: str, actor=OPERATOR, **data) -> list:
    """(channel, to, kind) of each message the command causes, in order."""
    after, events = apply(ticket, Command(command, actor, data), NOW + timedelta(hours=1), deps.city.sla)
    return [(m.channel, m.to, m.kind) for m in notifications.messages_for(deps, after, events)]


def texts(deps, ticket, command: str, actor=OPERATOR, **data) -> list:
    after, events = apply(ticket, Command(command, actor, data), NOW + timedelta(hours=1), deps.city.sla)
    return [m.text for m in notifications.messages_for(deps, after, events)]


def test_every_command_is_in_the_table_or_known_to_tell_nobody():
    in_table = {command for notice in notifications.TABLE for command in notice.commands}
    # "file" is no command on a ticket: it makes one.
    assert in_table | SILENT | TOLD_ELSEWHERE == set(COMMANDS) | {"file"} and not in_table & SILENT


@pytest.mark.parametrize("command", sorted(SILENT - {"rate"}))
def test_a_silent_command_queues_nothing(deps, reporter, command):
    state = State.INSPECTION if command == "inspect" else State.ASSIGNED
    data = {"inspect": {"note": "Riser corroded"}, "publish": {"public": True},
            "anonymise": {"why": "retention"}}.get(command, {})
    actor = Actor("resident", "resident-1") if command == "withdraw" else OPERATOR
    assert told(deps, make_ticket(state=state), command, actor, **data) == []


@pytest.mark.parametrize("sla_class, e_mailed", [("emergency", True), ("short", False), ("long", False)])
def test_a_new_ticket_is_e_mailed_to_the_executor_at_once_only_if_it_is_an_emergency(deps, reporter, sla_class,
                                                                                      e_mailed):
    ticket = make_ticket(sla_class=sla_class)
    assert told(deps, ticket, "route", organisation="dniprovodokanal") == [
        (SMS, EXECUTOR_PHONE, "assigned"), *([(EMAIL, EXECUTOR_EMAIL, "assigned")] if e_mailed else [])]


def test_a_rejection_tells_the_resident_why(deps, reporter):
    ticket = make_ticket(number="1000051")
    assert texts(deps, ticket, "reject", reason="Not a municipal matter.") == [
        "Звернення № 1000051 відхилено: Not a municipal matter."]


def test_a_merge_gives_the_resident_the_other_number(deps, reporter):
    other = store_ticket(deps.storage, number="1000099")
    assert texts(deps, make_ticket(number="1000051"), "merge", into=other.id) == [
        "Звернення № 1000051 об’єднано зі зверненням № 1000099."]


def test_a_staff_note_brings_the_resident_a_link_and_their_own_note_tells_nobody(deps, reporter):
    ticket = make_ticket(number="1000051", state=State.IN_PROGRESS)
    assert texts(deps, ticket, "comment", EXECUTOR, text="Which entrance exactly?") == [
        "Звернення № 1000051: нове повідомлення від працівників: http://127.0.0.1:8000/uk/t.html?1000051"]
    assert told(deps, ticket, "comment", Actor("resident", "resident-1"), text="Entrance 2.") == []


def test_escalation_tells_the_resident_the_executor_and_the_inspectorate(deps, reporter):
    ticket = make_ticket(state=State.REOPENED, round=2)
    assert told(deps, ticket, "escalate") == [
        (SMS, PHONE, "inspection"), (SMS, EXECUTOR_PHONE, "inspection"), (EMAIL, EXECUTOR_EMAIL, "inspection"),
        (EMAIL, INSPECTORATE_EMAIL, "inspection")]


def test_a_second_refutation_goes_to_the_inspectorate_and_says_so(deps, reporter):
    ticket = make_ticket(state=State.DONE, round=2, done_at=NOW)
    resident = Actor("resident", "resident-1")
    assert [kind for _, _, kind in told(deps, ticket, "refute", resident, note="Still leaking.")] == \
        ["inspection"] * 4


def test_an_unsatisfied_call_back_starts_the_second_round_for_both(deps, reporter):
    ticket = make_ticket(state=State.DONE, done_at=NOW)
    assert told(deps, ticket, "callback_unsatisfied", note="No change") == [
        (SMS, PHONE, "second_round"), (SMS, EXECUTOR_PHONE, "refuted"), (EMAIL, EXECUTOR_EMAIL, "refuted")]


@pytest.mark.parametrize("command, state", [
    ("callback_satisfied", State.DONE), ("auto_close", State.DONE), ("resolve", State.INSPECTION)])
def test_every_way_of_closing_sends_the_resident_the_link_to_rate(deps, reporter, command, state):
    ticket = make_ticket(number="1000051", state=state, done_at=NOW)
    actor = Actor("system", "system") if command == "auto_close" else OPERATOR
    assert texts(deps, ticket, command, actor) == [
        "Звернення № 1000051 закрито. Оцініть роботу: http://127.0.0.1:8000/uk/t.html?1000051"]


def test_the_reminder_goes_to_the_executor_and_overdue_to_its_supervisor_too(deps, reporter):
    ticket = make_ticket(state=State.IN_PROGRESS)
    system = Actor("system", "system")
    assert told(deps, ticket, "remind", system) == [(SMS, EXECUTOR_PHONE, "reminder"),
                                                   (EMAIL, EXECUTOR_EMAIL, "reminder")]
    assert told(deps, ticket, "mark_overdue", system) == [
        (SMS, EXECUTOR_PHONE, "overdue"), (EMAIL, EXECUTOR_EMAIL, "overdue"), (EMAIL, SUPERVISOR_EMAIL, "overdue")]


def test_an_order_and_a_fine_reach_the_executor_with_the_date_and_the_amount(deps, reporter):
    ticket = make_ticket(number="1000051", state=State.INSPECTION)
    ordered = texts(deps, ticket, "order", INSPECTOR, due_at=NOW + timedelta(days=3))
    assert ordered[0] == "Припис інспекції: звернення № 1000051 виконати до 26.11.2026 11:00."
    assert texts(deps, ticket, "fine", INSPECTOR, amount=1700)[0] == \
        "Звернення № 1000051: інспекція наклала штраф 1700 грн."


def test_the_resident_reads_their_own_language_and_the_executor_the_citys(deps):
    deps.storage.users.create(make_resident(id="resident-1", phone=PHONE, language="en"))
    ticket = make_ticket(number="1000051", state=State.DONE, done_at=NOW)
    resident_text, executor_text, _ = texts(deps, ticket, "callback_unsatisfied", note="No change")
    assert resident_text == "Request No. 1000051 goes to a second round. Due by 24.11.2026 12:00."
    assert executor_text == "Звернення № 1000051: спростовано, друге коло до 24.11.2026 12:00."


@pytest.mark.parametrize("resident", [{"status_sms": False}, {"phone": ""}])
def test_a_resident_without_status_sms_or_a_phone_gets_none_and_the_executor_still_does(deps, resident):
    deps.storage.users.create(make_resident(id="resident-1", **resident))
    ticket = make_ticket(state=State.DONE, done_at=NOW)
    assert told(deps, ticket, "callback_unsatisfied", note="No change") == [
        (SMS, EXECUTOR_PHONE, "refuted"), (EMAIL, EXECUTOR_EMAIL, "refuted")]


def test_messages_about_an_emergency_are_urgent_and_the_rest_are_not(deps, reporter):
    for sla_class, urgent in (("emergency", True), ("short", False)):
        ticket = make_ticket(state=State.DONE, done_at=NOW, sla_class=sla_class)
        after, events = apply(ticket, Command("callback_unsatisfied", OPERATOR, {"note": "No"}), NOW, deps.city.sla)
        assert {m.urgent for m in notifications.messages_for(deps, after, events)} == {urgent}


def test_an_organisation_without_a_phone_is_told_by_e_mail_only(deps, reporter):
    executor = next(o for o in deps.storage.directory.organisations() if o.code == "dniprovodokanal")
    deps.storage.directory.put_organisation(replace(executor, phone=""))
    assert told(deps, make_ticket(state=State.IN_PROGRESS), "remind", Actor("system", "system")) == [
        (EMAIL, EXECUTOR_EMAIL, "reminder")]


def test_the_messages_are_stamped_with_the_transitions_time_and_ticket(deps, reporter):
    ticket = make_ticket(state=State.IN_PROGRESS)
    after, events = apply(ticket, Command("remind", Actor("system", "system")), NOW, deps.city.sla)
    sms, mail = notifications.messages_for(deps, after, events)
    assert {(m.created_at, m.next_attempt_at, m.ticket_id) for m in (sms, mail)} == {(NOW, NOW, ticket.id)}
    assert sms.subject == "" and mail.subject == mail.text.split("\n")[0] and sms.id != mail.id


def test_the_readme_copies_the_table():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Notifications: who gets what")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) == len({(notice.commands, notice.into) for notice in notifications.TABLE})
    named = {command for row in rows for command in row.split("|")[1].split("`")[1::2]}
    assert named == {command for notice in notifications.TABLE for command in notice.commands}
    assert all(f"`{command}`" in section for command in SILENT)
