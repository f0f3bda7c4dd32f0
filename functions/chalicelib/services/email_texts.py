"""The e-mails residents get, in their language: (subject, plain text)."""

from ..domain.city import City
from ..i18n import translate


def sign_in_link(lang: str, city: City, url: str, minutes: int) -> tuple:
    subject = translate(lang, "{city}: sign-in link", city=city.name(lang))
    text = translate(lang, "To sign in, open this link within {minutes} minutes:\n\n{url}\n\n"
                           "The link works once. If you did not ask to sign in, ignore this e-mail.",
                     minutes=minutes, url=url)
    return subject, text
