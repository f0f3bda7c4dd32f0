"""Resident sign-in by phone, sign-out, and the signed-in resident's account."""

from ..services import account, answers, auth
from .http import ApiBlueprint, answer, cleared_cookie, session_cookie

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/auth/phone", methods=["POST"])
def request_code(call):
    phone, expires_at = auth.request_code(call.deps, call.body().get("phone"), call.client_id, call.lang)
    return {"phone": phone, "expires_at": answers.utc(expires_at)}


@blueprint.endpoint("/api/auth/phone/verify", methods=["POST"])
def verify_code(call):
    body = call.body()
    resident, token = auth.verify_code(call.deps, body.get("phone"), body.get("code"), call.lang)
    return answer({"resident": answers.me(resident)},
                  headers={"Set-Cookie": session_cookie(token, call.deps.settings)})


@blueprint.endpoint("/api/auth/logout", methods=["POST"])
def logout(call):
    auth.logout(call.deps, call.token)
    return answer("", status=204, headers={"Set-Cookie": cleared_cookie(call.deps.settings)})


@blueprint.endpoint("/api/me", methods=["GET"])
def me(call):
    return answers.me(call.resident())


@blueprint.endpoint("/api/me", methods=["PATCH"])
def change_me(call):
    resident = call.resident()
    return answers.me(account.set_language(call.deps, resident, call.body().get("language")))
