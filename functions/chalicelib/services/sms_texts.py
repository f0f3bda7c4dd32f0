"""The texts sent by SMS, in the reader's language: the sign-in code, and the
notices about a ticket (services.notifications says who gets which).

A split message costs double and may arrive in pieces: each notice fits one
segment with realistic values where it can and two at most (the unit tests render
every one in every language). The few with a free text in them (a cause, a
reason) cut that text to fit.
"""

from datetime import datetime

from ..domain.city import City
from ..domain.sms import is_gsm, segments
from ..i18n import N_, translate

MAX_SEGMENTS = 2

# The notices by kind (OutboxMessage.kind). Values: number, due (local_time),
# organisation, cause, address, link, reason, other (a ticket number), amount.
NOTICES = {
    "filed": N_("Request No. {number} is accepted. Due by {due}."),
    "taken": N_("Request No. {number} is taken into work by {organisation}."),
    "done": N_("Request No. {number} is reported done. Confirm or refute: {link}"),
    "second_round": N_("Request No. {number} goes to a second round. Due by {due}."),
    "inspection": N_("Request No. {number} is passed to the housing inspectorate."),
    "closed": N_("Request No. {number} is closed. Rate the work: {link}"),
    "rejected": N_("Request No. {number} is rejected: {reason}"),
    "merged": N_("Request No. {number} is merged with request No. {other}."),
    "comment": N_("Request No. {number}: a new note from the staff: {link}"),
    "assigned": N_("New request No. {number}: {cause}, {address}. Due by {due}."),
    "refuted": N_("Request No. {number} is refuted: second round. Due by {due}."),
    "reminder": N_("Reminder: request No. {number} is due by {due}."),
    "overdue": N_("Request No. {number} is overdue: it was due by {due}."),
    "order": N_("Inspectorate's order: request No. {number} to be done by {due}."),
    "fine": N_("Request No. {number}: the inspectorate fined you {amount} UAH."),
}
# The value a notice may cut to fit MAX_SEGMENTS: a free text, or a name an admin may make long.
CUT = {"assigned": "cause", "rejected": "reason", "taken": "organisation"}


def sign_in_code(lang: str, code: str, minutes: int) -> str:
    return translate(lang, "Sign-in code: {code}. Valid for {minutes} min. Do not tell it to anyone.",
                     code=code, minutes=minutes)


def notice(lang: str, kind: str, **values) -> str:
    """The notice of this kind in `lang`, its cuttable value (CUT) shortened until
    the text fits MAX_SEGMENTS."""
    text = translate(lang, NOTICES[kind], **values)
    name = CUT.get(kind)
    if name is None or segments(text) <= MAX_SEGMENTS:
        return text
    # Whatever is cut, a text of two segments holds no more than this of it.
    value = values[name][:MAX_SEGMENTS * 160]
    # An ellipsis outside GSM-7 would turn a Latin text into UCS-2, halving its room.
    ellipsis = "..." if is_gsm(text) else "…"
    while value:
        value = value[:-1].rstrip(" ,.;:")
        text = translate(lang, NOTICES[kind], **{**values, name: value + ellipsis})
        if segments(text) <= MAX_SEGMENTS:
            break
    return text


def local_time(city: City, at: datetime) -> str:
    """A time as people in the city read it: '23.11.2026 17:00' in its time zone."""
    return at.astimezone(city.zone).strftime("%d.%m.%Y %H:%M")
