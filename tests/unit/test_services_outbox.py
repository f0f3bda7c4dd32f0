"""Sending queued messages: once, by their channel, with back-off on failure, dead after
five tries; held by quiet hours and the daily caps, which are counted by the city's clock."""

import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.outbox import DEAD, EMAIL, PENDING, SENT, OutboxMessage
from chalicelib.jobs import tick
from chalicelib.services import outbox
from chalicelib.services.ports import EmailError, EmailSender, SmsError, SmsSender
from chalicelib.settings import Settings
from tests.builders import NOW


def queue(deps, id="m-1", to="+380501234567", **fields):
    deps.storage.outbox.add([OutboxMessage(id=id, to=to, text="Request No. 1000051 is accepted.", created_at=NOW,
                                           next_attempt_at=NOW, kind="filed", **fields)])


def test_the_tick_sends_what_is_ready_once(deps, sms):
    queue(deps, "m-1")
    queue(deps, "m-2")
    assert tick.minute(deps) == {"outbox": {"sent": 2}}
    assert tick.minute(deps) == {"outbox": {}}
    assert len(sms.sent) == 2
    sent = deps.storage.outbox.get("m-1")
    assert sent.status == SENT and sent.sent_at == NOW and sent.provider_id == "recorded-1" and sent.tries == 1


def test_a_message_another_sender_holds_is_skipped(deps, sms):
    queue(deps)
    deps.storage.outbox.claim("m-1", NOW, NOW + timedelta(minutes=5))
    assert outbox.send(deps, "m-1") == "skipped"
    assert sms.sent == []


def test_failures_back_off_one_two_four_eight_minutes_and_the_fifth_is_dead(deps, sms, clock):
    queue(deps)
    waits = []
    for _ in range(4):
        sms.fail_next()
        assert outbox.send(deps, "m-1") == "retry"
        message = deps.storage.outbox.get("m-1")
        waits.append(message.next_attempt_at - clock.now())
        assert outbox.send(deps, "m-1") == "skipped"  # not ready before its time
        clock.set(message.next_attempt_at)
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    sms.fail_next()
    assert outbox.send(deps, "m-1") == "dead"
    assert [m.id for m in deps.storage.outbox.dead()] == ["m-1"]
    assert deps.storage.outbox.ready(clock.now() + timedelta(days=1)) == []


def test_a_retry_that_succeeds_is_sent(deps, sms, clock):
    queue(deps)
    sms.fail_next()
    tick.minute(deps)
    clock.advance(timedelta(minutes=1))
    assert tick.minute(deps) == {"outbox": {"sent": 1}}
    assert deps.storage.outbox.get("m-1").status == SENT


class RefusesWithTheNumber(SmsSender):
    """A provider whose error message repeats the number it refused, as real ones do."""

    def send(self, to, text, *, urgent=False):
        raise SmsError(f"Invalid parameter: PhoneNumber {to} is not reachable")


def test_a_provider_error_is_kept_with_the_number_masked(deps):
    queue(deps)
    outbox.send(replace(deps, sms=RefusesWithTheNumber()), "m-1")
    failed = deps.storage.outbox.get("m-1")
    assert failed.status == PENDING and "+380501234567" not in failed.last_error
    assert "+380*****4567" in failed.last_error


@pytest.mark.parametrize("tries, status", [(1, PENDING), (4, PENDING), (5, DEAD)])
def test_after_failure_is_a_pure_decision(tries, status):
    message = OutboxMessage(id="m", to="+380501234567", text="t", created_at=NOW, next_attempt_at=NOW, tries=tries)
    assert outbox.after_failure(message, "boom", NOW).status == status


# --- channels and logs ---------------------------------------------------------------

def test_an_email_goes_through_the_email_sender_with_its_subject(deps, sms, email):
    queue(deps, "m-1", to="dispatcher@vodokanal.example", channel=EMAIL, subject="New request No. 1000051")

    assert outbox.send(deps, "m-1") == "sent"

    assert [(m.to, m.subject, m.text) for m in email.sent] == [
        ("dispatcher@vodokanal.example", "New request No. 1000051", "Request No. 1000051 is accepted.")]
    assert sms.sent == []
    assert deps.storage.outbox.get("m-1").provider_id == "recorded-1"


class RefusesWithTheAddress(EmailSender):
    def send(self, to, subject, text):
        raise EmailError(f"Address {to} is on the suppression list")


def test_a_failed_email_is_retried_and_its_error_keeps_the_address_masked(deps):
    queue(deps, "m-1", to="jane@example.org", channel=EMAIL, subject="s")

    assert outbox.send(replace(deps, email=RefusesWithTheAddress()), "m-1") == "retry"

    failed = deps.storage.outbox.get("m-1")
    assert "jane@example.org" not in failed.last_error and "j***@example.org" in failed.last_error


def test_log_lines_name_recipients_masked_only(deps, sms, caplog):
    caplog.set_level(logging.INFO, logger="chalicelib.services.outbox")
    queue(deps, "m-1")
    queue(deps, "m-2", to="+380671112233")
    queue(deps, "m-3", to="jane@example.org", channel=EMAIL, subject="s")
    sms.fail_next()

    tick.minute(deps)

    assert "+380*****4567" in caplog.text and "j***@example.org" in caplog.text
    for address in ("+380501234567", "+380671112233", "jane@example.org"):
        assert address not in caplog.text


# --- quiet hours -----------------------------------------------------------------------

KYIV = ZoneInfo("Europe/Kyiv")


def kyiv(*args) -> datetime:
    return datetime(*args, tzinfo=KYIV)


@pytest.mark.parametrize("local, goes", [((21, 59), True), ((22, 0), False), ((3, 0), False), ((7, 59), False),
                                         ((8, 0), True)])
def test_status_sms_go_from_eight_in_the_morning_until_ten_at_night_city_time(deps, sms, clock, local, goes):
    clock.set(kyiv(2026, 11, 24, *local))
    queue(deps)

    assert outbox.send(deps, "m-1") == ("sent" if goes else "held")
    assert len(sms.sent) == (1 if goes else 0)


def test_a_status_sms_at_night_waits_until_eight_without_counting_a_try(deps, sms, clock):
    clock.set(kyiv(2026, 11, 23, 22, 30))
    queue(deps)

    assert tick.minute(deps) == {"outbox": {"held": 1}}

    held = deps.storage.outbox.get("m-1")
    assert held.status == PENDING and held.tries == 0 and held.next_attempt_at == kyiv(2026, 11, 24, 8, 0)
    clock.set(kyiv(2026, 11, 24, 7, 59))
    assert tick.minute(deps) == {"outbox": {}}
    clock.set(kyiv(2026, 11, 24, 8, 0))
    assert tick.minute(deps) == {"outbox": {"sent": 1}}
    assert deps.storage.outbox.get("m-1").tries == 1 and len(sms.sent) == 1


def test_an_urgent_sms_and_an_email_go_at_night(deps, sms, email, clock):
    clock.set(kyiv(2026, 11, 24, 3, 0))
    queue(deps, "m-1", urgent=True)
    queue(deps, "m-2", to="dispatcher@vodokanal.example", channel=EMAIL, subject="s")

    assert tick.minute(deps) == {"outbox": {"sent": 2}}
    assert [s.urgent for s in sms.sent] == [True] and len(email.sent) == 1


def test_quiet_hours_end_at_eight_city_time_across_the_spring_clock_change():
    # Kyiv moves from UTC+2 to UTC+3 at 03:00 on 28 March 2027.
    night = datetime(2027, 3, 27, 21, 0, tzinfo=timezone.utc)  # 23:00 in Kyiv

    assert outbox.quiet_until(night, KYIV) == datetime(2027, 3, 28, 5, 0, tzinfo=timezone.utc)
    assert outbox.quiet_until(datetime(2027, 3, 28, 5, 0, tzinfo=timezone.utc), KYIV) is None


# --- the daily caps --------------------------------------------------------------------

def capped(deps, per_phone: int = 10, per_day: int = 2000):
    return replace(deps, settings=replace(deps.settings, sms_per_phone_per_day=per_phone, sms_per_day=per_day))


def test_a_phone_past_its_daily_cap_waits_for_the_next_morning_and_the_admin_is_told(deps, sms, email, clock):
    deps = capped(deps, per_phone=3)
    for n in range(4):
        queue(deps, f"m-{n}")

    assert tick.minute(deps) == {"outbox": {"sent": 3, "held": 1}}

    held = deps.storage.outbox.get("m-3")
    assert held.tries == 0 and held.next_attempt_at == kyiv(2026, 11, 24, 8, 0)
    [alert] = email.sent
    assert alert.to == deps.city.contacts["email"] and alert.subject == "citydesk: номер телефону досяг денного ліміту SMS"
    assert "2026-11-23" in alert.text and "+380*****4567" in alert.text and "+380501234567" not in alert.text
    clock.set(kyiv(2026, 11, 24, 8, 0))
    assert tick.minute(deps) == {"outbox": {"sent": 1}}
    assert len(sms.sent) == 4


def test_an_urgent_sms_past_the_cap_goes_at_the_citys_midnight(deps, sms, clock):
    deps = capped(deps, per_phone=1)
    queue(deps, "m-1", urgent=True)
    queue(deps, "m-2", urgent=True)

    tick.minute(deps)

    assert deps.storage.outbox.get("m-2").next_attempt_at == kyiv(2026, 11, 24, 0, 0)
    clock.set(kyiv(2026, 11, 24, 0, 0))
    assert tick.minute(deps) == {"outbox": {"sent": 1}}


def test_the_caps_count_the_citys_day_not_the_utc_one(deps, sms, clock):
    deps = capped(deps, per_phone=1)
    clock.set(kyiv(2026, 11, 23, 23, 30))  # 21:30 UTC
    queue(deps, "m-1", urgent=True)
    assert outbox.send(deps, "m-1") == "sent"
    clock.set(kyiv(2026, 11, 24, 0, 10))  # still 23 November in UTC
    queue(deps, "m-2", urgent=True)
    queue(deps, "m-3", urgent=True)

    assert [outbox.send(deps, m) for m in ("m-2", "m-3")] == ["sent", "held"]
    assert deps.storage.outbox.get("m-3").next_attempt_at == kyiv(2026, 11, 25, 0, 0)


def test_the_admin_is_told_once_a_day_for_each_cap(deps, sms, email, clock):
    deps = capped(deps, per_phone=1)
    for n in range(4):
        queue(deps, f"m-{n}")
    tick.minute(deps)
    clock.set(kyiv(2026, 11, 24, 12, 0))
    queue(deps, "m-4")

    tick.minute(deps)

    # Day one: one sent, three held and one alert; day two: one of them sent, the rest held, one alert more.
    assert len(sms.sent) == 2
    assert [m.subject for m in email.sent] == ["citydesk: номер телефону досяг денного ліміту SMS"] * 2
    assert [deps.storage.outbox.get(f"alert:sms_phone_cap:{day}").status for day in ("2026-11-23", "2026-11-24")] \
        == [SENT, SENT]


def test_an_organisations_phone_is_not_capped(deps, sms):
    deps = capped(deps, per_phone=2)
    phone = next(o.phone for o in deps.storage.directory.organisations() if o.phone)
    for n in range(5):
        queue(deps, f"m-{n}", to=phone)

    assert tick.minute(deps) == {"outbox": {"sent": 5}}


def test_the_daily_budget_holds_every_sms_beyond_it_urgent_ones_too(deps, sms, email, clock):
    deps = capped(deps, per_phone=2, per_day=3)
    for n in range(5):
        queue(deps, f"m-{n}", to=f"+38067000000{n}", urgent=n == 4)

    assert tick.minute(deps) == {"outbox": {"sent": 3, "held": 2}}

    assert deps.storage.outbox.get("m-3").next_attempt_at == kyiv(2026, 11, 24, 8, 0)
    assert deps.storage.outbox.get("m-4").next_attempt_at == kyiv(2026, 11, 24, 0, 0)
    assert [m.subject for m in email.sent] == ["citydesk: денний бюджет SMS вичерпано"]
    # Held by the budget, an SMS does not use up its phone's own cap.
    clock.set(kyiv(2026, 11, 24, 9, 0))
    for n in (3, 4):
        queue(deps, f"again-{n}", to=f"+38067000000{n}")
    assert tick.minute(deps) == {"outbox": {"sent": 3, "held": 1}}


def test_without_a_contacts_email_the_alert_is_kept_as_a_dead_letter(deps, sms, email):
    deps = capped(replace(deps, city=replace(deps.city, contacts={})), per_phone=1)
    queue(deps, "m-1")
    queue(deps, "m-2")

    tick.minute(deps)

    assert email.sent == []
    [alert] = deps.storage.outbox.dead()
    assert alert.id == "alert:sms_phone_cap:2026-11-23" and "contacts e-mail" in alert.last_error


def test_the_caps_are_read_from_the_environment_and_must_be_positive():
    env = {"CITYDESK_SECRET": "s", "CITYDESK_SMS_PER_PHONE_PER_DAY": "4", "CITYDESK_SMS_PER_DAY": "300"}
    settings = Settings.from_env(env)
    assert (settings.sms_per_phone_per_day, settings.sms_per_day) == (4, 300)
    defaults = Settings.from_env({"CITYDESK_SECRET": "s"})
    assert (defaults.sms_per_phone_per_day, defaults.sms_per_day) == (10, 2000)
    with pytest.raises(ValueError, match="CITYDESK_SMS_PER_DAY"):
        Settings.from_env({**env, "CITYDESK_SMS_PER_DAY": "0"})
