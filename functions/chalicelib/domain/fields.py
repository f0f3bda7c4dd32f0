"""Checks of the free-text fields people and clients send, and of the paging
parameters of a list (how many a page, the cursor of the next)."""

from .errors import InvalidInput


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
