"""Staff sign-in, sessions and accounts.

A staff session ends after `IDLE` without a request: each request that finds
less than `IDLE - TOUCH_EVERY` left moves its end on (so a busy operator's
session is written about every few minutes, not on every request). However
busy, it ends `LONGEST` after the sign-in.

A sign-in counts the try on the account before it compares the password, with a
write conditional on the account's version: however many guesses arrive at
once, no more than `LOCK_AFTER` in a row are ever compared before the lock. Only
an argon2id hash of a password is kept, and neither it nor a password is logged.
"""

import logging
import re
import secrets
import uuid
from dataclasses import replace
from datetime import timedelta
from functools import lru_cache

from ..domain import fields, totp
from ..domain.errors import (
    AlreadyExists, Forbidden, InvalidInput, NotFound, StaleVersion, TooManyRequests, Unauthenticated,
)
from ..domain.staff import LOCK_AFTER, LOCK_MINUTES, ROLES, StaffMember
from . import auth, limits, permissions

log = logging.getLogger(__name__)

IDLE = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=5)
LONGEST = timedelta(days=7)
KIND = "staff"

# argon2id at OWASP's lowest recommended cost: 19 MiB, 2 passes, 1 lane. About
# 70 ms on one full core; a 256 MB Lambda gets a seventh of a vCPU, so about
# 0.5 s per sign-in there, and the 19 MiB fit its memory with room to spare.
# Tests lower it (tests/conftest.py, cheap_password_hashes); a hash keeps its own parameters, and
# a sign-in rehashes one made at another cost.
HASH_COST = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
USERNAME = re.compile(r"[a-z0-9._-]{3,}")  # and at most MAX_USERNAME
MAX_USERNAME = 40
MIN_PASSWORD = 12
MAX_PASSWORD = 200
MAX_NAME = 100
# A contact centre's whole shift may sign in from one office address at 8:00,
# some of them twice (a typo, the TOTP step): this is for a password sprayer.
LOGINS_PER_CLIENT_PER_HOUR = 120
# How the account is named in the member's authenticator app.
ISSUER = "citydesk"


def login(deps, raw_username, raw_password, raw_code, client_id: str) -> tuple:
    """(staff member, session token) for the right username, password and, if the
    account has TOTP on, code. An unknown username costs a hash comparison like a
    wrong password and is answered the same."""
    username = fields.text(raw_username, "username", required=True, limit=MAX_USERNAME).lower()
    password = _password_given(raw_password, "password")
    limits.count_within_limit(deps, f"staff-logins-by-client:{client_id}", LOGINS_PER_CLIENT_PER_HOUR,
                              deps.clock.now(), "too_many_logins")
    member = deps.storage.staff.by_username(username)
    if member is None or not member.active:
        _password_matches(_dummy_hash(tuple(HASH_COST.items())), password)
        log.info("staff sign-in refused: no such active account")
        raise Unauthenticated("wrong_login")
    member = _count_try(deps, member)
    if not _password_matches(member.password_hash, password):
        _refuse(deps, member, Unauthenticated("wrong_login"))
    step = member.totp_step
    if member.totp_secret:
        code = _code(raw_code)
        if not code:
            raise Unauthenticated("totp_required")
        step = totp.matching_step(member.totp_secret, code, deps.clock.now())
        # A code seen already is refused: one looked at over a shoulder signs nobody in.
        if step is None or step <= member.totp_step:
            _refuse(deps, member, Unauthenticated("wrong_totp"))
    rehashed = hash_password(password) if _hasher().check_needs_rehash(member.password_hash) else None
    member = _update(deps, member, lambda m: replace(
        m, failed_logins=0, locked_until=None, password_hash=rehashed or m.password_hash,
        totp_step=max(step, m.totp_step)))
    return member, open_session(deps, member)


def open_session(deps, member: StaffMember) -> str:
    """A new staff session; its token, for the staff cookie."""
    token = auth.start_session(deps, member.id, KIND, IDLE)
    log.info("staff %s signed in", member.id)
    return token


def current(deps, token: str) -> StaffMember:
    """The signed-in, active staff member of a live staff session (a resident's
    session is none); Unauthenticated otherwise. Moves the idle end on."""
    session = auth.live_session(deps, token, KIND)
    member = deps.storage.staff.get(session.user_id)
    if member is None or not member.active or (
            member.sessions_after is not None and session.created_at < member.sessions_after):
        raise Unauthenticated("session_expired")
    now = deps.clock.now()
    if now >= session.created_at + LONGEST:
        raise Unauthenticated("session_expired")
    if session.expires_at - now < IDLE - TOUCH_EVERY:
        deps.storage.sessions.put(replace(session, expires_at=min(now + IDLE, session.created_at + LONGEST)))
    return member


def logout(deps, token: str) -> None:
    auth.logout(deps, token)


def change_password(deps, member: StaffMember, raw_current, raw_new) -> str:
    """The signed-in member sets a new password, proving the current one (a try
    counted like a sign-in's: a stolen session does not guess it either). Every
    session of the account ends; the token of a new one for the caller."""
    current_password = _password_given(raw_current, "current")
    new = check_password(raw_new, "new")
    member = _count_try(deps, member)
    if not _password_matches(member.password_hash, current_password):
        _refuse(deps, member, InvalidInput("wrong_password", field="current"))
    new_hash = hash_password(new)
    now = deps.clock.now()
    member = _update(deps, member, lambda m: replace(m, password_hash=new_hash, failed_logins=0, locked_until=None,
                                                     sessions_after=now))
    log.info("staff %s changed their password", member.id)
    return open_session(deps, member)


def start_totp(member: StaffMember) -> tuple:
    """(a new TOTP secret, its otpauth:// URI) for the member's authenticator app;
    nothing changes until `confirm_totp` proves the app has it."""
    if member.totp_secret:
        raise AlreadyExists("totp_on_already")
    secret = totp.new_secret()
    return secret, totp.provisioning_uri(secret, member.username, ISSUER)


def confirm_totp(deps, member: StaffMember, raw_secret, raw_code) -> StaffMember:
    """TOTP on with `secret`, given a code the authenticator app shows for it."""
    if not totp.is_secret(raw_secret):
        raise InvalidInput("bad_totp_secret", field="secret")
    if not totp.verify(raw_secret, _code(raw_code), deps.clock.now()):
        raise InvalidInput("wrong_totp", field="code")

    def turn_on(fresh):
        if fresh.totp_secret:
            raise AlreadyExists("totp_on_already")
        return replace(fresh, totp_secret=raw_secret.upper())

    member = _update(deps, member, turn_on)
    log.info("staff %s turned TOTP on", member.id)
    return member


def totp_off(deps, member: StaffMember, raw_code) -> StaffMember:
    """TOTP off, given a current code (a try counted like a sign-in's)."""
    if not member.totp_secret:
        return member
    member = _count_try(deps, member)
    if not totp.verify(member.totp_secret, _code(raw_code), deps.clock.now()):
        _refuse(deps, member, InvalidInput("wrong_totp", field="code"))
    member = _update(deps, member, lambda m: replace(m, totp_secret="", failed_logins=0, locked_until=None))
    log.info("staff %s turned TOTP off", member.id)
    return member


def accounts(deps, admin: StaffMember) -> list:
    permissions.check(admin.actor, "manage_staff")
    return deps.storage.staff.all()


def add_account(deps, admin: StaffMember, body: dict) -> tuple:
    """An admin makes an account: (it, its password: the one given or a generated one)."""
    permissions.check(admin.actor, "manage_staff")
    member, password = create(deps, body.get("username"), body.get("name"), body.get("role"),
                              body.get("organisation"), body.get("password"))
    log.info("staff %s created by %s", member.id, admin.id)
    return member, password


def create(deps, raw_username, raw_name, raw_role, raw_organisation=None, raw_password=None) -> tuple:
    """(a new account, its password: the one given or a generated one), for a
    caller already trusted (an admin's request, the command line, the demo seed)."""
    username = check_username(raw_username)
    name = fields.text(raw_name, "name", required=True, limit=MAX_NAME)
    role = _role(raw_role)
    organisation = _organisation(deps, role, raw_organisation)
    password = new_password() if raw_password is None else check_password(raw_password, "password")
    member = StaffMember(id=uuid.uuid4().hex, username=username, role=role, name=name,
                         password_hash=hash_password(password), created_at=deps.clock.now(),
                         organisation=organisation)
    try:
        deps.storage.staff.create(member)
    except AlreadyExists:
        raise AlreadyExists("username_taken", field="username") from None
    log.info("staff %s created as %s", member.id, role)
    return member, password


def change_account(deps, admin: StaffMember, staff_id: str, body: dict) -> tuple:
    """An admin changes an account at the version they saw: (it, its new password
    if they reset it, else None). An admin cannot switch off or demote themselves,
    so the city always keeps one admin; nor reset their own password or turn their
    own TOTP off here, where their own routes ask for the current password or a
    current code: a stolen session would take the account for good."""
    permissions.check(admin.actor, "manage_staff")
    version = body.get("version")
    if version is None:
        raise InvalidInput("required", field="version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidInput("must_be_positive_whole_number", field="version")
    member = deps.storage.staff.get(staff_id)
    if member is None:
        raise NotFound("staff_not_found")
    if version != member.version:
        raise StaleVersion("account_changed")
    role = _role(body["role"]) if "role" in body else member.role
    organisation = _organisation(deps, role, body["organisation"] if "organisation" in body
                                 else member.organisation if role == "executor" else None)
    changed = replace(member, role=role, organisation=organisation, version=member.version + 1,
                      name=fields.text(body["name"], "name", required=True, limit=MAX_NAME) if "name" in body
                      else member.name,
                      active=_flag(body, "active", member.active))
    if member.id == admin.id and (changed.role != "admin" or not changed.active):
        raise Forbidden("own_account")
    if member.id == admin.id and (_flag(body, "reset_password", False) or _flag(body, "totp_off", False)):
        raise Forbidden("own_secrets")
    password = None
    if member.active and not changed.active:
        changed = replace(changed, sessions_after=deps.clock.now())
    if _flag(body, "reset_password", False):
        password = new_password()
        changed = replace(changed, password_hash=hash_password(password), failed_logins=0, locked_until=None,
                          sessions_after=deps.clock.now())
    if _flag(body, "unlock", False):
        changed = replace(changed, failed_logins=0, locked_until=None)
    if _flag(body, "totp_off", False):
        changed = replace(changed, totp_secret="")
    try:
        deps.storage.staff.update(changed, version)
    except StaleVersion:
        raise StaleVersion("account_changed") from None
    log.info("staff %s changed by %s", member.id, admin.id)
    return changed, password


def check_username(raw) -> str:
    username = fields.text(raw, "username", required=True, limit=MAX_USERNAME).lower()
    if not USERNAME.fullmatch(username):
        raise InvalidInput("bad_username", field="username")
    return username


def check_password(raw, field: str) -> str:
    """A password to set: 12 to 200 characters, kept as typed (spaces too)."""
    password = _password_given(raw, field)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("too_short", field=field, limit=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise InvalidInput("too_long", field=field, limit=MAX_PASSWORD)
    return password


def new_password() -> str:
    """20 URL-safe characters: 120 random bits."""
    return secrets.token_urlsafe(15)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _password_given(raw, field: str) -> str:
    if raw is None or raw == "":
        raise InvalidInput("required", field=field)
    if not isinstance(raw, str):
        raise InvalidInput("must_be_text", field=field)
    return raw


def _password_matches(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _hasher():
    # Imported here: the Lambda's cold start loads it only for the calls that hash.
    from argon2 import PasswordHasher

    return PasswordHasher(**HASH_COST)


@lru_cache(maxsize=1)
def _dummy_hash(cost: tuple) -> str:
    """A hash at the current cost that no password was given for: what an
    unknown username's password is compared with, to take as long as a known one's."""
    return hash_password(secrets.token_urlsafe(16))


def _count_try(deps, member: StaffMember) -> StaffMember:
    """The account with one more try counted, locked if it is the LOCK_AFTER-th in
    a row; TooManyRequests `account_locked` if it is locked already."""
    now = deps.clock.now()

    def count(fresh):
        if fresh.is_locked(now):
            raise _locked(deps, fresh)
        tries = fresh.failed_logins + 1
        if tries >= LOCK_AFTER:
            return replace(fresh, failed_logins=0, locked_until=now + timedelta(minutes=LOCK_MINUTES))
        return replace(fresh, failed_logins=tries)

    return _update(deps, member, count)


def _refuse(deps, member: StaffMember, error) -> None:
    """Raise `error` for a counted try that failed, or `account_locked` if it was the one that locked."""
    log.info("staff %s: a wrong %s", member.id, "TOTP code" if error.message_id == "wrong_totp" else "password")
    if member.is_locked(deps.clock.now()):
        log.warning("staff %s locked after %d wrong tries", member.id, LOCK_AFTER)
        raise _locked(deps, member)
    raise error


def _locked(deps, member: StaffMember) -> TooManyRequests:
    return TooManyRequests("account_locked", retry_after=limits.seconds_until(member.locked_until, deps.clock.now()),
                           after=member.locked_until.astimezone(deps.city.zone).strftime("%H:%M"))


def _update(deps, member: StaffMember, change) -> StaffMember:
    """Store change(account) with its version moved on; after a concurrent write,
    the change is made again to the account as it is now. The stored account."""
    while True:
        changed = replace(change(member), version=member.version + 1)
        try:
            deps.storage.staff.update(changed, member.version)
            return changed
        except StaleVersion:
            # Another write won (each loss is someone else's progress, so this ends).
            member = deps.storage.staff.get(member.id)


def _role(raw) -> str:
    if raw is None or raw == "":
        raise InvalidInput("required", field="role")
    if raw not in ROLES:
        raise InvalidInput("unknown_role", field="role")
    return raw


def _organisation(deps, role: str, raw) -> str | None:
    """An executor's organisation code (an executor organisation); None for the other roles."""
    if role != "executor":
        if raw not in (None, ""):
            raise InvalidInput("organisation_only_for_executors", field="organisation")
        return None
    if raw is None or raw == "":
        raise InvalidInput("required", field="organisation")
    if not any(o.code == raw and o.kind == "executor" for o in deps.storage.directory.organisations()):
        raise InvalidInput("not_an_executor", field="organisation")
    return raw


def _flag(body: dict, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise InvalidInput("must_be_true_or_false", field=name)
    return value


def _code(raw) -> str:
    # Authenticator apps show the code in two halves: "123 456".
    return raw.replace(" ", "").strip() if isinstance(raw, str) else ""
