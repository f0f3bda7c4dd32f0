"""The one check of the times clients send (domain/fields.py `time`)."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain import fields
from chalicelib.domain.errors import InvalidInput

KYIV = ZoneInfo("Europe/Kyiv")


def test_a_time_with_its_offset_is_answered_in_utc():
    assert fields.time("2026-11-23T11:00:00+02:00", "at") == datetime(2026, 11, 23, 9, tzinfo=timezone.utc)


def test_a_time_without_an_offset_is_in_the_local_zone_given_or_refused():
    assert fields.time("2026-11-23T11:00", "at", local_zone=KYIV) == datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    with pytest.raises(InvalidInput) as refused:
        fields.time("2026-11-23T11:00", "at")
    assert (refused.value.message_id, refused.value.params["field"]) == ("must_be_time", "at")


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "tomorrow", "",
                                   None, 20261123, "2026-11-23T11:00:00" + "0" * 40 + "Z"])
def test_what_is_no_time_or_falls_outside_the_years_1_to_9999_in_utc_is_refused_with_the_message_asked(value):
    with pytest.raises(InvalidInput) as refused:
        fields.time(value, "due_at", local_zone=KYIV, message="must_be_zoned_time")
    assert (refused.value.message_id, refused.value.params["field"]) == ("must_be_zoned_time", "due_at")
