"""domain.stats: what each transition adds to the daily statistics, on which city day
and in which groups; the close-time bands and the median read back from them."""

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain import stats
from chalicelib.domain.stats import LONGER, Tally, close_band, median_close_hours, tallies
from chalicelib.domain.ticket import SYSTEM, Actor, Command, apply
from tests.builders import filed_ticket

KYIV = ZoneInfo("Europe/Kyiv")
RESIDENT = Actor("resident", "resident-1")
EXECUTOR = Actor("executor", "executor-1", "dniprovodokanal")
OPERATOR = Actor("operator", "operator-1")
INSPECTOR = Actor("inspector", "inspector-1")
DAY = "2026-11-23"  # NOW's city day
GROUPS = ("org:dniprovodokanal", "topic:water")


def run(ticket, *steps):
    """Apply each (command, actor, data, minutes after filing); the ticket and each step's events."""
    written = []
    for name, actor, data, minutes in steps:
        ticket, events = apply(ticket, Command(name, actor, data), ticket.filed_at + timedelta(minutes=minutes))
        written.append(events)
    return ticket, written


def counted(ticket, events, day=DAY) -> dict:
    """The one day's counts the write adds, the same in both groups (checked)."""
    added = tallies(ticket, events, KYIV)
    assert [(t.day, t.group) for t in added] == [(day, name) for name in GROUPS]
    assert added[0].counts == added[1].counts
    return dict(added[0].counts)


def in_progress(**overrides):
    ticket, events = filed_ticket(**overrides)
    ticket, _ = run(ticket, ("route", SYSTEM, {"organisation": "dniprovodokanal"}, 0),
                    ("accept", EXECUTOR, {}, 30))
    return ticket


def done(minutes=120, **overrides):
    ticket, _ = run(in_progress(**overrides), ("report_done", EXECUTOR, {}, minutes))
    return ticket


def test_filing_counts_one_filed_ticket_in_its_topic_and_its_organisation():
    ticket, filed = filed_ticket()
    routed, [route] = run(ticket, ("route", SYSTEM, {"organisation": "dniprovodokanal"}, 0))

    assert tallies(routed, filed + route, KYIV) == [
        Tally(DAY, "org:dniprovodokanal", (("filed", 1),)), Tally(DAY, "topic:water", (("filed", 1),))]


def test_work_reported_done_by_the_deadline_counts_done_and_met():
    ticket, [events] = run(in_progress(), ("report_done", EXECUTOR, {}, 120))

    assert counted(ticket, events) == {"done": 1, "met": 1}


def test_work_reported_done_after_the_deadline_counts_done_but_not_met():
    ticket, [events] = run(in_progress(), ("report_done", EXECUTOR, {}, 25 * 60))  # short: 24 hours

    assert counted(ticket, events, "2026-11-24") == {"done": 1}


@pytest.mark.parametrize("command, actor, outcome", [
    ("confirm", RESIDENT, "confirmed"),
    ("callback_satisfied", OPERATOR, "confirmed"),
    ("auto_close", SYSTEM, "auto_closed"),
])
def test_closing_reported_work_counts_its_outcome_the_close_and_its_close_time_band(command, actor, outcome):
    ticket, [events] = run(done(), (command, actor, {}, 150))  # closed 2.5 hours after filing

    assert counted(ticket, events) == {outcome: 1, "closed": 1, "close_4h": 1}


@pytest.mark.parametrize("command, actor", [("refute", RESIDENT), ("callback_unsatisfied", OPERATOR)])
def test_refuting_reported_work_counts_refuted_and_closes_nothing(command, actor):
    ticket, [events] = run(done(), (command, actor, {"comment": "Still no water."}, 150))

    assert ticket.state.value == "reopened"
    assert counted(ticket, events) == {"refuted": 1}


def test_a_second_refutation_sends_it_to_the_inspectorate_and_counts_refuted_again():
    ticket, written = run(done(), ("refute", RESIDENT, {}, 150), ("accept", EXECUTOR, {}, 160),
                          ("report_done", EXECUTOR, {}, 170), ("refute", RESIDENT, {}, 180))

    assert ticket.state.value == "inspection"
    assert counted(ticket, written[-1]) == {"refuted": 1}


def test_the_inspectors_resolution_counts_a_close_without_an_outcome():
    ticket, written = run(done(), ("refute", RESIDENT, {}, 150), ("escalate", OPERATOR, {}, 160),
                          ("resolve", INSPECTOR, {}, 3 * 24 * 60))

    assert counted(ticket, written[-1], "2026-11-26") == {"closed": 1, "close_72h": 1}


def test_a_rating_counts_one_rating_and_adds_its_stars():
    closed, _ = run(done(), ("confirm", RESIDENT, {}, 150))
    ticket, [events] = run(closed, ("rate", RESIDENT, {"score": 4}, 160))

    assert counted(ticket, events) == {"rated": 1, "rating_sum": 4}


@pytest.mark.parametrize("name, actor, data", [
    ("comment", EXECUTOR, {"text": "On our way."}), ("remind", SYSTEM, {}), ("mark_overdue", SYSTEM, {}),
    ("publish", OPERATOR, {"public": True}), ("route", OPERATOR, {"organisation": "teplo"}),
    ("accept", EXECUTOR, {}),
])
def test_transitions_that_do_not_count_add_nothing(name, actor, data):
    ticket, _ = run(filed_ticket()[0], ("route", SYSTEM, {"organisation": "dniprovodokanal"}, 0))

    changed, [written] = run(ticket, (name, actor, data, 60))

    assert tallies(changed, written, KYIV) == []


@pytest.mark.parametrize("name, data", [("reject", {"reason": "Not a city matter."}),
                                        ("withdraw", {}), ("merge", {"into": "ticket-0"})])
def test_a_ticket_dropped_before_work_is_not_counted_as_closed(name, data):
    ticket, _ = filed_ticket()

    changed, [written] = run(ticket, (name, OPERATOR, data, 10))

    assert tallies(changed, written, KYIV) == []


def test_the_groups_are_the_topic_and_the_organisation_after_the_events():
    ticket, filed = filed_ticket(topic="heating", organisation="")
    routed, [route] = run(ticket, ("route", SYSTEM, {"organisation": "teplo"}, 0))
    moved = replace(done(topic="heating"), organisation="teplo-north")
    closed, [close] = run(moved, ("confirm", RESIDENT, {}, 150))

    assert [t.group for t in tallies(routed, filed + route, KYIV)] == ["org:teplo", "topic:heating"]
    assert [t.group for t in tallies(closed, close, KYIV)] == ["org:teplo-north", "topic:heating"]


def test_a_transition_late_in_the_evening_in_utc_counts_on_the_next_city_day_in_summer():
    filed_at = datetime(2026, 7, 14, 22, 30, tzinfo=timezone.utc)  # 01:30 on the 15th in Kyiv (UTC+3)
    ticket, events = filed_ticket(filed_at=filed_at)

    assert {t.day for t in tallies(ticket, events, KYIV)} == {"2026-07-15"}


@pytest.mark.parametrize("at, day", [
    (datetime(2026, 3, 28, 21, 30, tzinfo=timezone.utc), "2026-03-28"),  # 23:30, UTC+2
    (datetime(2026, 3, 29, 21, 30, tzinfo=timezone.utc), "2026-03-30"),  # 00:30, UTC+3 since that night
    (datetime(2026, 10, 24, 21, 30, tzinfo=timezone.utc), "2026-10-25"),  # 00:30, UTC+3
    (datetime(2026, 10, 25, 21, 30, tzinfo=timezone.utc), "2026-10-25"),  # 23:30, UTC+2 since that night
])
def test_the_day_is_the_citys_local_date_on_both_sides_of_a_clock_change(at, day):
    ticket, events = filed_ticket(filed_at=at)

    assert {t.day for t in tallies(ticket, events, KYIV)} == {day}


def test_a_close_counts_on_the_city_day_of_the_close_not_of_the_filing():
    filed_at = datetime(2026, 11, 23, 21, 0, tzinfo=timezone.utc)  # 23:00 in Kyiv
    ticket = done(minutes=40, filed_at=filed_at)
    closed, [events] = run(ticket, ("confirm", RESIDENT, {}, 90))  # 00:30 on the 24th

    assert counted(closed, events, "2026-11-24") == {"confirmed": 1, "closed": 1, "close_2h": 1}


@pytest.mark.parametrize("elapsed, band", [
    (timedelta(0), "close_1h"),
    (timedelta(hours=1), "close_1h"),
    (timedelta(hours=1, seconds=1), "close_2h"),
    (timedelta(hours=24), "close_24h"),
    (timedelta(hours=24, minutes=1), "close_36h"),
    (timedelta(days=30), "close_720h"),
    (timedelta(days=30, seconds=1), LONGER),
    (timedelta(days=400), LONGER),
])
def test_a_close_time_falls_in_the_band_whose_upper_bound_it_does_not_pass(elapsed, band):
    assert close_band(elapsed) == band


def test_every_band_is_a_counted_field():
    assert set(stats.BAND_FIELDS) <= set(stats.FIELDS)
    assert len(stats.BAND_FIELDS) == len(stats.CLOSE_BANDS) + 1


@pytest.mark.parametrize("bands, median", [
    ({"close_1h": 1}, 0.5),  # the middle of (0, 1]
    ({"close_2h": 2}, 1.5),
    ({"close_1h": 1, "close_2h": 1}, 1.0),  # the middle ticket at the boundary
    ({"close_1h": 1, "close_4h": 2}, 2.5),  # the 1.5th of 3: a quarter into (2, 4], which holds 2
    ({"close_24h": 3, "close_48h": 1}, 22.0),  # the 2nd of 4: two thirds into (18, 24]
    ({"close_720h": 1, LONGER: 1}, 720.0),
    ({LONGER: 5}, 720.0),  # beyond the last bound counts as the bound
    ({"close_1h": 1, "filed": 99}, 0.5),  # other fields do not count
])
def test_the_median_close_time_is_interpolated_inside_the_band_of_the_middle_ticket(bands, median):
    assert median_close_hours(bands) == pytest.approx(median)


@pytest.mark.parametrize("bands", [{}, {"close_1h": 0}, {"filed": 3, "closed": 0}])
def test_there_is_no_median_close_time_when_nothing_closed(bands):
    assert median_close_hours(bands) is None


def test_days_lists_every_date_of_a_range_both_ends_included_across_a_year():
    assert stats.days(date(2026, 12, 30), date(2027, 1, 2)) == [
        "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]
    assert stats.days(date(2028, 2, 28), date(2028, 3, 1)) == ["2028-02-28", "2028-02-29", "2028-03-01"]
    assert stats.days(date(2026, 5, 1), date(2026, 5, 1)) == ["2026-05-01"]
    assert stats.days(date(2026, 5, 2), date(2026, 5, 1)) == []


def test_groups_split_back_into_their_kind_and_code():
    assert stats.split_group(stats.group(stats.TOPIC, "water")) == ("topic", "water")
    assert stats.split_group(stats.group(stats.ORGANISATION, "teplo:north")) == ("org", "teplo:north")
