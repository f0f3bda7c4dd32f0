"""Filing through Open311 (POST requests): a partner's key, the portal's own filing path
(channel open311, the staff queue, the SMS only to a phone given), the location mapped
onto the street registry, the address details as attributes, and every refusal in the
standard's shape with nothing written."""

from datetime import timedelta

import pytest

from chalicelib.services import open311
from tests.api.open311 import DESCRIPTION, errors, file, filing, get, partner_key, post, read

CALLER, CALLER_E164 = "050 765 43 21", "+380507654321"
DISPATCHER = "+380567000201"  # Dniprovodokanal's, in the demo data


@pytest.fixture
def key(deps):
    return partner_key(deps)


def stored(deps, number):
    return deps.storage.tickets.by_number(number)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_request_filed_with_a_key_is_answered_with_its_number_and_deadline(api, key, fmt):
    answer = post(api, {"api_key": key, **filing()}, fmt)

    assert answer.status_code == 201
    assert answer.headers["Content-Type"] == {"xml": "text/xml; charset=utf-8",
                                              "json": "application/json; charset=utf-8"}[fmt]
    [filed] = read(answer)
    assert filed["service_request_id"] == stored(api.deps, filed["service_request_id"]).number
    assert filed["service_notice"] == "Строк: 24.11.2026 11:00 за місцевим часом."
    assert filed["account_id"] is None


def test_the_key_may_come_in_the_body_the_query_or_a_bearer_header(api, key):
    in_body = post(api, {"api_key": key, **filing()})
    in_query = post(api, filing(), query=f"?api_key={key}")
    as_bearer = post(api, filing(), headers={"Authorization": f"Bearer {key}"})

    assert [a.status_code for a in (in_body, in_query, as_bearer)] == [201, 201, 201]
    assert len({read(a)[0]["service_request_id"] for a in (in_body, in_query, as_bearer)}) == 3


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("sent", [{}, {"api_key": ""}, {"api_key": "not-a-key"}, {"api_key": "x" * 500}])
def test_a_missing_or_wrong_key_is_403_and_files_nothing(api, key, fmt, sent):
    before = api.snapshot()

    answer = post(api, {**sent, **filing()}, fmt)

    assert answer.status_code == 403
    assert errors(answer) == [({"xml": "403", "json": 403}[fmt],
                               "Ключ API відсутній або недійсний. Надішліть як api_key ключ, який вам видало місто.")]
    assert api.snapshot() == before


def test_a_revoked_key_is_403(api, deps, key):
    [record] = deps.storage.open311_keys.all()
    api.post(f"/api/admin/open311-keys/{record.id}/revoke", headers=api.staff("admin"))

    assert post(api, {"api_key": key, **filing()}).status_code == 403


def test_a_bearer_header_of_another_scheme_is_no_key(api, key):
    answer = post(api, filing(), headers={"Authorization": f"Basic {key}"})

    assert answer.status_code == 403


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_service_is_404_and_files_nothing(api, key, fmt):
    before = api.snapshot()

    answer = post(api, {"api_key": key, **filing(service_code="water.no-such-thing")}, fmt)

    assert answer.status_code == 404
    assert errors(answer)[0][1] == "Немає такого service_code: їх перелічує GET services."
    assert api.snapshot() == before


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_request_with_no_location_is_400_and_files_nothing(api, key, fmt):
    before = api.snapshot()

    answer = post(api, {"api_key": key, **filing(address_string=None)}, fmt, query="?locale=en")

    assert answer.status_code == 400
    assert errors(answer)[0][1] == ("Give the place: address_id or address_string (lat and long may go with "
                                    "either).")
    assert api.snapshot() == before


def test_coordinates_alone_are_400_while_the_registry_has_none(api, key):
    answer = post(api, {"api_key": key, **filing(address_string=None, lat="48.4647", long="35.0462")},
                  query="?locale=en")

    assert answer.status_code == 400
    assert "no coordinates yet" in errors(answer)[0][1]


def test_coordinates_with_an_address_are_kept_for_the_staff(api, deps, key):
    number = file(api, key, lat="48.4647", long="35.0462")

    assert (stored(deps, number).lat, stored(deps, number).lon) == (48.4647, 35.0462)


@pytest.mark.parametrize("fields", [
    {"service_code": None},
    {"service_code": ""},
    {"description": None},
    {"description": "я" * 4001},
    {"address_string": "Baker Street 221B"},
    {"address_string": "проспект Дмитра Яворницького"},
    {"address_string": None, "address_id": "baker-street:221B"},
    {"address_string": None, "address_id": "yavornytskoho-ave"},
    {"lat": "48.46"},
    {"lat": "north", "long": "35.04"},
    {"lat": "91", "long": "35.04"},
    {"lat": "nan", "long": "35.04"},
    {"attribute[flat]": "1" * 11},
    {"phone": "12"},
    {"email": "not an address"},
    {"media_url": "ftp://example.org/a.jpg"},
    {"media_url": "https://example.org/" + "a" * 1000},
    {"first_name": "x" * 201},
])
def test_each_bad_field_is_400_in_the_standards_shape_and_files_nothing(api, key, fields):
    before = api.snapshot()

    answer = post(api, {"api_key": key, **filing(**fields)})

    assert answer.status_code == 400, answer.body
    assert len(errors(answer)) == 1
    assert api.snapshot() == before


def test_a_list_given_for_a_text_attribute_is_refused(api, key):
    sent = {"api_key": key, **filing(**{"attribute[flat]": None}), "attribute[flat][]": "14"}

    answer = post(api, sent, query="?locale=en")

    assert (answer.status_code, errors(answer)[0][1]) == (400, "“flat” must be text.")


@pytest.mark.parametrize("written, street, house", [
    ("проспект Дмитра Яворницького, 8, Дніпро", "yavornytskoho-ave", "8"),
    ("49000, м. Дніпро, просп. Дмитра Яворницького, 103а", "yavornytskoho-ave", "103А"),
    ("8 Dmytra Yavornytskoho Avenue, Dnipro", "yavornytskoho-ave", "8"),
    ("улица Воскресенская, 12/1", "voskresenska", "12/1"),
])
def test_an_address_string_is_mapped_onto_the_street_registry(api, deps, key, written, street, house):
    number = file(api, key, address_string=written)

    address = stored(deps, number).address
    assert (address.street, address.house) == (street, house)


def test_an_address_id_names_the_street_code_and_the_house_and_wins_over_an_address_string(api, deps, key):
    number = file(api, key, address_id="voskresenska:12/1", address_string="Baker Street 221B")

    address = stored(deps, number).address
    assert (address.street, address.house) == ("voskresenska", "12/1")


def test_the_address_details_come_as_attributes_and_unknown_attributes_are_left_out(api, deps, key):
    number = file(api, key, **{"attribute[entrance]": "3", "attribute[flat]": "41", "attribute[note]": "Code 41K",
                               "attribute[fixmystreet_id]": "123"})

    address = stored(deps, number).address
    assert (address.entrance, address.flat, address.note) == ("3", "41", "Code 41K")


def test_a_filed_request_goes_the_portals_way_into_the_staff_queue(api, deps, key):
    number = file(api, key)
    ticket = stored(deps, number)

    queue = api.json(api.get("/api/admin/tickets", headers=api.staff("operator")))

    assert [row["number"] for row in queue["tickets"]] == [number]
    assert (ticket.channel, ticket.state.value, ticket.organisation) == ("open311", "assigned", "dniprovodokanal")
    assert ticket.description == DESCRIPTION
    assert [e.command for e in deps.storage.tickets.history(ticket.id)] == ["file", "route"]


def test_the_staff_see_which_partner_filed_it(api, deps, key):
    number = file(api, key)
    operator = api.staff("operator")

    shown = api.json(api.get(f"/api/admin/tickets/{stored(deps, number).id}", headers=operator))

    assert shown["history"][0]["actor"] == {"role": "open311", "name": "Dnipro city app"}


def test_with_a_phone_the_reporter_gets_the_sms_and_the_account_has_the_name(api, deps, sms, key):
    number = file(api, key, phone=CALLER, first_name="Ivan", last_name="Petrenko")

    assert [s.to for s in sms.sent if number in s.text] == [CALLER_E164, DISPATCHER]
    reporter = deps.storage.users.by_phone(CALLER_E164)
    assert (reporter.id, reporter.name) == (stored(deps, number).reporter_id, "Ivan Petrenko")


def test_a_phone_that_has_an_account_files_into_it(api, deps, key):
    cookie = api.sign_in(CALLER)

    number = file(api, key, phone=CALLER)

    mine = api.json(api.get("/api/tickets", headers=cookie))["current"]
    assert [t["number"] for t in mine] == [number]


def test_without_a_phone_no_sms_goes_to_anyone_but_the_executor(api, deps, sms, key):
    number = file(api, key)

    assert [s.to for s in sms.sent if number in s.text] == [DISPATCHER]
    assert deps.storage.users.get(stored(deps, number).reporter_id) is None


def test_an_email_without_a_phone_files_into_that_addresss_account_and_is_never_linked_to_a_phone(api, deps, key):
    by_email = file(api, key, email="Olena@Example.org")
    by_both = file(api, key, email="olena@example.org", phone=CALLER)

    account = deps.storage.users.by_identity("email", "olena@example.org")
    assert stored(deps, by_email).reporter_id == account.id
    assert stored(deps, by_both).reporter_id == deps.storage.users.by_phone(CALLER_E164).id != account.id


def test_a_media_url_is_kept_for_the_staff_and_shown_to_them(api, deps, key):
    number = file(api, key, media_url="https://photos.example.org/p/123.jpg")
    operator = api.staff("operator")

    shown = api.json(api.get(f"/api/admin/tickets/{stored(deps, number).id}", headers=operator))

    assert stored(deps, number).media_url == shown["media_url"] == "https://photos.example.org/p/123.jpg"


def test_a_multipart_form_files_like_an_urlencoded_one_and_a_file_in_it_is_refused(api, key):
    def multipart(parts):
        body = b"".join(b'--b0undary\r\nContent-Disposition: form-data; name="%s"%s\r\n\r\n%s\r\n'
                        % (name.encode(), extra, value.encode()) for name, value, extra in parts) + b"--b0undary--\r\n"
        return post(api, None, raw=body, headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
                    query="?locale=en")

    fields = [(name, value, b"") for name, value in {"api_key": key, **filing()}.items()]
    filed = multipart(fields)
    with_photo = multipart([*fields, ("media", "\xff\xd8 not really a jpeg", b'; filename="a.jpg"')])

    assert filed.status_code == 201
    assert (with_photo.status_code, errors(with_photo)[0][1]) == (
        400, "Photos are not uploaded through this API: give media_url, a link to the photo.")


@pytest.mark.parametrize("content_type, body", [
    ("application/json", b'{"service_code": "water.low-pressure"}'),
    ("application/x-www-form-urlencoded", b"description=%ff%fe"),
    ("multipart/form-data; boundary=b0undary", b"no parts at all"),
])
def test_a_body_that_is_no_form_is_400_in_the_standards_shape(api, key, content_type, body):
    answer = post(api, None, raw=body, headers={"Content-Type": content_type})

    assert answer.status_code == 400
    assert len(errors(answer)) == 1


def test_a_body_over_64_kb_is_400_and_files_nothing(api, key):
    before = api.snapshot()

    answer = post(api, {"api_key": key, **filing(description="x" * 70_000)})

    assert answer.status_code == 400 and api.snapshot() == before


def test_a_repeat_with_the_same_idempotency_key_gets_the_first_answer_and_files_nothing(api, key):
    first = post(api, {"api_key": key, **filing()}, headers={"Idempotency-Key": "partner-42"})
    again = post(api, {"api_key": key, **filing()}, headers={"Idempotency-Key": "partner-42"})

    assert read(first) == read(again)
    assert api.count("tickets") == 1


def test_a_key_files_at_most_its_hourly_limit(api, clock, key, monkeypatch):
    monkeypatch.setattr(open311, "FILINGS_PER_KEY_PER_HOUR", 2)
    first, second = (post(api, {"api_key": key, **filing()}) for _ in range(2))
    before = api.count("tickets")

    third = post(api, {"api_key": key, **filing()}, query="?locale=en")
    clock.advance(timedelta(hours=1))
    next_hour = post(api, {"api_key": key, **filing()})

    assert [a.status_code for a in (first, second, third, next_hour)] == [201, 201, 429, 201]
    assert errors(third)[0] == (429, "Too many requests filed with this key. Try again after 12:00.")
    assert api.count("tickets") == before + 1


def test_another_keys_limit_is_its_own(api, deps, key, monkeypatch):
    monkeypatch.setattr(open311, "FILINGS_PER_KEY_PER_HOUR", 1)
    other = partner_key(deps, "Another app")

    answers = [post(api, {"api_key": k, **filing()}).status_code for k in (key, other, key)]

    assert answers == [201, 201, 429]


def test_a_request_filed_in_xml_is_in_the_staff_queue_and_its_status_changes_show_in_its_json_record(
        api, deps, key):
    number = file(api, key, fmt="xml", phone=CALLER)
    ticket_id = stored(deps, number).id
    queue = api.json(api.get("/api/admin/tickets", headers=api.staff("operator")))["tickets"]
    executor, resident = api.staff("executor", "dniprovodokanal"), api.sign_in(CALLER)

    def record():
        [found] = read(get(api, f"requests/{number}.json"))
        return found["status"], found["status_notes"], found["updated_datetime"]

    def executor_takes(command, **fields):
        version = deps.storage.tickets.get(ticket_id).version
        taken = api.post(f"/api/admin/tickets/{ticket_id}/{command}", {"version": version, **fields}, headers=executor)
        assert taken.status_code == 200, taken.body

    seen = [record()]
    for step in (lambda: executor_takes("accept"), lambda: executor_takes("report_done", note="Valve replaced."),
                 lambda: api.post(f"/api/tickets/{ticket_id}/confirm", headers=resident)):
        api.deps.clock.advance(timedelta(hours=1))
        step()
        seen.append(record())

    assert [row["number"] for row in queue] == [number]
    assert seen == [("open", "Передано виконавцю", "2026-11-23T09:00:00Z"),
                    ("open", "У роботі", "2026-11-23T10:00:00Z"),
                    ("open", "Виконано, чекає підтвердження", "2026-11-23T11:00:00Z"),
                    ("closed", "Закрито", "2026-11-23T12:00:00Z")]
