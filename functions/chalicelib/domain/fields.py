"""Checks of the free-text fields and times people and clients send, and of the paging
parameters of a list (how many a page, the cursor of the next)."""

from datetime import datetime, timezone, tzinfo

from .errors import InvalidInput

# "2026-11-23T08:00:00.123456+05:00" is 32 characters: longer is no time worth parsing.
MAX_TIME = 40


def text(value, field: str, *, required: bool, limit: int) -> str:
    """The value stripped; InvalidInput naming `field` if it is not text, is
    missing while required, or is longer than `limit` characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("must_be_text", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput("required", field=field)
    if len(value) > limit:
        raise InvalidInput("too_long", field=field, limit=limit)
    return value


def time(value, field: str, *, local_zone: tzinfo | None = None, message: str = "must_be_time") -> datetime:
    """An ISO 8601 time, in UTC. One without an offset is in `local_zone`, or refused
    without one (it would be read in whichever zone the server runs in). InvalidInput
    (`message`) naming `field` if it is none, or falls outside the years 1 to 9999 in UTC
    ("0001-01-01T00:00+05:00")."""
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= MAX_TIME else None
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=local_zone) if local_zone else None
        at = at.astimezone(timezone.utc) if at is not None else None
    except (ValueError, OverflowError):
        at = None
    if at is None:
        raise InvalidInput(message, field=field)
    return at


def page_size(raw: str, *, default: int, maximum: int) -> int:
    """The query parameter `limit`: a whole number from 1 to `maximum`, `default` if empty."""
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise InvalidInput("must_be_whole_number_between", field="limit", min=1, max=maximum)
    return int(raw)


def cursor(raw: str, *, limit: int) -> str | None:
    """The query parameter `after`: the cursor a list's page gave; None if empty.
    Whether it names anything is the list's business: an unknown one starts nowhere."""
    if len(raw) > limit:
        raise InvalidInput("bad_cursor", field="after")
    return raw or None
