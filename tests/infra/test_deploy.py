"""`make deploy` (tools/deploy.py): the plan as data, from the stage file, the package and
what the account holds; then each step of the executor under moto. moto cannot run the
real template (it does not expand the SAM transform), so the stack step runs a tiny
template through the same change-set flow."""

import json
from html import unescape
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from chalicelib import secrets_env
from chalicelib.adapters.dynamodb import create_tables
from chalicelib.adapters.site import LONG_CACHE, SHORT_CACHE
from local import build_site
from tests.aws import REGION, create_distribution
from chalicelib.api.http import origin_token
from tools import deploy
ACCOUNT = "123456789012"  # moto's account
BASE = json.loads((Path(__file__).resolve().parents[2] / "infra" / "template.json").read_text(encoding="utf-8"))
# The package's template as far as the deploy reads it: the base template's parameters,
# and functions whose code `chalice package` left beside the template.
TEMPLATE = {
    "Transform": "AWS::Serverless-2016-10-31",
    "Parameters": BASE["Parameters"],
    "Resources": {
        "APIHandler": {"Type": "AWS::Serverless::Function",
                       "Properties": {"CodeUri": "./deployment.zip", "Handler": "app.app"}},
        "NightlyRegeneration": {"Type": "AWS::Serverless::Function",
                                "Properties": {"CodeUri": "./deployment.zip", "Handler": "app.nightly"}},
        "SiteBucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
    },
}
PARAMETERS = {
    "SiteDomain": "zvernennia.example-city.ua",
    "CertificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
    "EmailFrom": "citydesk@example-city.ua",
    "AlarmEmail": "it@example-city.ua",
    "SmsSpendAlarmUsd": 20,
}
CONFIG = {"region": REGION, "stack": "citydesk-prod", "sms_spend_limit_usd": 30, "parameters": PARAMETERS}
PACKAGE = deploy.Package(template=TEMPLATE, archive=Path("build/package/deployment.zip"), archive_sha256="c0de" * 16)
FIRST = deploy.State(account=ACCOUNT, stack_status=None, artifacts_bucket_exists=False,
                     secrets_parameter_exists=False)
LATER = deploy.State(account=ACCOUNT, stack_status="UPDATE_COMPLETE", artifacts_bucket_exists=True,
                     secrets_parameter_exists=True)
ARTIFACTS = f"citydesk-artifacts-{ACCOUNT}-{REGION}"
SITE_BUCKET = "citydesk-prod-sitebucket"
GENERATED = {
    "uk/outages/index.html": "text/html", "outages.json": "application/json", "outages.atom": "application/atom+xml",
    "en/stats/index.html": "text/html", "stats/tickets.csv": "text/csv", "ru/organisations/index.html": "text/html",
}


def stage(config=CONFIG) -> deploy.Stage:
    return deploy.read_stage("prod", config, TEMPLATE, "citydesk")


def planned(state=FIRST, config=CONFIG, site=Path("build/site")) -> list:
    return deploy.plan(stage(config), PACKAGE, state, "citydesk-20261123-171100", site)


def step(steps: list, action: str) -> dict:
    (found,) = [entry for entry in steps if entry["action"] == action]
    return found


def without(config: dict, *parameters) -> dict:
    return {**config, "parameters": {name: value for name, value in config["parameters"].items()
                                     if name not in parameters}}


# --- the plan ---------------------------------------------------------------------------

def test_a_first_deploy_creates_the_artifacts_bucket_uploads_the_package_and_creates_the_stack_then_the_site():
    steps = planned(FIRST)

    assert [entry["action"] for entry in steps] == [
        "create_artifacts_bucket", "create_secrets", "upload_code", "upload_template", "deploy_stack",
        "build_site", "publish_site", "sms_settings", "regenerate"]
    assert step(steps, "create_artifacts_bucket") == {"action": "create_artifacts_bucket", "bucket": ARTIFACTS}
    assert step(steps, "create_secrets") == {"action": "create_secrets", "name": "/citydesk-prod/secrets"}
    stack = step(steps, "deploy_stack")
    assert (stack["stack"], stack["change_set_type"]) == ("citydesk-prod", "CREATE")
    assert stack["capabilities"] == ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    assert stack["change_set"] == "citydesk-20261123-171100"


def test_a_second_deploy_updates_the_stack_in_the_artifacts_bucket_already_there():
    steps = planned(LATER)

    assert [entry["action"] for entry in steps][:3] == ["upload_code", "upload_template", "deploy_stack"]
    assert step(steps, "deploy_stack")["change_set_type"] == "UPDATE"


def test_a_stack_a_change_set_made_but_never_ran_is_still_created():
    state = deploy.State(account=ACCOUNT, stack_status="REVIEW_IN_PROGRESS", artifacts_bucket_exists=True,
                         secrets_parameter_exists=True)

    assert step(planned(state), "deploy_stack")["change_set_type"] == "CREATE"


@pytest.mark.parametrize("status, says", [
    ("ROLLBACK_COMPLETE", "delete-stack --stack-name citydesk-prod"),
    ("UPDATE_IN_PROGRESS", "busy (UPDATE_IN_PROGRESS)"),
    ("UPDATE_ROLLBACK_FAILED", "is UPDATE_ROLLBACK_FAILED"),
])
def test_a_stack_that_cannot_take_a_change_set_now_is_a_clear_error_and_no_plan(status, says):
    with pytest.raises(deploy.DeployError, match=says.replace("(", r"\(").replace(")", r"\)")):
        planned(deploy.State(account=ACCOUNT, stack_status=status, artifacts_bucket_exists=True,
                             secrets_parameter_exists=True))


def test_the_stacks_parameters_are_the_stage_files_as_text():
    parameters = step(planned(), "deploy_stack")["parameters"]

    assert parameters == [{"ParameterKey": name, "ParameterValue": str(PARAMETERS[name])}
                          for name in sorted(PARAMETERS)]


def test_the_origin_header_is_no_stage_files_to_give_the_deploy_derives_it_from_the_stacks_secrets():
    assert step(planned(), "deploy_stack")["origin_header_from"] == "/citydesk-prod/secrets"
    with pytest.raises(deploy.DeployError, match="leave OriginHeader out"):
        stage({**CONFIG, "parameters": {**PARAMETERS, "OriginHeader": "0" * 64}})


def test_a_parameter_with_a_default_may_be_left_out_of_the_stage_file():
    parameters = step(planned(config=without(CONFIG, "SmsSpendAlarmUsd")), "deploy_stack")["parameters"]

    assert "SmsSpendAlarmUsd" not in {entry["ParameterKey"] for entry in parameters}


def test_the_stack_is_named_after_the_stage_unless_the_stage_file_names_it():
    config = {name: value for name, value in CONFIG.items() if name != "stack"}

    assert stage(config).stack == "citydesk-prod"


def test_the_functions_code_is_the_uploaded_archive_and_the_stack_reads_the_uploaded_template():
    steps = planned()
    code, uploaded, stack = step(steps, "upload_code"), step(steps, "upload_template"), step(steps, "deploy_stack")

    assert code == {"action": "upload_code", "bucket": ARTIFACTS, "key": f"citydesk-prod/{'c0de' * 16}.zip",
                    "path": "build/package/deployment.zip"}
    resources = uploaded["template"]["Resources"]
    for function in ("APIHandler", "NightlyRegeneration"):
        assert resources[function]["Properties"]["CodeUri"] == {"Bucket": ARTIFACTS, "Key": code["key"]}
    assert resources["SiteBucket"] == TEMPLATE["Resources"]["SiteBucket"]
    assert TEMPLATE["Resources"]["APIHandler"]["Properties"]["CodeUri"] == "./deployment.zip"
    assert stack["template_url"] == f"https://{ARTIFACTS}.s3.{REGION}.amazonaws.com/{uploaded['key']}"


def test_the_same_package_is_the_same_template_object_however_often_it_is_deployed():
    assert step(planned(FIRST), "upload_template")["key"] == step(planned(LATER), "upload_template")["key"]


def test_the_site_and_the_pages_go_where_the_stacks_outputs_say():
    steps = planned(site=Path("/tmp/site"))

    assert step(steps, "build_site") == {"action": "build_site", "out": "/tmp/site",
                                         "photo_origin": {"Output": "PhotoOrigin"}}
    assert step(steps, "publish_site") == {"action": "publish_site", "folder": "/tmp/site",
                                           "site_bucket": {"Output": "SiteBucketName"},
                                           "distribution": {"Output": "DistributionId"}}
    assert step(steps, "regenerate") == {"action": "regenerate", "table_prefix": {"Output": "TablePrefix"},
                                         "site_bucket": {"Output": "SiteBucketName"},
                                         "distribution": {"Output": "DistributionId"}}
    assert step(steps, "sms_settings") == {"action": "sms_settings", "spend_limit": 30, "sender_id": "citydesk"}


def test_a_steps_outputs_are_filled_in_from_the_stack_and_a_missing_one_is_named():
    publish = step(planned(), "publish_site")

    assert deploy.resolve(publish, {"SiteBucketName": "b", "DistributionId": "E1"}) == {
        "folder": "build/site", "site_bucket": "b", "distribution": "E1"}
    with pytest.raises(deploy.DeployError, match="no output DistributionId"):
        deploy.resolve(publish, {"SiteBucketName": "b"})


@pytest.mark.parametrize("config, says", [
    (without(CONFIG, "CertificateArn"), '"CertificateArn" is missing'),
    (without(CONFIG, "SiteDomain"), '"SiteDomain" is missing'),
    ({**CONFIG, "parameters": {**PARAMETERS, "SiteDomian": "x.ua"}}, "no parameter SiteDomian"),
    ({**CONFIG, "parameters": {**PARAMETERS, "CertificateArn": "arn:aws:acm:eu-central-1:1:certificate/x"}},
     "CertificateArn"),
    ({**CONFIG, "parameters": {**PARAMETERS, "SmsSpendAlarmUsd": "twenty"}}, "SmsSpendAlarmUsd must be a number"),
    ({name: value for name, value in CONFIG.items() if name != "region"}, '"region" is missing'),
    ({name: value for name, value in CONFIG.items() if name != "sms_spend_limit_usd"},
     '"sms_spend_limit_usd" is missing'),
    ({**CONFIG, "sms_spend_limit_usd": 20}, "must be below sms_spend_limit_usd"),
    ({**CONFIG, "stack": "CityDesk_Prod"}, '"stack" must be lower-case'),
])
def test_a_stage_file_the_template_would_refuse_is_a_clear_error(config, says):
    with pytest.raises(deploy.DeployError, match=says):
        stage(config)


def test_the_real_package_runs_every_function_from_the_uploaded_archive_and_has_the_outputs_the_steps_read(
        package):
    real = deploy.read_package(package)
    steps = deploy.plan(deploy.read_stage("prod", CONFIG, real.template, "citydesk"), real, FIRST, "citydesk-1")

    template = step(steps, "upload_template")["template"]
    functions = [resource for resource in template["Resources"].values()
                 if resource["Type"] == "AWS::Serverless::Function"]
    code = {"Bucket": ARTIFACTS, "Key": step(steps, "upload_code")["key"]}
    assert functions and all(function["Properties"]["CodeUri"] == code for function in functions)
    wanted = {argument["Output"] for entry in steps for argument in entry.values()
              if isinstance(argument, dict) and set(argument) == {"Output"}}
    assert wanted == {"PhotoOrigin", "SiteBucketName", "DistributionId", "TablePrefix"}
    assert wanted <= set(template["Outputs"])


def test_the_change_sets_changes_are_shown_one_line_each():
    lines = deploy.describe_changes([
        {"ResourceChange": {"Action": "Add", "ResourceType": "AWS::DynamoDB::Table",
                            "LogicalResourceId": "TicketsTable"}},
        {"ResourceChange": {"Action": "Modify", "ResourceType": "AWS::Lambda::Function",
                            "LogicalResourceId": "APIHandler", "Replacement": "True"}},
    ])

    assert [line.split() for line in lines] == [["Add", "AWS::DynamoDB::Table", "TicketsTable"],
                                                ["Modify", "AWS::Lambda::Function", "APIHandler", "(replaced)"]]


# --- the executor under moto ------------------------------------------------------------

@pytest.fixture
def aws(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def said():
    return []


@pytest.fixture
def executor(aws, said) -> deploy.Executor:
    return deploy.Executor(REGION, say=said.append, wait_delay=1)


@pytest.fixture
def tiny_package(tmp_path) -> Path:
    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "sam.json").write_text(json.dumps(TEMPLATE))
    (folder / "deployment.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    return folder


@pytest.fixture
def site_bucket(aws) -> str:
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket=SITE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return SITE_BUCKET


@pytest.fixture
def distribution(aws) -> str:
    return create_distribution(SITE_BUCKET, "citydesk-deploy-test")


def s3():
    return boto3.client("s3", region_name=REGION)


def keys(bucket: str) -> set:
    return {entry["Key"] for page in s3().get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for entry in page.get("Contents", [])}


def invalidations(distribution_id: str) -> list:
    cloudfront = boto3.client("cloudfront", region_name=REGION)
    listed = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Items", [])
    return [sorted(cloudfront.get_invalidation(DistributionId=distribution_id, Id=item["Id"])["Invalidation"]
                   ["InvalidationBatch"]["Paths"]["Items"]) for item in listed]


def test_the_account_state_of_a_first_deploy_is_no_stack_and_no_artifacts_bucket(aws):
    assert deploy.read_state(stage()) == FIRST


def test_the_artifacts_bucket_is_created_private_and_encrypted_and_holds_the_code_and_the_template(
        executor, tiny_package):
    steps = deploy.plan(stage(), deploy.read_package(tiny_package), deploy.read_state(stage()), "citydesk-1")

    executor.run(steps[:4])  # the bucket, the secrets, the code, the template

    code, template = step(steps, "upload_code")["key"], step(steps, "upload_template")["key"]
    assert keys(ARTIFACTS) == {code, template}
    assert s3().get_object(Bucket=ARTIFACTS, Key=code)["Body"].read() == (
        tiny_package / "deployment.zip").read_bytes()
    uploaded = json.loads(s3().get_object(Bucket=ARTIFACTS, Key=template)["Body"].read())
    assert uploaded["Resources"]["APIHandler"]["Properties"]["CodeUri"] == {"Bucket": ARTIFACTS, "Key": code}
    assert s3().get_public_access_block(Bucket=ARTIFACTS)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    rules = s3().get_bucket_encryption(Bucket=ARTIFACTS)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert deploy.read_state(stage()).artifacts_bucket_exists


def test_a_missing_required_parameter_stops_the_deploy_before_anything_is_touched(aws, tiny_package, tmp_path):
    config = tmp_path / "prod.json"
    config.write_text(json.dumps(without(CONFIG, "CertificateArn")))

    with pytest.raises(SystemExit, match='"CertificateArn" is missing'):
        deploy.main(["--stage", "prod", "--config", str(config), "--package", str(tiny_package)])

    assert s3().list_buckets()["Buckets"] == []
    assert boto3.client("cloudformation", region_name=REGION).list_stacks()["StackSummaries"] == []


# The stack step: moto's CloudFormation runs change sets, but not the SAM transform nor
# most of the real template's resources; a tiny template takes the same path. moto
# (5.2.5) leaves a stack's outputs as they were before a change set ran (none, for a
# stack a change set created): the outputs are read from a stack create_stack made.
TINY = {
    "Parameters": {"SiteDomain": {"Type": "String"}, "OriginHeader": {"Type": "String"}},
    "Resources": {"SiteBucket": {"Type": "AWS::S3::Bucket", "Properties": {}}},
    "Outputs": {"SiteBucketName": {"Value": {"Ref": "SiteBucket"}}, "SiteDomain": {"Value": {"Ref": "SiteDomain"}}},
}
TINY_SECRETS = deploy.secrets_parameter("citydesk-tiny")
CHANGED = {**TINY, "Resources": {**TINY["Resources"], "PhotosBucket": {"Type": "AWS::S3::Bucket", "Properties": {}}}}


def tiny_stack(executor, template: dict, change_set: str, kind: str) -> None:
    key = f"tiny/{change_set}.json"
    executor.run([{"action": "upload_template", "bucket": ARTIFACTS, "key": key, "template": template},
                  {"action": "deploy_stack", "stack": "citydesk-tiny", "change_set": change_set,
                   "change_set_type": kind, "template_url": f"https://{ARTIFACTS}.s3.{REGION}.amazonaws.com/{key}",
                   "parameters": [{"ParameterKey": "SiteDomain", "ParameterValue": "a.example.ua"}],
                   "origin_header_from": TINY_SECRETS, "capabilities": deploy.CAPABILITIES}])


def stack_status() -> str:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    return cloudformation.describe_stacks(StackName="citydesk-tiny")["Stacks"][0]["StackStatus"]


def resource_ids() -> set:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    return {resource["LogicalResourceId"]
            for resource in cloudformation.describe_stack_resources(StackName="citydesk-tiny")["StackResources"]}


@pytest.fixture
def artifacts(executor) -> str:
    executor.run([{"action": "create_artifacts_bucket", "bucket": ARTIFACTS},
                  {"action": "create_secrets", "name": TINY_SECRETS}])
    return ARTIFACTS


def tiny_origin_header() -> str:
    stored = boto3.client("ssm", region_name=REGION).get_parameter(Name=TINY_SECRETS, WithDecryption=True)
    return origin_token(json.loads(stored["Parameter"]["Value"])["CITYDESK_SECRET"])


@pytest.fixture
def earlier_stack(artifacts) -> None:
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName="citydesk-tiny", TemplateBody=json.dumps(TINY),
        Parameters=[{"ParameterKey": "SiteDomain", "ParameterValue": "a.example.ua"},
                    {"ParameterKey": "OriginHeader", "ParameterValue": tiny_origin_header()}])


def test_the_stack_step_creates_the_stack_through_a_change_set_and_shows_its_changes_first(
        executor, artifacts, said):
    tiny_stack(executor, TINY, "citydesk-1", "CREATE")

    assert stack_status() == "CREATE_COMPLETE"
    # The origin header the distribution sends, derived from the signing key in the secrets.
    [stack] = boto3.client("cloudformation", region_name=REGION).describe_stacks(StackName="citydesk-tiny")["Stacks"]
    given = {entry["ParameterKey"]: entry["ParameterValue"] for entry in stack["Parameters"]}
    assert given == {"SiteDomain": "a.example.ua", "OriginHeader": tiny_origin_header()}
    assert resource_ids() == {"SiteBucket"}
    shown = said.index("stack citydesk-tiny: create, with these changes:")
    assert said[shown + 1].split() == ["Add", "AWS::S3::Bucket", "SiteBucket"]
    assert said[-1] == "stack citydesk-tiny: done"


def test_the_stack_step_updates_the_stack_and_reads_its_outputs(executor, earlier_stack):
    tiny_stack(executor, CHANGED, "citydesk-2", "UPDATE")

    assert stack_status() == "UPDATE_COMPLETE"
    assert resource_ids() == {"SiteBucket", "PhotosBucket"}
    assert executor.outputs["SiteDomain"] == "a.example.ua"
    assert executor.outputs["SiteBucketName"] in {bucket["Name"] for bucket in s3().list_buckets()["Buckets"]}


def test_an_unchanged_stack_is_left_alone_and_its_outputs_still_read(executor, earlier_stack, said):
    tiny_stack(executor, TINY, "citydesk-2", "UPDATE")

    assert said[-1] == "stack citydesk-tiny: no changes"
    assert stack_status() == "CREATE_COMPLETE"
    assert executor.outputs["SiteDomain"] == "a.example.ua"
    assert boto3.client("cloudformation", region_name=REGION).list_change_sets(
        StackName="citydesk-tiny")["Summaries"] == []


def test_the_site_is_built_with_the_photo_origin_in_every_pages_csp(tmp_path, said):
    executor = deploy.Executor(REGION, say=said.append)
    origin = "https://citydesk-prod-photosbucket.s3.eu-central-1.amazonaws.com"

    executor.run([{"action": "build_site", "out": str(tmp_path / "site"), "photo_origin": origin}])

    pages = list((tmp_path / "site").rglob("*.html"))
    policy = f'http-equiv="Content-Security-Policy" content="{build_site.content_security_policy(origin)}"'
    assert pages and all(policy in unescape(page.read_text()) for page in pages)


CONTENT = {".html": ("text/html; charset=utf-8", SHORT_CACHE), ".css": ("text/css; charset=utf-8", LONG_CACHE),
           ".js": ("text/javascript; charset=utf-8", LONG_CACHE),
           ".svg": ("image/svg+xml; charset=utf-8", LONG_CACHE)}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("built") / "site"
    build_site.build(folder)
    return folder


def test_every_built_file_lands_in_the_site_bucket_typed_and_cached_with_one_invalidation_and_the_generated_pages_kept(
        executor, site_bucket, distribution, built):
    for path, content_type in GENERATED.items():
        s3().put_object(Bucket=site_bucket, Key=path, Body=b"generated", ContentType=content_type)
    files = {path.relative_to(built).as_posix() for path in built.rglob("*") if path.is_file()}

    executor.run([{"action": "publish_site", "folder": str(built), "site_bucket": site_bucket,
                   "distribution": distribution}])

    assert keys(site_bucket) == files | set(GENERATED)
    assert {Path(path).suffix for path in files} == set(CONTENT)
    for path in files:
        stored = s3().get_object(Bucket=site_bucket, Key=path)
        assert stored["Body"].read() == (built / path).read_bytes()
        assert (stored["ContentType"], stored["CacheControl"]) == CONTENT[Path(path).suffix], path
    for path in GENERATED:
        assert s3().get_object(Bucket=site_bucket, Key=path)["Body"].read() == b"generated"
    assert invalidations(distribution) == [sorted("/" + path for path in files)]


def test_a_second_upload_of_the_same_site_writes_nothing_and_invalidates_nothing(
        executor, site_bucket, distribution, built):
    publish = {"action": "publish_site", "folder": str(built), "site_bucket": site_bucket,
               "distribution": distribution}
    executor.run([publish])

    executor.run([publish])

    assert len(invalidations(distribution)) == 1


def test_the_secrets_parameter_is_created_once_with_a_signing_key_the_functions_can_read(executor):
    executor.run([{"action": "create_secrets", "name": "/citydesk-prod/secrets"}])

    stored = boto3.client("ssm", region_name=REGION).get_parameter(Name="/citydesk-prod/secrets",
                                                                  WithDecryption=True)["Parameter"]
    assert stored["Type"] == "SecureString"
    key = json.loads(stored["Value"])["CITYDESK_SECRET"]
    assert len(key) >= 48
    assert secrets_env.environment({"CITYDESK_SECRETS_PARAMETER": "/citydesk-prod/secrets"})[
        "CITYDESK_SECRET"] == key
    # The next deploy finds it and plans no new key.
    assert deploy.read_state(stage()).secrets_parameter_exists


def test_the_sms_settings_are_applied_to_the_account(executor):
    executor.run([{"action": "sms_settings", "spend_limit": 30, "sender_id": "citydesk"}])

    held = boto3.client("sns", region_name=REGION).get_sms_attributes()["attributes"]
    assert (held["DefaultSMSType"], held["DefaultSenderID"], held["MonthlySpendLimit"]) == (
        "Transactional", "citydesk", "30")


def test_the_public_pages_are_generated_into_the_site_bucket_from_the_stacks_tables(
        executor, site_bucket, distribution):
    create_tables("citydesk-prod-", REGION)

    executor.run([{"action": "regenerate", "table_prefix": "citydesk-prod-", "site_bucket": site_bucket,
                   "distribution": distribution}])

    assert {"uk/outages/index.html", "outages.json", "en/stats/index.html", "ru/organisations/index.html"} <= keys(
        site_bucket)
    assert len(invalidations(distribution)) == 1


def test_a_whole_deploy_updates_the_stack_then_uploads_the_site_sets_the_sms_and_generates_the_pages(
        aws, distribution, tmp_path, capsys):
    # The package's template, as far as moto runs one: the parameters, the site bucket and
    # the outputs the later steps read. The account holds the stack from an earlier deploy.
    template = {"Parameters": BASE["Parameters"],
                "Resources": {"SiteBucket": {"Type": "AWS::S3::Bucket", "Properties": {}}},
                "Outputs": {"SiteBucketName": {"Value": {"Ref": "SiteBucket"}},
                            "DistributionId": {"Value": distribution},
                            "PhotoOrigin": {"Value": "https://photos.example"},
                            "TablePrefix": {"Value": {"Fn::Sub": "${AWS::StackName}-"}}}}
    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "sam.json").write_text(json.dumps(template))
    (folder / "deployment.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    config = tmp_path / "prod.json"
    config.write_text(json.dumps(CONFIG))
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName="citydesk-prod", TemplateBody=json.dumps(template), Parameters=[
        *({"ParameterKey": name, "ParameterValue": str(value)} for name, value in PARAMETERS.items()),
        {"ParameterKey": "OriginHeader", "ParameterValue": "0" * 64}])
    create_tables("citydesk-prod-", REGION)

    deploy.main(["--stage", "prod", "--config", str(config), "--package", str(folder),
                 "--site", str(tmp_path / "site")])

    (bucket,) = [entry["OutputValue"] for entry in cloudformation.describe_stacks(StackName="citydesk-prod")[
        "Stacks"][0]["Outputs"] if entry["OutputKey"] == "SiteBucketName"]
    stored = keys(bucket)
    assert {"index.html", "uk/index.html", "css/site.css", "uk/outages/index.html", "outages.json"} <= stored
    assert "https://photos.example" in s3().get_object(Bucket=bucket, Key="uk/index.html")["Body"].read().decode()
    assert len(invalidations(distribution)) == 2  # the site's files, then the generated pages
    assert boto3.client("sns", region_name=REGION).get_sms_attributes()["attributes"]["MonthlySpendLimit"] == "30"
    assert len(keys(ARTIFACTS)) == 2
    assert "stack citydesk-prod:" in capsys.readouterr().out
