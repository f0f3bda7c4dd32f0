"""The local server as a browser meets it: one origin for the site and the API, the
CSP on every page, nothing outside the site served, no query string in its log."""

import html
import http.client
import json
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from local import build_site
from local import server as server_module

pytestmark = pytest.mark.e2e

# What the server prints for each request: method, path, status, time.
REQUEST_LINE = re.compile(r"^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (\S+) (\d{3}) \d+ms$")


def test_the_server_logs_each_request_without_its_query_string(server, browser):
    context = browser.new_context()
    context.request.get(server.url + "/api/streets?q=%2B380675550123")
    context.close()
    assert server.wait_for(r"^GET /api/streets \d{3} ")
    logged = [found.group(2) for found in map(REQUEST_LINE.match, server.lines) if found]
    assert not [path for path in logged if "?" in path or "380675550123" in path]


def test_an_unknown_api_path_answers_404_in_the_error_shape(server, browser):
    context = browser.new_context()
    answer = context.request.get(server.url + "/api/no/such/thing")
    assert answer.status == 404
    assert set(answer.json()["error"]) == {"code", "message"}
    context.close()


def test_pages_carry_the_content_security_policy_and_nothing_outside_the_site_is_served(server):
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc)
    connection.request("GET", "/uk/")
    page = connection.getresponse()
    body = page.read().decode("utf-8")
    connection.request("GET", "/../functions/app.py")
    escape = connection.getresponse()
    escape.read()
    assert page.status == 200
    assert page.getheader("Content-Security-Policy") == build_site.HEADER_POLICY
    assert f'content="{build_site.CONTENT_SECURITY_POLICY}"' in html.unescape(body)
    assert "frame-ancestors 'none'" in page.getheader("Content-Security-Policy")
    assert escape.status == 404


def test_the_local_secret_is_readable_by_its_owner_only(server):
    assert (server.var / "secret").stat().st_mode & 0o777 == 0o600


def test_two_hundred_browsers_connecting_at_once_are_all_answered(server):
    """A crowd arriving together (the load test's residents) is queued, not dropped."""
    address = urlsplit(server.url)
    start = threading.Barrier(200)
    failures = []

    def browser():
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        start.wait()
        try:
            connection.request("GET", "/uk/")
            page = connection.getresponse()
            page.read()
            if page.status != 200:
                failures.append(page.status)
        except OSError as error:
            failures.append(type(error).__name__)
        finally:
            connection.close()

    browsers = [threading.Thread(target=browser) for _ in range(200)]
    for each in browsers:
        each.start()
    for each in browsers:
        each.join()
    assert failures == []


def test_answers_go_out_without_waiting_for_the_clients_delayed_ack():
    """Headers and body go out as two writes. With Nagle's algorithm on, the body waits
    until the client acknowledges the headers, which it delays by 40 ms or more: every
    request of a page's scripts would take that long at least (the load test's latencies
    show it; a timed test here would only be noise)."""
    assert server_module.handler_class(None, Path(".")).disable_nagle_algorithm is True


@pytest.mark.parametrize("method", ["DELETE", "TRACE", "QUERY"])
def test_a_method_a_path_does_not_take_gets_405_and_the_methods_it_does(server, method):
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc)
    connection.request(method, "/api/health")
    api = connection.getresponse()
    error = api.read()
    connection.request(method, "/uk/")
    page = connection.getresponse()
    page.read()
    assert (api.status, api.getheader("Allow")) == (405, "GET")
    assert set(json.loads(error)["error"]) == {"code", "message"}
    assert (page.status, page.getheader("Allow")) == (405, "GET, HEAD")
