"""The ticket and its lifecycle.

Every transition is a pure function ``apply(ticket, command, now, policy) ->
(ticket', events)``. The table ``RULES`` is the documentation of what is allowed:
a command is legal when one of its rules lists the ticket's state and its guard
holds; the first such rule gives the new state (``None``: the state stays).
Each event is also the ticket's history entry for the version it created.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Callable

from . import fields, sla
from .errors import IllegalTransition, InvalidInput


class State(str, Enum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CLOSED = "closed"
    REOPENED = "reopened"
    INSPECTION = "inspection"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    WITHDRAWN = "withdrawn"


S = State
OPEN = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.DONE, S.REOPENED, S.INSPECTION})
FINAL = frozenset(State) - OPEN
# States in which the executor's deadline runs.
WORKING = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED})

CHANNELS = ("web", "phone", "walk_in", "office", "open311")
MAX_DESCRIPTION = 4000
# The reporter deleted their account, or the ticket has been final for the retention period.
ACCOUNT_DELETED, RETENTION = "account_deleted", "retention"
ANONYMISED_BECAUSE = (ACCOUNT_DELETED, RETENTION)


@dataclass(frozen=True)
class Actor:
    role: str  # resident, operator, executor, inspector, admin, system
    id: str
    organisation: str | None = None


SYSTEM = Actor("system", "system")


@dataclass(frozen=True)
class Address:
    street: str
    house: str
    entrance: str = ""
    flat: str = ""
    note: str = ""

    def to_data(self) -> dict:
        return {"street": self.street, "house": self.house, "entrance": self.entrance,
                "flat": self.flat, "note": self.note}

    @classmethod
    def from_data(cls, raw: dict) -> "Address":
        return cls(**{k: raw.get(k, "") or "" for k in ("street", "house", "entrance", "flat", "note")})


@dataclass(frozen=True)
class Ticket:
    id: str
    number: str
    reporter_id: str
    channel: str
    language: str
    topic: str
    cause: str
    organisation: str
    address: Address
    district: str
    description: str
    filed_at: datetime
    sla_class: str
    sla_hours: int
    due_at: datetime
    state: State = S.NEW
    version: int = 1
    updated_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    photos: tuple = ()
    round: int = 1
    reminded: bool = False
    overdue: bool = False
    next_timer: str | None = None
    next_due_at: datetime | None = None
    done_at: datetime | None = None
    closed_at: datetime | None = None
    order_due_at: datetime | None = None
    rating: int | None = None
    merged_into: str | None = None
    reason: str = ""
    fines: tuple = ()
    # Once escalated, always the inspectorate's to see (an order sends it back to work).
    escalated: bool = False
    # Whether the description may be published (Open311, public pages); by default only the cause is.
    description_public: bool = False
    # Deadline compliance, recorded when the work is reported done (the latest report
    # counts, against the deadline then in force): met or not, and by how many whole
    # minutes it was early (met) or late (missed; a part of a minute counts as one).
    deadline_met: bool | None = None
    deadline_minutes: int | None = None
    # A link to a photo a partner's app keeps (Open311 filings): for the staff to open,
    # never published, never fetched by the city (photos the city keeps are `photos`).
    media_url: str = ""
    # Why the reporter's personal data is gone (ANONYMISED_BECAUSE); "" while it is there.
    anonymised: str = ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN


@dataclass(frozen=True)
class Command:
    name: str
    actor: Actor
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """What happened to a ticket; stored as its append-only history."""

    ticket_id: str
    version: int
    at: datetime
    command: str
    actor_role: str
    actor_id: str
    from_state: str | None
    to_state: str
    note: str = ""
    data: dict = field(default_factory=dict)

    @property
    def changes_state(self) -> bool:
        """A step from one state to another: what Open311 reports as an update of the
        ticket. Filing starts the ticket and changes none."""
        return self.from_state is not None and self.from_state != self.to_state


def _always(ticket: Ticket) -> bool:
    return True


def _first_round(ticket: Ticket) -> bool:
    return ticket.round == 1


def _second_round(ticket: Ticket) -> bool:
    return ticket.round >= 2


def _overdue(ticket: Ticket) -> bool:
    return ticket.overdue


def _under_order(ticket: Ticket) -> bool:
    return ticket.order_due_at is not None


def _not_rated(ticket: Ticket) -> bool:
    return ticket.rating is None


def _not_reminded(ticket: Ticket) -> bool:
    return not ticket.reminded


def _not_overdue(ticket: Ticket) -> bool:
    return not ticket.overdue


def _order_overdue(ticket: Ticket) -> bool:
    return ticket.overdue and ticket.order_due_at is not None


def _not_anonymised(ticket: Ticket) -> bool:
    return not ticket.anonymised


@dataclass(frozen=True)
class Rule:
    command: str
    sources: frozenset
    target: State | None
    when: Callable[[Ticket], bool] = _always


RULES = (
    Rule("route", frozenset({S.NEW, S.ASSIGNED}), S.ASSIGNED),
    Rule("accept", frozenset({S.ASSIGNED, S.REOPENED}), S.IN_PROGRESS),
    Rule("report_done", frozenset({S.IN_PROGRESS}), S.DONE),
    Rule("confirm", frozenset({S.DONE}), S.CLOSED),
    Rule("callback_satisfied", frozenset({S.DONE}), S.CLOSED),
    Rule("auto_close", frozenset({S.DONE}), S.CLOSED),
    Rule("refute", frozenset({S.DONE}), S.REOPENED, _first_round),
    Rule("refute", frozenset({S.DONE}), S.INSPECTION, _second_round),
    Rule("callback_unsatisfied", frozenset({S.DONE}), S.REOPENED, _first_round),
    Rule("callback_unsatisfied", frozenset({S.DONE}), S.INSPECTION, _second_round),
    Rule("escalate", frozenset({S.REOPENED}), S.INSPECTION),
    Rule("escalate", frozenset({S.IN_PROGRESS}), S.INSPECTION, _second_round),
    Rule("escalate", frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS}), S.INSPECTION, _overdue),
    Rule("inspect", frozenset({S.INSPECTION}), None),
    Rule("order", frozenset({S.INSPECTION}), S.IN_PROGRESS),
    Rule("fine", frozenset({S.INSPECTION}), None),
    Rule("fine", frozenset({S.IN_PROGRESS}), None, _under_order),
    Rule("resolve", frozenset({S.INSPECTION}), S.CLOSED),
    Rule("reject", frozenset({S.NEW, S.ASSIGNED}), S.REJECTED),
    Rule("merge", frozenset({S.NEW, S.ASSIGNED}), S.DUPLICATE),
    Rule("withdraw", frozenset({S.NEW, S.ASSIGNED}), S.WITHDRAWN),
    Rule("rate", frozenset({S.CLOSED}), None, _not_rated),
    Rule("comment", OPEN, None),
    Rule("publish", frozenset(State), None),
    # The reporter's personal data removed (see `anonymise`); the ticket goes on as it was.
    Rule("anonymise", frozenset(State), None, _not_anonymised),
    # Timers the deadline sweep fires; they change flags, not the state.
    Rule("remind", WORKING, None, _not_reminded),
    Rule("mark_overdue", WORKING, None, _not_overdue),
    # An inspector's order not done in time: the sweep proposes a fine, the inspector decides.
    Rule("propose_fine", WORKING, None, _order_overdue),
)

COMMANDS = tuple(dict.fromkeys(rule.command for rule in RULES))


def rule_for(ticket: Ticket, command: str) -> Rule:
    if command not in COMMANDS:
        raise InvalidInput("unknown_command", field="command", command=command)
    for rule in RULES:
        if rule.command == command and ticket.state in rule.sources and rule.when(ticket):
            return rule
    raise IllegalTransition("illegal_transition", command=command, state=ticket.state.value)


def allowed_commands(ticket: Ticket) -> list:
    return [c for c in COMMANDS if any(
        r.command == c and ticket.state in r.sources and r.when(ticket) for r in RULES)]


# --- what each command changes besides the state ---------------------------------

def _text(data: dict, key: str, *, required: bool, limit: int = 2000) -> str:
    return fields.text(data.get(key), key, required=required, limit=limit)


def _aware(value, key: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput("must_be_time", field=key)
    return value


def _route(t, d, now, policy):
    org = _text(d, "organisation", required=True, limit=100)
    return {"organisation": org}


def _report_done(t, d, now, policy):
    early = t.due_at - now
    # Floored: early by 59 seconds is 0 minutes early, late by one second is 1 minute late.
    minutes = early // timedelta(minutes=1)
    return {"done_at": now, "deadline_met": minutes >= 0, "deadline_minutes": abs(minutes)}


def _close(t, d, now, policy):
    return {"closed_at": now}


def _start_second_round(t, d, now, policy):
    # A refutation after the second round goes to the inspectorate (RULES), not to a
    # third round: the inspector's order sets the next deadline.
    if not _first_round(t):
        return {}
    hours = policy.second_round_hours(t.sla_hours)
    # The round's own deadline replaces an inspector's order the work was done under.
    return {"round": t.round + 1, "due_at": sla.due_at(now, hours), "sla_hours": hours,
            "reminded": False, "overdue": False, "done_at": None, "order_due_at": None}


def _order(t, d, now, policy):
    due = _aware(d.get("due_at"), "due_at")
    if due <= now:
        raise InvalidInput("must_be_future", field="due_at")
    return {"order_due_at": due, "due_at": due, "reminded": False, "overdue": False}


def _fine(t, d, now, policy):
    amount = d.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput("must_be_positive_whole_number", field="amount")
    return {"fines": t.fines + ({"at": now.isoformat(), "amount": amount, "organisation": t.organisation},)}


def _resolve(t, d, now, policy):
    return {"closed_at": now, "order_due_at": None}


def _reject(t, d, now, policy):
    return {"reason": _text(d, "reason", required=True, limit=1000), "closed_at": now}


def _merge(t, d, now, policy):
    into = _text(d, "into", required=True, limit=100)
    if into == t.id:
        raise InvalidInput("cannot_merge_into_itself", field="into")
    return {"merged_into": into, "closed_at": now}


def _withdraw(t, d, now, policy):
    return {"closed_at": now}


def _rate(t, d, now, policy):
    score = d.get("score")
    if isinstance(score, bool) or score not in (1, 2, 3, 4, 5):
        raise InvalidInput("rating_out_of_range", field="score")
    return {"rating": score}


def _comment(t, d, now, policy):
    _text(d, "text", required=True, limit=2000)
    return {}


def _publish(t, d, now, policy):
    public = d.get("public")
    if not isinstance(public, bool):
        raise InvalidInput("must_be_true_or_false", field="public")
    return {"description_public": public}


def _anonymise(t, d, now, policy):
    if d.get("why") not in ANONYMISED_BECAUSE:
        raise InvalidInput("unknown_reason", field="why")
    return {"reporter_id": "", "address": replace(t.address, flat="", note=""), "anonymised": d["why"]}


def _remind(t, d, now, policy):
    return {"reminded": True}


def _mark_overdue(t, d, now, policy):
    return {"overdue": True, "reminded": True}


def _nothing(t, d, now, policy):
    return {}


EFFECTS = {
    "route": _route, "accept": _nothing, "report_done": _report_done,
    "confirm": _close, "callback_satisfied": _close, "auto_close": _close,
    "refute": _start_second_round, "callback_unsatisfied": _start_second_round,
    "escalate": _nothing, "inspect": _nothing, "order": _order, "fine": _fine, "resolve": _resolve,
    "reject": _reject, "merge": _merge, "withdraw": _withdraw, "rate": _rate, "comment": _comment,
    "publish": _publish, "anonymise": _anonymise, "remind": _remind, "mark_overdue": _mark_overdue,
    "propose_fine": _nothing,
}
# Commands whose text goes into the history entry's note.
NOTE_FIELDS = ("note", "text", "reason")


def next_timer(ticket: Ticket, policy: sla.SlaPolicy) -> tuple:
    """The ticket's next pending timer as (kind, at), or (None, None)."""
    if ticket.state in WORKING:
        if not ticket.reminded and ticket.order_due_at is None:
            start = ticket.due_at - timedelta(hours=ticket.sla_hours)
            return "reminder", sla.reminder_at(start, ticket.due_at, policy.reminder_fraction)
        if not ticket.overdue:
            return "overdue", ticket.due_at
        return None, None
    if ticket.state == S.DONE and ticket.done_at:
        return "auto_close", ticket.done_at + timedelta(days=policy.auto_close_days)
    return None, None


def timer_commands(ticket: Ticket, now: datetime) -> tuple:
    """The system commands the ticket's pending timer calls for at `now`, in order; ()
    if none is due. A reminder whose deadline has passed too (the sweep was held up)
    gives way to the overdue timer: a reminder then would say the deadline is ahead.
    Overdue work in the second round goes to the inspectorate; under an inspector's
    order, a fine is proposed instead."""
    if ticket.next_due_at is None or ticket.next_due_at > now:
        return ()
    if ticket.next_timer == "reminder" and ticket.due_at > now:
        return ("remind",)
    if ticket.next_timer in ("reminder", "overdue"):
        if ticket.order_due_at is not None:
            return ("mark_overdue", "propose_fine")
        return ("mark_overdue", "escalate") if _second_round(ticket) else ("mark_overdue",)
    if ticket.next_timer == "auto_close":
        return ("auto_close",)
    return ()


def _with_timer(ticket: Ticket, policy: sla.SlaPolicy) -> Ticket:
    kind, at = next_timer(ticket, policy)
    return replace(ticket, next_timer=kind, next_due_at=at)


def apply(ticket: Ticket, command: Command, now: datetime, policy: sla.SlaPolicy = sla.SlaPolicy()):
    rule = rule_for(ticket, command.name)
    changes = EFFECTS[command.name](ticket, command.data, now, policy)
    target = rule.target or ticket.state
    # Entering a final state closes the ticket then; a command that leaves it in one
    # (publish, anonymise) keeps the time it closed.
    if target in FINAL and target != S.CLOSED and target != ticket.state:
        changes.setdefault("closed_at", now)
    if target == S.INSPECTION:
        changes.update(order_due_at=None, escalated=True)
    new = replace(ticket, state=target, version=ticket.version + 1, updated_at=now, **changes)
    new = _with_timer(new, policy)
    note = next((command.data[k] for k in NOTE_FIELDS if isinstance(command.data.get(k), str)), "")
    event = Event(
        ticket_id=ticket.id, version=new.version, at=now, command=command.name,
        actor_role=command.actor.role, actor_id=command.actor.id,
        from_state=ticket.state.value, to_state=target.value, note=note.strip(),
        data=_event_data(command),
    )
    return new, [event]


def anonymise(ticket: Ticket, history: list, reason: str, now: datetime,
              policy: sla.SlaPolicy = sla.SlaPolicy()) -> tuple:
    """(ticket', events, redacted): the ticket without its reporter's personal data (who
    filed it, the flat, the note on how to find the place), its "anonymise" event, and
    the history entries that named the reporter (their own steps), without the name.
    What makes the record of the problem stays: the cause, the street and house, the
    description, the dates and the notes; the statistics counted it already."""
    changed, events = apply(ticket, Command("anonymise", SYSTEM, {"why": reason}), now, policy)
    redacted = [replace(event, actor_id="") for event in history if event.actor_role == "resident" and event.actor_id]
    return changed, events, redacted


def _event_data(command: Command) -> dict:
    out = {}
    for key, value in command.data.items():
        if key in NOTE_FIELDS:
            continue
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def file(*, id: str, number: str, reporter_id: str, channel: str, language: str, topic: str, cause: str,
         sla_class: str, organisation: str, address: Address, district: str, description: str,
         now: datetime, actor: Actor, policy: sla.SlaPolicy = sla.SlaPolicy(),
         lat: float | None = None, lon: float | None = None, photos: tuple = (), media_url: str = ""):
    """A new ticket and its 'filed' event; the deadline clock starts now."""
    if channel not in CHANNELS:
        raise InvalidInput("unknown_channel", field="channel")
    if not description.strip():
        raise InvalidInput("required", field="description")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput("too_long", field="description", limit=MAX_DESCRIPTION)
    hours = policy.hours_for(sla_class)
    ticket = Ticket(
        id=id, number=number, reporter_id=reporter_id, channel=channel, language=language, topic=topic,
        cause=cause, organisation=organisation, address=address, district=district,
        description=description.strip(), filed_at=now, updated_at=now, sla_class=sla_class, sla_hours=hours,
        due_at=sla.due_at(now, hours), lat=lat, lon=lon, photos=tuple(photos), media_url=media_url,
    )
    ticket = _with_timer(ticket, policy)
    event = Event(ticket_id=id, version=1, at=now, command="file", actor_role=actor.role, actor_id=actor.id,
                  from_state=None, to_state=S.NEW.value, data={"channel": channel})
    return ticket, [event]
