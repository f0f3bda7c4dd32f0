"""The admins' list of staff accounts: making one (with a given or a generated
password), renaming, changing the role, switching off, resetting the password,
unlocking and turning TOTP off, each at the version the admin saw."""

import logging
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain import totp
from chalicelib.services import staff

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(api, deps):
    """The signed-in admin's headers (their answers in English)."""
    member, _ = staff.create(deps, "city.admin", "Admin", "admin", None, PASSWORD)
    return {"Cookie": f"citydesk_staff={staff.open_session(deps, member)}", "Accept-Language": "en"}


def add(api, admin, **fields):
    body = {"username": "o.kovalenko", "name": "Олена Коваленко", "role": "operator", **fields}
    return api.post("/api/admin/staff", body, headers=admin)


def change(api, admin, staff_id, **fields):
    return api.patch(f"/api/admin/staff/{staff_id}", fields, headers=admin)


def login(api, username="o.kovalenko", password=PASSWORD):
    return api.post("/api/admin/login", {"username": username, "password": password})


def test_an_admin_makes_an_account_with_a_generated_password_that_signs_in(api, admin):
    answer = add(api, admin, username="O.Kovalenko")

    assert answer.status_code == 201
    made = api.json(answer)
    password = made.pop("password")
    assert len(password) == 20
    assert made == {"id": made["id"], "username": "o.kovalenko", "name": "Олена Коваленко", "role": "operator",
                    "organisation": None, "active": True, "totp": False, "locked_until": None, "version": 1}
    assert login(api, password=password).status_code == 200


def test_an_admin_may_set_the_first_password_themselves(api, admin):
    answer = add(api, admin, password=PASSWORD)
    assert api.json(answer)["password"] == PASSWORD
    assert login(api).status_code == 200


def test_an_executor_account_belongs_to_an_executor_organisation(api, admin):
    answer = add(api, admin, username="zhek12.master", role="executor", organisation="zhek-12")
    assert answer.status_code == 201 and api.json(answer)["organisation"] == "zhek-12"


@pytest.mark.parametrize("fields, code, field", [
    ({"role": "executor"}, "required", "organisation"),
    ({"role": "executor", "organisation": "dept-housing"}, "not_an_executor", "organisation"),
    ({"role": "executor", "organisation": "no-such-company"}, "not_an_executor", "organisation"),
    ({"role": "inspector", "organisation": "zhek-12"}, "organisation_only_for_executors", "organisation"),
    ({"role": "superuser"}, "unknown_role", "role"),
    ({"role": None}, "required", "role"),
    ({"name": "  "}, "required", "name"),
    ({"username": "ol"}, "bad_username", "username"),
    ({"username": "o" * 41}, "too_long", "username"),
    ({"username": "o kovalenko"}, "bad_username", "username"),
    ({"username": "олена"}, "bad_username", "username"),
    ({"password": "eleven char"}, "too_short", "password"),
    ({"password": "x" * 201}, "too_long", "password"),
    ({"password": 123456789012}, "must_be_text", "password"),
])
def test_an_account_that_breaks_a_rule_is_refused_and_nothing_is_stored(api, deps, admin, fields, code, field):
    answer = add(api, admin, **fields)

    assert answer.status_code == 422
    assert api.error(answer)["code"] == code
    assert [m.username for m in deps.storage.staff.all()] == ["city.admin"]


@pytest.mark.parametrize("username, password", [("abc", "x" * 12), ("a" * 40, "x" * 200), ("o.k_v-9", "x" * 12)])
def test_usernames_of_3_to_40_and_passwords_of_12_to_200_characters_are_taken(api, admin, username, password):
    assert add(api, admin, username=username, password=password).status_code == 201


def test_a_taken_username_is_refused_whatever_its_case(api, admin):
    add(api, admin)
    answer = add(api, admin, username="O.KOVALENKO", role="admin")
    assert answer.status_code == 409 and api.error(answer)["code"] == "username_taken"


def test_the_list_shows_every_account_by_username_and_whether_it_is_locked(api, deps, admin, clock):
    add(api, admin, password=PASSWORD)
    add(api, admin, username="zhek12.master", role="executor", organisation="zhek-12")
    for _ in range(10):
        login(api, password="not the password")

    listed = api.json(api.get("/api/admin/staff", headers=admin))["staff"]

    assert [row["username"] for row in listed] == ["city.admin", "o.kovalenko", "zhek12.master"]
    assert listed[1]["locked_until"] == "2026-11-23T09:15:00Z"
    assert listed[2] == {"id": listed[2]["id"], "username": "zhek12.master", "name": "Олена Коваленко",
                         "role": "executor", "organisation": "zhek-12", "active": True, "totp": False,
                         "locked_until": None, "version": 1}
    clock.advance(timedelta(minutes=15))
    assert api.json(api.get("/api/admin/staff", headers=admin))["staff"][1]["locked_until"] is None


@pytest.mark.parametrize("role", ["operator", "executor", "inspector"])
def test_only_an_admin_manages_staff_accounts(api, role):
    headers = api.staff(role, "zhek-12" if role == "executor" else None)
    member_id = staff.current(api.deps, headers["Cookie"].split("=", 1)[1]).id

    answers = [api.get("/api/admin/staff", headers=headers),
               api.post("/api/admin/staff", {"username": "x.y.z", "name": "X", "role": "admin"}, headers=headers),
               api.patch(f"/api/admin/staff/{member_id}", {"version": 1, "role": "admin"}, headers=headers)]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert api.deps.storage.staff.get(member_id).role == role


def test_without_a_staff_session_the_accounts_ask_to_sign_in(api):
    assert api.get("/api/admin/staff").status_code == 401
    assert add(api, {}).status_code == 401


def test_an_admin_renames_an_account_and_changes_its_role(api, admin):
    made = api.json(add(api, admin))

    answer = change(api, admin, made["id"], version=1, name="Olena K.", role="executor", organisation="zhek-12")

    assert answer.status_code == 200
    made.pop("password")
    assert api.json(answer) == {**made, "name": "Olena K.", "role": "executor", "organisation": "zhek-12", "version": 2}


def test_an_executor_made_an_operator_leaves_the_organisation(api, admin):
    made = api.json(add(api, admin, role="executor", organisation="zhek-12"))
    answer = change(api, admin, made["id"], version=1, role="operator")
    assert api.json(answer)["organisation"] is None


def test_an_operator_made_an_executor_must_be_given_an_organisation(api, deps, admin):
    made = api.json(add(api, admin))
    answer = change(api, admin, made["id"], version=1, role="executor")
    assert answer.status_code == 422 and api.error(answer)["code"] == "required"
    assert deps.storage.staff.get(made["id"]).role == "operator"


def test_a_change_at_a_stale_version_is_refused_and_changes_nothing(api, deps, admin):
    made = api.json(add(api, admin))
    change(api, admin, made["id"], version=1, name="First")

    answer = change(api, admin, made["id"], version=1, name="Second")

    assert answer.status_code == 409 and api.error(answer)["code"] == "account_changed"
    assert deps.storage.staff.get(made["id"]).name == "First"


@pytest.mark.parametrize("fields, code", [
    ({}, "required"), ({"version": "1"}, "must_be_positive_whole_number"),
    ({"version": True}, "must_be_positive_whole_number"), ({"version": 1, "active": "no"}, "must_be_true_or_false"),
    ({"version": 1, "reset_password": 1}, "must_be_true_or_false"),
])
def test_a_change_without_a_whole_version_or_with_a_flag_not_true_or_false_is_invalid(api, deps, admin, fields, code):
    made = api.json(add(api, admin))
    answer = change(api, admin, made["id"], **fields)
    assert answer.status_code == 422 and api.error(answer)["code"] == code
    assert deps.storage.staff.get(made["id"]).version == 1


def test_changing_an_unknown_account_is_not_found(api, admin):
    answer = change(api, admin, "no-such-staff", version=1, name="X")
    assert answer.status_code == 404 and api.error(answer)["code"] == "staff_not_found"


def test_a_switched_off_account_loses_its_sessions_access_at_once(api, admin):
    made = api.json(add(api, admin, password=PASSWORD))
    signed_in = {"Cookie": login(api).headers["Set-Cookie"].split(";")[0]}
    assert api.get("/api/admin/me", headers=signed_in).status_code == 200
    # Every sign-in writes the account (its count of tries): the admin reads it again.
    version = api.json(api.get("/api/admin/staff", headers=admin))["staff"][1]["version"]

    switched_off = change(api, admin, made["id"], version=version, active=False)

    assert api.json(switched_off)["active"] is False
    assert api.get("/api/admin/me", headers=signed_in).status_code == 401
    assert login(api).status_code == 401


def test_switching_an_account_back_on_does_not_revive_its_old_sessions(api, admin, clock):
    made = api.json(add(api, admin, password=PASSWORD))
    signed_in = {"Cookie": login(api).headers["Set-Cookie"].split(";")[0]}
    clock.advance(timedelta(minutes=1))
    version = api.json(api.get("/api/admin/staff", headers=admin))["staff"][1]["version"]
    off = api.json(change(api, admin, made["id"], version=version, active=False))

    change(api, admin, made["id"], version=off["version"], active=True)

    assert api.get("/api/admin/me", headers=signed_in).status_code == 401
    assert login(api).status_code == 200


def test_a_reset_password_is_shown_once_and_the_old_one_stops_working(api, admin):
    made = api.json(add(api, admin, password=PASSWORD))

    answer = api.json(change(api, admin, made["id"], version=1, reset_password=True))

    assert len(answer["password"]) == 20 and answer["password"] != PASSWORD
    assert login(api).status_code == 401
    assert login(api, password=answer["password"]).status_code == 200
    listed = api.json(api.get("/api/admin/staff", headers=admin))["staff"]
    assert all("password" not in row for row in listed)


def test_an_admin_unlocks_a_locked_account(api, deps, admin):
    made = api.json(add(api, admin, password=PASSWORD))
    for _ in range(10):
        login(api, password="not the password")
    locked = deps.storage.staff.get(made["id"])

    answer = change(api, admin, made["id"], version=locked.version, unlock=True)

    assert api.json(answer)["locked_until"] is None
    assert login(api).status_code == 200


def test_an_admin_turns_off_the_totp_of_a_member_who_lost_their_phone(api, deps, admin):
    made = api.json(add(api, admin, password=PASSWORD))
    member = deps.storage.staff.get(made["id"])
    deps.storage.staff.update(replace(member, totp_secret=totp.new_secret(), version=2), 1)
    assert api.error(login(api))["code"] == "totp_required"

    answer = change(api, admin, made["id"], version=deps.storage.staff.get(made["id"]).version, totp_off=True)

    assert api.json(answer)["totp"] is False
    assert login(api).status_code == 200


@pytest.mark.parametrize("fields", [{"active": False}, {"role": "operator"}])
def test_an_admin_cannot_switch_off_or_demote_their_own_account(api, deps, admin, fields):
    own = deps.storage.staff.by_username("city.admin")

    answer = change(api, admin, own.id, version=1, **fields)

    assert answer.status_code == 403 and api.error(answer)["code"] == "own_account"
    assert deps.storage.staff.get(own.id) == own


@pytest.mark.parametrize("fields", [{"reset_password": True}, {"totp_off": True}])
def test_an_admin_cannot_reset_their_own_password_or_turn_off_their_own_totp_without_proof(api, deps, admin, fields):
    # Their own routes ask for the current password or a current code; here a stolen session would need neither.
    own = replace(deps.storage.staff.by_username("city.admin"), totp_secret=totp.new_secret(), version=2)
    deps.storage.staff.update(own, 1)

    answer = change(api, admin, own.id, version=2, **fields)

    assert answer.status_code == 403 and api.error(answer)["code"] == "own_secrets"
    assert deps.storage.staff.get(own.id) == own
    assert api.get("/api/admin/me", headers=admin).status_code == 200


def test_neither_a_password_nor_its_hash_is_logged_when_an_account_is_made_or_reset(api, deps, admin, caplog):
    caplog.set_level(logging.DEBUG)

    given = api.json(add(api, admin, password=PASSWORD))
    generated = api.json(add(api, admin, username="second.one"))
    reset = api.json(change(api, admin, given["id"], version=1, reset_password=True))

    hashes = [m.password_hash for m in deps.storage.staff.all()]
    for secret in [PASSWORD, generated["password"], reset["password"], *hashes]:
        assert secret not in caplog.text
    assert caplog.text  # the changes were logged, by id
