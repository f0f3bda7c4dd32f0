"""The production wiring on the AWS adapters, under moto: what every test that runs
a use case "on DynamoDB" builds its Deps with."""

from contextlib import contextmanager
from dataclasses import replace

from moto import mock_aws

from chalicelib import bootstrap

from tools.fake_aws import FAKE_AWS_ENV, REGION  # noqa: F401 (the tests take them from here)


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


def create_distribution(bucket: str, reference: str) -> str:
    """A CloudFront distribution in front of the S3 bucket `bucket` (under moto); its id."""
    import boto3

    created = boto3.client("cloudfront", region_name=REGION).create_distribution(DistributionConfig={
        "CallerReference": reference, "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": f"{bucket}.s3.amazonaws.com",
                                               "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                                 "MinTTL": 0, "ForwardedValues": {"QueryString": False,
                                                                  "Cookies": {"Forward": "none"}},
                                 "TrustedSigners": {"Enabled": False, "Quantity": 0}},
    })
    return created["Distribution"]["Id"]
