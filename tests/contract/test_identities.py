"""Identities: a phone, an e-mail address or a provider's subject signs in to one
account; an account may hold several. And the e-mail sign-in links that sign in once."""

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.adapters import codec, sqlite
from chalicelib.domain.errors import AlreadyExists, NotFound
from chalicelib.domain.session import SignInLink
from tests.builders import NOW, make_resident

EMAIL = ("email", "olena@example.org")
GOOGLE = ("oidc:google", "1234567890")


def test_an_account_is_found_by_each_identity_it_was_created_with(storage):
    resident = make_resident()

    storage.users.create(resident, identities=(EMAIL, GOOGLE))

    assert storage.users.by_identity("phone", resident.phone) == resident
    assert storage.users.by_phone(resident.phone) == resident
    assert storage.users.by_identity(*EMAIL) == resident
    assert storage.users.by_identity(*GOOGLE) == resident
    assert storage.users.identities(resident.id) == sorted([("phone", resident.phone), EMAIL, GOOGLE])


def test_an_account_without_a_phone_holds_only_its_other_identities(storage):
    first, second = make_resident(phone=""), make_resident(phone="")

    storage.users.create(first, identities=(EMAIL,))
    storage.users.create(second, identities=(GOOGLE,))

    assert storage.users.by_identity(*EMAIL) == first
    assert storage.users.by_identity(*GOOGLE) == second
    assert storage.users.identities(first.id) == [EMAIL]
    assert storage.users.by_phone("") is None


def test_an_unknown_identity_finds_no_one_and_an_unknown_account_holds_none(storage):
    assert storage.users.by_identity(*EMAIL) is None
    assert storage.users.identities("no-such-resident") == []


def test_an_account_created_with_an_identity_someone_holds_is_refused_whole(storage):
    first = make_resident()
    storage.users.create(first, identities=(EMAIL,))
    second = make_resident()

    with pytest.raises(AlreadyExists):
        storage.users.create(second, identities=(EMAIL,))

    assert storage.users.get(second.id) is None
    assert storage.users.by_phone(second.phone) is None
    assert storage.users.by_identity(*EMAIL) == first


def test_a_linked_identity_signs_in_to_the_account_too(storage):
    resident = make_resident()
    storage.users.create(resident)

    assert storage.users.link(resident.id, *EMAIL) == resident

    assert storage.users.by_identity(*EMAIL) == resident
    assert storage.users.identities(resident.id) == [EMAIL, ("phone", resident.phone)]


def test_linking_an_identity_the_account_holds_changes_nothing(storage):
    resident = make_resident()
    storage.users.create(resident, identities=(EMAIL,))

    assert storage.users.link(resident.id, *EMAIL) == resident
    assert storage.users.link(resident.id, "phone", resident.phone) == resident

    assert storage.users.identities(resident.id) == [EMAIL, ("phone", resident.phone)]


def test_an_identity_another_account_holds_is_not_linked(storage):
    owner, other = make_resident(), make_resident()
    storage.users.create(owner, identities=(EMAIL,))
    storage.users.create(other)

    with pytest.raises(AlreadyExists):
        storage.users.link(other.id, *EMAIL)
    with pytest.raises(AlreadyExists):
        storage.users.link(other.id, "phone", owner.phone)

    assert storage.users.by_identity(*EMAIL) == owner
    assert storage.users.by_phone(owner.phone) == owner
    assert storage.users.identities(other.id) == [("phone", other.phone)]


def test_linking_to_an_unknown_account_is_not_found_and_claims_nothing(storage):
    with pytest.raises(NotFound):
        storage.users.link("no-such-resident", *EMAIL)

    assert storage.users.by_identity(*EMAIL) is None


def test_a_phone_linked_to_an_account_without_one_becomes_its_phone(storage):
    resident = make_resident(phone="")
    storage.users.create(resident, identities=(EMAIL,))

    linked = storage.users.link(resident.id, "phone", "+380671112233")

    assert linked == replace(resident, phone="+380671112233")
    assert storage.users.get(resident.id) == linked
    assert storage.users.by_phone("+380671112233") == linked


def test_a_second_phone_signs_in_but_the_first_stays_the_one_for_sms(storage):
    resident = make_resident()
    storage.users.create(resident)

    assert storage.users.link(resident.id, "phone", "+380671112233") == resident

    assert storage.users.by_phone("+380671112233") == resident
    assert storage.users.get(resident.id).phone == resident.phone


def test_an_update_keeps_the_identities(storage):
    resident = make_resident()
    storage.users.create(resident, identities=(EMAIL,))

    storage.users.update(replace(resident, language="en"))

    assert storage.users.by_identity(*EMAIL).language == "en"
    assert storage.users.identities(resident.id) == [EMAIL, ("phone", resident.phone)]


def test_an_update_that_changes_the_phone_is_refused(storage):
    resident = make_resident()
    storage.users.create(resident)

    with pytest.raises(NotFound):
        storage.users.update(replace(resident, phone="+380671112233"))

    assert storage.users.get(resident.id) == resident


def make_link(**overrides) -> SignInLink:
    fields = {"token_hash": "link-hash-1", "email": "olena@example.org", "lang": "ru", "created_at": NOW,
              "expires_at": NOW + timedelta(minutes=15)}
    return SignInLink(**{**fields, **overrides})


def test_a_sign_in_link_is_taken_once(storage):
    link = make_link()
    storage.links.put(link)

    assert storage.links.take(link.token_hash) == link
    assert storage.links.take(link.token_hash) is None


def test_an_unknown_sign_in_link_is_none(storage):
    storage.links.put(make_link())

    assert storage.links.take("no-such-hash") is None


def test_an_expired_link_is_still_returned_for_the_service_to_refuse(storage):
    link = make_link(expires_at=NOW - timedelta(minutes=1))
    storage.links.put(link)

    assert storage.links.take(link.token_hash) == link


def test_a_file_from_before_identities_keeps_its_accounts_each_phone_its_identity(tmp_path):
    path = str(tmp_path / "citydesk.sqlite3")
    current = sqlite.MIGRATIONS
    before = next(n for n, steps in enumerate(current) if any("CREATE TABLE identities" in str(s) for s in steps))
    resident = make_resident()
    try:
        # The file as it was when an account was its phone.
        sqlite.MIGRATIONS = current[:before]
        with sqlite.Database(path).write() as conn:
            conn.execute("INSERT INTO users (id, phone, data) VALUES (?, ?, ?)",
                         (resident.id, resident.phone, json.dumps(codec.resident_to_data(resident))))
    finally:
        sqlite.MIGRATIONS = current

    storage = sqlite.open_storage(path)

    assert storage.users.by_phone(resident.phone) == resident
    assert storage.users.identities(resident.id) == [("phone", resident.phone)]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == len(current)
