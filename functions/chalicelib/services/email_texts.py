"""The e-mails citydesk sends, in the reader's language: (subject, plain text)."""

from ..domain.city import City
from ..i18n import translate
from .sms_texts import NOTICES


def sign_in_link(lang: str, city: City, url: str, minutes: int) -> tuple:
    subject = translate(lang, "{city}: sign-in link", city=city.name(lang))
    text = translate(lang, "To sign in, open this link within {minutes} minutes:\n\n{url}\n\n"
                           "The link works once. If you did not ask to sign in, ignore this e-mail.",
                     minutes=minutes, url=url)
    return subject, text


def notice(lang: str, kind: str, **values) -> tuple:
    """An organisation's notice of this kind: the SMS text, whole, as the subject;
    the ticket's facts and the link to it on the staff page below. `values` are
    those of sms_texts.notice, with `link` the staff page's."""
    subject = translate(lang, NOTICES[kind], **values)
    text = translate(lang, "{subject}\n\nProblem: {cause}\nAddress: {address}\nExecutor: {organisation}\n"
                           "Deadline: {due}\n\nThe request on the staff page: {link}",
                     subject=subject, **values)
    return subject, text


def digest(lang: str, organisation: str, count: int, lines: list, more: int, link: str) -> tuple:
    """An organisation's morning list of the requests waiting for it to accept them.
    `lines` are the values (number, cause, address, due) of those listed, `more`
    how many are left out; `link` the staff page's."""
    subject = translate(lang, "{organisation}: requests waiting to be accepted: {count}",
                        organisation=organisation, count=count)
    listed = [translate(lang, "No. {number}: {cause}, {address}. Due by {due}.", **values) for values in lines]
    if more:
        listed.append(translate(lang, "...and {more} more.", more=more))
    text = translate(lang, "{subject}.\n\n{listed}\n\nAccept them on the staff page: {link}",
                     subject=subject, listed="\n".join(listed), link=link)
    return subject, text
