"""A resident's account: signed in by phone, with the language they read."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Resident:
    id: str
    phone: str  # E.164
    language: str
    created_at: datetime
    name: str = ""
    email: str = ""
    status_sms: bool = True


def mask_phone(phone: str) -> str:
    """'+380501234567' -> '+380*****4567': the form every log line uses."""
    if len(phone) <= 8:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 8) + phone[-4:]
