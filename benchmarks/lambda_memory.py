"""How much memory each Lambda function needs: the peak resident memory of its work,
each run in a fresh Python process of its own, sizes `lambda_memory_size` per function
in functions/.chalice/config.json (tests/infra/test_memory.py keeps the two in step).

- api_handler: one ticket's whole life through `chalice.test.Client` on the real app, on
  DynamoDB, S3 and SNS under moto. A resident signs in with a code by SMS, asks for three
  upload forms, and their browser's photos land in the bucket (written there directly);
  they file the ticket with the three photos, the heaviest request the API accepts (each
  just under MAX_PIXELS and MAX_BYTES, with a turned-camera orientation: decoded, turned
  and re-encoded one after the other), and read it back; an executor signs in with a
  password (argon2, 19 MiB of its own), accepts the ticket and reports it done; the
  resident confirms and rates it, and the public looks it up by number.
- minute_tick: the scheduled handler over DUE due tickets and a full batch of outbox
  messages (sent through SNS under moto), and the outage page's check.
- nightly_regeneration: the scheduled handler over benchmarks/regen.py's year of tickets
  and notices, filled into DynamoDB under moto (fewer tickets than regen's 100 000 on
  SQLite: moto fills slowly, and what the pages read, days x groups, is nearly all there
  at a few thousand tickets), publishing into a scratch folder (S3 on AWS).
- morning_digest: the scheduled handler at 08:30 city time over the same data, whose
  last tickets wait for their executors to accept them: one digest per organisation.
- baseline: moto started, one call to each service above (its backends load), nothing else.

Each process reads its resident memory once its data is in place (tables, bucket, filled
records: the world the function finds on AWS), resets its high-water mark there
(/proc/self/clear_refs) and reads the mark again at the end: the function's own peak,
`lambda_own_mb`, is the difference. The high-water mark (VmHWM, /proc/self/status) and not
getrusage's ru_maxrss: on Linux ru_maxrss carries the parent's peak across exec, so a child
of a big pytest process would report pytest's; and moto's copy of the filled data would
count too. moto lives in the same process as the function and inflates any whole-process
figure: `lambda_peak_mb` is the baseline process's peak plus the function's own, an upper
bound (moto is in it; the Lambda runtime's own few MB are not), the own figure a lower one
(moto loads botocore in the baseline, which the function loads on Lambda as well). Each
function is sized HEADROOM times `lambda_peak_mb`, at least Lambda's 128 MB, in Lambda's
1 MB steps.
"""

import json
import math
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from tools.fake_aws import FAKE_AWS_ENV, REGION

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "bench-memory-"
BUCKET = "bench-memory-photos"
FUNCTIONS = ("api_handler", "minute_tick", "nightly_regeneration", "morning_digest")
HEADROOM = 2
LAMBDA_MINIMUM_MB = 128
# The largest photo the API accepts: 4:3, just under photos.MAX_PIXELS (50 000 000).
LARGEST_PHOTO = (8160, 6120)
DUE = 50
REGEN_TICKETS, REGEN_NOTICES = 300, 40
PHONE = "+380501234567"


def memory_size(peak_mb: float) -> int:
    """The lambda_memory_size for a function whose raw peak is `peak_mb`."""
    return max(LAMBDA_MINIMUM_MB, math.ceil(HEADROOM * peak_mb))


def measure(photo: tuple = LARGEST_PHOTO, regen_tickets: int = REGEN_TICKETS,
            regen_notices: int = REGEN_NOTICES) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        photo_file = Path(tmp) / "photo.jpg"
        photo_file.write_bytes(_photo(*photo))
        workloads = {"baseline_moto": {}, "api_handler": {"photo": str(photo_file)}, "minute_tick": {},
                     "nightly_regeneration": {"tickets": regen_tickets, "notices": regen_notices},
                     "morning_digest": {"tickets": regen_tickets}}
        own = {name: _own_mb(name, options, Path(tmp)) for name, options in workloads.items()}
        photo_bytes = photo_file.stat().st_size
    baseline = own.pop("baseline_moto")
    peaks = {"baseline_moto": baseline} | {name: round(baseline + own[name], 1) for name in FUNCTIONS}
    return {
        "lambda_peak_mb": peaks,
        "lambda_own_mb": own,
        "lambda_memory_mb": {name: memory_size(peaks[name]) for name in FUNCTIONS},
        "lambda_memory_workload": {"photos": 3, "photo_pixels": photo[0] * photo[1], "photo_bytes": photo_bytes,
                                   "due": DUE, "outbox": _batch(), "regen_tickets": regen_tickets,
                                   "regen_notices": regen_notices, "headroom": HEADROOM},
    }


def fits_config(figures: dict) -> bool:
    """Whether config.json gives each function at least what its figures ask."""
    return all(configured_memory(name) >= size for name, size in figures["lambda_memory_mb"].items())


def configured_memory(function: str) -> int:
    config = json.loads((ROOT / "functions" / ".chalice" / "config.json").read_text())
    return config.get("lambda_functions", {}).get(function, {}).get("lambda_memory_size",
                                                                    config["lambda_memory_size"])


def _batch() -> int:
    from chalicelib.services.outbox import BATCH

    return BATCH


def _photo(width: int, height: int) -> bytes:
    """A JPEG of a smooth gradient (small in bytes, large in pixels) that a phone turned."""
    import io

    from PIL import ExifTags, Image

    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def _own_mb(workload: str, options: dict, tmp: Path) -> float:
    """The workload's peak less its memory when it began; the baseline's, its whole peak."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{ROOT}:{ROOT / 'functions'}", **FAKE_AWS_ENV}
    scratch = tmp / workload
    scratch.mkdir()
    out = subprocess.run([sys.executable, __file__, workload, json.dumps({**options, "tmp": str(scratch)})],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{workload} failed:\n{out.stderr}")
    began, peak = map(int, out.stdout.split()[-2:])
    return round((peak - began) / 1024, 1)


# --- in the fresh process -------------------------------------------------------------

def _run(workload: str, options: dict) -> None:
    from moto import mock_aws

    with mock_aws():
        if workload == "baseline_moto":
            import boto3

            for service, call in (("dynamodb", "list_tables"), ("s3", "list_buckets"), ("sns", "list_topics")):
                getattr(boto3.client(service, region_name=REGION), call)()
            print(0, _status("VmHWM"))
        else:
            {"api_handler": _ticket_life, "minute_tick": _minute_tick,
             "nightly_regeneration": _nightly, "morning_digest": _digest}[workload](options)
            print(BEGAN[0], _status("VmHWM"))


BEGAN = []


def _begin() -> None:
    """The data is in place: remember the memory now, and measure the peak from here."""
    BEGAN.append(_status("VmRSS"))
    Path("/proc/self/clear_refs").write_text("5")


def _status(field: str) -> int:
    """A figure of /proc/self/status, in kB."""
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith(field + ":"))
    return int(line.split()[1])


def _deps(clock, tmp: str, **changes):
    from chalicelib import bootstrap
    from chalicelib.adapters.dynamodb import create_tables
    from chalicelib.adapters.photos import create_bucket
    from chalicelib.settings import Settings

    create_tables(PREFIX, REGION)
    create_bucket(BUCKET, REGION)
    settings = Settings(backend="dynamodb", table_prefix=PREFIX, region=REGION, sms="sns", photos="s3",
                        photo_bucket=BUCKET, email_log=str(Path(tmp) / "email.log"),
                        site_dir=str(Path(tmp) / "site"), secret="bench", local=False, **changes)
    return bootstrap.build(settings, clock=clock)


def _client(deps):
    from chalice.test import Client

    from app import app
    from chalicelib import bootstrap

    bootstrap.override(deps)
    return Client(app)


def _ticket_life(options: dict) -> None:
    from chalicelib.adapters.clock import FixedClock
    from benchmarks.sweep import NOW
    from chalicelib.services import staff

    clock = FixedClock(NOW)
    deps = _deps(clock, options["tmp"])
    photo = Path(options["photo"]).read_bytes()
    _begin()
    with _client(deps) as client:
        def call(method, path, body=None, headers=None, expect=200):
            answer = client.http.request(method, path, body=b"" if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", **(headers or {})})
            if answer.status_code != expect:
                raise AssertionError(f"{method} {path}: {answer.status_code} {answer.body[:300]!r}")
            return answer

        call("POST", "/api/auth/phone?lang=uk", {"phone": PHONE})
        verified = call("POST", "/api/auth/phone/verify?lang=uk", {"phone": PHONE, "code": _last_code()})
        resident = {"Cookie": verified.headers["Set-Cookie"].split(";")[0]}
        keys = []
        for _ in range(3):
            form = call("POST", "/api/uploads", {"content_type": "image/jpeg", "size": len(photo), "filename": "p"},
                        resident, expect=201)
            keys.append(json.loads(form.body)["key"])
            deps.photos.write(keys[-1], photo, "image/jpeg")
        body = {"cause": "water.low-pressure", "lat": 48.4647, "lon": 35.0462, "photos": keys,
                "address": {"street": "yavornytskoho-ave", "house": "8", "entrance": "2", "flat": "14"},
                "description": "Weak cold water pressure on the upper floors since Friday."}
        filed = json.loads(call("POST", "/api/tickets", body, {**resident, "Idempotency-Key": "k-1"},
                                expect=201).body)
        call("GET", f"/api/tickets/{filed['id']}", headers=resident)

        organisation = deps.storage.tickets.get(filed["id"]).organisation
        _, password = staff.create(deps, "executor", "Executor", "executor", organisation)
        login = call("POST", "/api/admin/login", {"username": "executor", "password": password})
        executor = {"Cookie": login.headers["Set-Cookie"].split(";")[0]}
        for command, extra in (("accept", {}), ("report_done", {"note": "Pressure restored."})):
            clock.advance(timedelta(hours=1))
            version = deps.storage.tickets.get(filed["id"]).version
            call("POST", f"/api/admin/tickets/{filed['id']}/{command}", {"version": version, **extra}, executor)
        call("POST", f"/api/tickets/{filed['id']}/confirm", headers=resident)
        call("POST", f"/api/tickets/{filed['id']}/rate", {"stars": 5}, resident)
        call("GET", f"/api/public/tickets/{filed['number']}")


def _last_code() -> str:
    _, text = _sms_sent()[-1]
    return next(word for word in text.replace(".", " ").split() if word.isdigit() and len(word) == 6)


def _sms_sent() -> list:
    """(phone, text) of every SMS sent through SNS under moto."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


def _minute_tick(options: dict) -> None:
    from benchmarks import sweep
    from chalicelib.adapters.clock import FixedClock
    from chalicelib.domain.outbox import OutboxMessage

    deps = _deps(FixedClock(sweep.NOW), options["tmp"])
    for n in range(DUE):
        deps.storage.tickets.create(sweep._ticket(n, sweep.NOW - timedelta(hours=18, minutes=n + 1)), [])
    deps.storage.outbox.add([OutboxMessage(id=f"m-{n}", to=f"+38050{n:07d}", text=f"Request No. {n:07d} is accepted.",
                                           created_at=sweep.NOW, next_attempt_at=sweep.NOW, kind="filed")
                             for n in range(_batch())])
    _begin()
    said = _scheduled(deps, "minute_tick")
    if f"{{'deadlines': {{'acted': {DUE}}}, 'outbox': {{'sent': {_batch()}}}" not in said:
        raise AssertionError(f"not {DUE} reminders and a full batch sent: {said}")


def _nightly(options: dict) -> None:
    from benchmarks import regen
    from chalicelib.adapters.clock import FixedClock

    deps = _deps(FixedClock(regen.NOW), options["tmp"])
    regen.fill(deps, options["tickets"], options["notices"])
    _begin()
    said = _scheduled(deps, "nightly_regeneration")
    if "not due" in said or not any((Path(options["tmp"]) / "site").rglob("*.html")):
        raise AssertionError(f"the nightly regeneration published no page: {said}")


def _digest(options: dict) -> None:
    from benchmarks import regen
    from chalicelib.adapters.clock import FixedClock

    # 08:30 in Kyiv: the digest is due; the year's last tickets wait to be accepted.
    deps = _deps(FixedClock(regen.NOW + timedelta(hours=5)), options["tmp"])
    regen.fill(deps, options["tickets"], 0)
    _begin()
    said = _scheduled(deps, "morning_digest")
    if "'digests': 0" in said or "not due" in said:
        raise AssertionError(f"the morning digest queued nothing: {said}")


def _scheduled(deps, function: str) -> str:
    """Invoke a scheduled function as EventBridge does; what it logged it did."""
    import logging

    from chalicelib.jobs import schedule

    said = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: said.append(record.getMessage())
    schedule.log.addHandler(handler)
    schedule.log.setLevel(logging.INFO)
    with _client(deps) as client:
        event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                                resources=[], region=REGION)
        client.lambda_.invoke(function, event)
    return " ".join(said)


if __name__ == "__main__":
    _run(sys.argv[1], json.loads(sys.argv[2]))
