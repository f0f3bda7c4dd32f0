"""Sign-in with a provider the city configures: OpenID Connect's authorization code
flow with state, nonce and PKCE, or, for a provider that gives no id_token (Facebook's
plain OAuth 2), the subject its userinfo endpoint names.

Between the start and the provider's redirect back, the browser keeps the flow's
secrets in a short-lived cookie signed with the settings' secret: nothing is stored.
The cookie also carries the id of a resident who was signed in at the start (the
session cookie, SameSite=Strict, does not come back with a redirect from another
site), so that the provider's sign-in is linked to their account.
"""

import base64
import hashlib
import hmac
import json
import logging
import secrets
import urllib.parse
from dataclasses import astuple, dataclass
from datetime import timedelta
from functools import lru_cache

from ..domain.errors import NotFound, Unauthenticated
from ..domain.resident import oidc_kind
from ..settings import OidcProvider
from . import auth

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)
HTTP_TIMEOUT_SECONDS = 10
# Seconds of clock difference with the provider an id_token's times may have.
LEEWAY = 60


@dataclass(frozen=True)
class Flow:
    """What the start hands to the provider's return, inside the signed cookie."""

    provider: str
    state: str
    nonce: str
    verifier: str
    lang: str
    link_to: str  # the signed-in resident's id, or ""
    expires: int  # epoch seconds


def providers(deps) -> list:
    """The buttons the sign-in page shows, in the order the city lists them."""
    return [{"name": p.name, "label": p.label} for p in deps.settings.oidc_providers]


def start(deps, name: str, lang: str, session_token: str) -> tuple:
    """(the provider's authorization URL, the signed flow for the state cookie)."""
    provider = _provider(deps, name)
    endpoints = _endpoints(provider)
    now = deps.clock.now()
    flow = Flow(provider=name, state=secrets.token_urlsafe(24), nonce=secrets.token_urlsafe(24),
                verifier=secrets.token_urlsafe(48), lang=lang, link_to=auth.signed_in_user_id(deps, session_token),
                expires=int((now + STATE_LIFETIME).timestamp()))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(flow.verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": provider.client_id, "redirect_uri": redirect_uri(deps, name),
        "scope": provider.scope, "state": flow.state, "nonce": flow.nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    })
    separator = "&" if "?" in endpoints["authorization_endpoint"] else "?"
    return endpoints["authorization_endpoint"] + separator + query, _sign(deps.settings.secret, flow)


def finish(deps, name: str, code: str, state: str, signed_flow: str) -> tuple:
    """(resident, session token, language) once the provider sent the browser back
    with `code`; Unauthenticated("sign_in_failed") whenever anything does not check out."""
    provider = _provider(deps, name)
    flow = _unsign(deps.settings.secret, signed_flow)
    now = deps.clock.now()
    if flow is None or flow.provider != name or flow.expires <= now.timestamp() \
            or not hmac.compare_digest(flow.state, state) or not code:
        raise Unauthenticated("sign_in_failed")
    endpoints = _endpoints(provider)
    tokens = _post_form(endpoints["token_endpoint"], {
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(deps, name),
        "client_id": provider.client_id, "client_secret": provider.client_secret, "code_verifier": flow.verifier,
    })
    if tokens.get("id_token"):
        subject = _id_token_subject(provider, endpoints, tokens["id_token"], flow.nonce, now.timestamp())
    elif endpoints.get("userinfo_endpoint") and tokens.get("access_token"):
        subject = _userinfo_subject(endpoints["userinfo_endpoint"], tokens["access_token"])
    else:
        log.warning("provider %s answered the code with neither an id_token nor a usable access token", name)
        raise Unauthenticated("sign_in_failed")
    resident = auth.sign_in_or_link(deps, oidc_kind(name), subject, flow.lang, flow.link_to)
    return resident, auth.open_session(deps, resident), flow.lang


def language_of(deps, signed_flow: str) -> str:
    """The language the flow started in, for an answer about a flow that failed."""
    flow = _unsign(deps.settings.secret, signed_flow)
    return flow.lang if flow and flow.lang in deps.city.languages else deps.city.default_language


def redirect_uri(deps, name: str) -> str:
    return f"{deps.settings.site_url}/api/auth/oidc/{name}/callback"


def _provider(deps, name: str) -> OidcProvider:
    provider = next((p for p in deps.settings.oidc_providers if p.name == name), None)
    if provider is None:
        raise NotFound("unknown_provider")
    return provider


def _endpoints(provider: OidcProvider) -> dict:
    """The provider's endpoints: as configured, else from its discovery document."""
    names = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")
    configured = {name: getattr(provider, name) for name in names if getattr(provider, name)}
    if provider.issuer and not {"authorization_endpoint", "token_endpoint"} <= set(configured):
        return {**_discovery(provider.issuer), **configured}
    return configured


@lru_cache(maxsize=16)
def _discovery(issuer: str) -> dict:
    # A provider's endpoints change rarely: read once per container.
    return _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")


def _id_token_subject(provider: OidcProvider, endpoints: dict, id_token: str, nonce: str, now: float) -> str:
    # authlib (with cryptography under it) is imported on the first provider sign-in, not at cold start.
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.jose.errors import JoseError

    if not endpoints.get("jwks_uri"):
        raise Unauthenticated("sign_in_failed")
    options = {"iss": {"essential": True, "value": endpoints.get("issuer") or provider.issuer},
               "aud": {"essential": True, "value": provider.client_id},
               "sub": {"essential": True}, "exp": {"essential": True},
               "nonce": {"essential": True, "value": nonce}}
    try:
        keys = JsonWebKey.import_key_set(_get_json(endpoints["jwks_uri"]))
        claims = JsonWebToken(["RS256", "ES256"]).decode(id_token, keys, claims_options=options)
        claims.validate(now=now, leeway=LEEWAY)
    except (JoseError, ValueError) as error:
        log.warning("an id_token from provider %s was refused: %s", provider.name, type(error).__name__)
        raise Unauthenticated("sign_in_failed") from None
    return str(claims["sub"])


def _userinfo_subject(url: str, access_token: str) -> str:
    info = _get_json(url, {"Authorization": f"Bearer {access_token}"})
    # OpenID Connect names it `sub`; Facebook's Graph API `/me` names it `id`.
    subject = info.get("sub") or info.get("id")
    if not subject:
        raise Unauthenticated("sign_in_failed")
    return str(subject)


def _get_json(url: str, headers: dict | None = None) -> dict:
    return _fetch(url, None, {"Accept": "application/json", **(headers or {})})


def _post_form(url: str, form: dict) -> dict:
    return _fetch(url, urllib.parse.urlencode(form).encode(),
                  {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"})


def _fetch(url: str, data: bytes | None, headers: dict) -> dict:
    """The JSON object a provider answers; Unauthenticated("sign_in_failed") on any failure."""
    # urllib.request (with http.client and ssl under it) is imported on the first
    # provider call, not at cold start.
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers),
                                    timeout=HTTP_TIMEOUT_SECONDS) as response:
            data = json.loads(response.read())
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        # Only the provider's host: the query of a userinfo URL may name what it asks for.
        log.warning("provider call to %s failed: %s", urllib.parse.urlsplit(url).netloc, type(error).__name__)
        raise Unauthenticated("sign_in_failed") from None
    if not isinstance(data, dict):
        raise Unauthenticated("sign_in_failed")
    return data


def _sign(secret: str, flow: Flow) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(astuple(flow)).encode()).rstrip(b"=").decode()
    return f"{payload}.{_mac(secret, payload)}"


def _unsign(secret: str, value: str) -> Flow | None:
    payload, _, mac = (value or "").partition(".")
    if not payload or not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    try:
        return Flow(*json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    except (ValueError, TypeError):
        return None


def _mac(secret: str, payload: str) -> str:
    # The purpose goes in first, as in services.auth, so no other keyed hash passes for this one.
    return hmac.new(secret.encode(), f"oidc-flow\x1f{payload}".encode(), hashlib.sha256).hexdigest()
