"""The local storage backend: one SQLite file, standard library only.

Each table keeps the record whole as JSON (the codec's plain-data form) in `data`,
plus the few columns the queries filter or sort on. Every write runs in a
`BEGIN IMMEDIATE` transaction, so a read-modify-write holds the write lock from
its first read: two threads (or two processes) never interleave inside one.
WAL mode lets readers go on while one writer writes.
"""

import json
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..domain.address import Registry
from ..domain.audit import ContactView
from ..domain.catalogue import Catalogue
from ..domain.errors import AlreadyExists, NotFound, StaleVersion
from ..domain.open311_key import Open311Key
from ..domain.outage import ACTIVE, Outage
from ..domain.organisation import Organisation
from ..domain.outbox import PENDING, OutboxMessage
from ..domain.resident import PHONE, Resident
from ..domain.session import Session, SignInCode, SignInLink
from ..domain.staff import StaffMember
from ..domain.stats import DayCounts
from ..domain.ticket import OPEN, Ticket
from ..services.ports import (
    CodeStore, ContactViewStore, CounterStore, Directory, FiledQuery, IdempotencyRecord, IdempotencyStore,
    Open311KeyStore,
    OutageStore, OutboxStore, QueueQuery, SessionStore, SignInLinkStore, StaffStore, StatsStore, Storage, TicketStore,
    UserStore,
)
from . import codec
from .codec import time_to_text

def _fill_address_keys(conn: sqlite3.Connection) -> None:
    """Index the open tickets a file already holds by address (in Python: SQLite's
    upper() leaves Cyrillic letters alone)."""
    tickets = [codec.ticket_from_data(json.loads(row[0])) for row in conn.execute("SELECT data FROM tickets")]
    conn.executemany("UPDATE tickets SET address_key = ? WHERE id = ?",
                     [(codec.open_address_key(t), t.id) for t in tickets if t.is_open])


def _fill_queue_columns(conn: sqlite3.Connection) -> None:
    """Give the tickets a file already holds their staff-queue columns."""
    tickets = [codec.ticket_from_data(json.loads(row[0])) for row in conn.execute("SELECT data FROM tickets")]
    conn.executemany("UPDATE tickets SET topic = ?, cause = ?, street = ?, overdue = ?, escalated = ?, due_key = ?"
                     " WHERE id = ?", [(*SqliteTickets.queue_columns(t), t.id) for t in tickets])


def _fill_changed_at(conn: sqlite3.Connection) -> None:
    """Mark the state changes of the history a file already holds (Open311's updates)."""
    events = [codec.event_from_data(json.loads(row[0])) for row in conn.execute("SELECT data FROM history")]
    conn.executemany("UPDATE history SET changed_at = ? WHERE ticket_id = ? AND version = ?",
                     [(_changed_at(e), e.ticket_id, e.version) for e in events if e.changes_state])


def _changed_at(event) -> str | None:
    """The history row's `changed_at`: its time if it changed the ticket's state, else NULL
    (the partial index of Open311's updates holds only those rows)."""
    return time_to_text(event.at) if event.changes_state else None


def _fill_retention_column(conn: sqlite3.Connection) -> None:
    """Index the final tickets a file already holds by when they closed."""
    tickets = [codec.ticket_from_data(json.loads(row[0])) for row in conn.execute("SELECT data FROM tickets")]
    conn.executemany("UPDATE tickets SET retention_from = ? WHERE id = ?",
                     [(codec.retention_from(t), t.id) for t in tickets])


# Migration N brings the schema from version N-1 to N. Append, never edit: a file
# already at version N skips the first N on start-up and keeps its data. A step is
# an SQL statement or a function of the connection.
MIGRATIONS = (
    (
        """CREATE TABLE tickets (
            id TEXT PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            reporter_id TEXT NOT NULL,
            organisation TEXT NOT NULL,
            state TEXT NOT NULL,
            filed_at TEXT NOT NULL,
            month TEXT NOT NULL,
            next_due_at TEXT,
            version INTEGER NOT NULL,
            data TEXT NOT NULL)""",
        "CREATE INDEX tickets_by_reporter ON tickets (reporter_id, filed_at, id)",
        "CREATE INDEX tickets_by_organisation ON tickets (organisation, filed_at, id)",
        "CREATE INDEX tickets_by_organisation_state ON tickets (organisation, state, filed_at, id)",
        "CREATE INDEX tickets_by_month ON tickets (month, filed_at, id)",
        # Sparse: only open tickets with a pending timer are in it, so the minute
        # sweep costs what is due, not what is stored.
        "CREATE INDEX tickets_due ON tickets (next_due_at, id) WHERE next_due_at IS NOT NULL",
        """CREATE TABLE history (
            ticket_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (ticket_id, version)) WITHOUT ROWID""",
        "CREATE TABLE users (id TEXT PRIMARY KEY, phone TEXT NOT NULL UNIQUE, data TEXT NOT NULL)",
        "CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, data TEXT NOT NULL)",
        "CREATE TABLE codes (phone TEXT PRIMARY KEY, code_hash TEXT NOT NULL, data TEXT NOT NULL)",
        "CREATE TABLE counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at TEXT NOT NULL)",
        "CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "CREATE TABLE idempotency (key TEXT PRIMARY KEY, data TEXT NOT NULL)",
        """CREATE TABLE directory (
            kind TEXT NOT NULL,
            code TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (kind, code)) WITHOUT ROWID""",
        """CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL,
            data TEXT NOT NULL)""",
        "CREATE INDEX outbox_ready ON outbox (next_attempt_at, id) WHERE status = 'pending'",
        "CREATE INDEX outbox_dead ON outbox (created_at, id) WHERE status = 'dead'",
    ),
    (
        # Sparse like tickets_due: only an open ticket carries its address key.
        "ALTER TABLE tickets ADD COLUMN address_key TEXT",
        _fill_address_keys,
        "CREATE INDEX tickets_open_at_address ON tickets (address_key, filed_at, id) WHERE address_key IS NOT NULL",
    ),
    (
        # Identities: a phone, an e-mail address, a provider's subject; each signs in to one account.
        """CREATE TABLE identities (
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            user_id TEXT NOT NULL,
            PRIMARY KEY (kind, value)) WITHOUT ROWID""",
        "CREATE INDEX identities_by_user ON identities (user_id, kind, value)",
        "INSERT INTO identities (kind, value, user_id) SELECT 'phone', phone, id FROM users",
        # An account signed in only by e-mail has no phone: the phone is no longer unique
        # here (its identity is), and SQLite drops a constraint only by copying the table.
        "CREATE TABLE users_v3 (id TEXT PRIMARY KEY, phone TEXT NOT NULL, data TEXT NOT NULL)",
        "INSERT INTO users_v3 (id, phone, data) SELECT id, phone, data FROM users",
        "DROP TABLE users",
        "ALTER TABLE users_v3 RENAME TO users",
        "CREATE TABLE sign_in_links (token_hash TEXT PRIMARY KEY, data TEXT NOT NULL)",
    ),
    (
        """CREATE TABLE staff (
            id TEXT PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            version INTEGER NOT NULL,
            data TEXT NOT NULL)""",
    ),
    (
        # The staff queue filters on these and pages by due_key (codec.queue_key).
        "ALTER TABLE tickets ADD COLUMN topic TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE tickets ADD COLUMN cause TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE tickets ADD COLUMN street TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE tickets ADD COLUMN overdue INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE tickets ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE tickets ADD COLUMN due_key TEXT NOT NULL DEFAULT ''",
        _fill_queue_columns,
        "CREATE INDEX tickets_queue ON tickets (due_key)",
        "CREATE INDEX tickets_queue_by_state ON tickets (state, due_key)",
        "CREATE INDEX tickets_queue_by_organisation ON tickets (organisation, state, due_key)",
    ),
    (
        # Outage notices, and the Open311 keys (by the keyed hash a client's key is looked up by).
        """CREATE TABLE outages (
            id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            starts_at TEXT NOT NULL,
            version INTEGER NOT NULL,
            data TEXT NOT NULL)""",
        "CREATE INDEX outages_by_state ON outages (state, starts_at, id)",
        """CREATE TABLE open311_keys (
            id TEXT PRIMARY KEY,
            key_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            data TEXT NOT NULL)""",
    ),
    (
        # The daily statistics (domain.stats): one row per city day, group and field.
        # Tickets filed before this table existed are not counted in it.
        """CREATE TABLE stats (
            day TEXT NOT NULL,
            grp TEXT NOT NULL,
            field TEXT NOT NULL,
            value INTEGER NOT NULL,
            PRIMARY KEY (day, grp, field)) WITHOUT ROWID""",
    ),
    (
        # Open311: the requests filed in a time range, and the state changes in one.
        "CREATE INDEX tickets_by_filed ON tickets (filed_at, id)",
        "ALTER TABLE history ADD COLUMN changed_at TEXT",
        _fill_changed_at,
        "CREATE INDEX history_changes ON history (changed_at, ticket_id, version) WHERE changed_at IS NOT NULL",
    ),
    (
        # Personal data. Sparse like tickets_due: only a final ticket that still holds its
        # reporter's personal data carries the time it closed, which its retention runs from.
        "ALTER TABLE tickets ADD COLUMN retention_from TEXT",
        _fill_retention_column,
        "CREATE INDEX tickets_to_anonymise ON tickets (retention_from, id) WHERE retention_from IS NOT NULL",
        # A ticket's messages, to remove those to a reporter whose data goes.
        "ALTER TABLE outbox ADD COLUMN ticket_id TEXT",
        "UPDATE outbox SET ticket_id = json_extract(data, '$.ticket_id')",
        "CREATE INDEX outbox_by_ticket ON outbox (ticket_id, created_at, id) WHERE ticket_id IS NOT NULL",
        # Each time a staff member was shown a reporter's contact; `key` is codec.view_key.
        """CREATE TABLE contact_views (
            id TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            ticket_id TEXT NOT NULL,
            data TEXT NOT NULL)""",
        "CREATE INDEX contact_views_by_time ON contact_views (key)",
        "CREATE INDEX contact_views_by_ticket ON contact_views (ticket_id, key)",
    ),
)

# How long a writer waits for another writer's transaction before giving up.
BUSY_TIMEOUT_SECONDS = 30


def open_storage(path: str) -> Storage:
    """The storage in the SQLite file at `path`, created or migrated as needed."""
    db = Database(path)
    return Storage(
        tickets=SqliteTickets(db), users=SqliteUsers(db), sessions=SqliteSessions(db), codes=SqliteCodes(db),
        counters=SqliteCounters(db), idempotency=SqliteIdempotency(db), directory=SqliteDirectory(db),
        outbox=SqliteOutbox(db), links=SqliteSignInLinks(db), staff=SqliteStaff(db),
        outages=SqliteOutages(db), open311_keys=SqliteOpen311Keys(db), stats=SqliteStats(db),
        contact_views=SqliteContactViews(db),
    )


class Database:
    """One connection per thread to one file; the schema brought up to date on open."""

    def __init__(self, path: str):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self.connection().execute("PRAGMA journal_mode = WAL")
        self._migrate()

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: the module opens no transactions of its own;
            # `write` opens each one explicitly.
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
            self._local.conn = conn
        return conn

    @contextmanager
    def write(self):
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            # Some errors (a full disk, an interrupt) roll back by themselves.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def read(self, sql: str, params=()) -> list:
        return self.connection().execute(sql, params).fetchall()

    def _migrate(self) -> None:
        with self.write() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY)")
            current = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
            for version, statements in enumerate(MIGRATIONS[current:], start=current + 1):
                for step in statements:
                    if callable(step):
                        step(conn)
                    else:
                        conn.execute(step)
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _load_all(rows, from_data) -> list:
    return [from_data(json.loads(row[0])) for row in rows]


def _load_first(rows, from_data):
    return from_data(json.loads(rows[0][0])) if rows else None


@contextmanager
def _unique(what: str):
    """A uniqueness constraint refusing the write becomes the domain's AlreadyExists."""
    try:
        yield
    except sqlite3.IntegrityError as error:
        raise AlreadyExists("already_exists", what=what) from error


class SqliteTickets(TicketStore):
    def __init__(self, db: Database):
        self.db = db

    def create(self, ticket: Ticket, events: list, outbox: list = (),
               idempotency: IdempotencyRecord | None = None, tallies: list = ()) -> None:
        with self.db.write() as conn, _unique("ticket"):
            conn.execute(
                "INSERT INTO tickets (id, number, reporter_id, organisation, state, filed_at, month, next_due_at,"
                " address_key, version, data, topic, cause, street, overdue, escalated, due_key, retention_from)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ticket.id, ticket.number, ticket.reporter_id, *self._columns(ticket)),
            )
            if idempotency is not None:
                conn.execute("INSERT INTO idempotency (key, data) VALUES (?, ?)",
                             (idempotency.key, _dump(codec.idempotency_to_data(idempotency))))
            _append(conn, events, outbox, tallies)

    def update(self, ticket: Ticket, expected_version: int, events: list, outbox: list = (),
               tallies: list = (), redacted: list = ()) -> None:
        with self.db.write() as conn:
            # The reporter goes from the row too: the by-reporter index no longer finds it.
            changed = conn.execute(
                "UPDATE tickets SET organisation = ?, state = ?, filed_at = ?, month = ?, next_due_at = ?,"
                " address_key = ?, version = ?, data = ?, topic = ?, cause = ?, street = ?, overdue = ?,"
                " escalated = ?, due_key = ?, retention_from = ?, reporter_id = ? WHERE id = ? AND version = ?",
                (*self._columns(ticket), ticket.reporter_id, ticket.id, expected_version),
            ).rowcount
            if not changed:
                if conn.execute("SELECT 1 FROM tickets WHERE id = ?", (ticket.id,)).fetchone():
                    raise StaleVersion("stale_version", ticket=ticket.id)
                raise NotFound("ticket_not_found", ticket=ticket.id)
            _append(conn, events, outbox, tallies)
            conn.executemany("UPDATE history SET data = ? WHERE ticket_id = ? AND version = ?",
                             [(_dump(codec.event_to_data(e)), e.ticket_id, e.version) for e in redacted])

    @staticmethod
    def _columns(ticket: Ticket) -> tuple:
        """The columns an update may change, in the order both statements list them."""
        filed_at = time_to_text(ticket.filed_at)
        return (ticket.organisation, ticket.state.value, filed_at, filed_at[:7], time_to_text(ticket.next_due_at),
                codec.open_address_key(ticket), ticket.version, _dump(codec.ticket_to_data(ticket)),
                *SqliteTickets.queue_columns(ticket), codec.retention_from(ticket))

    @staticmethod
    def queue_columns(ticket: Ticket) -> tuple:
        """topic, cause, street, overdue, escalated, due_key: what the staff queue filters and pages on."""
        return (ticket.topic, ticket.cause, ticket.address.street, int(ticket.overdue), int(ticket.escalated),
                codec.queue_key(ticket))

    def get(self, ticket_id: str) -> Ticket | None:
        return _load_first(self.db.read("SELECT data FROM tickets WHERE id = ?", (ticket_id,)),
                           codec.ticket_from_data)

    def by_number(self, number: str) -> Ticket | None:
        return _load_first(self.db.read("SELECT data FROM tickets WHERE number = ?", (number,)),
                           codec.ticket_from_data)

    def by_reporter(self, reporter_id: str) -> list:
        return self._list("WHERE reporter_id = ? ORDER BY filed_at DESC, id DESC", (reporter_id,))

    def by_organisation(self, organisation: str, state: str | None = None) -> list:
        if state is None:
            return self._list("WHERE organisation = ? ORDER BY filed_at DESC, id DESC", (organisation,))
        return self._list("WHERE organisation = ? AND state = ? ORDER BY filed_at DESC, id DESC",
                          (organisation, state))

    def by_month(self, month: str) -> list:
        return self._list("WHERE month = ? ORDER BY filed_at, id", (month,))

    DUE_QUERY = ("SELECT data FROM tickets WHERE next_due_at IS NOT NULL AND next_due_at <= ?"
                 " ORDER BY next_due_at, id LIMIT ?")

    def due(self, now: datetime, limit: int = 100) -> list:
        return _load_all(self.db.read(self.DUE_QUERY, (time_to_text(now), limit)), codec.ticket_from_data)

    TO_ANONYMISE_QUERY = ("SELECT data FROM tickets WHERE retention_from IS NOT NULL AND retention_from < ?"
                          " ORDER BY retention_from, id LIMIT ?")

    def to_anonymise(self, closed_before: datetime, limit: int = 100) -> list:
        return _load_all(self.db.read(self.TO_ANONYMISE_QUERY, (time_to_text(closed_before), limit)),
                         codec.ticket_from_data)

    def history(self, ticket_id: str) -> list:
        rows = self.db.read("SELECT data FROM history WHERE ticket_id = ? ORDER BY version", (ticket_id,))
        return _load_all(rows, codec.event_from_data)

    OPEN_AT_ADDRESS_QUERY = "SELECT data FROM tickets WHERE address_key = ? ORDER BY filed_at DESC, id DESC"

    def open_at_address(self, cause: str, street: str, house: str) -> list:
        rows = self.db.read(self.OPEN_AT_ADDRESS_QUERY, (codec.address_key(cause, street, house),))
        return _load_all(rows, codec.ticket_from_data)

    def _list(self, where: str, params: tuple) -> list:
        return _load_all(self.db.read("SELECT data FROM tickets " + where, params), codec.ticket_from_data)

    def queue(self, query: QueueQuery, limit: int, after: str | None = None,
              descending: bool = False) -> tuple:
        where, params = _queue_filters(query, with_states=True)
        if after is not None:
            where.append("due_key < ?" if descending else "due_key > ?")
            params.append(after)
        # One more than asked tells whether there is a next page.
        rows = self.db.read(
            f"SELECT data FROM tickets WHERE {' AND '.join(where) or '1'}"
            f" ORDER BY due_key {'DESC' if descending else 'ASC'} LIMIT ?", (*params, limit + 1))
        tickets = _load_all(rows[:limit], codec.ticket_from_data)
        return tickets, codec.queue_key(tickets[-1]) if len(rows) > limit else None

    def count_by_state(self, query: QueueQuery) -> dict:
        where, params = _queue_filters(query, with_states=False)
        rows = self.db.read(f"SELECT state, COUNT(*) FROM tickets WHERE {' AND '.join(where) or '1'} GROUP BY state",
                            params)
        return {state: count for state, count in rows}

    def filed(self, query: FiledQuery, offset: int, limit: int) -> list:
        sql, params = self.filed_query(query)
        return _load_all(self.db.read(sql, (*params, limit, offset)), codec.ticket_from_data)

    @staticmethod
    def filed_query(query: FiledQuery) -> tuple:
        """The SQL of `filed` and its parameters but the limit and the offset."""
        where = ["filed_at >= ?", "filed_at < ?"]
        params = [time_to_text(query.filed_from), time_to_text(query.filed_to)]
        if query.causes:
            where.append(f"cause IN ({', '.join('?' for _ in query.causes)})")
            params.extend(query.causes)
        if query.open is not None:
            where.append(f"state {'IN' if query.open else 'NOT IN'} ({', '.join('?' for _ in OPEN)})")
            params.extend(sorted(state.value for state in OPEN))
        return (f"SELECT data FROM tickets WHERE {' AND '.join(where)}"
                " ORDER BY filed_at DESC, id DESC LIMIT ? OFFSET ?"), params

    CHANGES_QUERY = ("SELECT history.data, tickets.data FROM history JOIN tickets ON tickets.id = history.ticket_id"
                     " WHERE history.changed_at IS NOT NULL AND history.changed_at >= ? AND history.changed_at < ?"
                     " ORDER BY history.changed_at, history.ticket_id, history.version LIMIT ? OFFSET ?")

    def changes(self, since: datetime, until: datetime, offset: int, limit: int) -> list:
        rows = self.db.read(self.CHANGES_QUERY, (time_to_text(since), time_to_text(until), limit, offset))
        return [(codec.ticket_from_data(json.loads(ticket)), codec.event_from_data(json.loads(event)))
                for event, ticket in rows]


def _queue_filters(query: QueueQuery, with_states: bool) -> tuple:
    """The WHERE conditions (to be joined by AND) and their parameters of the queue's filters."""
    where, params = [], []
    if with_states and query.states:
        where.append(f"state IN ({', '.join('?' for _ in query.states)})")
        params.extend(query.states)
    for column, value in (("organisation", query.organisation), ("topic", query.topic), ("cause", query.cause),
                          ("street", query.street)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    for column, flag in (("overdue", query.overdue), ("escalated", query.escalated)):
        if flag is not None:
            where.append(f"{column} = ?")
            params.append(int(flag))
    if query.filed_from is not None:
        where.append("filed_at >= ?")
        params.append(time_to_text(query.filed_from))
    if query.filed_to is not None:
        where.append("filed_at < ?")
        params.append(time_to_text(query.filed_to))
    return where, params


def _append(conn: sqlite3.Connection, events: list, messages: list, tallies: list = ()) -> None:
    """History entries, outbox messages and statistics tallies, inside the caller's transaction."""
    conn.executemany("INSERT INTO history (ticket_id, version, data, changed_at) VALUES (?, ?, ?, ?)",
                     [(e.ticket_id, e.version, _dump(codec.event_to_data(e)), _changed_at(e)) for e in events])
    conn.executemany("INSERT INTO outbox (id, status, created_at, next_attempt_at, data, ticket_id)"
                     " VALUES (?, ?, ?, ?, ?, ?)", [(*_message_row(m), m.ticket_id) for m in messages])
    conn.executemany("INSERT INTO stats (day, grp, field, value) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT (day, grp, field) DO UPDATE SET value = value + excluded.value",
                     [(t.day, t.group, name, by) for t in tallies for name, by in t.counts])


def _message_row(message: OutboxMessage) -> tuple:
    return (message.id, message.status, time_to_text(message.created_at), time_to_text(message.next_attempt_at),
            _dump(codec.message_to_data(message)))


class SqliteUsers(UserStore):
    def __init__(self, db: Database):
        self.db = db

    def create(self, resident: Resident, identities: tuple = ()) -> None:
        claims = ([(PHONE, resident.phone)] if resident.phone else []) + list(identities)
        with self.db.write() as conn, _unique("user"):
            conn.execute("INSERT INTO users (id, phone, data) VALUES (?, ?, ?)",
                         (resident.id, resident.phone, _dump(codec.resident_to_data(resident))))
            conn.executemany("INSERT INTO identities (kind, value, user_id) VALUES (?, ?, ?)",
                             [(kind, value, resident.id) for kind, value in claims])

    def get(self, user_id: str) -> Resident | None:
        return _load_first(self.db.read("SELECT data FROM users WHERE id = ?", (user_id,)),
                           codec.resident_from_data)

    def by_identity(self, kind: str, value: str) -> Resident | None:
        rows = self.db.read("SELECT users.data FROM identities JOIN users ON users.id = identities.user_id"
                            " WHERE identities.kind = ? AND identities.value = ?", (kind, value))
        return _load_first(rows, codec.resident_from_data)

    def link(self, user_id: str, kind: str, value: str) -> Resident:
        with self.db.write() as conn:
            resident = _load_first(conn.execute("SELECT data FROM users WHERE id = ?", (user_id,)).fetchall(),
                                   codec.resident_from_data)
            if resident is None or resident.deleted:
                raise NotFound("user_not_found")
            owner = conn.execute("SELECT user_id FROM identities WHERE kind = ? AND value = ?",
                                 (kind, value)).fetchone()
            if owner is not None:
                if owner[0] != user_id:
                    raise AlreadyExists("already_exists", what="identity")
                return resident
            conn.execute("INSERT INTO identities (kind, value, user_id) VALUES (?, ?, ?)", (kind, value, user_id))
            if kind == PHONE and not resident.phone:
                resident = replace(resident, phone=value)
                conn.execute("UPDATE users SET phone = ?, data = ? WHERE id = ?",
                             (value, _dump(codec.resident_to_data(resident)), user_id))
        return resident

    def identities(self, user_id: str) -> list:
        return [tuple(row) for row in self.db.read(
            "SELECT kind, value FROM identities WHERE user_id = ? ORDER BY kind, value", (user_id,))]

    def update(self, resident: Resident) -> None:
        with self.db.write() as conn:
            changed = conn.execute("UPDATE users SET data = ? WHERE id = ? AND phone = ?"
                                   " AND json_extract(data, '$.deleted_at') IS NULL",
                                   (_dump(codec.resident_to_data(resident)), resident.id, resident.phone)).rowcount
            if not changed:
                raise NotFound("user_not_found")

    def erase(self, tombstone: Resident) -> None:
        with self.db.write() as conn:
            rows = conn.execute("SELECT data FROM users WHERE id = ?", (tombstone.id,)).fetchall()
            found = _load_first(rows, codec.resident_from_data)
            if found is None:
                raise NotFound("user_not_found")
            if found.deleted:
                return
            conn.execute("UPDATE users SET phone = '', data = ? WHERE id = ?",
                         (_dump(codec.resident_to_data(tombstone)), tombstone.id))
            conn.execute("DELETE FROM identities WHERE user_id = ?", (tombstone.id,))


class SqliteSignInLinks(SignInLinkStore):
    def __init__(self, db: Database):
        self.db = db

    def put(self, link: SignInLink) -> None:
        with self.db.write() as conn:
            conn.execute("INSERT INTO sign_in_links (token_hash, data) VALUES (?, ?)",
                         (link.token_hash, _dump(codec.link_to_data(link))))

    def take(self, token_hash: str) -> SignInLink | None:
        with self.db.write() as conn:
            rows = conn.execute("DELETE FROM sign_in_links WHERE token_hash = ? RETURNING data",
                                (token_hash,)).fetchall()
        return _load_first(rows, codec.link_from_data)


class SqliteSessions(SessionStore):
    def __init__(self, db: Database):
        self.db = db

    def put(self, session: Session) -> None:
        with self.db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO sessions (token_hash, data) VALUES (?, ?)",
                         (session.token_hash, _dump(codec.session_to_data(session))))

    def get(self, token_hash: str) -> Session | None:
        return _load_first(self.db.read("SELECT data FROM sessions WHERE token_hash = ?", (token_hash,)),
                           codec.session_from_data)

    def delete(self, token_hash: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))


class SqliteStaff(StaffStore):
    def __init__(self, db: Database):
        self.db = db

    def create(self, member: StaffMember) -> None:
        with self.db.write() as conn, _unique("staff"):
            conn.execute("INSERT INTO staff (id, username, version, data) VALUES (?, ?, ?, ?)",
                         (member.id, member.username, member.version, _dump(codec.staff_to_data(member))))

    def get(self, staff_id: str) -> StaffMember | None:
        return _load_first(self.db.read("SELECT data FROM staff WHERE id = ?", (staff_id,)), codec.staff_from_data)

    def by_username(self, username: str) -> StaffMember | None:
        return _load_first(self.db.read("SELECT data FROM staff WHERE username = ?", (username,)),
                           codec.staff_from_data)

    def update(self, member: StaffMember, expected_version: int) -> None:
        with self.db.write() as conn:
            changed = conn.execute(
                "UPDATE staff SET version = ?, data = ? WHERE id = ? AND username = ? AND version = ?",
                (member.version, _dump(codec.staff_to_data(member)), member.id, member.username, expected_version),
            ).rowcount
            if not changed:
                if conn.execute("SELECT 1 FROM staff WHERE id = ?", (member.id,)).fetchone():
                    raise StaleVersion("stale_version", staff=member.id)
                raise NotFound("staff_not_found", staff=member.id)

    def all(self) -> list:
        return _load_all(self.db.read("SELECT data FROM staff ORDER BY username, id"), codec.staff_from_data)


class SqliteOutages(OutageStore):
    def __init__(self, db: Database):
        self.db = db

    def create(self, outage: Outage) -> None:
        with self.db.write() as conn, _unique("outage"):
            conn.execute("INSERT INTO outages (id, state, starts_at, version, data) VALUES (?, ?, ?, ?, ?)",
                         (outage.id, *self._columns(outage)))

    def get(self, outage_id: str) -> Outage | None:
        return _load_first(self.db.read("SELECT data FROM outages WHERE id = ?", (outage_id,)),
                           codec.outage_from_data)

    def update(self, outage: Outage, expected_version: int) -> None:
        with self.db.write() as conn:
            changed = conn.execute(
                "UPDATE outages SET state = ?, starts_at = ?, version = ?, data = ? WHERE id = ? AND version = ?",
                (*self._columns(outage), outage.id, expected_version),
            ).rowcount
            if not changed:
                if conn.execute("SELECT 1 FROM outages WHERE id = ?", (outage.id,)).fetchone():
                    raise StaleVersion("stale_version", outage=outage.id)
                raise NotFound("outage_not_found", outage=outage.id)

    @staticmethod
    def _columns(outage: Outage) -> tuple:
        return (outage.state, time_to_text(outage.starts_at), outage.version,
                _dump(codec.outage_to_data(outage)))

    def active(self) -> list:
        rows = self.db.read("SELECT data FROM outages WHERE state = ? ORDER BY starts_at, id", (ACTIVE,))
        return _load_all(rows, codec.outage_from_data)

    def all(self, state: str | None = None) -> list:
        if state is None:
            rows = self.db.read("SELECT data FROM outages ORDER BY starts_at DESC, id DESC")
        else:
            rows = self.db.read("SELECT data FROM outages WHERE state = ? ORDER BY starts_at DESC, id DESC",
                                (state,))
        return _load_all(rows, codec.outage_from_data)


class SqliteOpen311Keys(Open311KeyStore):
    def __init__(self, db: Database):
        self.db = db

    def create(self, key: Open311Key) -> None:
        with self.db.write() as conn, _unique("open311_key"):
            conn.execute("INSERT INTO open311_keys (id, key_hash, created_at, data) VALUES (?, ?, ?, ?)",
                         (key.id, key.key_hash, time_to_text(key.created_at),
                          _dump(codec.open311_key_to_data(key))))

    def get(self, key_id: str) -> Open311Key | None:
        return _load_first(self.db.read("SELECT data FROM open311_keys WHERE id = ?", (key_id,)),
                           codec.open311_key_from_data)

    def by_hash(self, key_hash: str) -> Open311Key | None:
        return _load_first(self.db.read("SELECT data FROM open311_keys WHERE key_hash = ?", (key_hash,)),
                           codec.open311_key_from_data)

    def all(self) -> list:
        rows = self.db.read("SELECT data FROM open311_keys ORDER BY created_at DESC, id DESC")
        return _load_all(rows, codec.open311_key_from_data)

    def update(self, key: Open311Key) -> None:
        with self.db.write() as conn:
            changed = conn.execute("UPDATE open311_keys SET data = ? WHERE id = ? AND key_hash = ?",
                                   (_dump(codec.open311_key_to_data(key)), key.id, key.key_hash)).rowcount
            if not changed:
                raise NotFound("open311_key_not_found", key=key.id)


class SqliteCodes(CodeStore):
    def __init__(self, db: Database):
        self.db = db

    def put(self, code: SignInCode) -> None:
        with self.db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO codes (phone, code_hash, data) VALUES (?, ?, ?)",
                         (code.phone, code.code_hash, _dump(codec.code_to_data(code))))

    def get(self, phone: str) -> SignInCode | None:
        return _load_first(self.db.read("SELECT data FROM codes WHERE phone = ?", (phone,)), codec.code_from_data)

    def count_wrong_try(self, phone: str, code_hash: str) -> int:
        with self.db.write() as conn:
            row = conn.execute("SELECT data FROM codes WHERE phone = ? AND code_hash = ?",
                               (phone, code_hash)).fetchone()
            if row is None:
                raise NotFound("code_not_found")
            code = codec.code_from_data(json.loads(row[0]))
            code = replace(code, wrong_tries=code.wrong_tries + 1)
            conn.execute("UPDATE codes SET data = ? WHERE phone = ?", (_dump(codec.code_to_data(code)), phone))
        return code.wrong_tries

    def delete(self, phone: str, code_hash: str) -> bool:
        with self.db.write() as conn:
            return conn.execute("DELETE FROM codes WHERE phone = ? AND code_hash = ?",
                                (phone, code_hash)).rowcount == 1


class SqliteCounters(CounterStore):
    def __init__(self, db: Database):
        self.db = db

    def increment(self, key: str, expires_at: datetime, by: int = 1) -> int:
        # The port takes no `now`: a window is named by its end, so a stored
        # counter whose end is earlier than the caller's belongs to a window
        # that has passed, and the count starts again.
        with self.db.write() as conn:
            return conn.execute(
                "INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                " value = CASE WHEN counters.expires_at < excluded.expires_at THEN excluded.value"
                " ELSE counters.value + excluded.value END,"
                " expires_at = MAX(counters.expires_at, excluded.expires_at)"
                " RETURNING value",
                (key, by, time_to_text(expires_at)),
            ).fetchall()[0][0]

    def count(self, key: str, expires_at: datetime) -> int:
        rows = self.db.read("SELECT value FROM counters WHERE key = ? AND expires_at >= ?",
                            (key, time_to_text(expires_at)))
        return rows[0][0] if rows else 0

    def next_sequence(self, name: str) -> int:
        with self.db.write() as conn:
            return conn.execute(
                "INSERT INTO sequences (name, value) VALUES (?, 1)"
                " ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                (name,),
            ).fetchall()[0][0]


class SqliteStats(StatsStore):
    def __init__(self, db: Database):
        self.db = db

    def read(self, first_day: str, last_day: str) -> list:
        records = {}
        for day, grp, name, value in self.db.read(
                "SELECT day, grp, field, value FROM stats WHERE day BETWEEN ? AND ? ORDER BY day, grp",
                (first_day, last_day)):
            records.setdefault((day, grp), {})[name] = value
        return [DayCounts(day, grp, counts) for (day, grp), counts in records.items()]


class SqliteIdempotency(IdempotencyStore):
    def __init__(self, db: Database):
        self.db = db

    def get(self, key: str) -> IdempotencyRecord | None:
        return _load_first(self.db.read("SELECT data FROM idempotency WHERE key = ?", (key,)),
                           codec.idempotency_from_data)


# The catalogue and the registry are each one document; organisations one row each.
_ORGANISATION, _CATALOGUE, _REGISTRY = "organisation", "catalogue", "registry"


class SqliteDirectory(Directory):
    def __init__(self, db: Database):
        self.db = db

    def organisations(self) -> list:
        rows = self.db.read("SELECT data FROM directory WHERE kind = ? ORDER BY code", (_ORGANISATION,))
        return _load_all(rows, Organisation.from_data)

    def put_organisation(self, organisation: Organisation) -> None:
        self._put(_ORGANISATION, organisation.code, organisation.to_data())

    def catalogue(self) -> Catalogue | None:
        return _load_first(self._get(_CATALOGUE), Catalogue.from_data)

    def put_catalogue(self, catalogue: Catalogue) -> None:
        self._put(_CATALOGUE, "", catalogue.to_data())

    def registry(self) -> Registry | None:
        return _load_first(self._get(_REGISTRY), lambda data: Registry.from_data(**data))

    def put_registry(self, registry: Registry) -> None:
        self._put(_REGISTRY, "", registry.to_data())

    def _get(self, kind: str) -> list:
        return self.db.read("SELECT data FROM directory WHERE kind = ? AND code = ''", (kind,))

    def _put(self, kind: str, code: str, data) -> None:
        with self.db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO directory (kind, code, data) VALUES (?, ?, ?)",
                         (kind, code, _dump(data)))


class SqliteOutbox(OutboxStore):
    def __init__(self, db: Database):
        self.db = db

    def add(self, messages: list) -> None:
        with self.db.write() as conn, _unique("message"):
            _append(conn, [], messages)

    def get(self, message_id: str) -> OutboxMessage | None:
        return _load_first(self.db.read("SELECT data FROM outbox WHERE id = ?", (message_id,)),
                           codec.message_from_data)

    READY_QUERY = ("SELECT data FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
                   " ORDER BY next_attempt_at, id LIMIT ?")

    def ready(self, now: datetime, limit: int = 50) -> list:
        return _load_all(self.db.read(self.READY_QUERY, (time_to_text(now), limit)), codec.message_from_data)

    def claim(self, message_id: str, now: datetime, lease_until: datetime) -> OutboxMessage | None:
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT data FROM outbox WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?",
                (message_id, time_to_text(now))).fetchone()
            if row is None:
                return None
            message = codec.message_from_data(json.loads(row[0]))
            message = replace(message, next_attempt_at=lease_until, tries=message.tries + 1)
            self._store(conn, message)
        return message

    def finish(self, message: OutboxMessage) -> None:
        with self.db.write() as conn:
            self._store(conn, message)

    def dead(self) -> list:
        rows = self.db.read("SELECT data FROM outbox WHERE status = 'dead' ORDER BY created_at DESC, id DESC")
        return _load_all(rows, codec.message_from_data)

    def revive(self, message_id: str, now: datetime) -> OutboxMessage | None:
        with self.db.write() as conn:
            row = conn.execute("SELECT data FROM outbox WHERE id = ? AND status = 'dead'", (message_id,)).fetchone()
            if row is None:
                return None
            message = replace(codec.message_from_data(json.loads(row[0])), status=PENDING, next_attempt_at=now,
                              tries=0)
            self._store(conn, message)
        return message

    def waiting(self, now: datetime) -> int:
        return self.db.read("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND next_attempt_at > ?",
                            (time_to_text(now),))[0][0]

    def about(self, ticket_id: str) -> list:
        rows = self.db.read("SELECT data FROM outbox WHERE ticket_id = ? ORDER BY created_at, id", (ticket_id,))
        return _load_all(rows, codec.message_from_data)

    def remove(self, message_ids: list) -> None:
        with self.db.write() as conn:
            conn.executemany("DELETE FROM outbox WHERE id = ?", [(message_id,) for message_id in message_ids])

    @staticmethod
    def _store(conn: sqlite3.Connection, message: OutboxMessage) -> None:
        conn.execute("UPDATE outbox SET status = ?, created_at = ?, next_attempt_at = ?, data = ? WHERE id = ?",
                     (*_message_row(message)[1:], message.id))


class SqliteContactViews(ContactViewStore):
    def __init__(self, db: Database):
        self.db = db

    def add(self, view: ContactView) -> None:
        with self.db.write() as conn, _unique("contact_view"):
            conn.execute("INSERT INTO contact_views (id, key, ticket_id, data) VALUES (?, ?, ?, ?)",
                         (view.id, codec.view_key(view), view.ticket_id, _dump(codec.view_to_data(view))))

    def recent(self, limit: int, before: str | None = None) -> tuple:
        # One more than asked tells whether there is a next page.
        rows = self.db.read("SELECT data FROM contact_views WHERE ? IS NULL OR key < ? ORDER BY key DESC LIMIT ?",
                            (before, before, limit + 1))
        views = _load_all(rows[:limit], codec.view_from_data)
        return views, codec.view_key(views[-1]) if len(rows) > limit else None

    def of_ticket(self, ticket_id: str) -> list:
        rows = self.db.read("SELECT data FROM contact_views WHERE ticket_id = ? ORDER BY key DESC", (ticket_id,))
        return _load_all(rows, codec.view_from_data)
