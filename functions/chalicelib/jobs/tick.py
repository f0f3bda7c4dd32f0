"""The minute tick: what runs every minute, on AWS through the schedule in
`jobs/schedule.py` and locally in the server's thread alike."""

from ..services import outbox


def minute(deps) -> dict:
    """Run the minute's jobs; what each did, for the log."""
    # The deadline sweep (reminders, overdue, auto-close) joins here in its own issue.
    return {"outbox": outbox.dispatch_ready(deps)}
