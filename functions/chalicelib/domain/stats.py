"""Daily statistics counters: what each transition adds to the public statistics.

The statistics pages never read tickets. Each transition that counts adds to one small
record per city day and group (a topic, an organisation), in the same atomic write as the
ticket itself, so the nightly job reads days × groups, however many tickets there are.

A record's counts, by field:
- filed: tickets filed;
- done, met: work reported done, and of it done by the deadline then in force;
- closed, and one close-time band (CLOSE_BANDS) per closed ticket: how long from filing;
- confirmed, refuted, auto_closed: what came of reported work (the resident, or the
  operator's call-back, confirmed or refuted it; or nobody answered and it closed itself);
- rated, rating_sum: ratings given and their sum.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

TOPIC, ORGANISATION = "topic", "org"
FILED, DONE, MET, CLOSED = "filed", "done", "met", "closed"
CONFIRMED, REFUTED, AUTO_CLOSED = "confirmed", "refuted", "auto_closed"
RATED, RATING_SUM = "rated", "rating_sum"
# Close-time bands, by their upper bound in hours; a ticket closed after the last bound
# counts in LONGER. Fine where most tickets close, coarse beyond a month.
CLOSE_BANDS = (1, 2, 4, 6, 8, 12, 18, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720)
LONGER = "close_more"
BAND_FIELDS = tuple(f"close_{hours}h" for hours in CLOSE_BANDS) + (LONGER,)
FIELDS = (FILED, DONE, MET, CLOSED, CONFIRMED, REFUTED, AUTO_CLOSED, RATED, RATING_SUM) + BAND_FIELDS

_OUTCOMES = {"confirm": CONFIRMED, "callback_satisfied": CONFIRMED, "refute": REFUTED,
             "callback_unsatisfied": REFUTED, "auto_close": AUTO_CLOSED}


@dataclass(frozen=True)
class Tally:
    """What one write adds to one day's record of one group."""

    day: str  # the city's date, 'YYYY-MM-DD'
    group: str  # 'topic:<code>' or 'org:<code>'
    counts: tuple  # ((field, how many), ...), by field name; every field in FIELDS


@dataclass(frozen=True)
class DayCounts:
    """One day's record of one group, as stored: every field of FIELDS it has counted."""

    day: str
    group: str
    counts: dict


def group(kind: str, code: str) -> str:
    return f"{kind}:{code}"


def split_group(name: str) -> tuple:
    """('topic' or 'org', code)."""
    kind, _, code = name.partition(":")
    return kind, code


def city_day(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).date().isoformat()


def close_band(elapsed: timedelta) -> str:
    hours = elapsed / timedelta(hours=1)
    for bound, name in zip(CLOSE_BANDS, BAND_FIELDS):
        if hours <= bound:
            return name
    return LONGER


def tallies(ticket, events: list, zone: ZoneInfo) -> list:
    """What the write of `ticket` (as it is after `events`) adds to the statistics:
    one Tally per day and group touched, both the ticket's topic and its organisation
    (as they are after the events). Events that do not count add nothing."""
    added = {}

    def add(at: datetime, field: str, by: int = 1) -> None:
        day = city_day(at, zone)
        for name in (group(TOPIC, ticket.topic), group(ORGANISATION, ticket.organisation)):
            counts = added.setdefault((day, name), {})
            counts[field] = counts.get(field, 0) + by

    for event in events:
        if event.command == "file":
            add(event.at, FILED)
        elif event.command == "report_done":
            add(event.at, DONE)
            if ticket.deadline_met:
                add(event.at, MET)
        elif event.command == "rate" and ticket.rating is not None:
            add(event.at, RATED)
            add(event.at, RATING_SUM, ticket.rating)
        if event.command in _OUTCOMES:
            add(event.at, _OUTCOMES[event.command])
        if event.to_state == "closed" and event.from_state != "closed":
            add(event.at, CLOSED)
            add(event.at, close_band(event.at - ticket.filed_at))
    return [Tally(day, name, tuple(sorted(counts.items()))) for (day, name), counts in sorted(added.items())]


def days(first: date, last: date) -> list:
    """Every date from `first` to `last`, both included, as 'YYYY-MM-DD'."""
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def median_close_hours(bands: dict) -> float | None:
    """The median time to close, in hours, from close-time band counts ({band field: n}):
    the band holding the middle ticket, interpolated linearly inside it (LONGER counts
    as its lower bound). None when nothing closed."""
    total = sum(bands.get(name, 0) for name in BAND_FIELDS)
    if not total:
        return None
    middle, seen, lower = total / 2, 0, 0.0
    for bound, name in zip(CLOSE_BANDS + (None,), BAND_FIELDS):
        n = bands.get(name, 0)
        if n and seen + n >= middle:
            if bound is None:
                return float(lower)
            return lower + (bound - lower) * (middle - seen) / n
        seen += n
        lower = float(bound) if bound is not None else lower
    return float(lower)
