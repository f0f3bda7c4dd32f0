"""Staff sign-in and sign-out, the signed-in member's own account (password, TOTP),
and the admins' list of staff accounts (notes/admin-api.md)."""

from ..domain.staff import StaffMember
from ..services import answers, permissions, staff
from .http import STAFF_COOKIE, ApiBlueprint, answer, cleared_staff_cookie, staff_cookie

blueprint = ApiBlueprint(__name__)


@blueprint.endpoint("/api/admin/login", methods=["POST"])
def login(call):
    body = call.body()
    member, token = staff.login(call.deps, body.get("username"), body.get("password"), body.get("totp"),
                                call.client_id)
    return answer({"staff": _me(member)}, headers={"Set-Cookie": staff_cookie(token)})


@blueprint.endpoint("/api/admin/logout", methods=["POST"])
def logout(call):
    staff.logout(call.deps, call.cookie(STAFF_COOKIE))
    return answer("", status=204, headers={"Set-Cookie": cleared_staff_cookie()})


@blueprint.endpoint("/api/admin/me", methods=["GET"])
def me(call):
    return _me(call.staff())


@blueprint.endpoint("/api/admin/me/password", methods=["POST"])
def change_password(call):
    member = call.staff()
    body = call.body()
    token = staff.change_password(call.deps, member, body.get("current"), body.get("new"))
    # Every session of the account ended with the old password; this one goes on in a new one.
    return answer("", status=204, headers={"Set-Cookie": staff_cookie(token)})


@blueprint.endpoint("/api/admin/me/totp", methods=["POST"])
def start_totp(call):
    member = call.staff()
    call.nothing_asked()
    secret, uri = staff.start_totp(member)
    return {"secret": secret, "uri": uri}


@blueprint.endpoint("/api/admin/me/totp/confirm", methods=["POST"])
def confirm_totp(call):
    member = call.staff()
    body = call.body()
    return _me(staff.confirm_totp(call.deps, member, body.get("secret"), body.get("code")))


@blueprint.endpoint("/api/admin/me/totp/off", methods=["POST"])
def totp_off(call):
    member = call.staff()
    return _me(staff.totp_off(call.deps, member, call.body().get("code")))


@blueprint.endpoint("/api/admin/staff", methods=["GET"])
def accounts(call):
    return {"staff": [_account(call, member) for member in staff.accounts(call.deps, call.staff())]}


@blueprint.endpoint("/api/admin/staff", methods=["POST"])
def add_account(call):
    admin = call.staff()
    member, password = staff.add_account(call.deps, admin, call.body())
    return answer({**_account(call, member), "password": password}, status=201)


@blueprint.endpoint("/api/admin/staff/{staff_id}", methods=["PATCH"])
def change_account(call, staff_id):
    admin = call.staff()
    member, password = staff.change_account(call.deps, admin, staff_id, call.body())
    return {**_account(call, member), **({"password": password} if password else {})}


def _me(member: StaffMember) -> dict:
    return {"id": member.id, "username": member.username, "name": member.name, "role": member.role,
            "organisation": member.organisation, "totp": bool(member.totp_secret),
            "may": sorted(permissions.MAY[member.role])}


def _account(call, member: StaffMember) -> dict:
    locked = member.is_locked(call.deps.clock.now())
    return {"id": member.id, "username": member.username, "name": member.name, "role": member.role,
            "organisation": member.organisation, "active": member.active, "totp": bool(member.totp_secret),
            "locked_until": answers.utc(member.locked_until) if locked else None, "version": member.version}
