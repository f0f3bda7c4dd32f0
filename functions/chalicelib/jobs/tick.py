"""The minute tick: what runs every minute, on AWS through the schedule in
`jobs/schedule.py` and locally in the server's thread alike."""

from ..services import deadlines, outbox, public_pages


def minute(deps) -> dict:
    """Run the minute's jobs; what each did, for the log (the sweep and the outage page only when they acted)."""
    # The sweep goes first, so that the notices it queues go out in the same minute.
    swept = deadlines.sweep(deps)
    republished = public_pages.republish_outages_if_changed(deps)
    return {**({"deadlines": swept} if swept else {}), "outbox": outbox.dispatch_ready(deps),
            **({"outage_page": republished} if republished is not None else {})}
