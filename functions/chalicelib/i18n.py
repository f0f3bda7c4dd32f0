"""Translations of API messages and SMS texts: the standard library's gettext over
the compiled Babel catalogues in `chalicelib/locale/<lang>/LC_MESSAGES/messages.mo`.

Message ids are the English texts. `N_` marks a text where a table defines it and
`translate` looks it up where it is used; `pybabel extract -F babel-messages.cfg`
finds both.
"""

import gettext
from functools import lru_cache
from pathlib import Path

from .domain.labels import LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


def N_(msgid: str) -> str:
    return msgid


def translate(lang: str, msgid: str, **params) -> str:
    """`msgid` in `lang`, its `{name}` placeholders filled from `params`."""
    return _catalogue(lang).gettext(msgid).format(**params)


@lru_cache(maxsize=None)
def _catalogue(lang: str) -> gettext.GNUTranslations:
    if lang not in LANGUAGES:
        raise ValueError(f"no catalogue for language {lang!r}")
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
    except FileNotFoundError as error:
        # Answering in English instead would hide a build that forgot to compile.
        raise RuntimeError(
            f"{LOCALE_DIR}/{lang}/LC_MESSAGES/{DOMAIN}.mo is missing: "
            f"run `pybabel compile -d functions/chalicelib/locale -D {DOMAIN}`") from error
