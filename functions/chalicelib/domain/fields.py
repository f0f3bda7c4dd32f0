"""Checks of the free-text fields people and clients send."""

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
