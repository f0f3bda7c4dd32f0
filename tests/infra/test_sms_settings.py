"""The deploy step that sets SNS's SMS settings (CloudFormation has no resource for
them), against moto's SNS."""

import boto3
import pytest
from moto import mock_aws

from tools import sms_settings


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


def test_the_account_sends_transactional_sms_under_the_functions_sender_id_up_to_the_spend_limit(aws, capsys):
    sms_settings.main(["--spend-limit", "30", "--region", "eu-central-1"])
    held = boto3.client("sns", region_name="eu-central-1").get_sms_attributes()["attributes"]
    assert held["DefaultSMSType"] == "Transactional"
    assert held["DefaultSenderID"] == "citydesk"
    assert held["MonthlySpendLimit"] == "30"
    assert '"MonthlySpendLimit": "30"' in capsys.readouterr().out


def test_a_sender_id_sns_would_refuse_is_refused_before_asking_aws(aws):
    with pytest.raises(SystemExit):
        sms_settings.main(["--spend-limit", "30", "--sender-id", "city desk!"])
