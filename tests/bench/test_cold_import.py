"""The cold-import benchmark's code runs (make bench measures it for real), and the
property it stands for holds deterministically: importing the API loads no botocore."""

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import cold_import

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


def test_the_cold_import_benchmark_measures_both_apps_once():
    figures = cold_import.measure(repeats=1)
    assert figures["cold_import_ms"]["samples"] == 1
    assert figures["cold_import_ms"]["app"] > 0 and figures["cold_import_ms"]["baseline"] > 0
    ratio = figures["cold_import_ms"]["app"] / figures["cold_import_ms"]["baseline"]
    assert figures["cold_import_ratio"] == pytest.approx(ratio, rel=0.01)


def test_importing_the_api_loads_neither_botocore_nor_pynamodb_nor_jinja2():
    probe = ("import sys; sys.path.insert(0, {!r}); import app; "
             "print(sorted(m for m in ('botocore', 'boto3', 'pynamodb', 'jinja2', 'phonenumbers', "
             "'authlib', 'requests', 'PIL', 'argon2', 'xml.etree.ElementTree', 'email.parser') "
             "if m in sys.modules))").format(str(FUNCTIONS))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "eu-central-1"})
    assert out.stdout.strip() == "[]"
