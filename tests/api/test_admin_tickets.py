"""The staff's tickets through the API: filing for a caller, the queue and its
export, a ticket's detail, and the commands that walk a ticket from filing to
closing (and through the housing inspectorate)."""

import csv
import io
from dataclasses import replace
from datetime import timedelta
from urllib.parse import quote

import pytest

from chalicelib.domain.organisation import Organisation
from chalicelib.domain.staff import ROLES
from chalicelib.domain.ticket import COMMANDS, Address, State
from chalicelib.services import staff_tickets
from chalicelib.services.permissions import MAY
from tests import images
from tests.api.client import PHONE, PHONE_E164, ticket
from tests.builders import NOW, store_ticket

CALLER_PHONE, CALLER_E164 = "(050) 765-43-21", "+380507654321"
ORGANISATION, OTHER_ORGANISATION = "dniprovodokanal", "teploenergo"


def caller_filing(**changes) -> dict:
    return {**ticket(photos=None), "caller": {"phone": CALLER_PHONE, "name": "Ivan Petrenko"}, "channel": "phone",
            **changes}


@pytest.fixture
def operator(api):
    return api.staff("operator", name="Olha Operator")


@pytest.fixture
def executor(api):
    return api.staff("executor", ORGANISATION, name="Petro Plumber")


@pytest.fixture
def inspector(api):
    return api.staff("inspector", name="Iryna Inspector")


def file_for_caller(api, operator, **changes) -> dict:
    filed = api.post("/api/admin/tickets", caller_filing(**changes), headers=operator)
    assert filed.status_code == 201, filed.body
    return api.json(filed)


def detail(api, headers, ticket_id) -> dict:
    answer = api.get(f"/api/admin/tickets/{ticket_id}?lang=en", headers=headers)
    assert answer.status_code == 200, answer.body
    return api.json(answer)


def act(api, headers, ticket_id, name, **fields):
    """Take the command on the ticket as the staff member just read it."""
    version = detail(api, headers, ticket_id)["version"]
    return api.post(f"/api/admin/tickets/{ticket_id}/{name}?lang=en", {"version": version, **fields}, headers=headers)


def done(api, headers, ticket_id, name, **fields) -> dict:
    answer = act(api, headers, ticket_id, name, **fields)
    assert answer.status_code == 200, answer.body
    return api.json(answer)


def queue(api, headers, query: str = "") -> dict:
    answer = api.get(f"/api/admin/tickets{query}", headers=headers)
    assert answer.status_code == 200, answer.body
    return api.json(answer)


# --- filing for a caller -----------------------------------------------------------------

def test_an_operator_files_for_a_caller_who_gets_an_account_and_the_filed_sms(api, operator, sms):
    receipt = file_for_caller(api, operator)

    assert sorted(receipt) == ["due_at", "id", "number", "status"] and receipt["status"] == "assigned"
    caller = api.deps.storage.users.by_phone(CALLER_E164)
    assert caller is not None and caller.name == "Ivan Petrenko"
    stored = api.deps.storage.tickets.get(receipt["id"])
    assert (stored.reporter_id, stored.channel, stored.organisation) == (caller.id, "phone", ORGANISATION)
    assert [receipt["number"] in text for text in sms.to(CALLER_E164)] == [True]
    shown = detail(api, operator, receipt["id"])
    assert shown["reporter"] == {"removed": "", "contact": True}
    contact = api.get(f"/api/admin/tickets/{receipt['id']}/contact", headers=operator)
    assert api.json(contact) == {"name": "Ivan Petrenko", "phone": CALLER_E164, "email": ""}
    assert [(h["command"], h["actor"]) for h in shown["history"]] == [
        ("file", {"role": "operator", "name": "Olha Operator"}), ("route", {"role": "system", "name": "System"})]


def test_a_caller_with_an_account_gets_the_ticket_in_their_cabinet_under_their_own_name(api, operator):
    cookie = api.sign_in(PHONE)
    receipt = file_for_caller(api, operator, caller={"phone": "+38 (050) 123-45-67", "name": "Someone Else"},
                              channel="walk_in")

    mine = api.json(api.get("/api/tickets", headers=cookie))["current"]
    assert [t["id"] for t in mine] == [receipt["id"]]
    assert api.deps.storage.users.by_phone(PHONE_E164).name == ""


def test_a_repeated_filing_with_the_same_idempotency_key_files_once(api, operator, sms):
    headers = {**operator, "Idempotency-Key": "call-17"}
    first = api.post("/api/admin/tickets", caller_filing(), headers=headers)
    again = api.post("/api/admin/tickets", caller_filing(), headers=headers)

    assert first.status_code == again.status_code == 201 and api.json(first) == api.json(again)
    assert api.count("tickets") == 1 and len(sms.to(CALLER_E164)) == 1


@pytest.mark.parametrize("changes, code", [
    ({"cause": "water.no-such-cause"}, "unknown_cause"),
    ({"channel": "web"}, "unknown_channel"),
    ({"caller": {"phone": "12", "name": "Ivan"}}, "bad_phone"),
    ({"caller": "Ivan"}, "required"),
    ({"caller": {"phone": CALLER_PHONE, "language": "de"}}, "unknown_language"),
])
def test_a_refused_filing_makes_neither_a_ticket_nor_an_account(api, operator, changes, code):
    before = api.snapshot()

    answer = api.post("/api/admin/tickets", caller_filing(**changes), headers=operator)

    assert answer.status_code == 422 and api.error(answer)["code"] == code
    assert api.snapshot()["users"] == before["users"] and api.count("tickets") == 0


def test_the_duplicate_hint_shows_the_open_ticket_and_the_operator_merges_the_new_one_into_it(api, operator, clock):
    first = file_for_caller(api, operator)
    clock.advance(timedelta(minutes=20))
    second = file_for_caller(api, operator, caller={"phone": "067 111 22 33", "name": "Neighbour"})

    hint = api.json(api.get("/api/admin/tickets/similar?cause=water.low-pressure&street=yavornytskoho-ave&house=8",
                            headers=operator))
    assert [t["number"] for t in hint["tickets"]] == [second["number"], first["number"]]
    assert sorted(hint["tickets"][0]) == ["due_at", "filed_at", "id", "number", "state", "status_label"]

    merged = done(api, operator, second["id"], "merge", into=first["number"], note="Same riser")

    assert merged["status"] == "duplicate"
    assert api.deps.storage.tickets.get(second["id"]).merged_into == first["id"]


@pytest.mark.parametrize("into, code", [
    ("itself", "cannot_merge_into_itself"), ("999999", "unknown_ticket_number"), ("closed", "merge_into_closed"),
    (None, "unknown_ticket_number"),
])
def test_a_ticket_merges_only_into_another_open_ticket(api, operator, into, code):
    filed = file_for_caller(api, operator)
    closed = store_ticket(api.deps.storage, state=State.CLOSED, closed_at=NOW)
    number = {"itself": filed["number"], "closed": closed.number}.get(into, into)

    answer = act(api, operator, filed["id"], "merge", into=number)

    assert answer.status_code == 422 and api.error(answer)["code"] == code


# --- the operator's commands -------------------------------------------------------------

def test_an_operator_routes_and_reassigns_only_to_an_executor(api, operator):
    filed = file_for_caller(api, operator)

    assert done(api, operator, filed["id"], "route", organisation=OTHER_ORGANISATION)["organisation"]["code"] \
        == OTHER_ORGANISATION
    refused = act(api, operator, filed["id"], "route", organisation="dept-housing")
    assert refused.status_code == 422 and api.error(refused)["code"] == "not_an_executor"
    back = done(api, operator, filed["id"], "route", organisation=ORGANISATION)
    assert (back["status"], back["organisation"]["code"]) == ("assigned", ORGANISATION)
    assert back["organisation"]["label"] == back["organisation"]["name"]


def test_a_rejection_needs_a_reason_and_ends_the_ticket(api, operator):
    filed = file_for_caller(api, operator)

    assert act(api, operator, filed["id"], "reject").status_code == 422
    rejected = done(api, operator, filed["id"], "reject", reason="Not a municipal matter")

    assert rejected["status"] == "rejected" and rejected["history"][-1]["note"] == "Not a municipal matter"
    assert rejected["actions"] == ["publish"]


def test_call_backs_close_a_ticket_or_start_its_urgent_second_round(api, operator, executor):
    filed = file_for_caller(api, operator)
    done(api, executor, filed["id"], "accept")
    done(api, executor, filed["id"], "report_done", note="Valve replaced")

    assert act(api, operator, filed["id"], "callback_unsatisfied").status_code == 422
    second = done(api, operator, filed["id"], "callback_unsatisfied", note="Still no pressure on floor 9")
    assert (second["status"], second["round"]) == ("reopened", 2)
    assert api.deps.storage.tickets.get(filed["id"]).sla_hours <= 24

    done(api, executor, filed["id"], "accept")
    done(api, executor, filed["id"], "report_done", note="Pump adjusted")
    closed = done(api, operator, filed["id"], "callback_satisfied", note="Pressure is fine now")
    assert closed["status"] == "closed"
    assert [h["actor"]["name"] for h in closed["history"][-3:]] == ["Petro Plumber", "Petro Plumber", "Olha Operator"]


def test_the_inspectorate_inspects_fines_orders_and_resolves_an_escalated_ticket(api, operator, executor, inspector):
    filed = file_for_caller(api, operator)
    assert api.get(f"/api/admin/tickets/{filed['id']}", headers=inspector).status_code == 404
    done(api, executor, filed["id"], "accept")
    done(api, executor, filed["id"], "report_done", note="Valve replaced")
    done(api, operator, filed["id"], "callback_unsatisfied", note="No change")
    escalated = done(api, operator, filed["id"], "escalate", note="Second round ignored")
    assert (escalated["status"], escalated["escalated"]) == ("inspection", True)
    assert [t["id"] for t in queue(api, inspector)["tickets"]] == [filed["id"]]

    done(api, inspector, filed["id"], "inspect", note="Riser corroded")
    done(api, inspector, filed["id"], "fine", amount=1700, note="Ignored the second round")
    ordered = done(api, inspector, filed["id"], "order", due_at="2026-11-26T12:00", note="Replace the riser")
    assert (ordered["status"], ordered["due_at"]) == ("in_progress", "2026-11-26T10:00:00Z")
    assert ordered["history"][-1]["actor"] == {"role": "inspector", "name": "Iryna Inspector"}
    assert api.deps.storage.tickets.get(filed["id"]).fines[0]["amount"] == 1700

    done(api, executor, filed["id"], "report_done", note="Riser replaced")
    done(api, operator, filed["id"], "callback_unsatisfied", note="Leaks again")
    resolved = done(api, inspector, filed["id"], "resolve", note="Fixed under supervision")
    assert resolved["status"] == "closed"


@pytest.mark.parametrize("fields, code", [
    ({"due_at": "next week"}, "must_be_time"), ({"due_at": "2026-11-20T10:00:00Z"}, "must_be_future"),
    # After the year 9999 in UTC.
    ({"due_at": "9999-12-31T23:59:59-05:00"}, "must_be_time"),
])
def test_an_order_needs_a_time_to_come(api, inspector, fields, code):
    ticket_id = store_ticket(api.deps.storage, state=State.INSPECTION, escalated=True).id

    answer = act(api, inspector, ticket_id, "order", **fields)

    assert answer.status_code == 422 and api.error(answer)["code"] == code


def test_an_executor_reports_work_done_with_a_photo(api, operator, executor):
    filed = file_for_caller(api, operator)
    done(api, executor, filed["id"], "accept")
    form = api.post("/api/admin/uploads", {"content_type": "image/jpeg", "size": 2000}, headers=executor)
    assert form.status_code == 201, form.body
    key = api.json(form)["key"]
    api.deps.photos.write(key, images.jpeg_with_location(), "image/jpeg")

    reported = done(api, executor, filed["id"], "report_done", note="Valve replaced", photos=[key])

    assert reported["status"] == "done" and len(reported["history"][-1]["photos"]) == 1
    assert api.deps.photos.head(key) is None


def test_an_executor_may_not_attach_a_photo_someone_else_uploaded(api, operator, executor):
    filed = file_for_caller(api, operator)
    done(api, executor, filed["id"], "accept")
    key = api.json(api.post("/api/admin/uploads", {"content_type": "image/png", "size": 200}, headers=operator))["key"]
    api.deps.photos.write(key, images.png(), "image/png")

    answer = act(api, executor, filed["id"], "report_done", note="Done", photos=[key])

    assert answer.status_code == 422 and api.error(answer)["code"] == "photo_not_yours"
    assert api.deps.storage.tickets.get(filed["id"]).state == State.IN_PROGRESS


def test_staff_comment_and_the_operator_publishes_the_description(api, operator, executor):
    filed = file_for_caller(api, operator)
    done(api, executor, filed["id"], "comment", text="Which entrance exactly?")
    published = done(api, operator, filed["id"], "publish", public=True)

    assert published["description_public"] is True
    assert [(h["command"], h["note"]) for h in published["history"][-2:]] == [
        ("comment", "Which entrance exactly?"), ("publish", "")]


# --- the detail and the rules of every command -------------------------------------------

def test_the_detail_offers_each_role_its_own_commands(api, operator, executor):
    filed = file_for_caller(api, operator)
    admin = api.staff("admin")

    assert detail(api, operator, filed["id"])["actions"] == ["route", "reject", "merge", "comment", "publish"]
    assert detail(api, executor, filed["id"])["actions"] == ["accept", "comment"]
    assert detail(api, admin, filed["id"])["actions"] == []
    shown = detail(api, admin, filed["id"])
    assert shown["version"] == 2 and shown["escalated"] is False and shown["description_public"] is False


def test_the_history_names_the_resident_and_the_system_in_the_readers_language(api, operator):
    cookie = api.sign_in(PHONE)
    filed = api.json(api.post("/api/tickets", ticket(), headers=cookie))

    shown = api.json(api.get(f"/api/admin/tickets/{filed['id']}?lang=uk", headers=operator))

    assert [h["actor"] for h in shown["history"]] == [{"role": "resident", "name": "Мешканець"},
                                                      {"role": "system", "name": "Система"}]


def test_a_command_on_a_version_read_before_another_change_is_refused(api, operator):
    filed = file_for_caller(api, operator)
    version = detail(api, operator, filed["id"])["version"]
    done(api, operator, filed["id"], "comment", text="Called back, no answer")

    stale = api.post(f"/api/admin/tickets/{filed['id']}/reject", {"version": version, "reason": "Spam"},
                     headers=operator)

    assert stale.status_code == 409 and api.error(stale)["code"] == "stale_version"
    assert api.deps.storage.tickets.get(filed["id"]).state == State.ASSIGNED


@pytest.mark.parametrize("version", [None, "2", 2.0, True])
def test_a_command_without_a_whole_number_version_is_refused(api, operator, version):
    filed = file_for_caller(api, operator)
    body = {"reason": "Spam"} if version is None else {"version": version, "reason": "Spam"}

    answer = api.post(f"/api/admin/tickets/{filed['id']}/reject", body, headers=operator)

    assert answer.status_code == 422 and api.error(answer)["code"] == "must_be_whole_number"


def test_every_command_a_staff_role_may_take_has_its_fields_read():
    staff_commands = set().union(*(MAY[role] for role in ROLES)) & set(COMMANDS)

    assert staff_commands == set(staff_tickets.PARSERS)


@pytest.mark.parametrize("name, status", [("confirm", 403), ("remind", 403), ("accept", 403), ("fly", 404)])
def test_commands_that_are_not_the_operators_are_refused(api, operator, name, status):
    filed = file_for_caller(api, operator)

    assert act(api, operator, filed["id"], name).status_code == status


def test_a_command_the_state_does_not_allow_is_a_conflict(api, operator):
    filed = file_for_caller(api, operator)

    answer = act(api, operator, filed["id"], "callback_satisfied")

    assert answer.status_code == 409 and api.error(answer)["code"] == "illegal_transition"


# --- the queue -----------------------------------------------------------------------------

def stored(api, hours: int, **fields):
    """A ticket due `hours` after NOW."""
    made = store_ticket(api.deps.storage, **fields)
    moved = replace(made, due_at=NOW + timedelta(hours=hours), version=2)
    api.deps.storage.tickets.update(moved, 1, [])
    return moved


def test_the_queue_lists_tickets_by_deadline_with_their_labels_and_counts(api, operator):
    later = stored(api, 20)
    sooner = stored(api, 2, state=State.ASSIGNED)

    answer = queue(api, operator, "?lang=en")

    assert [t["id"] for t in answer["tickets"]] == [sooner.id, later.id] and answer["next"] is None
    assert answer["counts"] == {"new": 1, "assigned": 1}
    row = answer["tickets"][0]
    assert row == {
        "id": sooner.id, "number": sooner.number, "state": "assigned", "status_label": "Sent to the executor",
        "topic": {"code": "water", "label": "Water supply"},
        "cause": {"code": "water.low-pressure", "label": row["cause"]["label"], "sla_class": "short"},
        "organisation": {"code": ORGANISATION, "label": row["organisation"]["label"]},
        "address": "Dmytra Yavornytskoho Avenue, 8",
        "district": {"code": "tsentralnyi", "label": "Tsentralnyi District"},
        "filed_at": "2026-11-23T09:00:00Z", "due_at": "2026-11-23T11:00:00Z", "overdue": False, "round": 1,
        "escalated": False, "channel": "web"}
    assert [t["id"] for t in queue(api, operator, "?order=desc")["tickets"]] == [later.id, sooner.id]


def test_each_filter_of_the_queue_picks_its_tickets_and_the_counts_follow_it(api, operator):
    wanted = stored(api, 3, state=State.ASSIGNED, organisation=OTHER_ORGANISATION, topic="heating",
                    cause="heating.low-temperature", address=Address("sicheslavska-naberezhna", "3"), overdue=True)
    stored(api, 4, state=State.ASSIGNED)
    stored(api, 5, organisation=OTHER_ORGANISATION, topic="heating", cause="heating.low-temperature")
    for query in ("?state=assigned,in_progress&organisation=teploenergo", "?topic=heating&state=assigned",
                  "?cause=heating.low-temperature&state=assigned", "?street=sicheslavska-naberezhna", "?overdue=1"):
        assert [t["id"] for t in queue(api, operator, query)["tickets"]] == [wanted.id], query
    assert queue(api, operator, "?topic=heating&state=assigned")["counts"] == {"assigned": 1, "new": 1}
    assert len(queue(api, operator, "?overdue=0")["tickets"]) == 2


def test_the_filing_days_are_the_citys_days(api, operator):
    # Kyiv is two hours ahead of UTC in November.
    late_on_the_22nd = stored(api, 1, filed_at=NOW.replace(hour=21, minute=59) - timedelta(days=1))
    early_on_the_23rd = stored(api, 2, filed_at=NOW.replace(hour=22, minute=0) - timedelta(days=1))

    assert [t["id"] for t in queue(api, operator, "?from=2026-11-23&to=2026-11-23")["tickets"]] == [
        early_on_the_23rd.id]
    assert [t["id"] for t in queue(api, operator, "?to=2026-11-22")["tickets"]] == [late_on_the_22nd.id]


def test_paging_through_the_queue_shows_every_ticket_once(api, operator):
    made = [stored(api, hours) for hours in (5, 1, 4, 2, 3)]

    seen, query = [], "?limit=2"
    while True:
        page = queue(api, operator, query)
        seen += [t["id"] for t in page["tickets"]]
        if page["next"] is None:
            break
        query = f"?limit=2&after={quote(page['next'])}"

    assert seen == [t.id for t in sorted(made, key=lambda t: t.due_at)]


@pytest.mark.parametrize("query, field", [
    ("?state=lost", "state"), ("?topic=weather", "topic"), ("?cause=water.nothing", "cause"),
    ("?organisation=nobody", "organisation"), ("?street=nowhere", "street"), ("?overdue=maybe", "overdue"),
    ("?from=2026-13-01", "from"), ("?to=23.11.2026", "to"), ("?order=up", "order"), ("?limit=0", "limit"),
    # Days whose start (or whose next day's) in UTC is outside the years 1 to 9999.
    ("?from=0001-01-01", "from"), ("?to=9999-12-31", "to"),
    ("?limit=101", "limit"), ("?limit=ten", "limit"), ("?after=" + "x" * 201, "after"),
])
def test_a_queue_parameter_that_is_no_value_it_takes_is_refused(api, operator, query, field):
    answer = api.get(f"/api/admin/tickets{query}", headers=operator)

    assert answer.status_code == 422, (query, answer.body)
    assert api.error(answer)["code"] in ("unknown_state", "unknown_topic", "unknown_cause", "unknown_organisation",
                                         "unknown_street", "must_be_true_or_false", "must_be_date", "unknown_order",
                                         "must_be_whole_number_between", "bad_cursor")


def test_an_executor_of_another_organisation_never_sees_the_ticket(api, operator):
    filed = file_for_caller(api, operator)
    other = api.staff("executor", OTHER_ORGANISATION)

    assert api.get(f"/api/admin/tickets/{filed['id']}", headers=other).status_code == 404
    assert act_as_blind(api, other, filed["id"]).status_code == 404
    assert queue(api, other)["tickets"] == [] and queue(api, other)["counts"] == {}
    assert queue(api, other, f"?organisation={ORGANISATION}")["tickets"] == []
    export = api.get(f"/api/admin/tickets/export?organisation={ORGANISATION}", headers=other)
    assert filed["number"] not in export.body.decode("utf-8")


def act_as_blind(api, headers, ticket_id):
    """A command from someone who cannot read the ticket's version: they guess it."""
    return api.post(f"/api/admin/tickets/{ticket_id}/accept", {"version": 2}, headers=headers)


def test_an_inspector_sees_only_escalated_tickets(api, inspector):
    stored(api, 1)
    escalated = stored(api, 2, state=State.IN_PROGRESS, escalated=True)

    answer = queue(api, inspector, "?state=new,in_progress")

    assert [t["id"] for t in answer["tickets"]] == [escalated.id] and answer["counts"] == {"in_progress": 1}


# --- the export ----------------------------------------------------------------------------

def test_the_export_is_a_spreadsheet_of_the_filtered_queue_without_the_reporter(api, operator):
    filed = file_for_caller(api, operator)
    stored(api, 3, organisation=OTHER_ORGANISATION)

    answer = api.get(f"/api/admin/tickets/export?organisation={ORGANISATION}&lang=uk", headers=operator)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="tickets-2026-11-23.csv"'
    assert answer.body.startswith("\ufeff".encode("utf-8"))
    text = answer.body.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Номер", "Статус", "Тема", "Проблема", "Виконавець", "Адреса", "Район", "Подано", "Термін",
                       "Прострочено", "Коло", "Передано інспекції", "Канал"]
    assert [row[0] for row in rows[1:]] == [filed["number"]]
    assert rows[1][7] == "23.11.2026 11:00" and rows[1][9] == "ні" and rows[1][12] == "Телефонний дзвінок"
    for personal in (CALLER_E164, "Ivan Petrenko", "14", "code 14K", "Weak cold water"):
        assert personal not in text


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(api, operator):
    api.deps.storage.directory.put_organisation(Organisation(
        "evil", "executor", {"uk": "=HYPERLINK(1)", "ru": "=HYPERLINK(1)", "en": "=HYPERLINK(1)"}, "dept-housing"))
    stored(api, 3, organisation="evil")

    text = api.get("/api/admin/tickets/export", headers=operator).body.decode("utf-8")

    assert list(csv.reader(io.StringIO(text[1:])))[1][4] == "'=HYPERLINK(1)"


def test_the_export_needs_a_staff_session(api):
    assert api.get("/api/admin/tickets/export", headers=api.sign_in()).status_code == 401

