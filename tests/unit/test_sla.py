from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain import sla

KYIV = ZoneInfo("Europe/Kyiv")


def test_the_default_classes_are_six_hours_a_day_three_days_and_a_week():
    assert sla.SlaPolicy().hours == {"emergency": 6, "short": 24, "medium": 72, "long": 168}


def test_a_deadline_across_the_autumn_clock_change_is_six_real_hours():
    # 26 Oct 2025, 04:00 Kyiv summer time goes back to 03:00 winter time.
    filed = datetime(2025, 10, 26, 1, 30, tzinfo=KYIV)
    due = sla.due_at(filed.astimezone(timezone.utc), 6)
    assert due - filed.astimezone(timezone.utc) == timedelta(hours=6)
    assert due.astimezone(KYIV).hour == 6  # 01:30 + 6 h, one of them repeated: 06:30 local


def test_the_second_round_takes_the_shorter_of_the_class_and_short():
    policy = sla.SlaPolicy()
    assert policy.second_round_hours(168) == 24
    assert policy.second_round_hours(6) == 6


@pytest.mark.parametrize("hours,fraction", [
    ({"emergency": 6, "short": 24, "medium": 72}, 0.75),
    ({"emergency": 0, "short": 24, "medium": 72, "long": 168}, 0.75),
    (sla.DEFAULT_HOURS, 1.0),
])
def test_a_policy_with_missing_or_impossible_values_is_refused(hours, fraction):
    with pytest.raises(ValueError):
        sla.SlaPolicy(hours=dict(hours), reminder_fraction=fraction)
