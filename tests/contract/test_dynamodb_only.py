"""What only the DynamoDB backend can show: what its sparse indexes hold, what the deadline
sweep reads, documents larger than an item, and tables made from `TABLES` alone."""

import os
import random
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters import dynamodb
from chalicelib.domain.address import Registry
from chalicelib.domain.organisation import Organisation
from chalicelib.domain.outbox import DEAD, SENT
from chalicelib.domain.ticket import Actor, Address, Command, State, apply
from chalicelib.services.ports import FiledQuery, QueueQuery
from tests.builders import NOW, OPERATOR, make_message, store_ticket
from tests.aws import FAKE_AWS_ENV, REGION
from tests.contract.conftest import PREFIX

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
LABELS = {"uk": "Вулиця", "ru": "Улица", "en": "Street"}


@pytest.fixture
def aws(monkeypatch):
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def open_tables(prefix=PREFIX):
    dynamodb.create_tables(prefix, REGION)
    return dynamodb.open_storage(prefix, REGION)


def models(prefix=PREFIX):
    return dynamodb._models(prefix, REGION, None)


@contextmanager
def reads_of(table_model):
    """(operation, items read) of every call the table's client makes inside the block."""
    seen = []

    def record(parsed, model, **_):
        if model.name == "BatchGetItem":
            seen.append((model.name, sum(len(items) for items in parsed["Responses"].values())))
        else:
            seen.append((model.name, parsed.get("ScannedCount")))

    # pynamodb gives each table its own botocore client; botocore's event hooks see its calls.
    events = table_model._get_connection().connection.client.meta.events
    events.register("after-call.dynamodb", record)
    try:
        yield seen
    finally:
        events.unregister("after-call.dynamodb", record)


@pytest.mark.parametrize("open_tickets", [20, 200])
def test_the_deadline_sweep_reads_only_the_due_tickets_however_many_are_open(aws, open_tickets):
    storage = open_tables()
    due = [store_ticket(storage, next_timer="overdue", next_due_at=NOW - timedelta(minutes=minutes))
           for minutes in (3, 2, 1)]
    for _ in range(open_tickets - len(due)):
        store_ticket(storage)  # filed now: the reminder is hours away

    with reads_of(models().tickets) as seen:
        assert storage.tickets.due(NOW) == due

    assert seen == [("Query", 3), ("BatchGetItem", 3)]


def test_the_due_index_holds_only_open_tickets_with_a_pending_timer(aws):
    storage = open_tables()
    timed = store_ticket(storage)
    store_ticket(storage, state=State.CLOSED, next_timer=None, next_due_at=None)
    dropped = store_ticket(storage)
    rejected, events = apply(dropped, Command("reject", OPERATOR, {"reason": "Not a city matter."}), NOW)
    storage.tickets.update(rejected, dropped.version, events)

    assert {item.id for item in models().tickets.due.scan()} == {timed.id}


def test_the_address_index_holds_only_open_tickets(aws):
    storage = open_tables()
    still_open = store_ticket(storage)
    store_ticket(storage, state=State.CLOSED, next_timer=None, next_due_at=None)
    dropped = store_ticket(storage)
    withdrawn, events = apply(dropped, Command("withdraw", Actor("resident", dropped.reporter_id)), NOW)
    storage.tickets.update(withdrawn, dropped.version, events)

    assert {item.id for item in models().tickets.by_address.scan()} == {still_open.id}


def test_looking_for_duplicates_reads_only_the_open_tickets_at_that_address(aws):
    storage = open_tables()
    here = [store_ticket(storage, address=Address("yavornytskoho-ave", "12А"), filed_at=NOW - timedelta(hours=h))
            for h in (1, 2)]
    for house in range(1, 40):
        store_ticket(storage, address=Address("yavornytskoho-ave", str(house)))

    with reads_of(models().tickets) as seen:
        assert storage.tickets.open_at_address("water.low-pressure", "yavornytskoho-ave", "12 а") == here

    assert seen == [("Query", 2), ("BatchGetItem", 2)]


def test_the_ticket_indexes_hold_keys_and_the_queue_filters_never_the_whole_ticket(aws):
    storage = open_tables()
    store_ticket(storage)
    store_ticket(storage, state=State.CLOSED, closed_at=NOW)  # the sparse retention index holds final ones
    client = boto3.client("dynamodb", region_name=REGION)

    held = {index.name: set().union(*(item.keys() for item in client.scan(
        TableName=PREFIX + "tickets", IndexName=index.name)["Items"])) for index in dynamodb.TICKETS.indexes}

    assert all(held.values()) and not any("data" in names for names in held.values())
    assert held["queue"] == {"id", "state", "due_key", *dynamodb.QUEUE_FILTERS}
    assert held["filed"] == {"id", "month", "filed_key", "cause", "is_open"}


def test_open311_requests_read_only_the_entries_filed_in_the_range_and_fetch_only_the_page(aws):
    storage = open_tables()
    for days in range(40, 60):
        store_ticket(storage, filed_at=NOW - timedelta(days=days))  # October
    wanted = [store_ticket(storage, cause="roads.pothole", topic="roads", filed_at=NOW - timedelta(days=d))
              for d in (1, 2, 3)]
    for days in range(4, 9):
        store_ticket(storage, filed_at=NOW - timedelta(days=days))
    query = FiledQuery(NOW - timedelta(days=10), NOW, causes=("roads.pothole",))

    with reads_of(models().tickets) as seen:
        assert storage.tickets.filed(query, 1, 2) == wanted[1:]

    # November's partition only, its eight entries in range, and the page's two tickets.
    assert seen == [("Query", 8), ("BatchGetItem", 2)]


def test_the_history_index_holds_only_state_changes(aws):
    storage = open_tables()
    ticket = store_ticket(storage)
    routed, events = apply(ticket, Command("route", OPERATOR, {"organisation": "dniprovodokanal"}), NOW)
    storage.tickets.update(routed, ticket.version, events)
    commented, events = apply(routed, Command("comment", OPERATOR, {"text": "On the way."}), NOW)
    storage.tickets.update(commented, routed.version, events)

    held = [(item.ticket_id, item.version) for item in models().history.changes.scan()]

    assert held == [(ticket.id, 2)]


def test_the_outbox_indexes_hold_pending_messages_and_dead_letters_only(aws):
    storage = open_tables()
    pending, sent, dead = make_message(), make_message(status=SENT, sent_at=NOW), make_message(status=DEAD)
    storage.outbox.add([pending, sent, dead])
    Outbox = models().outbox

    assert {item.id for item in Outbox.ready.scan()} == {pending.id}
    assert {item.id for item in Outbox.dead.scan()} == {dead.id}


def test_the_outbox_index_by_ticket_holds_the_keys_of_ticket_messages_only(aws):
    storage = open_tables()
    about, alert = make_message(ticket_id="ticket-1"), make_message()
    storage.outbox.add([about, alert])
    client = boto3.client("dynamodb", region_name=REGION)

    entries = client.scan(TableName=PREFIX + "outbox", IndexName="by_ticket")["Items"]

    assert [entry["id"]["S"] for entry in entries] == [about.id]
    assert set(entries[0]) == {"id", "ticket_id", "created_at"}


@pytest.mark.parametrize("final_tickets", [20, 200])
def test_the_anonymisation_reads_only_the_tickets_due_however_many_are_final(aws, final_tickets):
    storage = open_tables()
    due = [store_ticket(storage, state=State.CLOSED, closed_at=NOW - timedelta(days=days)) for days in (1300, 1200)]
    for n in range(final_tickets - len(due)):
        store_ticket(storage, state=State.CLOSED, closed_at=NOW - timedelta(days=n % 1000))
    for _ in range(20):
        store_ticket(storage)  # open ones are in no retention index at all

    with reads_of(models().tickets) as seen:
        assert storage.tickets.to_anonymise(NOW - timedelta(days=1095)) == due

    assert seen == [("Query", 2), ("BatchGetItem", 2)]


def big_registry(buildings: int) -> Registry:
    rng = random.Random(7)
    streets = [{"code": f"street-{n}", "name": LABELS, "district": "tsentralnyi"} for n in range(2000)]
    return Registry.from_data(
        [{"code": "tsentralnyi", "name": LABELS}], streets,
        [{"street": rng.choice(streets)["code"], "house": f"{rng.randrange(1, 300)}{rng.choice(['', 'А', 'Б'])}",
          "district": "tsentralnyi", "management_company": f"zhek-{rng.randrange(40)}"} for _ in range(buildings)])


def test_a_registry_larger_than_an_item_is_stored_in_parts_and_replaced_whole(aws):
    storage = open_tables()
    registry = big_registry(60_000)
    directory = models().directory

    storage.directory.put_registry(registry)

    assert storage.directory.registry() == registry
    assert len([item for item in directory.query("registry") if item.code != "current"]) >= 2

    smaller = replace(registry, buildings=registry.buildings[:10])
    storage.directory.put_registry(smaller)

    assert storage.directory.registry() == smaller
    assert len(list(directory.query("registry"))) == 2  # the pointer and its one part: old parts are gone


def test_a_container_reads_the_registry_again_only_when_it_changed_in_any_container(aws):
    first, second = open_tables(), dynamodb.open_storage(PREFIX, REGION)  # two Lambda containers
    registry = big_registry(60_000)
    first.directory.put_registry(registry)
    assert second.directory.registry() == registry

    with reads_of(models().directory) as seen:
        assert second.directory.registry() == registry
    assert seen == [("GetItem", None)]  # the pointer alone: its parts are the ones already read

    smaller = replace(registry, buildings=registry.buildings[:10])
    first.directory.put_registry(smaller)

    assert second.directory.registry() == smaller


def test_a_container_reads_the_organisations_again_only_when_one_changed_in_any_container(aws):
    first, second = open_tables(), dynamodb.open_storage(PREFIX, REGION)  # two Lambda containers
    vodokanal = Organisation(code="vodokanal", kind="department", names=LABELS)
    first.directory.put_organisation(vodokanal)
    assert second.directory.organisations() == [vodokanal]

    with reads_of(models().directory) as seen:
        assert second.directory.organisations() == [vodokanal]
    assert seen == [("GetItem", None)]  # the pointer alone

    renamed = replace(vodokanal, phone="+380567000000")
    first.directory.put_organisation(renamed)

    assert second.directory.organisations() == [renamed]


def key_names(schema) -> tuple:
    by_type = {key["KeyType"]: key["AttributeName"] for key in schema}
    return by_type["HASH"], by_type.get("RANGE")


def test_create_tables_makes_each_table_of_TABLES_on_demand_with_its_keys_indexes_and_ttl(aws):
    dynamodb.create_tables(PREFIX, REGION)
    client = boto3.client("dynamodb", region_name=REGION)

    for table in dynamodb.TABLES:
        found = client.describe_table(TableName=PREFIX + table.name)["Table"]
        ttl = client.describe_time_to_live(TableName=PREFIX + table.name)["TimeToLiveDescription"]
        assert found["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert key_names(found["KeySchema"]) == (table.hash_key, table.range_key)
        indexes = found.get("GlobalSecondaryIndexes", ())
        assert {index["IndexName"]: key_names(index["KeySchema"]) for index in indexes} \
            == {index.name: (index.hash_key, index.range_key) for index in table.indexes}
        assert ttl.get("AttributeName") == table.ttl


def test_creating_the_tables_again_leaves_them_and_their_items_alone(aws):
    storage = open_tables()
    ticket = store_ticket(storage)

    dynamodb.create_tables(PREFIX, REGION)

    assert storage.tickets.get(ticket.id) == ticket


def test_create_tables_adds_an_index_a_table_lacks_and_the_index_answers_for_the_items_already_there(aws):
    storage = open_tables()
    client = boto3.client("dynamodb", region_name=REGION)
    # The tickets table as a version of the code from before the staff queue made it.
    client.update_table(TableName=PREFIX + "tickets", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "queue"}}])
    tickets = [store_ticket(storage, due_at=NOW + timedelta(hours=hours)) for hours in (3, 1, 2)]

    dynamodb.create_tables(PREFIX, REGION)

    indexes = client.describe_table(TableName=PREFIX + "tickets")["Table"]["GlobalSecondaryIndexes"]
    assert {index["IndexName"]: index["IndexStatus"] for index in indexes}["queue"] == "ACTIVE"
    assert [storage.tickets.get(ticket.id) for ticket in tickets] == tickets
    found, _ = storage.tickets.queue(QueueQuery(states=("new",)), 10)
    assert [ticket.id for ticket in found] == [tickets[1].id, tickets[2].id, tickets[0].id]


def test_two_prefixes_are_two_separate_sets_of_tables(aws):
    first, second = open_tables("first-"), open_tables("second-")

    ticket = store_ticket(first)

    assert second.tickets.get(ticket.id) is None


def test_importing_the_backend_needs_no_region_no_credentials_and_no_boto3():
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(FUNCTIONS)}
    code = "import sys; from chalicelib.adapters import dynamodb; assert 'boto3' not in sys.modules"

    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def test_a_queue_page_fills_up_with_matches_reading_the_index_a_page_of_entries_at_a_time(aws, monkeypatch):
    monkeypatch.setattr(dynamodb, "QUEUE_PAGE", 4)
    storage = open_tables()
    for minutes in range(10):
        store_ticket(storage, organisation="dniprovodokanal", due_at=NOW + timedelta(minutes=minutes))
    wanted = [store_ticket(storage, organisation="teploenergo", due_at=NOW + timedelta(hours=hours))
              for hours in (5, 6, 7)]
    query = QueueQuery(states=("new",), organisation="teploenergo")

    with reads_of(models().tickets) as reads:
        first, cursor = storage.tickets.queue(query, 2)
    rest, end = storage.tickets.queue(query, 2, after=cursor)

    assert ([t.id for t in first], [t.id for t in rest], end) == ([t.id for t in wanted[:2]], [wanted[2].id], None)
    assert len(reads) >= 3 and all(read <= 4 for _, read in reads)
