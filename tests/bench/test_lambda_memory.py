"""The Lambda memory benchmark's code runs on a small size (make bench measures the
heaviest ticket the API accepts and a year of tickets for the nightly job), and its
figures add up."""

from benchmarks import lambda_memory


def test_each_function_is_measured_in_a_process_of_its_own_and_sized_from_it():
    figures = lambda_memory.measure(photo=(64, 48), regen_tickets=40, regen_notices=10)

    peaks, own = figures["lambda_peak_mb"], figures["lambda_own_mb"]
    assert set(own) == set(lambda_memory.FUNCTIONS) and peaks["baseline_moto"] > 0
    for name in lambda_memory.FUNCTIONS:
        assert own[name] > 0
        assert peaks[name] == round(peaks["baseline_moto"] + own[name], 1)
        assert figures["lambda_memory_mb"][name] == lambda_memory.memory_size(peaks[name]) >= 2 * peaks[name]


def test_a_function_is_given_twice_its_peak_in_whole_megabytes_and_never_less_than_lambdas_least():
    assert lambda_memory.memory_size(10.0) == 128
    assert lambda_memory.memory_size(150.2) == 301
