"""The parts of the browser tests: the real local server in a subprocess (on SQLite
or on the DynamoDB adapters over moto), Debian's Chromium driven by Playwright, a
page that records console errors, CSP violations and requests elsewhere, signing
in with the code from the SMS log, and staff steps applied to the server's storage."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from chalicelib import bootstrap
from chalicelib.domain import ticket as lifecycle
from chalicelib.domain.ticket import Actor, Command
from chalicelib.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "functions" / "chalicelib" / "data"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STARTUP_SECONDS = 90
# Records every CSP violation the page sees; an init script runs outside the page's CSP.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
# Chromium echoes every 4xx answer as a console error. These are the ones a page
# expects: asking who is signed in before anyone is.
EXPECTED_REFUSALS = ("/api/me",)


class LocalServer:
    """`python -m local.server` in a subprocess on a free port with its own var directory."""

    def __init__(self, backend: str, var: Path):
        self.backend = backend
        self.var = var
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CITYDESK_", "AWS_"))}
        env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "functions"), str(ROOT)]), PYTHONUNBUFFERED="1",
                   CITYDESK_EMAIL_LOG=str(var / "email.log"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.server", "--port", "0", "--backend", backend, "--var", str(var)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self._ended = False
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        started = self.wait_for(r"Serving on (http://\S+) \((\w+)(?: at (http://\S+))?\)", STARTUP_SECONDS)
        if not started:
            self.stop()
            pytest.fail("the local server did not start:\n" + self.output)
        self.url = started.group(1)
        self.dynamodb_endpoint = started.group(3)

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

    def link_sent_to(self, email: str) -> str:
        """The path and fragment of the last sign-in link e-mailed to `email`."""
        mail = [json.loads(line) for line in (self.var / "email.log").read_text(encoding="utf-8").splitlines()]
        mine = [m["text"] for m in mail if m["to"] == email]
        assert mine, f"no e-mail to {email}"
        return re.search(r"https?://[^/\s]+(/\S+#token=\S+)", mine[-1]).group(1)

    def storage(self):
        """The server's own storage, opened from this process with the real adapter."""
        secret = (self.var / "secret").read_text().strip()
        if self.backend == "sqlite":
            return bootstrap.open_storage(Settings(backend="sqlite", db_path=str(self.var / "citydesk.sqlite3"),
                                                   secret=secret))
        # The moto server's endpoint, with credentials that cannot reach a real account.
        os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing")
        return bootstrap.open_storage(Settings(backend="dynamodb", dynamodb_endpoint=self.dynamodb_endpoint,
                                               secret=secret))

    def staff(self, number: str, *commands: str) -> None:
        """The executor's steps on ticket `number` (accept, report_done…) through the
        domain and the real adapter: the staff API comes in a later issue."""
        storage = self.storage()
        city = bootstrap.load_city(str(DATA))
        for name in commands:
            ticket = storage.tickets.by_number(number)
            executor = Actor("executor", "e2e-executor", ticket.organisation)
            changed, events = lifecycle.apply(ticket, Command(name, executor, {}), datetime.now(timezone.utc), city.sla)
            storage.tickets.update(changed, ticket.version, events)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


class Watched:
    """A page whose console errors, CSP violations and requests elsewhere are kept."""

    def __init__(self, browser, base: str, width: int = 390, **options):
        self.context = browser.new_context(viewport={"width": width, "height": 844}, **options)
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
        url = message.location.get("url", "")
        expected = "status of 401" in message.text and url.endswith(EXPECTED_REFUSALS)
        if message.type == "error" and not expected:
            self.errors.append(f"{message.text} ({url})")

    def _request(self, request):
        if not request.url.startswith(self.base) and not request.url.startswith(("data:", "blob:")):
            self.foreign.append(request.url)
        if request.method == "POST" and request.url.endswith("/api/tickets"):
            self.sent.append(request)

    def violations(self) -> list:
        return self.page.evaluate("window.cspViolations")

    def sign_in(self, server, lang: str, phone: str, next_page: str = "cabinet.html"):
        """Signs in by phone on the sign-in page; lands on `next_page`."""
        page = self.page
        page.goto(f"{server.url}/{lang}/signin.html?next={next_page}")
        page.locator("#phone").fill(phone)
        page.locator("#phone-form button[type=submit]").click()
        expect(page.locator("#code-form")).to_be_visible()
        page.locator("#code").fill(server.code_sent_to("+" + re.sub(r"\D", "", phone)))
        page.locator("#code-form button[type=submit]").click()
        page.wait_for_url(f"**/{lang}/{next_page}")

    def close(self):
        self.context.close()


def labels(name: str) -> list:
    return json.loads((DATA / name).read_text(encoding="utf-8"))
