"""The generic HTTP SMS gateway, against a tiny gateway served on 127.0.0.1 by this
test: the exact request it receives, the message id read from its answer, and every
way it can fail becoming an SmsError that does not quote the phone number."""

import json
import socket
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.sms import HttpSms
from chalicelib.domain.outbox import PENDING, SENT, OutboxMessage
from chalicelib.services import outbox
from chalicelib.services.ports import SmsError
from chalicelib.settings import Settings, SmsGateway
from tests.builders import NOW

TO = "+380501234567"
TEXT = 'Заявку №1000051 "прийнято" & взято в роботу.\nТермін: 24.11 11:00'
JSON_BODY = '{"recipient": "{to}", "message": "{text}", "from": "{sender}"}'


class Gateway:
    """An SMS gateway on a free local port: keeps each request it gets and gives the
    answer the test sets; `hang` makes it take requests and never answer."""

    def __init__(self):
        self.requests = []
        self.answer = (200, b'{"messages": [{"id": "gw-77"}]}')
        self.hang = False
        self.released = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._take(b"")

            def do_POST(self):
                self._take(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def _take(self, body):
                gateway.requests.append({"method": self.command, "path": self.path,
                                         "headers": dict(self.headers), "body": body})
                if gateway.hang:
                    gateway.released.wait(10)
                    return
                status, answer = gateway.answer
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # A short poll: shutting down waits for the loop to look.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def last(self) -> dict:
        [request] = self.requests
        return request


@pytest.fixture
def gateway():
    served = Gateway()
    yield served
    served.close()


def json_gateway(url: str, **changes) -> SmsGateway:
    fields = {"url": f"{url}/v1/sms", "body": JSON_BODY, "id_field": "messages.0.id", "secret": "s3cret key",
              "headers": (("Content-Type", "application/json"), ("Authorization", "Bearer {secret}"))}
    return SmsGateway(**{**fields, **changes})


def test_a_json_body_carries_the_number_and_the_text_escaped_and_the_answer_gives_the_message_id(gateway):
    sms = HttpSms(json_gateway(gateway.url), sender_id="citydesk")

    assert sms.send(TO, TEXT) == "gw-77"

    request = gateway.last
    assert (request["method"], request["path"]) == ("POST", "/v1/sms")
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Authorization"] == "Bearer s3cret key"
    assert json.loads(request["body"]) == {"recipient": TO, "message": TEXT, "from": "citydesk"}


def test_a_form_body_is_url_encoded_and_sent_as_a_form(gateway):
    sms = HttpSms(SmsGateway(url=f"{gateway.url}/send", body="login=city&phones={to}&mes={text}&sender={sender}"),
                  sender_id="Dnipro 1557")

    assert sms.send(TO, TEXT) == ""  # no id field configured: the answer is not read

    request = gateway.last
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["body"].decode("ascii").startswith("login=city&phones=%2B380501234567&mes=%D0%97")
    assert parse_qs(request["body"].decode("ascii"), strict_parsing=True) == {
        "login": ["city"], "phones": [TO], "mes": [TEXT], "sender": ["Dnipro 1557"]}


def test_a_get_sends_the_body_as_the_query_string_after_the_urls_own(gateway):
    gateway.answer = (200, b'{"id": 9001}')
    sms = HttpSms(SmsGateway(url=f"{gateway.url}/sys/send.php?apikey={{secret}}", method="GET",
                             body="phones={to}&mes={text}", secret="k&y", id_field="id"), sender_id="citydesk")

    assert sms.send(TO, TEXT) == "9001"

    request = gateway.last
    assert request["method"] == "GET" and request["body"] == b""
    path = urlsplit(request["path"])
    assert path.path == "/sys/send.php"
    assert parse_qs(path.query, strict_parsing=True) == {"apikey": ["k&y"], "phones": [TO], "mes": [TEXT]}


def fails(sms, to=TO) -> str:
    with pytest.raises(SmsError) as refused:
        sms.send(to, TEXT)
    reason = str(refused.value)
    assert to not in reason and to[1:] not in reason and "4567" not in reason
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    return reason


@pytest.mark.parametrize("status", [500, 503, 401, 400])
def test_an_error_status_is_a_failure_that_names_the_status_but_not_the_number(gateway, status):
    gateway.answer = (status, json.dumps({"error": f"cannot send to {TO}"}).encode())
    assert fails(HttpSms(json_gateway(gateway.url), "citydesk")) == f"the gateway answered HTTP {status}"


def test_a_failed_get_does_not_quote_its_url_which_holds_the_number(gateway):
    gateway.answer = (502, b"")
    sms = HttpSms(SmsGateway(url=f"{gateway.url}/send", method="GET", body="to={to}&text={text}"), "citydesk")
    assert fails(sms) == "the gateway answered HTTP 502"


def test_a_gateway_that_does_not_answer_in_time_is_a_failure(gateway):
    gateway.hang = True
    sms = HttpSms(json_gateway(gateway.url, timeout=0.2), "citydesk")
    assert fails(sms) == "the gateway did not answer within 0.2 s"
    assert len(gateway.requests) == 1


def test_a_gateway_nobody_listens_for_is_a_failure():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    sms = HttpSms(json_gateway(f"http://127.0.0.1:{closed_port}"), "citydesk")
    assert fails(sms) == "cannot reach the gateway: ConnectionRefusedError"


@pytest.mark.parametrize("answer", [b'{"error": "no money on the account", "error_code": 2}', b"OK",
                                    b'{"messages": []}', b'{"messages": [{"id": ""}]}'])
def test_an_ok_answer_without_the_message_id_is_a_refusal(gateway, answer):
    gateway.answer = (200, answer)
    assert fails(HttpSms(json_gateway(gateway.url), "citydesk")) == "the gateway's answer has no messages.0.id"


def queue(deps, id="m-1"):
    deps.storage.outbox.add([OutboxMessage(id=id, to=TO, text=TEXT, created_at=NOW, next_attempt_at=NOW,
                                           kind="filed")])


def test_the_outbox_records_the_gateways_message_id_on_the_sent_message(deps, gateway):
    deps = replace(deps, sms=HttpSms(json_gateway(gateway.url), "citydesk"))
    queue(deps)

    assert outbox.send(deps, "m-1") == "sent"

    sent = deps.storage.outbox.get("m-1")
    assert (sent.status, sent.provider_id, sent.last_error) == (SENT, "gw-77", "")


def test_the_outbox_records_a_gateway_failure_without_the_number_and_tries_again_later(deps, gateway):
    gateway.answer = (503, b"")
    deps = replace(deps, sms=HttpSms(json_gateway(gateway.url), "citydesk"))
    queue(deps)

    assert outbox.send(deps, "m-1") == "retry"

    failed = deps.storage.outbox.get("m-1")
    assert (failed.status, failed.provider_id, failed.last_error) == (PENDING, "", "the gateway answered HTTP 503")
    assert failed.next_attempt_at > NOW


ENV = {"CITYDESK_SECRET": "s", "CITYDESK_SMS": "http", "CITYDESK_SMS_HTTP_URL": "https://sms.example.net/v1/sms",
       "CITYDESK_SMS_HTTP_BODY": JSON_BODY, "CITYDESK_SMS_HTTP_ID_FIELD": "messages.0.id",
       "CITYDESK_SMS_HTTP_HEADERS": '{"Content-Type": "application/json", "Authorization": "Bearer {secret}"}',
       "CITYDESK_SMS_HTTP_SECRET_ENV": "SMS_GATEWAY_TOKEN", "SMS_GATEWAY_TOKEN": "t0ken"}


def test_the_gateway_is_read_from_the_environment_and_wired_with_the_sender_id():
    settings = Settings.from_env({**ENV, "CITYDESK_SMS_SENDER_ID": "Dnipro"})
    sms = bootstrap.open_sms(settings)
    assert isinstance(sms, HttpSms) and sms.sender_id == "Dnipro"
    assert sms.gateway == SmsGateway(
        url="https://sms.example.net/v1/sms", body=JSON_BODY, method="POST", secret="t0ken", id_field="messages.0.id",
        headers=(("Content-Type", "application/json"), ("Authorization", "Bearer {secret}")), timeout=5.0)
    assert "t0ken" not in repr(settings)


@pytest.mark.parametrize("changes, complaint", [
    ({"CITYDESK_SMS_HTTP_URL": ""}, "CITYDESK_SMS_HTTP_URL"),
    ({"CITYDESK_SMS_HTTP_URL": "ftp://sms.example.net"}, "CITYDESK_SMS_HTTP_URL"),
    ({"CITYDESK_SMS_HTTP_URL": "https://sms.example.net/{to}"}, "CITYDESK_SMS_HTTP_URL"),
    ({"CITYDESK_SMS_HTTP_METHOD": "PUT"}, "CITYDESK_SMS_HTTP_METHOD"),
    ({"CITYDESK_SMS_HTTP_BODY": ""}, "CITYDESK_SMS_HTTP_BODY"),
    ({"CITYDESK_SMS_HTTP_BODY": '{"message": "{text}"}'}, "CITYDESK_SMS_HTTP_BODY"),
    ({"CITYDESK_SMS_HTTP_BODY": '{"to": "{to}", "text": "{text}", "x": "{name}"}'}, "CITYDESK_SMS_HTTP_BODY"),
    ({"CITYDESK_SMS_HTTP_BODY": '{"to": {to}, "text": {text}}'}, "not JSON"),
    ({"CITYDESK_SMS_HTTP_METHOD": "GET"}, "GET"),
    ({"CITYDESK_SMS_HTTP_HEADERS": "[1]"}, "CITYDESK_SMS_HTTP_HEADERS"),
    ({"CITYDESK_SMS_HTTP_HEADERS": '{"Bad Name": "x"}'}, "CITYDESK_SMS_HTTP_HEADERS"),
    ({"CITYDESK_SMS_HTTP_HEADERS": '{"X-To": "{to}"}'}, "CITYDESK_SMS_HTTP_HEADERS"),
    ({"SMS_GATEWAY_TOKEN": ""}, "SMS_GATEWAY_TOKEN"),
    ({"CITYDESK_SMS_HTTP_SECRET_ENV": ""}, "CITYDESK_SMS_HTTP_SECRET_ENV"),
    ({"CITYDESK_SMS_HTTP_TIMEOUT": "0"}, "CITYDESK_SMS_HTTP_TIMEOUT"),
])
def test_a_gateway_every_sms_would_fail_with_stops_the_start(changes, complaint):
    with pytest.raises(ValueError, match=complaint):
        Settings.from_env({**ENV, **changes})


def test_the_gateways_variables_mean_nothing_while_another_provider_is_chosen():
    assert Settings.from_env({**ENV, "CITYDESK_SMS": "log", "CITYDESK_SMS_HTTP_URL": ""}).sms_http is None
