"""A resident's account, the identities that sign in to it, and the masks every
log line and answer shows instead of a phone number or an e-mail address.

An identity is a (kind, value) pair: ("phone", E.164), ("email", the lowercased
address) or ("oidc:<provider>", the provider's subject). Each belongs to at most
one account; one account may hold several.

A deleted account leaves a tombstone: its id (which its tickets' history may still
name, and which its sessions point at), its language and its times; nothing personal,
and no identity, so the same phone or address signs up afresh.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Resident:
    id: str
    phone: str  # E.164, where SMS go; "" for an account signed in only otherwise
    language: str
    created_at: datetime
    name: str = ""
    email: str = ""
    status_sms: bool = True
    deleted_at: datetime | None = None  # set on a deleted account's tombstone

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


def tombstone(resident: Resident, now: datetime) -> Resident:
    """What is kept of the account once it is deleted."""
    return Resident(id=resident.id, phone="", language=resident.language, created_at=resident.created_at,
                    status_sms=False, deleted_at=now)


def mask_phone(phone: str) -> str:
    """'+380501234567' -> '+380*****4567': the form every log line uses."""
    if len(phone) <= 8:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 8) + phone[-4:]


PHONE, EMAIL = "phone", "email"
OIDC_PREFIX = "oidc:"


def oidc_kind(provider: str) -> str:
    return OIDC_PREFIX + provider


def mask_email(address: str) -> str:
    """'jane@example.org' -> 'j***@example.org'."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_identity(kind: str, value: str) -> str:
    """What an answer may show of an identity; nothing of a provider's subject,
    which names the person at that provider."""
    if kind == PHONE:
        return mask_phone(value)
    if kind == EMAIL:
        return mask_email(value)
    return ""
