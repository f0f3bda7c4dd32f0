"""`make load`: simulated residents sign in and file tickets with photos against the
local server, on SQLite and on the DynamoDB adapters over moto, while the tick runs
and the staff work the queue; then the server's storage is read (benchmarks.load_census):
every ticket a client was answered 201 for must be stored exactly once, with its
history and its "filed" SMS. Throughput and latency go under `load` in
benchmarks/results.json; benchmarks/README.md says what each figure is.

    PYTHONPATH=functions:. python -m benchmarks.load [--residents 200] [--seconds 60] [--backend sqlite|dynamodb]

Each resident is a real HTTP client doing what the portal's scripts do: asks for a
sign-in code, reads it from the server's SMS log and signs in; reads the categories
and streets; then until the time is up: looks for similar tickets, asks for an upload
form, uploads a small JPEG with it, and files the ticket under a fresh Idempotency-Key,
sending the same POST again as a flaky phone would (after the answer, or at the same
time), and looks at the cabinet. An operator moves tickets to other executors, and
the executors accept theirs. The tick runs every TICK_SECONDS instead of every minute,
so that its sends race the requests' own.
"""

import argparse
import io
import json
import math
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urljoin

import requests

from benchmarks import load_census, results
from benchmarks.load_census import Filed
from local.server_process import ServerProcess

RESIDENTS, SECONDS = 200, 60
# The figures' name of each backend -> the local server's --backend.
BACKENDS = {"sqlite": "sqlite", "dynamodb": "moto"}
TICK_SECONDS = 2
# Seconds one request may take. The local server answers one API request at a time
# (as one Lambda container does), so under load a request mostly waits its turn.
TIMEOUT = 120
# A filing that got no answer goes again (same key) a second later, until this long
# after the time is up.
GRACE = 120
RETRY_SECONDS = 1
# Of every REPEAT_EVERY filings of a resident, the first is sent twice at once and the
# second again after its answer.
REPEAT_EVERY = 4
LANG = "uk"
PHONES = "+38093{:07d}"
# Every resident signs in, uploads and is texted from one address (127.0.0.1) within
# the hour: the limits against abuse are raised far beyond what the load reaches.
RAISED = "1000000"
LIMITS = {name: RAISED for name in ("CITYDESK_CODES_PER_CLIENT_PER_HOUR", "CITYDESK_UPLOADS_PER_HOUR",
                                    "CITYDESK_SMS_PER_PHONE_PER_DAY", "CITYDESK_SMS_PER_DAY")}
CODE = re.compile(r"\b(\d{6})\b")
# What the server logs when something failed that no answer shows (the tick's own errors).
SERVER_ERROR = re.compile(r"^(ERROR|CRITICAL) |^Traceback ")
PHOTO_SIZE = (640, 480)


def measure(residents: int = RESIDENTS, seconds: float = SECONDS, backends=tuple(BACKENDS)) -> dict:
    return {"load": {name: run(BACKENDS[name], residents, seconds) for name in backends}}


def passed(figures: dict) -> bool:
    return (figures["tickets"] > 0 and figures["lost"] == 0 and figures["duplicated"] == 0
            and figures["staff_lost"] == 0 and figures["errors"] == 0)


def run(backend: str, residents: int, seconds: float) -> dict:
    """One backend's figures: the load on a fresh server, then the census of its storage."""
    with tempfile.TemporaryDirectory(prefix=f"citydesk-load-{backend}-") as tmp:
        var = Path(tmp)
        server = ServerProcess(backend, var, env=LIMITS, args=("--tick-seconds", str(TICK_SECONDS)))
        try:
            seen, elapsed = drive(server, residents, seconds)
            sms = load_census.sms_log(var / "sms.log")
            census = (load_census.of_sqlite(var / "citydesk.sqlite3", sms) if backend == "sqlite"
                      else load_census.of_dynamodb(server.dynamodb_endpoint, sms))
        finally:
            status = server.stop()
        server_errors = [line for line in server.lines if SERVER_ERROR.match(line)]
        if status != 0:
            server_errors.append(f"the server ended with status {status}")
    found = load_census.verdict(seen.filed, seen.repeats, seen.staff, census)
    return figures(seen, found, server_errors, residents, seconds, elapsed)


def drive(server: ServerProcess, residents: int, seconds: float) -> tuple:
    """(what the clients saw, seconds from the first request to the last answer)."""
    seen = Seen()
    codes = SmsCodes(server.var / "sms.log")
    photo = small_jpeg()
    accounts = json.loads((server.var / "demo-accounts.json").read_text(encoding="utf-8"))
    started = time.monotonic()
    until, give_up = started + seconds, started + seconds + GRACE
    workers = [worker(seen, f"resident {n}", Resident(n, server.url, seen, codes, photo, until, give_up).run)
               for n in range(1, residents + 1)]
    workers += [worker(seen, "operator", operator, server.url, seen, accounts, until),
                worker(seen, "executors", executors, server.url, seen, accounts, until)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return seen, time.monotonic() - started


def worker(seen: "Seen", name: str, work, *args) -> threading.Thread:
    """A thread doing `work`; if it fails on what it was answered, the failure is counted."""
    def run():
        try:
            work(*args)
        except Exception as error:
            seen.add("crashed", f"{name} stopped: {type(error).__name__}: {error}")

    return threading.Thread(target=run, name=name)


def figures(seen: "Seen", found: load_census.Verdict, server_errors: list, residents: int, seconds: float,
            elapsed: float) -> dict:
    times = sorted(ms for _, _, ms in seen.samples)
    filing = sorted(ms for name, _, ms in seen.samples if name == "file")
    unexpected = [f"{name} answered {status} {code}: {count} times"
                  for (name, status, code), count in sorted(seen.unexpected.items())]
    unexpected += [f"{name} got no answer ({error}): {count} times"
                   for (name, error), count in sorted(seen.no_answer.items())]
    out = {
        "residents": residents, "seconds": seconds, "elapsed_s": round(elapsed, 1),
        "requests": len(times), "requests_per_s": round(len(times) / elapsed, 1),
        "tickets": found.tickets, "tickets_per_s": round(found.tickets / elapsed, 2),
        "repeats": len(seen.repeats), "lost": found.lost, "duplicated": found.duplicated,
        "unacknowledged": found.unacknowledged, "staff_commands": found.staff_commands,
        "staff_lost": found.staff_lost, "staff_refused": seen.refused, "sms_sent": found.sms_sent,
        "sms_held": found.sms_held, "no_answer": sum(seen.no_answer.values()),
        "errors": sum(seen.unexpected.values()) + sum(seen.no_answer.values()) + len(seen.crashed)
        + len(server_errors),
        "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "p99_ms": percentile(times, 99),
        "file_p50_ms": percentile(filing, 50), "file_p95_ms": percentile(filing, 95),
    }
    problems = unexpected + seen.crashed[:load_census.SHOWN] + server_errors[:load_census.SHOWN] + found.problems
    return {**out, "problems": problems} if problems else out


def percentile(ordered: list, p: float) -> float:
    """The nearest-rank percentile of the sorted values; 0 for none."""
    if not ordered:
        return 0
    return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 1)


def small_jpeg() -> bytes:
    """A small photo, as the portal sends it after shrinking a camera's (only smaller)."""
    from PIL import Image

    image = Image.linear_gradient("L").resize(PHOTO_SIZE).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Seen:
    """What the clients saw, written from many threads: each request's name, status
    (0: no answer) and time in ms; the answers not expected; the receipts; the staff
    commands done and refused."""

    def __init__(self):
        self._lock = threading.Lock()
        self.samples = []
        self.unexpected = Counter()  # (request, status, error code) -> times
        self.no_answer = Counter()  # (request, exception) -> times
        self.filed = []  # Filed of each first 201
        self.repeats = []  # Filed of each 201 to a repeated POST
        self.staff = []  # (ticket id, command, version after)
        self.refused = 0  # staff commands refused as stale or on a ticket moved away: 409, 404
        self.crashed = []  # what stopped a simulated person

    def sample(self, name: str, answer, seconds: float) -> None:
        with self._lock:
            self.samples.append((name, answer.status_code if answer is not None else 0, seconds * 1000))

    def note_unexpected(self, name: str, answer) -> None:
        try:
            code = answer.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = ""
        with self._lock:
            self.unexpected[(name, answer.status_code, code)] += 1

    def note_no_answer(self, name: str, error: Exception) -> None:
        with self._lock:
            self.no_answer[(name, type(error).__name__)] += 1

    def add(self, what: str, value) -> None:
        with self._lock:
            getattr(self, what).append(value)

    def count_refused(self) -> None:
        with self._lock:
            self.refused += 1


class Client:
    """One browser's connection: its cookies, every request timed into `seen`."""

    def __init__(self, base: str, seen: Seen):
        self.base = base
        self.seen = seen
        self.http = requests.Session()
        self.http.headers.update({"Accept": "application/json", "Accept-Language": LANG})

    def call(self, name: str, method: str, path: str, expect=(200,), **options):
        """The answer, or None if none came (timed out, connection lost). An answer
        whose status is not in `expect` is counted as unexpected."""
        started = time.perf_counter()
        try:
            answer = self.http.request(method, urljoin(self.base, path), timeout=TIMEOUT, **options)
        except requests.RequestException as error:
            answer = None
            self.seen.note_no_answer(name, error)
        self.seen.sample(name, answer, time.perf_counter() - started)
        if answer is not None and answer.status_code not in expect:
            self.seen.note_unexpected(name, answer)
        return answer

    def twin(self) -> "Client":
        """A second connection of the same browser (its cookies)."""
        other = Client(self.base, self.seen)
        other.http.cookies.update(self.http.cookies)
        return other


def answered(answer, status: int = 200) -> bool:
    return answer is not None and answer.status_code == status


class SmsCodes:
    """The sign-in codes in the server's SMS log, read as it grows (by every resident)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._read = 0
        self._last = {}  # phone -> text of the last SMS to it

    def code_for(self, phone: str) -> str:
        with self._lock:
            if self.path.exists():
                with self.path.open("rb") as log:
                    log.seek(self._read)
                    chunk = log.read()
                # A line being written has no end yet: it is read next time.
                complete = chunk[:chunk.rfind(b"\n") + 1]
                self._read += len(complete)
                for line in complete.splitlines():
                    sms = json.loads(line)
                    self._last[sms["to"]] = sms["text"]
            found = CODE.search(self._last.get(phone, ""))
        return found.group(1) if found else ""


class Resident:
    def __init__(self, n: int, base: str, seen: Seen, codes: SmsCodes, photo: bytes, until: float,
                 give_up: float):
        self.phone = PHONES.format(n)
        self.client = Client(base, seen)
        self.seen = seen
        self.codes = codes
        self.photo = photo
        self.until, self.give_up = until, give_up
        self.random = random.Random(n)

    def run(self) -> None:
        if not self.sign_in():
            return
        topics = self.client.call("categories", "GET", f"/api/categories?lang={LANG}")
        streets = self.client.call("streets", "GET", f"/api/streets?q=&lang={LANG}")
        if not (answered(topics) and answered(streets)):
            return
        causes = [cause["code"] for topic in topics.json() for cause in topic["causes"]]
        streets = streets.json()
        filings = 0
        while time.monotonic() < self.until:
            self.file_one(self.random.choice(causes), self.random.choice(streets), filings)
            filings += 1

    def sign_in(self) -> bool:
        asked = self.client.call("sign_in_code", "POST", f"/api/auth/phone?lang={LANG}", json={"phone": self.phone})
        if not answered(asked):
            return False
        code = self.codes.code_for(self.phone)
        verified = self.client.call("sign_in", "POST", f"/api/auth/phone/verify?lang={LANG}",
                                    json={"phone": self.phone, "code": code})
        return answered(verified) and answered(self.client.call("me", "GET", "/api/me"))

    def file_one(self, cause: str, street: dict, n: int) -> None:
        """One ticket with one photo, as the report page sends it."""
        client = self.client
        # The address field's suggestions, as the street's first letters are typed.
        client.call("streets", "GET", "/api/streets?" + urlencode({"q": street["name"][:3], "lang": LANG}))
        house = str(self.random.randint(1, 150))
        client.call("similar", "GET", "/api/tickets/similar?" + urlencode(
            {"cause": cause, "street": street["code"], "house": house, "lang": LANG}))
        form = client.call("upload_form", "POST", "/api/uploads", expect=(201,),
                           json={"content_type": "image/jpeg", "size": len(self.photo), "filename": "photo.jpg"})
        if not answered(form, 201):
            return
        form = form.json()
        # What S3 answers a presigned POST: 204 by default.
        uploaded = client.call("upload", "POST", form["url"], expect=(200, 201, 204), data=form["fields"],
                               files={"file": ("photo.jpg", self.photo, "image/jpeg")})
        if uploaded is None or uploaded.status_code not in (200, 201, 204):
            return
        key = uuid.uuid4().hex
        body = {"cause": cause, "address": {"street": street["code"], "house": house, "flat": str(n + 1)},
                "description": load_census.description(key), "photos": [form["key"]]}
        if n % REPEAT_EVERY == 0:
            first, second = self.file_twice_at_once(body, key)
        else:
            first = self.file(client, body, key)
            second = self.file(client, body, key) if first and n % REPEAT_EVERY == 1 else None
        if first:
            self.seen.add("filed", first)
        if second:
            self.seen.add("repeats" if first else "filed", second)
        if n % 3 == 2:
            client.call("cabinet", "GET", f"/api/tickets?lang={LANG}")

    def file(self, client: Client, body: dict, key: str) -> Filed | None:
        """The receipt of filing `body` under `key`, sent again while no answer comes,
        as the portal does when the connection returns; None if none came in time."""
        while True:
            answer = client.call("file", "POST", f"/api/tickets?lang={LANG}", expect=(201,), json=body,
                                 headers={"Idempotency-Key": key})
            if answer is not None:
                if answer.status_code != 201:
                    return None
                receipt = answer.json()
                return Filed(key=key, phone=self.phone, id=receipt["id"], number=receipt["number"])
            if time.monotonic() > self.give_up:
                return None
            time.sleep(RETRY_SECONDS)

    def file_twice_at_once(self, body: dict, key: str) -> tuple:
        """A phone that sent the POST again before the first answer came: two connections."""
        twin = self.client.twin()
        answers = {}
        other = threading.Thread(target=lambda: answers.update(second=self.file(twin, body, key)))
        other.start()
        answers["first"] = self.file(self.client, body, key)
        other.join()
        return answers["first"], answers["second"]


def staff_client(base: str, seen: Seen, account: dict) -> Client | None:
    client = Client(base, seen)
    signed_in = client.call("staff_sign_in", "POST", "/api/admin/login",
                            json={"username": account["username"], "password": account["password"]})
    return client if answered(signed_in) else None


def command(client: Client, seen: Seen, ticket_id: str, name: str, body: dict) -> None:
    """Take a staff command on the ticket as its detail shows it now; a command refused
    because the ticket changed meanwhile, or moved to another executor, is counted."""
    path = f"/api/admin/tickets/{ticket_id}"
    detail = client.call("staff_ticket", "GET", path, expect=(200, 404))
    if not answered(detail):
        seen.count_refused()
        return
    done = client.call(name, "POST", f"{path}/{name}", expect=(200, 404, 409),
                       json={"version": detail.json()["version"], **body})
    if answered(done):
        seen.add("staff", (ticket_id, name, done.json()["version"]))
    elif done is not None and done.status_code in (404, 409):
        seen.count_refused()


def assigned(client: Client, limit: int) -> list:
    """The ids on the first page of the assigned tickets the client sees, newest deadline first."""
    page = client.call("queue", "GET", f"/api/admin/tickets?state=assigned&order=desc&limit={limit}")
    return [row["id"] for row in page.json()["tickets"]] if answered(page) else []


def operator(base: str, seen: Seen, accounts: list, until: float) -> None:
    """The operator moves a ticket of the queue to another executor, one after another."""
    account = next(a for a in accounts if a["role"] == "operator")
    organisations = [a["organisation"] for a in accounts if a["role"] == "executor"]
    client = staff_client(base, seen, account)
    pick = random.Random(0)
    while client and time.monotonic() < until:
        found = assigned(client, 10)
        if not found:
            time.sleep(0.2)  # an empty queue: the operator looks again in a moment
            continue
        command(client, seen, pick.choice(found), "route",
                {"organisation": pick.choice(organisations), "note": "Передано за належністю."})


def executors(base: str, seen: Seen, accounts: list, until: float) -> None:
    """Each executor in turn accepts the newest of their assigned tickets."""
    clients = [client for client in (staff_client(base, seen, a) for a in accounts if a["role"] == "executor")
               if client]
    while clients and time.monotonic() < until:
        worked = False
        for client in clients:
            for ticket_id in assigned(client, 1):
                command(client, seen, ticket_id, "accept", {})
                worked = True
        if not worked:
            time.sleep(0.2)  # nothing assigned to anyone: they look again in a moment


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=RESIDENTS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--backend", action="append", choices=tuple(BACKENDS),
                        help="one backend (given twice, both); both by default")
    args = parser.parse_args(argv)
    measured = measure(args.residents, args.seconds, tuple(dict.fromkeys(args.backend or BACKENDS)))
    # The backends not run now keep their figures.
    results.merge({"load": {**results.read().get("load", {}), **measured["load"]}})
    print(json.dumps(measured, indent=2, ensure_ascii=False))
    failed = [name for name, found in measured["load"].items() if not passed(found)]
    if failed:
        print("lost, duplicated or failed on:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
