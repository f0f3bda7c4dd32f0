"""The scheduled Lambda functions; EventBridge calls them, and each only hands
the job its dependencies."""

import logging

from chalice import Blueprint, Rate

from .. import bootstrap
from . import digest, nightly, tick

log = logging.getLogger(__name__)
blueprint = Blueprint(__name__)


@blueprint.schedule(Rate(1, unit=Rate.MINUTES))
def minute_tick(event):
    log.info("minute tick: %s", tick.minute(bootstrap.deps()))


# EventBridge runs in UTC: hourly, and the job itself acts once a city day, after 03:00.
@blueprint.schedule(Rate(1, unit=Rate.HOURS))
def nightly_regeneration(event):
    log.info("nightly regeneration: %s", nightly.nightly(bootstrap.deps()) or "not due")


# Hourly too: the job acts once a city day, after 08:00.
@blueprint.schedule(Rate(1, unit=Rate.HOURS))
def morning_digest(event):
    log.info("morning digest: %s", digest.morning_digest(bootstrap.deps()) or "not due")
