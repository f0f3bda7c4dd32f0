"""The morning digest: once a city day, at the first hourly call at or after 08:00 in
Kyiv, each executor with an e-mail address and tickets waiting for it to accept them
gets one e-mail listing them (no resident's data in it), through the outbox; right
across the daylight-saving changes. An emergency is e-mailed at once as well, and
listed again while it still waits."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.outbox import EMAIL
from chalicelib.domain.ticket import Address, State
from chalicelib.jobs import digest, tick
from local.server import local_tick
from tests.api.client import ticket as ticket_body
from tests.builders import make_resident, store_ticket

SITE = "http://127.0.0.1:8000"
VODOKANAL, VODOKANAL_EMAIL = "dniprovodokanal", "vodokanal@dnipro.example"
TEPLO, TEPLO_EMAIL = "teploenergo", "teploenergo@dnipro.example"
MORNING = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)  # 08:00 in Kyiv, the day after builders.NOW


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def waiting(deps, organisation: str = VODOKANAL, **overrides):
    """A ticket routed to the organisation and not yet accepted."""
    return store_ticket(deps.storage, organisation=organisation, state=State.ASSIGNED, **overrides)


def digests(deps) -> list:
    """The digests in the outbox, by recipient."""
    pending = deps.storage.outbox.ready(deps.clock.now() + timedelta(days=30), limit=500)
    return sorted((m for m in pending if m.kind == digest.KIND), key=lambda m: m.to)


def hourly(deps, clock, first: datetime, hours: int) -> list:
    """Calls the job every hour on the hour, as the UTC schedule does; the city times at which it acted."""
    acted = []
    for hour in range(hours):
        clock.set(first + timedelta(hours=hour))
        if digest.morning_digest(deps) is not None:
            acted.append(clock.now().astimezone(deps.city.zone).strftime("%Y-%m-%d %H:%M %Z"))
    return acted


def test_nothing_is_sent_before_eight_in_the_morning_city_time(deps, clock):
    waiting(deps)
    for minutes in (0, 7 * 60, 8 * 60 - 1):  # 00:00, 07:00 and 07:59 in Kyiv, two hours ahead of UTC in November
        clock.set(utc(2026, 11, 23, 22, 0) + timedelta(minutes=minutes))
        assert digest.morning_digest(deps) is None
    assert digests(deps) == []


def test_the_first_call_after_eight_queues_one_digest_per_organisation_with_tickets_waiting(deps, clock):
    waiting(deps), waiting(deps), waiting(deps, TEPLO, cause="heating.cold-radiators-flat", topic="heating")
    store_ticket(deps.storage, organisation="chyste-misto", state=State.IN_PROGRESS)
    store_ticket(deps.storage, organisation="dniprosvitlo", state=State.DONE)
    clock.set(MORNING)

    assert digest.morning_digest(deps) == {"day": "2026-11-24", "digests": 2}

    found = digests(deps)
    assert [(m.to, m.channel, m.ticket_id, m.urgent) for m in found] == [
        (TEPLO_EMAIL, EMAIL, None, False), (VODOKANAL_EMAIL, EMAIL, None, False)]
    assert found[1].subject == "КП «Дніпроводоканал»: звернення, що чекають прийняття в роботу: 2"


def test_the_digest_lists_the_waiting_tickets_by_deadline_with_the_staff_page_link(deps, clock):
    later = waiting(deps, number="1000052")
    sooner = waiting(deps, number="1000051", filed_at=later.filed_at - timedelta(hours=3))
    clock.set(MORNING)

    digest.morning_digest(deps)

    (message,) = digests(deps)
    assert (sooner.due_at, later.due_at) == (utc(2026, 11, 24, 6, 0), utc(2026, 11, 24, 9, 0))
    assert message.text == (
        "КП «Дніпроводоканал»: звернення, що чекають прийняття в роботу: 2.\n\n"
        "№ 1000051: Слабкий тиск холодної води, проспект Дмитра Яворницького, 8. Виконати до 24.11.2026 08:00.\n"
        "№ 1000052: Слабкий тиск холодної води, проспект Дмитра Яворницького, 8. Виконати до 24.11.2026 11:00.\n\n"
        f"Візьміть їх у роботу на сторінці працівників: {SITE}/admin/")


def test_the_minute_tick_sends_the_digests_by_e_mail(deps, clock, email):
    waiting(deps, filed_at=MORNING - timedelta(hours=1))  # no reminder due yet
    clock.set(MORNING)
    digest.morning_digest(deps)

    tick.minute(deps)

    assert [(m.to, m.subject.split(":")[0]) for m in email.sent] == [(VODOKANAL_EMAIL, "КП «Дніпроводоканал»")]
    assert digests(deps) == []


def test_past_the_limit_the_digest_lists_the_first_by_deadline_and_counts_the_rest(deps, clock):
    for n in range(digest.LISTED + 3):
        waiting(deps, number=f"{1000100 + n}", filed_at=MORNING - timedelta(hours=24 - n))
    clock.set(MORNING)

    digest.morning_digest(deps)

    (message,) = digests(deps)
    lines = message.text.split("\n\n")[1].split("\n")
    assert message.subject.endswith(f": {digest.LISTED + 3}")
    assert len(lines) == digest.LISTED + 1 and lines[-1] == "...і ще 3."
    assert [line.split(":")[0] for line in lines[:-1]] == [f"№ {1000100 + n}" for n in range(digest.LISTED)]


def test_the_digest_holds_nothing_of_the_resident(deps, clock):
    resident = make_resident(id="resident-77", phone="+380501234567", name="Olena Kovalenko",
                             email="olena@example.com")
    deps.storage.users.create(resident)
    waiting(deps, reporter_id=resident.id, description="Dirty water since the morning, call me after six.",
            address=Address("yavornytskoho-ave", "8", entrance="3", flat="141", note="Code 4512 at the door"))
    clock.set(MORNING)

    digest.morning_digest(deps)

    (message,) = digests(deps)
    for private in ("Olena", "Kovalenko", "+380501234567", "501234567", "olena@example.com", "141", "4512",
                    "Dirty water", "call me"):
        assert private not in message.text and private not in message.subject, private


def test_an_organisation_without_an_e_mail_address_gets_no_digest(deps, clock):
    organisation = next(o for o in deps.storage.directory.organisations() if o.code == TEPLO)
    deps.storage.directory.put_organisation(replace(organisation, email=""))
    waiting(deps), waiting(deps, TEPLO, cause="heating.cold-radiators-flat", topic="heating")
    clock.set(MORNING)

    assert digest.morning_digest(deps)["digests"] == 1
    assert [m.to for m in digests(deps)] == [VODOKANAL_EMAIL]


def test_when_nothing_waits_nobody_gets_a_digest_and_the_day_is_done(deps, clock):
    store_ticket(deps.storage, state=State.IN_PROGRESS)
    clock.set(MORNING)

    assert digest.morning_digest(deps) == {"day": "2026-11-24", "digests": 0}
    waiting(deps)
    clock.set(MORNING + timedelta(hours=1))
    assert digest.morning_digest(deps) is None
    assert digests(deps) == []


def test_the_digest_goes_once_a_day_and_again_the_next_day_while_tickets_still_wait(deps, clock):
    waiting(deps)
    clock.set(MORNING)
    assert digest.morning_digest(deps)["digests"] == 1
    for later in (MORNING + timedelta(minutes=30), MORNING + timedelta(hours=1), utc(2026, 11, 24, 21, 59)):
        clock.set(later)
        assert digest.morning_digest(deps) is None

    clock.set(MORNING + timedelta(days=1))
    assert digest.morning_digest(deps) == {"day": "2026-11-25", "digests": 1}
    assert [m.id for m in digests(deps)] == [digest.digest_id(VODOKANAL, MORNING.date()),
                                             digest.digest_id(VODOKANAL, (MORNING + timedelta(days=1)).date())]


def test_a_run_tried_again_the_same_day_adds_no_second_digest(deps, clock):
    waiting(deps)
    clock.set(MORNING)
    day = MORNING.astimezone(deps.city.zone).date()

    assert len(digest.queue_digests(deps, day)) == 1
    assert digest.queue_digests(deps, day) == []
    assert len(digests(deps)) == 1


def test_each_city_day_gets_its_digest_at_eight_by_the_hourly_schedule(deps, clock):
    waiting(deps)
    acted = hourly(deps, clock, utc(2026, 11, 24, 0, 0), 24 * 3)

    assert acted == ["2026-11-24 08:00 EET", "2026-11-25 08:00 EET", "2026-11-26 08:00 EET"]


def test_across_the_spring_forward_day_the_digest_still_goes_at_eight(deps, clock):
    # 28 March 2027: at 03:00 EET the clocks go to 04:00 EEST.
    waiting(deps)
    acted = hourly(deps, clock, utc(2027, 3, 26, 22, 0), 24 * 3)

    assert acted == ["2027-03-27 08:00 EET", "2027-03-28 08:00 EEST", "2027-03-29 08:00 EEST"]


def test_across_the_fall_back_day_the_digest_goes_once_at_eight(deps, clock):
    # 25 October 2026: at 04:00 EEST the clocks go back to 03:00 EET, so that day has 25 hours.
    waiting(deps)
    acted = hourly(deps, clock, utc(2026, 10, 23, 21, 0), 24 * 3)

    assert acted == ["2026-10-24 08:00 EEST", "2026-10-25 08:00 EET", "2026-10-26 08:00 EET"]


def test_an_emergency_is_e_mailed_at_once_and_listed_again_first_while_it_still_waits(api, clock, email):
    cookie = api.sign_in()
    filed = [api.json(api.post("/api/tickets", ticket_body(cause=cause), headers=cookie))
             for cause in ("water.low-pressure", "water.main-burst")]  # 11:00 in Kyiv
    emergency = filed[1]["number"]
    new_ticket = (f"Нове звернення № {emergency}: Порив водогону: вода б'є з-під землі, проспект Дмитра "
                  "Яворницького, 8. Виконати до 23.11.2026 17:00.")
    assert [m.subject for m in email.sent] == [new_ticket]

    clock.set(MORNING)
    digest.morning_digest(api.deps)
    tick.minute(api.deps)  # the deadline sweep's reminders and overdue notices go out too

    assert [m.subject for m in email.sent if m.subject.startswith("Нове звернення")] == [new_ticket]
    (sent,) = [m for m in email.sent if m.subject.startswith("КП «Дніпроводоканал»: звернення, що чекають")]
    lines = sent.text.split("\n\n")[1].split("\n")
    assert [line.split(":")[0] for line in lines] == [f"№ {emergency}", f"№ {filed[0]['number']}"]
    assert sent.subject.endswith(": 2")


def test_an_emergency_taken_into_work_is_in_no_digest(api, clock):
    cookie = api.sign_in()
    filed = api.json(api.post("/api/tickets", ticket_body(cause="water.main-burst"), headers=cookie))
    body = {"version": api.deps.storage.tickets.get(filed["id"]).version}
    accepted = api.post(f"/api/admin/tickets/{filed['id']}/accept", body, headers=api.staff("executor", VODOKANAL))
    assert accepted.status_code == 200, accepted.body

    clock.set(MORNING)
    assert digest.morning_digest(api.deps) == {"day": "2026-11-24", "digests": 0}
    assert digests(api.deps) == []


def test_the_hourly_schedule_queues_the_digests_when_the_morning_comes_and_not_before(client, deps, clock):
    waiting(deps)
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=["arn:aws:events:eu-central-1:123456789012:rule/digest"])
    clock.set(MORNING - timedelta(hours=1))
    client.lambda_.invoke("morning_digest", event)
    assert digests(deps) == []

    clock.set(MORNING)
    client.lambda_.invoke("morning_digest", event)

    assert [m.to for m in digests(deps)] == [VODOKANAL_EMAIL]


@pytest.mark.parametrize("at, queued", [(MORNING - timedelta(minutes=1), 0), (MORNING, 1)])
def test_the_local_servers_tick_queues_the_digest_from_eight(deps, clock, at, queued):
    waiting(deps)
    clock.set(at)

    local_tick(deps)

    assert len(digests(deps)) == queued
