"""Errors the domain and the services raise; the API maps each to one HTTP status."""


class DomainError(Exception):
    """Base of every error a caller can be told about.

    ``code`` is a stable machine-readable word; ``message_id`` is the catalogue
    key of the human message; ``params`` fill its placeholders.
    """

    code = "domain_error"

    def __init__(self, message_id: str = "", **params):
        super().__init__(message_id or self.code)
        self.message_id = message_id or self.code
        self.params = params


class InvalidInput(DomainError):
    """The request is well-formed but a field is wrong (422)."""

    code = "invalid_input"

    def __init__(self, message_id: str = "", field: str = "", **params):
        super().__init__(message_id, field=field, **params)
        self.field = field


class IllegalTransition(DomainError):
    """The command is not allowed in the ticket's current state (409)."""

    code = "illegal_transition"


class StaleVersion(DomainError):
    """The ticket changed since the caller read it (409)."""

    code = "stale_version"


class AlreadyExists(DomainError):
    """A uniqueness condition refused the write (409)."""

    code = "already_exists"


class NotFound(DomainError):
    code = "not_found"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class TooManyRequests(DomainError):
    code = "too_many_requests"

    def __init__(self, message_id: str = "", retry_after: int | None = None, **params):
        super().__init__(message_id, **params)
        # Whole seconds until the caller may try again, where the limit knows it (the Retry-After header).
        self.retry_after = retry_after
