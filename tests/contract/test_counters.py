"""CounterStore: fixed-window counters (rate limits) and sequences (ticket numbers).

The port takes no `now`: a window is named by the time it ends, so a counter
incremented with a later `expires_at` than the stored one is in a new window.
"""

from datetime import timedelta

from tests.builders import NOW

WINDOW_END = NOW + timedelta(hours=1)
NEXT_WINDOW_END = WINDOW_END + timedelta(hours=1)


def test_a_counter_counts_up_from_one(storage):
    counts = [storage.counters.increment("codes:phone:+380501112233", WINDOW_END) for _ in range(3)]

    assert counts == [1, 2, 3]


def test_a_counter_adds_by(storage):
    storage.counters.increment("sms:day", WINDOW_END, by=5)

    assert storage.counters.increment("sms:day", WINDOW_END, by=2) == 7


def test_adding_nothing_to_a_counter_reads_it_unchanged(storage):
    assert storage.counters.increment("outages-changed", WINDOW_END, by=0) == 0
    storage.counters.increment("outages-changed", WINDOW_END, by=3)

    assert storage.counters.increment("outages-changed", WINDOW_END, by=0) == 3
    assert storage.counters.increment("outages-changed", WINDOW_END, by=-3) == 0


def test_reading_a_counter_changes_nothing_and_a_passed_window_reads_zero(storage):
    assert storage.counters.count("nightly-done:2026-11-23", WINDOW_END) == 0
    storage.counters.increment("nightly-done:2026-11-23", WINDOW_END, by=2)

    assert storage.counters.count("nightly-done:2026-11-23", WINDOW_END) == 2
    assert storage.counters.count("nightly-done:2026-11-23", WINDOW_END) == 2
    # Read as of a later window, the stored count belongs to one that has passed.
    assert storage.counters.count("nightly-done:2026-11-23", NEXT_WINDOW_END) == 0
    assert storage.counters.increment("nightly-done:2026-11-23", WINDOW_END) == 3


def test_counters_count_apart_by_key(storage):
    storage.counters.increment("codes:client:a", WINDOW_END)
    storage.counters.increment("codes:client:a", WINDOW_END)

    assert storage.counters.increment("codes:client:b", WINDOW_END) == 1


def test_a_counter_counts_from_zero_again_once_its_window_has_passed(storage):
    for _ in range(3):
        storage.counters.increment("codes:phone:+380501112233", WINDOW_END)

    assert storage.counters.increment("codes:phone:+380501112233", NEXT_WINDOW_END) == 1
    assert storage.counters.increment("codes:phone:+380501112233", NEXT_WINDOW_END) == 2


def test_a_sequence_gives_one_two_three_per_name(storage):
    tickets = [storage.counters.next_sequence("tickets") for _ in range(3)]
    outages = [storage.counters.next_sequence("outages") for _ in range(2)]

    assert tickets == [1, 2, 3]
    assert outages == [1, 2]


def test_a_sequence_never_gives_the_same_number_twice(storage):
    numbers = [storage.counters.next_sequence("tickets") for _ in range(50)]

    assert numbers == list(range(1, 51))
