"""The statistics' arithmetic over the daily records: which months and days a page
shows, and the figures summed over them."""

from datetime import date

import pytest

from chalicelib.domain.stats import DayCounts
from chalicelib.services.statistics import Totals, monthly, months, organisation_window, statistics_window, totals


def test_the_months_shown_are_the_last_twelve_up_to_this_one_across_the_new_year():
    assert months(date(2026, 2, 14)) == ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09",
                                         "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]


def test_the_statistics_start_on_the_first_of_the_oldest_month_shown_and_end_today():
    assert statistics_window(date(2026, 11, 23)) == (date(2025, 12, 1), date(2026, 11, 23))


def test_the_organisations_record_covers_ninety_days_today_included():
    first, last = organisation_window(date(2026, 3, 1))

    assert (first, last) == (date(2025, 12, 2), date(2026, 3, 1))
    assert (last - first).days + 1 == 90


RECORDS = [
    DayCounts("2026-10-30", "topic:water", {"filed": 2, "done": 2, "met": 1}),
    DayCounts("2026-10-30", "org:dniprovodokanal", {"filed": 2, "done": 2, "met": 1}),
    DayCounts("2026-11-01", "topic:water", {"filed": 1, "closed": 2, "close_6h": 1, "close_24h": 1,
                                            "confirmed": 1, "auto_closed": 1, "rated": 2, "rating_sum": 9}),
    DayCounts("2026-11-01", "topic:heating", {"filed": 4, "refuted": 1}),
]


def test_totals_sum_each_group_of_a_kind_over_the_days():
    by_topic = totals(RECORDS, "topic")

    assert set(by_topic) == {"water", "heating"}
    assert by_topic["water"].counts == {"filed": 3, "done": 2, "met": 1, "closed": 2, "close_6h": 1, "close_24h": 1,
                                        "confirmed": 1, "auto_closed": 1, "rated": 2, "rating_sum": 9}
    assert set(totals(RECORDS, "org")) == {"dniprovodokanal"}


def test_monthly_sums_each_group_by_month():
    by_month = monthly(RECORDS, "topic")

    assert {month: t["filed"] for month, t in by_month["water"].items()} == {"2026-10": 2, "2026-11": 1}
    assert list(by_month["heating"]) == ["2026-11"]


def test_the_figures_follow_from_the_counts():
    water = totals(RECORDS, "topic")["water"]

    assert water.compliance == 0.5
    assert water.confirmed_share == 0.5
    assert water.average_rating == 4.5
    assert water.median_close_hours == pytest.approx(6.0)
    assert totals(RECORDS, "topic")["heating"].confirmed_share == 0


def test_a_group_with_nothing_done_closed_answered_or_rated_has_no_figures_rather_than_zero():
    nothing = Totals({"filed": 3})

    assert (nothing.compliance, nothing.median_close_hours, nothing.confirmed_share, nothing.average_rating) == (
        None, None, None, None)
    assert nothing["done"] == 0


def test_totals_add_up():
    assert (Totals({"done": 1, "met": 1}) + Totals({"done": 3})).counts == {"done": 4, "met": 1}
    assert sum([Totals({"rated": 1}), Totals({"rated": 2})], Totals()).counts == {"rated": 3}
