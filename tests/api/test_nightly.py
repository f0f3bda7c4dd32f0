"""The nightly regeneration: once a city day, at the first hourly call at or after
03:00 in Kyiv, right across the daylight-saving changes; a failed run is left to the
next call; one publish holds every generated page and data file."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.site import RecordingSite
from chalicelib.jobs import nightly
from chalicelib.services import public_pages, stats_pages
from tests.builders import make_outage, store_ticket

LANGUAGES = ("uk", "ru", "en")
PAGES = ("outages", "stats", "organisations")
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "json": "application/json", "atom": "application/atom+xml",
                 "csv": "text/csv; charset=utf-8"}


class FailingOnceSite(RecordingSite):
    """The site store refuses the first batch, as S3 might on a bad night."""

    def publish(self, files: dict) -> list:
        if not self.batches:
            self.batches.append(None)
            raise ConnectionError("the site bucket did not answer")
        return super().publish(files)


@pytest.fixture
def site():
    return RecordingSite()


@pytest.fixture
def deps(settings, clock, sms, email, site):
    return replace(bootstrap.build(settings, clock=clock, sms=sms, email=email), site=site)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def hourly(deps, clock, first: datetime, hours: int) -> list:
    """Calls the job every hour on the hour, as the UTC schedule does; the city times at which it acted."""
    acted = []
    for hour in range(hours):
        clock.set(first + timedelta(hours=hour))
        if nightly.nightly(deps) is not None:
            acted.append(clock.now().astimezone(deps.city.zone).strftime("%Y-%m-%d %H:%M %Z"))
    return acted


def test_the_city_is_on_kyiv_time(deps):
    assert deps.city.timezone == "Europe/Kyiv"


def test_nothing_is_regenerated_before_three_in_the_morning_city_time(deps, clock, site):
    for minutes in (0, 60, 179):  # 00:00, 01:00 and 02:59 in Kyiv, two hours ahead of UTC in November
        clock.set(utc(2026, 11, 23, 22, 0) + timedelta(minutes=minutes))
        assert nightly.nightly(deps) is None
    assert site.batches == []


def test_the_first_call_at_or_after_three_regenerates_and_the_rest_of_that_day_do_nothing(deps, clock, site):
    clock.set(utc(2026, 11, 24, 1, 0))  # 03:00 in Kyiv

    done = nightly.nightly(deps)

    assert done == {"day": "2026-11-24", "changed": len(site.batches[0]), "anonymised": 0}
    for later in (utc(2026, 11, 24, 1, 30), utc(2026, 11, 24, 2, 0), utc(2026, 11, 24, 21, 59)):
        clock.set(later)
        assert nightly.nightly(deps) is None
    assert len(site.batches) == 1


def test_a_first_call_later_in_the_day_still_regenerates(deps, clock, site):
    clock.set(utc(2026, 11, 24, 9, 17))

    assert nightly.nightly(deps)["day"] == "2026-11-24"
    assert len(site.batches) == 1


def test_each_city_day_is_regenerated_once_by_the_hourly_schedule(deps, clock):
    acted = hourly(deps, clock, utc(2026, 11, 23, 0, 0), 24 * 3)

    assert acted == ["2026-11-23 03:00 EET", "2026-11-24 03:00 EET", "2026-11-25 03:00 EET"]


def test_on_the_spring_forward_day_the_first_call_after_the_missing_three_oclock_acts(deps, clock):
    # 28 March 2027: at 03:00 EET the clocks go to 04:00 EEST.
    acted = hourly(deps, clock, utc(2027, 3, 26, 22, 0), 24 * 3)

    assert acted == ["2027-03-27 03:00 EET", "2027-03-28 04:00 EEST", "2027-03-29 03:00 EEST"]


def test_on_the_fall_back_day_three_oclock_comes_twice_and_only_the_first_acts(deps, clock):
    # 25 October 2026: at 04:00 EEST the clocks go back to 03:00 EET.
    acted = hourly(deps, clock, utc(2026, 10, 23, 21, 0), 24 * 3)

    assert acted == ["2026-10-24 03:00 EEST", "2026-10-25 03:00 EEST", "2026-10-26 03:00 EET"]


def test_a_failed_regeneration_is_tried_again_by_the_next_call_and_then_that_day_is_done(deps, clock):
    deps = replace(deps, site=FailingOnceSite())
    clock.set(utc(2026, 11, 24, 1, 0))
    with pytest.raises(ConnectionError):
        nightly.nightly(deps)

    clock.set(utc(2026, 11, 24, 2, 0))
    assert nightly.nightly(deps)["day"] == "2026-11-24"

    clock.set(utc(2026, 11, 24, 3, 0))
    assert nightly.nightly(deps) is None
    assert len(deps.site.batches) == 2


def test_regeneration_publishes_every_generated_page_and_data_file_in_one_batch(deps, site):
    deps.storage.outages.create(make_outage())
    store_ticket(deps.storage, cause="water.main-burst", sla_class="emergency")

    changed = nightly.regenerate(deps)

    assert len(site.batches) == 1
    published = site.batches[0]
    assert changed == sorted(published)
    assert set(published) == {*public_pages.outage_files(deps), *stats_pages.stats_files(deps),
                              *stats_pages.organisation_files(deps)}
    assert {f"{lang}/{name}/index.html" for lang in LANGUAGES for name in PAGES} <= set(published)
    assert {"outages.json", "outages.atom", "outages-summary.json"} <= set(published)
    assert [path for path in published if path.startswith("stats/") and path.endswith(".csv")] != []
    assert {path: kind for path, (_, kind) in published.items()
            if kind != CONTENT_TYPES[path.rsplit(".", 1)[1]]} == {}


def test_the_hourly_schedule_regenerates_the_site_when_the_night_comes_and_not_before(client, clock, site):
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=["arn:aws:events:eu-central-1:123456789012:rule/nightly"])
    clock.set(utc(2026, 11, 24, 0, 0))  # 02:00 in Kyiv
    client.lambda_.invoke("nightly_regeneration", event)
    assert site.batches == []

    clock.set(utc(2026, 11, 24, 1, 0))
    client.lambda_.invoke("nightly_regeneration", event)

    assert {f"{lang}/{name}/index.html" for lang in LANGUAGES for name in PAGES} <= set(site.batches[0])
