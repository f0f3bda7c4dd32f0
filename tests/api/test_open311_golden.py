"""Golden files: the exact bytes of every Open311 endpoint in XML and in JSON, for one
fixed data set built through the API itself with the test clock. A changed byte fails.

To change them on purpose, write them again and read the difference before committing:

    CITYDESK_WRITE_GOLDEN=1 .venv/bin/python -m pytest -q tests/api/test_open311_golden.py
    git diff tests/api/golden/open311/

A run that writes them fails, so it can never pass for a check.
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from tests.api.client import ticket
from tests.api.open311 import BASE, FORM, filing, get, partner_key, post, read
from tests.builders import NOW

GOLDEN = Path(__file__).parent / "golden" / "open311"
WRITE = os.environ.get("CITYDESK_WRITE_GOLDEN") == "1"
CALLER = "050 765 43 21"

# (golden file's name, path under /api/open311/v2/ with {fmt} and the data set's numbers)
GETS = [
    ("discovery", "discovery.{fmt}"),
    ("services", "services.{fmt}"),
    ("services-en", "services.{fmt}?locale=en"),
    ("service-definition", "services/water.low-pressure.{fmt}"),
    ("requests", "requests.{fmt}"),
    ("requests-extensions", "requests.{fmt}?extensions=true&locale=en"),
    ("requests-open-page", "requests.{fmt}?status=open&page=1&page_size=1"),
    ("request", "requests/{fixed}.{fmt}"),
    ("updates", "servicerequestupdates.{fmt}?start_date=2026-11-20T00:00:00Z&end_date=2026-11-23T09:00:00Z"),
    ("token-unknown", "tokens/12345.{fmt}"),
    ("service-unknown", "services/water.no-such-thing.{fmt}"),
    ("range-too-long", "requests.{fmt}?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z"),
]


def build(api) -> dict:
    """The data set, every step through the API at a fixed time; the answers it keeps.

    - a partner files a water request for a caller with a phone (20 Nov), which the
      executor takes into work and reports done;
    - a resident files a pothole on the web (21 Nov), whose text the operator publishes;
    - an operator files the same pothole for a caller (22 Nov) and merges it into the first;
    - the partner files a waste request with no phone (22 Nov), which the operator rejects.
    """
    clock, key = api.deps.clock, partner_key(api.deps)
    operator, executor = api.staff("operator"), api.staff("executor", "dniprovodokanal")
    kept = {}

    def staff_take(headers, number, command, **fields):
        found = api.deps.storage.tickets.by_number(number)
        taken = api.post(f"/api/admin/tickets/{found.id}/{command}", {"version": found.version, **fields},
                         headers=headers)
        assert taken.status_code == 200, taken.body

    clock.set(NOW - timedelta(days=3))
    for fmt in ("xml", "json"):
        # The same Idempotency-Key: the second answer is the first request's, in JSON.
        filed = post(api, {"api_key": key, **filing(phone=CALLER, first_name="Ivan", last_name="Petrenko",
                                                    media_url="https://photos.example.org/p/1.jpg")},
                     fmt, headers={"Idempotency-Key": "golden-1"})
        assert filed.status_code == 201, filed.body
        kept[f"filed.{fmt}"] = filed.body
    fixed = read(filed)[0]["service_request_id"]
    clock.advance(timedelta(hours=1))
    staff_take(executor, fixed, "accept")
    clock.advance(timedelta(hours=20))
    staff_take(executor, fixed, "report_done", note="Valve replaced in the basement.")

    clock.set(NOW - timedelta(days=2))
    resident = api.sign_in("+380501112233")
    pothole = api.post("/api/tickets", ticket(cause="roads.pothole", photos=[], lat=None, lon=None,
                                               address={"street": "voskresenska", "house": "12/1"},
                                               description="A deep pothole at the crossing."), headers=resident)
    assert pothole.status_code == 201, pothole.body
    first = api.json(pothole)["number"]
    clock.advance(timedelta(hours=2))
    staff_take(operator, first, "publish", public=True)

    clock.set(NOW - timedelta(days=1))
    again = api.post("/api/admin/tickets", {
        **ticket(cause="roads.pothole", photos=None, address={"street": "voskresenska", "house": "12/1"},
                 description="The same pothole, caller says it is getting bigger."),
        "caller": {"phone": "+380507776655", "name": "Maria"}, "channel": "phone"}, headers=operator)
    assert again.status_code == 201, again.body
    clock.advance(timedelta(minutes=30))
    staff_take(operator, api.json(again)["number"], "merge", into=first)

    clock.advance(timedelta(hours=3))
    waste = post(api, {"api_key": key, **filing(service_code="waste.overflowing",
                                                address_string="8 Dmytra Yavornytskoho Avenue, Dnipro",
                                                description="The bins by the stop are overflowing.")})
    assert waste.status_code == 201, waste.body
    clock.advance(timedelta(hours=1))
    staff_take(operator, api.json(waste)[0]["service_request_id"], "reject", reason="A private yard: not the city's.")

    clock.set(NOW)
    return {"kept": kept, "fixed": fixed}


def check(name: str, body: bytes) -> None:
    path = GOLDEN / name
    if WRITE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        pytest.fail(f"wrote {path}: review `git diff {GOLDEN}` and run again without CITYDESK_WRITE_GOLDEN")
    assert path.exists(), f"no golden file {path}: write it as this module's docstring says"
    assert body == path.read_bytes(), (
        f"{name} is not its golden file's bytes. If the change is meant, write the files again "
        f"(CITYDESK_WRITE_GOLDEN=1, see this module's docstring) and review the diff.")


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("name, path", GETS, ids=[name for name, _ in GETS])
def test_each_get_answers_its_golden_bytes(api, name, path, fmt):
    data = build(api)

    answer = get(api, path.format(fmt=fmt, fixed=data["fixed"]))

    check(f"{name}.{fmt}", answer.body)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_filing_answers_its_golden_bytes(api, fmt):
    data = build(api)

    check(f"filed.{fmt}", data["kept"][f"filed.{fmt}"])


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_missing_key_answers_its_golden_bytes(api, fmt):
    build(api)

    answer = api.client.http.post(f"{BASE}/requests.{fmt}?locale=en", body=b"service_code=water.low-pressure",
                                  headers={"Content-Type": FORM})

    check(f"key-missing.{fmt}", answer.body)


def test_the_golden_files_are_exactly_the_ones_the_tests_check():
    names = {f"{name}.{fmt}" for name, _ in GETS for fmt in ("xml", "json")}
    names |= {f"{name}.{fmt}" for name in ("filed", "key-missing") for fmt in ("xml", "json")}

    assert {path.name for path in GOLDEN.iterdir()} == names
