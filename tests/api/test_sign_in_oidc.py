"""Sign-in with a provider the city configures, against a fake OpenID Connect provider
served by the tests on 127.0.0.1: the redirect out, the redirect back, the checks
between them, and linking the provider to an account signed in another way."""

import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib import bootstrap
from chalicelib.settings import OidcProvider, Settings
from tests.api.client import PHONE_E164
from tests.api.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeProvider, make_key

SITE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def keys():
    return make_key("key-1"), make_key("key-2")


@pytest.fixture(scope="module")
def server(keys):
    with FakeProvider(keys[0]) as fake:
        yield fake


@pytest.fixture
def provider(server, clock):
    server.reset(now=lambda: clock.now().timestamp())
    return server


@pytest.fixture
def api(api, deps, provider):
    """The API with two providers: one found through its discovery document, and one
    configured like Facebook, by its endpoints, which gives no id_token."""
    configured = (
        OidcProvider(name="fake", label="Fake ID", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                     issuer=provider.url),
        OidcProvider(name="facebook", label="Facebook", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                     authorization_endpoint=f"{provider.url}/authorize", token_endpoint=f"{provider.url}/token",
                     userinfo_endpoint=f"{provider.url}/me", scope="public_profile"),
    )
    bootstrap.override(replace(deps, settings=replace(deps.settings, oidc_providers=configured)))
    return api


def start(api, name="fake", lang="uk", headers=None):
    return api.get(f"/api/auth/oidc/{name}/start?lang={lang}", headers=headers)


def cookies(answer) -> dict:
    """name -> (value, attributes) of each Set-Cookie of an answer."""
    found = answer.headers.get("Set-Cookie", [])
    found = [found] if isinstance(found, str) else found
    parsed = {}
    for cookie in found:
        name_value, *attributes = [part.strip() for part in cookie.split(";")]
        name, _, value = name_value.partition("=")
        parsed[name] = (value, set(attributes))
    return parsed


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def follow_provider(url: str) -> str:
    """The browser at the provider's authorize URL: where the provider sends it back."""
    try:
        urllib.request.build_opener(_Stay).open(url)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302
        return answer.headers["Location"]
    raise AssertionError("the provider did not redirect")


def callback(api, started, back_url=None, headers=None, **query):
    """Come back to the API as the provider sends the browser, with the state cookie."""
    back = back_url or follow_provider(started.headers["Location"])
    assert back.startswith(SITE + "/api/auth/oidc/")
    path, _, params = back[len(SITE):].partition("?")
    if query:
        params = urllib.parse.urlencode({**dict(urllib.parse.parse_qsl(params)), **query})
    flow = cookies(started)["citydesk_oauth"][0]
    cookie = "; ".join(filter(None, [f"citydesk_oauth={flow}", (headers or {}).get("Cookie")]))
    return api.get(f"{path}?{params}", headers={"Cookie": cookie})


def sign_in(api, name="fake", lang="uk", headers=None):
    return callback(api, start(api, name, lang, headers), headers=headers)


def session_of(answer) -> dict:
    return {"Cookie": f"citydesk_session={cookies(answer)['citydesk_session'][0]}"}


def refused_with(answer, code: str, lang: str = "uk") -> bool:
    return (answer.status_code == 302 and answer.headers["Location"] == f"{SITE}/{lang}/signin.html#error={code}"
            and "citydesk_session" not in cookies(answer))


def test_the_sign_in_page_gets_the_configured_providers_for_its_buttons(api):
    assert api.json(api.get("/api/auth/providers")) == [{"name": "fake", "label": "Fake ID"},
                                                        {"name": "facebook", "label": "Facebook"}]


def test_no_provider_is_listed_when_the_city_configures_none(api, deps):
    bootstrap.override(deps)
    assert api.json(api.get("/api/auth/providers")) == []


def test_start_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(api, provider):
    started = start(api)

    assert started.status_code == 302
    url, _, query = started.headers["Location"].partition("?")
    params = dict(urllib.parse.parse_qsl(query))
    assert url == f"{provider.url}/authorize"
    assert params["response_type"] == "code" and params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == f"{SITE}/api/auth/oidc/fake/callback"
    assert params["scope"] == "openid email" and params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32 and len(params["code_challenge"]) == 43


def test_the_state_cookie_is_http_only_lax_for_the_provider_routes_only_and_lives_ten_minutes(api):
    value, attributes = cookies(start(api))["citydesk_oauth"]

    assert attributes == {"HttpOnly", "SameSite=Lax", "Path=/api/auth/oidc", "Max-Age=600", "Secure"}
    assert len(value) > 100


def test_the_state_cookie_is_not_secure_in_local_mode(api, deps):
    current = bootstrap.deps()
    bootstrap.override(replace(current, settings=replace(current.settings, local=True)))
    assert "Secure" not in cookies(start(api))["citydesk_oauth"][1]


def test_signing_in_with_a_provider_makes_one_account_and_opens_the_cabinet(api):
    answer = sign_in(api)

    assert answer.status_code == 302 and answer.headers["Location"] == f"{SITE}/uk/cabinet.html"
    session, attributes = cookies(answer)["citydesk_session"]
    assert {"HttpOnly", "SameSite=Strict", "Path=/api"} <= attributes and len(session) > 40
    assert cookies(answer)["citydesk_oauth"] == ("", {"HttpOnly", "SameSite=Lax", "Path=/api/auth/oidc",
                                                      "Max-Age=0", "Secure"})
    me = api.json(api.get("/api/me", headers=session_of(answer)))
    assert me["phone"] == "" and me["language"] == "uk"
    assert me["identities"] == [{"kind": "oidc:fake", "value": ""}]
    assert api.count("users") == 1


def test_signing_in_again_with_the_provider_finds_the_same_account(api):
    first = api.get("/api/me", headers=session_of(sign_in(api))).body
    second = api.get("/api/me", headers=session_of(sign_in(api))).body

    assert first == second
    assert api.count("users") == 1


def test_the_language_of_the_start_is_the_new_accounts_and_the_cabinets(api):
    answer = sign_in(api, lang="ru")

    assert answer.headers["Location"] == f"{SITE}/ru/cabinet.html"
    assert api.json(api.get("/api/me", headers=session_of(answer)))["language"] == "ru"


def test_a_provider_without_an_id_token_signs_in_by_its_userinfo_like_facebook(api, provider):
    provider.with_id_token = False
    provider.subject = "10229876543210"

    answer = sign_in(api, "facebook")

    assert answer.headers["Location"] == f"{SITE}/uk/cabinet.html"
    me = api.json(api.get("/api/me", headers=session_of(answer)))
    assert me["identities"] == [{"kind": "oidc:facebook", "value": ""}]
    assert api.snapshot()["identities"] == [repr(("oidc:facebook", "10229876543210", me["id"]))]


def test_a_state_that_is_not_the_cookies_is_refused(api):
    started = start(api)

    answer = callback(api, started, state="forged-state")

    assert refused_with(answer, "sign_in_failed")
    assert api.count("users") == 0 and api.count("sessions") == 0


def test_a_return_without_the_state_cookie_is_refused(api):
    back = follow_provider(start(api).headers["Location"])
    path = back[len(SITE):]

    assert refused_with(api.get(path), "sign_in_failed")
    assert api.count("users") == 0


def test_a_state_cookie_with_a_forged_signature_is_refused(api):
    started = start(api)
    back = follow_provider(started.headers["Location"])
    flow = cookies(started)["citydesk_oauth"][0]
    payload, _, mac = flow.partition(".")

    answer = api.get(back[len(SITE):], headers={"Cookie": f"citydesk_oauth={payload}.{'0' * len(mac)}"})

    assert refused_with(answer, "sign_in_failed")


def test_a_return_after_ten_minutes_is_refused(api, clock):
    started = start(api)
    back = follow_provider(started.headers["Location"])
    clock.advance(timedelta(minutes=10))

    assert refused_with(callback(api, started, back), "sign_in_failed")


def test_a_state_cookie_of_another_provider_is_refused(api):
    started = start(api, "facebook")
    back = follow_provider(started.headers["Location"]).replace("/oidc/facebook/", "/oidc/fake/")

    assert refused_with(callback(api, started, back), "sign_in_failed")


def test_an_id_token_signed_by_a_key_not_in_the_providers_key_set_is_refused(api, provider, keys):
    provider.signing_key = keys[1]

    assert refused_with(sign_in(api), "sign_in_failed")
    assert api.count("users") == 0


def test_an_expired_id_token_is_refused(api, provider, clock):
    now = int(clock.now().timestamp())
    provider.claims = {"iat": now - 900, "exp": now - 300}

    assert refused_with(sign_in(api), "sign_in_failed")


@pytest.mark.parametrize("claim, value", [("aud", "another-client"), ("iss", "http://127.0.0.1:1"),
                                          ("nonce", "a-replayed-nonce")])
def test_an_id_token_for_another_client_issuer_or_flow_is_refused(api, provider, claim, value):
    provider.claims = {claim: value}

    assert refused_with(sign_in(api), "sign_in_failed")


def test_a_code_the_provider_does_not_know_is_refused(api):
    started = start(api)

    assert refused_with(callback(api, started, code="made-up-code"), "sign_in_failed")


def test_a_resident_who_declines_at_the_provider_comes_back_to_the_sign_in_page(api):
    started = start(api)
    state = dict(urllib.parse.parse_qsl(started.headers["Location"].partition("?")[2]))["state"]
    declined = f"{SITE}/api/auth/oidc/fake/callback?" + urllib.parse.urlencode(
        {"error": "access_denied", "state": state})

    assert refused_with(callback(api, started, declined), "sign_in_failed")


def test_an_unknown_provider_sends_the_browser_back_to_the_sign_in_page(api):
    assert refused_with(start(api, "myspace", lang="en"), "unknown_provider", lang="en")


def test_a_resident_signed_in_by_phone_links_the_provider_and_reaches_the_same_account_with_it(api):
    by_phone = api.sign_in()

    linked = sign_in(api, headers=by_phone)

    assert linked.headers["Location"] == f"{SITE}/uk/cabinet.html"
    by_provider = session_of(sign_in(api))
    me = api.json(api.get("/api/me", headers=by_provider))
    assert me == api.json(api.get("/api/me", headers=by_phone))
    assert me["identities"] == [{"kind": "oidc:fake", "value": ""}, {"kind": "phone", "value": "+380*****4567"}]
    assert api.count("users") == 1


def test_a_provider_account_another_resident_signs_in_with_is_not_linked(api):
    sign_in(api)
    by_phone = api.sign_in()
    before = api.snapshot()["identities"]

    answer = sign_in(api, headers=by_phone)

    assert refused_with(answer, "identity_in_use")
    assert api.snapshot()["identities"] == before


def test_no_log_line_holds_the_phone_or_the_providers_subject(api, provider, caplog):
    caplog.set_level(logging.DEBUG)
    provider.subject = "subject-that-names-olena"

    sign_in(api, headers=api.sign_in())

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "linked a sign-in by oidc:fake" in logged
    assert PHONE_E164 not in logged and provider.subject not in logged


def test_the_providers_are_read_from_json_with_their_secret_from_the_variable_it_names():
    env = {"CITYDESK_SECRET": "s", "FB_SECRET": "fb-secret", "CITYDESK_OIDC_PROVIDERS": (
        '[{"name": "facebook", "label": "Facebook", "client_id": "123",'
        ' "client_secret_env": "FB_SECRET", "authorization_endpoint": "https://www.facebook.com/v19.0/dialog/oauth",'
        ' "token_endpoint": "https://graph.facebook.com/v19.0/oauth/access_token",'
        ' "userinfo_endpoint": "https://graph.facebook.com/me?fields=id"}]')}

    [facebook] = Settings.from_env(env).oidc_providers

    assert (facebook.name, facebook.client_id, facebook.client_secret) == ("facebook", "123", "fb-secret")
    assert facebook.userinfo_endpoint == "https://graph.facebook.com/me?fields=id"


@pytest.mark.parametrize("config", [
    '[{"name": "Bad Name", "client_id": "1", "client_secret_env": "S", "issuer": "https://id.example"}]',
    '[{"name": "google", "client_id": "1", "client_secret_env": "UNSET", "issuer": "https://id.example"}]',
    '[{"name": "google", "client_id": "1", "client_secret_env": "S"}]',
])
def test_a_provider_without_a_proper_name_secret_or_endpoints_stops_the_start(config):
    with pytest.raises(ValueError, match="CITYDESK_OIDC_PROVIDERS"):
        Settings.from_env({"CITYDESK_SECRET": "s", "S": "x", "CITYDESK_OIDC_PROVIDERS": config})
