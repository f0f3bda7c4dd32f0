"""The secrets reach the settings from one SSM SecureString parameter on AWS (under moto), or
from a file or the environment locally; a missing or malformed secret stops the start
with an error that names where it looked and never a value."""

import json
import logging
import os

import boto3
import pytest
from moto import mock_aws

from chalicelib import bootstrap, secrets_env
from chalicelib.secrets_env import SecretsUnavailable
from chalicelib.settings import Settings
from local.server import prepare_var
from tests.aws import FAKE_AWS_ENV, REGION

SIGNING_KEY = "signing-key-from-the-secret"
SMS_KEY = "sms-gateway-key-from-the-secret"
OIDC_SECRET = "google-client-secret-from-the-secret"
SECRETS = {"CITYDESK_SECRET": SIGNING_KEY, "SMS_GATEWAY_KEY": SMS_KEY, "GOOGLE_CLIENT_SECRET": OIDC_SECRET}
# What the functions' environment holds on AWS besides the secret's name: configuration only.
CONFIGURATION = {
    "CITYDESK_SMS": "http",
    "CITYDESK_SMS_HTTP_URL": "https://sms.example/send",
    "CITYDESK_SMS_HTTP_BODY": "to={to}&text={text}&key={secret}",
    "CITYDESK_SMS_HTTP_SECRET_ENV": "SMS_GATEWAY_KEY",
    "CITYDESK_OIDC_PROVIDERS": json.dumps([{"name": "google", "client_id": "city-desk",
                                            "client_secret_env": "GOOGLE_CLIENT_SECRET",
                                            "issuer": "https://accounts.google.com"}]),
}


@pytest.fixture
def aws(monkeypatch):
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("ssm", region_name=REGION)


def stored(client, secret_string: str, name: str = "/citydesk-prod/secrets", kind: str = "SecureString") -> str:
    client.put_parameter(Name=name, Type=kind, Value=secret_string)
    return name


def assert_names_no_value(error, *where):
    message = str(error.value)
    assert all(place in message for place in where), message
    assert not any(value in message for value in SECRETS.values()), message


def test_the_secrets_values_reach_the_settings_the_signing_key_the_sms_gateways_and_the_oidc_clients(aws):
    parameter = stored(aws, json.dumps(SECRETS))

    settings = Settings.from_env(secrets_env.environment({**CONFIGURATION, "CITYDESK_SECRETS_PARAMETER": parameter}))

    assert settings.secret == SIGNING_KEY
    assert settings.sms_http.secret == SMS_KEY
    assert [provider.client_secret for provider in settings.oidc_providers] == [OIDC_SECRET]


def test_the_settings_read_from_the_process_environment_include_the_secret(aws, monkeypatch):
    monkeypatch.delenv("CITYDESK_SECRET", raising=False)
    monkeypatch.setenv("CITYDESK_SECRETS_PARAMETER", stored(aws, json.dumps({"CITYDESK_SECRET": SIGNING_KEY})))

    assert Settings.from_env().secret == SIGNING_KEY


def test_the_secret_is_read_once_per_container_at_the_first_use_of_the_deps(aws, monkeypatch, tmp_path):
    monkeypatch.delenv("CITYDESK_SECRET", raising=False)
    monkeypatch.setenv("CITYDESK_SECRETS_PARAMETER", stored(aws, json.dumps({"CITYDESK_SECRET": SIGNING_KEY})))
    monkeypatch.setenv("CITYDESK_DB_PATH", str(tmp_path / "db.sqlite3"))
    reads = []
    read = secrets_env._read_parameter
    monkeypatch.setattr(secrets_env, "_read_parameter", lambda *args: reads.append(args[0]) or read(*args))
    bootstrap.reset()
    try:
        assert reads == []
        assert bootstrap.deps().settings.secret == SIGNING_KEY
        assert bootstrap.deps().settings.secret == SIGNING_KEY
        assert reads == [os.environ["CITYDESK_SECRETS_PARAMETER"]]
    finally:
        bootstrap.reset()


def test_a_missing_parameter_stops_the_start_naming_it(aws):
    parameter = "/citydesk-gone/secrets"

    with pytest.raises(SecretsUnavailable) as refused:
        secrets_env.environment({"CITYDESK_SECRETS_PARAMETER": parameter})

    assert_names_no_value(refused, parameter, "ParameterNotFound")


@pytest.mark.parametrize("secret_string", [
    f"CITYDESK_SECRET={SIGNING_KEY}",  # not JSON: the error must not quote it
    json.dumps([SIGNING_KEY]),
    json.dumps({"CITYDESK_SECRET": SIGNING_KEY, "PORT": 25}),
])
def test_a_secret_that_is_not_an_object_of_texts_stops_the_start_naming_the_parameter_not_the_values(aws, secret_string):
    parameter = stored(aws, secret_string)

    with pytest.raises(SecretsUnavailable) as refused:
        secrets_env.environment({"CITYDESK_SECRETS_PARAMETER": parameter})

    assert_names_no_value(refused, parameter)


def test_a_parameter_stored_unencrypted_stops_the_start(aws):
    parameter = stored(aws, json.dumps(SECRETS), name="/plain/secrets", kind="String")

    with pytest.raises(SecretsUnavailable, match="not a SecureString"):
        secrets_env.environment({"CITYDESK_SECRETS_PARAMETER": parameter})


def test_a_variable_both_in_the_environment_and_in_the_secret_stops_the_start_naming_both_places(aws):
    parameter = stored(aws, json.dumps(SECRETS))

    with pytest.raises(SecretsUnavailable) as refused:
        secrets_env.environment({"CITYDESK_SECRETS_PARAMETER": parameter, "CITYDESK_SECRET": "an-old-key-left-behind"})

    assert_names_no_value(refused, "CITYDESK_SECRET", "the environment", parameter)
    assert "an-old-key-left-behind" not in str(refused.value)


def test_an_empty_variable_in_the_environment_is_unset_and_the_secret_fills_it(aws):
    parameter = stored(aws, json.dumps(SECRETS))

    assert secrets_env.environment({"CITYDESK_SECRETS_PARAMETER": parameter, "CITYDESK_SECRET": ""})["CITYDESK_SECRET"] \
        == SIGNING_KEY


def test_reading_the_secret_logs_no_value_at_the_most_verbose_level_the_app_runs_at(aws, caplog):
    parameter = stored(aws, json.dumps(SECRETS))
    # INFO, as local/server.py sets it. (botocore's DEBUG lines carry whole response
    # bodies, of every service: never run a deployment with botocore at DEBUG.)
    caplog.set_level(logging.INFO)

    Settings.from_env(secrets_env.environment({**CONFIGURATION, "CITYDESK_SECRETS_PARAMETER": parameter}))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(value in logged for value in SECRETS.values())


# --- locally ---------------------------------------------------------------------------

def test_locally_a_secrets_file_of_the_same_shape_gives_the_settings_their_secrets(tmp_path):
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps(SECRETS))

    settings = Settings.from_env(secrets_env.environment({**CONFIGURATION, "CITYDESK_SECRETS_FILE": str(path)}))

    assert (settings.secret, settings.sms_http.secret) == (SIGNING_KEY, SMS_KEY)


def test_without_a_secrets_file_or_secret_the_environment_is_read_as_it_is():
    env = {"CITYDESK_SECRET": "from-the-environment", "SMS_GATEWAY_KEY": "k"}

    assert secrets_env.environment(env) == env


def test_a_missing_secrets_file_stops_the_start_naming_it(tmp_path):
    path = tmp_path / "nowhere.json"

    with pytest.raises(SecretsUnavailable) as refused:
        secrets_env.environment({"CITYDESK_SECRETS_FILE": str(path)})

    assert_names_no_value(refused, "CITYDESK_SECRETS_FILE", str(path))


def test_the_local_server_keeps_its_generated_key_in_var_unless_a_secrets_file_holds_one(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "environ", {"PATH": os.environ.get("PATH", "")})
    prepare_var(tmp_path / "var")
    assert os.environ["CITYDESK_SECRET"] == (tmp_path / "var" / "secret").read_text().strip()

    path = tmp_path / "secrets.json"
    path.write_text(json.dumps({"CITYDESK_SECRET": SIGNING_KEY}))
    monkeypatch.setattr(os, "environ", {"PATH": os.environ["PATH"], "CITYDESK_SECRETS_FILE": str(path)})
    prepare_var(tmp_path / "other-var")

    assert "CITYDESK_SECRET" not in os.environ and not (tmp_path / "other-var" / "secret").exists()
    assert Settings.from_env().secret == SIGNING_KEY
