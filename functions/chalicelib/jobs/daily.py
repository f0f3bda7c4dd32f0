"""Once a city day, from an hour of the city's clock: the mechanism of the jobs
EventBridge calls hourly (its rules run in UTC, and the city's hours move with
daylight saving).

A job acts at the first call at or after its hour, city time. On the spring-forward
day an hour the clocks skip gives way to the next call; on the fall-back day an hour
that comes twice acts only the first time. The day is marked done only after the job
returned, so a run that fails is tried again by the next hourly call.
"""

from datetime import date, datetime, time, timedelta, timezone

# The counter of a day outlives the day: a late call that day still finds it.
KEEP_DAYS = 2


def once_a_city_day(deps, name: str, hour: int, job) -> dict | None:
    """`job(day)` once per city day from `hour` city time: {"day": ..., **what it
    returned}; None when it is not due (then the call costs one counter read)."""
    zone = deps.city.zone
    local = deps.clock.now().astimezone(zone)
    if local.hour < hour:
        return None
    day, counters = local.date(), deps.storage.counters
    key, window = f"{name}-done:{day.isoformat()}", _window_end(day, zone)
    if counters.count(key, window):
        return None
    done = job(day)
    counters.increment(key, window)
    return {"day": day.isoformat(), **done}


def _window_end(day: date, zone) -> datetime:
    # Named by the day alone, so every call that day counts in the same window.
    return datetime.combine(day + timedelta(days=KEEP_DAYS), time(), zone).astimezone(timezone.utc)
