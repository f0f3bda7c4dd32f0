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
class SignInLink:
    """An e-mail sign-in link waiting to be opened; `token_hash` is the hash of its token."""

    token_hash: str
    email: str  # lowercased
    lang: str  # of the request: a new account reads this language
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Session:
    token_hash: str
    user_id: str
    kind: str  # "resident" or "staff"
    created_at: datetime
    expires_at: datetime
