"""schemathesis against the real local server, from its own description
(GET /api/openapi.json): every operation, in every phase (the examples, the
coverage of each schema's edges, fuzzing, stateful sequences along the
description's links), with valid and invalid data, signed in as a resident and
as an admin, and the ticket work and the outage notices again as an operator;
Open311's resources with a partner's key. No answer may be a 5xx or differ from
the description, and no request the description forbids may succeed.

When it fails, its output names each failure with a curl line that reproduces it.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from chalicelib.services import staff_tickets
from tests.e2e.browser import LocalServer

ST = Path(sys.executable).with_name("st")
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Fixed, so that a run is repeatable: a failure found once is found again.
SEED = 20261123
# Cases per operation and phase: the four runs take under two minutes on two cores.
MAX_EXAMPLES = 10
# The limits that are settings, raised so that the sign-ins and the SMS and e-mail
# they send are exercised, not answered 429 after the third try. The limits kept in
# code (uploads, staff sign-ins per client, wrong passwords per account) still hold,
# and their 429s are in the description.
SETTINGS = {
    "CITYDESK_CODES_PER_PHONE_PER_HOUR": "1000000", "CITYDESK_CODES_PER_CLIENT_PER_HOUR": "1000000",
    "CITYDESK_LINKS_PER_EMAIL_PER_HOUR": "1000000", "CITYDESK_SMS_PER_PHONE_PER_DAY": "1000000",
    "CITYDESK_SMS_PER_DAY": "1000000",
}
RESIDENT_PHONE = "+380671112233"
# Signing out and deleting the account would end the sessions the rest of the run goes
# on with: those run apart, each with sessions of its own (test_ending_a_session_...).
SESSION_ENDS = ("signOut", "staffSignOut", "deleteMe")
# Open311's operations, in a run of their own: in the admin's, the key would be revoked
# by the fuzzing of its revocation.
OPEN311 = "^open311"
# Run again as an operator, with the staff commands (each "<name>Command").
OPERATOR_OPERATIONS = ("fileForCaller", "findSimilarForCaller", "getQueue", "getStaffTicket", "getTicketContact",
                       "requestStaffUploadForm", "listOutages", "publishOutage", "editOutage")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = LocalServer("sqlite", tmp_path_factory.mktemp("var-fuzz"), settings=SETTINGS)
    yield running
    assert running.stop() == 0, running.output


def signed_in(server, role: str) -> str:
    """The session of a new staff member of `role` (not a demo account: the run's sign-ins
    with the example username lock the demo admin's)."""
    username, password = server.staff_account(role)
    member = requests.post(f"{server.url}/api/admin/login", json={"username": username, "password": password})
    member.raise_for_status()
    return member.cookies["citydesk_staff"]


def sessions(server, role: str) -> dict:
    """The environment that gives schemathesis new sessions: a resident's, a staff member's
    of `role`, and a new Open311 key, made by an admin as the staff page makes one."""
    requests.post(f"{server.url}/api/auth/phone", json={"phone": RESIDENT_PHONE}).raise_for_status()
    resident = requests.post(f"{server.url}/api/auth/phone/verify",
                             json={"phone": RESIDENT_PHONE, "code": server.code_sent_to(RESIDENT_PHONE)})
    resident.raise_for_status()
    key = requests.post(f"{server.url}/api/admin/open311-keys", json={"name": "Fuzzing partner"},
                        cookies={"citydesk_staff": signed_in(server, "admin")})
    key.raise_for_status()
    return {"CITYDESK_FUZZ_RESIDENT": resident.cookies["citydesk_session"],
            "CITYDESK_FUZZ_STAFF": signed_in(server, role), "CITYDESK_FUZZ_OPEN311": key.json()["api_key"]}


def city_codes(server, staff_env: dict) -> dict:
    """{dictionary: values} of the codes the API checks against this city's data, read from the API."""
    topics = requests.get(f"{server.url}/api/categories").json()
    streets = requests.get(f"{server.url}/api/streets", params={"q": ""}).json()
    organisations = requests.get(f"{server.url}/api/admin/organisations",
                                 cookies={"citydesk_staff": staff_env["CITYDESK_FUZZ_STAFF"]}).json()["organisations"]
    return {"causes": [cause["code"] for topic in topics for cause in topic["causes"]],
            "topics": [topic["code"] for topic in topics], "streets": [street["code"] for street in streets],
            # Open311's address ids: a street's code and a house (any house: only the street is checked).
            "address_ids": [f"{street['code']}:1" for street in streets],
            "executors": [o["code"] for o in organisations if o["kind"] == "executor"],
            "departments": [o["code"] for o in organisations if o["kind"] == "department"]}


# Where schemathesis draws those codes from, most of the time (the rest it makes up):
# positive cases then get past the API's checks of the city's data, and the stateful
# phase has tickets, notices and accounts to work on.
CODES_AT = {
    "body.cause": "causes", "query.cause": "causes", "body.address.street": "streets", "query.street": "streets",
    "body.addresses[*].street": "streets", "body.kind": "topics", "query.topic": "topics", "body.topics[*]": "topics",
    "body.organisation": "executors", "query.organisation": "executors", "body.supervisor": "departments",
    "body.service_code": "causes", "query.service_code": "causes", "path.service_code": "causes",
    "body.address_id": "address_ids",
    # A key in the form wins over the query string's: mostly left empty (as good as
    # absent), so that filings with the partner's key get past it.
    "body.api_key": "no_form_key",
}


def config(server, tmp_path, staff_env: dict) -> Path:
    """tests/fuzz/schemathesis.toml, and the city's codes as dictionaries to draw from."""
    lines = [CONFIG.read_text(encoding="utf-8")]
    dictionaries = {**city_codes(server, staff_env), "no_form_key": [""]}
    lines += [f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n" for name, values in dictionaries.items()]
    lines += ["[parameters]"] + [f'"{where}" = {{ dictionary = "{name}", probability = 0.9 }}'
                                 for where, name in CODES_AT.items()]
    written = tmp_path / "schemathesis.toml"
    written.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def schemathesis(server, tmp_path, *selection: str, role: str = "admin",
                 phases: str = "examples,coverage,fuzzing,stateful") -> subprocess.CompletedProcess:
    env = sessions(server, role)
    command = [
        str(ST), "--config-file", str(config(server, tmp_path, env)), "run", f"{server.url}/api/openapi.json",
        # Every phase, valid and invalid data.
        "--phases", phases, "--mode", "all",
        # Every check but positive_data_acceptance: it wants every request the schema
        # allows to succeed, but the API checks what no schema can know (a cause or a
        # street of this city's catalogue, an organisation of the right kind, a ticket
        # in the right state, an uploaded photo, the code of an SMS). Those refusals
        # are documented 4xx answers, which the other checks still hold to the description.
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        # One worker: as fast here (the server has the other core), and Python 3.11's
        # ast.parse, which Hypothesis calls to describe its strategies, fails at random
        # when two threads parse at once (CPython gh-106905: a "Runtime Error" of the run).
        "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
        "--generation-database", "none", "--no-color", *selection,
    ]
    return subprocess.run(command, cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=600)


def summary(run) -> tuple:
    """(operations selected, of how many, operations tested), as the run's summary says."""
    found = re.search(r"Selected: (\d+)/(\d+)\n\s*Tested: (\d+)\n", run.stdout)
    assert found, run.stdout + run.stderr
    return tuple(int(number) for number in found.groups())


def open311_operations(server) -> int:
    described = requests.get(f"{server.url}/api/openapi.json").json()
    return sum(operation["operationId"].startswith("open311") for item in described["paths"].values()
               for operation in item.values())


def test_every_operation_answers_as_described_whatever_it_is_sent(server, tmp_path):
    run = schemathesis(server, tmp_path, *(f"--exclude-operation-id={name}" for name in SESSION_ENDS),
                       "--exclude-operation-id-regex", OPEN311)
    assert run.returncode == 0, run.stdout + run.stderr
    selected, total, done = summary(run)
    assert selected == done == total - len(SESSION_ENDS) - open311_operations(server), run.stdout


def test_open311_answers_as_described_whatever_a_partner_sends(server, tmp_path):
    run = schemathesis(server, tmp_path, "--include-operation-id-regex", OPEN311)
    assert run.returncode == 0, run.stdout + run.stderr
    selected, _, done = summary(run)
    assert selected == done == open311_operations(server), run.stdout


def test_the_ticket_work_and_the_outage_notices_answer_as_described_to_an_operator(server, tmp_path):
    # What an admin may not do (403 in the run above): filing for a caller, the commands
    # on a ticket, the staff's photo uploads, publishing and editing outage notices.
    work = "|".join(("Command$", *(f"^{name}$" for name in OPERATOR_OPERATIONS)))
    run = schemathesis(server, tmp_path, "--include-operation-id-regex", work, role="operator")
    assert run.returncode == 0, run.stdout + run.stderr
    selected, _, done = summary(run)
    assert selected == done == len(staff_tickets.PARSERS) + len(OPERATOR_OPERATIONS), run.stdout


def test_ending_a_session_answers_as_described_whatever_it_is_sent(server, tmp_path):
    # Signing out, and deleting the account. No stateful phase: no link leads from them.
    run = schemathesis(server, tmp_path, *(f"--include-operation-id={name}" for name in SESSION_ENDS),
                       phases="examples,coverage,fuzzing")
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary(run)[::2] == (len(SESSION_ENDS), len(SESSION_ENDS)), run.stdout
