"""SMS senders: a log file for local runs, SNS on AWS, a generic HTTP gateway, and a
recorder for tests.

`LogSms` is the one place a full phone number is written down: it stands in for
the provider so a person running citydesk locally can read the code they were sent.
"""

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

from ..domain.resident import mask_phone
from ..services.ports import SmsError, SmsSender
from ..settings import PLACEHOLDER, SmsGateway
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
        except botocore.exceptions.ClientError as error:
            # The code ("InvalidParameter", "Throttling") says why; SNS's message may quote the number.
            reason = f"SNS {error.response.get('Error', {}).get('Code', 'ClientError')}"
            log.warning("SNS refused an SMS to %s: %s", mask_phone(to), reason)
            raise SmsError(reason) from error
        except botocore.exceptions.BotoCoreError as error:
            log.warning("SNS could not take an SMS to %s: %s", mask_phone(to), type(error).__name__)
            raise SmsError(f"SNS {type(error).__name__}") from error
        return answer["MessageId"]

    def _sns(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("sns", region_name=self.region)
        return self._client


class HttpSms(SmsSender):
    """One HTTP request per SMS to a gateway the settings describe (`SmsGateway`).

    A 2xx answer is success. When `id_field` is set, the message id must be in the
    JSON answer: gateways of this kind answer a refusal with 200 and an error object,
    so an answer without the id is a failure. A failure's reason never quotes the
    request or the answer, which hold the phone number."""

    MAX_ANSWER = 64 * 1024

    def __init__(self, gateway: SmsGateway, sender_id: str):
        self.gateway = gateway
        self.sender_id = sender_id

    def send(self, to: str, text: str, *, urgent: bool = False) -> str:
        # urllib.request (and http.client, ssl under it) is imported on the first SMS, not at cold start.
        import http.client
        import urllib.error
        import urllib.request

        gateway = self.gateway
        body = self._body(to, text)
        url = _fill(gateway.url, {"secret": gateway.secret}, quote_plus)
        headers = {name: _fill(value, {"secret": gateway.secret}, str) for name, value in gateway.headers}
        if gateway.method == "GET":
            request = urllib.request.Request(f"{url}{'&' if '?' in url else '?'}{body}", headers=headers)
        else:
            headers.setdefault("Content-Type", gateway.content_type)
            request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=gateway.timeout) as response:
                answer = response.read(self.MAX_ANSWER)
        except urllib.error.HTTPError as error:
            error.close()
            reason = f"the gateway answered HTTP {error.code}"
        except TimeoutError:
            reason = f"the gateway did not answer within {gateway.timeout:g} s"
        except urllib.error.URLError as error:
            cause = "timed out" if isinstance(error.reason, TimeoutError) else type(error.reason).__name__
            reason = f"cannot reach the gateway: {cause}"
        except (OSError, http.client.HTTPException) as error:
            reason = f"the connection to the gateway broke: {type(error).__name__}"
        else:
            message_id = self._message_id(answer)
            if message_id is not None:
                return message_id
            reason = f"the gateway's answer has no {gateway.id_field}"
        log.warning("the SMS gateway failed an SMS to %s: %s", mask_phone(to), reason)
        # Not chained: the urllib error carries the URL, which holds the number (and a GET's text).
        raise SmsError(reason) from None

    def _body(self, to: str, text: str) -> str:
        """The request's body (a GET's query string): the values escaped for its content type."""
        values = {"to": to, "text": text, "sender": self.sender_id, "secret": self.gateway.secret}
        escape = _json_string if self.gateway.json_body else quote_plus
        return _fill(self.gateway.body, values, escape)

    def _message_id(self, answer: bytes) -> str | None:
        """The id at `id_field` of the JSON answer ("" when none is configured); None
        when the answer has none there."""
        if not self.gateway.id_field:
            return ""
        try:
            found = json.loads(answer)
        except ValueError:
            return None
        for step in self.gateway.id_field.split("."):
            if isinstance(found, dict) and step in found:
                found = found[step]
            elif isinstance(found, list) and step.isdigit() and int(step) < len(found):
                found = found[int(step)]
            else:
                return None
        return str(found) if isinstance(found, (str, int)) and not isinstance(found, bool) and found != "" else None


def _fill(template: str, values: dict, escape) -> str:
    return PLACEHOLDER.sub(lambda match: escape(values[match.group(1)]), template)


def _json_string(value: str) -> str:
    # The template puts the placeholder inside quotes: "{text}".
    return json.dumps(value, ensure_ascii=False)[1:-1]


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
