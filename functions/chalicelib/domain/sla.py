"""Deadline arithmetic: pure functions of the time, the class and the policy."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

CLASSES = ("emergency", "short", "medium", "long")
DEFAULT_HOURS = {"emergency": 6, "short": 24, "medium": 72, "long": 168}


@dataclass(frozen=True)
class SlaPolicy:
    hours: dict = field(default_factory=lambda: dict(DEFAULT_HOURS))
    reminder_fraction: float = 0.75
    auto_close_days: int = 5

    def __post_init__(self):
        missing = [c for c in CLASSES if c not in self.hours]
        if missing:
            raise ValueError(f"SLA hours missing for {missing}")
        if any(int(self.hours[c]) <= 0 for c in CLASSES):
            raise ValueError("SLA hours must be positive")
        if not 0 < self.reminder_fraction < 1:
            raise ValueError("reminder_fraction must be between 0 and 1")

    def hours_for(self, sla_class: str) -> int:
        return int(self.hours[sla_class])

    def second_round_hours(self, sla_hours: int) -> int:
        """The second round is urgent: the shorter of the ticket's class and `short`."""
        return min(sla_hours, self.hours_for("short"))


def due_at(start: datetime, hours: int) -> datetime:
    # Elapsed hours, so counted in UTC: Python adds to a zoned time on its wall clock,
    # an hour off across a daylight-saving change.
    return start.astimezone(timezone.utc) + timedelta(hours=hours)


def reminder_at(start: datetime, due: datetime, fraction: float) -> datetime:
    return start + (due - start) * fraction
