"""Fixed-window rate limits kept in the counter store (sign-in codes and links, uploads)."""

import math
from datetime import datetime, timedelta

from ..domain.errors import TooManyRequests


def count_within_limit(deps, key: str, limit: int, now: datetime, message_id: str) -> None:
    """Count one more request in the current clock hour; TooManyRequests (saying
    `message_id`, which names {after}) beyond `limit`."""
    window_end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if deps.storage.counters.increment(key, window_end) > limit:
        raise TooManyRequests(message_id, retry_after=seconds_until(window_end, now),
                              after=window_end.astimezone(deps.city.zone).strftime("%H:%M"))


def seconds_until(at: datetime, now: datetime) -> int:
    """Whole seconds from `now` to `at`, at least one: what a Retry-After header says."""
    return max(1, math.ceil((at - now).total_seconds()))
