"""The nightly regeneration of every public page the system writes: emergency works
now, statistics and who does what, in each language, with their data files.

EventBridge rules run in UTC, so the schedule is hourly and the job acts once a city
day, at the first call at or after 03:00 city time. On the spring-forward day 03:00
does not exist and the 04:00 call acts; on the fall-back day 03:00 comes twice and
only the first acts. The day is marked done only after the pages are published, so
a run that fails is tried again by the next hourly call.
"""

from datetime import date, datetime, time, timedelta, timezone

from ..services import public_pages, stats_pages

NIGHTLY_HOUR = 3
DONE = "nightly-done"
# The counter of a day outlives the day: a late call that day still finds it.
KEEP_DAYS = 2


def regenerate(deps) -> list:
    """Every generated file in one publish, so one invalidation; the paths that changed."""
    return deps.site.publish({**public_pages.outage_files(deps), **stats_pages.stats_files(deps),
                              **stats_pages.organisation_files(deps)})


def nightly(deps) -> dict | None:
    """Regenerate once per city day, from 03:00 city time; what it did, or None when not due."""
    zone = deps.city.zone
    local = deps.clock.now().astimezone(zone)
    if local.hour < NIGHTLY_HOUR:
        return None
    day, counters = local.date(), deps.storage.counters
    key, window = f"{DONE}:{day.isoformat()}", _window_end(day, zone)
    if counters.increment(key, window, by=0):
        return None
    changed = regenerate(deps)
    counters.increment(key, window)
    return {"day": day.isoformat(), "changed": len(changed)}


def _window_end(day: date, zone) -> datetime:
    # Named by the day alone, so every call that day counts in the same window.
    return datetime.combine(day + timedelta(days=KEEP_DAYS), time(), zone).astimezone(timezone.utc)
