"""What only DynamoDB shows of the outage notices: the public page's read of the
active ones costs what is active, however many closed ones have piled up."""

from datetime import timedelta

from tests.builders import NOW, make_outage
from tests.contract.test_dynamodb_only import aws, models, open_tables, reads_of  # noqa: F401 (aws: a fixture)


def test_the_active_notices_are_read_from_the_state_index_without_the_closed_ones(aws):  # noqa: F811
    storage = open_tables()
    for n in range(40):
        storage.outages.create(make_outage(state="closed", closed_at=NOW, starts_at=NOW - timedelta(days=n + 1)))
    active = [make_outage(starts_at=NOW + timedelta(hours=n)) for n in range(2)]
    for outage in active:
        storage.outages.create(outage)

    with reads_of(models().outages) as seen:
        found = storage.outages.active()

    assert found == active
    assert seen == [("Query", 2)]
