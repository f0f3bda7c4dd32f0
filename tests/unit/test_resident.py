"""A deleted account's tombstone keeps nothing personal."""

from dataclasses import fields
from datetime import timedelta

from chalicelib.domain.resident import tombstone
from tests.builders import NOW, make_resident


def test_a_tombstone_keeps_the_id_language_and_times_and_nothing_personal():
    resident = make_resident(name="Olena Kovalenko", email="olena@example.org", language="ru")

    left = tombstone(resident, NOW + timedelta(days=2))

    assert left.deleted and not resident.deleted
    assert (left.id, left.language, left.created_at, left.deleted_at) == (
        resident.id, "ru", resident.created_at, NOW + timedelta(days=2))
    assert (left.phone, left.name, left.email, left.status_sms) == ("", "", "", False)
    # A field added to the account later must be thought about here too.
    assert {f.name for f in fields(left)} == {"id", "phone", "language", "created_at", "name", "email", "status_sms",
                                               "deleted_at"}
