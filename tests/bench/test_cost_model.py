"""The cost model (tools/cost_model.py): DynamoDB's units from item sizes as on-demand
tables bill them, the pricing with the always-free allowances, and the counting itself
run once on a ticket's whole life (with a small photo, to stay quick)."""


import pytest

from tools import cost_model
from tools.cost_model import Usage, item_size, price, read_units, value_size, write_units
from tools.fake_aws import FAKE_AWS_ENV, REGION


def test_an_items_size_is_its_names_and_values_as_dynamodb_counts_them():
    assert value_size({"S": "абв"}) == 6  # UTF-8 bytes
    assert value_size({"N": "12345"}) == 4  # 1 byte per two significant digits, plus 1
    assert value_size({"BOOL": True}) == value_size({"NULL": True}) == 1
    assert value_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (2 + 1) + (2 + 1)
    assert value_size({"M": {"k": {"S": "v"}}}) == 3 + 1 + 1 + 1
    assert item_size({"id": {"S": "x" * 10}, "n": {"N": "7"}}) == 2 + 10 + 1 + 2


def test_writes_cost_a_unit_per_started_kb_and_twice_that_in_a_transaction():
    assert write_units(0) == write_units(1024) == 1
    assert write_units(1025) == 2
    assert write_units(3000, transactional=True) == 6


def test_reads_cost_a_unit_per_started_4_kb_half_when_eventually_consistent_twice_in_a_transaction():
    assert read_units(0, consistent=True) == 1
    assert read_units(8192, consistent=True) == 2 and read_units(8193, consistent=True) == 3
    assert read_units(100, consistent=False) == 0.5
    assert read_units(5000, consistent=True, transactional=True) == 4


@pytest.fixture
def meter(monkeypatch):
    """A Meter on a table of moto's, with the client the hooks count and the peek client."""
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    from moto import mock_aws

    with mock_aws():
        import boto3
        import botocore.session

        from chalicelib.adapters.dynamodb import Index, Table

        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in ("k", "g", "r")],
                            GlobalSecondaryIndexes=[{"IndexName": "by_g", "Projection": {"ProjectionType": "ALL"},
                                                     "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                                   {"AttributeName": "r", "KeyType": "RANGE"}]}])
        monkeypatch.setitem(cost_model._KEYS, "t", ["k"])
        peek = botocore.session.get_session().create_client("dynamodb", region_name=REGION)
        meter = cost_model.Meter({"t": Table("t", "k", indexes=(Index("by_g", "g", "r"),))}, peek)
        meter.attach(client.meta.events)
        yield meter, client
        meter.detach(client.meta.events)


def test_a_3_kb_item_costs_3_write_units_where_moto_says_1_and_its_reads_follow_the_rule(meter):
    meter, client = meter
    item = {"k": {"S": "a"}, "v": {"S": "x" * 3000}}
    answer = client.put_item(TableName="t", Item=item, ReturnConsumedCapacity="TOTAL")
    assert answer["ConsumedCapacity"]["CapacityUnits"] == 1.0  # moto's figure ignores the size
    assert meter.counts.dynamodb_write_units == 3

    client.get_item(TableName="t", Key={"k": {"S": "a"}})
    client.get_item(TableName="t", Key={"k": {"S": "a"}}, ConsistentRead=True)
    client.get_item(TableName="t", Key={"k": {"S": "missing"}}, ConsistentRead=True)
    assert meter.counts.dynamodb_read_units == 0.5 + 1 + 1


def test_an_update_costs_the_larger_item_and_an_index_entry_costs_its_own_units(meter):
    meter, client = meter
    client.put_item(TableName="t", Item={"k": {"S": "a"}, "v": {"S": "x" * 1500}})
    assert meter.counts.dynamodb_write_units == 2

    # Into the index: the table item (2 KB) and the index entry (the whole item + 100 bytes: 2 KB).
    client.update_item(TableName="t", Key={"k": {"S": "a"}}, UpdateExpression="SET g = :g, r = :r",
                       ExpressionAttributeValues={":g": {"S": "x"}, ":r": {"S": "y"}})
    assert meter.counts.dynamodb_write_units == 2 + 2 + 2
    # A delete removes the item and its index entry.
    client.delete_item(TableName="t", Key={"k": {"S": "a"}})
    assert meter.counts.dynamodb_write_units == 6 + 2 + 2


def test_a_transaction_costs_twice_and_a_failed_condition_still_costs(meter):
    meter, client = meter
    client.transact_write_items(TransactItems=[{"Put": {"TableName": "t", "Item": {"k": {"S": "a"}}}},
                                               {"Put": {"TableName": "t", "Item": {"k": {"S": "b"}}}}])
    assert meter.counts.dynamodb_write_units == 4
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.put_item(TableName="t", Item={"k": {"S": "a"}}, ConditionExpression="attribute_not_exists(k)")
    assert meter.counts.dynamodb_write_units == 5


def test_a_query_that_only_counts_costs_what_it_read(meter):
    meter, client = meter
    for n in range(3):
        client.put_item(TableName="t", Item={"k": {"S": f"i{n}"}, "g": {"S": "x"}, "r": {"S": str(n)},
                                             "v": {"S": "y" * 3000}})
    before = meter.counts.dynamodb_read_units
    answer = client.query(TableName="t", IndexName="by_g", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": {"S": "x"}}, Select="COUNT")
    assert answer["Count"] == 3
    # ~9 KB read from an index (eventually consistent): 3 units of 4 KB, halved.
    assert meter.counts.dynamodb_read_units - before == 1.5


def usage(**changes) -> Usage:
    fields = {"dynamodb_write_units": 0, "dynamodb_read_units": 0, "dynamodb_gb": 0, "lambda_requests": 0,
              "lambda_gb_seconds": 0, "api_requests": 0, "cloudfront_requests": 0, "invalidation_paths": 0,
              "s3_put": 0, "s3_get": 0, "emails": 0, "secrets": 0}
    return Usage(**{**fields, **changes})


def test_the_price_of_a_hand_made_month_is_the_hand_computed_dollars():
    bill = price(usage(dynamodb_write_units=2_000_000, dynamodb_read_units=4_000_000, api_requests=1_000_000,
                       s3_put=10_000, s3_get=100_000, emails=1_000, secrets=1))
    assert bill["dynamodb_writes"] == pytest.approx(2 * 0.625)
    assert bill["dynamodb_reads"] == pytest.approx(4 * 0.125)
    assert bill["api_gateway"] == pytest.approx(1.00)  # an HTTP API; no always-free API Gateway
    assert bill["s3_requests"] == pytest.approx(10 * 0.005 + 100 * 0.0004)
    assert bill["ses"] == pytest.approx(0.10)
    assert bill["secrets_manager"] == pytest.approx(0.40)
    assert sum(bill.values()) == pytest.approx(1.25 + 0.5 + 1.0 + 0.09 + 0.1 + 0.4)


def test_the_always_free_allowances_are_taken_off_first():
    within = price(usage(lambda_requests=1_000_000, lambda_gb_seconds=400_000, dynamodb_gb=25,
                         invalidation_paths=1_000, cloudfront_requests=10_000_000))
    assert sum(within.values()) == 0
    beyond = price(usage(lambda_requests=3_000_000, lambda_gb_seconds=500_000, dynamodb_gb=35,
                         invalidation_paths=1_200))
    assert beyond["lambda_requests"] == pytest.approx(2 * 0.20)
    assert beyond["lambda_duration"] == pytest.approx(100_000 * 0.0000133334)
    assert beyond["dynamodb_storage"] == pytest.approx(10 * 0.25)
    assert beyond["cloudfront_invalidations"] == pytest.approx(200 * 0.005)


def test_the_lambda_memory_is_read_from_the_chalice_config_at_run_time(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"lambda_memory_size": 512, "lambda_functions": {"api_handler": {}}}')
    assert cost_model.lambda_memory_mb(config) == 512
    config.write_text('{"lambda_memory_size": 512, "lambda_functions": {"api_handler": {"lambda_memory_size": 384}}}')
    assert cost_model.lambda_memory_mb(config) == 384


@pytest.fixture(scope="module")
def run():
    return cost_model.count(photo_side=320)


def test_a_tickets_life_writes_at_least_its_transitions_and_reads_what_it_shows(run):
    ticket = run.ticket
    # Filed, routed, accepted, done, confirmed, rated: each a history entry in a transaction.
    assert ticket.write_units_by_table["history"] >= 2 * 6
    assert ticket.write_units_by_table["tickets"] >= 2 * 6
    assert ticket.dynamodb_requests["TransactWriteItems"] >= 5
    assert ticket.read_units_by_table["tickets"] > 0 and ticket.dynamodb_read_units > ticket.dynamodb_write_units / 10
    assert ticket.api_requests == len(run.requests) and ticket.api_requests >= 15
    assert len(ticket.lambda_ms) == ticket.api_requests and all(ms > 0 for ms in ticket.lambda_ms)
    # The code and five status SMS to the resident, one to the executor's dispatcher; no e-mail:
    # the executor hears of a non-emergency ticket in the morning digest (priced per month).
    assert ticket.sms >= 6 and ticket.sms_segments >= ticket.sms and ticket.emails == 0
    # Two photos: two browser POSTs and two clean copies stored.
    assert ticket.s3["put"] == 4 and ticket.s3["get"] > 0
    assert run.photo_bytes_per_ticket > 0 and run.table_bytes_per_ticket > 1000


def test_an_idle_tick_reads_little_and_a_regeneration_publishes_and_invalidates_what_changed(run):
    idle = run.idle_tick
    # Two index queries (the due timers, the ready messages) and the outage page's two flags, read, not written.
    assert 0 < idle.dynamodb_read_units <= 3 and idle.dynamodb_write_units == 0
    assert idle.s3 == {} and idle.sms == 0
    assert run.regeneration.s3["put"] == run.regeneration.invalidation_paths > 0


def test_the_figures_give_each_size_and_grow_with_the_tickets(run):
    result = cost_model.figures(run, memory_mb=256, secrets=1)
    dollars = [result[f"monthly_usd_{n}"] for n in ("1k", "10k", "100k")]
    assert 0.40 <= dollars[0] < dollars[1] < dollars[2]
    assert result["cost_counts"]["per_ticket"]["api_requests"] == run.ticket.api_requests
    assert "| **total, without SMS** |" in cost_model.table(result)



def test_sms_are_priced_per_country_at_the_prices_given_a_segment(run):
    segments = run.ticket.sms_segments
    assert segments >= run.ticket.sms >= 3  # filed, taken into work, done at least
    priced = cost_model.sms_per_ticket(run, {"UA": 0.05, "PL": 0.04})["usd_per_ticket"]
    assert priced == {"UA": round(0.05 * segments, 4), "PL": round(0.04 * segments, 4), "DE": None}
    rows = cost_model.sms_table(run, {"UA": 0.05}).splitlines()
    assert rows[-1] == "| UA (0.05 USD a segment) | " + " | ".join(
        f"{0.05 * segments * n:.2f}" for n in cost_model.SIZES) + " |"


def test_a_segment_price_is_a_country_code_and_dollars():
    import argparse

    assert cost_model.segment_price("ua=0.0455") == ("UA", 0.0455)
    for wrong in ("UA", "UKR=0.1", "UA=cheap"):
        with pytest.raises(argparse.ArgumentTypeError):
            cost_model.segment_price(wrong)

def test_the_readme_table_gives_the_recorded_monthly_totals_within_the_goal():
    """`make bench` records the figures; the README's cost table must say the same."""
    import json
    import re
    from pathlib import Path

    from benchmarks.cost import GOAL_USD_10K

    root = Path(__file__).resolve().parents[2]
    recorded = json.loads((root / "benchmarks" / "results.json").read_text())
    lines = (root / "README.md").read_text().splitlines()
    [row] = [line for line in lines if line.startswith("| **total, without SMS**")]
    totals = [float(x) for x in re.findall(r"\*\*([\d.]+)\*\*", row)]
    assert totals == [recorded["monthly_usd_1k"], recorded["monthly_usd_10k"], recorded["monthly_usd_100k"]]
    assert recorded["monthly_usd_10k"] <= GOAL_USD_10K
