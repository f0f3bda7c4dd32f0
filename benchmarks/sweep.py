"""The deadline sweep costs what is due, not what is stored.

SQLite: a sweep over many open tickets of which DUE are due, timed against one over
few with as many due, in one run (`sweep_ratio`); the two stores take turns, each
turn with DUE freshly due tickets, and the medians are compared.

DynamoDB under moto: moto answers an index query by looking at every item of the
table, so its query time grows with the table whatever the index; what DynamoDB
bills and what grows in production is the items a query reads. So the figure is
those: the `ScannedCount` of the sweep's queries on the tickets table
(`sweep_items_read`), and the tickets it then fetches by key (`sweep_items_fetched`),
counted from the answers botocore parses.
"""

import statistics
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from chalicelib import bootstrap
from chalicelib.adapters.clock import FixedClock
from chalicelib.adapters.email import RecordingEmail
from chalicelib.adapters.sms import RecordingSms
from chalicelib.domain.ticket import Actor, Address, file
from chalicelib.services import deadlines
from chalicelib.settings import Settings
from tools.fake_aws import REGION, fake_aws

DUE = 10
SIZES = (1_000, 100_000)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def measure(sizes: tuple = SIZES, repeats: int = 7) -> dict:
    small, large = sizes
    with tempfile.TemporaryDirectory() as tmp:
        timings = _sqlite_timings(Path(tmp), sizes, repeats)
    reads = {f"dynamodb_{_label(n)}": _dynamodb_reads(n) for n in sizes}
    medians = {n: statistics.median(seconds) for n, seconds in timings.items()}
    return {
        "sweep_ratio": round(medians[large] / medians[small], 3),
        "sweep_ms": {f"sqlite_{_label(n)}": round(medians[n] * 1000, 1) for n in sizes} | {"repeats": repeats,
                                                                                           "due": DUE},
        "sweep_items_read": {name: read for name, (read, _) in reads.items()},
        "sweep_items_fetched": {name: fetched for name, (_, fetched) in reads.items()},
    }


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# --- the tickets ------------------------------------------------------------------

_TEMPLATE, _ = file(
    id="template", number="0", reporter_id="resident-1", channel="web", language="uk", topic="water",
    cause="water.low-pressure", sla_class="short", organisation="dniprovodokanal",
    address=Address("yavornytskoho-ave", "8"), district="tsentralnyi",
    description="Weak cold water pressure on the upper floors since Friday.", now=NOW,
    actor=Actor("resident", "resident-1"))


def _ticket(serial: int, filed_at: datetime):
    """An open ticket, filed at `filed_at`: its reminder 18 hours on (the `short` class)."""
    reminder = _TEMPLATE.next_due_at - NOW
    return replace(_TEMPLATE, id=f"ticket-{serial:07d}", number=f"{serial:07d}", filed_at=filed_at,
                   updated_at=filed_at, due_at=filed_at + timedelta(hours=_TEMPLATE.sla_hours),
                   next_due_at=filed_at + reminder)


def _waiting(start: int, count: int) -> list:
    """Tickets whose reminders are still ahead of NOW, spread over the last 17 hours' filings."""
    return [_ticket(start + n, NOW - timedelta(seconds=(n * 61) % (17 * 3600))) for n in range(count)]


def _due(start: int) -> list:
    """DUE tickets whose reminders fell due in the last minutes before NOW."""
    return [_ticket(start + n, NOW - timedelta(hours=18, minutes=n + 1)) for n in range(DUE)]


def _deps(storage):
    # The storage is given: the settings' paths are never opened, but keep them out of the tree.
    scratch = Path(tempfile.gettempdir()) / "citydesk-bench-sweep"
    settings = Settings(db_path=str(scratch / "unused.sqlite3"), photo_dir=str(scratch / "photos"),
                        secret="bench", local=False)
    return bootstrap.build(settings, clock=FixedClock(NOW), sms=RecordingSms(), email=RecordingEmail(),
                           storage=storage)


# --- SQLite: time -----------------------------------------------------------------

def _sqlite_timings(tmp: Path, sizes: tuple, repeats: int) -> dict:
    from chalicelib.adapters import sqlite

    stores = {}
    for n in sizes:
        storage = sqlite.open_storage(str(tmp / f"sweep-{n}.sqlite3"))
        _fill_sqlite(storage, _waiting(0, n - DUE))
        stores[n] = _deps(storage)
    timings = {n: [] for n in sizes}
    serial = 10_000_000
    # One untimed turn each first (caches, the directory's first read), then turns alternate
    # between the sizes, so a noisy neighbour slows both alike.
    for turn in range(repeats + 1):
        for n, deps in stores.items():
            _fill_sqlite(deps.storage, _due(serial))
            serial += DUE
            start = time.perf_counter()
            outcome = deadlines.sweep(deps)
            elapsed = time.perf_counter() - start
            if outcome != {"acted": DUE}:
                raise AssertionError(f"the sweep over {n} tickets did {outcome}, not {DUE} reminders")
            if turn:
                timings[n].append(elapsed)
    return timings


def _fill_sqlite(storage, tickets: list) -> None:
    # Filling, not measured: without a sync to disk on each commit it takes seconds, not minutes.
    storage.tickets.db.connection().execute("PRAGMA synchronous = OFF")
    for ticket in tickets:
        storage.tickets.create(ticket, [])
    storage.tickets.db.connection().execute("PRAGMA synchronous = FULL")


# --- DynamoDB under moto: items read ---------------------------------------------

def _dynamodb_reads(n: int) -> tuple:
    """(items the sweep's queries on the tickets table read, tickets it fetched by key)."""
    with fake_aws():
        from chalicelib.adapters import dynamodb

        prefix = f"bench-sweep-{n}-"
        dynamodb.create_tables(prefix, REGION)
        storage = dynamodb.open_storage(prefix, REGION)
        models = dynamodb._models(prefix, REGION, None)
        with models.tickets.batch_write() as batch:
            for ticket in _waiting(0, n - DUE):
                batch.save(storage.tickets._item(ticket))
        for ticket in _due(n):
            storage.tickets.create(ticket, [])
        deps = _deps(storage)
        with _reads(models.connection.client, prefix + "tickets") as counted:
            outcome = deadlines.sweep(deps)
        if outcome != {"acted": DUE}:
            raise AssertionError(f"the sweep over {n} items did {outcome}, not {DUE} reminders")
        return counted["Query"], counted["BatchGetItem"]


@contextmanager
def _reads(client, table: str):
    """Items read from `table` inside the block, by operation: a query's ScannedCount
    (what it read before any filter), a batch read's items."""
    counted = Counter()

    def note_table(params, context, **_):
        context["bench_table"] = params.get("TableName")

    def count(parsed, model, context, **_):
        if model.name == "Query" and context.get("bench_table") == table:
            counted["Query"] += parsed.get("ScannedCount", 0)
        elif model.name == "BatchGetItem":
            counted["BatchGetItem"] += len(parsed.get("Responses", {}).get(table, ()))

    events = client.meta.events
    events.register("provide-client-params.dynamodb.Query", note_table)
    events.register("after-call.dynamodb", count)
    try:
        yield counted
    finally:
        events.unregister("provide-client-params.dynamodb.Query", note_table)
        events.unregister("after-call.dynamodb", count)
