"""Package the deployable template: infra/template.json plus what is derived from the
code, merged into Chalice's own template by `chalice package --merge-template`.

    PYTHONPATH=functions:. python -m tools.infra [--stage dev] [--out build/package]

writes OUT/sam.json and OUT/deployment.zip (and the merged-in part, build/infra/merge.json).
Chalice's template describes a REST API; the merged-in part has an HTTP API instead, for
a third of the price, and `without_rest_api` takes the REST API out.
Derived here, so that it cannot drift from the code:
- the tables, from chalicelib/adapters/dynamodb.py TABLES, named "<stack name>-<table>"
  (the stack name plus "-" is the functions' CITYDESK_TABLE_PREFIX);
- each function's environment, its alarm on errors, and the metric filter that counts
  dead letters in its log (services/outbox.py logs a message's last failed try);
- the Content-Security-Policy header, local/build_site.py's, with the photo bucket's origin.

The code archive leaves out what the Lambda Python runtime already has, boto3 and its
dependencies (`leave_out_runtime_sdk`): pynamodb pulls botocore in, and `chalice package`
would ship the SDK a second time.

The policy files functions/.chalice/policy-*.json name this stack's resources with
CloudFormation functions (Fn::Sub, Ref): they serve `chalice package`, not `chalice deploy`.
"""

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "functions"
BASE = ROOT / "infra" / "template.json"
MERGE = ROOT / "build" / "infra" / "merge.json"
OUT = ROOT / "build" / "package"
API_FUNCTION = "APIHandler"  # Chalice's logical id of the function behind every route
# What `chalice package` adds for the REST API it would deploy (`without_rest_api`).
REST_API_RESOURCES = ("RestAPI", "APIHandlerInvokePermission")
REST_API_OUTPUTS = ("RestAPIId", "EndpointURL")
# The Lambda Python runtime includes the AWS SDK for Python and its dependencies.
RUNTIME_SDK = "boto3"


def table_resources() -> dict:
    """One AWS::DynamoDB::Table per entry of TABLES: on demand, with point-in-time
    recovery, deletion protection, encryption, its indexes and its time to live."""
    from chalicelib.adapters.dynamodb import TABLES

    return {logical_id(table.name, "Table"): _table(table) for table in TABLES}


def _table(table) -> dict:
    keys = [(table.hash_key, "HASH")] + ([(table.range_key, "RANGE")] if table.range_key else [])
    indexed = [name for index in table.indexes for name in (index.hash_key, index.range_key)]
    attributes = list(dict.fromkeys([name for name, _ in keys] + indexed))
    properties = {
        "TableName": {"Fn::Sub": "${AWS::StackName}-" + table.name},
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": table.key_type(name)}
                                 for name in attributes],
        "KeySchema": [{"AttributeName": name, "KeyType": kind} for name, kind in keys],
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "DeletionProtectionEnabled": True,
        "SSESpecification": {"SSEEnabled": True},
    }
    if table.indexes:
        properties["GlobalSecondaryIndexes"] = [{
            "IndexName": index.name,
            "KeySchema": [{"AttributeName": index.hash_key, "KeyType": "HASH"},
                          {"AttributeName": index.range_key, "KeyType": "RANGE"}],
            "Projection": index.projection(),
        } for index in table.indexes]
    if table.ttl:
        properties["TimeToLiveSpecification"] = {"AttributeName": table.ttl, "Enabled": True}
    # Retained when the stack goes or the table would be replaced: the city's records.
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": properties}


def logical_id(name: str, suffix: str = "") -> str:
    from chalice.utils import to_cfn_resource_name

    return to_cfn_resource_name(name) + suffix


def scheduled_functions() -> dict:
    """{logical id: schedule expression} of every @schedule of the app."""
    from app import app

    return {logical_id(source.name): source.schedule_expression.to_string() for source in app.event_sources
            if hasattr(source, "schedule_expression")}


def dead_letter_pattern() -> str:
    """The log line of a message's last failed try: "... failed (try 5): ..."."""
    from chalicelib.services.outbox import MAX_TRIES

    return f'"failed (try {MAX_TRIES})"'


def security_policy() -> dict:
    """The site's CSP (local/build_site.py) with the photo bucket's origin, where
    browsers post uploads and load presigned photos, plus frame-ancestors 'none'."""
    from local.build_site import content_security_policy

    return {"Fn::Sub": content_security_policy("https://${PhotosBucket.DomainName}") + "; frame-ancestors 'none'"}


def environment(scheduled: bool) -> dict:
    variables = {
        "CITYDESK_TABLE_PREFIX": {"Fn::Sub": "${AWS::StackName}-"},
        "CITYDESK_PHOTO_BUCKET": {"Ref": "PhotosBucket"},
        "CITYDESK_EMAIL_FROM": {"Ref": "EmailFrom"},
        "CITYDESK_SITE_URL": {"Fn::Sub": "https://${SiteDomain}"},
        # The secret's name, not its values (chalicelib/secrets_env.py reads them at cold start).
        "CITYDESK_SECRETS_PARAMETER": {"Fn::Sub": "/${AWS::StackName}/secrets"},
    }
    if not scheduled:
        # Only what the distribution passes on (with the OriginHeader parameter's value).
        variables["CITYDESK_ORIGIN_CHECK"] = "1"
    if scheduled:
        # Only the jobs publish pages. The API could not name the distribution anyway:
        # the distribution names the API, which names the API function.
        variables.update({"CITYDESK_SITE_STORE": "s3", "CITYDESK_SITE_BUCKET": {"Ref": "SiteBucket"},
                          "CITYDESK_CLOUDFRONT_DISTRIBUTION": {"Ref": "Distribution"}})
    return {"Environment": {"Variables": variables}}


def function_resources(function: str, log_group: str, scheduled: bool) -> dict:
    """The function's environment, its errors alarm, and its dead-letter metric filter."""
    return {
        function: {"Properties": environment(scheduled)},
        f"{function}Errors": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": f"{function} failed (an exception, a timeout, or out of memory): read its log.",
            "Namespace": "AWS/Lambda", "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function}}],
            "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}]}},
        f"{function}DeadLetters": {"Type": "AWS::Logs::MetricFilter", "Properties": {
            "LogGroupName": {"Ref": log_group},
            "FilterPattern": dead_letter_pattern(),
            "MetricTransformations": [{"MetricNamespace": {"Fn::Sub": "citydesk/${AWS::StackName}"},
                                       "MetricName": "DeadLetters", "MetricValue": "1"}]}},
    }


def merge_template() -> dict:
    template = json.loads(BASE.read_text(encoding="utf-8"))
    resources = template["Resources"]
    resources.update(table_resources())
    resources["SecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"][
        "ContentSecurityPolicy"]["ContentSecurityPolicy"] = security_policy()
    # Chalice renames its API function to APIHandler but leaves its log group naming
    # the old ApiHandler, which the template does not have.
    resources["ApiHandlerLogGroup"] = {"Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${APIHandler}"}}}
    resources.update(function_resources(API_FUNCTION, "ApiHandlerLogGroup", scheduled=False))
    for function in scheduled_functions():
        resources.update(function_resources(function, function + "LogGroup", scheduled=True))
    return template


def without_rest_api(template: dict) -> dict:
    """`chalice package`'s template without the REST API it describes, the permission
    that lets it call the API function and the outputs that name it: the merged-in HTTP
    API (HttpApi and its route, infra/template.json) serves every /api/ path instead."""
    resources = {name: resource for name, resource in template["Resources"].items()
                 if name not in REST_API_RESOURCES}
    outputs = {name: output for name, output in template.get("Outputs", {}).items() if name not in REST_API_OUTPUTS}
    return {**template, "Resources": resources, "Outputs": outputs}


def package(out: Path = OUT, stage: str = "dev", merge: Path = MERGE) -> None:
    """Write `merge`, then `chalice package` the app into `out` with it merged in, and
    take Chalice's REST API out of the result."""
    from chalicelib.settings import Settings

    merge.parent.mkdir(parents=True, exist_ok=True)
    merge.write_text(json.dumps(merge_template(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # `chalice package` needs a region but asks AWS nothing: the settings' default serves.
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or Settings.region}
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", stage, "--merge-template", str(merge.resolve()),
                    str(Path(out).resolve())], cwd=FUNCTIONS, env=env, check=True)
    sam = Path(out) / "sam.json"
    sam.write_text(json.dumps(without_rest_api(json.loads(sam.read_text(encoding="utf-8"))), indent=2,
                              ensure_ascii=False) + "\n", encoding="utf-8")
    leave_out_runtime_sdk(Path(out) / "deployment.zip")


def closure(names, requires) -> set:
    """The canonical names of these distributions and of everything they depend on
    (without extras, markers evaluated for this Python); `requires(name)` gives a
    distribution's Requires-Dist lines."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found, todo = set(), [canonicalize_name(name) for name in names]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        for line in requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return found


def runtime_sdk() -> set:
    """What the runtime has: boto3 and its dependencies, as the installed boto3 declares
    them (botocore, s3transfer, jmespath, python-dateutil, six, urllib3)."""
    return closure([RUNTIME_SDK], metadata.requires)


def leave_out_runtime_sdk(archive: Path) -> set:
    """Rewrite the code archive without the files of the runtime's SDK distributions
    (their RECORD, .dist-info and .data); every other entry is copied as it was.
    A bundled copy would shadow the runtime's and could fall out of step with it when
    AWS updates the runtime. Gives the distributions it left out."""
    provided = runtime_sdk()
    with zipfile.ZipFile(archive) as source:
        found = {name: folder for folder, name in dist_infos(source).items() if name in provided}
        dropped = {path for folder in found.values() for path in installed_files(source, folder)}
        rewritten = archive.with_name(archive.name + ".part")
        with zipfile.ZipFile(rewritten, "w") as target:
            for entry in source.infolist():
                if entry.filename not in dropped:
                    target.writestr(entry, source.read(entry))
    rewritten.replace(archive)
    return set(found)


def dist_infos(archive: zipfile.ZipFile) -> dict:
    """{".dist-info" folder: canonical distribution name} of the archive's top level."""
    from packaging.utils import canonicalize_name

    folders = {name.split("/")[0] for name in archive.namelist() if name.split("/")[0].endswith(".dist-info")}
    return {folder: canonicalize_name(metadata.PathDistribution(zipfile.Path(archive, folder + "/")).metadata["Name"])
            for folder in folders}


def installed_files(archive: zipfile.ZipFile, folder: str) -> set:
    """The archive's entries that a distribution installed: what its RECORD lists, and
    its .dist-info and .data folders."""
    record = archive.read(folder + "/RECORD").decode()
    listed = {row[0] for row in csv.reader(io.StringIO(record)) if row}
    own = (folder + "/", folder.removesuffix(".dist-info") + ".data/")
    return {name for name in archive.namelist() if name in listed or name.startswith(own)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    package(args.out, args.stage)


if __name__ == "__main__":
    main()
