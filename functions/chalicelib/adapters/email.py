"""E-mail senders: a log file for local runs, SES on AWS, and a recorder for tests.

`LogEmail` is the one place a full address is written down: it stands in for the
provider so a person running citydesk locally can open the link they were sent.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from ..domain.resident import mask_email
from ..services.ports import EmailError, EmailSender
from . import message_log

log = logging.getLogger(__name__)


class LogEmail(EmailSender):
    def __init__(self, path: str):
        self.path = Path(path)
        self._count = 0

    def send(self, to: str, subject: str, text: str) -> str:
        try:
            message_log.append(self.path, {"to": to, "subject": subject, "text": text})
        except OSError as error:
            raise EmailError(f"cannot write {self.path}: {error.strerror}") from error
        self._count += 1
        return f"log-{self._count}"


class SesEmail(EmailSender):
    """Plain-text e-mail through SES v2 `send_email`, from a verified sender address."""

    def __init__(self, region: str, sender: str):
        self.region = region
        self.sender = sender
        self._client = None

    def send(self, to: str, subject: str, text: str) -> str:
        # boto3 (and botocore under it) is imported on the first e-mail, not at cold start.
        import botocore.exceptions

        content = {"Simple": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                              "Body": {"Text": {"Data": text, "Charset": "UTF-8"}}}}
        try:
            answer = self._ses().send_email(FromEmailAddress=self.sender, Destination={"ToAddresses": [to]},
                                            Content=content)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            log.warning("SES refused an e-mail to %s: %s", mask_email(to), type(error).__name__)
            raise EmailError(type(error).__name__) from error
        return answer["MessageId"]

    def _ses(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("sesv2", region_name=self.region)
        return self._client


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


class RecordingEmail(EmailSender):
    """Keeps what it was asked to send; `fail_next()` makes the next send fail."""

    def __init__(self):
        self.sent: list[Mail] = []
        self._failures = 0

    def send(self, to: str, subject: str, text: str) -> str:
        if self._failures:
            self._failures -= 1
            raise EmailError("the test made this send fail")
        self.sent.append(Mail(to, subject, text))
        return f"recorded-{len(self.sent)}"

    def fail_next(self, times: int = 1) -> None:
        self._failures = times
