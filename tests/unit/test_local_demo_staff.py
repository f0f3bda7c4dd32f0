"""The demo staff accounts of a local run: one per role and per executor
organisation, written to var/demo-accounts.json and printed once, never twice."""

import json
import stat

import pytest

from chalicelib.services import open311_keys, staff
from local.demo_staff import describe, seed_staff
from local.seed import seed_demo

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


def executor_codes(deps) -> list:
    return [org.code for org in deps.storage.directory.organisations() if org.kind == "executor"]


def test_an_admin_an_operator_an_inspector_and_one_executor_per_executor_organisation_are_made(deps, tmp_path):
    accounts = seed_staff(deps, tmp_path / "demo-accounts.json")

    people = [a for a in accounts if a["role"] != "open311"]
    assert [(a["role"], a["username"]) for a in people[:3]] == [
        ("admin", "admin"), ("operator", "operator"), ("inspector", "inspector")]
    assert [(a["role"], a["organisation"]) for a in people[3:]] == [("executor", code) for code in executor_codes(deps)]
    assert len(executor_codes(deps)) > 10 and all("organisation" not in a for a in people[:3])
    for account in people:
        member, _ = staff.login(deps, account["username"], account["password"], None, "127.0.0.1")
        assert (member.role, member.organisation) == (account["role"], account.get("organisation"))


def test_the_passwords_are_random_and_differ_between_accounts(deps, tmp_path):
    passwords = [a["password"] for a in seed_staff(deps, tmp_path / "demo-accounts.json") if "password" in a]
    assert len(set(passwords)) == len(passwords) and all(len(p) >= 12 for p in passwords)


def test_the_file_lists_the_accounts_and_a_working_open311_key_and_only_its_owner_reads_it(deps, tmp_path):
    path = tmp_path / "var" / "demo-accounts.json"

    accounts = seed_staff(deps, path)

    assert json.loads(path.read_text(encoding="utf-8")) == accounts
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = accounts[-1]
    assert sorted(key) == ["api_key", "role"] and key["role"] == "open311"
    assert open311_keys.check(deps, key["api_key"]).name == "Demo partner"


def test_seeding_twice_adds_nothing_and_keeps_the_file(deps, tmp_path):
    path = tmp_path / "demo-accounts.json"
    seed_staff(deps, path)
    first = path.read_bytes()
    count = len(deps.storage.staff.all())

    assert seed_staff(deps, path) == []

    assert path.read_bytes() == first
    assert len(deps.storage.staff.all()) == count
    assert len(deps.storage.open311_keys.all()) == 1


def test_an_account_someone_made_with_a_demo_username_is_left_alone_and_not_listed(deps, tmp_path):
    theirs, _ = staff.create(deps, "operator", "Their own operator", "operator", None, "their own password")

    accounts = seed_staff(deps, tmp_path / "demo-accounts.json")

    assert "operator" not in [a.get("username") for a in accounts]
    assert deps.storage.staff.by_username("operator") == theirs


def test_the_console_shows_every_account_when_they_are_made_and_the_file_afterwards(deps, tmp_path):
    path = tmp_path / "demo-accounts.json"
    accounts = seed_staff(deps, path)

    printed = describe(accounts, path)

    assert str(path) in printed
    assert all(a.get("password", a.get("api_key")) in printed for a in accounts)
    assert describe([], path) == f"demo staff accounts: see {path}"


def test_make_run_seeds_the_staff_with_the_demo_resident_and_prints_them(deps, tmp_path, capsys):
    seed_demo(deps, tmp_path)

    printed = capsys.readouterr().out
    accounts = json.loads((tmp_path / "demo-accounts.json").read_text(encoding="utf-8"))
    assert accounts[0]["password"] in printed
    seed_demo(deps, tmp_path)
    assert accounts[0]["password"] not in capsys.readouterr().out
