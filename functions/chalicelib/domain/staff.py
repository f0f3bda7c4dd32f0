"""Staff accounts: operators, executors, inspectors and admins of the contact centre.

A staff member signs in with a username and a password (and, if they turned it
on, a TOTP code) on the staff page. Only an argon2id hash of the password is
kept (services.staff makes and checks it: the hashing library is no part of the
domain).
"""

from dataclasses import dataclass
from datetime import datetime

from .ticket import Actor

ROLES = ("operator", "executor", "inspector", "admin")
# Wrong passwords in a row that lock the account, and for how long.
LOCK_AFTER = 10
LOCK_MINUTES = 15


@dataclass(frozen=True)
class StaffMember:
    id: str
    username: str  # lowercased; unique
    role: str  # one of ROLES
    name: str  # shown in ticket histories
    password_hash: str  # argon2id, encoded with its parameters
    created_at: datetime
    organisation: str | None = None  # an executor's organisation; None for the other roles
    totp_secret: str = ""  # base32; "" while TOTP is off
    totp_step: int = 0  # the step of the last code that signed in: a code works once
    failed_logins: int = 0  # wrong passwords since the last sign-in or lock
    locked_until: datetime | None = None
    active: bool = True  # an admin switches an account off instead of deleting it: histories name it
    # Sessions opened before this are void: set when the password changes or the
    # account is switched off, so that a session stolen before then ends too.
    sessions_after: datetime | None = None
    version: int = 1

    @property
    def actor(self) -> Actor:
        return Actor(self.role, self.id, self.organisation)

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until
