"""The secrets (the signing key CITYDESK_SECRET, the SMS gateway's key, the OIDC client
secrets), merged into the environment the settings are read from.

All of them are one JSON object {variable name: value}, kept:
- on AWS, in the SSM Parameter Store SecureString parameter CITYDESK_SECRETS_PARAMETER
  names (standard parameters cost nothing; a Secrets Manager secret would cost 0.40 USD a
  month, a fifth of the whole deployment's budget): the functions' configuration names the
  parameter and holds no value, so reading a function's configuration reveals nothing;
- locally, in the file CITYDESK_SECRETS_FILE names, or in the environment itself.

A variable set in two of these places is refused: neither may silently hide the other
(a value left in the environment would outlive a rotated secret unnoticed).
Nothing here logs a value, and no error names one.
"""

import json
import os

SECRETS_PARAMETER = "CITYDESK_SECRETS_PARAMETER"
SECRETS_FILE = "CITYDESK_SECRETS_FILE"


class SecretsUnavailable(ValueError):
    """The secrets could not be read, or are not an object of variable names to text values:
    like a bad setting (a ValueError), the start stops."""


def environment(env=None) -> dict:
    """`env` (the process's environment by default) with the secrets' variables added."""
    env = dict(os.environ if env is None else env)
    sources = {"the environment": {name: value for name, value in env.items() if value}}
    if env.get(SECRETS_FILE):
        sources[env[SECRETS_FILE]] = _values(_read_file(env[SECRETS_FILE]), env[SECRETS_FILE])
    if env.get(SECRETS_PARAMETER):
        name = env[SECRETS_PARAMETER]
        sources[name] = _values(_read_parameter(name, env), name)
    found = {}  # variable name -> where it is set
    for source, values in sources.items():
        for name in values:
            if name in found:
                raise SecretsUnavailable(f"{name} is set both in {found[name]} and in {source}: keep one")
            found[name] = source
        env.update(values)
    return env


def _read_file(path: str) -> str:
    try:
        return open(path, encoding="utf-8").read()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise SecretsUnavailable(f"{SECRETS_FILE}: cannot read {path} ({reason})") from None


def _read_parameter(name: str, env) -> str:
    # boto3 is imported only here: importing the app must not load it (cold start).
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    try:
        answer = boto3.client("ssm", region_name=region).get_parameter(Name=name, WithDecryption=True)
    except ClientError as error:
        raise SecretsUnavailable(f"{SECRETS_PARAMETER}: cannot read the parameter {name} "
                                 f"({error.response['Error'].get('Code', 'error')})") from None
    except BotoCoreError as error:
        raise SecretsUnavailable(f"{SECRETS_PARAMETER}: cannot read the parameter {name} "
                                 f"({type(error).__name__})") from None
    if answer["Parameter"].get("Type") != "SecureString":
        raise SecretsUnavailable(f"{SECRETS_PARAMETER}: the parameter {name} is not a SecureString")
    return answer["Parameter"]["Value"]


def _values(text: str, source: str) -> dict:
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        values = None
    # The error names the source only: a parse error's position could point into a value.
    if not isinstance(values, dict) or not all(isinstance(value, str) for value in values.values()):
        raise SecretsUnavailable(f"{source} is not a JSON object of variable names to text values")
    return {name: value for name, value in values.items() if value}
