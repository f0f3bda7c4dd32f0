"""Outage notices: what an operator sends is checked, and publishing, editing and
closing return the new record (the domain stores nothing)."""

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib.domain import outage
from chalicelib.domain.address import Registry
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.errors import IllegalTransition, InvalidInput
from chalicelib.domain.outage import ACTIVE, CLOSED
from tests.builders import NOW, make_outage

DATA = Path(__file__).resolve().parents[2] / "functions" / "chalicelib" / "data"


def load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


CATALOGUE = Catalogue.from_data(load("catalogue.json"))
REGISTRY = Registry.from_data(load("city.json")["districts"], load("streets.json"), load("buildings.json"))
LATER = NOW + timedelta(hours=1)


def notice(**changes) -> dict:
    """What an operator sends to publish a notice, with any field replaced."""
    return {"kind": "water", "area": "Tsentralnyi, around the Opera House",
            "addresses": [{"street": "yavornytskoho-ave", "houses": ["8", "44"]},
                          {"street": "sicheslavska-naberezhna", "houses": []}],
            "reason": "A main burst: repairs.", "starts_at": "2026-11-23T10:00:00Z",
            "expected_end": "2026-11-23T18:00:00+02:00", **changes}


def publish(data: dict):
    return outage.publish(data, id="outage-1", by="staff-1", now=NOW, catalogue=CATALOGUE, registry=REGISTRY)


def edit(record, data: dict, by: str = "staff-2"):
    return outage.edit(record, data, by=by, now=LATER, catalogue=CATALOGUE, registry=REGISTRY)


def test_a_published_notice_is_active_at_version_one_with_its_times_in_utc():
    published = publish(notice())

    assert published == outage.Outage(
        id="outage-1", kind="water", area="Tsentralnyi, around the Opera House",
        addresses=(("yavornytskoho-ave", ("8", "44")), ("sicheslavska-naberezhna", ())),
        reason="A main burst: repairs.", starts_at=NOW + timedelta(hours=1), expected_end=NOW + timedelta(hours=7),
        created_by="staff-1", created_at=NOW, updated_by="staff-1", updated_at=NOW, state=ACTIVE, version=1)


def test_a_notice_may_name_no_addresses_when_its_area_says_where():
    assert publish(notice(addresses=[])).addresses == ()


@pytest.mark.parametrize("field", ["kind", "area", "reason", "starts_at", "expected_end"])
def test_a_notice_without_a_required_field_is_refused_naming_it(field):
    data = notice()
    del data[field]

    with pytest.raises(InvalidInput) as refused:
        publish(data)

    assert refused.value.field == field


@pytest.mark.parametrize("changes, message_id, field", [
    ({"kind": "water.low-pressure"}, "unknown_outage_kind", "kind"),
    ({"kind": "no-such-topic"}, "unknown_outage_kind", "kind"),
    ({"area": "x" * 501}, "too_long", "area"),
    ({"reason": "   "}, "required", "reason"),
    ({"starts_at": "tomorrow"}, "must_be_time", "starts_at"),
    ({"starts_at": "2026-11-23T10:00:00"}, "must_be_time", "starts_at"),
    ({"expected_end": 1700000000}, "must_be_time", "expected_end"),
    ({"expected_end": "2026-11-23T10:00:00Z"}, "end_before_start", "expected_end"),
    ({"expected_end": "2026-11-23T09:00:00Z"}, "end_before_start", "expected_end"),
    ({"addresses": {"street": "yavornytskoho-ave"}}, "must_be_list", "addresses"),
    ({"addresses": ["yavornytskoho-ave"]}, "must_be_list", "addresses"),
    ({"addresses": [{"street": "no-such-street", "houses": []}]}, "unknown_street", "street"),
    ({"addresses": [{"street": "yavornytskoho-ave", "houses": "8"}]}, "must_be_list", "houses"),
    ({"addresses": [{"street": "yavornytskoho-ave", "houses": [8]}]}, "must_be_text", "house"),
    ({"addresses": [{"street": "yavornytskoho-ave", "houses": ["8" * 21]}]}, "too_long", "house"),
    ({"addresses": [{"street": "yavornytskoho-ave", "houses": [str(n) for n in range(501)]}]},
     "too_many_items", "houses"),
    ({"addresses": [{"street": "yavornytskoho-ave"}] * 101}, "too_many_items", "addresses"),
])
def test_a_wrong_field_is_refused_naming_it(changes, message_id, field):
    with pytest.raises(InvalidInput) as refused:
        publish(notice(**changes))

    assert (refused.value.message_id, refused.value.field) == (message_id, field)


def test_an_edit_changes_only_the_fields_sent_and_records_who_and_when():
    published = make_outage()

    edited = edit(published, {"expected_end": "2026-11-23T20:00:00Z", "reason": "The pipe is worse than thought."})

    assert edited == replace(published, expected_end=NOW + timedelta(hours=11),
                             reason="The pipe is worse than thought.", updated_by="staff-2", updated_at=LATER,
                             version=2)


def test_an_edit_may_not_end_a_notice_before_it_starts():
    published = make_outage(starts_at=NOW, expected_end=NOW + timedelta(hours=6))

    with pytest.raises(InvalidInput) as refused:
        edit(published, {"starts_at": "2026-11-23T16:00:00Z"})

    assert refused.value.message_id == "end_before_start"


def test_an_edit_saying_closed_changes_the_fields_and_closes_the_notice_in_one_version():
    published = make_outage()

    edited = edit(published, {"reason": "Repaired.", "closed": True})

    assert (edited.state, edited.closed_at, edited.reason, edited.version) == (CLOSED, LATER, "Repaired.", 2)


def test_closed_false_leaves_the_notice_active():
    assert edit(make_outage(), {"closed": False}).state == ACTIVE


@pytest.mark.parametrize("closed", ["yes", 1, None])
def test_closed_must_be_true_or_false(closed):
    with pytest.raises(InvalidInput) as refused:
        edit(make_outage(), {"closed": closed})

    assert refused.value.field == "closed"


def test_closing_a_notice_takes_it_off_at_that_moment():
    closed = outage.close(make_outage(), by="staff-2", now=LATER)

    assert (closed.state, closed.closed_at, closed.updated_by, closed.updated_at, closed.version) \
        == (CLOSED, LATER, "staff-2", LATER, 2)


def test_a_closed_notice_can_be_neither_edited_nor_closed_again():
    closed = make_outage(state=CLOSED, closed_at=NOW, version=2)

    with pytest.raises(IllegalTransition):
        edit(closed, {"reason": "Reopened?"})
    with pytest.raises(IllegalTransition):
        outage.close(closed, by="staff-2", now=LATER)
