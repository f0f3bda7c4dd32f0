"""A resident's personal data through the API: they download a copy of it and delete
their account (the tickets stay, without them, and go on being worked; no SMS reaches
them after); the nightly job removes the reporter's data from tickets final for longer
than the retention period; staff are shown a reporter's contact only on asking, and
each showing is recorded for an admin. The main flows run on both backends, with an
injected clock; the log lines they write carry nothing personal."""

import json
import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.jobs import nightly, tick
from chalicelib.services import privacy
from tests.api.client import ADDRESS, PHONE, PHONE_E164, ticket
from tests.api.test_cabinet import act, detail, done, file, staff
from tests.builders import NOW

EMAIL = "olena@example.org"
FLAT, NOTE = "913-Б", "Intercom 77Q, ask for Olena"
THREE_YEARS = timedelta(days=3 * 365)
ORGANISATION = "dniprovodokanal"  # where a low-pressure ticket on the test address goes
ORGANISATION_PHONE = "+380567000201"


@pytest.fixture
def any_api(either_api):
    return either_api


def me(api, cookie) -> dict:
    answer = api.get("/api/me", headers=cookie)
    assert answer.status_code == 200, answer.body
    return api.json(answer)


def personal_ticket(api, cookie, **changes) -> str:
    return file(api, cookie, address={**ADDRESS, "flat": FLAT, "note": NOTE}, **changes)


def delete(api, cookie, body=None):
    return api.request("DELETE", "/api/me", {"confirm": True} if body is None else body, headers=cookie)


def staff_detail(api, ticket_id, role="operator") -> dict:
    headers = api.staff(role, ORGANISATION if role == "executor" else None)
    answer = api.get(f"/api/admin/tickets/{ticket_id}?lang=en", headers=headers)
    assert answer.status_code == 200, answer.body
    return api.json(answer)


# --- the resident's copy ------------------------------------------------------------------

def test_a_resident_downloads_their_account_sign_ins_preferences_tickets_ratings_and_answers(any_api, clock):
    api = any_api
    cookie = api.sign_in()
    resident = me(api, cookie)
    api.deps.storage.users.link(resident["id"], "email", EMAIL)
    api.patch("/api/me", {"status_sms": False}, headers=cookie)
    rated = personal_ticket(api, cookie)
    done(api, rated)
    act(api, cookie, rated, "refute", {"comment": "Still no pressure."})
    done(api, rated)
    act(api, cookie, rated, "confirm")
    act(api, cookie, rated, "rate", {"stars": 4, "comment": "Quick enough."})
    clock.advance(timedelta(minutes=5))
    waiting = file(api, cookie)
    file(api, api.sign_in("+380671112233"))  # someone else's

    answer = api.get("/api/me/data", headers=cookie)

    assert answer.status_code == 200, answer.body
    assert answer.headers["Content-Disposition"] == 'attachment; filename="citydesk-my-data-2026-11-23.json"'
    data = api.json(answer)
    assert sorted(data) == ["account", "confirmations", "exported_at", "identities", "preferences", "ratings",
                            "tickets"]
    assert data["account"] == {"id": resident["id"], "phone": PHONE_E164, "name": "", "email": "",
                               "created_at": "2026-11-23T09:00:00Z"}
    assert data["identities"] == [{"kind": "email", "value": EMAIL}, {"kind": "phone", "value": PHONE_E164}]
    assert data["preferences"] == {"language": "uk", "status_sms": False}
    assert [t["id"] for t in data["tickets"]] == [waiting, rated]
    first = data["tickets"][1]
    assert first["address"]["flat"] == FLAT and first["address"]["note"] == NOTE and first["channel"] == "web"
    assert first["status"] == "closed" and "actions" not in first
    # The steps the staff took read "staff", as on the ticket's page: no staff member's name.
    assert {step["by"] for step in first["history"]} == {"resident", "system", "staff"}
    assert data["ratings"] == [{"ticket": first["number"], "stars": 4, "comment": "Quick enough.",
                                "at": first["history"][-1]["at"]}]
    assert [(c["ticket"], c["answer"], c["comment"]) for c in data["confirmations"]] == [
        (first["number"], "refute", "Still no pressure."), (first["number"], "confirm", "")]


def test_the_download_needs_a_session_and_a_few_an_hour_are_enough(api, clock):
    assert api.get("/api/me/data").status_code == 401
    cookie = api.sign_in()
    for _ in range(privacy.EXPORTS_PER_HOUR):
        assert api.get("/api/me/data", headers=cookie).status_code == 200
    refused = api.get("/api/me/data", headers=cookie)
    assert refused.status_code == 429 and api.error(refused)["code"] == "too_many_exports"
    clock.advance(timedelta(hours=1))
    assert api.get("/api/me/data", headers=cookie).status_code == 200


# --- deleting the account -----------------------------------------------------------------

@pytest.mark.parametrize("body", [{}, {"confirm": "yes"}, {"confirm": 1}, {"confirm": False}])
def test_the_account_is_deleted_only_with_an_explicit_confirmation(api, body):
    cookie = api.sign_in()
    personal_ticket(api, cookie)
    before = api.snapshot()

    refused = delete(api, cookie, body)

    assert refused.status_code == 422 and api.error(refused)["code"] == "confirm_deletion"
    assert api.snapshot() == before


def test_deleting_needs_a_session_and_ends_every_one_the_account_had(any_api):
    api = any_api
    assert delete(api, {}).status_code == 401
    phone, laptop = api.sign_in(), api.sign_in()
    old = me(api, phone)["id"]

    deleted = delete(api, phone)

    assert deleted.status_code == 204
    assert deleted.headers["Set-Cookie"].startswith("citydesk_session=;") and "Max-Age=0" in deleted.headers["Set-Cookie"]
    for cookie in (phone, laptop):
        for answer in (api.get("/api/me", headers=cookie), api.get("/api/tickets", headers=cookie),
                       api.post("/api/tickets", ticket(), headers=cookie)):
            assert answer.status_code == 401 and api.error(answer)["code"] == "session_expired"
    gone = api.deps.storage.users.get(old)
    assert gone.deleted and (gone.phone, gone.name) == ("", "")


def test_the_same_phone_and_e_mail_sign_up_afresh_after_the_deletion(any_api):
    api = any_api
    cookie = api.sign_in()
    old = me(api, cookie)
    api.deps.storage.users.link(old["id"], "email", EMAIL)
    personal_ticket(api, cookie)
    assert delete(api, cookie).status_code == 204

    again = api.sign_in()

    fresh = me(api, again)
    assert fresh["id"] != old["id"] and fresh["phone"] == PHONE_E164
    assert api.json(api.get("/api/tickets", headers=again)) == {"current": [], "completed": []}
    assert api.deps.storage.users.by_identity("email", EMAIL) is None


def test_the_tickets_of_a_deleted_account_stay_without_the_reporter_and_go_on_being_worked(any_api, sms):
    api = any_api
    cookie = api.sign_in()
    ticket_id = personal_ticket(api, cookie)
    number = detail(api, cookie, ticket_id)["number"]
    sent_before = len(sms.sent)

    assert delete(api, cookie).status_code == 204

    shown = staff_detail(api, ticket_id)
    assert shown["reporter"] == {"removed": "account_deleted", "contact": False}
    assert (shown["address"]["flat"], shown["address"]["note"], shown["address"]["house"]) == ("", "", "8")
    assert shown["description"] and shown["status"] == "assigned"
    assert shown["history"][-1]["command"] == "anonymise"
    assert [h["actor"]["role"] for h in shown["history"][:1]] == ["resident"]
    staff(api, ticket_id, "accept")
    staff(api, ticket_id, "report_done", note="Pressure restored.")
    assert staff_detail(api, ticket_id)["status"] == "done"
    # No SMS to the deleted resident (the executor's dispatcher is not told of these steps).
    assert [s for s in sms.sent[sent_before:] if s.to == PHONE_E164] == []
    public = api.get(f"/api/public/tickets/{number}")
    assert public.status_code == 200 and api.json(public)["status"] == "done"


def test_sms_to_a_deleted_resident_that_wait_for_the_morning_are_never_sent(any_api, clock, sms):
    api = any_api
    clock.set(datetime(2026, 11, 23, 21, 30, tzinfo=timezone.utc))  # 23:30 in Kyiv: quiet hours
    cookie = api.sign_in()
    ticket_id = personal_ticket(api, cookie)
    held = [m for m in api.deps.storage.outbox.about(ticket_id) if m.to == PHONE_E164]
    assert [m.kind for m in held] == ["filed"] and held[0].status == "pending"

    assert delete(api, cookie).status_code == 204
    clock.set(datetime(2026, 11, 24, 7, 0, tzinfo=timezone.utc))  # 09:00: the held SMS would go now
    tick.minute(api.deps)

    assert [s.text for s in sms.sent if s.to == PHONE_E164 and "код" not in s.text.lower()] == []
    assert [m.to for m in api.deps.storage.outbox.about(ticket_id)] == [ORGANISATION_PHONE]
    assert api.deps.storage.outbox.get(held[0].id) is None


def test_a_repeated_deletion_from_the_same_session_is_answered_the_same_and_changes_nothing(any_api, clock):
    api = any_api
    cookie = api.sign_in()
    resident = me(api, cookie)["id"]
    ticket_id = personal_ticket(api, cookie)
    assert delete(api, cookie).status_code == 204
    tombstone = api.deps.storage.users.get(resident)
    anonymised = api.deps.storage.tickets.get(ticket_id)

    clock.advance(timedelta(seconds=30))
    again = delete(api, cookie)

    assert again.status_code == 204
    assert api.deps.storage.users.get(resident) == tombstone
    assert api.deps.storage.tickets.get(ticket_id) == anonymised


def test_a_deletion_cut_short_after_its_tickets_is_finished_by_the_repeat(api, monkeypatch):
    cookie = api.sign_in()
    resident = me(api, cookie)["id"]
    ticket_id = personal_ticket(api, cookie)
    users = api.deps.storage.users

    def fail(tombstone):
        raise ConnectionError("the table did not answer")

    monkeypatch.setattr(users, "erase", fail)
    assert delete(api, cookie).status_code == 500
    # The account is still there, whole; its ticket is anonymised already.
    assert not users.get(resident).deleted and me(api, cookie)["phone"] == PHONE_E164
    assert api.deps.storage.tickets.get(ticket_id).anonymised == "account_deleted"
    monkeypatch.undo()

    assert delete(api, cookie).status_code == 204
    assert users.get(resident).deleted and users.by_phone(PHONE_E164) is None


# --- the retention period -----------------------------------------------------------------

def close(api, cookie, ticket_id):
    done(api, ticket_id)
    assert act(api, cookie, ticket_id, "confirm").status_code == 200


def stats(api) -> list:
    return api.deps.storage.stats.read("2026-01-01", "2030-12-31")


def test_the_nightly_job_anonymises_the_tickets_final_for_three_years_and_only_those(any_api, clock):
    api = any_api
    cookie = api.sign_in()
    closed = personal_ticket(api, cookie)
    close(api, cookie, closed)
    withdrawn = personal_ticket(api, cookie)
    assert act(api, cookie, withdrawn, "withdraw").status_code == 200
    clock.advance(timedelta(days=30))
    cookie = api.sign_in()  # a session lasts 30 days
    later = personal_ticket(api, cookie)
    close(api, cookie, later)
    still_open = personal_ticket(api, cookie)
    counted = stats(api)

    clock.set(NOW + THREE_YEARS + timedelta(days=1))
    clock.set(clock.now().replace(hour=1))  # 03:00 in Kyiv: the nightly job's hour
    ran = nightly.nightly(api.deps)

    assert ran["anonymised"] == 2
    for ticket_id in (closed, withdrawn):
        anonymised = api.deps.storage.tickets.get(ticket_id)
        assert (anonymised.anonymised, anonymised.reporter_id, anonymised.address.flat) == ("retention", "", "")
    for ticket_id in (later, still_open):
        kept = api.deps.storage.tickets.get(ticket_id)
        assert not kept.anonymised and kept.address.flat == FLAT
    mine = api.json(api.get("/api/tickets", headers=api.sign_in()))
    assert {t["id"] for t in mine["current"] + mine["completed"]} == {later, still_open}
    # Anonymised tickets still count in the statistics: they are kept by day, apart from the tickets.
    assert stats(api) == counted
    clock.advance(timedelta(days=1))
    assert nightly.nightly(api.deps)["anonymised"] == 0


def test_the_retention_period_is_a_setting(api, clock):
    api.deps = replace(api.deps, settings=replace(api.deps.settings, anonymise_after_days=30))
    cookie = api.sign_in()
    ticket_id = personal_ticket(api, cookie)
    close(api, cookie, ticket_id)

    clock.advance(timedelta(days=30))
    assert privacy.anonymise_due(api.deps) == 0
    clock.advance(timedelta(hours=4))
    assert privacy.anonymise_due(api.deps) == 1
    assert api.deps.storage.tickets.get(ticket_id).anonymised == "retention"


def test_the_sms_sent_to_the_reporter_of_an_anonymised_ticket_are_forgotten_and_the_executors_kept(api, clock):
    cookie = api.sign_in()
    ticket_id = personal_ticket(api, cookie)
    close(api, cookie, ticket_id)
    assert {m.to for m in api.deps.storage.outbox.about(ticket_id)} == {PHONE_E164, ORGANISATION_PHONE}

    clock.advance(THREE_YEARS + timedelta(days=1))
    privacy.anonymise_due(api.deps)

    assert {m.to for m in api.deps.storage.outbox.about(ticket_id)} == {ORGANISATION_PHONE}


def test_the_deletion_and_anonymisation_log_lines_carry_no_personal_data(api, clock, caplog):
    operator = api.staff("operator")
    filed = api.post("/api/admin/tickets", {**ticket(address={**ADDRESS, "flat": FLAT, "note": NOTE}),
                                            "caller": {"phone": "050 765 43 21", "name": "Ivan Petrenko"},
                                            "channel": "phone"}, headers=operator)
    assert filed.status_code == 201
    caller_ticket = api.json(filed)["id"]
    staff(api, caller_ticket, "accept")
    staff(api, caller_ticket, "report_done", note="Pressure restored.")
    api.post(f"/api/admin/tickets/{caller_ticket}/callback_satisfied",
             {"version": api.deps.storage.tickets.get(caller_ticket).version}, headers=operator)
    cookie = api.sign_in()
    api.deps.storage.users.link(me(api, cookie)["id"], "email", EMAIL)
    personal_ticket(api, cookie)
    caplog.set_level(logging.DEBUG)
    caplog.clear()

    assert delete(api, cookie).status_code == 204
    clock.advance(THREE_YEARS + timedelta(days=1))
    assert privacy.anonymise_due(api.deps) == 1

    lines = [record.getMessage() for record in caplog.records]
    assert any("deleted their account" in line for line in lines) and any("anonymised 1" in line for line in lines)
    personal = (PHONE_E164, PHONE, "0501234567", "4567", "+380507654321", "0507654321", "4321", "Ivan", "Petrenko",
                EMAIL, FLAT, NOTE, "77Q")
    assert [(line, word) for line in lines for word in personal if word in line] == []


# --- staff views of a reporter's contact ---------------------------------------------------

def test_staff_are_shown_the_contact_only_on_asking_and_each_showing_is_recorded(any_api, clock):
    api = any_api
    cookie = api.sign_in()
    api.deps.storage.users.link(me(api, cookie)["id"], "email", EMAIL)
    ticket_id = personal_ticket(api, cookie)
    number = detail(api, cookie, ticket_id)["number"]
    operator = api.staff("operator", username="olha", name="Olha Operator")

    shown = api.json(api.get(f"/api/admin/tickets/{ticket_id}", headers=operator))
    assert shown["reporter"] == {"removed": "", "contact": True}
    assert PHONE_E164 not in json.dumps(shown, ensure_ascii=False)
    assert api.json(api.get("/api/admin/contact-views", headers=api.staff("admin"))) == {"views": [], "next": None}

    clock.advance(timedelta(minutes=3))
    contact = api.get(f"/api/admin/tickets/{ticket_id}/contact", headers=operator)

    assert contact.status_code == 200
    assert api.json(contact) == {"name": "", "phone": PHONE_E164, "email": EMAIL}
    admin = api.staff("admin")
    views = api.json(api.get("/api/admin/contact-views", headers=admin))
    member = api.deps.storage.staff.by_username("olha")
    assert views == {"views": [{"at": "2026-11-23T09:03:00Z", "ticket": {"id": ticket_id, "number": number},
                                "staff": {"id": member.id, "username": "olha", "role": "operator",
                                          "name": "Olha Operator"}}], "next": None}
    assert api.json(api.get(f"/api/admin/contact-views?ticket={number}", headers=admin)) == views


def test_an_admin_reads_who_saw_a_contact_but_never_the_contact(api):
    ticket_id = personal_ticket(api, api.sign_in())
    assert staff_detail(api, ticket_id, "admin")["reporter"] == {"removed": "", "contact": False}
    admin = api.staff("admin")
    before = api.snapshot()

    refused = api.get(f"/api/admin/tickets/{ticket_id}/contact", headers=admin)

    assert refused.status_code == 403 and api.error(refused)["code"] == "not_allowed"
    assert api.snapshot() == before


def test_there_is_no_contact_to_show_once_the_reporter_deleted_their_account_and_nothing_is_recorded(api):
    cookie = api.sign_in()
    ticket_id = personal_ticket(api, cookie)
    assert delete(api, cookie).status_code == 204
    operator = api.staff("operator")
    before = api.snapshot()

    refused = api.get(f"/api/admin/tickets/{ticket_id}/contact?lang=en", headers=operator)

    assert refused.status_code == 404
    assert api.error(refused) == {"code": "contact_removed", "message":
                                  "The reporter's personal data has been removed: there is no contact to show."}
    assert api.snapshot() == before


def test_the_record_of_views_reads_newest_first_a_page_at_a_time(api, clock):
    tickets = [personal_ticket(api, api.sign_in(f"+38050111000{n}")) for n in range(3)]
    executor = api.staff("executor", ORGANISATION)
    for ticket_id in tickets:
        clock.advance(timedelta(minutes=1))
        assert api.get(f"/api/admin/tickets/{ticket_id}/contact", headers=executor).status_code == 200
    admin = api.staff("admin")

    first = api.json(api.get("/api/admin/contact-views?limit=2", headers=admin))
    rest = api.json(api.get(f"/api/admin/contact-views?limit=2&after={first['next']}", headers=admin))

    assert [v["ticket"]["id"] for v in first["views"] + rest["views"]] == tickets[::-1]
    assert rest["next"] is None and {v["staff"]["role"] for v in first["views"]} == {"executor"}


@pytest.mark.parametrize("query, code", [("limit=0", "must_be_whole_number_between"),
                                         ("limit=abc", "must_be_whole_number_between"),
                                         ("after=" + "x" * 201, "bad_cursor"),
                                         ("ticket=999999999", "unknown_ticket_number")])
def test_a_bad_question_about_the_record_is_422(api, query, code):
    answer = api.get(f"/api/admin/contact-views?{query}", headers=api.staff("admin"))
    assert answer.status_code == 422 and api.error(answer)["code"] == code


def test_the_retention_period_is_read_from_the_environment_three_years_by_default_and_at_least_a_day():
    from chalicelib.settings import Settings

    assert Settings.from_env({"CITYDESK_SECRET": "s"}).anonymise_after_days == 1095
    assert Settings.from_env({"CITYDESK_SECRET": "s", "CITYDESK_ANONYMISE_AFTER_DAYS": "400"}).anonymise_after_days \
        == 400
    with pytest.raises(ValueError, match="CITYDESK_ANONYMISE_AFTER_DAYS"):
        Settings.from_env({"CITYDESK_SECRET": "s", "CITYDESK_ANONYMISE_AFTER_DAYS": "0"})
