"""StatsStore, and the tallies the ticket store adds in a ticket's own write: they add
up per day and group, a refused write adds nothing, a read returns only the days asked
for. Then what only DynamoDB shows: which cancelled transactions are tried again, and
that a read queries only the months it covers."""

from datetime import timedelta

import pytest
from moto import mock_aws
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from chalicelib.adapters import dynamodb
from chalicelib.domain.errors import AlreadyExists, StaleVersion
from chalicelib.domain.stats import DayCounts, Tally
from chalicelib.domain.ticket import Command, apply
from tests.aws import FAKE_AWS_ENV, REGION
from tests.builders import NOW, OPERATOR, filed_ticket

DAY = "2026-11-23"


def tally(day: str, group: str, **counts) -> Tally:
    return Tally(day, group, tuple(sorted(counts.items())))


def create(storage, *tallies, **overrides):
    ticket, events = filed_ticket(**overrides)
    storage.tickets.create(ticket, events, tallies=list(tallies))
    return ticket


def update(storage, ticket, *tallies, expected_version=None):
    changed, events = apply(ticket, Command("comment", OPERATOR, {"text": "Called back."}),
                            NOW + timedelta(minutes=5))
    version = ticket.version if expected_version is None else expected_version
    storage.tickets.update(changed, version, events, tallies=list(tallies))
    return changed


def filed(day=DAY, organisation="dniprovodokanal", topic="water") -> tuple:
    return tally(day, f"org:{organisation}", filed=1), tally(day, f"topic:{topic}", filed=1)


def test_the_tallies_of_creates_and_updates_add_up_per_day_and_group(storage):
    first = create(storage, *filed())
    create(storage, *filed())
    create(storage, *filed(organisation="teplo", topic="heating"))
    first = update(storage, first, tally(DAY, "org:dniprovodokanal", done=1, met=1),
                   tally(DAY, "topic:water", done=1, met=1))
    update(storage, first, tally(DAY, "org:dniprovodokanal", closed=1, close_4h=1, confirmed=1),
           tally(DAY, "org:dniprovodokanal", rated=1, rating_sum=4))

    assert storage.stats.read(DAY, DAY) == [
        DayCounts(DAY, "org:dniprovodokanal",
                  {"filed": 2, "done": 1, "met": 1, "closed": 1, "close_4h": 1, "confirmed": 1, "rated": 1,
                   "rating_sum": 4}),
        DayCounts(DAY, "org:teplo", {"filed": 1}),
        DayCounts(DAY, "topic:heating", {"filed": 1}),
        DayCounts(DAY, "topic:water", {"filed": 2, "done": 1, "met": 1}),
    ]


def test_the_counts_come_back_as_whole_numbers(storage):
    create(storage, tally(DAY, "topic:water", filed=1, rated=1, rating_sum=5))

    [record] = storage.stats.read(DAY, DAY)

    assert all(type(value) is int for value in record.counts.values())


def test_a_read_returns_only_the_days_asked_for_by_day_then_group_across_a_month_and_a_year_end(storage):
    days = ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-31", "2027-01-01", "2027-01-02"]
    for day in reversed(days):
        create(storage, tally(day, "topic:water", filed=1), tally(day, "org:teplo", filed=2),
               tally(day, "org:dniprovodokanal", filed=3))

    found = storage.stats.read("2026-11-30", "2027-01-01")

    assert [(r.day, r.group) for r in found] == [
        (day, group) for day in days[1:-1] for group in ("org:dniprovodokanal", "org:teplo", "topic:water")]
    assert storage.stats.read("2026-12-31", "2026-12-31") == [
        DayCounts("2026-12-31", "org:dniprovodokanal", {"filed": 3}),
        DayCounts("2026-12-31", "org:teplo", {"filed": 2}), DayCounts("2026-12-31", "topic:water", {"filed": 1})]


def test_a_range_with_nothing_counted_in_it_reads_nothing(storage):
    create(storage, *filed("2026-11-20"))
    create(storage, *filed("2026-11-26"))

    assert storage.stats.read("2026-11-21", "2026-11-25") == []
    assert storage.stats.read("2025-01-01", "2025-12-31") == []
    assert storage.stats.read("2026-11-26", "2026-11-20") == []


def test_a_create_refused_for_its_id_or_its_number_adds_nothing(storage):
    ticket, events = filed_ticket()
    storage.tickets.create(ticket, events, tallies=list(filed()))
    twin, twin_events = filed_ticket(number=ticket.number)

    with pytest.raises(AlreadyExists):
        storage.tickets.create(ticket, events, tallies=list(filed()))
    with pytest.raises(AlreadyExists):
        storage.tickets.create(twin, twin_events, tallies=list(filed()))

    assert storage.stats.read(DAY, DAY) == [DayCounts(DAY, "org:dniprovodokanal", {"filed": 1}),
                                            DayCounts(DAY, "topic:water", {"filed": 1})]


def test_a_stale_update_adds_nothing(storage):
    ticket = create(storage, *filed())
    update(storage, ticket, tally(DAY, "topic:water", refuted=1))

    with pytest.raises(StaleVersion):
        update(storage, ticket, tally(DAY, "topic:water", refuted=1), tally(DAY, "org:teplo", refuted=1))

    assert storage.stats.read(DAY, DAY) == [DayCounts(DAY, "org:dniprovodokanal", {"filed": 1}),
                                            DayCounts(DAY, "topic:water", {"filed": 1, "refuted": 1})]


def test_a_write_without_tallies_counts_nothing(storage):
    ticket = create(storage)
    update(storage, ticket)

    assert storage.stats.read(DAY, DAY) == []


# --- DynamoDB only --------------------------------------------------------------------

CONFLICT, REFUSED = CancellationReason("TransactionConflict"), CancellationReason("ConditionalCheckFailed")


@pytest.mark.parametrize("reasons, stats_items, retry", [
    ([None, None, CONFLICT], 1, True),
    ([None, None, None, CONFLICT, CONFLICT], 2, True),
    ([None, None, CONFLICT, None], 2, True),
    ([CONFLICT, None, None], 1, False),  # the ticket itself is being written by someone else
    ([REFUSED, None, CONFLICT], 1, False),  # a stale version
    ([None, CONFLICT, CONFLICT], 1, False),  # a history entry: another writer of this ticket
    ([None, None, REFUSED], 1, False),
    ([None, None, CancellationReason("ValidationError")], 1, False),
    ([None, None, None], 1, False),
    ([None, CONFLICT], 0, False),  # a transaction without statistics
    ([], 2, False),  # not a cancellation at all
])
def test_only_a_transaction_cancelled_by_conflicts_on_its_statistics_alone_is_tried_again(
        reasons, stats_items, retry):
    assert dynamodb.stats_conflict_only(reasons, stats_items) is retry


@pytest.fixture
def tables(monkeypatch):
    """DynamoDB storage under moto, with no pause between tries."""
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(dynamodb, "STATS_BACKOFF", 0)
    with mock_aws():
        dynamodb.create_tables("stats-", REGION)
        yield dynamodb.open_storage("stats-", REGION)


def cancelled(on: str, times: int, storage, monkeypatch) -> list:
    """Make the next `times` transactions fail with a conflict on their first ticket
    item (`on` = "ticket") or their first statistics item (`on` = "stats"), as DynamoDB
    does when another write holds that item; the calls made, as (puts, updates) counts."""
    connection = storage.tickets.m.connection
    write, calls = connection.transact_write_items, []

    def transact_write_items(**items):
        calls.append((len(items["put_items"]), len(items["update_items"])))
        if len(calls) > times:
            return write(**items)
        reasons = [None] * (len(items["put_items"]) + len(items["update_items"]))
        reasons[0 if on == "ticket" else len(items["put_items"])] = CONFLICT
        error = VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "conflict"}},
                                   "TransactWriteItems", cancellation_reasons=reasons)
        raise TransactWriteError("Failed to write transaction items", error)

    monkeypatch.setattr(connection, "transact_write_items", transact_write_items)
    return calls


def test_a_conflict_on_a_days_counters_alone_is_tried_again_and_counts_once(tables, monkeypatch):
    ticket = create(tables, *filed())
    calls = cancelled("stats", 2, tables, monkeypatch)

    changed = update(tables, ticket, tally(DAY, "topic:water", refuted=1), tally(DAY, "org:teplo", refuted=1))

    assert calls == [(2, 2)] * 3  # the ticket and its history entry; two counters
    assert tables.tickets.get(ticket.id) == changed
    assert tables.stats.read(DAY, DAY) == [DayCounts(DAY, "org:dniprovodokanal", {"filed": 1}),
                                           DayCounts(DAY, "org:teplo", {"refuted": 1}),
                                           DayCounts(DAY, "topic:water", {"filed": 1, "refuted": 1})]


def test_a_create_whose_counters_conflict_is_tried_again_too(tables, monkeypatch):
    calls = cancelled("stats", 1, tables, monkeypatch)

    ticket = create(tables, *filed())

    assert len(calls) == 2
    assert tables.tickets.get(ticket.id) == ticket
    assert [r.counts for r in tables.stats.read(DAY, DAY)] == [{"filed": 1}, {"filed": 1}]


def test_a_conflict_on_the_ticket_itself_is_a_stale_version_at_once(tables, monkeypatch):
    ticket = create(tables, *filed())
    calls = cancelled("ticket", 1, tables, monkeypatch)

    with pytest.raises(StaleVersion):
        update(tables, ticket, tally(DAY, "topic:water", refuted=1))

    assert len(calls) == 1
    assert tables.tickets.get(ticket.id) == ticket


def test_counters_that_stay_busy_fail_the_write_without_calling_the_ticket_stale(tables, monkeypatch):
    ticket = create(tables, *filed())
    calls = cancelled("stats", dynamodb.STATS_TRIES, tables, monkeypatch)

    with pytest.raises(RuntimeError, match="statistics"):
        update(tables, ticket, tally(DAY, "topic:water", refuted=1))

    assert len(calls) == dynamodb.STATS_TRIES
    assert tables.tickets.get(ticket.id) == ticket
    assert [r.counts for r in tables.stats.read(DAY, DAY)] == [{"filed": 1}, {"filed": 1}]


def test_one_write_names_each_days_counter_once(tables, monkeypatch):
    calls = cancelled("stats", 0, tables, monkeypatch)

    create(tables, tally(DAY, "topic:water", filed=1), tally(DAY, "topic:water", rated=1),
           tally("2026-11-24", "topic:water", filed=1))

    assert calls == [(3, 2)]  # the ticket, its number's claim, its history entry; two counters, not three
    assert [(r.day, r.counts) for r in tables.stats.read(DAY, "2026-11-24")] == [
        (DAY, {"filed": 1, "rated": 1}), ("2026-11-24", {"filed": 1})]


def test_a_read_queries_only_the_months_it_covers_and_in_them_only_its_days(tables):
    for day in ("2026-10-31", "2026-11-01", "2026-11-30", "2026-12-01", "2026-12-02", "2027-01-01"):
        create(tables, *filed(day))
    seen = []

    def record(parsed, model, **_):
        seen.append((model.name, parsed.get("ScannedCount")))

    events = tables.tickets.m.connection.client.meta.events
    events.register("after-call.dynamodb", record)
    try:
        found = tables.stats.read("2026-11-30", "2026-12-01")
    finally:
        events.unregister("after-call.dynamodb", record)

    assert [r.day for r in found] == ["2026-11-30"] * 2 + ["2026-12-01"] * 2
    assert seen == [("Query", 2), ("Query", 2)]
