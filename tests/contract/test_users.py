"""UserStore: residents by id and by phone; one account per phone."""

from dataclasses import replace

import pytest

from chalicelib.domain.errors import AlreadyExists, NotFound
from tests.builders import make_resident


def test_a_created_resident_comes_back_equal_by_id_and_by_phone(storage):
    resident = make_resident(name="Олена Коваленко", email="olena@example.com", status_sms=False)

    storage.users.create(resident)

    assert storage.users.get(resident.id) == resident
    assert storage.users.by_phone(resident.phone) == resident


def test_an_unknown_resident_is_none_by_id_and_by_phone(storage):
    assert storage.users.get("no-such-resident") is None
    assert storage.users.by_phone("+380500000000") is None


def test_a_second_account_with_a_taken_phone_is_refused(storage):
    first = make_resident()
    storage.users.create(first)
    second = make_resident(phone=first.phone)

    with pytest.raises(AlreadyExists):
        storage.users.create(second)

    assert storage.users.get(second.id) is None
    assert storage.users.by_phone(first.phone) == first


def test_a_second_account_with_a_taken_id_is_refused(storage):
    first = make_resident()
    storage.users.create(first)
    second = make_resident(id=first.id)

    with pytest.raises(AlreadyExists):
        storage.users.create(second)

    assert storage.users.get(first.id) == first
    assert storage.users.by_phone(second.phone) is None


def test_an_update_replaces_the_account(storage):
    resident = make_resident()
    storage.users.create(resident)
    changed = replace(resident, language="en", name="Olena K.", email="o.k@example.com", status_sms=False)

    storage.users.update(changed)

    assert storage.users.get(resident.id) == changed
    assert storage.users.by_phone(resident.phone) == changed


def test_an_update_of_an_unknown_account_is_not_found_and_creates_nothing(storage):
    ghost = make_resident()

    with pytest.raises(NotFound):
        storage.users.update(ghost)

    assert storage.users.get(ghost.id) is None
    assert storage.users.by_phone(ghost.phone) is None
