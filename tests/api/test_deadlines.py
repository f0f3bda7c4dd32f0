"""The deadline sweep in the minute tick, as EventBridge runs it: what falls due
this minute is acted on and told in the same minute."""

from datetime import timedelta

from chalicelib.jobs import tick
from tests.api.client import ticket
from tests.builders import store_ticket


def minute_event(client) -> dict:
    return client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                           resources=["arn:aws:events:eu-central-1:123456789012:rule/minute"])


def test_the_minute_tick_sweeps_first_so_a_reminder_goes_out_in_the_minute_it_falls_due(deps, clock, sms, email):
    # An emergency: its reminder, 4.5 hours on, falls at 15:30 in Kyiv, and it is urgent anyway.
    ticket = store_ticket(deps.storage, sla_class="emergency")
    clock.set(ticket.next_due_at)

    assert tick.minute(deps) == {"deadlines": {"acted": 1}, "outbox": {"sent": 2}}

    assert [(s.to, s.urgent) for s in sms.sent] == [("+380567000201", True)]
    assert ticket.number in sms.sent[0].text
    assert [m.to for m in email.sent] == ["vodokanal@dnipro.example"]
    assert tick.minute(deps) == {"outbox": {}}


def test_the_scheduled_function_runs_the_sweep(api, client, clock, sms):
    ticket = store_ticket(api.deps.storage, sla_class="emergency")
    clock.set(ticket.due_at + timedelta(minutes=1))

    client.lambda_.invoke("minute_tick", minute_event(client))

    assert api.deps.storage.tickets.get(ticket.id).overdue
    assert [s.to for s in sms.sent] == ["+380567000201"]


def test_the_reminder_is_in_the_staff_history_but_not_in_the_residents(api, clock):
    resident = api.sign_in()
    filed = api.json(api.post("/api/tickets", ticket(), headers=resident))
    clock.set(api.deps.storage.tickets.get(filed["id"]).next_due_at)
    tick.minute(api.deps)

    staff_view = api.json(api.get(f"/api/admin/tickets/{filed['id']}", headers=api.staff("operator")))
    resident_view = api.json(api.get(f"/api/tickets/{filed['id']}", headers=resident))

    assert "remind" in [entry["command"] for entry in staff_view["history"]]
    assert "remind" not in [entry["command"] for entry in resident_view["history"]]
    assert len(resident_view["history"]) == len(staff_view["history"]) - 1
