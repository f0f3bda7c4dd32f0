"""Sign-in codes and sessions; only hashes of secrets are ever stored."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SignInCode:
    phone: str
    code_hash: str
    created_at: datetime
    expires_at: datetime
    wrong_tries: int = 0


@dataclass(frozen=True)
class Session:
    token_hash: str
    user_id: str
    kind: str  # "resident" or "staff"
    created_at: datetime
    expires_at: datetime
