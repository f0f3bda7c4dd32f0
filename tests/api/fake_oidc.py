"""A small OpenID Connect provider served in-process on 127.0.0.1 for the sign-in tests:
discovery, an authorize endpoint that sends the browser straight back with a code,
a token endpoint that checks the code, the client and the PKCE verifier and answers
an RS256 id_token, the key set, and a Facebook-like userinfo (`/me`)."""

import base64
import hashlib
import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from authlib.jose import JsonWebKey, JsonWebToken

CLIENT_ID = "citydesk-test"
CLIENT_SECRET = "fake-client-secret"


def make_key(kid: str):
    return JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": kid})


class FakeProvider:
    """`subject` is who signs in; `claims` overrides what the next id_tokens say;
    `signing_key` signs them (a key not in the key set forges them); `with_id_token`
    False answers like plain OAuth 2, leaving the subject to `/me`. One server serves
    a module's tests; `reset` gives each test a fresh provider."""

    def __init__(self, key):
        self.key = key
        self.reset(now=lambda: 0)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def reset(self, now) -> None:
        """`now`: the tests' clock, in epoch seconds, for the id_tokens' times."""
        self.now = now
        self.signing_key = self.key
        self.subject = "fake-subject-1"
        self.claims = {}
        self.with_id_token = True
        self._codes = {}
        self._access = {}

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def discovery(self) -> dict:
        return {"issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
                "userinfo_endpoint": f"{self.url}/me"}

    def authorize(self, query: dict) -> str:
        """Where the browser goes next: back to the client with a code."""
        code = secrets.token_urlsafe(16)
        self._codes[code] = query
        return query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})

    def token(self, form: dict) -> tuple:
        asked = self._codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if asked is None or form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET \
                or form.get("redirect_uri") != asked["redirect_uri"] or challenge != asked["code_challenge"]:
            return 400, {"error": "invalid_grant"}
        access = secrets.token_urlsafe(16)
        self._access[access] = self.subject
        answer = {"access_token": access, "token_type": "Bearer", "expires_in": 3600}
        if self.with_id_token:
            now = int(self.now())
            claims = {"iss": self.url, "aud": CLIENT_ID, "sub": self.subject, "iat": now, "exp": now + 300,
                      "nonce": asked["nonce"], **self.claims}
            header = {"alg": "RS256", "kid": self.signing_key.kid}
            answer["id_token"] = JsonWebToken(["RS256"]).encode(header, claims, self.signing_key).decode()
        return 200, answer

    def me(self, authorization: str) -> tuple:
        subject = self._access.get(authorization.removeprefix("Bearer "))
        return (200, {"id": subject, "name": "Olena"}) if subject else (401, {"error": "invalid_token"})

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path, _, query = self.path.partition("?")
                if path == "/.well-known/openid-configuration":
                    self._json(200, provider.discovery())
                elif path == "/jwks":
                    self._json(200, {"keys": [provider.key.as_dict(is_private=False)]})
                elif path == "/authorize":
                    self.send_response(302)
                    self.send_header("Location", provider.authorize(dict(urllib.parse.parse_qsl(query))))
                    self.end_headers()
                elif path == "/me":
                    self._json(*provider.me(self.headers.get("Authorization", "")))
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.path == "/token":
                    self._json(*provider.token(dict(urllib.parse.parse_qsl(body))))
                else:
                    self._json(404, {"error": "not_found"})

            def _json(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass  # the test output stays the tests'

        return Handler
