"""Resident sign-in by phone, by e-mail link and with a provider the city configures,
sign-out, and the signed-in resident's account: its settings, a copy of its data,
deleting it. A signed-in resident who signs in another way links that way to their
account."""

from ..domain.errors import DomainError
from ..services import account, answers, auth, oidc, privacy
from .http import FLOW_COOKIE, ApiBlueprint, answer, cleared_cookie, flow_cookie, session_cookie

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/auth/phone", methods=["POST"])
def request_code(call):
    phone, expires_at = auth.request_code(call.deps, call.body().get("phone"), call.client_id, call.lang)
    return {"phone": phone, "expires_at": answers.utc(expires_at)}


@blueprint.endpoint("/api/auth/phone/verify", methods=["POST"])
def verify_code(call):
    body = call.body()
    resident, token = auth.verify_code(call.deps, body.get("phone"), body.get("code"), call.lang, call.token)
    return answer({"resident": _me(call, resident)},
                  headers={"Set-Cookie": session_cookie(token, call.deps.settings)})


@blueprint.endpoint("/api/auth/email", methods=["POST"])
def request_email_link(call):
    email, expires_at = auth.request_email_link(call.deps, call.body().get("email"), call.client_id, call.lang)
    return {"email": email, "expires_at": answers.utc(expires_at)}


@blueprint.endpoint("/api/auth/email/verify", methods=["POST"])
def verify_email_link(call):
    resident, token = auth.verify_email_link(call.deps, call.body().get("token"), call.token)
    return answer({"resident": _me(call, resident)},
                  headers={"Set-Cookie": session_cookie(token, call.deps.settings)})


@blueprint.endpoint("/api/auth/providers", methods=["GET"])
def sign_in_providers(call):
    return oidc.providers(call.deps)


# The two provider routes are pages the browser navigates to, not calls from a
# script: they answer with redirects, an error included (in the sign-in page's
# fragment, which the page shows in its language).
@blueprint.endpoint("/api/auth/oidc/{provider}/start", methods=["GET"])
def start_provider_sign_in(call, provider):
    settings = call.deps.settings
    try:
        url, flow = oidc.start(call.deps, provider, call.lang, call.token)
    except DomainError as error:
        return _back_to_sign_in(call, call.lang, error)
    return answer("", status=302, headers={
        "Location": url, "Set-Cookie": flow_cookie(flow, int(oidc.STATE_LIFETIME.total_seconds()), settings)})


@blueprint.endpoint("/api/auth/oidc/{provider}/callback", methods=["GET"])
def finish_provider_sign_in(call, provider):
    flow = call.cookie(FLOW_COOKIE)
    try:
        resident, token, lang = oidc.finish(call.deps, provider, call.query("code"), call.query("state"), flow)
    except DomainError as error:
        return _back_to_sign_in(call, oidc.language_of(call.deps, flow), error)
    settings = call.deps.settings
    return answer("", status=302, headers={
        "Location": f"{settings.site_url}/{lang}/cabinet.html",
        "Set-Cookie": [session_cookie(token, settings), flow_cookie("", 0, settings)]})


def _back_to_sign_in(call, lang: str, error: DomainError):
    settings = call.deps.settings
    return answer("", status=302, headers={"Location": f"{settings.site_url}/{lang}/signin.html#error={error.message_id}",
                                           "Set-Cookie": flow_cookie("", 0, settings)})


@blueprint.endpoint("/api/auth/logout", methods=["POST"])
def logout(call):
    auth.logout(call.deps, call.token)
    return answer("", status=204, headers={"Set-Cookie": cleared_cookie(call.deps.settings)})


@blueprint.endpoint("/api/me", methods=["GET"])
def me(call):
    return _me(call, call.resident())


@blueprint.endpoint("/api/me", methods=["PATCH"])
def change_me(call):
    resident = call.resident()
    return _me(call, account.change(call.deps, resident, call.body()))


def _me(call, resident) -> dict:
    return {**answers.me(resident), "identities": auth.linked_identities(call.deps, resident)}


@blueprint.endpoint("/api/me/data", methods=["GET"])
def my_data(call):
    """A download: the browser saves it as a file."""
    data = privacy.export(call.deps, call.resident())
    day = call.deps.clock.now().astimezone(call.deps.city.zone).date().isoformat()
    return answer(data, headers={"Content-Disposition": f'attachment; filename="citydesk-my-data-{day}.json"'})


@blueprint.endpoint("/api/me", methods=["DELETE"])
def delete_me(call):
    """With {"confirm": true}; a repeat from the same session is answered the same."""
    privacy.delete_account(call.deps, call.token, call.body())
    return answer("", status=204, headers={"Set-Cookie": cleared_cookie(call.deps.settings)})
