"""StaffStore: staff accounts by id and by username; one account per username;
updates only at the version the writer read."""

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.errors import AlreadyExists, NotFound, StaleVersion
from tests.builders import NOW, make_staff


def test_a_created_account_comes_back_equal_by_id_and_by_username(storage):
    member = make_staff(role="executor", organisation="zhek-12", totp_secret="GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                        failed_logins=3, locked_until=NOW + timedelta(minutes=15), name="Олена Коваленко")

    storage.staff.create(member)

    assert storage.staff.get(member.id) == member
    assert storage.staff.by_username(member.username) == member


def test_an_unknown_account_is_none_by_id_and_by_username(storage):
    assert storage.staff.get("no-such-staff") is None
    assert storage.staff.by_username("nobody") is None


def test_a_second_account_with_a_taken_username_is_refused_and_the_first_stays(storage):
    first = make_staff(username="o.kovalenko")
    storage.staff.create(first)
    second = make_staff(username="o.kovalenko", role="admin")

    with pytest.raises(AlreadyExists):
        storage.staff.create(second)

    assert storage.staff.get(second.id) is None
    assert storage.staff.by_username("o.kovalenko") == first


def test_a_second_account_with_a_taken_id_is_refused(storage):
    first = make_staff()
    storage.staff.create(first)

    with pytest.raises(AlreadyExists):
        storage.staff.create(make_staff(id=first.id))

    assert storage.staff.get(first.id) == first
    assert storage.staff.all() == [first]


def test_an_update_at_the_stored_version_replaces_the_account(storage):
    member = make_staff()
    storage.staff.create(member)
    changed = replace(member, name="Renamed", active=False, failed_logins=1, version=2)

    storage.staff.update(changed, expected_version=1)

    assert storage.staff.get(member.id) == changed
    assert storage.staff.by_username(member.username) == changed


def test_a_stale_update_is_refused_and_changes_nothing(storage):
    member = make_staff()
    storage.staff.create(member)
    storage.staff.update(replace(member, failed_logins=1, version=2), expected_version=1)

    with pytest.raises(StaleVersion):
        storage.staff.update(replace(member, name="Lost write", version=2), expected_version=1)

    assert storage.staff.get(member.id) == replace(member, failed_logins=1, version=2)


def test_updating_an_account_never_created_is_not_found(storage):
    with pytest.raises(NotFound):
        storage.staff.update(replace(make_staff(), version=2), expected_version=1)


def test_all_accounts_come_by_username(storage):
    for username in ("zhek12.master", "admin", "operator.kyrylo"):
        storage.staff.create(make_staff(username=username))

    assert [member.username for member in storage.staff.all()] == ["admin", "operator.kyrylo", "zhek12.master"]


def test_there_are_no_accounts_at_first(storage):
    assert storage.staff.all() == []
