"""The environment the Lambda gets from .chalice/config.json starts the app: every
stage's settings validate (the secret is the one thing the deploy must supply)."""

import json
from pathlib import Path

import pytest

from chalicelib.settings import Settings

CHALICE = Path(__file__).resolve().parents[2] / "functions" / ".chalice"
CONFIG = json.loads((CHALICE / "config.json").read_text())


@pytest.mark.parametrize("stage", sorted(CONFIG["stages"]))
def test_each_stage_environment_gives_valid_settings(stage):
    env = {**CONFIG["environment_variables"], **CONFIG["stages"][stage]["environment_variables"],
           "CITYDESK_SECRET": "supplied-by-the-deploy"}
    settings = Settings.from_env(env)
    assert settings.backend == "dynamodb" and settings.sms == "sns" and not settings.local


def test_the_policy_file_the_config_names_exists_and_grants_no_wildcard_action():
    policy = json.loads((CHALICE / CONFIG["iam_policy_file"]).read_text())
    actions = [a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert actions and not any(a == "*" or a.endswith(":*") for a in actions)
