"""Deploy `make package`'s output to one stage's stack, then publish the site and the pages.

    PYTHONPATH=functions:. python -m tools.deploy --stage prod [--config deploy/prod.json]
        [--package build/package] [--site build/site]

The stage file (deploy/<stage>.json, written by whoever deploys; it holds no secret):

    {"region": "eu-central-1", "stack": "citydesk-prod", "sms_spend_limit_usd": 30,
     "parameters": {"SiteDomain": "...", "CertificateArn": "...", "EmailFrom": "...",
                    "AlarmEmail": "...", "SmsSpendAlarmUsd": 20}}

"stack" may be left out: citydesk-<stage>. The parameters are the template's.

Decide, then act: `plan` turns the stage, the package and what the account holds now
into the steps as plain data; `Executor` runs them with boto3. Values the stack gives
only once it exists (its outputs) appear in the plan as {"Output": name}.
"""

import argparse
import hashlib
import json
import mimetypes
import os
import re
import secrets
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tools.sms_settings import attributes as sms_attributes, default_sender_id

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "build" / "package"
SITE = ROOT / "build" / "site"
# The SAM transform needs CAPABILITY_AUTO_EXPAND; each function's role, CAPABILITY_IAM.
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
# The functions' code as `chalice package` names it in the template.
LOCAL_CODE = "./deployment.zip"
# What describe_change_set says when the stack already is what the package describes.
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
# The template's parameter the deploy fills in itself, from the stack's secrets: the
# value CloudFront sends the API to show a request came through it (api/http.py).
ORIGIN_PARAMETER = "OriginHeader"
# The stack's name starts the tables' and the buckets' names, which S3 wants in lower case.
STACK_NAME = re.compile(r"[a-z][a-z0-9-]{0,62}")


class DeployError(Exception):
    """Something the person deploying must fix; nothing after it was done."""


@dataclass(frozen=True)
class Stage:
    name: str
    region: str
    stack: str
    parameters: dict  # {name: value as text}, as CloudFormation takes them
    sms_spend_limit: int
    sms_sender_id: str


@dataclass(frozen=True)
class Package:
    template: dict
    archive: Path
    archive_sha256: str


@dataclass(frozen=True)
class State:
    """What the account holds now."""

    account: str
    stack_status: str | None  # None: no such stack
    artifacts_bucket_exists: bool
    secrets_parameter_exists: bool


def output(name: str) -> dict:
    return {"Output": name}


# --- decide ---------------------------------------------------------------------------

def read_stage(name: str, config: dict, template: dict, sender_id: str, source: str = "") -> Stage:
    """The stage file checked against the template's parameters: each one the template
    has no default for is given, none is unknown, each matches its pattern. `sender_id`:
    the SMS sender id the functions use."""
    where = source or f"deploy/{name}.json"
    declared = template.get("Parameters", {})
    if not isinstance(config.get("region"), str) or not config["region"]:
        raise DeployError(f'{where}: "region" is missing (the stack\'s region, e.g. "eu-central-1")')
    given = config.get("parameters", {})
    if not isinstance(given, dict):
        raise DeployError(f'{where}: "parameters" must be an object of the template\'s parameters')
    if ORIGIN_PARAMETER in given:
        raise DeployError(f"{where}: parameters: leave {ORIGIN_PARAMETER} out: the deploy sets it")
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise DeployError(f"{where}: the template has no parameter {', '.join(unknown)}")
    for parameter, spec in declared.items():
        if parameter not in given and "Default" not in spec and parameter != ORIGIN_PARAMETER:
            raise DeployError(f'{where}: parameters: "{parameter}" is missing ({spec.get("Description", "")})')
    values = {parameter: str(value) for parameter, value in given.items()}
    for parameter, value in values.items():
        spec = declared[parameter]
        if spec.get("Type") == "Number" and not re.fullmatch(r"-?\d+(\.\d+)?", value):
            raise DeployError(f"{where}: parameters: {parameter} must be a number")
        if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
            raise DeployError(f"{where}: parameters: {parameter} {value!r} does not fit "
                              f"({spec.get('Description', spec['AllowedPattern'])})")
    limit = config.get("sms_spend_limit_usd")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise DeployError(f'{where}: "sms_spend_limit_usd" is missing (SNS\'s monthly SMS spend limit, whole USD)')
    alarm = float(values.get("SmsSpendAlarmUsd", declared.get("SmsSpendAlarmUsd", {}).get("Default", 0)))
    if alarm >= limit:
        raise DeployError(f"{where}: SmsSpendAlarmUsd ({alarm:g}) must be below sms_spend_limit_usd ({limit}), "
                          "or SNS stops the SMS before the alarm says so")
    stack = config.get("stack") or f"citydesk-{name}"
    if not isinstance(stack, str) or not STACK_NAME.fullmatch(stack):
        raise DeployError(f'{where}: "stack" must be lower-case letters, digits and hyphens, from a letter '
                          "(it starts the tables' and buckets' names)")
    return Stage(name=name, region=config["region"], stack=stack,
                 parameters=values, sms_spend_limit=limit, sms_sender_id=sender_id)


def artifacts_bucket(account: str, region: str) -> str:
    return f"citydesk-artifacts-{account}-{region}"


def change_set_type(stack: str, status: str | None) -> str:
    if status is None or status == "REVIEW_IN_PROGRESS":  # a change set made it, none ran
        return "CREATE"
    if status == "ROLLBACK_COMPLETE":
        raise DeployError(f"the stack {stack} was never created (its first deploy was rolled back): read its "
                          f"events, delete it (aws cloudformation delete-stack --stack-name {stack}), deploy again")
    if status.endswith("_IN_PROGRESS"):
        raise DeployError(f"the stack {stack} is busy ({status}): deploy again when it is done")
    if status.endswith("_FAILED"):
        raise DeployError(f"the stack {stack} is {status}: read its events in the CloudFormation console")
    return "UPDATE"


def with_code(template: dict, bucket: str, key: str) -> dict:
    """The template with each function's code read from s3://bucket/key."""
    code = {"Bucket": bucket, "Key": key}
    resources = {name: ({**resource, "Properties": {**resource["Properties"], "CodeUri": code}}
                        if resource.get("Properties", {}).get("CodeUri") == LOCAL_CODE else resource)
                 for name, resource in template["Resources"].items()}
    return {**template, "Resources": resources}


def template_bytes(template: dict) -> bytes:
    return json.dumps(template, indent=1, sort_keys=True, ensure_ascii=False).encode()


def secrets_parameter(stack: str) -> str:
    """The SSM SecureString parameter the stack's functions read their secrets from
    (CITYDESK_SECRETS_PARAMETER in tools/infra.py)."""
    return f"/{stack}/secrets"


def plan(stage: Stage, package: Package, state: State, change_set: str, site: Path = SITE) -> list:
    """The steps of a deploy, in order, as plain data."""
    kind = change_set_type(stage.stack, state.stack_status)
    bucket = artifacts_bucket(state.account, stage.region)
    code_key = f"{stage.stack}/{package.archive_sha256}.zip"
    template = with_code(package.template, bucket, code_key)
    # Content-addressed: the same template is one object, however often it is deployed.
    template_key = f"{stage.stack}/{hashlib.sha256(template_bytes(template)).hexdigest()}.json"
    pages = {"site_bucket": output("SiteBucketName"), "distribution": output("DistributionId")}
    steps = [] if state.artifacts_bucket_exists else [{"action": "create_artifacts_bucket", "bucket": bucket}]
    if not state.secrets_parameter_exists:
        # Before the stack: its functions read it at their first start. Never replaced:
        # a new signing key would sign every resident and staff member out.
        steps.append({"action": "create_secrets", "name": secrets_parameter(stage.stack)})
    return steps + [
        {"action": "upload_code", "bucket": bucket, "key": code_key, "path": str(package.archive)},
        # CloudFormation takes a template over 51 200 bytes only from S3.
        {"action": "upload_template", "bucket": bucket, "key": template_key, "template": template},
        {"action": "deploy_stack", "stack": stage.stack, "change_set": change_set, "change_set_type": kind,
         "template_url": f"https://{bucket}.s3.{stage.region}.amazonaws.com/{template_key}",
         "parameters": [{"ParameterKey": name, "ParameterValue": value}
                        for name, value in sorted(stage.parameters.items())],
         "origin_header_from": secrets_parameter(stage.stack), "capabilities": CAPABILITIES},
        {"action": "build_site", "out": str(site), "photo_origin": output("PhotoOrigin")},
        {"action": "publish_site", "folder": str(site), **pages},
        {"action": "sms_settings", "spend_limit": stage.sms_spend_limit, "sender_id": stage.sms_sender_id},
        {"action": "regenerate", "table_prefix": output("TablePrefix"), **pages},
    ]


def resolve(step: dict, outputs: dict) -> dict:
    """The step's arguments with each {"Output": name} replaced by the stack's output."""
    def value(argument):
        if isinstance(argument, dict) and set(argument) == {"Output"}:
            if argument["Output"] not in outputs:
                raise DeployError(f"the stack has no output {argument['Output']}: is it citydesk's stack?")
            return outputs[argument["Output"]]
        return argument

    return {name: value(argument) for name, argument in step.items() if name != "action"}


def describe_changes(changes: list) -> list:
    """describe_change_set's Changes, one line each, printed before the change set runs."""
    lines = []
    for change in changes:
        resource = change.get("ResourceChange", {})
        replacement = " (replaced)" if resource.get("Replacement") == "True" else ""
        lines.append(f"  {resource.get('Action', '?'):<8} {resource.get('ResourceType', '?'):<40} "
                     f"{resource.get('LogicalResourceId', '?')}{replacement}")
    return lines


def site_files(folder: Path) -> dict:
    """Every file under `folder` as S3Site publishes it: {path: (bytes, content type)},
    typed as the local server types them."""
    return {path.relative_to(folder).as_posix(): (path.read_bytes(),
                                                   mimetypes.guess_type(path.name)[0] or "application/octet-stream")
            for path in sorted(folder.rglob("*")) if path.is_file()}


# --- act ------------------------------------------------------------------------------

class Executor:
    """Runs a plan's steps with boto3 in one region; the stack's outputs, once read,
    fill in the later steps' {"Output": name} arguments."""

    def __init__(self, region: str, say=print, wait_delay: int = 15):
        self.region = region
        self.outputs = {}
        self._say = say
        self._delay = wait_delay
        self._clients = {}

    def run(self, steps: list) -> None:
        for step in steps:
            getattr(self, step["action"])(**resolve(step, self.outputs))

    def create_artifacts_bucket(self, bucket: str) -> None:
        s3 = self._client("s3")
        where = {} if self.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
        s3.create_bucket(Bucket=bucket, **where)
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        self._say(f"artifacts bucket {bucket}: created (private, encrypted)")

    def create_secrets(self, name: str) -> None:
        """The parameter with a new signing key (CITYDESK_SECRET); the SMS gateway's and
        OIDC clients' secrets are added to it by hand (README)."""
        value = json.dumps({"CITYDESK_SECRET": secrets.token_urlsafe(48)})
        self._client("ssm").put_parameter(Name=name, Type="SecureString", Value=value, Overwrite=False,
                                          Description="citydesk's secrets: a JSON object {variable: value}")
        self._say(f"secrets: {name} created with a new signing key")

    def upload_code(self, bucket: str, key: str, path: str) -> None:
        self._client("s3").upload_file(path, bucket, key)
        self._say(f"code: s3://{bucket}/{key}")

    def upload_template(self, bucket: str, key: str, template: dict) -> None:
        self._client("s3").put_object(Bucket=bucket, Key=key, Body=template_bytes(template),
                                      ContentType="application/json")
        self._say(f"template: s3://{bucket}/{key}")

    def deploy_stack(self, stack: str, change_set: str, change_set_type: str, template_url: str,
                     parameters: list, origin_header_from: str, capabilities: list) -> None:
        """The change set with `parameters` and the origin header, derived from the signing
        key in the `origin_header_from` parameter, made, shown and run."""
        from botocore.exceptions import WaiterError

        from chalicelib.api.http import origin_token

        stored = self._client("ssm").get_parameter(Name=origin_header_from, WithDecryption=True)["Parameter"]["Value"]
        origin = {"ParameterKey": ORIGIN_PARAMETER,
                  "ParameterValue": origin_token(json.loads(stored)["CITYDESK_SECRET"])}
        cloudformation = self._client("cloudformation")
        names = {"StackName": stack, "ChangeSetName": change_set}
        cloudformation.create_change_set(**names, ChangeSetType=change_set_type, TemplateURL=template_url,
                                         Parameters=[*parameters, origin], Capabilities=capabilities)
        try:
            cloudformation.get_waiter("change_set_create_complete").wait(
                **names, WaiterConfig={"Delay": self._delay, "MaxAttempts": 120})
        except WaiterError:
            described = cloudformation.describe_change_set(**names)
            reason = described.get("StatusReason", "")
            if not any(words in reason for words in NO_CHANGES):
                raise DeployError(f"the change set {change_set} failed: {reason}") from None
            cloudformation.delete_change_set(**names)
            self._say(f"stack {stack}: no changes")
        else:
            self._say(f"stack {stack}: {change_set_type.lower()}, with these changes:")
            for line in describe_changes(self._changes(**names)):
                self._say(line)
            cloudformation.execute_change_set(**names)
            waiter = "stack_create_complete" if change_set_type == "CREATE" else "stack_update_complete"
            try:
                # The distribution alone can take 15 minutes; allow an hour.
                cloudformation.get_waiter(waiter).wait(StackName=stack, WaiterConfig={
                    "Delay": self._delay, "MaxAttempts": 3600 // max(self._delay, 1)})
            except WaiterError as error:
                raise DeployError(f"the stack {stack} did not reach {waiter}: {error}; "
                                  "read its events in the CloudFormation console") from None
            self._say(f"stack {stack}: done")
        found = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
        self.outputs = {entry["OutputKey"]: entry["OutputValue"] for entry in found.get("Outputs", [])}

    def _changes(self, **names) -> list:
        changes, more = [], {}
        while True:
            page = self._client("cloudformation").describe_change_set(**names, **more)
            changes += page.get("Changes", [])
            if not page.get("NextToken"):
                return changes
            more = {"NextToken": page["NextToken"]}

    def build_site(self, out: str, photo_origin: str) -> None:
        # local/build_site.py reads the origin for its CSP when it is imported: a process of its own.
        env = {**os.environ, "CITYDESK_PHOTO_ORIGIN": photo_origin, "PYTHONPATH": f"{ROOT / 'functions'}:{ROOT}"}
        subprocess.run([sys.executable, "-m", "local.build_site", "--out", out], cwd=ROOT, env=env, check=True)

    def publish_site(self, folder: str, site_bucket: str, distribution: str) -> None:
        """Every built file through the publisher the jobs use: the same content types
        and cache headers, unchanged files skipped, one invalidation. Nothing is deleted:
        the pages the jobs generate live in the same bucket."""
        from chalicelib.adapters.site import S3Site

        changed = S3Site(site_bucket, self.region, distribution).publish(site_files(Path(folder)))
        self._say(f"site: {len(changed)} files changed in s3://{site_bucket}")

    def sms_settings(self, spend_limit: int, sender_id: str) -> None:
        self._client("sns").set_sms_attributes(attributes=sms_attributes(spend_limit, sender_id))
        self._say(f"SMS: transactional, sender id {sender_id}, spend limit {spend_limit} USD a month")

    def regenerate(self, table_prefix: str, site_bucket: str, distribution: str) -> None:
        from chalicelib import bootstrap
        from chalicelib.jobs.nightly import regenerate
        from chalicelib.settings import Settings

        # The pages need no secret, but the settings refuse to start without one; this one
        # is never stored, so nothing could be signed with it that the functions accept.
        settings = Settings(backend="dynamodb", table_prefix=table_prefix, region=self.region, local=False,
                            site_store="s3", site_bucket=site_bucket, cloudfront_distribution=distribution,
                            secret=secrets.token_hex(32))
        changed = regenerate(bootstrap.build(settings))
        self._say(f"generated pages: {len(changed)} changed")

    def _client(self, service: str):
        if service not in self._clients:
            import boto3

            self._clients[service] = boto3.client(service, region_name=self.region)
        return self._clients[service]


def read_state(stage: Stage) -> State:
    import boto3
    from botocore.exceptions import ClientError

    account = boto3.client("sts", region_name=stage.region).get_caller_identity()["Account"]
    try:
        stacks = boto3.client("cloudformation", region_name=stage.region).describe_stacks(StackName=stage.stack)
        status = stacks["Stacks"][0]["StackStatus"]
    except ClientError as error:
        if "does not exist" not in error.response.get("Error", {}).get("Message", ""):
            raise
        status = None
    bucket = artifacts_bucket(account, stage.region)
    try:
        boto3.client("s3", region_name=stage.region).head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
        exists = True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise DeployError(f"the artifacts bucket {bucket} exists but is not this account's") from None
        exists = False
    try:
        boto3.client("ssm", region_name=stage.region).get_parameter(Name=secrets_parameter(stage.stack))
        secrets_exist = True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ParameterNotFound":
            raise
        secrets_exist = False
    return State(account=account, stack_status=status, artifacts_bucket_exists=exists,
                 secrets_parameter_exists=secrets_exist)


def read_package(folder: Path) -> Package:
    template, archive = folder / "sam.json", folder / "deployment.zip"
    if not (template.is_file() and archive.is_file()):
        raise DeployError(f"{folder} holds no package: run `make package` first")
    digest = hashlib.sha256()
    with archive.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return Package(template=json.loads(template.read_text(encoding="utf-8")), archive=archive,
                   archive_sha256=digest.hexdigest())


def read_config(path: Path) -> dict:
    if not path.is_file():
        raise DeployError(f"{path} is missing: write it as README.md says (Deploying to AWS)")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DeployError(f"{path}: not JSON ({error})") from None
    if not isinstance(config, dict):
        raise DeployError(f"{path}: not a JSON object")
    return config


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("--config", type=Path, help="the stage file (default: deploy/<stage>.json)")
    parser.add_argument("--package", type=Path, default=PACKAGE)
    parser.add_argument("--site", type=Path, default=SITE, help="where the site is built before it is uploaded")
    args = parser.parse_args(argv)
    from botocore.exceptions import NoCredentialsError

    config = args.config or ROOT / "deploy" / f"{args.stage}.json"
    try:
        package = read_package(args.package)
        stage = read_stage(args.stage, read_config(config), package.template, default_sender_id(),
                           str(config))
        change_set = "citydesk-" + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        Executor(stage.region).run(plan(stage, package, read_state(stage), change_set, args.site))
    except DeployError as error:
        sys.exit(f"deploy: {error}")
    except NoCredentialsError:
        sys.exit("deploy: no AWS credentials: configure the AWS CLI (aws configure), or set AWS_PROFILE")


if __name__ == "__main__":
    main()
