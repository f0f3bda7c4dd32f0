"""Demo data for a local run: a resident and a few tickets in different states,
filed through the real services, so the cabinet shows something on the first visit;
and the demo staff accounts (local.demo_staff).

Seeded once per storage: a second start finds the demo resident and adds nothing.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from chalicelib.adapters.clock import FixedClock
from chalicelib.domain.resident import Resident
from chalicelib.domain.ticket import Actor
from chalicelib.services import permissions, tickets
from chalicelib.services.phone import normalise

from . import demo_staff

DEMO_PHONE = "+380 67 000 15 80"


@dataclass(frozen=True)
class Demo:
    """One demo ticket: filed `days_ago`, then moved on by the executor and the resident."""

    days_ago: float
    cause: str
    street: str
    house: str
    flat: str
    description: str
    executor: tuple = ()  # commands, in order
    resident: tuple = ()


DEMOS = (
    Demo(3.2, "roads.pothole", "nauky-ave", "12", "",
         "Глибока вибоїна на проїжджій частині біля зупинки, машини об'їжджають по тротуару.",
         executor=("accept", "report_done"), resident=("confirm",)),
    Demo(1.1, "lifts.not-working", "yavornytskoho-ave", "44", "31",
         "Ліфт у другому під'їзді стоїть з учорашнього вечора, на табло помилка.",
         executor=("accept", "report_done")),
    Demo(1.5, "heating.cold-radiators-flat", "yavornytskoho-ave", "8", "12",
         "Батареї в квартирі ледь теплі, у кімнатах 15 градусів.",
         executor=("accept",)),
    Demo(0.1, "street-lighting.lamp-off", "nauky-ave", "12", "",
         "Не світить ліхтар навпроти під'їзду, увечері зовсім темно."),
    Demo(2.0, "waste.overflowing", "yavornytskoho-ave", "97", "",
         "Контейнери переповнені, сміття лежить навколо.",
         resident=("withdraw",)),
)


def seed_demo(deps, var: Path) -> str:
    """The demo resident's phone (E.164), with its tickets filed on the first call.
    The demo staff accounts are printed, and written to `var`, when they are made."""
    accounts_file = var / demo_staff.FILE_NAME
    print(demo_staff.describe(demo_staff.seed_staff(deps, accounts_file), accounts_file), flush=True)
    phone = normalise(DEMO_PHONE, deps.city.allowed_country_codes)
    if deps.storage.users.by_phone(phone) is not None:
        return phone
    now = deps.clock.now()
    resident = Resident(id=uuid.uuid4().hex, phone=phone, language=deps.city.default_language,
                        created_at=now - timedelta(days=7))
    deps.storage.users.create(resident)
    for demo in DEMOS:
        clock = FixedClock(now - timedelta(days=demo.days_ago))
        at = replace(deps, clock=clock)
        receipt = tickets.file_ticket(at, resident, {
            "cause": demo.cause, "description": demo.description,
            "address": {"street": demo.street, "house": demo.house, "flat": demo.flat},
        })
        for name in demo.executor:
            clock.advance(timedelta(hours=2))
            _as_executor(at, receipt["id"], name)
        for name in demo.resident:
            clock.advance(timedelta(hours=1))
            tickets.resident_command(at, resident, receipt["id"], name, {})
    return phone


def _as_executor(deps, ticket_id: str, name: str) -> None:
    ticket = deps.storage.tickets.get(ticket_id)
    actor = Actor("executor", "demo-executor", ticket.organisation)
    permissions.check(actor, name, ticket)
    tickets.take_command(deps, actor, ticket, name, {})
