"""The deployable template, checked without an AWS account: `make package`'s own
packaging (tools/infra.py, `chalice package --merge-template`) runs once for the
module, cfn-lint reads the result, and the tests read the template it wrote."""

import json
import logging
import re
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest

from chalicelib.adapters.dynamodb import TABLES, _models
from chalicelib.api.http import ORIGIN_HEADER
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.ticket import Actor
from chalicelib.services import outbox, photos
from chalicelib.settings import Settings
from local.build_site import content_security_policy
from tests.builders import NOW
from tools import infra

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CloudFront's managed policy
DATA_SERVICES = ("dynamodb", "s3", "sns")
# How the template writes the stack's name, the tables' prefix.
STACK = "${AWS::StackName}"


@pytest.fixture(scope="module")
def template(package) -> dict:
    return json.loads((package / "sam.json").read_text())


@pytest.fixture(scope="module")
def resources(template) -> dict:
    return template["Resources"]


def of_type(resources: dict, kind: str) -> dict:
    return {name: resource for name, resource in resources.items() if resource.get("Type") == kind}


def text(value) -> str:
    """A template value as text: Fn::Sub's string as it is; Ref and Fn::GetAtt as ${...}."""
    if isinstance(value, str):
        return value
    if "Fn::Sub" in value:
        return value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
    if "Ref" in value:
        return "${%s}" % value["Ref"]
    if "Fn::GetAtt" in value:
        return "${%s}" % ".".join(value["Fn::GetAtt"])
    raise AssertionError(f"not a value this test reads: {value}")


def listed(value) -> list:
    return value if isinstance(value, list) else [value]


def functions(resources: dict) -> dict:
    return of_type(resources, "AWS::Serverless::Function")


def app_routes_and_schedules():
    from app import app

    return app.routes, [source for source in app.event_sources if hasattr(source, "schedule_expression")]


# --- the whole template ---------------------------------------------------------------

def test_the_package_holds_the_template_and_the_code_archive(package):
    assert (package / "sam.json").is_file() and (package / "deployment.zip").stat().st_size > 0


def test_cfn_lint_finds_no_error_in_the_packaged_template(package):
    lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run([str(lint), str(package / "sam.json")], capture_output=True, text=True)
    # cfn-lint's exit code is a bit set: 1 = it failed to run, 2 = errors (4 and 8: warnings, notes).
    assert result.returncode & 3 == 0, result.stdout + result.stderr


def test_every_function_runs_on_arm64(resources):
    assert {name: f["Properties"]["Architectures"] for name, f in functions(resources).items()} == {
        name: ["arm64"] for name in functions(resources)}


# --- tables ---------------------------------------------------------------------------

def test_every_table_the_code_creates_is_in_the_template_with_its_keys_and_indexes(resources):
    """The template's tables are the ones `create_tables` makes from the pynamodb models."""
    tables = {text(t["Properties"]["TableName"]): t["Properties"]
              for t in of_type(resources, "AWS::DynamoDB::Table").values()}
    models = _models(STACK + "-", "eu-central-1", None)
    assert sorted(tables) == sorted(STACK + "-" + table.name for table in TABLES)
    for table in TABLES:
        model, found = getattr(models, table.name), tables[STACK + "-" + table.name]
        schema = model._get_schema()
        assert found["KeySchema"] == keys(schema["key_schema"]), table.name
        assert sorted(found["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
            schema["attribute_definitions"], key=lambda a: a["AttributeName"]), table.name
        assert {i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in found.get("GlobalSecondaryIndexes", [])} == {
            i["index_name"]: (keys(i["key_schema"]), i["projection"]) for i in schema["global_secondary_indexes"]}, \
            table.name
        ttl = model._ttl_attribute()
        expected_ttl = {"AttributeName": ttl.attr_name, "Enabled": True} if ttl else None
        assert found.get("TimeToLiveSpecification") == expected_ttl, table.name


def keys(schema: list) -> list:
    """A key schema as CloudFormation wants it: the hash key first (pynamodb's order varies)."""
    return sorted(schema, key=lambda key: key["KeyType"] != "HASH")


def test_the_tables_that_expire_records_have_their_time_to_live(resources):
    with_ttl = {text(t["Properties"]["TableName"]).removeprefix(STACK + "-")
                for t in of_type(resources, "AWS::DynamoDB::Table").values()
                if t["Properties"].get("TimeToLiveSpecification", {}).get("Enabled")}
    assert {"sessions", "codes", "idempotency"} <= with_ttl


def test_every_table_is_on_demand_with_point_in_time_recovery_deletion_protection_and_encryption(resources):
    for name, table in of_type(resources, "AWS::DynamoDB::Table").items():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST", name
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert properties["DeletionProtectionEnabled"] is True, name
        assert properties["SSESpecification"] == {"SSEEnabled": True}, name
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain", name


def test_every_function_finds_the_tables_under_its_table_prefix(resources):
    names = {text(t["Properties"]["TableName"]) for t in of_type(resources, "AWS::DynamoDB::Table").values()}
    for name, function in functions(resources).items():
        prefix = text(function["Properties"]["Environment"]["Variables"]["CITYDESK_TABLE_PREFIX"])
        assert {prefix + table.name for table in TABLES} == names, name


# --- buckets --------------------------------------------------------------------------

def test_both_buckets_block_every_kind_of_public_access_and_are_encrypted(resources):
    buckets = of_type(resources, "AWS::S3::Bucket")
    assert set(buckets) == {"SiteBucket", "PhotosBucket"}
    for name, bucket in buckets.items():
        properties = bucket["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}, name
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"], name


def test_the_site_bucket_is_read_only_by_this_distribution(resources):
    statements = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    for statement in (s for s in statements if s["Effect"] == "Allow"):
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert text(statement["Condition"]["StringEquals"]["AWS:SourceArn"]).endswith(":distribution/${Distribution}")
        assert set(listed(statement["Action"])) <= {"s3:GetObject", "s3:ListBucket"}


def test_the_photos_bucket_keeps_versions_and_expires_uploads_never_attached_after_a_day(resources, deps):
    properties = resources["PhotosBucket"]["Properties"]
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    expiring = [rule for rule in properties["LifecycleConfiguration"]["Rules"]
                if rule["Status"] == "Enabled" and rule.get("ExpirationInDays")]
    assert [(rule["Prefix"], rule["ExpirationInDays"]) for rule in expiring] == [("uploads/", 1)]
    resident = Actor("resident", "resident-1")
    upload = photos.upload_form(deps, resident, {"content_type": "image/jpeg", "size": 1000})["key"]
    assert upload.startswith("uploads/")
    # attach() stores the clean copy under "photos/", which no expiring rule names.
    assert not any("photos/".startswith(rule["Prefix"]) for rule in expiring)


def test_the_photos_bucket_allows_cross_origin_posts_from_the_site_only(resources):
    rules = resources["PhotosBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert [(rule["AllowedMethods"], [text(o) for o in rule["AllowedOrigins"]]) for rule in rules] == [
        (["POST"], ["https://${SiteDomain}"])]


# --- IAM ------------------------------------------------------------------------------

def allowed_statements(resources):
    for name, role in of_type(resources, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in listed(policy["PolicyDocument"]["Statement"]):
                if statement["Effect"] == "Allow":
                    yield name, statement


def test_no_iam_statement_grants_a_wildcard_action(resources):
    for role, statement in allowed_statements(resources):
        for action in listed(statement["Action"]):
            assert action != "*" and not action.endswith(":*"), (role, action)


def test_no_iam_statement_grants_a_wildcard_resource_on_data(resources):
    data = {name for name, r in resources.items()
            if r["Type"] in ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SNS::Topic")}
    for role, statement in allowed_statements(resources):
        services = {action.split(":")[0] for action in listed(statement["Action"])}
        if "NotResource" in statement:
            # Publishing to anything but a topic: SMS to phone numbers, and nothing else.
            assert listed(statement["Action"]) == ["sns:Publish"], role
            assert [text(r) for r in listed(statement["NotResource"])] == ["arn:${AWS::Partition}:sns:*:*:*"], role
            continue
        for resource in map(text, listed(statement["Resource"])):
            assert resource != "*", (role, statement)
            if services & set(DATA_SERVICES):
                names_ours = (f":table/{STACK}-" in resource
                              or any(resource.startswith("${%s." % name) for name in data))
                assert names_ours, (role, resource)


def test_the_functions_may_use_every_table_and_its_indexes(resources):
    tables = [text(t["Properties"]["TableName"]) for t in of_type(resources, "AWS::DynamoDB::Table").values()]
    for role, statement in allowed_statements(resources):
        if "dynamodb:Query" in listed(statement["Action"]):
            patterns = [text(r).split(":table/", 1)[1] for r in listed(statement["Resource"])]
            assert all(any(fnmatch(table, p) for p in patterns) for table in tables), role
            assert all(any(fnmatch(f"{table}/index/queue", p) for p in patterns) for table in tables), role


def test_only_the_api_touches_photos_and_only_the_jobs_publish_the_site(resources):
    def reaches(role, bucket):
        return any(text(r).startswith("${%s." % bucket) for name, s in allowed_statements(resources) if name == role
                   for r in listed(s.get("Resource", [])))
    roles = {text(f["Properties"]["Role"]).removeprefix("${").removesuffix(".Arn}"): name
             for name, f in functions(resources).items()}
    for role, function in roles.items():
        api = function == "APIHandler"
        assert reaches(role, "PhotosBucket") == api and reaches(role, "SiteBucket") == (not api), function


# --- schedules, environment, alarms -----------------------------------------------------

def test_every_scheduled_function_of_the_app_has_its_rule(resources):
    _, schedules = app_routes_and_schedules()
    assert schedules
    by_handler = {f["Properties"]["Handler"]: f for f in functions(resources).values()}
    for source in schedules:
        events = by_handler[source.handler_string]["Properties"].get("Events", {}).values()
        assert [(e["Type"], e["Properties"]["Schedule"]) for e in events] == [
            ("Schedule", source.schedule_expression.to_string())], source.name


def resolved(variables: dict) -> dict:
    """The environment as Lambda would see it, with made-up names for the stack's resources."""
    def value(v):
        return re.sub(r"\$\{([^}]+)\}", lambda m: m.group(1).replace("::", "-").replace(".", "-").lower(), text(v))
    return {name: value(v) for name, v in variables.items()}


def test_each_function_environment_gives_valid_aws_settings(resources):
    for name, function in functions(resources).items():
        # The signing key comes from the secret at cold start (tests/unit/test_secrets_env.py).
        variables = {**resolved(function["Properties"]["Environment"]["Variables"]), "CITYDESK_SECRET": "k"}
        settings = Settings.from_env(variables)
        assert settings.backend == "dynamodb" and settings.sms == "sns" and settings.photos == "s3", name
        assert settings.email == "ses" and not settings.local and settings.site_url.startswith("https://"), name


SECRETS_PARAMETER = {"Fn::Sub": "/${AWS::StackName}/secrets"}
PARAMETER_ARN = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${AWS::StackName}/secrets"


def test_each_function_environment_names_the_apps_secrets_parameter_and_holds_no_secret_value(resources):
    for name, function in functions(resources).items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["CITYDESK_SECRETS_PARAMETER"] == SECRETS_PARAMETER, name
        assert "CITYDESK_SECRET" not in variables and "resolve:" not in json.dumps(variables), name


def test_the_stack_keeps_no_secret_of_its_own_and_names_the_parameter_the_deploy_creates(resources, template):
    # A Secrets Manager secret would cost 0.40 USD a month; the SecureString parameter is free.
    assert not of_type(resources, "AWS::SecretsManager::Secret")
    assert template["Outputs"]["SecretsParameter"]["Value"] == SECRETS_PARAMETER


def test_each_function_may_read_the_apps_secrets_parameter_and_no_other_secret_or_parameter(resources):
    readers = set()
    for role, statement in allowed_statements(resources):
        actions = listed(statement["Action"])
        if any(action.split(":")[0] in ("secretsmanager", "ssm", "kms") for action in actions):
            assert actions == ["ssm:GetParameter"], role
            assert listed(statement["Resource"]) == [{"Fn::Sub": PARAMETER_ARN}], role
            readers.add(role)
    roles = {text(function["Properties"]["Role"]).removeprefix("${").removesuffix(".Arn}")
             for function in functions(resources).values()}
    assert readers == roles


def test_the_scheduled_functions_publish_to_the_site_bucket_and_invalidate_the_distribution(resources):
    for name, function in functions(resources).items():
        variables = function["Properties"]["Environment"]["Variables"]
        if "Events" in function["Properties"]:
            assert variables["CITYDESK_SITE_STORE"] == "s3", name
            assert variables["CITYDESK_SITE_BUCKET"] == {"Ref": "SiteBucket"}, name
            assert variables["CITYDESK_CLOUDFRONT_DISTRIBUTION"] == {"Ref": "Distribution"}, name


def test_every_function_has_an_alarm_on_its_errors(resources):
    alarmed = {text(d["Value"]) for alarm in of_type(resources, "AWS::CloudWatch::Alarm").values()
               if alarm["Properties"].get("MetricName") == "Errors"
               for d in alarm["Properties"]["Dimensions"] if d["Name"] == "FunctionName"}
    assert alarmed == {"${%s}" % name for name in functions(resources)}


def test_sms_spend_and_dead_letters_have_alarms_that_tell_someone(resources):
    alarms = of_type(resources, "AWS::CloudWatch::Alarm").values()
    metrics = {(text(a["Properties"]["Namespace"]), a["Properties"]["MetricName"]) for a in alarms}
    assert ("AWS/SNS", "SMSMonthToDateSpentUSD") in metrics
    assert ("citydesk/${AWS::StackName}", "DeadLetters") in metrics
    assert all(a["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms)


def test_every_function_log_counts_dead_letters(resources):
    filters = of_type(resources, "AWS::Logs::MetricFilter").values()
    counted = {text(f["Properties"]["LogGroupName"]) for f in filters
               if f["Properties"]["MetricTransformations"][0]["MetricName"] == "DeadLetters"}
    log_groups = {text(g["Properties"]["LogGroupName"]): name for name, g in of_type(resources, "AWS::Logs::LogGroup").items()}
    assert set(log_groups) == {"/aws/lambda/${%s}" % name for name in functions(resources)}
    assert counted == {"${%s}" % name for name in log_groups.values()}


def test_the_dead_letter_filter_matches_the_log_line_of_a_last_try_and_not_of_a_retry(deps, sms, clock, caplog):
    deps.storage.outbox.add([OutboxMessage(id="m-1", to="+380501234567", text="Request No. 1000051 is accepted.",
                                           created_at=NOW, next_attempt_at=NOW, kind="filed")])
    lines = []
    with caplog.at_level(logging.WARNING, logger=outbox.__name__):
        for _ in range(outbox.MAX_TRIES):
            caplog.clear()
            sms.fail_next()
            outcome = outbox.send(deps, "m-1")
            lines.append((outcome, " ".join(r.getMessage() for r in caplog.records)))
            clock.set(deps.storage.outbox.get("m-1").next_attempt_at)
    phrase = infra.dead_letter_pattern().strip('"')
    assert [(outcome, phrase in line) for outcome, line in lines] == [("retry", False)] * (outbox.MAX_TRIES - 1) + [
        ("dead", True)]


# --- the distribution -------------------------------------------------------------------

@pytest.fixture
def distribution(resources) -> dict:
    return resources["Distribution"]["Properties"]["DistributionConfig"]


def test_every_route_of_the_app_is_under_api_so_one_behaviour_covers_the_dynamic_surface():
    routes, _ = app_routes_and_schedules()
    assert routes and all(route.startswith("/api/") for route in routes)


def test_the_distribution_sends_api_paths_to_the_api_uncached_with_what_the_api_reads(template, resources,
                                                                                      distribution):
    [api] = [b for b in distribution["CacheBehaviors"] if fnmatch("/api/open311/v2/requests.json", b["PathPattern"])]
    assert api["PathPattern"] == "/api/*"
    origin = next(o for o in distribution["Origins"] if o["Id"] == api["TargetOriginId"])
    assert text(origin["DomainName"]) == "${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    # With the header only it sends, which the API function checks (tests/api/test_origin_check.py).
    assert origin["OriginCustomHeaders"] == [{"HeaderName": ORIGIN_HEADER, "HeaderValue": {"Ref": "OriginHeader"}}]
    assert template["Parameters"]["OriginHeader"]["NoEcho"] is True
    api_environment = functions(resources)["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert Settings.from_env(resolved({**api_environment, "CITYDESK_SECRET": "k"})).origin_check
    # CloudFront passes /api/health on as it is: the HTTP API's $default stage adds no prefix.
    assert origin.get("OriginPath", "") == ""
    assert api["CachePolicyId"] == CACHING_DISABLED and "POST" in api["AllowedMethods"]
    forwarded = resources[api["OriginRequestPolicyId"]["Ref"]]["Properties"]["OriginRequestPolicyConfig"]
    assert forwarded["CookiesConfig"] == {"CookieBehavior": "all"}
    assert forwarded["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    headers = {h.lower() for h in forwarded["HeadersConfig"]["Headers"]}
    assert {"idempotency-key", "content-type", "accept-language", "cloudfront-viewer-address"} <= headers
    assert "host" not in headers


def test_everything_else_goes_to_the_site_bucket_through_origin_access_control(distribution):
    default = distribution["DefaultCacheBehavior"]
    origin = next(o for o in distribution["Origins"] if o["Id"] == default["TargetOriginId"])
    assert text(origin["DomainName"]) == "${SiteBucket.RegionalDomainName}"
    assert text(origin["OriginAccessControlId"]) == "${SiteOriginAccessControl.Id}"
    assert default["ViewerProtocolPolicy"] == "redirect-to-https" and default["AllowedMethods"] == ["GET", "HEAD"]


def test_directory_addresses_are_served_from_their_index_page(resources, distribution):
    [association] = distribution["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    code = resources[association["FunctionARN"]["Fn::GetAtt"][0]]["Properties"]["FunctionCode"]
    assert "endsWith('/')" in code and "index.html" in code


def test_every_answer_carries_the_sites_security_headers(resources, distribution):
    behaviours = [distribution["DefaultCacheBehavior"], *distribution["CacheBehaviors"]]
    assert {b["ResponseHeadersPolicyId"]["Ref"] for b in behaviours} == {"SecurityHeaders"}
    headers = resources["SecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert text(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]) == (
        content_security_policy("https://${PhotosBucket.DomainName}") + "; frame-ancestors 'none'")
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "same-origin"
    assert headers["FrameOptions"]["FrameOption"] == "DENY"


def test_the_http_api_sends_every_api_path_to_the_api_function_in_the_rest_apis_event_shape(resources):
    [api] = of_type(resources, "AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "HTTP"
    [route] = of_type(resources, "AWS::ApiGatewayV2::Route").values()
    assert route["Properties"]["RouteKey"] == "ANY /api/{proxy+}"
    integration = resources[text(route["Properties"]["Target"]).removeprefix("integrations/${").removesuffix("}")]
    properties = integration["Properties"]
    assert properties["IntegrationType"] == "AWS_PROXY" and properties["IntegrationUri"] == {
        "Fn::GetAtt": ["APIHandler", "Arn"]}
    # Format 1.0 is the REST API's event, which Chalice reads (tests/api/test_http_api.py).
    assert properties["PayloadFormatVersion"] == "1.0"
    assert properties["TimeoutInMillis"] > 1000 * functions(resources)["APIHandler"]["Properties"]["Timeout"]
    [stage] = of_type(resources, "AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["StageName"] == "$default" and stage["Properties"]["AutoDeploy"] is True
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    [permission] = [p["Properties"] for p in of_type(resources, "AWS::Lambda::Permission").values()
                    if p["Properties"]["FunctionName"] == {"Ref": "APIHandler"}]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert text(permission["SourceArn"]).endswith(":${HttpApi}/*")


def test_no_rest_api_is_left_of_what_chalice_package_describes(resources, template):
    assert not of_type(resources, "AWS::Serverless::Api") and not of_type(resources, "AWS::ApiGateway::RestApi")
    assert "RestAPI" not in json.dumps(template)


def test_taking_the_rest_api_out_keeps_everything_else():
    chalices = {"Resources": {"RestAPI": {"Type": "AWS::Serverless::Api"}, "APIHandler": {"Type": "f"},
                              "APIHandlerInvokePermission": {"Type": "AWS::Lambda::Permission"}},
                "Outputs": {"RestAPIId": {}, "EndpointURL": {}, "APIHandlerArn": {"Value": 1}},
                "Transform": "AWS::Serverless-2016-10-31"}
    assert infra.without_rest_api(chalices) == {"Resources": {"APIHandler": {"Type": "f"}},
                                               "Outputs": {"APIHandlerArn": {"Value": 1}},
                                               "Transform": "AWS::Serverless-2016-10-31"}
