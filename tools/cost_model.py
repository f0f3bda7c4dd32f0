"""What citydesk costs on AWS a month at 1 000, 10 000 and 100 000 tickets, counted from
a real run and priced at public AWS prices with only the always-free allowances.

    PYTHONPATH=functions:. .venv/bin/python -m tools.cost_model

1. Counting (`count`). One ticket's whole life runs through the real API (the Chalice
   test client, the production wiring) on DynamoDB, S3, SNS and SES under moto: the
   resident looks up the categories and streets, signs in by SMS code, asks for an upload
   form and uploads a photo with it (a browser's POST to S3), files, looks at the cabinet
   and the ticket; the operator and the executor open the queue and the ticket; the
   executor accepts, uploads a photo and reports the work done with it; the resident looks
   again, confirms and rates; someone opens the public status page. A minute tick runs
   after each step, as EventBridge would run it in the minutes between them. botocore's
   event hooks count every AWS request the code makes:
   - DynamoDB request units, computed from the items as DynamoDB bills on-demand tables
     (moto answers ReturnConsumedCapacity with 1 write or 0.5 read whatever the size, so
     its figure is not used). An item's size is DynamoDB's: the UTF-8 length of each
     attribute name plus its value (strings their UTF-8 bytes, numbers 1 byte per two
     significant digits plus 1, binary their bytes, booleans and null 1, lists and maps 3
     plus their elements plus 1 per element). The items are the ones the requests and
     answers carry, and where they do not carry the whole item (an update, a delete, a
     conditional write, a query that counts or filters) the item as stored, read before
     and after the request by a client the hooks do not see.
     Writes: 1 unit per started KB of the larger of the item before and after, at least
     1; a transaction's items 2 units per KB (a ConditionCheck too); a write whose
     condition fails still costs its units. Each global secondary index the item is in,
     before or after, costs 1 unit per KB of its index entry (the projected attributes,
     the table's and the index's keys, plus 100 bytes) when the entry is put, changed or
     removed, and 2 when the index key changes (a delete and a put).
     Reads: GetItem and each key of a BatchGetItem 1 unit per started 4 KB of the item,
     at least 1; Query and Scan 1 unit per started 4 KB of all the items they read (before
     any filter), at least 1 per request; halved for eventually consistent reads (and
     every index query is one); a TransactGetItems item 2 per 4 KB.
   - S3 requests by tier: PUT/COPY/POST/LIST and GET/HEAD (a presigned GET handed to the
     browser counts as the browser's GET of it, once); SNS SMS publishes and their
     segments; SES e-mails; CloudFront invalidation paths.
   - API requests: each test client call is one API Gateway (HTTP API) request, one CloudFront
     request and one Lambda invocation; its duration is timed (in-process, under moto,
     on this machine: an estimate of Lambda's billed milliseconds, not a measurement of it).
   Per-month counts that do not depend on tickets: an idle minute tick (43 200 a month)
   and an hourly nightly call (720 a month, 30 of which regenerate the pages: one
   regeneration is measured, its S3 requests and the paths it invalidates).
   Storage: what the tables (with their index entries and DynamoDB's 100 bytes per item)
   and the photo bucket hold more after the ticket's life than before it.

2. Pricing (`price`): PRICES below, each with the public page it comes from.

The DynamoDB, Lambda, API Gateway, S3 and SES prices found are US East (N. Virginia)'s:
the stored pricing pages list no Frankfurt (eu-central-1) figures, where the template
deploys, and Frankfurt's are somewhat higher. So the figures are us-east-1 prices applied
to the counts; `PRICES` is the one place to put Frankfurt's. SMS prices per country were
not found either: the table gives SMS per ticket in messages and segments, and prices
them only where PRICES["sms_per_segment"] has the country.
"""

import argparse
import json
import math
import re
import statistics
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tools.fake_aws import REGION, fake_aws

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "functions" / ".chalice" / "config.json"
TEMPLATE = ROOT / "infra" / "template.json"
PREFIX = "cost-"
PHOTOS_BUCKET, SITE_BUCKET = "cost-model-photos", "cost-model-site"
# Monday 23 November 2026, 11:00 in Kyiv: daytime, so every SMS goes out at once.
START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
MINUTE_TICKS = 30 * 24 * 60
NIGHTLY_CALLS = 30 * 24
DIGEST_CALLS = 30 * 24  # the hourly morning_digest; it acts once a day
REGENERATIONS = 30
SIZES = (1_000, 10_000, 100_000)
KB, FOUR_KB = 1024, 4096
INDEX_OVERHEAD = ITEM_OVERHEAD = 100
READ = "read 2026-11-23"

# Price, unit, and the page it was read from. US East (N. Virginia) unless said otherwise.
PRICES = {
    "dynamodb_write_unit": (0.625e-6, "per write request unit, on demand",
                            "https://airbyte.com/data-engineering-resources/dynamodb-pricing (US East, after the "
                            "November 2024 cut)"),
    "dynamodb_read_unit": (0.125e-6, "per read request unit, on demand",
                           "https://airbyte.com/data-engineering-resources/dynamodb-pricing (US East)"),
    "dynamodb_gb_month": (0.25, "per GB-month stored, first 25 GB a month free, does not expire",
                          "https://aws.amazon.com/dynamodb/pricing/"),
    "lambda_request": (0.20e-6, "per request, 1 M a month free, does not expire",
                       "https://unanswered.io/guide/aws-lambda-pricing-after-free-tier"),
    "lambda_arm_gb_second": (0.0000133334, "per GB-second on Arm, 400 000 GB-s a month free",
                             "https://cloudchipr.com/blog/aws-lambda-pricing (US East)"),
    "api_gateway_http_request": (1.00e-6, "per HTTP API request (first 300 M; metered in 512 KB steps, every "
                                 "request here is far smaller); free tier only 12 months",
                                 "https://awsforengineers.com/blog/aws-api-gateway-pricing-explained (US East); "
                                 "https://docs.aws.amazon.com/whitepapers/latest/"
                                 "best-practices-api-gateway-private-apis-integration/cost-optimization.html; "
                                 "https://aws.amazon.com/api-gateway/pricing/"),
    "s3_put_request": (0.005e-3, "per PUT, COPY, POST or LIST request (S3 Standard); free tier only 12 months",
                       "https://c3x.dev/blog/s3-request-fees-explained"),
    "s3_get_request": (0.0004e-3, "per GET or HEAD request (S3 Standard)",
                       "https://c3x.dev/blog/s3-request-fees-explained"),
    "cloudfront_request": (None, "10 M requests and 1 TB out a month free (always free); beyond, not priced here",
                           "https://aws.amazon.com/cloudfront/pricing"),
    "cloudfront_invalidation_path": (0.005, "per path beyond the first 1 000 a month",
                                     "https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/"
                                     "cloudfront.html"),
    "ses_email": (0.10e-3, "per e-mail (the free 62 000 a month are for senders on EC2 only)",
                  "https://www.acecloudinterviews.com/tutorials/aws/ses/; https://aws.amazon.com/ses/faqs/"),
    "secret_month": (0.40, "per secret a month (the template resolves it at deploy time: no API calls)",
                     "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms"),
    "s3_gb_month": (None, "S3 Standard storage: no price page found in the stored pages; not priced",
                    "https://aws.amazon.com/s3/pricing/"),
    "sms_per_segment": ({}, "SNS SMS per country: no per-country price page found in the stored pages",
                        "https://aws.amazon.com/sns/sms-pricing/"),
}
FREE = {"lambda_requests": 1_000_000, "lambda_gb_seconds": 400_000, "dynamodb_gb": 25,
        "cloudfront_requests": 10_000_000, "cloudfront_invalidation_paths": 1_000}
SMS_COUNTRIES = ("UA", "PL", "DE")


# --- DynamoDB's item sizes and units ------------------------------------------------

def value_size(value: dict) -> int:
    """DynamoDB's size of one attribute value (its wire form, {"S": ...})."""
    (kind, data), = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return _number_size(data)
    if kind == "B":
        return len(data) if isinstance(data, (bytes, bytearray)) else len(data.encode())
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in data)
    if kind == "NS":
        return sum(_number_size(n) for n in data)
    if kind == "BS":
        return sum(len(b) for b in data)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in data)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in data.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0").rstrip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def item_size(item: dict | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int, transactional: bool = False) -> int:
    return max(1, math.ceil(size / KB)) * (2 if transactional else 1)


def read_units(size: int, consistent: bool, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / FOUR_KB))
    if transactional:
        return 2 * units
    return units if consistent else units / 2


# --- the counting --------------------------------------------------------------------

@dataclass
class Counts:
    """What a stretch of work asked of AWS."""

    dynamodb_write_units: float = 0
    dynamodb_read_units: float = 0
    dynamodb_requests: Counter = field(default_factory=Counter)
    write_units_by_table: Counter = field(default_factory=Counter)
    read_units_by_table: Counter = field(default_factory=Counter)
    s3: Counter = field(default_factory=Counter)  # "put" (PUT/COPY/POST/LIST) and "get" (GET/HEAD)
    sms: int = 0
    sms_segments: int = 0
    emails: int = 0
    invalidation_paths: int = 0
    api_requests: int = 0
    lambda_ms: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "dynamodb_write_units": self.dynamodb_write_units, "dynamodb_read_units": self.dynamodb_read_units,
            "dynamodb_requests": dict(sorted(self.dynamodb_requests.items())),
            "write_units_by_table": dict(sorted(self.write_units_by_table.items())),
            "read_units_by_table": dict(sorted(self.read_units_by_table.items())),
            "s3_requests": dict(sorted(self.s3.items())), "sms": self.sms, "sms_segments": self.sms_segments,
            "emails": self.emails, "invalidation_paths": self.invalidation_paths, "api_requests": self.api_requests,
            "lambda_ms": round(sum(self.lambda_ms), 1),
        }


class Meter:
    """botocore hooks that add each AWS request of the code under them to `counts`.
    `peek` is a DynamoDB client they do not see, to read items as stored."""

    def __init__(self, tables: dict, peek):
        self.tables = tables  # table name -> chalicelib.adapters.dynamodb.Table
        self.peek = peek
        self.counts = Counts()

    def attach(self, *emitters) -> None:
        for events in emitters:
            events.register("before-call", self._before)
            events.register("after-call", self._after)
            events.register("before-parameter-build.s3.GetObject", self._presigned)

    def detach(self, *emitters) -> None:
        for events in emitters:
            events.unregister("before-call", self._before)
            events.unregister("after-call", self._after)
            events.unregister("before-parameter-build.s3.GetObject", self._presigned)

    @contextmanager
    def measuring(self, counts: Counts):
        saved, self.counts = self.counts, counts
        try:
            yield counts
        finally:
            self.counts = saved

    # botocore calls these with the request as the client will send it ("before-call")
    # and with the parsed answer ("after-call"); the context carries one to the other.
    def _before(self, model, params, context, **_):
        if model.service_model.service_name == "dynamodb":
            body = json.loads(params.get("body") or b"{}")
            context["cost_params"] = body
            context["cost_before"] = {key: self._stored(table, key_value)
                                      for key, (table, key_value) in _written_keys(model.name, body).items()}

    def _presigned(self, params, context, **_):
        if context.get("is_presign_request"):
            self.counts.s3["get"] += 1

    def _after(self, model, parsed, context, **_):
        service, name = model.service_model.signing_name, model.name
        if service == "dynamodb":
            self._dynamodb(name, context.get("cost_params", {}), parsed, context.get("cost_before", {}))
        elif service == "s3" and name not in ("DeleteObject", "DeleteObjects"):  # deletes are free
            self.counts.s3["get" if name in ("GetObject", "HeadObject") else "put"] += 1
        elif service == "sns" and name == "Publish":
            self.counts.sms += 1
        elif service in ("ses", "sesv2") and name.startswith("Send"):
            self.counts.emails += 1
        elif service == "cloudfront" and name == "CreateInvalidation":
            self.counts.invalidation_paths += context.get("cost_paths", 0)

    # --- DynamoDB ---

    def _stored(self, table: str, key: dict) -> dict | None:
        return self.peek.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def _dynamodb(self, name: str, body: dict, parsed: dict, before: dict) -> None:
        counts = self.counts
        counts.dynamodb_requests[name] += 1
        failed = "Error" in parsed
        if name in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"):
            for key, (table, key_value) in _written_keys(name, body).items():
                old = before.get(key)
                new = None if failed else self._stored(table, key_value)
                action = key[0]
                size = item_size(old) if action in ("Delete", "ConditionCheck") else max(item_size(old),
                                                                                        item_size(new))
                units = write_units(size, transactional=name == "TransactWriteItems")
                if action != "ConditionCheck" and not failed:
                    units += self._index_units(table, old, new)
                counts.dynamodb_write_units += units
                counts.write_units_by_table[_short(table)] += units
        elif name == "GetItem":
            self._read(body["TableName"], read_units(item_size(parsed.get("Item")), body.get("ConsistentRead", False)))
        elif name == "BatchGetItem":
            for table, request in body.get("RequestItems", {}).items():
                found = parsed.get("Responses", {}).get(table, [])
                keys = request.get("Keys", [])
                sizes = [item_size(item) for item in found] + [0] * max(0, len(keys) - len(found))
                consistent = request.get("ConsistentRead", False)
                self._read(table, sum(read_units(size, consistent) for size in sizes))
        elif name == "TransactGetItems":
            for entry, answer in zip(body.get("TransactItems", []), parsed.get("Responses", [])):
                self._read(entry["Get"]["TableName"], read_units(item_size(answer.get("Item")), True, True))
        elif name in ("Query", "Scan"):
            consistent = body.get("ConsistentRead", False) and "IndexName" not in body
            self._read(body["TableName"], read_units(self._read_size(name, body, parsed), consistent))

    def _read(self, table: str, units: float) -> None:
        self.counts.dynamodb_read_units += units
        self.counts.read_units_by_table[_short(table)] += units

    def _read_size(self, name: str, body: dict, parsed: dict) -> int:
        """The size of what a query or scan read: the items it returned, or, when it counted,
        filtered or projected them, the same request again without that, by the peek client."""
        if not any(option in body for option in ("Select", "FilterExpression", "ProjectionExpression",
                                                 "AttributesToGet", "QueryFilter", "ScanFilter")):
            return sum(item_size(item) for item in parsed.get("Items", []))
        again = {k: v for k, v in body.items() if k not in ("Select", "FilterExpression", "ProjectionExpression",
                                                            "AttributesToGet", "QueryFilter", "ScanFilter",
                                                            "ReturnConsumedCapacity")}
        names = {"#" + n for n in _expression_names(again)}
        again["ExpressionAttributeNames"] = {k: v for k, v in body.get("ExpressionAttributeNames", {}).items()
                                             if k in names} or None
        values = _expression_values(again)
        again["ExpressionAttributeValues"] = {k: v for k, v in body.get("ExpressionAttributeValues", {}).items()
                                              if k in values} or None
        again = {k: v for k, v in again.items() if v is not None}
        items = getattr(self.peek, "query" if name == "Query" else "scan")(**again).get("Items", [])
        return sum(item_size(item) for item in items[:parsed.get("ScannedCount", len(items))])

    def _index_units(self, table_name: str, old: dict | None, new: dict | None) -> int:
        table = self.tables.get(table_name)
        if table is None:
            return 0
        units = 0
        table_keys = [k for k in (table.hash_key, table.range_key) if k]
        for index in table.indexes:
            keys = [index.hash_key, index.range_key]
            before, after = _index_entry(old, index, table_keys), _index_entry(new, index, table_keys)
            if before == after:
                continue
            if before and after and all(before[k] == after[k] for k in keys):
                units += write_units(max(item_size(before), item_size(after)) + INDEX_OVERHEAD)
            else:
                units += sum(write_units(item_size(entry) + INDEX_OVERHEAD) for entry in (before, after) if entry)
        return units


def _index_entry(item: dict | None, index, table_keys: list) -> dict | None:
    """The attributes of `item` that `index` (a dynamodb.Index) holds: none if the item lacks its keys."""
    keys = [index.hash_key, index.range_key]
    if not item or any(k not in item for k in keys):
        return None
    if index.keys_only or index.include:
        return {k: item[k] for k in dict.fromkeys(keys + table_keys + list(index.include)) if k in item}
    return dict(item)


def _expression_names(body: dict) -> set:
    return set(re.findall(r"#(\w+)", body.get("KeyConditionExpression", "")))


def _expression_values(body: dict) -> set:
    return set(re.findall(r"(:\w+)", body.get("KeyConditionExpression", "")))


def _written_keys(name: str, body: dict) -> dict:
    """{(action, n): (table, key)} of each item a write request names."""
    keys = {}
    if name in ("PutItem", "UpdateItem", "DeleteItem"):
        action = {"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete"}[name]
        key = body.get("Key") or _key_of(body["TableName"], body.get("Item", {}))
        keys[(action, 0)] = (body["TableName"], key)
    elif name == "BatchWriteItem":
        n = 0
        for table, requests in body.get("RequestItems", {}).items():
            for request in requests:
                if "PutRequest" in request:
                    keys[("Put", n)] = (table, _key_of(table, request["PutRequest"]["Item"]))
                else:
                    keys[("Delete", n)] = (table, request["DeleteRequest"]["Key"])
                n += 1
    elif name == "TransactWriteItems":
        for n, entry in enumerate(body.get("TransactItems", [])):
            (action, request), = entry.items()
            key = request.get("Key") or _key_of(request["TableName"], request.get("Item", {}))
            keys[(action, n)] = (request["TableName"], key)
    return keys


_KEYS: dict = {}


def _key_of(table: str, item: dict) -> dict:
    return {name: item[name] for name in _KEYS[table] if name in item}


def _short(table: str) -> str:
    return table[len(PREFIX):] if table.startswith(PREFIX) else table


# --- the run ---------------------------------------------------------------------------

@dataclass
class Run:
    """The counts of one run: per ticket, per idle tick, per regeneration, and storage."""

    ticket: Counts
    idle_tick: Counts
    ticks_in_life: int
    ticks_in_life_counts: Counts
    regeneration: Counts
    pages_published: int
    table_bytes_per_ticket: int
    photo_bytes_per_ticket: int
    requests: list  # (method, path, ms)

    def marginal_tick_units(self) -> tuple:
        """What the ticks during the ticket's life did beyond idling (reads, writes)."""
        reads = self.ticks_in_life_counts.dynamodb_read_units - self.ticks_in_life * self.idle_tick.dynamodb_read_units
        writes = (self.ticks_in_life_counts.dynamodb_write_units
                  - self.ticks_in_life * self.idle_tick.dynamodb_write_units)
        return max(0.0, reads), max(0.0, writes)


def count(photo_side: int = 1600) -> Run:
    """Run one ticket's life under moto with the meter on; see the module's docstring."""
    with fake_aws():
        return _count(photo_side)


def _count(photo_side: int) -> Run:
    import tempfile

    import boto3
    import botocore.session
    from chalice.test import Client

    from app import app
    from chalicelib import bootstrap
    from chalicelib.adapters import dynamodb
    from chalicelib.adapters.clock import FixedClock
    from chalicelib.adapters.email import SesEmail
    from chalicelib.adapters.photos import S3Photos, create_bucket
    from chalicelib.adapters.site import S3Site
    from chalicelib.adapters.sms import SnsSms
    from chalicelib.jobs import nightly, tick
    from chalicelib.settings import Settings

    sender = "desk@city.example"
    dynamodb.create_tables(PREFIX, REGION)
    create_bucket(PHOTOS_BUCKET, REGION)
    create_bucket(SITE_BUCKET, REGION)
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=sender)
    tables = {PREFIX + table.name: table for table in dynamodb.TABLES}
    _KEYS.update({name: [k for k in (t.hash_key, t.range_key) if k] for name, t in tables.items()})
    peek = botocore.session.get_session().create_client("dynamodb", region_name=REGION)
    meter = Meter(tables, peek)
    sns_texts = _SmsTexts()

    clock = FixedClock(START)
    scratch = Path(tempfile.mkdtemp(prefix="citydesk-cost-"))
    settings = Settings(backend="dynamodb", table_prefix=PREFIX, region=REGION, photos="s3",
                        photo_bucket=PHOTOS_BUCKET, db_path=str(scratch / "unused.sqlite3"),
                        photo_dir=str(scratch / "photos"), site_dir=str(scratch / "site"), secret="cost-model",
                        local=False)
    deps = bootstrap.build(settings, clock=clock, sms=SnsSms(REGION, "citydesk"), email=SesEmail(REGION, sender),
                           photos=S3Photos(PHOTOS_BUCKET, REGION), site=S3Site(SITE_BUCKET, REGION, None))
    emitters = (dynamodb._models(PREFIX, REGION, None).connection.client.meta.events,
                boto3._get_default_session().events)
    meter.attach(*emitters)
    emitters[1].register("before-parameter-build.sns.Publish", sns_texts.note)
    emitters[1].register("before-parameter-build.cloudfront.CreateInvalidation", _note_paths)
    bootstrap.override(deps)
    try:
        with Client(app) as client:
            api = _Api(client, meter)
            # The staff sign in once a day, not per ticket; the site is published once.
            operator = api.staff(deps, "operator")
            executor = api.staff(deps, "executor", "dniprovodokanal")
            with meter.measuring(Counts()):
                nightly.regenerate(deps)
            clock.advance(timedelta(minutes=1))
            idle = Counts()
            with meter.measuring(idle):
                _timed(idle, lambda: tick.minute(deps))
            before_tables, before_photos = _table_bytes(peek, tables), _bucket_bytes(PHOTOS_BUCKET)
            life, ticks = Counts(), Counts()
            steps = _life(api, deps, clock, operator, executor, photo_side)
            n_ticks = 0
            for step in steps:
                with meter.measuring(life):
                    step()
                clock.advance(timedelta(minutes=1))
                with meter.measuring(ticks):
                    _timed(ticks, lambda: tick.minute(deps))
                n_ticks += 1
            table_bytes = _table_bytes(peek, tables) - before_tables
            photo_bytes = _bucket_bytes(PHOTOS_BUCKET) - before_photos
            clock.advance(timedelta(days=1))
            regeneration = Counts()
            with meter.measuring(regeneration):
                changed = _timed(regeneration, lambda: nightly.regenerate(deps))
            regeneration.invalidation_paths = len(changed)
            pages = len(changed)
    finally:
        bootstrap.reset()
        meter.detach(*emitters)
        emitters[1].unregister("before-parameter-build.sns.Publish", sns_texts.note)
        emitters[1].unregister("before-parameter-build.cloudfront.CreateInvalidation", _note_paths)
    life.sms_segments = sns_texts.segments
    return Run(ticket=life, idle_tick=idle, ticks_in_life=n_ticks, ticks_in_life_counts=ticks,
               regeneration=regeneration, pages_published=pages, table_bytes_per_ticket=table_bytes,
               photo_bytes_per_ticket=photo_bytes, requests=api.log)


class _SmsTexts:
    """The segments of each SMS handed to SNS (what SNS bills per message part)."""

    def __init__(self):
        self.segments = 0

    def note(self, params, **_):
        from chalicelib.domain.sms import segments

        self.segments += segments(params.get("Message", ""))


def _note_paths(params, context, **_):
    context["cost_paths"] = params.get("InvalidationBatch", {}).get("Paths", {}).get("Quantity", 0)


def _timed(counts: Counts, work):
    started = time.perf_counter()
    result = work()
    counts.lambda_ms.append((time.perf_counter() - started) * 1000)
    return result


class _Api:
    """The Chalice test client: each call one API Gateway request and one Lambda invocation, timed."""

    def __init__(self, client, meter: Meter):
        self.client = client
        self.meter = meter
        self.log = []

    def call(self, method: str, path: str, body=None, headers: dict | None = None) -> dict:
        data = b"" if body is None else json.dumps(body).encode()
        started = time.perf_counter()
        answer = self.client.http.request(method, path, headers={"Content-Type": "application/json",
                                                                 **(headers or {})}, body=data)
        elapsed = (time.perf_counter() - started) * 1000
        counts = self.meter.counts
        counts.api_requests += 1
        counts.lambda_ms.append(elapsed)
        self.log.append((method, path.split("?")[0], round(elapsed, 1)))
        if answer.status_code >= 300:
            raise AssertionError(f"{method} {path}: {answer.status_code} {answer.body[:300]!r}")
        return {"body": json.loads(answer.body) if answer.body else None, "headers": answer.headers}

    @staticmethod
    def staff(deps, role: str, organisation: str | None = None) -> dict:
        from chalicelib.domain.staff import StaffMember
        from chalicelib.services import staff

        member = StaffMember(id=f"staff-{role}", username=role, role=role, name=role.title(),
                             password_hash="unused", created_at=deps.clock.now(), organisation=organisation)
        deps.storage.staff.create(member)
        return {"Cookie": f"citydesk_staff={staff.open_session(deps, member)}"}


def _life(api: _Api, deps, clock, operator: dict, executor: dict, photo_side: int) -> list:
    """The steps of one ticket's life, each a callable; the minute tick runs between them."""
    photo = _photo(photo_side)
    phone = "+380501234567"
    state = {}

    def upload(path: str, headers: dict) -> str:
        form = api.call("POST", path, {"content_type": "image/jpeg", "size": len(photo), "filename": "p.jpg"},
                        headers)["body"]
        _browser_post(form, photo)
        api.meter.counts.s3["put"] += 1  # the browser's POST to S3, which botocore does not see
        return form["key"]

    def look_up():
        api.call("GET", "/api/categories?lang=uk")
        api.call("GET", "/api/streets?q=%D1%8F%D0%B2&lang=uk")

    def sign_in():
        api.call("POST", "/api/auth/phone?lang=uk", {"phone": phone})
        code = _last_code(phone)
        answer = api.call("POST", "/api/auth/phone/verify?lang=uk", {"phone": phone, "code": code})
        state["cookie"] = {"Cookie": answer["headers"]["Set-Cookie"].split(";")[0]}

    def file_ticket():
        key = upload("/api/uploads", state["cookie"])
        body = {"cause": "water.low-pressure", "address": {"street": "yavornytskoho-ave", "house": "8",
                                                           "entrance": "2", "flat": "14"},
                "lat": 48.4647, "lon": 35.0462, "description": "Weak cold water pressure on the upper floors.",
                "photos": [key]}
        receipt = api.call("POST", "/api/tickets", body, {**state["cookie"], "Idempotency-Key": "cost-1"})["body"]
        state.update(id=receipt["id"], number=receipt["number"])

    def resident_looks():
        api.call("GET", "/api/tickets", headers=state["cookie"])
        api.call("GET", f"/api/tickets/{state['id']}", headers=state["cookie"])

    def staff_open():
        clock.advance(timedelta(hours=1))
        api.call("GET", "/api/admin/tickets", headers=operator)
        api.call("GET", f"/api/admin/tickets/{state['id']}", headers=operator)
        api.call("GET", "/api/admin/tickets", headers=executor)
        api.call("GET", f"/api/admin/tickets/{state['id']}", headers=executor)

    def staff_command(name: str, **data):
        version = deps.storage.tickets.get(state["id"]).version
        api.call("POST", f"/api/admin/tickets/{state['id']}/{name}", {"version": version, **data}, executor)

    def accept():
        staff_command("accept")

    def report_done():
        clock.advance(timedelta(hours=3))
        key = upload("/api/admin/uploads", executor)
        staff_command("report_done", note="Valve replaced.", photos=[key])

    def confirm_and_rate():
        clock.advance(timedelta(hours=1))
        resident_looks()
        api.call("GET", f"/api/tickets/{state['id']}", headers=state["cookie"])
        api.call("POST", f"/api/tickets/{state['id']}/confirm", None, state["cookie"])
        api.call("POST", f"/api/tickets/{state['id']}/rate", {"stars": 5}, state["cookie"])

    def public_status():
        api.call("GET", f"/api/public/tickets/{state['number']}")

    return [look_up, sign_in, file_ticket, resident_looks, staff_open, accept, report_done, confirm_and_rate,
            public_status]


def _last_code(phone: str) -> str:
    from moto.sns.models import sns_backends

    texts = [text for to, text in sns_backends["123456789012"][REGION].sms_messages.values() if to == phone]
    return next(word for word in texts[-1].replace(".", " ").split() if word.isdigit() and len(word) == 6)


def _browser_post(form: dict, data: bytes) -> None:
    import requests

    answer = requests.post(form["url"], data=form["fields"], files={"file": ("p.jpg", data, "image/jpeg")},
                           timeout=30)
    if answer.status_code not in (200, 201, 204):
        raise AssertionError(f"S3 refused the upload: {answer.status_code}")


def _photo(side: int) -> bytes:
    """A phone-sized JPEG whose noise keeps it from compressing away (what the store keeps is its clean copy)."""
    import io

    from PIL import Image

    image = Image.merge("RGB", [Image.effect_noise((side, side * 3 // 4), 40 + 10 * n) for n in range(3)])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _table_bytes(peek, tables: dict) -> int:
    """What the tables hold as DynamoDB measures storage: items, 100 bytes each, and index entries."""
    total = 0
    for name, table in tables.items():
        pages = peek.get_paginator("scan").paginate(TableName=name, ConsistentRead=True)
        table_keys = [k for k in (table.hash_key, table.range_key) if k]
        for page in pages:
            for item in page.get("Items", []):
                total += item_size(item) + ITEM_OVERHEAD
                for index in table.indexes:
                    entry = _index_entry(item, index, table_keys)
                    if entry:
                        total += item_size(entry) + INDEX_OVERHEAD
    return total


def _bucket_bytes(bucket: str) -> int:
    import botocore.session

    s3 = botocore.session.get_session().create_client("s3", region_name=REGION)
    return sum(item["Size"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
               for item in page.get("Contents", []))


# --- the pricing -----------------------------------------------------------------------

def lambda_memory_mb(config_path: Path = CONFIG) -> int:
    """The API function's memory as configured now (its own setting, or the app's)."""
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    function = config.get("lambda_functions", {}).get("api_handler", {})
    return int(function.get("lambda_memory_size") or config.get("lambda_memory_size") or 128)


def digest_emails_per_month(data_dir: Path = ROOT / "functions" / "chalicelib" / "data") -> int:
    """At most one morning digest a day to each executor organisation with an e-mail
    address (jobs/digest.py): the executors' e-mail of non-emergency tickets."""
    organisations = json.loads((Path(data_dir) / "organisations.json").read_text(encoding="utf-8"))
    return 30 * sum(1 for o in organisations if o["kind"] == "executor" and o.get("email"))


def template_secrets(template_path: Path = TEMPLATE) -> int:
    template = json.loads(Path(template_path).read_text(encoding="utf-8"))
    return sum(1 for r in template["Resources"].values() if r.get("Type") == "AWS::SecretsManager::Secret")


@dataclass(frozen=True)
class Usage:
    """A month's use of each billed dimension: the counts a price is applied to."""

    dynamodb_write_units: float
    dynamodb_read_units: float
    dynamodb_gb: float
    lambda_requests: float
    lambda_gb_seconds: float
    api_requests: float
    cloudfront_requests: float
    invalidation_paths: float
    s3_put: float
    s3_get: float
    emails: float
    secrets: int
    sms_segments: float = 0
    photo_gb: float = 0


def price(usage: Usage) -> dict:
    """{line: dollars} for a month's usage, the always-free allowances taken off first."""
    p = {name: value for name, (value, _, _) in PRICES.items()}
    lines = {
        "dynamodb_writes": usage.dynamodb_write_units * p["dynamodb_write_unit"],
        "dynamodb_reads": usage.dynamodb_read_units * p["dynamodb_read_unit"],
        "dynamodb_storage": max(0.0, usage.dynamodb_gb - FREE["dynamodb_gb"]) * p["dynamodb_gb_month"],
        "lambda_requests": max(0.0, usage.lambda_requests - FREE["lambda_requests"]) * p["lambda_request"],
        "lambda_duration": max(0.0, usage.lambda_gb_seconds - FREE["lambda_gb_seconds"]) * p["lambda_arm_gb_second"],
        "api_gateway": usage.api_requests * p["api_gateway_http_request"],
        "cloudfront_invalidations": max(0.0, usage.invalidation_paths - FREE["cloudfront_invalidation_paths"])
        * p["cloudfront_invalidation_path"],
        "s3_requests": usage.s3_put * p["s3_put_request"] + usage.s3_get * p["s3_get_request"],
        "ses": usage.emails * p["ses_email"],
        "secrets_manager": usage.secrets * p["secret_month"],
    }
    if usage.cloudfront_requests > FREE["cloudfront_requests"]:
        raise ValueError("beyond CloudFront's free 10 M requests: price them in PRICES first")
    return {name: round(dollars, 6) for name, dollars in lines.items()}


def monthly_usage(run: Run, tickets: int, memory_mb: int, secrets: int) -> Usage:
    """The month's usage with `tickets` tickets: the ticket's counts times tickets, plus the fixed part."""
    t, idle, regen = run.ticket, run.idle_tick, run.regeneration
    tick_reads, tick_writes = run.marginal_tick_units()
    gb = memory_mb / 1024
    idle_ms = statistics.median(idle.lambda_ms)
    api_ms = sum(t.lambda_ms)
    regen_ms = sum(regen.lambda_ms)
    months_of_tickets = 1  # storage: one month's tickets; it grows by as much each month they are kept
    return Usage(
        dynamodb_write_units=tickets * (t.dynamodb_write_units + tick_writes)
        + MINUTE_TICKS * idle.dynamodb_write_units + REGENERATIONS * regen.dynamodb_write_units,
        dynamodb_read_units=tickets * (t.dynamodb_read_units + tick_reads)
        + MINUTE_TICKS * idle.dynamodb_read_units + REGENERATIONS * regen.dynamodb_read_units,
        dynamodb_gb=tickets * months_of_tickets * run.table_bytes_per_ticket / 1e9,
        lambda_requests=tickets * t.api_requests + MINUTE_TICKS + NIGHTLY_CALLS + DIGEST_CALLS,
        lambda_gb_seconds=gb * (tickets * api_ms + MINUTE_TICKS * idle_ms + REGENERATIONS * regen_ms) / 1000,
        api_requests=tickets * t.api_requests,
        cloudfront_requests=tickets * t.api_requests,
        invalidation_paths=REGENERATIONS * regen.invalidation_paths,
        s3_put=tickets * t.s3["put"] + REGENERATIONS * regen.s3["put"],
        s3_get=tickets * t.s3["get"] + REGENERATIONS * regen.s3["get"],
        emails=tickets * t.emails + digest_emails_per_month(),
        secrets=secrets,
        sms_segments=tickets * t.sms_segments,
        photo_gb=tickets * run.photo_bytes_per_ticket / 1e9,
    )


def sms_per_ticket(run: Run, per_segment: dict | None = None) -> dict:
    """SMS per ticket, and their price per country where `per_segment` (country -> USD a
    segment; PRICES' own by default) has it (None: not found)."""
    per_segment = PRICES["sms_per_segment"][0] if per_segment is None else per_segment
    countries = dict.fromkeys([*SMS_COUNTRIES, *per_segment])
    return {"messages": run.ticket.sms, "segments": run.ticket.sms_segments,
            "usd_per_ticket": {country: (round(per_segment[country] * run.ticket.sms_segments, 4)
                                         if country in per_segment else None) for country in countries}}


def sms_table(run: Run, per_segment: dict) -> str:
    """SMS a month per country at each size, at the prices a segment given."""
    rows = ["| SMS per month | " + " | ".join(f"{n:,} tickets".replace(",", " ") for n in SIZES) + " |",
            "|---|" + "---:|" * len(SIZES)]
    for country, usd in sms_per_ticket(run, per_segment)["usd_per_ticket"].items():
        if usd is not None:
            rows.append(f"| {country} ({per_segment[country]} USD a segment) | "
                        + " | ".join(f"{usd * n:.2f}" for n in SIZES) + " |")
    return "\n".join(rows)


def segment_price(text: str) -> tuple:
    """"UA=0.0455" -> ("UA", 0.0455): a country's price of one SMS segment, from
    https://aws.amazon.com/sns/sms-pricing/ (transactional, to that country)."""
    country, _, usd = text.partition("=")
    if len(country) != 2 or not country.isalpha():
        raise argparse.ArgumentTypeError(f"{text!r}: a two-letter country code, then =, then US dollars")
    try:
        return country.upper(), float(usd)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: the price must be a number of US dollars") from None


def figures(run: Run, memory_mb: int | None = None, secrets: int | None = None) -> dict:
    """What benchmarks/results.json keeps: the monthly dollars at each size and the counts behind them."""
    memory_mb = memory_mb or lambda_memory_mb()
    secrets = template_secrets() if secrets is None else secrets
    result, lines = {}, {}
    for tickets in SIZES:
        label = f"{tickets // 1000}k"
        bill = price(monthly_usage(run, tickets, memory_mb, secrets))
        result[f"monthly_usd_{label}"] = round(sum(bill.values()), 2)
        lines[label] = {name: round(dollars, 4) for name, dollars in bill.items()}
    tick_reads, tick_writes = run.marginal_tick_units()
    result["cost_lines_usd"] = lines
    result["cost_counts"] = {
        "per_ticket": {**run.ticket.as_dict(), "tick_read_units_beyond_idle": round(tick_reads, 1),
                       "tick_write_units_beyond_idle": round(tick_writes, 1),
                       "table_bytes": run.table_bytes_per_ticket, "photo_bytes": run.photo_bytes_per_ticket},
        "idle_minute_tick": run.idle_tick.as_dict(),
        "regeneration": {**run.regeneration.as_dict(), "pages_changed": run.pages_published},
        "per_month": {"minute_ticks": MINUTE_TICKS, "nightly_calls": NIGHTLY_CALLS, "digest_calls": DIGEST_CALLS,
                      "digest_emails": digest_emails_per_month(),
                      "regenerations": REGENERATIONS, "secrets": secrets},
        "lambda_memory_mb": memory_mb,
        "photo_gb_added_per_month": {f"{n // 1000}k": round(n * run.photo_bytes_per_ticket / 1e9, 2)
                                     for n in SIZES},
        "sms": sms_per_ticket(run),
        "prices": "us-east-1 (see tools/cost_model.py PRICES); Frankfurt's not found in the stored pages",
    }
    return result


def table(result: dict) -> str:
    """The README's table: each line's dollars at each size."""
    sizes = [f"{n // 1000}k" for n in SIZES]
    head = "| per month | " + " | ".join(f"{n:,} tickets".replace(",", " ") for n in SIZES) + " |"
    rows = [head, "|---|" + "---:|" * len(SIZES)]
    for line in result["cost_lines_usd"][sizes[0]]:
        rows.append(f"| {line.replace('_', ' ')} | "
                    + " | ".join(f"{result['cost_lines_usd'][s][line]:.2f}" for s in sizes) + " |")
    rows.append("| **total, without SMS** | " + " | ".join(f"**{result[f'monthly_usd_{s}']:.2f}**" for s in sizes)
                + " |")
    return "\n".join(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sms-price", type=segment_price, action="append", default=[], metavar="CC=USD",
                        help="the price of one SMS segment to a country (repeatable), e.g. UA=0.0455")
    args = parser.parse_args(argv)
    run = count()
    result = figures(run)
    print(table(result))
    if args.sms_price:
        print("\n" + sms_table(run, dict(args.sms_price)))
    print(json.dumps(result["cost_counts"], indent=2))


if __name__ == "__main__":
    main()
