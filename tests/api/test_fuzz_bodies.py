"""Generated bodies thrown at the write endpoints: never a 5xx, always the one
error shape on a 4xx, and nothing written unless the answer says it was."""

import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib import bootstrap
from tests.api.client import PHONE

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
# Right bodies, and right bodies with a few parts replaced by anything at all.
texts = st.text(max_size=12) | st.sampled_from(["", " ", "12-А", "x" * 4001])
right_tickets = st.fixed_dictionaries({
    "cause": st.sampled_from(["water.low-pressure", "building.roof-leak", "gas.smell"]),
    "address": st.fixed_dictionaries(
        {"street": st.sampled_from(["yavornytskoho-ave", "nauky-ave"]), "house": st.sampled_from(["8", "44", "1"])},
        optional={"entrance": texts, "flat": texts, "note": texts}),
    "description": st.text(min_size=1, max_size=60),
}, optional={"lat": st.floats(-90, 90), "lon": st.floats(-180, 180), "photos": st.just([])})
broken_tickets = st.tuples(
    right_tickets, st.dictionaries(st.sampled_from(["cause", "address", "description", "lat", "lon", "photos"]),
                                   json_values, min_size=1, max_size=2),
).map(lambda pair: {**pair[0], **pair[1]})
phones = st.sampled_from([PHONE, "+380671234567", "056 745 15 80"]) \
    | st.from_regex(r"\A(\+380|0)(50|67|93|63)[0-9]{7}\Z") | st.from_regex(r"\A\+?[0-9 ()-]{0,16}\Z") | json_values
codes = st.from_regex(r"\A[0-9]{6}\Z") | json_values
emails = st.sampled_from(["olena@example.org", " Olena@Example.ORG", "olena@example", "@"]) | st.emails() | json_values
link_tokens = st.from_regex(r"\A[A-Za-z0-9_-]{43}\Z") | json_values
bodies = {
    "/api/tickets": right_tickets | broken_tickets | json_values,
    "/api/auth/phone": st.fixed_dictionaries({}, optional={"phone": phones}) | json_values,
    "/api/auth/phone/verify": st.fixed_dictionaries({}, optional={"phone": phones, "code": codes}) | json_values,
    "/api/auth/email": st.fixed_dictionaries({}, optional={"email": emails}) | json_values,
    "/api/auth/email/verify": st.fixed_dictionaries({}, optional={"token": link_tokens}) | json_values,
}
# What an answer may have written: only what its status says happened.
MAY_CHANGE = {
    ("/api/tickets", 201): None,
    ("/api/auth/phone", 200): None,
    ("/api/auth/phone", 429): {"counters"},
    ("/api/auth/phone/verify", 200): None,
    ("/api/auth/phone/verify", 401): {"codes"},
    ("/api/auth/phone/verify", 429): {"codes"},
    ("/api/auth/email", 200): None,
    ("/api/auth/email", 429): {"counters"},
}


@pytest.fixture
def fuzzing(api, deps):
    # Many phones from one client: the per-client limit would soon answer everything.
    bootstrap.override(replace(deps, settings=replace(deps.settings, codes_per_client_per_hour=1_000_000)))
    api.post("/api/auth/phone", {"phone": PHONE})
    return api, api.sign_in("+380671112233")


def throw(api, cookie, path, raw: bytes):
    before = api.snapshot()
    answer = api.post(path, raw=raw, headers=cookie)
    status = answer.status_code
    assert status < 500, answer.body
    if status >= 400:
        api.error(answer)
    changed = {table for table, rows in api.snapshot().items() if rows != before[table]}
    allowed = MAY_CHANGE.get((path, status), set())
    assert allowed is None or changed <= allowed, (status, answer.body, changed)


@pytest.mark.parametrize("path", list(bodies))
def test_generated_json_bodies_never_break_an_endpoint_or_write_half(fuzzing, path):
    api, cookie = fuzzing

    @EXAMPLES
    @given(body=bodies[path])
    def check(body):
        throw(api, cookie, path, json.dumps(body).encode())

    check()


@pytest.mark.parametrize("path", list(bodies))
def test_generated_bytes_never_break_an_endpoint_or_write_half(fuzzing, path):
    api, cookie = fuzzing

    @EXAMPLES
    @given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
    def check(raw):
        throw(api, cookie, path, raw)

    check()
