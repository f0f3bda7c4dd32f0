"""ARCHITECTURE.md: the domain imports only the standard library."""

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "functions" / "chalicelib" / "domain"


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], 0
        elif isinstance(node, ast.ImportFrom):
            yield (node.module or "").split(".")[0], node.level


def test_the_domain_imports_nothing_outside_the_standard_library():
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) > 5
    outside = [(f.name, name) for f in files for name, level in imported_modules(f)
               if level == 0 and name not in sys.stdlib_module_names]
    assert outside == []


def test_the_check_sees_a_third_party_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nfrom . import sla\nimport phonenumbers\nfrom boto3 import client\n")
    names = [n for n, level in imported_modules(sample) if level == 0 and n not in sys.stdlib_module_names]
    assert names == ["phonenumbers", "boto3"]
