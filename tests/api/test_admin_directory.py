"""The admin's reference data: organisations, the catalogue's SLA mapping and
routing, the building registry from CSV. Every staff role reads it, only an
admin changes it, and the next request sees the change."""

import json

import pytest

from tests.api.client import ticket

ORGANISATION = {"code": "zhek-99", "kind": "executor",
                "name": {"uk": "ЖЕК № 99", "ru": "ЖЭК № 99", "en": "Housing Office No. 99"},
                "supervisor": "dept-housing", "phone": "+380567000199", "email": "zhek99@dnipro.example",
                "topics": ["water", "heating"]}
HEADER = "street,house,district,management_company\n"


def listed_organisations(api, headers, lang="uk"):
    return {o["code"]: o for o in api.json(api.get(f"/api/admin/organisations?lang={lang}",
                                                   headers=headers))["organisations"]}


def put_buildings(api, headers, csv_text):
    return api.request("PUT", "/api/admin/registry/buildings", {"csv": csv_text}, headers=headers)


# --- organisations -------------------------------------------------------------------

@pytest.mark.parametrize("role, organisation", [("operator", None), ("executor", "dniprovodokanal"),
                                                ("inspector", None), ("admin", None)])
def test_every_staff_role_reads_the_organisations_named_in_its_language(api, role, organisation):
    found = listed_organisations(api, api.staff(role, organisation), lang="en")

    assert found["dniprovodokanal"]["label"] == "Dniprovodokanal Municipal Water Utility"
    assert found["dniprovodokanal"]["kind"] == "executor" and found["dniprovodokanal"]["supervisor"] == "dept-housing"
    assert sorted(found["dept-housing"]) == ["code", "email", "kind", "label", "name", "phone", "supervisor", "topics"]
    assert list(found) == sorted(found)


def test_an_admin_adds_an_organisation_that_is_listed_at_once(api):
    admin = api.staff("admin")

    created = api.post("/api/admin/organisations", ORGANISATION, headers=admin)

    assert created.status_code == 201
    assert api.json(created) == {**ORGANISATION, "label": "ЖЕК № 99"}
    assert listed_organisations(api, admin)["zhek-99"] == api.json(created)


def test_an_organisation_code_is_taken_once(api):
    admin = api.staff("admin")
    api.post("/api/admin/organisations", ORGANISATION, headers=admin)

    refused = api.post("/api/admin/organisations", {**ORGANISATION, "phone": ""}, headers=admin)

    assert (refused.status_code, api.error(refused)["code"]) == (409, "organisation_exists")
    assert listed_organisations(api, admin)["zhek-99"]["phone"] == "+380567000199"


@pytest.mark.parametrize("changes, code, field", [
    ({"code": "ЖЕК 99"}, "bad_organisation_code", "code"),
    ({"kind": "company"}, "unknown_organisation_kind", "kind"),
    ({"name": {"uk": "ЖЕК № 99", "ru": "ЖЭК № 99"}}, "required", "name.en"),
    ({"name": "ЖЕК № 99"}, "required", "name"),
    ({"supervisor": None}, "required", "supervisor"),
    ({"supervisor": "dniprovodokanal"}, "supervisor_not_department", "supervisor"),
    ({"supervisor": "housing-inspectorate"}, "supervisor_not_department", "supervisor"),
    ({"phone": "056 700 01 99"}, "bad_organisation_phone", "phone"),
    ({"phone": "+0567000199"}, "bad_organisation_phone", "phone"),
    ({"email": "zhek99-at-dnipro"}, "bad_email", "email"),
    ({"email": 0}, "must_be_text", "email"),
    ({"email": False}, "must_be_text", "email"),
    ({"email": []}, "must_be_text", "email"),
    ({"topics": ["water", "unicorns"]}, "unknown_topic", "topics"),
    ({"topics": "water"}, "unknown_topic", "topics"),
])
def test_a_wrong_organisation_is_refused_and_nothing_is_written(api, changes, code, field):
    admin = api.staff("admin")
    before = api.snapshot()

    refused = api.post("/api/admin/organisations", {**ORGANISATION, **changes}, headers=admin)

    assert (refused.status_code, api.error(refused)["code"]) == (422, code)
    assert api.snapshot() == before


def test_a_department_or_the_inspectorate_needs_no_supervisor_nor_contacts(api):
    created = api.post("/api/admin/organisations", {**ORGANISATION, "code": "dept-parks", "kind": "department",
                                                    "supervisor": None, "phone": "", "email": "", "topics": []},
                       headers=api.staff("admin"))

    assert created.status_code == 201
    assert (api.json(created)["supervisor"], api.json(created)["phone"]) == (None, "")


def test_an_admin_replaces_an_organisation_keeping_its_code(api):
    admin = api.staff("admin")
    api.post("/api/admin/organisations", ORGANISATION, headers=admin)
    changed = {**ORGANISATION, "code": "ignored", "phone": "+380567000200", "topics": ["water"]}

    replaced = api.request("PUT", "/api/admin/organisations/zhek-99", changed, headers=admin)

    assert replaced.status_code == 200
    assert api.json(replaced) == {**ORGANISATION, "phone": "+380567000200", "topics": ["water"],
                                  "label": "ЖЕК № 99"}
    assert listed_organisations(api, admin)["zhek-99"] == api.json(replaced)
    assert "ignored" not in listed_organisations(api, admin)


def test_replacing_an_unknown_organisation_is_not_found(api):
    refused = api.request("PUT", "/api/admin/organisations/no-such-org", ORGANISATION, headers=api.staff("admin"))

    assert (refused.status_code, api.error(refused)["code"]) == (404, "organisation_not_found")


def test_an_executor_that_causes_or_buildings_go_to_cannot_become_another_kind(api):
    admin = api.staff("admin")
    before = api.snapshot()

    refused = api.request("PUT", "/api/admin/organisations/dniprovodokanal",
                          {**ORGANISATION, "kind": "department", "supervisor": None}, headers=admin)

    assert (refused.status_code, api.error(refused)["code"]) == (422, "organisation_in_use")
    assert api.snapshot() == before


def test_an_executor_nothing_relies_on_may_become_a_department(api):
    admin = api.staff("admin")
    api.post("/api/admin/organisations", ORGANISATION, headers=admin)

    changed = api.request("PUT", "/api/admin/organisations/zhek-99",
                          {**ORGANISATION, "kind": "department", "supervisor": None}, headers=admin)

    assert (changed.status_code, api.json(changed)["kind"]) == (200, "department")


@pytest.mark.parametrize("role, organisation", [("operator", None), ("executor", "dniprovodokanal"),
                                                ("inspector", None)])
def test_only_an_admin_changes_the_directory(api, role, organisation):
    other = api.staff(role, organisation)
    before = api.snapshot()

    answers = [
        api.post("/api/admin/organisations", ORGANISATION, headers=other),
        api.request("PUT", "/api/admin/organisations/dniprovodokanal", ORGANISATION, headers=other),
        api.patch("/api/admin/catalogue/causes/water.low-pressure", {"sla_class": "emergency"}, headers=other),
        put_buildings(api, other, HEADER + "yavornytskoho-ave,8,tsentralnyi,zhek-12\n"),
    ]

    assert [(a.status_code, api.error(a)["code"]) for a in answers] == [(403, "not_allowed")] * 4
    assert api.snapshot() == before


def test_a_resident_or_a_stranger_is_not_let_in(api):
    for headers in (api.sign_in(), {}):
        assert api.get("/api/admin/organisations", headers=headers).status_code == 401
        assert api.get("/api/admin/catalogue", headers=headers).status_code == 401
        assert api.get("/api/admin/registry", headers=headers).status_code == 401


# --- the catalogue -------------------------------------------------------------------

def test_the_catalogue_comes_with_the_hours_of_each_sla_class(api):
    catalogue = api.json(api.get("/api/admin/catalogue?lang=en", headers=api.staff("operator")))

    assert catalogue["sla_classes"] == {"emergency": 6, "short": 24, "medium": 72, "long": 168}
    water = next(topic for topic in catalogue["topics"] if topic["code"] == "water")
    assert water["label"] == "Water supply"
    cause = next(cause for cause in water["causes"] if cause["code"] == "water.low-pressure")
    assert {k: cause[k] for k in ("topic", "sla_class", "scope", "organisation")} \
        == {"topic": "water", "sla_class": "short", "scope": "city", "organisation": "dniprovodokanal"}


def test_a_cause_moved_to_a_shorter_class_gives_the_next_filing_its_deadline(api):
    admin = api.staff("admin")
    resident = api.sign_in()
    before = api.json(api.post("/api/tickets", ticket(), headers=resident))
    assert before["due_at"] == "2026-11-24T09:00:00Z"  # short: 24 hours

    changed = api.patch("/api/admin/catalogue/causes/water.low-pressure", {"sla_class": "emergency"}, headers=admin)

    assert changed.status_code == 200
    assert api.json(changed)["sla_class"] == "emergency"
    after = api.json(api.post("/api/tickets", ticket(), headers=resident))
    assert after["due_at"] == "2026-11-23T15:00:00Z"  # emergency: 6 hours
    categories = api.json(api.get("/api/categories"))
    cause = next(c for topic in categories for c in topic["causes"] if c["code"] == "water.low-pressure")
    assert (cause["sla_class"], cause["sla_hours"]) == ("emergency", 6)


def test_a_cause_given_another_executor_routes_the_next_filing_there(api, deps):
    api.patch("/api/admin/catalogue/causes/water.low-pressure", {"organisation": "teploenergo"},
              headers=api.staff("admin"))

    filed = api.json(api.post("/api/tickets", ticket(), headers=api.sign_in()))

    assert deps.storage.tickets.get(filed["id"]).organisation == "teploenergo"


def test_a_patch_changes_only_what_it_names(api):
    admin = api.staff("admin")

    changed = api.json(api.patch("/api/admin/catalogue/causes/water.low-pressure", {"scope": "building"},
                                 headers=admin))

    assert (changed["scope"], changed["sla_class"], changed["organisation"]) \
        == ("building", "short", "dniprovodokanal")


@pytest.mark.parametrize("changes, code", [
    ({"sla_class": "urgent"}, "unknown_sla_class"),
    ({"organisation": "dept-housing"}, "not_an_executor"),
    ({"organisation": "no-such-org"}, "not_an_executor"),
    ({"scope": "district"}, "unknown_scope"),
])
def test_a_wrong_cause_change_is_refused_and_nothing_is_written(api, changes, code):
    admin = api.staff("admin")
    before = api.snapshot()

    refused = api.patch("/api/admin/catalogue/causes/water.low-pressure", changes, headers=admin)

    assert (refused.status_code, api.error(refused)["code"]) == (422, code)
    assert api.snapshot() == before


def test_changing_an_unknown_cause_is_not_found(api):
    refused = api.patch("/api/admin/catalogue/causes/no-such-cause", {"sla_class": "long"}, headers=api.staff("admin"))

    assert (refused.status_code, api.error(refused)["code"]) == (404, "cause_not_found")


# --- the building registry -----------------------------------------------------------

def test_the_registry_is_summed_up_in_counts(api):
    summary = api.json(api.get("/api/admin/registry", headers=api.staff("inspector")))

    assert summary == {"districts": 8, "streets": 38, "buildings": 114}


def test_an_imported_building_list_replaces_the_old_one_and_routes_the_next_filing(api, deps):
    admin = api.staff("admin")
    csv_text = ("\ufeff" + HEADER + "yavornytskoho-ave,8,tsentralnyi,zatyshnyi-dim\r\n"
                '"yavornytskoho-ave","12 А",tsentralnyi,zhek-12\r\n\r\n')

    imported = put_buildings(api, admin, csv_text)

    assert (imported.status_code, api.json(imported)) == (200, {"imported": 2})
    assert api.json(api.get("/api/admin/registry", headers=admin)) == {"districts": 8, "streets": 38, "buildings": 2}
    filed = api.json(api.post("/api/tickets", ticket(cause="water.no-water-flat"), headers=api.sign_in()))
    assert deps.storage.tickets.get(filed["id"]).organisation == "zatyshnyi-dim"


@pytest.mark.parametrize("line, code", [
    ("no-such-street,8,tsentralnyi,zhek-12", "csv_unknown_street"),
    ("yavornytskoho-ave,,tsentralnyi,zhek-12", "csv_bad_house"),
    ("yavornytskoho-ave,8,atlantis,zhek-12", "csv_unknown_district"),
    ("yavornytskoho-ave,8,tsentralnyi,dept-housing", "csv_unknown_company"),
    ("yavornytskoho-ave,8,tsentralnyi", "csv_columns"),
    ("yavornytskoho-ave,8,tsentralnyi,zhek-12,extra", "csv_columns"),
    ("yavornytskoho-ave,44-а,tsentralnyi,zhek-12", "csv_duplicate_building"),
    ('yavornytskoho-ave,"8,tsentralnyi,zhek-12', "csv_unreadable"),
])
def test_one_bad_line_refuses_the_file_naming_its_line_and_nothing_is_written(api, line, code):
    admin = api.staff("admin")
    good = "yavornytskoho-ave,8,tsentralnyi,zhek-12\nyavornytskoho-ave,44А,tsentralnyi,zatyshnyi-dim\n"
    before = api.snapshot()

    refused = put_buildings(api, admin, HEADER + good + line + "\n")

    assert (refused.status_code, api.error(refused)["code"]) == (422, code)
    assert api.error(refused)["message"].startswith("Рядок 4:")
    assert api.snapshot() == before


@pytest.mark.parametrize("csv_text, code", [
    ("yavornytskoho-ave,8,tsentralnyi,zhek-12\n", "csv_header"),
    ("", "csv_header"),
    (HEADER, "csv_no_buildings"),
    (42, "must_be_text"),
])
def test_a_file_without_its_header_or_without_buildings_is_refused(api, csv_text, code):
    refused = put_buildings(api, api.staff("admin"), csv_text)

    assert (refused.status_code, api.error(refused)["code"]) == (422, code)


def test_the_import_takes_a_file_far_larger_than_other_requests_up_to_two_megabytes(api):
    admin = api.staff("admin")
    lines = "".join(f"yavornytskoho-ave,{n},tsentralnyi,zhek-12\n" for n in range(1, 5001))
    assert 64 * 1024 < len(HEADER + lines) < 2 * 1024 * 1024

    imported = put_buildings(api, admin, HEADER + lines)

    assert api.json(imported) == {"imported": 5000}


def test_a_file_over_two_megabytes_is_refused_as_too_large(api):
    admin = api.staff("admin")
    body = json.dumps({"csv": HEADER + "x" * (2 * 1024 * 1024)}).encode()

    refused = api.client.http.request("PUT", "/api/admin/registry/buildings", body=body,
                                      headers={**admin, "Content-Type": "application/json"})

    assert (refused.status_code, api.error(refused)["code"]) == (413, "too_large")


def test_other_admin_requests_keep_the_small_body_limit(api):
    body = json.dumps({**ORGANISATION, "padding": "x" * (64 * 1024)}).encode()

    refused = api.client.http.request("POST", "/api/admin/organisations", body=body,
                                      headers={**api.staff("admin"), "Content-Type": "application/json"})

    assert refused.status_code == 413
