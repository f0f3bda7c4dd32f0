"""What only the SQLite backend can show: its query plans, real threads on one file, reopening the file."""

import json
import sqlite3
import threading
from datetime import timedelta

import pytest

from chalicelib.adapters import sqlite
from chalicelib.adapters.codec import address_key, event_to_data, message_to_data, ticket_to_data, time_to_text
from chalicelib.domain.errors import StaleVersion
from chalicelib.domain.ticket import Address, Command, State, apply
from chalicelib.services.ports import FiledQuery, QueueQuery
from tests.builders import NOW, OPERATOR, make_message, make_ticket, store_ticket

THREADS = 8


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "var" / "citydesk.sqlite3")


def query_plan(path, sql, params) -> str:
    with sqlite3.connect(path) as conn:
        return " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def insert_tickets(conn, tickets) -> None:
    """Rows of the tickets table as its first version had them, for the migration tests."""
    conn.executemany(
        "INSERT INTO tickets (id, number, reporter_id, organisation, state, filed_at, month, version, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(t.id, t.number, t.reporter_id, t.organisation, t.state.value, time_to_text(t.filed_at),
          time_to_text(t.filed_at)[:7], t.version, json.dumps(ticket_to_data(t))) for t in tickets])


def run_in_threads(work, count=THREADS) -> list:
    """Run `work(i)` in `count` threads released together; each one's result or exception."""
    start = threading.Barrier(count)
    results = [None] * count

    def run(i):
        start.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # the test inspects what each thread met
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_due_query_reads_the_partial_index_not_the_table(path):
    storage = sqlite.open_storage(path)
    for hours in range(-5, 5):
        store_ticket(storage, next_timer="overdue", next_due_at=NOW + timedelta(hours=hours))

    plan = query_plan(path, sqlite.SqliteTickets.DUE_QUERY, (time_to_text(NOW), 100))

    assert "USING INDEX tickets_due" in plan
    assert "SCAN" not in plan and "TEMP B-TREE" not in plan


def test_the_open_at_address_query_reads_the_partial_index_of_open_tickets_not_the_table(path):
    storage = sqlite.open_storage(path)
    for house in ("8", "10", "12"):
        store_ticket(storage, address=Address("yavornytskoho-ave", house))

    plan = query_plan(path, sqlite.SqliteTickets.OPEN_AT_ADDRESS_QUERY,
                      (address_key("water.low-pressure", "yavornytskoho-ave", "8"),))

    assert "USING INDEX tickets_open_at_address" in plan
    assert "SCAN" not in plan and "TEMP B-TREE" not in plan


def test_migrating_a_first_version_file_indexes_the_open_tickets_it_holds_by_address(path, monkeypatch):
    monkeypatch.setattr(sqlite, "MIGRATIONS", sqlite.MIGRATIONS[:1])
    sqlite.open_storage(path)
    open_one = make_ticket(address=Address("yavornytskoho-ave", "12 а"))
    closed_one = make_ticket(address=Address("yavornytskoho-ave", "12 а"), state=State.CLOSED, next_timer=None,
                             next_due_at=None)
    with sqlite3.connect(path) as conn:
        insert_tickets(conn, (open_one, closed_one))
    monkeypatch.undo()

    migrated = sqlite.open_storage(path)

    assert migrated.tickets.open_at_address("water.low-pressure", "yavornytskoho-ave", "12А") == [open_one]


def test_the_ready_query_reads_the_partial_index_of_pending_messages_not_the_table(path):
    storage = sqlite.open_storage(path)
    storage.outbox.add([make_message(next_attempt_at=NOW + timedelta(minutes=m)) for m in range(-5, 5)])

    plan = query_plan(path, sqlite.SqliteOutbox.READY_QUERY, (time_to_text(NOW), 50))

    assert "USING INDEX outbox_ready" in plan
    assert "SCAN" not in plan and "TEMP B-TREE" not in plan


def test_two_threads_updating_one_version_of_a_ticket_one_wins_and_one_is_stale(path):
    storage = sqlite.open_storage(path)
    for _ in range(10):
        ticket = store_ticket(storage)
        notes = [apply(ticket, Command("comment", OPERATOR, {"text": f"Note from operator {i}."}), NOW)
                 for i in range(THREADS)]

        results = run_in_threads(lambda i: storage.tickets.update(notes[i][0], ticket.version, notes[i][1]))

        winners = [i for i, result in enumerate(results) if result is None]
        assert len(winners) == 1
        assert all(isinstance(results[i], StaleVersion) for i in range(THREADS) if i not in winners)
        won, won_events = notes[winners[0]]
        assert storage.tickets.get(ticket.id) == won
        assert storage.tickets.history(ticket.id)[1:] == won_events


def test_sequences_taken_in_threads_are_unique_and_gapless(path):
    storage = sqlite.open_storage(path)

    results = run_in_threads(lambda i: [storage.counters.next_sequence("tickets") for _ in range(50)])

    numbers = [n for batch in results for n in batch]
    assert sorted(numbers) == list(range(1, THREADS * 50 + 1))


def test_claims_of_one_message_in_threads_have_one_winner(path):
    storage = sqlite.open_storage(path)
    message = make_message()
    storage.outbox.add([message])

    results = run_in_threads(lambda i: storage.outbox.claim(message.id, NOW, NOW + timedelta(minutes=2)))

    assert sum(result is not None for result in results) == 1
    assert storage.outbox.get(message.id).tries == 1


def test_reopening_the_file_keeps_the_data_and_applies_no_migration_twice(path):
    ticket = store_ticket(sqlite.open_storage(path))

    reopened = sqlite.open_storage(path)

    assert reopened.tickets.get(ticket.id) == ticket
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall() \
            == [(n,) for n in range(1, len(sqlite.MIGRATIONS) + 1)]


def test_a_new_migration_is_applied_on_open_and_the_data_stays(path, monkeypatch):
    ticket = store_ticket(sqlite.open_storage(path))
    known = len(sqlite.MIGRATIONS)
    monkeypatch.setattr(sqlite, "MIGRATIONS", sqlite.MIGRATIONS + (
        ("CREATE TABLE migration_probe (id TEXT PRIMARY KEY, data TEXT NOT NULL)",),))

    migrated = sqlite.open_storage(path)

    assert migrated.tickets.get(ticket.id) == ticket
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall() \
            == [(n,) for n in range(1, known + 2)]
        assert conn.execute("SELECT count(*) FROM migration_probe").fetchone() == (0,)


def test_migrating_a_file_from_before_the_staff_queue_puts_the_tickets_it_holds_in_the_queue(path, monkeypatch):
    queue_migration = next(i for i, steps in enumerate(sqlite.MIGRATIONS) if sqlite._fill_queue_columns in steps)
    monkeypatch.setattr(sqlite, "MIGRATIONS", sqlite.MIGRATIONS[:queue_migration])
    sqlite.open_storage(path)
    later = make_ticket(organisation="teploenergo", escalated=True, due_at=NOW + timedelta(hours=9))
    sooner = make_ticket(organisation="teploenergo", escalated=True, due_at=NOW + timedelta(hours=1))
    elsewhere = make_ticket(organisation="dniprovodokanal")
    with sqlite3.connect(path) as conn:
        insert_tickets(conn, (later, sooner, elsewhere))
    monkeypatch.undo()

    migrated = sqlite.open_storage(path)

    query = QueueQuery(organisation="teploenergo", escalated=True)
    assert migrated.tickets.queue(query, 10) == ([sooner, later], None)
    assert migrated.tickets.count_by_state(QueueQuery()) == {"new": 3}


@pytest.mark.parametrize("query", [
    FiledQuery(NOW - timedelta(days=3), NOW),
    FiledQuery(NOW - timedelta(days=3), NOW, causes=("water.low-pressure", "roads.pothole"), open=False),
])
def test_the_open311_requests_query_reads_the_filing_index_in_its_order(path, query):
    storage = sqlite.open_storage(path)
    for days in range(5):
        store_ticket(storage, filed_at=NOW - timedelta(days=days))
    sql, params = sqlite.SqliteTickets.filed_query(query)

    plan = query_plan(path, sql, (*params, 10, 0))

    assert "USING INDEX tickets_by_filed" in plan
    assert "TEMP B-TREE" not in plan


def test_the_open311_updates_query_reads_the_partial_index_of_state_changes_not_the_history(path):
    storage = sqlite.open_storage(path)
    for _ in range(5):
        ticket = store_ticket(storage)
        changed, events = apply(ticket, Command("route", OPERATOR, {"organisation": "dniprovodokanal"}), NOW)
        storage.tickets.update(changed, ticket.version, events)

    plan = query_plan(path, sqlite.SqliteTickets.CHANGES_QUERY,
                      (time_to_text(NOW), time_to_text(NOW + timedelta(days=1)), 10, 0))

    assert "USING INDEX history_changes" in plan
    assert "SCAN history" not in plan and "TEMP B-TREE" not in plan


def test_migrating_a_file_from_before_open311_marks_the_state_changes_its_history_holds(path, monkeypatch):
    open311_migration = next(i for i, steps in enumerate(sqlite.MIGRATIONS) if sqlite._fill_changed_at in steps)
    monkeypatch.setattr(sqlite, "MIGRATIONS", sqlite.MIGRATIONS[:open311_migration])
    sqlite.open_storage(path)
    ticket = make_ticket()
    routed, routing = apply(ticket, Command("route", OPERATOR, {"organisation": "dniprovodokanal"}), NOW)
    commented, comment = apply(routed, Command("comment", OPERATOR, {"text": "On the way."}), NOW)
    with sqlite3.connect(path) as conn:
        insert_tickets(conn, (commented,))
        conn.executemany("INSERT INTO history (ticket_id, version, data) VALUES (?, ?, ?)",
                         [(e.ticket_id, e.version, json.dumps(event_to_data(e))) for e in routing + comment])
    monkeypatch.undo()

    migrated = sqlite.open_storage(path)

    assert migrated.tickets.changes(NOW, NOW + timedelta(days=1), 0, 10) == [(commented, routing[0])]


def test_the_anonymisation_query_reads_the_partial_index_of_final_tickets_not_the_table(path):
    storage = sqlite.open_storage(path)
    for days in range(10):
        store_ticket(storage, state=State.CLOSED, closed_at=NOW - timedelta(days=days))

    plan = query_plan(path, sqlite.SqliteTickets.TO_ANONYMISE_QUERY, (time_to_text(NOW), 100))

    assert "USING INDEX tickets_to_anonymise" in plan
    assert "SCAN" not in plan and "TEMP B-TREE" not in plan


def test_migrating_a_file_from_before_personal_data_finds_its_final_tickets_and_its_ticket_messages(path, monkeypatch):
    migration = next(i for i, steps in enumerate(sqlite.MIGRATIONS) if sqlite._fill_retention_column in steps)
    monkeypatch.setattr(sqlite, "MIGRATIONS", sqlite.MIGRATIONS[:migration])
    sqlite.open_storage(path)
    closed = make_ticket(state=State.CLOSED, closed_at=NOW - timedelta(days=1200), next_timer=None, next_due_at=None)
    message = make_message(ticket_id=closed.id)
    with sqlite3.connect(path) as conn:
        insert_tickets(conn, (closed, make_ticket()))
        conn.execute("INSERT INTO outbox (id, status, created_at, next_attempt_at, data) VALUES (?, ?, ?, ?, ?)",
                     (message.id, message.status, time_to_text(message.created_at),
                      time_to_text(message.next_attempt_at), json.dumps(message_to_data(message))))
    monkeypatch.undo()

    migrated = sqlite.open_storage(path)

    assert migrated.tickets.to_anonymise(NOW) == [closed]
    assert migrated.outbox.about(closed.id) == [message]
