"""functions/requirements.txt (what `chalice package` ships) is `make requirements`'s
export of pyproject.toml's runtime pins: it cannot drift from them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_lambda_requirements_are_the_exported_runtime_pins():
    exported = subprocess.run([sys.executable, str(ROOT / "tools" / "requirements.py")],
                              capture_output=True, text=True, check=True).stdout
    assert (ROOT / "functions" / "requirements.txt").read_text() == exported


def test_the_lambda_does_not_ship_what_its_runtime_already_has():
    shipped = (ROOT / "functions" / "requirements.txt").read_text().lower()
    assert "boto3" not in shipped and "botocore" not in shipped and "moto" not in shipped
