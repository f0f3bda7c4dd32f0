"""Open311 API keys: what lets a partner's system file tickets through the Open311 API.

The key itself is shown once, when an admin makes it; only a keyed hash of it is
kept (services.open311_keys makes and checks it), so a copy of the database
files nothing. A key is revoked, never deleted: tickets it filed still name it.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Open311Key:
    id: str
    name: str  # whose system it is, for the admin
    key_hash: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
