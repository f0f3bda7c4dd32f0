"""Clocks: the system's, and a fixed one tests move by hand."""

from datetime import datetime, timedelta, timezone

from ..services.ports import Clock


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock(Clock):
    """Stands still until a test sets or advances it."""

    def __init__(self, at: datetime):
        self.set(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self._at = at.astimezone(timezone.utc)

    def advance(self, by: timedelta) -> datetime:
        self._at += by
        return self._at
