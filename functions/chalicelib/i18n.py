"""Translations of API messages, SMS texts and generated pages: the standard library's
gettext over the compiled Babel catalogues in `chalicelib/locale/<lang>/LC_MESSAGES/messages.mo`;
and numbers and months as each language writes them (Babel itself is a build tool here:
its locale data would triple the Lambda package for a handful of formats).

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


# (thousands separator, decimal mark), as CLDR has them: Ukrainian and Russian group
# with a no-break space and write a decimal comma.
NUMBER_MARKS = {"uk": ("\u00a0", ","), "ru": ("\u00a0", ","), "en": (",", ".")}
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"),
          N_("August"), N_("September"), N_("October"), N_("November"), N_("December"))
MONTH_AND_YEAR = N_("{month} {year}")


def number(lang: str, value: float, decimals: int = 0) -> str:
    """`value` rounded to `decimals` places, grouped by thousands, as `lang` writes it."""
    group, mark = NUMBER_MARKS.get(lang, NUMBER_MARKS["en"])
    whole, _, fraction = f"{value:,.{decimals}f}".partition(".")
    return whole.replace(",", group) + (mark + fraction if fraction else "")


def percent(lang: str, share: float) -> str:
    """A share (0.6) as a whole percentage ("60%")."""
    return number(lang, share * 100) + "%"


def month_name(lang: str, month: str) -> str:
    """'YYYY-MM' as a month and its year, in the nominative ("листопад 2026")."""
    year, n = month.split("-")
    return translate(lang, MONTH_AND_YEAR, month=translate(lang, MONTHS[int(n) - 1]), year=year)


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
