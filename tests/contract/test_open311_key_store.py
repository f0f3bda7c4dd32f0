"""Open311 keys: stored, found by their hash, listed newest first, revoked."""

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.errors import AlreadyExists, NotFound
from tests.builders import NOW, make_open311_key


def test_a_created_key_comes_back_by_id_and_by_its_hash(storage):
    key = make_open311_key()

    storage.open311_keys.create(key)

    assert storage.open311_keys.get(key.id) == key
    assert storage.open311_keys.by_hash(key.key_hash) == key


def test_an_unknown_id_or_hash_finds_nothing(storage):
    storage.open311_keys.create(make_open311_key())

    assert storage.open311_keys.get("no-such-key") is None
    assert storage.open311_keys.by_hash("no-such-hash") is None


def test_a_taken_id_or_hash_is_refused_and_nothing_is_written(storage):
    key = make_open311_key()
    storage.open311_keys.create(key)

    with pytest.raises(AlreadyExists):
        storage.open311_keys.create(make_open311_key(key_hash=key.key_hash))
    with pytest.raises(AlreadyExists):
        storage.open311_keys.create(make_open311_key(id=key.id))

    assert storage.open311_keys.all() == [key]


def test_every_key_is_listed_newest_first(storage):
    old = make_open311_key(created_at=NOW - timedelta(days=30))
    new = make_open311_key(created_at=NOW)
    revoked = make_open311_key(created_at=NOW - timedelta(days=1), revoked_at=NOW)
    for key in (old, new, revoked):
        storage.open311_keys.create(key)

    assert storage.open311_keys.all() == [new, revoked, old]


def test_a_revoked_key_is_stored_revoked_and_still_found_by_its_hash(storage):
    key = make_open311_key()
    storage.open311_keys.create(key)
    revoked = replace(key, revoked_at=NOW + timedelta(hours=1))

    storage.open311_keys.update(revoked)

    assert storage.open311_keys.get(key.id) == revoked
    assert storage.open311_keys.by_hash(key.key_hash) == revoked


def test_updating_a_key_that_is_not_there_is_refused(storage):
    with pytest.raises(NotFound):
        storage.open311_keys.update(make_open311_key())

    assert storage.open311_keys.all() == []
