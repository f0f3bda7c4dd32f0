"""The app as the deployed HTTP API calls it: one catch-all route, `ANY /api/{proxy+}`,
and events in payload format 1.0 that name that route rather than one of the app's
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html)."""

import json

from chalicelib.api.http_api import match
from tests.api.client import PHONE, ticket

CATCH_ALL = "/api/{proxy+}"


def http_api_event(method: str, path: str, headers: dict | None = None, body: str | None = None,
                   query: dict | None = None) -> dict:
    """An event as the HTTP API's Lambda proxy integration sends it (payload format 1.0)."""
    headers = {"host": "abc123.execute-api.eu-central-1.amazonaws.com", **{k.lower(): v for k, v in
                                                                           (headers or {}).items()}}
    return {
        "version": "1.0",
        "resource": CATCH_ALL,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {name: [value] for name, value in query.items()} if query else None,
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc123", "domainName": headers["host"], "domainPrefix": "abc123",
            "extendedRequestId": "request-id", "httpMethod": method, "path": path, "protocol": "HTTP/1.1",
            "requestId": "id=", "requestTime": "23/Nov/2026:09:00:00 +0000", "requestTimeEpoch": 1795424400000,
            "resourceId": "ANY /api/{proxy+}", "resourcePath": CATCH_ALL, "stage": "$default",
            "identity": {"sourceIp": "192.0.2.1", "userAgent": "test"},
        },
        "pathParameters": {"proxy": path.removeprefix("/api/")},
        "stageVariables": None,
        "body": body,
        "isBase64Encoded": False,
    }


def call(event: dict) -> dict:
    from app import app

    return app(event, None)


def cookie_of(answer: dict) -> str:
    cookies = answer.get("multiValueHeaders", {}).get("Set-Cookie") or [answer["headers"]["Set-Cookie"]]
    return cookies[0].split(";")[0]


def test_every_route_of_the_app_is_found_again_from_an_address_of_it():
    from app import app

    for route in app.routes:
        address = "/".join("x-1" if part.startswith("{") else part for part in route.split("/"))
        names = [part[1:-1] for part in route.split("/") if part.startswith("{")]
        assert match(app.routes, address) == (route, {name: "x-1" for name in names})


def test_a_literal_segment_wins_over_a_parameter_and_parameters_are_decoded():
    routes = {"/api/tickets/{ticket_id}": {}, "/api/tickets/similar": {}, "/api/tickets": {}}
    assert match(routes, "/api/tickets/similar") == ("/api/tickets/similar", {})
    assert match(routes, "/api/tickets/T%2D1") == ("/api/tickets/{ticket_id}", {"ticket_id": "T-1"})
    assert match(routes, "/api/tickets/") is None and match(routes, "/api/tickets/a/b") is None


def test_a_resident_signs_in_files_and_reads_the_ticket_through_the_http_api(api, sms):
    asked = call(http_api_event("POST", "/api/auth/phone", {"Content-Type": "application/json"},
                                json.dumps({"phone": PHONE}), query={"lang": "en"}))
    assert asked["statusCode"] == 200, asked
    verified = call(http_api_event("POST", "/api/auth/phone/verify", {"Content-Type": "application/json"},
                                   json.dumps({"phone": PHONE, "code": api.last_code()})))
    assert verified["statusCode"] == 200, verified
    cookie = {"Cookie": cookie_of(verified)}
    filed = call(http_api_event("POST", "/api/tickets", {**cookie, "Content-Type": "application/json",
                                                         "Idempotency-Key": "k-1"}, json.dumps(ticket())))
    assert filed["statusCode"] == 201, filed
    ticket_id = json.loads(filed["body"])["id"]
    read = call(http_api_event("GET", f"/api/tickets/{ticket_id}", cookie))
    assert read["statusCode"] == 200 and read["headers"]["Cache-Control"] == "no-store"
    # The same answer as the routes' own client gives.
    assert json.loads(read["body"]) == api.json(api.get(f"/api/tickets/{ticket_id}", cookie))


def test_a_path_that_is_no_route_gets_the_apis_own_404_in_the_asked_language(client):
    answer = call(http_api_event("GET", "/api/no-such-thing", {"Accept-Language": "en"}))
    assert answer["statusCode"] == 404
    assert json.loads(answer["body"]) == {"error": {"code": "not_found", "message": "Not found."}}
    assert answer["headers"]["Content-Type"] == "application/json"
    assert answer["headers"]["Cache-Control"] == "no-store"


def test_a_method_a_route_does_not_take_gets_405_in_the_apis_shape(client):
    answer = call(http_api_event("DELETE", "/api/health", {"Accept-Language": "en"}))
    assert answer["statusCode"] == 405
    assert json.loads(answer["body"])["error"]["code"] == "method_not_allowed"


def test_a_path_under_open311_that_is_no_route_gets_open311s_own_404(client):
    answer = call(http_api_event("GET", "/api/open311/v2/nothing.json"))
    assert answer["statusCode"] == 404
    [error] = json.loads(answer["body"])
    assert error["code"] == 404 and error["description"]


def test_a_request_the_distribution_did_not_pass_on_is_refused_even_on_a_path_that_is_no_route(client, deps):
    from dataclasses import replace

    from chalicelib import bootstrap

    bootstrap.override(replace(deps, settings=replace(deps.settings, origin_check=True)))
    assert call(http_api_event("GET", "/api/no-such-thing"))["statusCode"] == 403
