"""The cabinet: a resident confirms, refutes (a second round, then the inspectorate)
and rates their ticket, sees what they may do next, and is shown open tickets at
the same address before filing a duplicate."""

import io
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from chalicelib import bootstrap
from tests.api.client import ADDRESS, ticket
from tests.api.test_fuzz_bodies import json_values
from tests.api.test_resident_tickets import ReadsBehind

# A medium (72-hour) cause: its second round is the shorter 24-hour `short` class.
STANDPIPE = "water.standpipe"
DETAIL_KEYS = ["actions", "address", "category", "cause", "closed_at", "description", "district", "due_at",
               "filed_at", "history", "id", "lat", "lon", "number", "organisation", "overdue", "photos", "rating",
               "round", "status", "status_label"]


def file(api, cookie, **changes) -> str:
    answer = api.post("/api/tickets", ticket(**changes), headers=cookie)
    assert answer.status_code == 201, answer.body
    return api.json(answer)["id"]


def staff(api, ticket_id, *commands, **data):
    """An executor of the ticket's organisation works it through the staff API."""
    tickets = api.deps.storage.tickets
    headers = api.staff("executor", tickets.get(ticket_id).organisation)
    for name in commands:
        body = {"version": tickets.get(ticket_id).version, **data}
        answer = api.post(f"/api/admin/tickets/{ticket_id}/{name}", body, headers=headers)
        assert answer.status_code == 200, answer.body


def done(api, ticket_id):
    staff(api, ticket_id, "accept")
    api.deps.clock.advance(timedelta(hours=3))
    staff(api, ticket_id, "report_done", note="Pressure restored.")


def detail(api, cookie, ticket_id) -> dict:
    answer = api.get(f"/api/tickets/{ticket_id}", headers=cookie)
    assert answer.status_code == 200, answer.body
    return api.json(answer)


def act(api, cookie, ticket_id, action, body=None):
    return api.post(f"/api/tickets/{ticket_id}/{action}", body, headers=cookie)


def walk_the_second_round(api):
    """File, done, refute, the second round, done, confirm, rate: on whichever backend `api` runs."""
    clock, hours = api.deps.clock, api.deps.city.sla.hours
    cookie = api.sign_in()
    ticket_id = file(api, cookie, cause=STANDPIPE)
    filed = detail(api, cookie, ticket_id)
    assert sorted(filed) == DETAIL_KEYS
    assert filed["round"] == 1 and filed["actions"] == ["withdraw", "comment"]
    assert filed["status_label"] == "Передано виконавцю"
    assert filed["due_at"] == "2026-11-26T09:00:00Z"  # 72 hours: the medium class

    clock.advance(timedelta(hours=1))
    done(api, ticket_id)
    first_done = detail(api, cookie, ticket_id)
    assert first_done["status"] == "done" and first_done["actions"] == ["confirm", "refute", "comment"]

    clock.advance(timedelta(hours=2))
    refuted = act(api, cookie, ticket_id, "refute", {"comment": "  The standpipe still gives no water. "})
    assert refuted.status_code == 200, refuted.body
    reopened = api.json(refuted)
    assert reopened["status"] == "reopened" and reopened["round"] == 2 and reopened["actions"] == ["comment"]
    assert reopened["status_label"] == "Повторний розгляд"
    # The second round takes the shorter of the class (72 hours) and `short` (24), from the refutation.
    assert hours["short"] < hours["medium"]
    assert reopened["due_at"] == "2026-11-24T15:00:00Z" == _utc(clock.now() + timedelta(hours=hours["short"]))
    assert reopened["history"][-1] == {"at": "2026-11-23T15:00:00Z", "command": "refute", "by": "resident",
                                       "from": "done", "to": "reopened",
                                       "note": "The standpipe still gives no water.", "photos": []}

    clock.advance(timedelta(hours=1))
    done(api, ticket_id)
    confirmed = act(api, cookie, ticket_id, "confirm")
    assert confirmed.status_code == 200, confirmed.body
    closed = api.json(confirmed)
    assert closed["status"] == "closed" and closed["closed_at"] == "2026-11-23T19:00:00Z"
    assert closed["actions"] == ["rate"] and closed["rating"] is None and closed["round"] == 2

    rated = act(api, cookie, ticket_id, "rate", {"stars": 4, "comment": "Quick the second time."})
    assert rated.status_code == 200, rated.body
    final = api.json(rated)
    assert final["rating"] == 4 and final["actions"] == [] and final["status"] == "closed"
    assert [(h["command"], h["by"], h["to"]) for h in final["history"]] == [
        ("file", "resident", "new"), ("route", "system", "assigned"), ("accept", "staff", "in_progress"),
        ("report_done", "staff", "done"), ("refute", "resident", "reopened"), ("accept", "staff", "in_progress"),
        ("report_done", "staff", "done"), ("confirm", "resident", "closed"), ("rate", "resident", "closed")]
    assert final["history"][-1]["note"] == "Quick the second time."

    again = act(api, cookie, ticket_id, "rate", {"stars": 5})
    assert again.status_code == 409 and api.error(again)["code"] == "illegal_transition"
    assert detail(api, cookie, ticket_id) == final


def _utc(at) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_refuted_ticket_goes_round_again_is_confirmed_closed_and_rated_once(api):
    walk_the_second_round(api)


def test_a_second_refutation_sends_the_ticket_to_the_housing_inspectorate(api):
    cookie = api.sign_in()
    ticket_id = file(api, cookie)
    done(api, ticket_id)
    act(api, cookie, ticket_id, "refute", {"comment": "Still weak."})
    done(api, ticket_id)

    answer = act(api, cookie, ticket_id, "refute", {"comment": "Weak again, the third week now."})

    assert answer.status_code == 200
    refuted = api.json(answer)
    assert refuted["status"] == "inspection" and refuted["round"] == 2 and refuted["actions"] == ["comment"]
    assert refuted["status_label"] == "На перевірці житлової інспекції"
    assert refuted["history"][-1]["to"] == "inspection"


def test_confirming_refuting_or_rating_a_ticket_not_yet_done_is_409_and_writes_nothing(api):
    cookie = api.sign_in()
    ticket_id = file(api, cookie)
    before = api.snapshot()

    for action, body in (("confirm", None), ("confirm", {}), ("refute", {"comment": "Nothing was done."}),
                         ("rate", {"stars": 5})):
        answer = act(api, cookie, ticket_id, action, body)
        assert answer.status_code == 409, action
        assert api.error(answer) == {"code": "illegal_transition",
                                     "message": "На поточному етапі звернення це неможливо."}

    assert api.snapshot() == before


@pytest.mark.parametrize("stars", [0, 6, "5", True, 4.5, 4.0, None, [4]])
def test_stars_outside_one_to_five_are_422_and_write_nothing(api, stars):
    cookie = api.sign_in()
    ticket_id = file(api, cookie)
    done(api, ticket_id)
    act(api, cookie, ticket_id, "confirm")
    before = api.snapshot()

    answer = act(api, cookie, ticket_id, "rate", {"stars": stars, "comment": "Fine."})

    assert answer.status_code == 422 and api.error(answer) == {"code": "rating_out_of_range",
                                                                "message": "Оцініть від 1 до 5."}
    assert api.snapshot() == before


@pytest.mark.parametrize("action, body, code", [
    ("refute", {}, "required"),
    ("refute", {"comment": "   "}, "required"),
    ("refute", {"comment": 12}, "must_be_text"),
    ("refute", {"comment": "x" * 2001}, "too_long"),
    ("rate", {"stars": 3, "comment": "x" * 2001}, "too_long"),
    ("rate", {"stars": 3, "comment": {"text": "good"}}, "must_be_text"),
])
def test_a_bad_comment_is_422_naming_the_field_and_writes_nothing(api, action, body, code):
    cookie = api.sign_in(lang="en")
    ticket_id = file(api, cookie)
    done(api, ticket_id)
    if action == "rate":
        act(api, cookie, ticket_id, "confirm")
    before = api.snapshot()

    answer = act(api, cookie, ticket_id, action, body)

    assert answer.status_code == 422 and api.error(answer)["code"] == code
    assert api.snapshot() == before


def uploaded_photo(api, cookie) -> str:
    """The key of a photo the resident's browser has uploaded to the photo store."""
    owner = api.json(api.get("/api/me", headers=cookie))["id"]
    key = f"uploads/{owner}/{uuid.uuid4().hex}.jpg"
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(image, "JPEG")
    api.deps.photos.write(key, image.getvalue(), "image/jpeg")
    return key


def test_a_refutations_photos_are_kept_on_its_history_entry_and_the_ticket_keeps_its_own(api, deps):
    cookie = api.sign_in()
    ticket_id = file(api, cookie)
    done(api, ticket_id)
    uploads = [uploaded_photo(api, cookie), uploaded_photo(api, cookie)]

    answer = act(api, cookie, ticket_id, "refute", {"comment": "See the dry tap.", "photos": uploads})

    assert answer.status_code == 200, answer.body
    assert api.json(answer)["photos"] == [] and deps.storage.tickets.get(ticket_id).photos == ()
    event = deps.storage.tickets.history(ticket_id)[-1]
    assert (event.command, event.note) == ("refute", "See the dry tap.")
    assert len(event.data["photos"]) == 2 and all(key.startswith("photos/") for key in event.data["photos"])
    assert all(deps.photos.head(key) for key in event.data["photos"])
    assert [deps.photos.head(key) for key in uploads] == [None, None]
    shown = api.json(answer)["history"][-1]["photos"]
    assert len(shown) == 2 and all(photo["url"] and "photos/" in photo["url"] for photo in shown)
    assert all(entry["photos"] == [] for entry in api.json(answer)["history"][:-1])


def test_photos_sent_with_a_refutation_that_is_not_possible_are_left_alone(api, deps):
    cookie = api.sign_in()
    ticket_id = file(api, cookie)
    upload = uploaded_photo(api, cookie)
    before = api.snapshot()

    answer = act(api, cookie, ticket_id, "refute", {"comment": "Nothing was done.", "photos": [upload]})

    assert answer.status_code == 409 and api.error(answer)["code"] == "illegal_transition"
    assert api.snapshot() == before and deps.photos.head(upload) is not None


# What a refutation's "photos" may wrongly be, given one good upload of the resident's.
BAD_PHOTOS = {
    "a key, not a list": (lambda api, cookie, good: good, "photo_missing"),
    "an object": (lambda api, cookie, good: {"key": good}, "photo_missing"),
    "a number in the list": (lambda api, cookie, good: [good, 7], "photo_missing"),
    "four photos": (lambda api, cookie, good: [good] + [uploaded_photo(api, cookie) for _ in range(3)],
                    "too_many_photos"),
    "someone else's": (lambda api, cookie, good: [good, uploaded_photo(api, api.sign_in("+380501110009"))],
                       "photo_not_yours"),
    "one never uploaded": (lambda api, cookie, good: [good, good.replace(good[-36:-4], uuid.uuid4().hex)],
                           "photo_missing"),
}


@pytest.mark.parametrize("case", BAD_PHOTOS)
def test_a_bad_photo_on_a_refutation_is_422_and_nothing_is_written_or_attached(api, deps, case):
    cookie = api.sign_in()
    ticket_id = file(api, cookie)
    done(api, ticket_id)
    good = uploaded_photo(api, cookie)
    build, code = BAD_PHOTOS[case]
    photos = build(api, cookie, good)
    before = api.snapshot()

    answer = act(api, cookie, ticket_id, "refute", {"comment": "Still weak.", "photos": photos})

    assert answer.status_code == 422 and api.error(answer)["code"] == code
    assert api.snapshot() == before and deps.photos.head(good) is not None


cabinet_bodies = json_values | st.fixed_dictionaries({}, optional={
    "comment": st.text(max_size=30) | json_values, "photos": st.lists(st.text(max_size=60), max_size=4) | json_values,
    "stars": st.integers(-1, 7) | json_values})


@pytest.mark.parametrize("action", ["confirm", "refute", "rate"])
def test_generated_bodies_never_break_a_cabinet_action_and_a_refusal_writes_nothing(api, action):
    cookie = api.sign_in()
    ticket_id = file(api, cookie)
    done(api, ticket_id)
    if action == "rate":
        act(api, cookie, ticket_id, "confirm")

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=cabinet_bodies)
    def check(body):
        before = api.snapshot()
        answer = act(api, cookie, ticket_id, action, body)
        assert answer.status_code < 500, answer.body
        if answer.status_code >= 400:
            api.error(answer)
            assert api.snapshot() == before

    check()


def test_a_missing_refutation_comment_is_asked_for_in_the_residents_language(api):
    cookie = api.sign_in()
    ticket_id = file(api, cookie)
    done(api, ticket_id)

    answer = act(api, cookie, ticket_id, "refute", {"photos": []})

    assert api.error(answer) == {"code": "required", "message": "Заповніть поле «коментар»."}


@pytest.mark.parametrize("action, ready", [("confirm", True), ("withdraw", False)])
def test_a_body_that_is_no_json_object_is_refused_even_where_none_is_needed(api, action, ready):
    cookie = api.sign_in()
    ticket_id = file(api, cookie)
    if ready:
        done(api, ticket_id)
    before = api.snapshot()

    bad_json = api.post(f"/api/tickets/{ticket_id}/{action}", raw=b"{", headers=cookie)
    a_list = act(api, cookie, ticket_id, action, [])

    assert bad_json.status_code == 400 and api.error(bad_json)["code"] == "bad_json"
    assert a_list.status_code == 422 and api.error(a_list)["code"] == "must_be_object"
    assert api.snapshot() == before
    assert act(api, cookie, ticket_id, action, {}).status_code == 200


def test_another_residents_ticket_cannot_be_confirmed_refuted_or_rated(api):
    ticket_id = file(api, api.sign_in("+380501110001"))
    done(api, ticket_id)
    stranger = api.sign_in("+380501110002")
    before = api.snapshot()

    for action, body in (("confirm", None), ("refute", {"comment": "Not done."}),
                         ("rate", {"stars": 1, "comment": "Bad."})):
        answer = act(api, stranger, ticket_id, action, body)
        assert answer.status_code == 404 and api.error(answer)["code"] == "ticket_not_found", action

    assert api.snapshot() == before


def test_without_a_session_the_cabinet_actions_are_401(api):
    for action in ("confirm", "refute", "rate"):
        answer = act(api, {}, "some-ticket", action, {})
        assert answer.status_code == 401 and api.error(answer)["code"] == "sign_in_required"


def test_confirming_a_ticket_that_moved_on_is_409_and_changes_nothing(api, deps):
    cookie = api.sign_in()
    ticket_id = file(api, cookie)
    done(api, ticket_id)
    earlier = deps.storage.tickets.get(ticket_id)
    staff(api, ticket_id, "comment", text="We will check the pressure again tomorrow.")
    bootstrap.override(replace(deps, storage=replace(deps.storage, tickets=ReadsBehind(deps.storage.tickets,
                                                                                       earlier))))
    before = api.snapshot()

    answer = act(api, cookie, ticket_id, "confirm")

    assert answer.status_code == 409 and api.error(answer)["code"] == "stale_version"
    assert api.snapshot() == before


def test_a_staff_question_shows_as_staff_without_the_persons_id_and_the_resident_answers_with_a_comment(api):
    cookie = api.sign_in(lang="en")
    ticket_id = file(api, cookie)
    staff(api, ticket_id, "comment", text="Which floors have low pressure?")

    answered = act(api, cookie, ticket_id, "comment", {"text": "Floors 7 to 9."})

    seen = api.json(answered)
    assert [(h["by"], h["note"]) for h in seen["history"][-2:]] == [
        ("staff", "Which floors have low pressure?"), ("resident", "Floors 7 to 9.")]
    assert "executor-7" not in answered.body.decode()
    assert seen["status_label"] == "Sent to the executor"


def test_the_list_shows_the_status_label_in_the_residents_language(api):
    cookie = api.sign_in(lang="ru")
    file(api, cookie)

    [line] = api.json(api.get("/api/tickets", headers=cookie))["current"]

    assert line["status_label"] == "Передано исполнителю"


# --- the duplicate hint ---------------------------------------------------------------

def similar(api, cookie, cause="water.low-pressure", street=ADDRESS["street"], house=ADDRESS["house"]):
    return api.get(f"/api/tickets/similar?cause={cause}&street={street}&house={house}", headers=cookie)


def test_open_tickets_of_the_cause_at_the_address_are_offered_without_anyones_personal_data(api, clock):
    neighbour = api.sign_in("+380501110001")
    theirs = file(api, neighbour, description="Private: flat 14 has no pressure, the code is 14K.")
    clock.advance(timedelta(hours=1))
    cookie = api.sign_in("+380501110002")
    mine = file(api, cookie, address={"street": ADDRESS["street"], "house": "8", "flat": "3"})
    numbers = {ticket_id: api.deps.storage.tickets.get(ticket_id).number for ticket_id in (theirs, mine)}

    answer = similar(api, cookie)

    assert answer.status_code == 200
    assert api.json(answer) == {"tickets": [
        {"number": numbers[mine], "status": "assigned", "status_label": "Передано виконавцю",
         "filed_at": "2026-11-23T10:00:00Z", "due_at": "2026-11-24T10:00:00Z", "mine": True},
        {"number": numbers[theirs], "status": "assigned", "status_label": "Передано виконавцю",
         "filed_at": "2026-11-23T09:00:00Z", "due_at": "2026-11-24T09:00:00Z", "mine": False},
    ]}
    text = answer.body.decode()
    for private in ("Private", "14K", '"flat"', '"entrance"', theirs, "+38050"):
        assert private not in text


def test_the_house_is_matched_however_it_is_written(api):
    cookie = api.sign_in()
    file(api, cookie, address={"street": ADDRESS["street"], "house": "12 а"})

    found = [len(api.json(similar(api, cookie, house=house))["tickets"]) for house in ("12А", "12-а", "12%20%D0%B0")]

    assert found == [1, 1, 1]


def test_closed_tickets_and_other_causes_are_not_offered(api):
    cookie = api.sign_in()
    withdrawn = file(api, cookie)
    act(api, cookie, withdrawn, "withdraw")
    file(api, cookie, cause="water.poor-quality")

    assert api.json(similar(api, cookie))["tickets"] == []


def test_the_similar_route_is_not_taken_for_a_ticket_id(api):
    cookie = api.sign_in()

    answer = api.get("/api/tickets/similar?cause=water.low-pressure&street=yavornytskoho-ave&house=1",
                     headers=cookie)

    assert answer.status_code == 200 and api.json(answer) == {"tickets": []}


@pytest.mark.parametrize("query, code", [
    ("street=yavornytskoho-ave&house=8", "unknown_cause"),
    ("cause=no.such&street=yavornytskoho-ave&house=8", "unknown_cause"),
    ("cause=water.low-pressure&house=8", "unknown_street"),
    ("cause=water.low-pressure&street=yavornytskoho-ave", "required"),
    (f"cause=water.low-pressure&street=yavornytskoho-ave&house={'1' * 21}", "too_long"),
])
def test_a_bad_similar_question_is_422(api, query, code):
    answer = api.get(f"/api/tickets/similar?{query}", headers=api.sign_in())

    assert answer.status_code == 422 and api.error(answer)["code"] == code


def test_the_similar_hint_needs_a_session(api):
    answer = similar(api, {})

    assert answer.status_code == 401 and api.error(answer)["code"] == "sign_in_required"
