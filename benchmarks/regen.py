"""Regenerating the public pages costs days × groups, not tickets.

A SQLite store holds a year of tickets (100 000 for `make bench`) over every cause of
the catalogue, each filed and worked through the real lifecycle (domain.ticket) and
written with its history and its statistics tallies in one write, the way the services
write them; and 500 outage notices, most of them closed. A fixed number of emergency
tickets are in works now (they show on the outage page), whatever the size.

The nightly job's regeneration of every public page (`jobs.nightly.regenerate`) into a
scratch folder is timed (`regen_seconds`, the median of a few runs) and, in a run of its
own, its peak Python memory is taken with tracemalloc (`regen_peak_mb`).

Reads: the same regeneration over a tenth of the tickets, and what each run read from
the store is counted (`regen_reads`): the statistics records, the tickets and the
notices. The records are bounded by the days shown × the groups (topics and
organisations, `regen_read_bound`); the tickets are the ones in works, the same at both sizes.
"""

import statistics
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from chalicelib import bootstrap
from chalicelib.adapters.clock import FixedClock
from chalicelib.adapters.email import RecordingEmail
from chalicelib.adapters.site import LocalSite
from chalicelib.adapters.sms import RecordingSms
from chalicelib.domain import stats
from chalicelib.domain import ticket as lifecycle
from chalicelib.domain.address import route
from chalicelib.domain.outage import ACTIVE, CLOSED, Outage
from chalicelib.domain.ticket import SYSTEM, Actor, Address, Command
from chalicelib.services import reference
from chalicelib.settings import Settings

SIZES = (10_000, 100_000)
NOTICES = 500
ACTIVE_NOTICES = 20
IN_WORKS = 25  # emergency tickets in works now, at every size
WAITING = 40  # filed in the last hours, waiting for their executors to accept them
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=timezone.utc)  # 03:30 in Kyiv: the nightly run
YEAR = timedelta(days=365)
STATS_DAYS, ORGANISATION_DAYS = 13 * 31, 90  # at most what the two pages read


def measure(sizes: tuple = SIZES, notices: int = NOTICES, repeats: int = 3) -> dict:
    from chalicelib.jobs import nightly

    small, large = sizes
    reads, seconds, peak = {}, [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            deps = _deps(Path(tmp), n)
            _fill(deps, n, notices)
            counts = {"stats_records": 0, "tickets": 0, "notices": 0}
            nightly.regenerate(_counted(deps, counts))
            reads[_label(n)] = counts
            if n == large:
                for _ in range(repeats):
                    start = time.perf_counter()
                    nightly.regenerate(replace(deps, site=LocalSite(str(Path(tmp) / f"site-{n}-{len(seconds)}"))))
                    seconds.append(time.perf_counter() - start)
                tracemalloc.start()
                try:
                    nightly.regenerate(replace(deps, site=LocalSite(str(Path(tmp) / f"site-{n}-peak"))))
                    peak = tracemalloc.get_traced_memory()[1] / 2**20
                finally:
                    tracemalloc.stop()
            groups = _groups(deps)
    return {
        "regen_seconds": round(statistics.median(seconds), 3),
        "regen_peak_mb": round(peak, 1),
        "regen_reads": reads,
        "regen_read_bound": {"stats_records": (STATS_DAYS + ORGANISATION_DAYS) * groups,
                             "tickets": IN_WORKS, "notices": ACTIVE_NOTICES if notices else 0},
        "regen_sizes": {"tickets": [small, large], "notices": notices, "repeats": repeats},
    }


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _deps(tmp: Path, n: int):
    from chalicelib.adapters import sqlite

    settings = Settings(db_path=str(tmp / f"regen-{n}.sqlite3"), photo_dir=str(tmp / "photos"),
                        secret="bench", local=False)
    storage = sqlite.open_storage(settings.db_path)
    return bootstrap.build(settings, clock=FixedClock(NOW), sms=RecordingSms(), email=RecordingEmail(),
                           storage=storage, site=LocalSite(str(tmp / f"site-{n}")))


def _groups(deps) -> int:
    ref = reference.load(deps.storage)
    return len(ref.catalogue.topics) + len(deps.storage.directory.organisations())


# --- the data ---------------------------------------------------------------------

def _fill(deps, n: int, notices: int) -> None:
    # Filling, not measured: without a sync to disk on each commit it takes seconds, not minutes.
    conn = deps.storage.tickets.db.connection()
    conn.execute("PRAGMA synchronous = OFF")
    fill(deps, n, notices)
    conn.execute("PRAGMA synchronous = FULL")


def fill(deps, n: int, notices: int) -> None:
    """The year's `n` tickets, the emergencies in works, the tickets waiting to be accepted
    and the notices, through the storage ports (any backend; benchmarks/lambda_memory.py
    fills DynamoDB with it)."""
    ref, zone = reference.load(deps.storage), deps.city.zone
    causes = [cause for cause in ref.catalogue.causes() if cause.sla_class != "emergency"]
    emergencies = [cause for cause in ref.catalogue.causes() if cause.sla_class == "emergency"]
    buildings = ref.registry.buildings
    for i in range(n):
        filed_at = NOW - YEAR + YEAR * (i + 0.5) / n
        ticket, events = _worked(deps, ref.registry, i, causes[i % len(causes)], buildings[i * 7 % len(buildings)],
                                 filed_at)
        deps.storage.tickets.create(ticket, events, tallies=stats.tallies(ticket, events, zone))
    for i in range(IN_WORKS):
        filed_at = NOW - timedelta(minutes=40 + 11 * i)
        ticket, events = _worked(deps, ref.registry, n + i, emergencies[i % len(emergencies)],
                                 buildings[i % len(buildings)], filed_at, in_works=True)
        deps.storage.tickets.create(ticket, events, tallies=stats.tallies(ticket, events, zone))
    for i in range(WAITING):
        filed_at = NOW - timedelta(minutes=15 + 13 * i)
        ticket, events = _worked(deps, ref.registry, n + IN_WORKS + i, causes[i % len(causes)],
                                 buildings[i * 3 % len(buildings)], filed_at)
        deps.storage.tickets.create(ticket, events, tallies=stats.tallies(ticket, events, zone))
    streets = ref.registry.streets
    for i in range(notices):
        starts_at = NOW - YEAR + YEAR * (i + 0.5) / notices
        closed = i < notices - ACTIVE_NOTICES
        addresses = tuple((streets[(i + k) % len(streets)].code, tuple(str(h) for h in range(1, 2 + (i + k) % 6)))
                          for k in range(1 + i % 3))
        deps.storage.outages.create(Outage(
            id=f"outage-{i:05d}", kind=("water", "heating", "electricity")[i % 3], area=f"Area {i}",
            addresses=addresses, reason="Repairs on the main.", starts_at=starts_at,
            expected_end=starts_at + timedelta(hours=6 + i % 30), created_by="bench", created_at=starts_at,
            updated_by="bench", updated_at=starts_at, state=CLOSED if closed else ACTIVE,
            closed_at=starts_at + timedelta(hours=8) if closed else None))


def _worked(deps, registry, i: int, cause, building, filed_at: datetime, in_works: bool = False) -> tuple:
    """Ticket `i` filed at `filed_at` and taken as far through its life as NOW allows;
    only `in_works` tickets are left in works (accepted, not yet done)."""
    policy, resident = deps.city.sla, Actor("resident", f"resident-{i % 5000}")
    organisation = route(cause, building.street, building.house, registry)
    ticket, events = lifecycle.file(
        id=f"ticket-{i:07d}", number=f"{i + 1:07d}", reporter_id=resident.id, channel="web", language="uk",
        topic=cause.topic, cause=cause.code, sla_class=cause.sla_class, organisation=organisation,
        address=Address(building.street, building.house, flat=str(1 + i % 90)), district=building.district,
        description="Bench ticket.", now=filed_at, actor=resident, policy=policy)
    executor = Actor("executor", "bench-executor", organisation)
    hours = ticket.sla_hours
    # (hours after filing, command, actor, data): a first round done in 40 %–200 % of the
    # deadline; then confirmed, refuted and done again, closed by itself, or called back.
    done_after = hours * (0.4 + 0.4 * (i % 5))
    steps = [(0, "route", SYSTEM, {"organisation": organisation}), (0.5, "accept", executor, {})]
    if not in_works:
        steps.append((done_after, "report_done", executor, {}))
        outcome = i % 10
        if outcome == 6:
            steps += [(done_after + 24, "refute", resident, {}), (done_after + 25, "accept", executor, {}),
                      (done_after + 40, "report_done", executor, {}), (done_after + 48, "confirm", resident, {})]
        elif outcome in (7, 8):
            steps.append((done_after + 24 * policy.auto_close_days, "auto_close", SYSTEM, {}))
        elif outcome == 9:
            steps.append((done_after + 20, "callback_satisfied", Actor("operator", "bench-operator"), {}))
        else:
            steps.append((done_after + 12, "confirm", resident, {}))
        if i % 3 == 0:
            steps.append((steps[-1][0] + 1, "rate", resident, {"score": 1 + i % 5}))
    if not in_works and filed_at + timedelta(hours=steps[-1][0]) > NOW:
        # Its story would run past now: left waiting for the executor, not in works.
        steps = steps[:1]
    for after, name, actor, data in steps:
        at = filed_at + timedelta(hours=after)
        if at > NOW:
            break
        ticket, more = lifecycle.apply(ticket, Command(name, actor, data), at, policy)
        events += more
    return ticket, events


# --- counting reads ---------------------------------------------------------------

class _CountingStore:
    """Passes every call through to `store`, adding what each answer holds to `counts[name]`."""

    def __init__(self, store, counts: dict, name: str):
        self._store, self._counts, self._name = store, counts, name

    def __getattr__(self, attribute):
        found = getattr(self._store, attribute)
        if not callable(found):
            return found

        def counted(*args, **kwargs):
            answer = found(*args, **kwargs)
            self._counts[self._name] += _size(answer)
            return answer
        return counted


def _size(answer) -> int:
    if answer is None or isinstance(answer, (int, bool)):
        return 0
    if isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[0], list):
        return len(answer[0])  # a page and its cursor
    if isinstance(answer, (list, tuple, dict)):
        return len(answer)
    return 1


def _counted(deps, counts: dict):
    """`deps` whose statistics, ticket and outage stores add what they answer to `counts`."""
    storage = replace(deps.storage,
                      stats=_CountingStore(deps.storage.stats, counts, "stats_records"),
                      tickets=_CountingStore(deps.storage.tickets, counts, "tickets"),
                      outages=_CountingStore(deps.storage.outages, counts, "notices"))
    return replace(deps, storage=storage)
