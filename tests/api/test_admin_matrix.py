"""Who reaches what on the staff API: every /api/admin/* endpoint called by each of
seven callers, with the exact answer each gets. A refused call writes nothing.

The executor works for the ticket's organisation, the other executor for another;
the inspector sees only escalated tickets. Written out by hand from ARCHITECTURE.md's
roles and issue 4, independently of the permission table it checks.
"""

import re
from dataclasses import dataclass
from typing import Callable

import pytest

from chalicelib.domain.outbox import DEAD
from chalicelib.domain.ticket import State
from chalicelib.services import open311_keys
from tests.api.client import ticket as filing
from tests.builders import make_message, make_resident, make_staff, store_ticket

CALLERS = ("anonymous", "resident", "operator", "executor_other", "executor", "inspector", "admin")
STAFF = CALLERS[2:]
ORGANISATION, OTHER_ORGANISATION = "dniprovodokanal", "teploenergo"


def only(allowed: dict, default: int = 403) -> dict:
    """Outcomes: 401 for those not signed in as staff, `allowed` for the roles named, `default` for other staff."""
    return {"anonymous": 401, "resident": 401, **{caller: allowed.get(caller, default) for caller in STAFF}}


def every_staff(status: int) -> dict:
    return only({caller: status for caller in STAFF})


def on_ticket(allowed: dict, *, escalated: bool = False) -> dict:
    """Outcomes on one ticket of ORGANISATION: a staff member who may not see it gets
    404 (its existence is not given away) before any role check."""
    hidden = {"executor_other": 404, **({} if escalated else {"inspector": 404})}
    return {**only(allowed), **hidden}


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # formatted with what `setup` returns
    expected: dict
    body: Callable = lambda made: None  # of what `setup` returns
    setup: Callable = lambda api: {}
    query: str = ""

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


# --- what each row needs before it is called ----------------------------------------

def a_ticket(state: str = "assigned", **fields):
    def setup(api) -> dict:
        made = store_ticket(api.deps.storage, organisation=ORGANISATION, state=State(state), **fields)
        return {"id": made.id, "version": made.version, "number": made.number}
    return setup


def a_reported_ticket(state: str = "assigned", **fields):
    """A ticket whose reporter has an account, so that there is a contact to show."""
    def setup(api) -> dict:
        reporter = make_resident()
        api.deps.storage.users.create(reporter)
        return a_ticket(state, reporter_id=reporter.id, **fields)(api)
    return setup


def two_tickets(api) -> dict:
    first = a_ticket("new")(api)
    other = store_ticket(api.deps.storage, organisation=ORGANISATION)
    return {**first, "into": other.number}


def an_outage(api) -> dict:
    made = api.post("/api/admin/outages", OUTAGE, headers=api.staff("operator"))
    assert made.status_code == 201, made.body
    return api.json(made)


def a_staff_member(api) -> dict:
    member = make_staff(role="operator")
    api.deps.storage.staff.create(member)
    return {"id": member.id, "version": member.version}


def an_open311_key(api) -> dict:
    key, _ = open311_keys.create(api.deps, "city app")
    return {"id": key.id}


def a_dead_letter(api) -> dict:
    message = make_message(status=DEAD, tries=5, last_error="OptedOut")
    api.deps.storage.outbox.add([message])
    return {"id": message.id}


def buildings_csv(api) -> dict:
    registry = api.deps.storage.directory.registry()
    rows = [f"{b.street},{b.house},{b.district},{b.management_company}" for b in registry.buildings]
    return {"csv": "\n".join(["street,house,district,management_company", *rows]) + "\n"}


OUTAGE = {"kind": "water", "area": "Tsentralnyi district, around Yavornytskoho Ave 8-40",
          "addresses": [{"street": "yavornytskoho-ave", "houses": ["8", "10"]}],
          "reason": "Replacing a burst main", "starts_at": "2026-11-23T10:00:00Z",
          "expected_end": "2026-11-23T18:00:00Z"}
ORGANISATION_BODY = {"code": "zhek-99", "kind": "executor", "supervisor": "dept-housing",
                     "name": {"uk": "ЖЕК-99", "ru": "ЖЭК-99", "en": "Housing office 99"},
                     "phone": "+380567000199", "email": "zhek99@dnipro.example", "topics": ["building"]}


def command(name: str, body: dict | None = None) -> Callable:
    return lambda made: {"version": made["version"], **(body or {})}


ROWS = [
    # Signing in and out is open to anyone; wrong credentials are wrong for everyone.
    Row("POST", "/api/admin/login", {caller: 401 for caller in CALLERS},
        body=lambda made: {"username": "nobody", "password": "not the password"}),
    Row("POST", "/api/admin/logout", {caller: 204 for caller in CALLERS}),
    Row("GET", "/api/admin/me", every_staff(200)),
    # One's own password and TOTP: every staff member's, checked before anything is written.
    Row("POST", "/api/admin/me/password", every_staff(422), body=lambda made: {"current": "x", "new": "short"}),
    Row("POST", "/api/admin/me/totp", every_staff(200)),
    Row("POST", "/api/admin/me/totp/confirm", every_staff(422), body=lambda made: {"secret": "bad", "code": "000000"}),
    Row("POST", "/api/admin/me/totp/off", every_staff(200), body=lambda made: {"code": "000000"}),
    Row("GET", "/api/admin/tickets", every_staff(200)),
    Row("GET", "/api/admin/tickets/export", every_staff(200)),
    Row("GET", "/api/admin/tickets/similar", only({"operator": 200}),
        query="?cause=water.low-pressure&street=yavornytskoho-ave&house=8"),
    Row("POST", "/api/admin/tickets", only({"operator": 201}),
        body=lambda made: {**filing(), "caller": {"phone": "050 765 43 21", "name": "Ivan Petrenko"},
                           "channel": "phone"}),
    Row("POST", "/api/admin/uploads", only({"operator": 201, "executor_other": 201, "executor": 201,
                                            "inspector": 201}),
        body=lambda made: {"content_type": "image/jpeg", "size": 120_000}),
    Row("GET", "/api/admin/tickets/{id}", on_ticket({"operator": 200, "executor": 200, "admin": 200}),
        setup=a_ticket()),
    Row("GET", "/api/admin/tickets/{id}", on_ticket({"operator": 200, "executor": 200, "inspector": 200,
                                                     "admin": 200}, escalated=True),
        setup=a_ticket("inspection", escalated=True)),
    # The reporter's contact: those who work the ticket, each time recorded; never the admin.
    Row("GET", "/api/admin/tickets/{id}/contact", on_ticket({"operator": 200, "executor": 200}),
        setup=a_reported_ticket()),
    Row("GET", "/api/admin/tickets/{id}/contact", on_ticket({"operator": 200, "executor": 200, "inspector": 200},
                                                            escalated=True),
        setup=a_reported_ticket("inspection", escalated=True)),
    # The operator's commands.
    Row("POST", "/api/admin/tickets/{id}/route", on_ticket({"operator": 200}), setup=a_ticket("new"),
        body=command("route", {"organisation": OTHER_ORGANISATION})),
    Row("POST", "/api/admin/tickets/{id}/reject", on_ticket({"operator": 200}), setup=a_ticket("new"),
        body=command("reject", {"reason": "Not a municipal matter"})),
    Row("POST", "/api/admin/tickets/{id}/merge", on_ticket({"operator": 200}), setup=two_tickets,
        body=lambda made: {"version": made["version"], "into": made["into"]}),
    Row("POST", "/api/admin/tickets/{id}/escalate", on_ticket({"operator": 200}), setup=a_ticket("reopened", round=2),
        body=command("escalate", {"note": "Second round ignored"})),
    Row("POST", "/api/admin/tickets/{id}/callback_satisfied", on_ticket({"operator": 200}), setup=a_ticket("done"),
        body=command("callback_satisfied", {"note": "Water is back"})),
    Row("POST", "/api/admin/tickets/{id}/callback_unsatisfied", on_ticket({"operator": 200}),
        setup=a_ticket("done"), body=command("callback_unsatisfied", {"note": "Still no pressure"})),
    Row("POST", "/api/admin/tickets/{id}/publish", on_ticket({"operator": 200}), setup=a_ticket(),
        body=command("publish", {"public": True})),
    # Everybody who works the ticket may comment on it.
    Row("POST", "/api/admin/tickets/{id}/comment", on_ticket({"operator": 200, "executor": 200}),
        setup=a_ticket("in_progress"), body=command("comment", {"text": "Which entrance exactly?"})),
    Row("POST", "/api/admin/tickets/{id}/comment", on_ticket({"operator": 200, "executor": 200, "inspector": 200},
                                                             escalated=True),
        setup=a_ticket("inspection", escalated=True), body=command("comment", {"text": "Inspection on Tuesday"})),
    # The executor's.
    Row("POST", "/api/admin/tickets/{id}/accept", on_ticket({"executor": 200}), setup=a_ticket(),
        body=command("accept")),
    Row("POST", "/api/admin/tickets/{id}/report_done", on_ticket({"executor": 200}), setup=a_ticket("in_progress"),
        body=command("report_done", {"note": "Valve replaced"})),
    # The inspector's, on an escalated ticket.
    Row("POST", "/api/admin/tickets/{id}/inspect", on_ticket({"inspector": 200}, escalated=True),
        setup=a_ticket("inspection", escalated=True), body=command("inspect", {"note": "Riser corroded"})),
    Row("POST", "/api/admin/tickets/{id}/order", on_ticket({"inspector": 200}, escalated=True),
        setup=a_ticket("inspection", escalated=True),
        body=command("order", {"due_at": "2026-11-26T09:00:00Z", "note": "Replace the riser"})),
    Row("POST", "/api/admin/tickets/{id}/fine", on_ticket({"inspector": 200}, escalated=True),
        setup=a_ticket("inspection", escalated=True), body=command("fine", {"amount": 1700, "note": "Ignored"})),
    Row("POST", "/api/admin/tickets/{id}/resolve", on_ticket({"inspector": 200}, escalated=True),
        setup=a_ticket("inspection", escalated=True), body=command("resolve", {"note": "Fixed"})),
    # The resident's and the system's commands are nobody's on the staff page.
    Row("POST", "/api/admin/tickets/{id}/confirm", on_ticket({}), setup=a_ticket("done"), body=command("confirm")),
    Row("POST", "/api/admin/tickets/{id}/auto_close", on_ticket({}), setup=a_ticket("done"),
        body=command("auto_close")),
    # Outage notices: every staff member reads them, operators publish them.
    Row("GET", "/api/admin/outages", every_staff(200)),
    Row("POST", "/api/admin/outages", only({"operator": 201}), body=lambda made: OUTAGE),
    Row("PATCH", "/api/admin/outages/{id}", only({"operator": 200}), setup=an_outage,
        body=lambda made: {"version": made["version"], "closed": True}),
    # Reference data: every staff member reads it, the admin changes it.
    Row("GET", "/api/admin/organisations", every_staff(200)),
    Row("POST", "/api/admin/organisations", only({"admin": 201}), body=lambda made: ORGANISATION_BODY),
    Row("PUT", "/api/admin/organisations/{code}", only({"admin": 200}), setup=lambda api: {"code": ORGANISATION},
        body=lambda made: {**ORGANISATION_BODY, "code": ORGANISATION, "topics": ["water", "sewerage"]}),
    Row("GET", "/api/admin/catalogue", every_staff(200)),
    Row("PATCH", "/api/admin/catalogue/causes/{cause}", only({"admin": 200}),
        setup=lambda api: {"cause": "water.low-pressure"}, body=lambda made: {"sla_class": "medium"}),
    Row("GET", "/api/admin/registry", every_staff(200)),
    Row("PUT", "/api/admin/registry/buildings", only({"admin": 200}), setup=buildings_csv, body=lambda made: made),
    # The admin's own.
    Row("GET", "/api/admin/staff", only({"admin": 200})),
    Row("POST", "/api/admin/staff", only({"admin": 201}),
        body=lambda made: {"username": "new.operator", "name": "New Operator", "role": "operator"}),
    Row("PATCH", "/api/admin/staff/{id}", only({"admin": 200}), setup=a_staff_member,
        body=lambda made: {"version": made["version"], "name": "Renamed Operator"}),
    Row("GET", "/api/admin/open311-keys", only({"admin": 200})),
    Row("POST", "/api/admin/open311-keys", only({"admin": 201}), body=lambda made: {"name": "city app"}),
    Row("POST", "/api/admin/open311-keys/{id}/revoke", only({"admin": 200}), setup=an_open311_key),
    # Who was shown a reporter's contact: the admin's to read.
    Row("GET", "/api/admin/contact-views", only({"admin": 200})),
    # The outbox: operators and admins watch it, the admin puts a dead letter back.
    Row("GET", "/api/admin/outbox", only({"operator": 200, "admin": 200})),
    Row("POST", "/api/admin/outbox/{id}/retry", only({"admin": 200}), setup=a_dead_letter),
]

CASES = [(row, caller) for row in ROWS for caller in CALLERS]


def case_id(case) -> str:
    row, caller = case
    return f"{row.name}{'-' + str(ROWS.index(row))}-{caller}-{row.expected[caller]}"


def headers_of(api, caller: str) -> dict:
    if caller == "anonymous":
        return {}
    if caller == "resident":
        return api.sign_in()
    if caller == "executor":
        return api.staff("executor", ORGANISATION)
    if caller == "executor_other":
        return api.staff("executor", OTHER_ORGANISATION)
    return api.staff(caller)


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_each_caller_gets_exactly_the_answer_their_role_allows(api, case):
    row, caller = case
    made = row.setup(api)
    headers = headers_of(api, caller)
    body = row.body(made)
    before = api.snapshot()
    path = row.path.format(**made) + row.query
    if row.method == "GET":
        answer = api.get(path, headers=headers)
    else:
        answer = api.request(row.method, path, body, headers=headers)
    expected = row.expected[caller]
    assert answer.status_code == expected, answer.body
    if expected >= 400:
        api.error(answer)
        if row.path != "/api/admin/login":  # a wrong login counts the try
            assert api.snapshot() == before


def test_the_matrix_calls_every_staff_route_of_the_app():
    from app import app

    called = [re.sub(r"\{\w+\}", "x", row.path) for row in ROWS]
    for path, entry in app.routes.items():
        if not path.startswith("/api/admin"):
            continue
        pattern = re.compile(re.sub(r"\{\w+\}", "[^/]+", path) + "$")
        for method in entry:
            assert any(row.method == method and pattern.match(done) for row, done in zip(ROWS, called)), (
                method, path)
