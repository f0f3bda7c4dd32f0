"""A resident signs in, files a ticket and finds it again, in a real Chromium against
the real local server, once on SQLite and once on the DynamoDB adapters over moto."""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "functions" / "chalicelib" / "data"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = "+380 67 555 01 23"
PHONE_E164 = "+380675550123"
STARTUP_SECONDS = 90
SCREENSHOT = "/tmp/citydesk-report.png"
# What the server prints for each request: method, path, status, time.
REQUEST_LINE = re.compile(r"^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (\S+) (\d{3}) \d+ms$")
# Records every CSP violation the page sees; an init script runs outside the page's CSP.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


class LocalServer:
    """`python -m local.server` in a subprocess on a free port with its own var directory."""

    def __init__(self, backend: str, var: Path):
        self.var = var
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CITYDESK_", "AWS_"))}
        env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "functions"), str(ROOT)]), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.server", "--port", "0", "--backend", backend, "--var", str(var)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self._ended = False
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        started = self.wait_for(r"Serving on (http://\S+)", STARTUP_SECONDS)
        if not started:
            self.stop()
            pytest.fail("the local server did not start:\n" + self.output)
        self.url = started.group(1)

    def _read(self):
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 10):
        """The first output line matching `pattern`, once it is printed; None if the
        server ends or `timeout` passes first."""
        found = None

        def seen():
            nonlocal found
            found = next(filter(None, (re.search(pattern, line) for line in self.lines)), None)
            return found or self._ended

        with self._changed:
            self._changed.wait_for(seen, timeout)
        return found

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def code_sent_to(self, phone: str) -> str:
        sms = [json.loads(line) for line in (self.var / "sms.log").read_text(encoding="utf-8").splitlines()]
        mine = [m["text"] for m in sms if m["to"] == phone]
        assert mine, f"no SMS to {phone}"
        return re.search(r"\b(\d{6})\b", mine[-1]).group(1)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


@pytest.fixture(scope="module", params=["sqlite", "moto"])
def server(request, tmp_path_factory):
    running = LocalServer(request.param, tmp_path_factory.mktemp(f"var-{request.param}"))
    yield running
    assert running.stop() == 0, running.output


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "install Chromium: apt-get install -y chromium (make chromium)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors, CSP violations and requests elsewhere are kept."""

    def __init__(self, browser, base: str):
        self.context = browser.new_context(viewport={"width": 390, "height": 844})
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.base = base
        self.errors = []
        self.foreign = []
        self.sent = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.on("request", self._request)

    def _console(self, message):
        # Chromium echoes every 4xx answer as a console error; being signed out
        # when the page asks /api/me first is the one the flow expects.
        expected = "status of 401" in message.text and message.location.get("url", "").endswith("/api/me")
        if message.type == "error" and not expected:
            self.errors.append(message.text)

    def _request(self, request):
        if not request.url.startswith(self.base) and not request.url.startswith("data:"):
            self.foreign.append(request.url)
        if request.method == "POST" and request.url.endswith("/api/tickets"):
            self.sent.append(request)

    def violations(self) -> list:
        return self.page.evaluate("window.cspViolations")


@pytest.fixture
def watched(browser, server):
    page = Watched(browser, server.url)
    yield page
    page.context.close()


def labels(name: str) -> list:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def test_a_resident_signs_in_files_a_ticket_and_follows_it_in_any_language(server, watched):
    page = watched.page
    topic = next(t for t in labels("catalogue.json") if any(c["sla_class"] == "emergency" for c in t["causes"]))
    cause = next(c for c in topic["causes"] if c["sla_class"] == "emergency")
    street = labels("streets.json")[0]

    page.goto(server.url + "/")
    page.wait_for_url(server.url + "/uk/")
    expect(page.locator("html")).to_have_attribute("lang", "uk")

    page.get_by_label("Номер мобільного телефону").fill(PHONE)
    page.get_by_role("button", name="Отримати код").click()
    expect(page.locator("#code-form")).to_be_visible()
    page.get_by_label("Код з SMS").fill(server.code_sent_to(PHONE_E164))
    page.get_by_role("button", name="Увійти").click()
    expect(page.get_by_role("heading", name="Нове звернення")).to_be_visible()

    page.get_by_role("radio", name=topic["name"]["uk"], exact=True).check()
    page.get_by_role("button", name="Далі").click()
    choice = page.locator("label.choice", has=page.locator(f"input[value='{cause['code']}']"))
    expect(choice).to_contain_text("аварійна: термін — 6 годин")
    choice.click()
    page.get_by_role("button", name="Далі").click()

    page.get_by_role("combobox", name="Вулиця").press_sequentially(street["name"]["uk"].split()[-1][:5])
    page.get_by_role("option", name=street["name"]["uk"]).click()
    page.get_by_label("Будинок").fill("10")
    page.get_by_label("Квартира").fill("7")
    page.get_by_role("button", name="Далі").click()
    page.get_by_label("Що не так, відколи, кого це стосується").fill("З шостої ранку немає води в усьому будинку.")

    page.reload()
    expect(page.get_by_label("Що не так, відколи, кого це стосується")).to_have_value(
        "З шостої ранку немає води в усьому будинку.")
    page.get_by_role("button", name="Далі").click()
    expect(page.locator("#review-address")).to_have_text(f"{street['name']['uk']}, буд. 10, кв. 7")
    expect(page.locator("#review-deadline")).to_have_text("аварійна: термін — 6 годин")
    page.get_by_role("button", name="Надіслати").click()

    expect(page.locator("#sent")).to_be_visible()
    number = page.locator("#sent-number").inner_text()
    assert re.fullmatch(r"\d+", number)
    assert re.fullmatch(r"[0-9a-f-]{32,36}", watched.sent[-1].headers["idempotency-key"])
    expect(page.locator(f"#current .ticket[data-number='{number}']")).to_contain_text(cause["name"]["uk"])
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.goto(server.url + "/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Report a housing or utility problem")).to_be_visible()
    expect(page.get_by_role("radio", name=topic["name"]["en"], exact=True)).to_be_visible()
    expect(page.locator(f"#current .ticket[data-number='{number}']")).to_contain_text(cause["name"]["en"])

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Mobile phone number")).to_be_visible()

    page.goto(server.url + "/en/track.html")
    page.get_by_label("Ticket number").fill(number)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#result")).to_contain_text(street["name"]["en"])

    assert watched.errors == []
    assert watched.violations() == []
    assert watched.foreign == []


def test_the_server_logs_each_request_without_its_query_string(server, watched):
    watched.page.request.get(server.url + "/api/streets?q=%2B380675550123")
    assert server.wait_for(r"^GET /api/streets \d{3} ")
    logged = [found.group(2) for found in map(REQUEST_LINE.match, server.lines) if found]
    assert not [path for path in logged if "?" in path or "380675550123" in path]


def test_an_unknown_api_path_answers_404_in_the_error_shape(server, watched):
    answer = watched.page.request.get(server.url + "/api/no/such/thing")
    assert answer.status == 404
    assert set(answer.json()["error"]) == {"code", "message"}


def test_pages_carry_the_content_security_policy_and_nothing_outside_the_site_is_served(server):
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc)
    connection.request("GET", "/uk/")
    page = connection.getresponse()
    page.read()
    connection.request("GET", "/../functions/app.py")
    escape = connection.getresponse()
    escape.read()
    assert page.status == 200
    assert "default-src 'self'" in page.getheader("Content-Security-Policy")
    assert "frame-ancestors 'none'" in page.getheader("Content-Security-Policy")
    assert escape.status == 404


def test_the_local_secret_is_readable_by_its_owner_only(server):
    assert (server.var / "secret").stat().st_mode & 0o777 == 0o600
