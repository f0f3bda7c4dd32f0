"""The texts residents get by SMS, in their language.

Each fits one SMS segment (70 characters in Cyrillic): a split message costs
double and may arrive in pieces.
"""

from datetime import datetime

from ..domain.city import City
from ..i18n import translate


def sign_in_code(lang: str, code: str, minutes: int) -> str:
    return translate(lang, "Sign-in code: {code}. Valid for {minutes} min. Do not tell it to anyone.",
                     code=code, minutes=minutes)


def ticket_filed(lang: str, city: City, number: str, due_at: datetime) -> str:
    return translate(lang, "Request No. {number} is accepted. Due by {due}.",
                     number=number, due=local_time(city, due_at))


def local_time(city: City, at: datetime) -> str:
    """A time as people in the city read it: '23.11.2026 17:00' in its time zone."""
    return at.astimezone(city.zone).strftime("%d.%m.%Y %H:%M")
