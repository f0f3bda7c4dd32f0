"""benchmarks/results.json: each benchmark merges its figures in and leaves the others'."""

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def read() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def merge(figures: dict) -> None:
    RESULTS.write_text(json.dumps({**read(), **figures}, indent=2, sort_keys=True) + "\n")
