"""The production wiring on the AWS adapters, under moto: what every test that runs
a use case "on DynamoDB" builds its Deps with."""

from contextlib import contextmanager
from dataclasses import replace

from moto import mock_aws

from chalicelib import bootstrap

REGION = "eu-central-1"
# moto accepts any credentials; these keep boto3 from looking for real ones.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@contextmanager
def dynamodb_deps(settings, monkeypatch, prefix: str, **wiring):
    """`bootstrap.build` on DynamoDB tables named `prefix`..., created in a fresh
    `mock_aws`; `wiring` as `build` takes it (clock=, sms=, email=)."""
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        from chalicelib.adapters.dynamodb import create_tables

        create_tables(prefix, REGION)
        yield bootstrap.build(replace(settings, backend="dynamodb", table_prefix=prefix, region=REGION), **wiring)
