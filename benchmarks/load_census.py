"""What the load test's server stored, read straight from its storage, and the
verdict on it: every ticket a client was answered 201 for stored exactly once, with
its whole history and its one "filed" SMS; no key stored twice; every staff command
answered 200 in the history.

The census reads the tables themselves (the SQLite file; the DynamoDB tables by
scanning them), not the store's queries: it audits what the adapters wrote, without
trusting the reads they would answer with. Deciding is `verdict`, a pure function
of what the clients were answered and what the census found.
"""

import json
import sqlite3
from collections import Counter, defaultdict
from contextlib import closing
from dataclasses import dataclass, field

from chalicelib.adapters import codec
from chalicelib.adapters.dynamodb import HISTORY, IDEMPOTENCY, OUTBOX, TICKETS
from chalicelib.domain.outbox import DEAD, PENDING, SENT, SMS
from chalicelib.settings import Settings

# What begins the description of every ticket the load files; its idempotency key follows.
MARK = "Load test, request"
# How many of the problems found the verdict spells out.
SHOWN = 20


@dataclass(frozen=True)
class Filed:
    """A filing the server answered 201: whose, under which key, and the receipt."""

    key: str
    phone: str
    id: str
    number: str


@dataclass(frozen=True)
class Census:
    tickets: list  # Ticket, every one stored
    events: list  # Event, every history entry stored
    messages: list  # OutboxMessage, every one stored
    records: list  # IdempotencyRecord, every one stored
    sms: list  # (to, text) of each line of the SMS log


@dataclass
class Verdict:
    tickets: int = 0  # accepted: answered 201 to a first POST
    lost: int = 0  # accepted, and not stored whole: no ticket, no history, no idempotency record, no "filed" SMS
    duplicated: int = 0  # stored twice for one key, a repeat answered with another ticket, an SMS twice
    unacknowledged: int = 0  # stored under a key no client was answered for
    staff_commands: int = 0
    staff_lost: int = 0  # a command answered 200 that is not in the ticket's history
    sms_sent: int = 0  # "filed" SMS in the SMS log
    sms_held: int = 0  # "filed" SMS still in the outbox (quiet hours), to go in the morning
    problems: list = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < SHOWN:
            self.problems.append(text)


def description(key: str) -> str:
    return f"{MARK} {key}"


def verdict(filed: list, repeats: list, staff: list, census: Census) -> Verdict:
    """The verdict on `filed` (Filed of each first 201), `repeats` (Filed of each 201
    answered to a repeated POST) and `staff` ((ticket id, command, version after) of
    each command answered 200), against what `census` found."""
    found = Verdict(tickets=len(filed), staff_commands=len(staff))
    by_key = defaultdict(list)
    for ticket in census.tickets:
        if ticket.description.startswith(MARK + " "):
            by_key[ticket.description[len(MARK) + 1:]].append(ticket)
    history = defaultdict(dict)
    for event in census.events:
        history[event.ticket_id][event.version] = event.command
    records = defaultdict(list)
    for record in census.records:
        # The service keys a record by its owner too: "tickets:<resident id>:<key>".
        records[record.key.rsplit(":", 1)[-1]].append(record)
    filed_sms = defaultdict(list)
    for message in census.messages:
        if message.kind == "filed" and message.channel == SMS:
            filed_sms[message.ticket_id].append(message)
    logged = Counter(census.sms)

    accepted = {}
    for receipt in filed:
        if receipt.key in accepted:
            found.duplicated += 1
            found.problem(f"key {receipt.key}: a second first answer")
            continue
        accepted[receipt.key] = receipt
        problem = _lost(receipt, by_key.get(receipt.key, []), history, records.get(receipt.key, []), filed_sms,
                        logged, found)
        if problem:
            found.lost += 1
            found.problem(f"ticket {receipt.number} (key {receipt.key}): {problem}")
    for key, stored in by_key.items():
        if len(stored) > 1:
            found.duplicated += len(stored) - 1
            found.problem(f"key {key}: stored {len(stored)} times ({', '.join(t.number for t in stored)})")
        elif key not in accepted:
            found.unacknowledged += 1
    for repeat in repeats:
        first = accepted.get(repeat.key)
        if first is None or (first.id, first.number) != (repeat.id, repeat.number):
            found.duplicated += 1
            found.problem(f"key {repeat.key}: a repeat answered with ticket {repeat.number}")
    for number, times in Counter(t.number for t in census.tickets).items():
        if times > 1:
            found.duplicated += times - 1
            found.problem(f"number {number}: {times} tickets")
    for ticket_id, command, version in staff:
        if history[ticket_id].get(version) != command:
            found.staff_lost += 1
            found.problem(f"{command} on {ticket_id} (version {version}): not in the history")
    return found


def _lost(receipt: Filed, stored: list, history: dict, records: list, filed_sms: dict, logged: Counter,
          found: Verdict) -> str:
    """Why the accepted ticket is not stored whole, or ""; its SMS counted into `found`."""
    ticket = next((t for t in stored if t.id == receipt.id), None)
    if ticket is None:
        return "not stored" if not stored else "the receipt names a ticket not stored"
    if ticket.number != receipt.number:
        return f"stored as number {ticket.number}"
    versions = history.get(ticket.id, {})
    if sorted(versions) != list(range(1, ticket.version + 1)) or versions.get(1) != "file":
        return f"history {sorted(versions)} of a ticket at version {ticket.version}"
    if len(records) > 1:
        found.duplicated += len(records) - 1
        found.problem(f"ticket {receipt.number}: {len(records)} idempotency records")
    if not records or (records[0].body.get("id"), records[0].body.get("number")) != (receipt.id, receipt.number):
        return "no idempotency record of its receipt"
    messages = filed_sms.get(ticket.id, [])
    if not messages:
        return "no 'filed' SMS in the outbox"
    if len(messages) > 1:
        found.duplicated += len(messages) - 1
        found.problem(f"ticket {receipt.number}: {len(messages)} 'filed' SMS in the outbox")
    message = messages[0]
    if message.to != receipt.phone:
        return "the 'filed' SMS goes to another phone"
    times = logged[(message.to, message.text)]
    if times > 1:
        found.duplicated += 1
        found.problem(f"ticket {receipt.number}: its 'filed' SMS sent {times} times")
    if message.status == SENT:
        found.sms_sent += 1
        return "" if times else "the 'filed' SMS is marked sent and not in the SMS log"
    if message.status == PENDING:
        # Held for the morning (quiet hours), or being sent this moment by the tick.
        found.sms_held += 1
        return ""
    return "the 'filed' SMS is dead" if message.status == DEAD else f"the 'filed' SMS is {message.status}"


# --- the census -------------------------------------------------------------------------

def sms_log(path) -> list:
    """(to, text) of each complete line of the local SMS log."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    complete = text[:text.rfind("\n") + 1]
    return [(sms["to"], sms["text"]) for sms in map(json.loads, complete.splitlines())]


def of_sqlite(db_path, sms: list) -> Census:
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        def rows(table: str, from_data) -> list:
            return [from_data(json.loads(data)) for (data,) in db.execute(f"SELECT data FROM {table}")]

        return Census(tickets=rows("tickets", codec.ticket_from_data), events=rows("history", codec.event_from_data),
                      messages=rows("outbox", codec.message_from_data),
                      records=rows("idempotency", codec.idempotency_from_data), sms=sms)


def of_dynamodb(endpoint: str, sms: list, prefix: str = Settings.table_prefix, region: str = Settings.region) -> Census:
    """The tables behind `endpoint` (a moto server), scanned with consistent reads."""
    import boto3
    from boto3.dynamodb.types import TypeDeserializer

    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region, aws_access_key_id="testing",
                          aws_secret_access_key="testing", aws_session_token="testing")
    plain = TypeDeserializer()

    def items(table) -> list:
        pages = client.get_paginator("scan").paginate(TableName=prefix + table.name, ConsistentRead=True)
        return [{name: plain.deserialize(value) for name, value in item.items()} for page in pages
                for item in page["Items"]]

    # Tickets, history entries and idempotency records keep the record in `data`; a message keeps each field
    # as an attribute, besides the shards that put it in the sparse indexes.
    return Census(
        tickets=[codec.ticket_from_data(json.loads(item["data"])) for item in items(TICKETS)],
        events=[codec.event_from_data(json.loads(item["data"])) for item in items(HISTORY)],
        messages=[codec.message_from_data({k: v for k, v in item.items() if k not in ("ready_shard", "dead_shard")})
                  for item in items(OUTBOX)],
        records=[codec.idempotency_from_data(json.loads(item["data"])) for item in items(IDEMPOTENCY)],
        sms=sms)
