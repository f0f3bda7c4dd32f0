"""The Chalice config names policy files that exist and grant no wildcard action. (The
functions' environment comes from the packaged template: tests/infra checks it.)"""

import json
from pathlib import Path

CHALICE = Path(__file__).resolve().parents[2] / "functions" / ".chalice"
CONFIG = json.loads((CHALICE / "config.json").read_text())


def test_the_policy_file_the_config_names_exists_and_grants_no_wildcard_action():
    policy = json.loads((CHALICE / CONFIG["iam_policy_file"]).read_text())
    actions = [a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert actions and not any(a == "*" or a.endswith(":*") for a in actions)
