"""The outbox on the staff page: dead letters with their recipients masked, how
many messages are held, the alerts of the caps; the admin puts a dead letter back.
(Who may call which route: test_admin_matrix.)"""

from dataclasses import replace
from datetime import timedelta

from chalicelib import bootstrap
from chalicelib.domain.outbox import DEAD, EMAIL, PENDING
from chalicelib.jobs import tick
from tests.builders import NOW, make_message, store_ticket


def dead_letter(api, **fields):
    message = make_message(status=DEAD, tries=5, last_error="OptedOut", **fields)
    api.deps.storage.outbox.add([message])
    return message


def test_the_outbox_lists_dead_letters_masked_and_counts_the_held_messages(api):
    sms = dead_letter(api, to="+380501234567", ticket_id="ticket-1", created_at=NOW - timedelta(hours=2))
    mail = dead_letter(api, to="dispatcher@vodokanal.example", channel=EMAIL, subject="New request",
                       created_at=NOW - timedelta(hours=1))
    api.deps.storage.outbox.add([make_message(next_attempt_at=NOW + timedelta(hours=3)), make_message()])

    answer = api.get("/api/admin/outbox", headers=api.staff("operator"))

    assert answer.status_code == 200
    seen = api.json(answer)
    assert seen["held"] == 1 and seen["alerts"] == []
    assert [(m["id"], m["channel"], m["to"]) for m in seen["dead"]] == [
        (mail.id, "email", "d***@vodokanal.example"), (sms.id, "sms", "+380*****4567")]
    assert seen["dead"][1] == {
        "id": sms.id, "channel": "sms", "to": "+380*****4567", "kind": "filed", "ticket_id": "ticket-1",
        "urgent": False, "status": "dead", "tries": 5, "last_error": "OptedOut", "created_at": "2026-11-23T07:00:00Z",
        "next_attempt_at": "2026-11-23T09:00:00Z", "sent_at": None, "ticket_number": None}
    assert "+380501234567" not in answer.body.decode() and "dispatcher@" not in answer.body.decode()


def test_a_dead_letter_names_its_tickets_number_for_the_staff_to_find_it(api):
    ticket = store_ticket(api.deps.storage)
    dead_letter(api, ticket_id=ticket.id)

    [seen] = api.json(api.get("/api/admin/outbox", headers=api.staff("operator")))["dead"]

    assert (seen["ticket_id"], seen["ticket_number"]) == (ticket.id, ticket.number)


def test_the_alert_of_a_cap_shows_on_the_staff_page_in_the_callers_language(api, deps):
    capped = replace(deps, settings=replace(deps.settings, sms_per_phone_per_day=1))
    bootstrap.override(capped)
    capped.storage.outbox.add([make_message(to="+380501234567"), make_message(to="+380501234567")])
    tick.minute(capped)

    seen = api.json(api.get("/api/admin/outbox?lang=en", headers=api.staff("admin")))

    assert seen["held"] == 1
    assert seen["alerts"] == [{"id": "alert:sms_phone_cap:2026-11-23", "kind": "sms_phone_cap",
                               "title": "citydesk: a phone reached the daily SMS limit",
                               "raised_at": "2026-11-23T09:00:00Z", "status": "sent"}]


def test_the_admin_puts_a_dead_letter_back_and_it_is_sent_at_once(api, sms):
    message = dead_letter(api, to="+380501234567")

    answer = api.post(f"/api/admin/outbox/{message.id}/retry", headers=api.staff("admin"))

    assert answer.status_code == 200
    assert {key: api.json(answer)[key] for key in ("status", "tries", "sent_at")} == {
        "status": "sent", "tries": 1, "sent_at": "2026-11-23T09:00:00Z"}
    assert [s.to for s in sms.sent] == ["+380501234567"]
    assert api.deps.storage.outbox.dead() == []


def test_a_dead_letter_put_back_that_fails_again_backs_off_afresh(api, sms):
    message = dead_letter(api)
    sms.fail_next()

    sent_back = api.json(api.post(f"/api/admin/outbox/{message.id}/retry", headers=api.staff("admin")))

    assert (sent_back["status"], sent_back["tries"], sent_back["next_attempt_at"]) == (
        PENDING, 1, "2026-11-23T09:01:00Z")


def test_only_a_dead_letter_can_be_put_back(api):
    admin = api.staff("admin")
    pending = make_message()
    api.deps.storage.outbox.add([pending])

    not_dead = api.post(f"/api/admin/outbox/{pending.id}/retry", headers=admin)
    unknown = api.post("/api/admin/outbox/no-such-message/retry", headers=admin)

    assert (not_dead.status_code, api.error(not_dead)["code"]) == (409, "message_not_dead")
    assert (unknown.status_code, api.error(unknown)["code"]) == (404, "message_not_found")
    assert api.deps.storage.outbox.get(pending.id) == pending
