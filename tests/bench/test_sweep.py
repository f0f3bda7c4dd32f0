"""The sweep benchmark's code runs on a small size (make bench measures 1 000 against
100 000), and the property it stands for holds: on DynamoDB the sweep reads only the
due items, however many tickets are open."""

from benchmarks import sweep


def test_the_sweep_benchmark_reads_only_the_due_items_at_both_sizes():
    figures = sweep.measure((200, 2_000), repeats=1)

    assert figures["sweep_items_read"] == {"dynamodb_200": sweep.DUE, "dynamodb_2k": sweep.DUE}
    assert figures["sweep_items_fetched"] == {"dynamodb_200": sweep.DUE, "dynamodb_2k": sweep.DUE}
    assert figures["sweep_ms"]["sqlite_200"] > 0 and figures["sweep_ms"]["sqlite_2k"] > 0
    assert figures["sweep_ratio"] > 0
