"""What every API view needs from HTTP: its `Call` (the request, the Deps, the
language of the answer, the signed-in resident), the session cookie, and the
`ApiBlueprint` whose views get a `Call` and answer domain errors in the one shape.
"""

import hashlib
import hmac
import json

from chalice import Blueprint, Response

from .. import bootstrap
from ..domain.errors import DomainError, InvalidInput
from ..domain.resident import Resident
from ..domain.staff import StaffMember
from ..services import auth, staff
from . import errors
from .language import requested_language

COOKIE = "citydesk_session"
# Staff sign in apart from residents, with a cookie only the staff API receives.
STAFF_COOKIE = "citydesk_staff"
STAFF_PATH = "/api/admin"
# A provider sign-in's flow (services.oidc), between its start and the provider's
# redirect back: SameSite=Lax, or that cross-site redirect would come back without it.
FLOW_COOKIE = "citydesk_oauth"
FLOW_PATH = "/api/auth/oidc"
# Every body this API takes is a small JSON object: a ticket whose 4000-character
# description is all escaped emoji still comes to under 50 KB.
MAX_BODY = 64 * 1024


class Call:
    """One request to the API, as the views see it."""

    def __init__(self, request, deps: bootstrap.Deps):
        self.request = request
        self.deps = deps
        self.lang = requested_language(request, deps.city)

    def body(self, limit: int = MAX_BODY) -> dict:
        """The JSON object sent: 413 over `limit` bytes (a route that takes more
        than MAX_BODY says so), 400 if it is no JSON, 422 if no object."""
        raw = self.request.raw_body or b""
        if len(raw) > limit:
            raise errors.TooLarge("too_large", limit=limit // 1024)
        try:
            data = json.loads(raw, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise errors.BadJson("bad_json") from None
        if not isinstance(data, dict):
            raise InvalidInput("must_be_object", field="body")
        return data

    def nothing_asked(self) -> None:
        """For a write that takes no fields: no body or {} is fine, and a body that
        is no JSON object is still refused."""
        if self.request.raw_body:
            self.body()

    def query(self, name: str) -> str:
        params = self.request.query_params or {}
        return params.get(name) or ""

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    @property
    def token(self) -> str:
        return self.cookie(COOKIE)

    def cookie(self, name: str) -> str:
        return _cookie_value(self.request.headers.get("cookie", ""), name)

    @property
    def client_id(self) -> str:
        # Behind CloudFront, API Gateway's source IP is an edge server's, shared by
        # thousands of people; CloudFront's viewer address header is the caller's.
        viewer = self.request.headers.get("cloudfront-viewer-address")
        if viewer:
            return viewer.rsplit(":", 1)[0]
        return self.request.context.get("identity", {}).get("sourceIp") or "unknown"

    def resident(self) -> Resident:
        """The signed-in resident (401 otherwise); from here on the answer speaks
        the language of their account."""
        resident = auth.current_resident(self.deps, self.token)
        self.lang = resident.language
        return resident


    def staff(self) -> StaffMember:
        """The signed-in staff member (401 otherwise)."""
        return staff.current(self.deps, self.cookie(STAFF_COOKIE))


class ApiBlueprint(Blueprint):
    def endpoint(self, path: str, **options):
        """Register `view(call, **path_params)` as the route `path`; a domain error it
        raises becomes the error answer, in the caller's language."""
        def register(view):
            def handle(**params):
                request = self.current_request
                if path.startswith(STAFF_PATH) and not _json_write_or_read(request):
                    return errors.body(415, "unsupported_media_type", requested_language(request, bootstrap.deps().city))
                call = Call(request, bootstrap.deps())
                try:
                    return view(call, **params)
                except DomainError as error:
                    return errors.answer_for(error, call.lang)
            handle.__name__ = view.__name__
            handle.__doc__ = view.__doc__
            self.route(path, **options)(handle)
            return view
        return register


def answer(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body=body, status_code=status, headers=headers or {})


def _json_write_or_read(request) -> bool:
    """CSRF defence of the staff API besides its SameSite=Strict cookie: a write
    must say it is JSON, which no cross-site form can and a cross-site script may
    not without the site's consent (CORS preflight, which this API never grants)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    content_type = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == "application/json"


def staff_cookie(token: str) -> str:
    """The staff session's cookie, kept as long as a session may last: the server
    ends the session earlier when it is idle."""
    return _cookie(token, int(staff.LONGEST.total_seconds()), bootstrap.deps().settings, name=STAFF_COOKIE,
                   path=STAFF_PATH)


def cleared_staff_cookie() -> str:
    return _cookie("", 0, bootstrap.deps().settings, name=STAFF_COOKIE, path=STAFF_PATH)


def session_cookie(token: str, settings) -> str:
    return _cookie(token, settings.session_days * 24 * 3600, settings)


def cleared_cookie(settings) -> str:
    return _cookie("", 0, settings)


def flow_cookie(value: str, max_age: int, settings) -> str:
    """The provider sign-in's cookie; `max_age` 0 clears it."""
    return _cookie(value, max_age, settings, name=FLOW_COOKIE, same_site="Lax", path=FLOW_PATH)


def _cookie(value: str, max_age: int, settings, name: str = COOKIE, same_site: str = "Strict",
            path: str = "/api") -> str:
    parts = [f"{name}={value}", "HttpOnly", f"SameSite={same_site}", f"Path={path}", f"Max-Age={max_age}"]
    # Plain-HTTP 127.0.0.1 in local mode would drop a Secure cookie.
    if not settings.local:
        parts.append("Secure")
    return "; ".join(parts)


def _cookie_value(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip()
    return ""


def _refuse_constant(name: str):
    # NaN and Infinity are Python's extension, not JSON.
    raise ValueError(f"{name} is not JSON")


# The header CloudFront adds to every request it passes to the API (infra/template.json,
# the OriginHeader parameter tools/deploy.py fills in with `origin_token`).
ORIGIN_HEADER = "X-Citydesk-Origin"


def origin_token(secret: str) -> str:
    """The origin header's value: derived from the signing key, so it needs no secret
    of its own, and useless to anyone who learns it for signing anything else."""
    return hmac.new(secret.encode(), b"citydesk: passed on by the distribution", hashlib.sha256).hexdigest()


def through_the_distribution(request, get_response):
    """Middleware: where the settings ask for it (on AWS), a request that did not come
    through the distribution is refused (403) before any view sees it."""
    deps = bootstrap.deps()
    if deps.settings.origin_check and not hmac.compare_digest(request.headers.get(ORIGIN_HEADER, "").encode(),
                                                              origin_token(deps.settings.secret).encode()):
        return errors.body(403, "forbidden", requested_language(request, deps.city))
    return get_response(request)


def json_no_store(request, get_response):
    """Middleware: every answer in JSON as UTF-8 (Cyrillic is half the size
    unescaped), and never kept by a cache on the way."""
    response = get_response(request)
    if not isinstance(response.body, (str, bytes)):
        response.body = json.dumps(response.body, ensure_ascii=False, separators=(",", ":"))
        response.headers.setdefault("Content-Type", "application/json")
    response.headers.setdefault("Cache-Control", "no-store")
    return response
