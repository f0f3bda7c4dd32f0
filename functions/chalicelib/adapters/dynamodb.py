"""The AWS storage backend: DynamoDB through pynamodb.

`TABLES` is the one description of the tables: `create_tables` creates them from it,
the pynamodb models are built from it, and the CloudFormation template can be
generated from it. The models are built per (prefix, region, host) when storage is
opened, so importing this module connects to nothing.

Records are kept in the codec's plain-data form: a JSON `data` attribute plus the
attributes a key, an index or a condition reads. A record changed in place by a
conditional update (sign-in codes, counters, outbox messages) keeps every field as
an attribute of its own instead.
"""

import functools
import json
import operator
import random
import time
import uuid
import zlib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from pynamodb.attributes import (
    BinaryAttribute, BooleanAttribute, JSONAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.connection import Connection
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..domain.address import Registry
from ..domain.audit import ContactView
from ..domain.catalogue import Catalogue
from ..domain.errors import AlreadyExists, NotFound, StaleVersion
from ..domain.open311_key import Open311Key
from ..domain.outage import ACTIVE, STATES, Outage
from ..domain.organisation import Organisation
from ..domain.outbox import DEAD, PENDING, OutboxMessage
from ..domain.resident import PHONE, Resident
from ..domain.session import Session, SignInCode, SignInLink
from ..domain.staff import StaffMember
from ..domain.stats import FIELDS, DayCounts
from ..domain.ticket import State, Ticket
from ..services.ports import (
    CodeStore, ContactViewStore, CounterStore, Directory, FiledQuery, IdempotencyRecord, IdempotencyStore,
    Open311KeyStore,
    OutageStore, OutboxStore, QueueQuery, SessionStore, SignInLinkStore, StaffStore, StatsStore, Storage, TicketStore,
    UserStore,
)
from . import codec
from .codec import time_to_text


@dataclass(frozen=True)
class Index:
    """A global secondary index; `keys_only` when its readers fetch the items themselves,
    `include` the attributes besides the keys it copies when a query filters on them.

    Every change of a projected attribute is a write to the index too, billed by the
    entry's size: a whole ticket copied into an index costs a unit per KB per change,
    while reading the page's items by key afterwards costs a unit per 4 KB."""

    name: str
    hash_key: str
    range_key: str
    keys_only: bool = False
    include: tuple = ()

    def projection(self) -> dict:
        """The index's Projection as DynamoDB's API and CloudFormation spell it."""
        if self.keys_only:
            return {"ProjectionType": "KEYS_ONLY"}
        if self.include:
            return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(self.include)}
        return {"ProjectionType": "ALL"}


@dataclass(frozen=True)
class Table:
    name: str  # after the deployment's prefix
    hash_key: str
    range_key: str | None = None
    indexes: tuple = ()
    ttl: str | None = None  # the attribute DynamoDB's time to live reads, epoch seconds
    number_keys: tuple = ()  # key attributes of type N; every other key attribute is a string

    def key_type(self, attribute: str) -> str:
        return "N" if attribute in self.number_keys else "S"


# The ticket attributes the staff queue filters on (DynamoTickets._filter).
QUEUE_FILTERS = ("organisation", "topic", "cause", "street", "overdue", "escalated", "filed_at")
# Its readers fetch the tickets an index names by key (BatchGetItem): a ticket's item is
# ~1.5 KB, and an index holding whole tickets would be written again at every change.
TICKETS = Table("tickets", "id", indexes=(
    Index("by_reporter", "reporter_id", "filed_at", keys_only=True),
    # state_filed is "<state>#<filed_at>": begins_with picks one state, newest last.
    Index("by_org_state", "organisation", "state_filed", keys_only=True),
    Index("by_month", "month", "filed_at", keys_only=True),
    # Sparse: only an open ticket with a pending timer carries due_shard and next_due_at,
    # so the minute sweep reads what is due, never the table.
    Index("due", "due_shard", "next_due_at", keys_only=True),
    # Sparse: only an open ticket carries address_key ("<cause>|<street>|<house>"), so
    # looking for duplicates reads the open tickets at one address.
    Index("by_address", "address_key", "filed_at", keys_only=True),
    # The staff queue: one partition per state, by deadline (due_key is codec.queue_key);
    # its other filters read the attributes it copies, then the page is fetched by key.
    Index("queue", "state", "due_key", include=QUEUE_FILTERS),
    # Open311's requests: a month's partition by filing time (filed_key is codec.filed_key),
    # filtered on the two attributes it copies. The cause never changes and `is_open`
    # once, so the copy is written at filing and at closing only.
    Index("filed", "month", "filed_key", include=("cause", "is_open")),
    # Sparse: only a final ticket that still holds its reporter's personal data carries
    # retention_shard and retention_from (codec.retention_from), so the nightly
    # anonymisation reads what is due, never the table.
    Index("retention", "retention_shard", "retention_from", keys_only=True),
))
# Sparse: only a state change (Event.changes_state) carries `month` and `change_key`
# (codec.change_key), so Open311's updates read the changes of a time range and
# nothing else of the history. Its readers fetch the entries by key.
HISTORY = Table("history", "ticket_id", "version", number_keys=("version",),
                indexes=(Index("changes", "month", "change_key", keys_only=True),))
# Claims on a unique value ("number#<n>", "<identity kind>#<value>" such as
# "phone#<e164>") naming their owner's id, written in the owner's transaction:
# DynamoDB has no unique constraint on attributes.
UNIQUES = Table("uniques", "key")
# An account names its identities' claims in a string set, `identities`; a deleted
# account's tombstone has none, and carries `deleted_at`.
USERS = Table("users", "id")
SIGN_IN_LINKS = Table("sign_in_links", "token_hash", ttl="ttl")
# Staff accounts; a username is a claim ("username#<name>") in `uniques`.
STAFF = Table("staff", "id")
SESSIONS = Table("sessions", "token_hash", ttl="ttl")
CODES = Table("codes", "phone", ttl="ttl")
# Fixed-window counters ("count#<key>") and sequences ("seq#<name>").
COUNTERS = Table("counters", "key", ttl="ttl")
IDEMPOTENCY = Table("idempotency", "key", ttl="ttl")
# Organisations ("organisation", code); the catalogue and the registry as documents.
DIRECTORY = Table("directory", "kind", "code")
OUTBOX = Table("outbox", "id", indexes=(
    Index("ready", "ready_shard", "next_attempt_at"),  # sparse: pending messages only
    Index("dead", "dead_shard", "created_at"),  # sparse: dead letters only
    # Sparse: messages about a ticket (not alerts, nor digests), to remove a reporter's.
    Index("by_ticket", "ticket_id", "created_at", keys_only=True),
))
# Outage notices. Every notice carries its state, so `by_state` answers both the public
# page (the active ones, a handful, by start) and the staff list of one state without
# a scan: the closed ones pile up over the years, the page's read cost does not. (Not
# sparse: the staff list of closed notices reads the same index.)
OUTAGES = Table("outages", "id", indexes=(Index("by_state", "state", "starts_at"),))
# Open311 keys; a key's hash is a claim ("open311#<hash>") in `uniques`, which is how a
# client's key is found with one consistent read.
OPEN311_KEYS = Table("open311_keys", "id")
# The daily statistics (domain.stats): one item per city day and group, keyed
# "<day>#<group>" in its month's partition ("YYYY-MM"), a number attribute per counted
# field. A year's statistics are twelve queries, however many tickets there were.
STATS = Table("stats", "month", "key")
# Each time a staff member was shown a reporter's contact: one partition, keyed
# codec.view_key (time, then id), read newest first a page at a time; and by ticket.
# A few a day: the partition's 10 GB hold a city's centuries.
CONTACT_VIEWS = Table("contact_views", "shard", "key", indexes=(Index("by_ticket", "ticket_id", "key"),))
TABLES = (TICKETS, HISTORY, UNIQUES, USERS, SESSIONS, CODES, COUNTERS, IDEMPOTENCY, DIRECTORY, OUTBOX,
          SIGN_IN_LINKS, STAFF, OUTAGES, OPEN311_KEYS, STATS, CONTACT_VIEWS)

# DynamoDB's limit on the items of one transaction.
TRANSACTION_ITEMS = 100

# How many index entries one queue request reads before its filter: a page of 25
# matches among many non-matching tickets then costs a few requests, not dozens.
QUEUE_PAGE = 200

# A transaction that conflicted only on statistics items is tried this many times in
# all, pausing a random time up to STATS_BACKOFF seconds, doubled at each try.
STATS_TRIES, STATS_BACKOFF = 5, 0.02

# How often `create_tables` asks whether an index it added is built (a big table takes minutes).
INDEX_POLL_SECONDS = 5

# The value of a sparse index's hash key. One partition holds a city's pending
# timers and messages; the key exists so that the index can be sparse.
_SHARD = "0"


def create_tables(prefix: str, region: str, host: str | None = None) -> None:
    """Create the tables that do not exist yet (on-demand billing, with their indexes and TTL),
    and add to the tables that do the indexes they lack: a schema change keeps the items."""
    models = _models(prefix, region, host)
    for table in TABLES:
        model = getattr(models, table.name)
        if not model.exists():
            model.create_table(wait=True)
        else:
            _add_missing_indexes(models.connection.client, prefix + table.name, table)


def _add_missing_indexes(client, name: str, table: Table) -> None:
    """DynamoDB builds a new index from the items already there (CloudFormation does the same
    on a stack update). It takes one new index per update and one at a time: wait for each."""
    present = {index["IndexName"] for index in client.describe_table(TableName=name)["Table"].get(
        "GlobalSecondaryIndexes", ())}
    for index in table.indexes:
        if index.name in present:
            continue
        client.update_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": table.key_type(key)}
                                  for key in (index.hash_key, index.range_key)],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": index.name,
                "KeySchema": [{"AttributeName": index.hash_key, "KeyType": "HASH"},
                              {"AttributeName": index.range_key, "KeyType": "RANGE"}],
                "Projection": index.projection()}}])
        while True:
            described = client.describe_table(TableName=name)["Table"]
            built = {found["IndexName"]: found["IndexStatus"] for found in described["GlobalSecondaryIndexes"]}
            if described["TableStatus"] == "ACTIVE" and built[index.name] == "ACTIVE":
                break
            time.sleep(INDEX_POLL_SECONDS)


def open_storage(prefix: str, region: str, host: str | None = None) -> Storage:
    """The storage in the tables named `prefix` + table name; `host` is an endpoint URL or None for AWS."""
    models = _models(prefix, region, host)
    return Storage(
        tickets=DynamoTickets(models), users=DynamoUsers(models), sessions=DynamoSessions(models),
        codes=DynamoCodes(models), counters=DynamoCounters(models), idempotency=DynamoIdempotency(models),
        directory=DynamoDirectory(models), outbox=DynamoOutbox(models), links=DynamoSignInLinks(models),
        staff=DynamoStaff(models), outages=DynamoOutages(models), open311_keys=DynamoOpen311Keys(models),
        stats=DynamoStats(models), contact_views=DynamoContactViews(models),
    )


# --- models --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Models:
    """The model of each table, by table name."""

    tickets: type
    history: type
    uniques: type
    users: type
    sessions: type
    codes: type
    counters: type
    idempotency: type
    directory: type
    outbox: type
    sign_in_links: type
    staff: type
    outages: type
    open311_keys: type
    stats: type
    contact_views: type
    connection: Connection  # every table's, and the transactions' (which span tables)


@lru_cache(maxsize=None)
def _models(prefix: str, region: str, host: str | None) -> _Models:
    def model(table: Table, **attributes) -> type:
        return _model(table, prefix, region, host, attributes)

    models = _Models(
        tickets=model(TICKETS, version=NumberAttribute(), data=_Json(), topic=UnicodeAttribute(null=True),
                      cause=UnicodeAttribute(null=True), street=UnicodeAttribute(null=True),
                      overdue=BooleanAttribute(null=True), escalated=BooleanAttribute(null=True),
                      is_open=BooleanAttribute(null=True)),
        history=model(HISTORY, data=_Json()),
        uniques=model(UNIQUES, owner=UnicodeAttribute()),
        users=model(USERS, phone=UnicodeAttribute(), identities=UnicodeSetAttribute(null=True),
                    deleted_at=UnicodeAttribute(null=True), data=_Json()),
        sessions=model(SESSIONS, data=_Json()),
        codes=model(CODES, code_hash=UnicodeAttribute(), created_at=UnicodeAttribute(),
                    expires_at=UnicodeAttribute(), wrong_tries=NumberAttribute()),
        counters=model(COUNTERS, value=NumberAttribute(), expires_at=UnicodeAttribute(null=True)),
        idempotency=model(IDEMPOTENCY, data=_Json()),
        directory=model(DIRECTORY, data=_Json(null=True),
                        part=BinaryAttribute(null=True, legacy_encoding=False)),
        outbox=model(OUTBOX, to=UnicodeAttribute(), text=UnicodeAttribute(), created_at=UnicodeAttribute(),
                     next_attempt_at=UnicodeAttribute(), ticket_id=UnicodeAttribute(null=True),
                     kind=UnicodeAttribute(), urgent=BooleanAttribute(), status=UnicodeAttribute(),
                     tries=NumberAttribute(), last_error=UnicodeAttribute(), provider_id=UnicodeAttribute(),
                     sent_at=UnicodeAttribute(null=True), channel=UnicodeAttribute(null=True),
                     subject=UnicodeAttribute(null=True)),
        sign_in_links=model(SIGN_IN_LINKS, data=_Json()),
        staff=model(STAFF, version=NumberAttribute(), data=_Json()),
        outages=model(OUTAGES, version=NumberAttribute(), data=_Json()),
        open311_keys=model(OPEN311_KEYS, key_hash=UnicodeAttribute(), data=_Json()),
        stats=model(STATS, **{field: NumberAttribute(null=True) for field in FIELDS}),
        contact_views=model(CONTACT_VIEWS, ticket_id=UnicodeAttribute(), data=_Json()),
        connection=Connection(region=region, host=host),
    )
    _share_connection(models)
    return models


class _Json(JSONAttribute):
    """JSON as compact UTF-8: DynamoDB bills a write per KB of the item, and pynamodb's own
    form spends a space after every separator and six bytes on each Cyrillic letter
    ("\\u0432"). Reading is json.loads either way, so items written before read the same."""

    def serialize(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _share_connection(models: _Models) -> None:
    """Point every model at the one connection, so that they share one botocore client.

    pynamodb gives each model a connection of its own, whose botocore session loads
    botocore's JSON data again: ~0.1 s per table on a cold Lambda (pynamodb issue #1245,
    no public option in 6.1). Building a model's table connection opens nothing.
    """
    for table in TABLES:
        table_connection = getattr(models, table.name)._get_connection()
        models.connection.add_meta_table(table_connection.get_meta_table())
        table_connection.connection = models.connection


def _model(table: Table, prefix: str, region: str, host: str | None, attributes: dict) -> type:
    """A pynamodb Model for `table`: its keys, indexes and TTL from the table, the rest from `attributes`."""
    meta = type("Meta", (), {"table_name": prefix + table.name, "region": region, "host": host,
                             "billing_mode": PAY_PER_REQUEST_BILLING_MODE})
    namespace = {"__module__": __name__, "Meta": meta,
                 table.hash_key: _key(table, table.hash_key, hash_key=True)}
    if table.range_key:
        namespace[table.range_key] = _key(table, table.range_key, range_key=True)
    if table.ttl:
        namespace[table.ttl] = TTLAttribute(null=True)
    for index in table.indexes:
        namespace[index.name] = _index(table, index)
        for name in (index.hash_key, index.range_key):
            # Index keys are optional on the item: an item without them is not in the index.
            # (An index may sort by the table's own range key, which every item has.)
            if name not in (table.hash_key, table.range_key):
                namespace[name] = _key(table, name, null=True)
    namespace.update(attributes)
    return type(table.name.capitalize(), (Model,), namespace)


def _index(table: Table, index: Index) -> GlobalSecondaryIndex:
    projection = (KeysOnlyProjection() if index.keys_only else IncludeProjection(list(index.include))
                  if index.include else AllProjection())
    meta = type("Meta", (), {"index_name": index.name, "projection": projection})
    keys = {index.hash_key: _key(table, index.hash_key, hash_key=True),
            index.range_key: _key(table, index.range_key, range_key=True)}
    return type(index.name, (GlobalSecondaryIndex,), {"Meta": meta, **keys})()


def _key(table: Table, name: str, **options):
    return (NumberAttribute if table.key_type(name) == "N" else UnicodeAttribute)(**options)


# --- shared helpers ------------------------------------------------------------------

def _get(model: type, *key):
    try:
        return model.get(*key, consistent_read=True)
    except DoesNotExist:
        return None


def _fields(item, *derived: str) -> dict:
    """The record's own fields of an item that keeps them as attributes."""
    return {name: value for name, value in item.attribute_values.items() if name not in derived}


def _refused(error: Exception, *codes: str) -> bool:
    """Whether DynamoDB refused the write because a condition failed (or for one of `codes`)."""
    if isinstance(error, TransactWriteError):
        reasons = getattr(error.cause, "cancellation_reasons", ())
        return any(reason is not None and reason.code in ("ConditionalCheckFailed", *codes) for reason in reasons)
    return error.cause_response_code == "ConditionalCheckFailedException"


def _put_all(models: _Models, puts: list, tallies: list = ()) -> None:
    """Put every (item, condition) and add every statistics tally (domain.stats.Tally)
    at once, or nothing (at most 100 items).

    Another ticket's write adding to the same day's counters at the same moment cancels
    the transaction with a conflict on those counters alone, which says nothing about
    this ticket: the whole transaction is tried again after a short random pause.
    """
    Stats = models.stats
    added = _added(tallies)
    # One use case's events share one moment, so its tallies touch one day and two
    # groups: a ticket's transaction stays far below DynamoDB's 100 items.
    for attempt in range(STATS_TRIES):
        try:
            with TransactWrite(connection=models.connection) as transaction:
                for item, condition in puts:
                    transaction.save(item, condition=condition)
                # Updates come after every put in the transaction's items (pynamodb's
                # order), which is where stats_conflict_only looks for them.
                for (day, name), counts in added.items():
                    transaction.update(Stats(day[:7], f"{day}#{name}"),
                                       actions=[getattr(Stats, field).add(by) for field, by in counts.items()])
            return
        except TransactWriteError as error:
            if not stats_conflict_only(error.cancellation_reasons, len(added)):
                raise
            if attempt + 1 == STATS_TRIES:
                raise RuntimeError("the statistics counters stayed busy") from error
            time.sleep(random.uniform(0, STATS_BACKOFF * 2 ** attempt))


def _added(tallies: list) -> dict:
    """{(day, group): {field: how many}}: a transaction names each item once."""
    added = {}
    for tally in tallies:
        counts = added.setdefault((tally.day, tally.group), {})
        for field, by in tally.counts:
            counts[field] = counts.get(field, 0) + by
    return added


def stats_conflict_only(reasons: list, stats_items: int) -> bool:
    """Whether a cancelled transaction whose last `stats_items` items add to statistics
    failed only by conflicts on those: nothing refused or conflicted on its own items."""
    own, stats = reasons[:len(reasons) - stats_items], reasons[len(reasons) - stats_items:]
    return (stats_items > 0 and all(reason is None for reason in own) and any(stats)
            and all(reason is None or reason.code == "TransactionConflict" for reason in stats))


def _appended(models: _Models, events: list, messages: list) -> list:
    """The puts of history entries and outbox messages, each refused if it exists already."""
    History, Outbox = models.history, models.outbox
    return ([(History(e.ticket_id, e.version, data=codec.event_to_data(e),
                      month=codec.time_to_text(e.at)[:7] if e.changes_state else None,
                      change_key=codec.change_key(e) if e.changes_state else None),
              History.version.does_not_exist())
             for e in events]
            + [(_message_item(models, m), Outbox.id.does_not_exist()) for m in messages])


def _message_item(models: _Models, message: OutboxMessage):
    return models.outbox(**codec.message_to_data(message),
                         ready_shard=_SHARD if message.status == PENDING else None,
                         dead_shard=_SHARD if message.status == DEAD else None)


def _message(item) -> OutboxMessage:
    return codec.message_from_data(_fields(item, "ready_shard", "dead_shard"))


def _ticket(item) -> Ticket:
    return codec.ticket_from_data(item.data)


# --- stores --------------------------------------------------------------------------

class DynamoTickets(TicketStore):
    def __init__(self, models: _Models):
        self.m = models

    def create(self, ticket: Ticket, events: list, outbox: list = (),
               idempotency: IdempotencyRecord | None = None, tallies: list = ()) -> None:
        Tickets, Uniques, Idempotency = self.m.tickets, self.m.uniques, self.m.idempotency
        puts = [(self._item(ticket), Tickets.id.does_not_exist()),
                (Uniques(f"number#{ticket.number}", owner=ticket.id), Uniques.key.does_not_exist()),
                *_appended(self.m, events, outbox)]
        if idempotency is not None:
            puts.append((Idempotency(idempotency.key, data=codec.idempotency_to_data(idempotency),
                                     ttl=idempotency.expires_at), Idempotency.key.does_not_exist()))
        try:
            _put_all(self.m, puts, tallies)
        except TransactWriteError as error:
            if _refused(error):
                raise AlreadyExists("already_exists", what="ticket") from error
            raise

    def update(self, ticket: Ticket, expected_version: int, events: list, outbox: list = (),
               tallies: list = (), redacted: list = ()) -> None:
        Tickets, History = self.m.tickets, self.m.history
        puts = [(self._item(ticket), Tickets.version == expected_version),
                *_appended(self.m, events, outbox)]
        rewrites = [(History(e.ticket_id, e.version, data=codec.event_to_data(e)), History.version.exists())
                    for e in redacted]
        # A transaction holds 100 items. A reporter with more steps than fit has the rest
        # unnamed first: rewriting an entry without the name again changes nothing.
        room = TRANSACTION_ITEMS - len(puts) - len(_added(tallies))
        for start in range(room, len(rewrites), TRANSACTION_ITEMS):
            _put_all(self.m, rewrites[start:start + TRANSACTION_ITEMS])
        try:
            _put_all(self.m, puts + rewrites[:room], tallies)
        except TransactWriteError as error:
            # A transaction conflict is another writer changing the ticket at this moment.
            if not _refused(error, "TransactionConflict"):
                raise
            if _get(Tickets, ticket.id) is None:
                raise NotFound("ticket_not_found", ticket=ticket.id) from error
            raise StaleVersion("stale_version", ticket=ticket.id) from error

    def _item(self, ticket: Ticket):
        data = codec.ticket_to_data(ticket)
        filed_at = data["filed_at"]
        timer = ticket.is_open and ticket.next_due_at is not None
        # A put replaces the whole item, so a ticket without a timer leaves the due index,
        # and a ticket no longer open the address index.
        retention = codec.retention_from(ticket)
        # An anonymised ticket names no reporter (an index key may not be empty): it
        # leaves the by-reporter index.
        return self.m.tickets(
            ticket.id, version=ticket.version, reporter_id=ticket.reporter_id or None,
            organisation=ticket.organisation, filed_at=filed_at, month=filed_at[:7],
            state_filed=f"{ticket.state.value}#{filed_at}",
            due_shard=_SHARD if timer else None, next_due_at=data["next_due_at"] if timer else None,
            address_key=codec.open_address_key(ticket), state=ticket.state.value, due_key=codec.queue_key(ticket),
            topic=ticket.topic, cause=ticket.cause, street=ticket.address.street, overdue=ticket.overdue,
            escalated=ticket.escalated, filed_key=codec.filed_key(ticket), is_open=ticket.is_open,
            retention_shard=_SHARD if retention else None, retention_from=retention, data=data)

    def get(self, ticket_id: str) -> Ticket | None:
        item = _get(self.m.tickets, ticket_id)
        return _ticket(item) if item else None

    def by_number(self, number: str) -> Ticket | None:
        claim = _get(self.m.uniques, f"number#{number}")
        return self.get(claim.owner) if claim else None

    def by_reporter(self, reporter_id: str) -> list:
        return _newest_first(self._fetch(self.m.tickets.by_reporter.query(reporter_id)))

    def by_organisation(self, organisation: str, state: str | None = None) -> list:
        Tickets = self.m.tickets
        in_state = Tickets.state_filed.startswith(f"{state}#") if state else None
        found = self._fetch(Tickets.by_org_state.query(organisation, in_state))
        # The index lags the table: leave out a ticket that has left the state since.
        return _newest_first(t for t in found if state is None or t.state.value == state)

    def by_month(self, month: str) -> list:
        return sorted(self._fetch(self.m.tickets.by_month.query(month)), key=lambda t: (t.filed_at, t.id))

    def _fetch(self, entries) -> list:
        """The tickets that index entries name, read from the table. Eventually consistent,
        as the index itself is: a unit per 4 KB ticket read, half of it for such a read."""
        return self._by_ids(entry.id for entry in entries)

    def _by_ids(self, ids) -> list:
        ids = list(dict.fromkeys(ids))
        return [_ticket(item) for item in self.m.tickets.batch_get(ids)] if ids else []

    def due(self, now: datetime, limit: int = 100) -> list:
        Tickets = self.m.tickets
        keys = Tickets.due.query(_SHARD, Tickets.next_due_at <= time_to_text(now), limit=limit)
        found = map(_ticket, Tickets.batch_get([key.id for key in keys], consistent_read=True))
        # The index is eventually consistent: leave out a ticket whose timer has moved on since.
        due = [t for t in found if t.is_open and t.next_due_at is not None and t.next_due_at <= now]
        return sorted(due, key=lambda t: (t.next_due_at, t.id))

    def to_anonymise(self, closed_before: datetime, limit: int = 100) -> list:
        Tickets = self.m.tickets
        keys = Tickets.retention.query(_SHARD, Tickets.retention_from < time_to_text(closed_before), limit=limit)
        ids = [key.id for key in keys]
        found = map(_ticket, Tickets.batch_get(ids, consistent_read=True)) if ids else ()
        # The index is eventually consistent: leave out a ticket anonymised a moment ago.
        due = [t for t in found if codec.retention_from(t) is not None and t.closed_at < closed_before]
        return sorted(due, key=lambda t: (t.closed_at, t.id))

    def history(self, ticket_id: str) -> list:
        return [codec.event_from_data(item.data)
                for item in self.m.history.query(ticket_id, consistent_read=True)]

    def open_at_address(self, cause: str, street: str, house: str) -> list:
        # The index is eventually consistent: a ticket closed a second ago may still be
        # offered, which is harmless for a hint.
        found = self._fetch(self.m.tickets.by_address.query(codec.address_key(cause, street, house)))
        return _newest_first(t for t in found if t.is_open)

    def queue(self, query: QueueQuery, limit: int, after: str | None = None,
              descending: bool = False) -> tuple:
        Tickets = self.m.tickets
        beyond = None
        if after is not None:
            beyond = Tickets.due_key < after if descending else Tickets.due_key > after
        condition = self._filter(query)
        # Each state is a partition of the index: take up to one more than asked from
        # each (one more tells whether there is a next page), then merge them in order.
        # pynamodb's `limit` counts items after the filter and reads on until it has
        # them; `page_size` is what one request reads before filtering.
        found = []
        for state in query.states or [s.value for s in State]:
            found += Tickets.queue.query(state, beyond, condition, scan_index_forward=not descending,
                                         limit=limit + 1, page_size=QUEUE_PAGE)
        found.sort(key=lambda item: item.due_key, reverse=descending)
        page = found[:limit]
        fetched = {ticket.id: ticket for ticket in self._fetch(page)}
        tickets = [fetched[entry.id] for entry in page if entry.id in fetched]
        return tickets, page[-1].due_key if len(found) > limit else None

    def count_by_state(self, query: QueueQuery) -> dict:
        condition = self._filter(query)
        counts = {state.value: self.m.tickets.queue.count(state.value, filter_condition=condition)
                  for state in State}
        return {state: count for state, count in counts.items() if count}

    def filed(self, query: FiledQuery, offset: int, limit: int) -> list:
        Tickets = self.m.tickets
        low, high = time_to_text(query.filed_from), time_to_text(query.filed_to)
        if low >= high or limit < 1:
            return []  # DynamoDB refuses a key range whose bounds are the wrong way round
        conditions = []
        if query.causes:
            conditions.append(Tickets.cause.is_in(*query.causes))
        if query.open is not None:
            conditions.append(Tickets.is_open == query.open)
        condition = functools.reduce(operator.and_, conditions) if conditions else None
        # A filed_key is "<filed_at>#<id>": every key of a ticket filed at `high` sorts above it.
        in_range, wanted, entries = Tickets.filed_key.between(low, high), offset + limit, []
        for month in reversed(_months(low[:7], high[:7])):
            if len(entries) >= wanted:
                break
            entries += Tickets.filed.query(month, in_range, condition, scan_index_forward=False,
                                           limit=wanted - len(entries), page_size=QUEUE_PAGE)
        page = entries[offset:wanted]
        fetched = {ticket.id: ticket for ticket in self._fetch(page)}
        # The index lags the table: leave out a ticket that has closed (or reopened) since.
        return [fetched[entry.id] for entry in page
                if entry.id in fetched and query.open in (None, fetched[entry.id].is_open)]

    def changes(self, since: datetime, until: datetime, offset: int, limit: int) -> list:
        History = self.m.history
        low, high = time_to_text(since), time_to_text(until)
        if low >= high or limit < 1:
            return []
        in_range, wanted, entries = History.change_key.between(low, high), offset + limit, []
        for month in _months(low[:7], high[:7]):
            if len(entries) >= wanted:
                break
            entries += History.changes.query(month, in_range, limit=wanted - len(entries))
        keys = [(entry.ticket_id, int(entry.version)) for entry in entries[offset:wanted]]
        events = {(item.ticket_id, int(item.version)): codec.event_from_data(item.data)
                  for item in History.batch_get(keys)} if keys else {}
        tickets = {ticket.id: ticket for ticket in self._by_ids(ticket_id for ticket_id, _ in keys)}
        return [(tickets[key[0]], events[key]) for key in keys if key in events and key[0] in tickets]

    def _filter(self, query: QueueQuery):
        """The filter condition of the queue's filters but `states`; None if there are none."""
        Tickets = self.m.tickets
        conditions = [attribute == value for attribute, value in (
            (Tickets.organisation, query.organisation), (Tickets.topic, query.topic), (Tickets.cause, query.cause),
            (Tickets.street, query.street), (Tickets.overdue, query.overdue), (Tickets.escalated, query.escalated),
        ) if value is not None]
        if query.filed_from is not None:
            conditions.append(Tickets.filed_at >= time_to_text(query.filed_from))
        if query.filed_to is not None:
            conditions.append(Tickets.filed_at < time_to_text(query.filed_to))
        return functools.reduce(operator.and_, conditions) if conditions else None


def _newest_first(tickets) -> list:
    return sorted(tickets, key=lambda t: (t.filed_at, t.id), reverse=True)


class DynamoUsers(UserStore):
    def __init__(self, models: _Models):
        self.m = models

    def create(self, resident: Resident, identities: tuple = ()) -> None:
        Users, Uniques = self.m.users, self.m.uniques
        claims = [_claim(kind, value) for kind, value in ([(PHONE, resident.phone)] if resident.phone else [])
                  + list(identities)]
        try:
            _put_all(self.m, [
                (Users(resident.id, phone=resident.phone, identities=set(claims) or None,
                       data=codec.resident_to_data(resident)), Users.id.does_not_exist()),
                *[(Uniques(claim, owner=resident.id), Uniques.key.does_not_exist()) for claim in claims],
            ])
        except TransactWriteError as error:
            if _refused(error):
                raise AlreadyExists("already_exists", what="user") from error
            raise

    def get(self, user_id: str) -> Resident | None:
        # An anonymised ticket's reporter is "", which DynamoDB takes for no key at all.
        item = _get(self.m.users, user_id) if user_id else None
        return codec.resident_from_data(item.data) if item else None

    def by_identity(self, kind: str, value: str) -> Resident | None:
        claim = _get(self.m.uniques, _claim(kind, value))
        return self.get(claim.owner) if claim else None

    def link(self, user_id: str, kind: str, value: str) -> Resident:
        Users, Uniques = self.m.users, self.m.uniques
        key = _claim(kind, value)
        item = _get(Users, user_id)
        if item is None or item.deleted_at is not None:
            raise NotFound("user_not_found")
        resident = codec.resident_from_data(item.data)
        claim = _get(Uniques, key)
        if claim is not None:
            if claim.owner != user_id:
                raise AlreadyExists("already_exists", what="identity")
            return resident
        actions = [Users.identities.add({key})]
        condition = Users.id.exists() & (Users.phone == resident.phone) & Users.deleted_at.does_not_exist()
        if kind == PHONE and not resident.phone:
            resident = replace(resident, phone=value)
            actions += [Users.phone.set(value), Users.data.set(codec.resident_to_data(resident))]
        try:
            with TransactWrite(connection=self.m.connection) as transaction:
                transaction.save(Uniques(key, owner=user_id), condition=Uniques.key.does_not_exist())
                transaction.update(Users(user_id), actions=actions, condition=condition)
        except TransactWriteError as error:
            if not _refused(error, "TransactionConflict"):
                raise
            # Someone claimed the identity, or the account changed, in between: look again.
            return self.link(user_id, kind, value)
        return resident

    def identities(self, user_id: str) -> list:
        item = _get(self.m.users, user_id)
        return sorted(tuple(claim.split("#", 1)) for claim in (item.identities or ())) if item else []

    def update(self, resident: Resident) -> None:
        Users = self.m.users
        # The phone's uniqueness claim stays valid only while the phone stays the same;
        # an update, not a put, so that the account keeps its `identities`.
        try:
            Users(resident.id).update(actions=[Users.data.set(codec.resident_to_data(resident))],
                                      condition=Users.id.exists() & (Users.phone == resident.phone)
                                      & Users.deleted_at.does_not_exist())
        except UpdateError as error:
            if _refused(error):
                raise NotFound("user_not_found") from error
            raise

    def erase(self, tombstone: Resident) -> None:
        Users, Uniques = self.m.users, self.m.uniques
        item = _get(Users, tombstone.id)
        if item is None:
            raise NotFound("user_not_found")
        if item.deleted_at is not None:
            return
        claims = set(item.identities or ())
        # Conditional on the identities read: one linked in between is freed by the next try.
        held = (Users.identities == claims) if claims else Users.identities.does_not_exist()
        try:
            with TransactWrite(connection=self.m.connection) as transaction:
                transaction.save(Users(tombstone.id, phone="", deleted_at=time_to_text(tombstone.deleted_at),
                                       data=codec.resident_to_data(tombstone)),
                                 condition=held & Users.deleted_at.does_not_exist())
                for claim in claims:
                    transaction.delete(Uniques(claim), condition=Uniques.owner == tombstone.id)
        except TransactWriteError as error:
            if not _refused(error, "TransactionConflict"):
                raise
            self.erase(tombstone)


def _claim(kind: str, value: str) -> str:
    # A kind never holds "#" (provider names are checked), so the first "#" splits it off.
    return f"{kind}#{value}"


class DynamoStaff(StaffStore):
    def __init__(self, models: _Models):
        self.m = models

    def create(self, member: StaffMember) -> None:
        Staff, Uniques = self.m.staff, self.m.uniques
        try:
            _put_all(self.m, [(self._item(member), Staff.id.does_not_exist()),
                              (Uniques(f"username#{member.username}", owner=member.id), Uniques.key.does_not_exist())])
        except TransactWriteError as error:
            if _refused(error):
                raise AlreadyExists("already_exists", what="staff") from error
            raise

    def _item(self, member: StaffMember):
        return self.m.staff(member.id, version=member.version, data=codec.staff_to_data(member))

    def get(self, staff_id: str) -> StaffMember | None:
        item = _get(self.m.staff, staff_id)
        return codec.staff_from_data(item.data) if item else None

    def by_username(self, username: str) -> StaffMember | None:
        claim = _get(self.m.uniques, f"username#{username}")
        return self.get(claim.owner) if claim else None

    def update(self, member: StaffMember, expected_version: int) -> None:
        Staff = self.m.staff
        stored = self.get(member.id)
        if stored is None:
            raise NotFound("staff_not_found", staff=member.id)
        if stored.username != member.username:
            raise ValueError("a staff member's username does not change")
        try:
            self._item(member).save(condition=Staff.version == expected_version)
        except PutError as error:
            if _refused(error):
                raise StaleVersion("stale_version", staff=member.id) from error
            raise

    def all(self) -> list:
        # A city has tens of staff accounts: one scan reads them all.
        return sorted((codec.staff_from_data(item.data) for item in self.m.staff.scan(consistent_read=True)),
                      key=lambda m: (m.username, m.id))


class DynamoOutages(OutageStore):
    def __init__(self, models: _Models):
        self.m = models

    def create(self, outage: Outage) -> None:
        Outages = self.m.outages
        try:
            self._item(outage).save(condition=Outages.id.does_not_exist())
        except PutError as error:
            if _refused(error):
                raise AlreadyExists("already_exists", what="outage") from error
            raise

    def _item(self, outage: Outage):
        data = codec.outage_to_data(outage)
        return self.m.outages(outage.id, state=outage.state, starts_at=data["starts_at"], version=outage.version,
                              data=data)

    def get(self, outage_id: str) -> Outage | None:
        item = _get(self.m.outages, outage_id)
        return codec.outage_from_data(item.data) if item else None

    def update(self, outage: Outage, expected_version: int) -> None:
        Outages = self.m.outages
        try:
            self._item(outage).save(condition=Outages.version == expected_version)
        except PutError as error:
            if not _refused(error):
                raise
            if _get(Outages, outage.id) is None:
                raise NotFound("outage_not_found", outage=outage.id) from error
            raise StaleVersion("stale_version", outage=outage.id) from error

    def active(self) -> list:
        return self._in_state(ACTIVE)

    def all(self, state: str | None = None) -> list:
        outages = [outage for one in ((state,) if state else STATES) for outage in self._in_state(one)]
        return sorted(outages, key=lambda o: (o.starts_at, o.id), reverse=True)

    def _in_state(self, state: str) -> list:
        # A global index is read eventually consistent: a notice published a moment ago
        # may show a moment later, which a page republished every minute absorbs.
        items = self.m.outages.by_state.query(state)
        return sorted((codec.outage_from_data(item.data) for item in items), key=lambda o: (o.starts_at, o.id))


class DynamoOpen311Keys(Open311KeyStore):
    def __init__(self, models: _Models):
        self.m = models

    def create(self, key: Open311Key) -> None:
        Keys, Uniques = self.m.open311_keys, self.m.uniques
        try:
            _put_all(self.m, [(self._item(key), Keys.id.does_not_exist()),
                              (Uniques(_key_claim(key.key_hash), owner=key.id), Uniques.key.does_not_exist())])
        except TransactWriteError as error:
            if _refused(error):
                raise AlreadyExists("already_exists", what="open311_key") from error
            raise

    def _item(self, key: Open311Key):
        return self.m.open311_keys(key.id, key_hash=key.key_hash, data=codec.open311_key_to_data(key))

    def get(self, key_id: str) -> Open311Key | None:
        item = _get(self.m.open311_keys, key_id)
        return codec.open311_key_from_data(item.data) if item else None

    def by_hash(self, key_hash: str) -> Open311Key | None:
        claim = _get(self.m.uniques, _key_claim(key_hash))
        return self.get(claim.owner) if claim else None

    def all(self) -> list:
        # A city gives keys to a few partners: one scan reads them all.
        keys = (codec.open311_key_from_data(item.data) for item in self.m.open311_keys.scan(consistent_read=True))
        return sorted(keys, key=lambda k: (k.created_at, k.id), reverse=True)

    def update(self, key: Open311Key) -> None:
        Keys = self.m.open311_keys
        try:
            self._item(key).save(condition=Keys.key_hash == key.key_hash)
        except PutError as error:
            if _refused(error):
                raise NotFound("open311_key_not_found", key=key.id) from error
            raise


def _key_claim(key_hash: str) -> str:
    return f"open311#{key_hash}"


class DynamoSignInLinks(SignInLinkStore):
    def __init__(self, models: _Models):
        self.m = models

    def put(self, link: SignInLink) -> None:
        self.m.sign_in_links(link.token_hash, data=codec.link_to_data(link), ttl=link.expires_at).save()

    def take(self, token_hash: str) -> SignInLink | None:
        Links = self.m.sign_in_links
        item = _get(Links, token_hash)
        if item is None:
            return None
        try:
            # Of two callers that read the link, only one deletes it: the other's condition fails.
            item.delete(condition=Links.token_hash.exists())
        except DeleteError as error:
            if _refused(error):
                return None
            raise
        return codec.link_from_data(item.data)


class DynamoSessions(SessionStore):
    def __init__(self, models: _Models):
        self.m = models

    def put(self, session: Session) -> None:
        self.m.sessions(session.token_hash, data=codec.session_to_data(session), ttl=session.expires_at).save()

    def get(self, token_hash: str) -> Session | None:
        item = _get(self.m.sessions, token_hash)
        return codec.session_from_data(item.data) if item else None

    def delete(self, token_hash: str) -> None:
        self.m.sessions(token_hash).delete()


class DynamoCodes(CodeStore):
    def __init__(self, models: _Models):
        self.m = models

    def put(self, code: SignInCode) -> None:
        self.m.codes(**codec.code_to_data(code), ttl=code.expires_at).save()

    def get(self, phone: str) -> SignInCode | None:
        item = _get(self.m.codes, phone)
        return codec.code_from_data(_fields(item, "ttl")) if item else None

    def count_wrong_try(self, phone: str, code_hash: str) -> int:
        Codes = self.m.codes
        code = Codes(phone)
        try:
            code.update(actions=[Codes.wrong_tries.add(1)], condition=Codes.code_hash == code_hash)
        except UpdateError as error:
            if _refused(error):
                raise NotFound("code_not_found") from error
            raise
        return code.wrong_tries

    def delete(self, phone: str, code_hash: str) -> bool:
        Codes = self.m.codes
        try:
            Codes(phone).delete(condition=Codes.code_hash == code_hash)
        except DeleteError as error:
            if _refused(error):
                return False
            raise
        return True


class DynamoCounters(CounterStore):
    def __init__(self, models: _Models):
        self.m = models

    def increment(self, key: str, expires_at: datetime, by: int = 1) -> int:
        # The port takes no `now`: a window is named by its end, so a stored counter
        # whose end is earlier than the caller's belongs to a window that has passed,
        # and the count starts again.
        Counters = self.m.counters
        counter, end = Counters(f"count#{key}"), time_to_text(expires_at)
        same_window = Counters.key.does_not_exist() | (Counters.expires_at >= end)
        add = [Counters.value.add(by), Counters.expires_at.set(Counters.expires_at | end),
               Counters.ttl.set(Counters.ttl | expires_at)]
        restart = [Counters.value.set(by), Counters.expires_at.set(end), Counters.ttl.set(expires_at)]
        # Each refusal means another caller moved the window in between; the next try sees it.
        while True:
            for actions, condition in ((add, same_window), (restart, Counters.expires_at < end)):
                try:
                    counter.update(actions=actions, condition=condition)
                    return counter.value
                except UpdateError as error:
                    if not _refused(error):
                        raise

    def count(self, key: str, expires_at: datetime) -> int:
        counter = _get(self.m.counters, f"count#{key}")
        if counter is None or (counter.expires_at or "") < time_to_text(expires_at):
            return 0
        return int(counter.value)

    def next_sequence(self, name: str) -> int:
        Counters = self.m.counters
        sequence = Counters(f"seq#{name}")
        sequence.update(actions=[Counters.value.add(1)])
        return sequence.value


class DynamoStats(StatsStore):
    def __init__(self, models: _Models):
        self.m = models

    def read(self, first_day: str, last_day: str) -> list:
        Stats = self.m.stats
        if first_day > last_day:
            return []  # DynamoDB refuses a key range whose bounds are the wrong way round
        # "#" < "$": every key of the last day sorts below "<last day>$".
        in_range = Stats.key.between(f"{first_day}#", f"{last_day}$")
        records = []
        for month in _months(first_day[:7], last_day[:7]):
            for item in Stats.query(month, in_range, consistent_read=True):
                day, _, name = item.key.partition("#")
                counts = {field: int(value) for field in FIELDS if (value := getattr(item, field)) is not None}
                records.append(DayCounts(day, name, counts))
        return sorted(records, key=lambda r: (r.day, r.group))


def _months(first: str, last: str) -> list:
    """Every 'YYYY-MM' from `first` to `last`, both included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while (found := f"{year:04d}-{month:02d}") <= last:
        months.append(found)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class DynamoIdempotency(IdempotencyStore):
    def __init__(self, models: _Models):
        self.m = models

    def get(self, key: str) -> IdempotencyRecord | None:
        item = _get(self.m.idempotency, key)
        return codec.idempotency_from_data(item.data) if item else None


_ORGANISATION, _CATALOGUE, _REGISTRY = "organisation", "catalogue", "registry"
# A document's item naming its current generation of parts.
_CURRENT = "current"
# The pointer every change of an organisation moves ("organisations", "current").
_ORGANISATION_SET = "organisations"
# DynamoDB refuses items over 400 KB; a city's building registry is larger, so a
# document is stored compressed, in parts.
_PART_BYTES = 300_000


class DynamoDirectory(Directory):
    def __init__(self, models: _Models):
        self.m = models
        # The catalogue and the registry as last read, parsed, by kind: (generation, object).
        # Nearly every request needs them and they seldom change: a read costs the small
        # pointer, and the parts only when the pointer moved (a change, in any container).
        self._parsed = {}

    def organisations(self) -> list:
        # Kept like the documents, behind a pointer every put moves in the same write.
        pointer = _get(self.m.directory, _ORGANISATION_SET, _CURRENT)
        generation = pointer.data["generation"] if pointer is not None else None
        kept = self._parsed.get(_ORGANISATION_SET)
        if generation is not None and kept is not None and kept[0] == generation:
            return list(kept[1])
        found = [Organisation.from_data(item.data)
                 for item in self.m.directory.query(_ORGANISATION, consistent_read=True)]
        if generation is not None:
            self._parsed[_ORGANISATION_SET] = (generation, found)
        return list(found)

    def put_organisation(self, organisation: Organisation) -> None:
        Entries = self.m.directory
        _put_all(self.m, [(Entries(_ORGANISATION, organisation.code, data=organisation.to_data()), None),
                          (Entries(_ORGANISATION_SET, _CURRENT, data={"generation": uuid.uuid4().hex}), None)])

    def catalogue(self) -> Catalogue | None:
        return self._current(_CATALOGUE, Catalogue.from_data)

    def put_catalogue(self, catalogue: Catalogue) -> None:
        self._put_document(_CATALOGUE, catalogue.to_data())

    def registry(self) -> Registry | None:
        return self._current(_REGISTRY, lambda data: Registry.from_data(**data))

    def _current(self, kind: str, parse):
        pointer = _get(self.m.directory, kind, _CURRENT)
        if pointer is None:
            return None
        kept = self._parsed.get(kind)
        if kept is not None and kept[0] == pointer.data["generation"]:
            return kept[1]
        found = self._document(kind)
        if found is None:
            return None
        generation, data = found
        parsed = parse(data)
        self._parsed[kind] = (generation, parsed)
        return parsed

    def put_registry(self, registry: Registry) -> None:
        self._put_document(_REGISTRY, registry.to_data())

    def _put_document(self, kind: str, data) -> None:
        """Write the parts under a new generation, then point at it, then drop the old parts."""
        Entries = self.m.directory
        blob = zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
        generation = uuid.uuid4().hex
        parts = [blob[start:start + _PART_BYTES] for start in range(0, len(blob), _PART_BYTES)]
        with Entries.batch_write() as batch:
            for number, part in enumerate(parts):
                batch.save(Entries(kind, f"{generation}#{number:04d}", part=part))
        previous = _get(Entries, kind, _CURRENT)
        Entries(kind, _CURRENT, data={"generation": generation, "parts": len(parts)}).save()
        if previous is not None:
            with Entries.batch_write() as batch:
                for item in Entries.query(kind, Entries.code.startswith(previous.data["generation"] + "#")):
                    batch.delete(item)

    def _document(self, kind: str):
        """(generation, data) of the document, or None."""
        Entries = self.m.directory
        # A put between reading the pointer and reading its parts deletes those parts:
        # a short read means the document changed, and reading again finds the new one.
        for _ in range(3):
            current = _get(Entries, kind, _CURRENT)
            if current is None:
                return None
            prefix = current.data["generation"] + "#"
            parts = list(Entries.query(kind, Entries.code.startswith(prefix), consistent_read=True))
            if len(parts) == current.data["parts"]:
                return current.data["generation"], json.loads(zlib.decompress(b"".join(item.part for item in parts)))
        raise RuntimeError(f"the {kind} kept changing while it was read")


class DynamoOutbox(OutboxStore):
    def __init__(self, models: _Models):
        self.m = models

    def add(self, messages: list) -> None:
        if not messages:
            return
        try:
            _put_all(self.m, _appended(self.m, [], messages))
        except TransactWriteError as error:
            if _refused(error):
                raise AlreadyExists("already_exists", what="message") from error
            raise

    def get(self, message_id: str) -> OutboxMessage | None:
        item = _get(self.m.outbox, message_id)
        return _message(item) if item else None

    def ready(self, now: datetime, limit: int = 50) -> list:
        Outbox = self.m.outbox
        items = Outbox.ready.query(_SHARD, Outbox.next_attempt_at <= time_to_text(now), limit=limit)
        return sorted(map(_message, items), key=lambda m: (m.next_attempt_at, m.id))

    def claim(self, message_id: str, now: datetime, lease_until: datetime) -> OutboxMessage | None:
        Outbox = self.m.outbox
        message = Outbox(message_id)
        try:
            message.update(
                actions=[Outbox.next_attempt_at.set(time_to_text(lease_until)), Outbox.tries.add(1)],
                condition=(Outbox.status == PENDING) & (Outbox.next_attempt_at <= time_to_text(now)))
        except UpdateError as error:
            if _refused(error):
                return None
            raise
        return _message(message)

    def finish(self, message: OutboxMessage) -> None:
        try:
            # A put of a removed message would write it back, recipient and all.
            _message_item(self.m, message).save(condition=self.m.outbox.id.exists())
        except PutError as error:
            if not _refused(error):
                raise

    def dead(self) -> list:
        items = self.m.outbox.dead.query(_SHARD)
        return sorted(map(_message, items), key=lambda m: (m.created_at, m.id), reverse=True)

    def revive(self, message_id: str, now: datetime) -> OutboxMessage | None:
        Outbox = self.m.outbox
        message = Outbox(message_id)
        try:
            message.update(
                actions=[Outbox.status.set(PENDING), Outbox.next_attempt_at.set(time_to_text(now)),
                         Outbox.tries.set(0), Outbox.ready_shard.set(_SHARD), Outbox.dead_shard.remove()],
                condition=Outbox.status == DEAD)
        except UpdateError as error:
            if _refused(error):
                return None
            raise
        return _message(message)

    def waiting(self, now: datetime) -> int:
        Outbox = self.m.outbox
        return Outbox.ready.count(_SHARD, Outbox.next_attempt_at > time_to_text(now))

    def about(self, ticket_id: str) -> list:
        Outbox = self.m.outbox
        ids = [key.id for key in Outbox.by_ticket.query(ticket_id)]
        found = map(_message, Outbox.batch_get(ids, consistent_read=True)) if ids else ()
        return sorted(found, key=lambda m: (m.created_at, m.id))

    def remove(self, message_ids: list) -> None:
        with self.m.outbox.batch_write() as batch:
            for message_id in message_ids:
                batch.delete(self.m.outbox(message_id))


class DynamoContactViews(ContactViewStore):
    def __init__(self, models: _Models):
        self.m = models

    def add(self, view: ContactView) -> None:
        Views = self.m.contact_views
        try:
            Views(_SHARD, codec.view_key(view), ticket_id=view.ticket_id, data=codec.view_to_data(view)).save(
                condition=Views.key.does_not_exist())
        except PutError as error:
            if _refused(error):
                raise AlreadyExists("already_exists", what="contact_view") from error
            raise

    def recent(self, limit: int, before: str | None = None) -> tuple:
        Views = self.m.contact_views
        older = Views.key < before if before is not None else None
        # One more than asked tells whether there is a next page.
        items = list(Views.query(_SHARD, older, scan_index_forward=False, limit=limit + 1, consistent_read=True))
        views = [codec.view_from_data(item.data) for item in items[:limit]]
        return views, items[limit - 1].key if len(items) > limit else None

    def of_ticket(self, ticket_id: str) -> list:
        Views = self.m.contact_views
        return [codec.view_from_data(item.data)
                for item in Views.by_ticket.query(ticket_id, scan_index_forward=False)]
