"""SMS through SNS under moto: what the outbox records of a sent message (SNS's
message id) and of a refused one (SNS's error code, never the number)."""

from dataclasses import replace

import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from chalicelib import bootstrap
from chalicelib.adapters.sms import SnsSms
from chalicelib.domain.outbox import PENDING, SENT, OutboxMessage
from chalicelib.services import outbox
from chalicelib.services.ports import SmsError
from tests.builders import NOW

REGION = "eu-central-1"
TO = "+380501234567"


@pytest.fixture
def sns_deps(deps, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield replace(deps, sms=bootstrap.open_sms(replace(deps.settings, sms="sns", region=REGION)))


def sns_messages() -> dict:
    return dict(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages)


def queue(deps, text: str, id="m-1"):
    deps.storage.outbox.add([OutboxMessage(id=id, to=TO, text=text, created_at=NOW, next_attempt_at=NOW,
                                           kind="filed")])


def test_a_sent_message_keeps_the_message_id_sns_gave_it(sns_deps):
    queue(sns_deps, "Заявку №1000051 прийнято.")

    assert outbox.send(sns_deps, "m-1") == "sent"

    sent = sns_deps.storage.outbox.get("m-1")
    assert sent.status == SENT and sent.last_error == ""
    assert sns_messages() == {sent.provider_id: (TO, "Заявку №1000051 прийнято.")}


def test_a_message_sns_refuses_records_its_error_code_and_waits_for_a_retry(sns_deps):
    queue(sns_deps, "x" * 1601)  # SNS takes at most 1600 bytes

    assert outbox.send(sns_deps, "m-1") == "retry"

    failed = sns_deps.storage.outbox.get("m-1")
    assert (failed.status, failed.provider_id, failed.last_error) == (PENDING, "", "SNS InvalidParameter")
    assert failed.next_attempt_at > NOW and sns_messages() == {}


def test_a_refusal_is_told_by_sns_error_code_alone():
    with mock_aws(), pytest.raises(SmsError) as refused:
        SnsSms(REGION, "citydesk").send("050 123 45 67", "text")  # not E.164
    assert str(refused.value) == "SNS InvalidParameter"
