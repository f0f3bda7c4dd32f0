"""Open311 keys: an admin makes one (the key shown once, kept only as a keyed
hash), lists and revokes them; `check` finds a live key and nothing else."""

import hashlib
import hmac
from datetime import timedelta

import pytest

from chalicelib.services import open311_keys


def issue(api, headers, name="Dnipro city app"):
    return api.post("/api/admin/open311-keys", {"name": name}, headers=headers)


def test_an_admin_makes_a_key_that_is_shown_once_and_stored_only_as_a_hash(api, deps):
    admin = api.staff("admin")

    made = issue(api, admin)

    assert made.status_code == 201
    key = api.json(made)
    assert sorted(key) == ["api_key", "created_at", "id", "name"]
    assert (key["name"], key["created_at"]) == ("Dnipro city app", "2026-11-23T09:00:00Z")
    assert len(key["api_key"]) >= 40
    assert key["api_key"] not in repr(api.snapshot())
    assert deps.storage.open311_keys.get(key["id"]).key_hash \
        == hmac.new(b"test-secret", b"open311\x1f" + key["api_key"].encode(), hashlib.sha256).hexdigest()
    assert api.json(api.get("/api/admin/open311-keys", headers=admin)) == {"keys": [
        {"id": key["id"], "name": "Dnipro city app", "created_at": "2026-11-23T09:00:00Z", "revoked_at": None}]}
    assert open311_keys.check(deps, key["api_key"]).id == key["id"]


def test_two_keys_differ_and_each_is_checked_as_itself(api, deps):
    admin = api.staff("admin")

    first, second = api.json(issue(api, admin, "First")), api.json(issue(api, admin, "Second"))

    assert first["api_key"] != second["api_key"]
    assert open311_keys.check(deps, first["api_key"]).name == "First"
    assert open311_keys.check(deps, second["api_key"]).name == "Second"


def test_a_revoked_key_is_checked_as_no_key_and_listed_as_revoked(api, deps, clock):
    admin = api.staff("admin")
    key = api.json(issue(api, admin))
    clock.advance(timedelta(hours=1))

    revoked = api.post(f"/api/admin/open311-keys/{key['id']}/revoke", headers=admin)

    assert revoked.status_code == 200
    assert api.json(revoked) == {"id": key["id"], "name": "Dnipro city app", "created_at": "2026-11-23T09:00:00Z",
                                 "revoked_at": "2026-11-23T10:00:00Z"}
    assert open311_keys.check(deps, key["api_key"]) is None
    assert api.json(api.get("/api/admin/open311-keys", headers=admin))["keys"][0]["revoked_at"] \
        == "2026-11-23T10:00:00Z"


def test_revoking_a_key_again_keeps_its_first_revocation(api, clock):
    admin = api.staff("admin")
    key = api.json(issue(api, admin))
    first = api.json(api.post(f"/api/admin/open311-keys/{key['id']}/revoke", headers=admin))
    clock.advance(timedelta(hours=2))

    again = api.post(f"/api/admin/open311-keys/{key['id']}/revoke", headers=admin)

    assert api.json(again) == first


def test_revoking_an_unknown_key_is_not_found(api):
    refused = api.post("/api/admin/open311-keys/no-such-key/revoke", headers=api.staff("admin"))

    assert (refused.status_code, api.error(refused)["code"]) == (404, "open311_key_not_found")


@pytest.mark.parametrize("api_key", ["", "not-a-key", "x" * 5000, None, 42])
def test_anything_but_a_live_key_is_checked_as_no_key(api, deps, api_key):
    issue(api, api.staff("admin"))

    assert open311_keys.check(deps, api_key) is None


def test_a_key_needs_a_name(api):
    refused = api.post("/api/admin/open311-keys", {"name": "  "}, headers=api.staff("admin"))

    assert (refused.status_code, api.error(refused)["code"]) == (422, "required")


@pytest.mark.parametrize("role, organisation", [("operator", None), ("executor", "dniprovodokanal"),
                                                ("inspector", None)])
def test_only_an_admin_manages_keys(api, role, organisation):
    key = api.json(issue(api, api.staff("admin")))
    other = api.staff(role, organisation)
    before = api.snapshot()

    assert api.get("/api/admin/open311-keys", headers=other).status_code == 403
    assert issue(api, other).status_code == 403
    assert api.post(f"/api/admin/open311-keys/{key['id']}/revoke", headers=other).status_code == 403
    assert api.snapshot() == before


def test_the_local_seed_makes_a_key_without_a_signed_in_admin(deps):
    key, api_key = open311_keys.create(deps, "Demo partner")

    assert open311_keys.check(deps, api_key) == key
