"""The parts of the browser tests: the real local server in a subprocess (on SQLite
or on the DynamoDB adapters over moto), Debian's Chromium driven by Playwright, a
page that records console errors, CSP violations and requests elsewhere, signing
in with the code from the SMS log or through the staff page, and staff accounts made in the server's storage."""

import io
import json
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from PIL import Image
from playwright.sync_api import expect

from chalicelib import bootstrap
from chalicelib.domain.staff import StaffMember
from chalicelib.services import staff
from chalicelib.settings import Settings
from local.server_process import ServerDidNotStart, ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "site"  # where the local server serves from and writes its generated pages
DATA = ROOT / "functions" / "chalicelib" / "data"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Records every CSP violation the page sees; an init script runs outside the page's CSP.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
# Chromium echoes every 4xx answer as a console error. These are the ones a page
# expects: asking who is signed in before anyone is.
EXPECTED_REFUSALS = ("/api/me", "/api/admin/me")


class LocalServer(ServerProcess):
    """The local server in a subprocess (local.server_process) with what the browser
    tests read of it: the codes and links it sent, its demo accounts, its storage.
    `settings`: CITYDESK_* variables besides the ones it sets itself."""

    def __init__(self, backend: str, var: Path, site: Path = SITE, settings: dict | None = None):
        try:
            super().__init__(backend, var, site, env=settings)
        except ServerDidNotStart as error:
            pytest.fail(f"the local server did not start:\n{error}")

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

    def deps(self):
        """The server's dependencies built in this process, over its storage and the site
        folder it serves: a test runs the server's jobs (a tick, the regeneration) at once
        instead of waiting for its minute."""
        settings = Settings(secret=self.secret, site_dir=str(self.site),
                            sms_log=str(self.var / "sms.log"), email_log=str(self.var / "email.log"),
                            photo_dir=str(self.var / "photos"))
        return bootstrap.build(settings, storage=self.storage())

    def staff(self, number: str, *commands: str) -> None:
        """The executor of ticket `number` takes `commands` (accept, report_done…)
        through the staff API, signed in with their organisation's demo account."""
        ticket = self.storage().tickets.by_number(number)
        username, password = self.demo_account("executor", ticket.organisation)
        with requests.Session() as http:
            http.post(f"{self.url}/api/admin/login", json={"username": username, "password": password}).raise_for_status()
            path = f"{self.url}/api/admin/tickets/{ticket.id}"
            for name in commands:
                version = http.get(path).json()["version"]
                note = {"note": "Done, checked on site."} if name == "report_done" else {}
                http.post(f"{path}/{name}", json={"version": version, **note}).raise_for_status()

    def demo_account(self, role: str, organisation: str | None = None) -> tuple:
        """(username, password) of the demo staff account of `role` (an executor's: of
        `organisation`) that the seed wrote to var/demo-accounts.json."""
        accounts = json.loads((self.var / "demo-accounts.json").read_text(encoding="utf-8"))
        found = next(a for a in accounts if a["role"] == role and a.get("organisation") == organisation)
        return found["username"], found["password"]

    def staff_name(self, username: str) -> str:
        return self.storage().staff.by_username(username).name

    def staff_account(self, role: str, totp_secret: str = "") -> tuple:
        """(username, password) of a new staff account in the server's storage."""
        username = f"{role}-{uuid.uuid4().hex[:8]}"
        password = f"e2e password {uuid.uuid4().hex}"
        self.storage().staff.create(StaffMember(
            id=uuid.uuid4().hex, username=username, role=role, name=f"{role.title()} {username[-4:]}",
            password_hash=staff.hash_password(password), created_at=datetime.now(timezone.utc),
            totp_secret=totp_secret))
        return username, password


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

    def staff_sign_in(self, server, lang: str, username: str, password: str):
        """Signs a staff member in through the staff page's form; lands on the queue."""
        page = self.page
        page.goto(f"{server.url}/{lang}/admin/")
        page.locator("#username").fill(username)
        page.locator("#password").fill(password)
        page.locator("#signin-form button[type=submit]").click()
        expect(page.locator("#queue")).to_be_visible()

    def staff_sign_out(self):
        self.page.locator("#sign-out").click()
        expect(self.page.locator("#signin-form")).to_be_visible()

    def close(self):
        self.context.close()


def labels(name: str) -> list:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def photo_file(tmp_path):
    """A small JPEG, as a phone camera would give (only larger)."""
    path = tmp_path / "leak.jpg"
    image = Image.new("RGB", (1600, 1400), (40, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    path.write_bytes(buffer.getvalue())
    return path
