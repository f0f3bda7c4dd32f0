"""The regeneration benchmark's code runs on a small size (make bench measures 10 000
against 100 000 tickets), and the property it stands for holds: what the nightly
regeneration reads does not grow with the tickets."""

from benchmarks import regen


def test_the_regeneration_reads_records_and_the_tickets_in_works_not_every_ticket():
    figures = regen.measure((300, 3_000), notices=40, repeats=1)

    small, large = figures["regen_reads"]["300"], figures["regen_reads"]["3k"]
    bound = figures["regen_read_bound"]
    assert small["tickets"] == large["tickets"] == regen.IN_WORKS
    assert small["notices"] == large["notices"] == regen.ACTIVE_NOTICES
    # Ten times the tickets: more of the days' records are filled in, never more than the bound.
    assert 0 < small["stats_records"] <= large["stats_records"] <= bound["stats_records"]
    assert figures["regen_seconds"] > 0 and figures["regen_peak_mb"] > 0
