"""How long a Lambda container takes to import the API, against a bare Chalice app
that imports boto3 and pynamodb (what a naive app.py would do).

Each sample is a fresh interpreter that times only its import (interpreter start-up
is the same for both and would hide the difference); the two kinds alternate so a
noisy neighbour slows both alike, and the ratio is of medians from one run.
"""

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "functions"

BASELINE_APP = """\
import boto3
import pynamodb.models
from chalice import Chalice

app = Chalice(app_name="baseline")
sns = boto3.client("sns", region_name="eu-central-1")


@app.route("/api/health")
def health():
    return {"status": "ok"}
"""

TIMER = """\
import sys, time
sys.path.insert(0, {folder!r})
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
print(elapsed, "botocore" in sys.modules)
"""


def _sample(folder: Path, module: str) -> tuple:
    env = {"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-central-1", "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, "-c", TIMER.format(folder=str(folder), module=module)],
                         capture_output=True, text=True, env=env, check=True).stdout.split()
    return float(out[0]), out[1] == "True"


def measure(repeats: int = 15) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        baseline_dir = Path(tmp)
        (baseline_dir / "baseline_app.py").write_text(BASELINE_APP)
        # Warm the file cache and bytecode once for both, untimed.
        _sample(FUNCTIONS, "app")
        _sample(baseline_dir, "baseline_app")
        ours, theirs, loads_botocore = [], [], False
        for _ in range(repeats):
            seconds, botocore = _sample(FUNCTIONS, "app")
            ours.append(seconds)
            loads_botocore |= botocore
            theirs.append(_sample(baseline_dir, "baseline_app")[0])
    app_ms, base_ms = statistics.median(ours) * 1000, statistics.median(theirs) * 1000
    return {
        "cold_import_ratio": round(app_ms / base_ms, 3),
        "cold_import_ms": {"app": round(app_ms, 1), "baseline": round(base_ms, 1), "samples": repeats,
                           "app_imports_botocore": loads_botocore},
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
