"""The wiring: nothing heavy at import, the Deps built once on first use, the
directory seeded once."""

import json
import os
import subprocess
import sys
from pathlib import Path

from chalicelib import bootstrap
from chalicelib.services.seed import seed_directory

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
HEAVY = ("botocore", "boto3", "pynamodb", "jinja2", "phonenumbers", "sqlite3")


def modules_after_import(env: dict) -> list:
    probe = f"import sys, app; print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=FUNCTIONS, capture_output=True, text=True, check=True,
                          env={**{k: v for k, v in os.environ.items() if not k.startswith("CITYDESK_")}, **env})
    return json.loads(done.stdout)


def test_importing_the_app_loads_no_heavy_module_on_either_backend():
    assert modules_after_import({}) == []
    assert modules_after_import({"CITYDESK_BACKEND": "dynamodb", "CITYDESK_SMS": "sns"}) == []


def test_the_deps_are_built_from_the_environment_on_first_use_and_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("CITYDESK_SECRET", "s")
    monkeypatch.setenv("CITYDESK_DB_PATH", str(tmp_path / "db.sqlite3"))
    bootstrap.reset()
    try:
        assert not (tmp_path / "db.sqlite3").exists()
        first = bootstrap.deps()
        assert first is bootstrap.deps()
        assert first.city.code == "dnipro" and (tmp_path / "db.sqlite3").exists()
    finally:
        bootstrap.reset()


def test_the_directory_is_seeded_once(deps):
    assert deps.storage.directory.catalogue().cause("gas.smell") is not None
    assert len(deps.storage.directory.organisations()) > 5
    assert deps.storage.directory.registry().street("yavornytskoho-ave") is not None
    assert seed_directory(deps.storage, deps.settings.data_dir) is False
