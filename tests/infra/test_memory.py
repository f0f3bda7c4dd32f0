"""Each Lambda function's memory (functions/.chalice/config.json) is at least what
benchmarks/lambda_memory.py measured it to need plus its headroom, as recorded in
benchmarks/results.json: the two cannot drift apart silently."""

import json
from pathlib import Path

from benchmarks import lambda_memory

ROOT = Path(__file__).resolve().parents[2]


def recorded() -> dict:
    return json.loads((ROOT / "benchmarks" / "results.json").read_text())


def test_every_function_of_the_app_has_a_measured_peak():
    from app import app

    scheduled = {source.name for source in app.event_sources if hasattr(source, "schedule_expression")}
    assert set(recorded()["lambda_peak_mb"]) == {"baseline_moto", "api_handler"} | scheduled


def test_each_functions_memory_is_at_least_its_measured_peak_with_headroom():
    peaks = recorded()["lambda_peak_mb"]
    for name in lambda_memory.FUNCTIONS:
        assert lambda_memory.configured_memory(name) >= lambda_memory.memory_size(peaks[name]), name


def test_the_nightly_regeneration_may_run_for_two_minutes():
    """0.7 s over 100 000 tickets on SQLite (regen_seconds); DynamoDB's reads take longer."""
    config = json.loads((ROOT / "functions" / ".chalice" / "config.json").read_text())
    assert config["lambda_functions"]["nightly_regeneration"]["lambda_timeout"] >= 120
