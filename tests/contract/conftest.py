"""One `storage` fixture, once per backend: every contract test runs as [sqlite] and [dynamodb]."""

import pytest
from moto import mock_aws

from chalicelib.adapters import sqlite
from tests.aws import FAKE_AWS_ENV, REGION

PREFIX = "contract-"


@pytest.fixture(params=["sqlite", "dynamodb"])
def storage(request, tmp_path, monkeypatch):
    if request.param == "sqlite":
        yield sqlite.open_storage(str(tmp_path / "citydesk.sqlite3"))
        return
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        # Imported here so the sqlite half runs whatever state the DynamoDB adapter is in;
        # a missing or broken adapter fails every [dynamodb] test, it is never skipped.
        from chalicelib.adapters import dynamodb

        dynamodb.create_tables(PREFIX, REGION)
        yield dynamodb.open_storage(PREFIX, REGION)
