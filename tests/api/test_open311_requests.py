"""Reading through Open311: GET requests with every filter of the standard, paging, the
90-day window, an empty parameter as an absent one; one request; tokens; the updates;
and what no answer ever holds (personal data, photos, coordinates)."""

from datetime import timedelta

import pytest

from chalicelib.domain.ticket import Actor, Address, Command, apply
from tests.api.open311 import errors, get, read
from tests.builders import NOW, OPERATOR, make_resident, store_ticket

DAY = timedelta(days=1)
EXECUTOR = Actor("executor", "executor-1", "dniprovodokanal")


def filed(api, days_ago=0, **overrides):
    """A ticket filed `days_ago` days before NOW (or at `filed_at`)."""
    return store_ticket(api.deps.storage, **{"filed_at": NOW - days_ago * DAY, **overrides})


def move(api, ticket, name, at=NOW, actor=OPERATOR, **data):
    changed, events = apply(ticket, Command(name, actor, data), at)
    api.deps.storage.tickets.update(changed, ticket.version, events)
    return changed


def numbers(answer) -> list:
    assert answer.status_code == 200, answer.body
    return [record["service_request_id"] for record in read(answer)]


def listed(api, query="") -> list:
    return numbers(get(api, f"requests.json{query}"))


# --- the window, and the filters -----------------------------------------------------------

def test_without_parameters_the_requests_of_the_last_90_days_come_newest_first(api):
    filed(api, 91)
    edge = filed(api, 90)
    older, newer = filed(api, 10), filed(api, 1)

    assert listed(api) == [newer.number, older.number, edge.number]


def test_start_and_end_date_include_their_own_second(api):
    at = NOW - 5 * DAY
    filed(api, filed_at=at - timedelta(seconds=1))
    first = filed(api, filed_at=at)
    last = filed(api, filed_at=at + timedelta(hours=1, microseconds=900_000))
    filed(api, filed_at=at + timedelta(hours=1, seconds=1))

    found = listed(api, "?start_date=2026-11-18T09:00:00Z&end_date=2026-11-18T10:00:00Z")

    assert found == [last.number, first.number]


def test_a_date_with_an_offset_means_the_same_instant_and_a_plus_sent_unencoded_still_counts(api):
    wanted = filed(api, filed_at=NOW - 5 * DAY)
    filed(api, filed_at=NOW - 3 * DAY)

    in_kyiv = listed(api, "?start_date=2026-11-18T10:00:00%2B02:00&end_date=2026-11-18T12:00:00%2B02:00")
    unencoded = listed(api, "?start_date=2026-11-18T10:00:00+02:00&end_date=2026-11-18T12:00:00+02:00")

    assert in_kyiv == unencoded == [wanted.number]


def test_a_start_date_alone_reaches_90_days_on_and_an_end_date_alone_90_days_back(api):
    early, late = filed(api, 80), filed(api, 5)
    filed(api, 200)

    assert listed(api, "?start_date=2026-08-25T09:00:00Z") == [late.number, early.number]
    assert listed(api, "?end_date=2026-09-10T09:00:00Z") == [early.number]


@pytest.mark.parametrize("query, message", [
    ("?start_date=2026-08-01T00:00:00Z&end_date=2026-11-01T00:00:00Z",
     "From start_date to end_date is at most 90 days."),
    ("?start_date=2026-11-10T00:00:00Z&end_date=2026-11-01T00:00:00Z", "end_date must not be earlier than start_date."),
    ("?start_date=2026-11-01", "“start_date” must be a date and time with its time zone, for example "
                               "2026-11-23T10:00:00Z or 2026-11-23T12:00:00+02:00."),
    ("?end_date=2026-11-01T00:00:00", "“end_date” must be a date and time with its time zone, for example "
                                      "2026-11-23T10:00:00Z or 2026-11-23T12:00:00+02:00."),
    ("?start_date=yesterday", "“start_date” must be a date and time with its time zone, for example "
                              "2026-11-23T10:00:00Z or 2026-11-23T12:00:00+02:00."),
])
def test_a_range_over_90_days_or_backwards_or_a_time_without_its_zone_is_400(api, query, message):
    answer = get(api, f"requests.json{query}&locale=en")

    assert (answer.status_code, errors(answer)) == (400, [(400, message)])


@pytest.mark.parametrize("query, field", [
    # No 90-day window fits before the year 1 or after the year 9999 (found by schemathesis: a 500).
    ("?end_date=0001-02-01T00:00:00Z", "end_date"),
    ("?start_date=9999-12-01T00:00:00Z", "start_date"),
    ("?end_date=9999-12-31T23:59:59Z&start_date=9999-12-30T00:00:00Z", "end_date"),
    # In UTC it is before the year 1.
    ("?start_date=0001-01-01T00:00:00%2B05:00", "start_date"),
])
def test_a_time_whose_window_falls_outside_the_calendar_is_400_not_a_server_error(api, query, field):
    answer = get(api, f"requests.json{query}&locale=en")

    assert (answer.status_code, errors(answer)) == (400, [(400, f"“{field}” must be a date and time with its "
                                                                 "time zone, for example 2026-11-23T10:00:00Z or "
                                                                 "2026-11-23T12:00:00+02:00.")])


def test_exactly_90_days_is_allowed(api):
    first = filed(api, 90)

    assert listed(api, "?start_date=2026-08-25T09:00:00Z&end_date=2026-11-23T09:00:00Z") == [first.number]


def test_service_codes_keep_the_requests_of_any_of_them_comma_separated_or_repeated(api):
    pressure = filed(api, 3, cause="water.low-pressure")
    pothole = filed(api, 2, cause="roads.pothole", topic="roads")
    filed(api, 1, cause="waste.overflowing", topic="waste")

    assert listed(api, "?service_code=roads.pothole") == [pothole.number]
    assert listed(api, "?service_code=roads.pothole,water.low-pressure") == [pothole.number, pressure.number]
    assert listed(api, "?service_code=roads.pothole&service_code=water.low-pressure") \
        == [pothole.number, pressure.number]


def test_an_unknown_service_code_is_404(api):
    answer = get(api, "requests.xml?service_code=roads.pothole,roads.no-such-thing")

    assert answer.status_code == 404 and errors(answer)[0][0] == "404"


def test_status_keeps_the_open_or_the_closed_requests_or_both(api):
    working = move(api, filed(api, 3), "route", organisation="dniprovodokanal")
    rejected = move(api, filed(api, 2), "reject", reason="Not the city's.")
    new = filed(api, 1)

    assert listed(api, "?status=open") == [new.number, working.number]
    assert listed(api, "?status=closed") == [rejected.number]
    assert listed(api, "?status=open,closed") == listed(api, "?status=closed&status=open") == listed(api) \
        == [new.number, rejected.number, working.number]


def test_an_unknown_status_is_400(api):
    answer = get(api, "requests.json?status=open,fixed&locale=en")

    assert errors(answer) == [(400, "The status is open or closed, or both: open,closed.")]


def test_filters_combine(api):
    wanted = filed(api, 5, cause="roads.pothole", topic="roads")
    filed(api, 120, cause="roads.pothole", topic="roads")
    move(api, filed(api, 4, cause="roads.pothole", topic="roads"), "reject", reason="Not the city's.")
    filed(api, 3)

    assert listed(api, "?service_code=roads.pothole&status=open&start_date=2026-11-01T00:00:00Z") == [wanted.number]


def test_service_request_ids_override_every_other_parameter(api):
    old = filed(api, 400)
    recent = filed(api, 1, cause="roads.pothole", topic="roads")

    found = listed(api, f"?service_request_id={old.number},{recent.number},1000000,banana&status=closed"
                        "&service_code=waste.overflowing&start_date=2026-11-20T00:00:00Z&page=2&page_size=1")

    assert found == [old.number, recent.number]


@pytest.mark.parametrize("wrong", ["start_date=nonsense", "page_size=501", "page=0", "status=pending",
                                   "extensions=yes"])
def test_an_overridden_parameter_is_still_checked(api, wrong):
    # Found by schemathesis: page_size=848213566928714240 went unnoticed beside an id.
    number = filed(api, 1).number

    answer = get(api, f"requests.json?service_request_id={number}&{wrong}")

    assert answer.status_code == 400, answer.body


def test_more_than_100_service_request_ids_are_400(api):
    answer = get(api, "requests.json?service_request_id=" + ",".join(str(100000 + n) for n in range(101)))

    assert answer.status_code == 400


def test_an_empty_parameter_is_answered_as_an_absent_one(api):
    filed(api, 3)
    filed(api, 1, cause="roads.pothole", topic="roads")
    empty = "&".join(f"{name}=" for name in ("service_request_id", "service_code", "start_date", "end_date", "status",
                                            "page", "page_size", "extensions", "locale", "jurisdiction_id"))

    for path in ("requests.json", "requests.xml", "servicerequestupdates.json", "services.xml", "discovery.json"):
        assert get(api, f"{path}?{empty}").body == get(api, path).body


def test_a_jurisdiction_id_is_accepted_and_changes_nothing(api):
    filed(api, 1)

    assert get(api, "requests.json?jurisdiction_id=dnipro.example").body == get(api, "requests.json").body


# --- paging ------------------------------------------------------------------------------------

def test_without_paging_at_most_the_first_1000_requests_come(api):
    made = [filed(api, filed_at=NOW - timedelta(minutes=n)) for n in range(1001)]

    assert listed(api) == [t.number for t in made[:1000]]


def test_pages_are_50_by_default_and_page_size_up_to_500(api):
    made = [filed(api, filed_at=NOW - timedelta(minutes=n)) for n in range(120)]
    newest_first = [t.number for t in made]

    assert listed(api, "?page=1") == newest_first[:50]
    assert listed(api, "?page=3") == newest_first[100:]
    assert listed(api, "?page=4") == []
    assert listed(api, "?page_size=7") == newest_first[:7]
    assert listed(api, "?page=2&page_size=7") == newest_first[7:14]
    assert listed(api, "?page_size=500") == newest_first


@pytest.mark.parametrize("query", ["?page_size=501", "?page_size=0", "?page=0", "?page=-1", "?page=two",
                                   "?page=1001", "?page_size=1.5"])
def test_a_page_or_page_size_out_of_range_is_400(api, query):
    assert get(api, f"requests.json{query}").status_code == 400


# --- one request, tokens -------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_one_request_is_a_one_element_list(api, fmt):
    ticket = filed(api, 1)

    answer = get(api, f"requests/{ticket.number}.{fmt}")

    assert answer.status_code == 200
    assert [record["service_request_id"] for record in read(answer)] == [ticket.number]


@pytest.mark.parametrize("path, fmt", [("requests/1000000.json", "json"), ("requests/1000001.xml", "xml"),
                                       ("requests/banana.json", "json"), ("requests/100009.html", "xml"),
                                       ("requests/100009", "xml"), ("services/roads.pothole.yaml", "xml")])
def test_an_unknown_request_or_format_is_404_in_the_format_asked_or_xml(api, path, fmt):
    filed(api, 1)

    answer = get(api, path)

    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith({"xml": "text/xml", "json": "application/json"}[fmt])
    assert len(errors(answer)) == 1


def test_no_token_is_ever_known_since_filing_answers_with_the_number(api):
    ticket = filed(api, 1, channel="open311")

    for token in (ticket.id, ticket.number, "12345"):
        answer = get(api, f"tokens/{token}.json?locale=en")
        assert errors(answer) == [(404, "There is no such token: this API answers a new request with its number "
                                        "at once.")]


# --- what the answers hold -----------------------------------------------------------------------

def test_no_answer_holds_personal_data_photos_coordinates_or_an_unpublished_description(api, deps):
    reporter = make_resident(phone="+380509998877", name="Olena Kovalenko", email="olena@example.org")
    deps.storage.users.create(reporter)
    ticket = filed(api, 1, reporter_id=reporter.id, address=Address("yavornytskoho-ave", "8", entrance="2",
                                                                    flat="147Ф", note="Door code ZX31"),
                   description="Olena from flat 147Ф: no pressure.", lat=48.4647, lon=35.0462,
                   photos=("photos/secret-photo.jpg",), media_url="https://photos.example.org/private-ZX31.jpg")
    move(api, ticket, "route", organisation="dniprovodokanal")

    bodies = b"".join(get(api, path).body for path in (
        "requests.json?extensions=true", "requests.xml?extensions=true", f"requests/{ticket.number}.json",
        f"requests/{ticket.number}.xml?extensions=true", "servicerequestupdates.json", "servicerequestupdates.xml"))

    for secret in ("+380509998877", "0509998877", "Olena", "olena@example.org", "147Ф", "ZX31", "secret-photo",
                   "photos.example.org", "48.4647", "35.0462", reporter.id, ticket.id, "resident"):
        assert secret.encode() not in bodies, secret
    [record] = read(get(api, f"requests/{ticket.number}.json"))
    assert (record["description"], record["media_url"], record["lat"], record["long"]) == (None, None, None, None)


def test_a_description_an_operator_published_is_shown_and_unpublishing_hides_it_again(api):
    ticket = filed(api, 1)

    published = move(api, ticket, "publish", public=True)
    shown = read(get(api, f"requests/{ticket.number}.json"))[0]["description"]
    move(api, published, "publish", public=False)
    hidden = read(get(api, f"requests/{ticket.number}.json"))[0]["description"]

    assert (shown, hidden) == (ticket.description, None)


def test_names_are_in_the_citys_language_or_the_locale_asked_and_an_unknown_locale_is_the_citys(api):
    ticket = filed(api, 1)

    def names(query):
        [record] = read(get(api, f"requests/{ticket.number}.json{query}"))
        return record["service_name"], record["status_notes"], record["address"]

    assert names("") == names("?locale=de") == (
        "Слабкий тиск холодної води", "Прийнято", "проспект Дмитра Яворницького, 8, Дніпро")
    assert names("?locale=en") == ("Low cold water pressure", "Received", "Dmytra Yavornytskoho Avenue, 8, Dnipro")
    service = read(get(api, "services.json?locale=ru"))[0]
    assert (service["service_name"], service["group"]) == ("Нет холодной воды во всём доме", "Водоснабжение")


def test_a_closed_requests_updated_time_is_when_it_closed(api):
    ticket = filed(api, 2)
    closed = move(api, ticket, "withdraw", NOW - DAY, Actor("resident", ticket.reporter_id))
    move(api, closed, "publish", NOW, public=False)

    [record] = read(get(api, f"requests/{ticket.number}.json"))

    assert (record["status"], record["updated_datetime"], record["expected_datetime"]) == (
        "closed", "2026-11-22T09:00:00Z", None)


def test_extensions_add_the_channel_the_duplicate_and_the_notes_of_the_history(api):
    target = filed(api, 3)
    duplicate = filed(api, 2, channel="open311")
    move(api, duplicate, "merge", NOW - DAY, into=target.id, note="Same burst as the other one, flat 14.")

    [record] = read(get(api, f"requests/{duplicate.number}.json?extensions=true&locale=en"))
    [plain] = read(get(api, f"requests/{duplicate.number}.json"))

    assert record["extended_attributes"] == {"channel": "open311", "duplicate": True,
                                             "parent_service_request_id": target.number}
    assert record["notes"] == [
        {"datetime": "2026-11-21T09:00:00Z", "summary": "Received", "type": "opened", "description": None},
        {"datetime": "2026-11-22T09:00:00Z", "summary": "Merged with another ticket", "type": "closed",
         "description": None}]
    assert "extended_attributes" not in plain and "notes" not in plain


def test_extensions_other_than_true_or_false_are_400(api):
    assert get(api, "requests.json?extensions=yes").status_code == 400


# --- updates -----------------------------------------------------------------------------------

def test_updates_carry_each_state_change_with_its_extended_status_oldest_first(api):
    ticket = filed(api, 5)
    hour = timedelta(hours=1)
    steps = [("route", OPERATOR, {"organisation": "dniprovodokanal"}), ("accept", EXECUTOR, {}),
             ("comment", OPERATOR, {"text": "Crew on the way to flat 14."}),
             ("report_done", EXECUTOR, {"note": "Done."}),
             ("refute", Actor("resident", ticket.reporter_id), {"note": "Still none."}), ("accept", EXECUTOR, {}),
             ("report_done", EXECUTOR, {"note": "Done again."}), ("confirm", Actor("resident", ticket.reporter_id), {})]
    for n, (name, actor, data) in enumerate(steps, start=1):
        ticket = move(api, ticket, name, ticket.filed_at + n * hour, actor, **data)

    found = read(get(api, "servicerequestupdates.json?locale=en"))

    assert [(u["update_id"], u["status"], u["updated_datetime"], u["description"]) for u in found] == [
        (f"{ticket.number}-2", "ACTION_SCHEDULED", "2026-11-18T10:00:00Z", "Sent to the executor"),
        (f"{ticket.number}-3", "IN_PROGRESS", "2026-11-18T11:00:00Z", "In progress"),
        (f"{ticket.number}-5", "FIXED", "2026-11-18T13:00:00Z", "Done, awaiting confirmation"),
        (f"{ticket.number}-6", "ACTION_SCHEDULED", "2026-11-18T14:00:00Z", "Second round"),
        (f"{ticket.number}-7", "IN_PROGRESS", "2026-11-18T15:00:00Z", "In progress"),
        (f"{ticket.number}-8", "FIXED", "2026-11-18T16:00:00Z", "Done, awaiting confirmation"),
        (f"{ticket.number}-9", "FIXED", "2026-11-18T17:00:00Z", "Closed")]
    assert {(u["service_request_id"], u["media_url"]) for u in found} == {(ticket.number, None)}


@pytest.mark.parametrize("name, data, status", [
    ("reject", {"reason": "Not the city's."}, "NOT_COUNCILS_RESPONSIBILITY"),
    ("withdraw", {}, "CLOSED"),
    ("merge", {"into": "another-ticket"}, "DUPLICATE"),
])
def test_a_closing_without_the_work_done_reports_why(api, name, data, status):
    ticket = filed(api, 1)
    actor = Actor("resident", ticket.reporter_id) if name == "withdraw" else OPERATOR
    move(api, ticket, name, NOW, actor, **data)

    assert [u["status"] for u in read(get(api, "servicerequestupdates.json"))] == [status]


def test_the_inspectorates_closing_is_closed_and_its_inspection_investigating(api):
    ticket = move(api, filed(api, 2), "route", NOW - DAY, organisation="dniprovodokanal")
    ticket = move(api, ticket, "mark_overdue", NOW - DAY, Actor("system", "system"))
    ticket = move(api, ticket, "escalate", NOW - DAY, OPERATOR)
    move(api, ticket, "resolve", NOW, Actor("inspector", "inspector-1"))

    assert [u["status"] for u in read(get(api, "servicerequestupdates.json"))] == [
        "ACTION_SCHEDULED", "INVESTIGATING", "CLOSED"]


def test_updates_take_the_date_filters_and_pages(api):
    tickets = [filed(api, 30) for _ in range(4)]
    for n, ticket in enumerate(tickets):
        move(api, ticket, "reject", NOW - (20 - n) * DAY, reason="Not the city's.")
    ids = [f"{t.number}-2" for t in tickets]

    def found(query):
        answer = get(api, f"servicerequestupdates.json{query}")
        assert answer.status_code == 200, answer.body
        return [u["update_id"] for u in read(answer)]

    assert found("") == ids
    assert found("?start_date=2026-11-04T09:00:00Z&end_date=2026-11-05T09:00:00Z") == ids[1:3]
    assert found("?page_size=3") == ids[:3] and found("?page=2&page_size=3") == ids[3:]
    assert get(api, "servicerequestupdates.json?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z"
               ).status_code == 400


def test_tickets_changed_more_than_90_days_ago_bring_no_updates_by_default(api):
    move(api, filed(api, 200), "reject", NOW - 91 * DAY, reason="Not the city's.")

    assert read(get(api, "servicerequestupdates.json")) == []


# --- errors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_chalices_own_errors_on_open311_paths_come_in_the_standards_shape(api, fmt):
    answer = api.client.http.request("DELETE", f"/api/open311/v2/requests.{fmt}?locale=en")

    # HTTP's status for it, with the methods the path takes (found by schemathesis: it was 400).
    assert answer.status_code == 405 and sorted(answer.headers["Allow"].replace(" ", "").split(",")) == ["GET", "POST"]
    assert errors(answer) == [({"xml": "405", "json": 405}[fmt], "This address does not accept this method.")]


def test_an_unexpected_failure_is_a_500_in_the_standards_shape_telling_nothing_inside(api, deps, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database file is at /secret/path")

    monkeypatch.setattr(deps.storage.tickets, "filed", broken)
    answer = get(api, "requests.xml?locale=en")

    assert answer.status_code == 500
    assert errors(answer) == [("500", "Something went wrong on our side. Please try again in a minute.")]
    assert b"secret" not in answer.body


def test_the_rest_of_the_api_keeps_its_own_error_shape(api):
    answer = api.get("/api/public/tickets/1000000")

    assert api.error(answer)["code"] == "ticket_not_found"


def test_open311_answers_are_kept_by_no_cache(api):
    assert get(api, "services.xml").headers["Cache-Control"] == "no-store"

