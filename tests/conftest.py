"""Fixtures every suite may use: the production wiring (`bootstrap.build`) with a
SQLite file in tmp_path, a fixed clock and a recording SMS sender, and the
Chalice test client serving the real app on top of them."""

import pytest
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.adapters.clock import FixedClock
from chalicelib.adapters.email import RecordingEmail
from chalicelib.adapters.sms import RecordingSms
from chalicelib.settings import Settings
from tests.api.client import Api, serving
from tests.aws import dynamodb_deps
from tests.builders import NOW


@pytest.fixture
def clock():
    """Stands at builders.NOW, Monday 23 November 2026, 11:00 in Kyiv, until moved."""
    return FixedClock(NOW)


@pytest.fixture
def sms():
    return RecordingSms()


@pytest.fixture
def email():
    return RecordingEmail()


@pytest.fixture
def settings(tmp_path):
    return Settings(backend="sqlite", db_path=str(tmp_path / "citydesk.sqlite3"), sms_log=str(tmp_path / "sms.log"),
                    email_log=str(tmp_path / "email.log"), photo_dir=str(tmp_path / "photos"),
                    site_dir=str(tmp_path / "site"),
                    secret="test-secret", local=False)


@pytest.fixture
def cheap_password_hashes(monkeypatch):
    """argon2 at its lowest cost, for tests that make and check many staff passwords."""
    from chalicelib.services import staff

    monkeypatch.setattr(staff, "HASH_COST", {"time_cost": 1, "memory_cost": 8, "parallelism": 1})


@pytest.fixture
def deps(settings, clock, sms, email):
    return bootstrap.build(settings, clock=clock, sms=sms, email=email)


@pytest.fixture
def client(deps):
    from app import app

    bootstrap.override(deps)
    with Client(app) as test_client:
        yield test_client
    bootstrap.reset()


@pytest.fixture
def api(client, deps, sms):
    return Api(client, deps, sms)


@pytest.fixture(params=["sqlite", "dynamodb"])
def either_api(request, settings, clock, sms, email, monkeypatch):
    """The API through the production wiring on SQLite, then on DynamoDB under moto."""
    if request.param == "sqlite":
        yield from serving(bootstrap.build(settings, clock=clock, sms=sms, email=email), sms)
        return
    with dynamodb_deps(settings, monkeypatch, "api-", clock=clock, sms=sms, email=email) as deps:
        yield from serving(deps, sms)

