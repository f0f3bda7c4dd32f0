"""Outage notices: stored, replaced only from the version read, listed by state."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import AlreadyExists, NotFound, StaleVersion
from chalicelib.domain.outage import ACTIVE, CLOSED
from tests.builders import NOW, make_outage


def test_a_published_notice_comes_back_equal(storage):
    outage = make_outage(addresses=(("yavornytskoho-ave", ("8", "12А")), ("sicheslavska-naberezhna", ())))

    storage.outages.create(outage)

    assert storage.outages.get(outage.id) == outage


def test_a_notice_of_a_year_before_1000_comes_back_equal_and_is_listed_first(storage):
    early = make_outage(starts_at=datetime(211, 8, 28, 14, 29, 29, 343200, tzinfo=timezone.utc))
    storage.outages.create(make_outage())
    storage.outages.create(early)

    assert storage.outages.get(early.id) == early
    assert storage.outages.active()[0] == early


def test_an_unknown_notice_is_none(storage):
    assert storage.outages.get("no-such-outage") is None


def test_a_taken_id_is_refused(storage):
    outage = make_outage()
    storage.outages.create(outage)

    with pytest.raises(AlreadyExists):
        storage.outages.create(make_outage(id=outage.id, reason="Another reason."))

    assert storage.outages.get(outage.id) == outage


def test_an_update_from_the_stored_version_replaces_the_notice(storage):
    outage = make_outage()
    storage.outages.create(outage)
    edited = replace(outage, expected_end=outage.expected_end + timedelta(hours=2), version=2)

    storage.outages.update(edited, expected_version=1)

    assert storage.outages.get(outage.id) == edited


def test_a_stale_update_is_refused_and_changes_nothing(storage):
    outage = make_outage()
    storage.outages.create(outage)
    storage.outages.update(replace(outage, reason="Newer news.", version=2), expected_version=1)

    with pytest.raises(StaleVersion):
        storage.outages.update(replace(outage, reason="Older news.", version=2), expected_version=1)

    assert storage.outages.get(outage.id).reason == "Newer news."


def test_updating_a_notice_that_is_not_there_is_refused(storage):
    with pytest.raises(NotFound):
        storage.outages.update(make_outage(version=2), expected_version=1)

    assert storage.outages.all() == []


def test_the_active_notices_come_earliest_start_first_without_the_closed_ones(storage):
    later = make_outage(starts_at=NOW + timedelta(hours=3), expected_end=NOW + timedelta(hours=9))
    earlier = make_outage(starts_at=NOW - timedelta(hours=1))
    closed = make_outage(state=CLOSED, closed_at=NOW, starts_at=NOW - timedelta(hours=2))
    for outage in (later, closed, earlier):
        storage.outages.create(outage)

    assert storage.outages.active() == [earlier, later]


def test_a_closed_notice_leaves_the_active_ones(storage):
    outage = make_outage()
    storage.outages.create(outage)

    storage.outages.update(replace(outage, state=CLOSED, closed_at=NOW, version=2), expected_version=1)

    assert storage.outages.active() == []
    assert [o.id for o in storage.outages.all(CLOSED)] == [outage.id]


def test_all_notices_come_latest_start_first_in_one_state_or_every_state(storage):
    first = make_outage(starts_at=NOW - timedelta(days=2), state=CLOSED, closed_at=NOW - timedelta(days=1))
    second = make_outage(starts_at=NOW - timedelta(days=1))
    third = make_outage(starts_at=NOW, state=CLOSED, closed_at=NOW)
    for outage in (second, first, third):
        storage.outages.create(outage)

    assert storage.outages.all() == [third, second, first]
    assert storage.outages.all(ACTIVE) == [second]
    assert storage.outages.all(CLOSED) == [third, first]
