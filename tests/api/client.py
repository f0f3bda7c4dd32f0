"""The API as the tests use it: JSON in and out, sign-in in one call, a look at
every stored row, and a ticket body that files."""

import json
import sqlite3
from contextlib import closing

PHONE = "050 123 45 67"
PHONE_E164 = "+380501234567"
DESCRIPTION = "Weak cold water pressure on the upper floors since Friday."
ADDRESS = {"street": "yavornytskoho-ave", "house": "8", "entrance": "2", "flat": "14", "note": "code 14K"}


def ticket(**changes) -> dict:
    """A body POST /api/tickets accepts, with any field replaced."""
    return {"cause": "water.low-pressure", "address": dict(ADDRESS), "lat": 48.4647, "lon": 35.0462,
            "description": DESCRIPTION, "photos": [], **changes}


class Api:
    """The test client with JSON bodies, sign-in, and a look at what is stored."""

    def __init__(self, client, deps, sms):
        self.client = client
        self.deps = deps
        self.sms = sms

    def get(self, path: str, headers: dict | None = None):
        return self.client.http.get(path, headers=headers or {})

    def post(self, path: str, body=None, headers: dict | None = None, raw: bytes | None = None):
        return self._send("POST", path, body, headers, raw)

    def patch(self, path: str, body=None, headers: dict | None = None):
        return self._send("PATCH", path, body, headers, None)

    def request(self, method: str, path: str, body=None, headers: dict | None = None):
        return self._send(method, path, body, headers, None)

    def _send(self, method, path, body, headers, raw):
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        return self.client.http.request(method, path, headers={"Content-Type": "application/json", **(headers or {})},
                                        body=data)

    def sign_in(self, phone: str = PHONE, lang: str = "uk") -> dict:
        """Headers carrying the session cookie of the resident with this phone."""
        asked = self.post(f"/api/auth/phone?lang={lang}", {"phone": phone})
        assert asked.status_code == 200, asked.body
        verified = self.post(f"/api/auth/phone/verify?lang={lang}", {"phone": phone, "code": self.last_code()})
        assert verified.status_code == 200, verified.body
        return {"Cookie": verified.headers["Set-Cookie"].split(";")[0]}

    def staff(self, role: str = "operator", organisation: str | None = None, **fields) -> dict:
        """Headers carrying the session cookie of a new staff member of this role
        (signed in directly: tests of signing in itself go through the login)."""
        from chalicelib.services import staff
        from tests.builders import make_staff

        member = make_staff(role=role, organisation=organisation, **fields)
        self.deps.storage.staff.create(member)
        return {"Cookie": f"citydesk_staff={staff.open_session(self.deps, member)}"}

    def last_code(self) -> str:
        return next(word for word in self.sms.sent[-1].text.replace(".", " ").split() if word.isdigit()
                    and len(word) == 6)

    def snapshot(self) -> dict:
        """Every row of every SQLite table: equal snapshots mean nothing was written."""
        with closing(sqlite3.connect(self.deps.settings.db_path)) as db:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {table: sorted(map(repr, db.execute(f"SELECT * FROM {table}"))) for table in tables}

    def count(self, table: str) -> int:
        return len(self.snapshot()[table])

    @staticmethod
    def json(response):
        return json.loads(response.body)

    @staticmethod
    def error(response) -> dict:
        """The error of an error answer, after checking it has exactly the one shape."""
        data = json.loads(response.body)
        assert list(data) == ["error"] and sorted(data["error"]) == ["code", "message"], data
        assert isinstance(data["error"]["code"], str) and data["error"]["message"], data
        return data["error"]



def serving(deps, sms):
    """The test client serving the real app on `deps`, as an Api."""
    from chalice.test import Client

    from app import app
    from chalicelib import bootstrap

    bootstrap.override(deps)
    with Client(app) as client:
        yield Api(client, deps, sms)
    bootstrap.reset()
