"""Outage notices on the staff page: operators publish, edit and close them;
every staff role reads them; residents and strangers do not."""

import pytest

NOTICE = {"kind": "water", "area": "Tsentralnyi, around the Opera House",
          "addresses": [{"street": "yavornytskoho-ave", "houses": ["8", "44"]}],
          "reason": "A main burst: repairs.", "starts_at": "2026-11-23T10:00:00Z",
          "expected_end": "2026-11-23T18:00:00Z"}


def publish(api, headers, body=None):
    return api.post("/api/admin/outages", NOTICE if body is None else body, headers=headers)


def test_an_operator_publishes_edits_and_closes_a_notice_and_each_step_is_listed(api):
    operator = api.staff("operator")

    published = publish(api, operator)
    assert published.status_code == 201
    outage = api.json(published)
    assert outage == {
        "id": outage["id"], "kind": {"code": "water", "label": "Водопостачання"},
        "area": "Tsentralnyi, around the Opera House",
        "addresses": [{"street": "yavornytskoho-ave", "name": "проспект Дмитра Яворницького",
                       "houses": ["8", "44"]}],
        "reason": "A main burst: repairs.", "starts_at": "2026-11-23T10:00:00Z",
        "expected_end": "2026-11-23T18:00:00Z", "state": "active", "version": 1,
        "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z", "closed_at": None}
    assert api.json(api.get("/api/admin/outages", headers=operator))["outages"] == [outage]

    edited = api.patch(f"/api/admin/outages/{outage['id']}", {"version": 1, "expected_end": "2026-11-23T20:00:00Z"},
                       headers=operator)
    assert edited.status_code == 200
    assert api.json(edited) == {**outage, "expected_end": "2026-11-23T20:00:00Z", "version": 2}

    closed = api.patch(f"/api/admin/outages/{outage['id']}", {"version": 2, "closed": True}, headers=operator)
    assert closed.status_code == 200
    assert (api.json(closed)["state"], api.json(closed)["closed_at"]) == ("closed", "2026-11-23T09:00:00Z")
    assert api.json(api.get("/api/admin/outages", headers=operator))["outages"] == []
    assert [o["id"] for o in api.json(api.get("/api/admin/outages?state=closed", headers=operator))["outages"]] \
        == [outage["id"]]


def test_the_kind_is_labelled_in_the_callers_language(api):
    operator = api.staff("operator")
    publish(api, operator)

    [outage] = api.json(api.get("/api/admin/outages?lang=en", headers=operator))["outages"]

    assert outage["kind"]["label"] == "Water supply"


def test_the_operator_who_published_it_is_recorded(api, deps):
    operator = api.staff("operator", id="staff-operator")

    outage = api.json(publish(api, operator))

    assert deps.storage.outages.get(outage["id"]).created_by == "staff-operator"


def test_the_list_shows_active_closed_or_all_notices(api):
    operator = api.staff("operator")
    first = api.json(publish(api, operator, {**NOTICE, "starts_at": "2026-11-22T10:00:00Z"}))
    second = api.json(publish(api, operator))
    api.patch(f"/api/admin/outages/{first['id']}", {"version": 1, "closed": True}, headers=operator)

    def listed(state):
        return [o["id"] for o in api.json(api.get(f"/api/admin/outages?state={state}", headers=operator))["outages"]]

    assert listed("active") == [second["id"]]
    assert listed("closed") == [first["id"]]
    assert listed("all") == [second["id"], first["id"]]
    refused = api.get("/api/admin/outages?state=open", headers=operator)
    assert (refused.status_code, api.error(refused)["code"]) == (422, "unknown_outage_state")


@pytest.mark.parametrize("role, organisation", [("executor", "dniprovodokanal"), ("inspector", None),
                                                ("admin", None)])
def test_every_staff_role_reads_the_notices_but_only_operators_publish_or_edit(api, role, organisation):
    outage = api.json(publish(api, api.staff("operator")))
    other = api.staff(role, organisation)

    assert api.get("/api/admin/outages", headers=other).status_code == 200
    before = api.snapshot()
    refused = publish(api, other)
    assert (refused.status_code, api.error(refused)["code"]) == (403, "not_allowed")
    refused = api.patch(f"/api/admin/outages/{outage['id']}", {"version": 1, "closed": True}, headers=other)
    assert (refused.status_code, api.error(refused)["code"]) == (403, "not_allowed")
    assert api.snapshot() == before


def test_a_resident_or_a_stranger_is_not_let_in(api):
    for headers in (api.sign_in(), {}):
        assert api.get("/api/admin/outages", headers=headers).status_code == 401
        assert publish(api, headers).status_code == 401


def test_a_stale_edit_is_refused_and_changes_nothing(api):
    operator = api.staff("operator")
    outage = api.json(publish(api, operator))
    api.patch(f"/api/admin/outages/{outage['id']}", {"version": 1, "reason": "Newer news."}, headers=operator)
    before = api.snapshot()

    stale = api.patch(f"/api/admin/outages/{outage['id']}", {"version": 1, "reason": "Older news."}, headers=operator)

    assert (stale.status_code, api.error(stale)["code"]) == (409, "outage_changed")
    assert api.snapshot() == before


@pytest.mark.parametrize("version", [None, "1", 1.0, True])
def test_an_edit_without_a_whole_version_is_refused(api, version):
    operator = api.staff("operator")
    outage = api.json(publish(api, operator))
    body = {"reason": "News."} if version is None else {"version": version, "reason": "News."}

    refused = api.patch(f"/api/admin/outages/{outage['id']}", body, headers=operator)

    assert refused.status_code == 422


def test_a_closed_notice_cannot_be_edited(api):
    operator = api.staff("operator")
    outage = api.json(publish(api, operator))
    api.patch(f"/api/admin/outages/{outage['id']}", {"version": 1, "closed": True}, headers=operator)

    refused = api.patch(f"/api/admin/outages/{outage['id']}", {"version": 2, "reason": "Again."}, headers=operator)

    assert (refused.status_code, api.error(refused)["code"]) == (409, "outage_closed")


def test_editing_an_unknown_notice_is_not_found(api):
    refused = api.patch("/api/admin/outages/no-such-outage", {"version": 1}, headers=api.staff("operator"))

    assert (refused.status_code, api.error(refused)["code"]) == (404, "outage_not_found")


@pytest.mark.parametrize("changes, code", [
    ({"kind": "water.low-pressure"}, "unknown_outage_kind"),
    ({"expected_end": "2026-11-23T09:00:00Z"}, "end_before_start"),
    ({"addresses": [{"street": "no-such-street", "houses": []}]}, "unknown_street"),
    ({"area": ""}, "required"),
    # In UTC, before the year 1 and after 9999.
    ({"starts_at": "0001-01-01T00:00:00+05:00"}, "must_be_time"),
    ({"expected_end": "9999-12-31T23:59:59-05:00"}, "must_be_time"),
])
def test_a_wrong_notice_is_refused_and_nothing_is_written(api, changes, code):
    operator = api.staff("operator")
    before = api.snapshot()

    refused = publish(api, operator, {**NOTICE, **changes})

    assert (refused.status_code, api.error(refused)["code"]) == (422, code)
    assert api.snapshot() == before


def test_a_refusal_names_the_field_in_the_callers_language(api):
    refused = publish(api, api.staff("operator"), {**NOTICE, "area": ""})

    assert api.error(refused)["message"] == "Заповніть поле «район відключення»."


def test_a_write_that_is_not_json_is_refused(api):
    refused = api.post("/api/admin/outages", NOTICE, headers={**api.staff("operator"), "Content-Type": "text/plain"})

    assert refused.status_code == 415


def test_a_notice_of_a_year_before_1000_is_listed_and_answered_with_four_digits(api):
    operator = api.staff("operator")
    published = publish(api, operator, {**NOTICE, "starts_at": "0211-08-28T14:29:29Z"})

    listed = api.get("/api/admin/outages", headers=operator)

    assert api.json(published)["starts_at"] == "0211-08-28T14:29:29Z"
    assert listed.status_code == 200 and [o["starts_at"] for o in api.json(listed)["outages"]] == [
        "0211-08-28T14:29:29Z"]


def test_times_are_answered_in_utc_whatever_offset_they_were_sent_with(api):
    outage = api.json(publish(api, api.staff("operator"), {**NOTICE, "starts_at": "2026-11-23T12:00:00+02:00"}))

    assert outage["starts_at"] == "2026-11-23T10:00:00Z"
