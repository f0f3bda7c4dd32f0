"""The nightly regeneration of every public page the system writes: emergency works
now, statistics and who does what, in each language, with their data files; then the
anonymisation of the tickets final for longer than the retention period
(services.privacy), which needs no function of its own.

The schedule is hourly and the job acts once a city day, at the first call at or
after 03:00 city time (jobs/daily.py). On the spring-forward day 03:00 does not exist
and the 04:00 call acts; on the fall-back day 03:00 comes twice and only the first
acts. A run that fails is tried again by the next hourly call.
"""

from ..services import privacy, public_pages, stats_pages
from .daily import once_a_city_day

NIGHTLY_HOUR = 3


def regenerate(deps) -> list:
    """Every generated file in one publish, so one invalidation; the paths that changed."""
    return deps.site.publish({**public_pages.outage_files(deps), **stats_pages.stats_files(deps),
                              **stats_pages.organisation_files(deps)})


def nightly(deps) -> dict | None:
    """Regenerate, then anonymise, once per city day from 03:00 city time; what it did, or
    None when not due. The pages go first: an anonymisation that fails leaves the day
    undone, and the next hourly call tries both again (unchanged pages are not rewritten)."""
    return once_a_city_day(deps, "nightly", NIGHTLY_HOUR, lambda day: {
        "changed": len(regenerate(deps)), "anonymised": privacy.anonymise_due(deps)})
