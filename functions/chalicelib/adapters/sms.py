"""SMS senders: a log file for local runs, SNS on AWS, and a recorder for tests.

`LogSms` is the one place a full phone number is written down: it stands in for
the provider so a person running citydesk locally can read the code they were sent.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from ..domain.resident import mask_phone
from ..services.ports import SmsError, SmsSender
from . import message_log

log = logging.getLogger(__name__)


class LogSms(SmsSender):
    def __init__(self, path: str):
        self.path = Path(path)
        self._count = 0

    def send(self, to: str, text: str, *, urgent: bool = False) -> str:
        try:
            line = message_log.append(self.path, {"to": to, "text": text})
        except OSError as error:
            raise SmsError(f"cannot write {self.path}: {error.strerror}") from error
        print(f"SMS {line}", flush=True)
        self._count += 1
        return f"log-{self._count}"


class SnsSms(SmsSender):
    """Transactional SMS through SNS `publish(PhoneNumber=...)`."""

    def __init__(self, region: str, sender_id: str):
        self.region = region
        self.sender_id = sender_id
        self._client = None

    def send(self, to: str, text: str, *, urgent: bool = False) -> str:
        # boto3 (and botocore under it) is imported on the first SMS, not at cold start.
        import botocore.exceptions

        attributes = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self.sender_id},
        }
        try:
            answer = self._sns().publish(PhoneNumber=to, Message=text, MessageAttributes=attributes)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            log.warning("SNS refused an SMS to %s: %s", mask_phone(to), type(error).__name__)
            raise SmsError(type(error).__name__) from error
        return answer["MessageId"]

    def _sns(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("sns", region_name=self.region)
        return self._client


@dataclass(frozen=True)
class Sent:
    to: str
    text: str
    urgent: bool


class RecordingSms(SmsSender):
    """Keeps what it was asked to send; `fail_next(n)` makes the next n sends fail."""

    def __init__(self):
        self.sent: list[Sent] = []
        self._failures = 0

    def send(self, to: str, text: str, *, urgent: bool = False) -> str:
        if self._failures:
            self._failures -= 1
            raise SmsError("the test made this send fail")
        self.sent.append(Sent(to, text, urgent))
        return f"recorded-{len(self.sent)}"

    def fail_next(self, times: int = 1) -> None:
        self._failures = times

    def to(self, phone: str) -> list:
        return [s.text for s in self.sent if s.to == phone]
