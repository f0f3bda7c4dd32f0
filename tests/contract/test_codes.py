"""CodeStore: one current sign-in code per phone; wrong tries and use are conditional on the code."""

from datetime import timedelta

import pytest

from chalicelib.domain.errors import NotFound
from tests.builders import NOW, make_code


def test_a_stored_code_comes_back_equal(storage):
    code = make_code(wrong_tries=2)

    storage.codes.put(code)

    assert storage.codes.get(code.phone) == code


def test_a_phone_without_a_code_has_none(storage):
    assert storage.codes.get("+380500000000") is None


def test_a_new_code_replaces_the_phones_earlier_one(storage):
    earlier = make_code(wrong_tries=3)
    storage.codes.put(earlier)
    current = make_code(phone=earlier.phone, created_at=NOW + timedelta(minutes=2))

    storage.codes.put(current)

    assert storage.codes.get(earlier.phone) == current


def test_wrong_tries_are_counted_one_by_one(storage):
    code = make_code()
    storage.codes.put(code)

    counts = [storage.codes.count_wrong_try(code.phone, code.code_hash) for _ in range(3)]

    assert counts == [1, 2, 3]
    assert storage.codes.get(code.phone).wrong_tries == 3


def test_a_wrong_try_on_a_replaced_code_is_not_found_and_leaves_the_new_one_alone(storage):
    earlier = make_code()
    storage.codes.put(earlier)
    current = make_code(phone=earlier.phone)
    storage.codes.put(current)

    with pytest.raises(NotFound):
        storage.codes.count_wrong_try(earlier.phone, earlier.code_hash)

    assert storage.codes.get(earlier.phone) == current


def test_a_wrong_try_on_a_phone_without_a_code_is_not_found(storage):
    with pytest.raises(NotFound):
        storage.codes.count_wrong_try("+380500000000", "any-hash")


def test_only_the_first_of_two_deletes_of_one_code_removes_it(storage):
    code = make_code()
    storage.codes.put(code)

    assert storage.codes.delete(code.phone, code.code_hash) is True
    assert storage.codes.delete(code.phone, code.code_hash) is False
    assert storage.codes.get(code.phone) is None


def test_deleting_a_replaced_code_is_refused_and_keeps_the_current_one(storage):
    earlier = make_code()
    storage.codes.put(earlier)
    current = make_code(phone=earlier.phone)
    storage.codes.put(current)

    assert storage.codes.delete(earlier.phone, earlier.code_hash) is False
    assert storage.codes.get(earlier.phone) == current


def test_a_used_code_takes_no_more_wrong_tries(storage):
    code = make_code()
    storage.codes.put(code)
    storage.codes.delete(code.phone, code.code_hash)

    with pytest.raises(NotFound):
        storage.codes.count_wrong_try(code.phone, code.code_hash)
    assert storage.codes.get(code.phone) is None
