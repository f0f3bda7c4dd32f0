"""Resident sign-in by phone: a 6-digit code by SMS, then a session.

Only keyed hashes (HMAC-SHA256 with the settings' secret) of codes and session
tokens are stored, so a copy of the database signs nobody in.
"""

import hashlib
import hmac
import logging
import secrets
import uuid
from datetime import datetime, timedelta

from ..domain.errors import AlreadyExists, DomainError, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from ..domain.resident import Resident, mask_phone
from ..domain.session import Session, SignInCode
from . import phone as phones
from . import sms_texts
from .ports import SmsError

log = logging.getLogger(__name__)

CODE_DIGITS = 6
# Longer cookie values are not tokens this service made; they are not worth hashing.
MAX_TOKEN = 100


class SmsUnavailable(DomainError):
    """The SMS provider failed; the caller may try again in a while (503)."""

    code = "sms_unavailable"


def request_code(deps, raw_phone, client_id: str, lang: str) -> tuple:
    """Send a fresh code to the phone, replacing any earlier one; the phone in
    E.164 and when the code expires."""
    phone = phones.normalise(raw_phone, deps.city.allowed_country_codes)
    settings = deps.settings
    now = deps.clock.now()
    _count_within_limit(deps, f"codes-by-client:{client_id}", settings.codes_per_client_per_hour, now)
    _count_within_limit(deps, f"codes-by-phone:{phone}", settings.codes_per_phone_per_hour, now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    expires_at = now + timedelta(minutes=settings.code_ttl_minutes)
    deps.storage.codes.put(SignInCode(phone=phone, code_hash=_code_hash(settings.secret, phone, code),
                                      created_at=now, expires_at=expires_at))
    try:
        deps.sms.send(phone, sms_texts.sign_in_code(lang, code, settings.code_ttl_minutes))
    except SmsError:
        log.warning("sign-in code to %s not sent", mask_phone(phone))
        raise SmsUnavailable("sms_unavailable") from None
    log.info("sign-in code sent to %s", mask_phone(phone))
    return phone, expires_at


def verify_code(deps, raw_phone, raw_code, lang: str) -> tuple:
    """(resident, session token) for the phone's current code; the account is made
    on the first sign-in, in `lang`.

    Every attempt uses up one of the code's tries before the comparison, so no
    number of parallel guesses gets more than `wrong_tries_per_code` of them.
    """
    phone = phones.normalise(raw_phone, deps.city.allowed_country_codes)
    code = raw_code.strip() if isinstance(raw_code, str) else ""
    if len(code) != CODE_DIGITS or not (code.isascii() and code.isdigit()):
        raise InvalidInput("bad_code", field="code")
    settings = deps.settings
    codes = deps.storage.codes
    now = deps.clock.now()
    stored = codes.get(phone)
    if stored is None or stored.expires_at <= now:
        raise Unauthenticated("code_expired")
    limit = settings.wrong_tries_per_code
    try:
        tries = codes.count_wrong_try(phone, stored.code_hash)
    except NotFound:
        raise Unauthenticated("code_expired") from None
    if tries > limit:
        raise TooManyRequests("too_many_wrong_codes")
    if not hmac.compare_digest(stored.code_hash, _code_hash(settings.secret, phone, code)):
        if tries == limit:
            raise TooManyRequests("too_many_wrong_codes")
        raise Unauthenticated("wrong_code", tries_left=limit - tries)
    if not codes.delete(phone, stored.code_hash):
        # Another verification of this code won the race.
        raise Unauthenticated("code_expired")
    resident = _resident_for(deps, phone, lang, now)
    token = secrets.token_urlsafe(32)
    deps.storage.sessions.put(Session(
        token_hash=_token_hash(settings.secret, token), user_id=resident.id, kind="resident",
        created_at=now, expires_at=now + timedelta(days=settings.session_days)))
    log.info("resident %s signed in", resident.id)
    return resident, token


def current_resident(deps, token: str) -> Resident:
    if not token:
        raise Unauthenticated("sign_in_required")
    session = deps.storage.sessions.get(_token_hash(deps.settings.secret, token)) if len(token) <= MAX_TOKEN else None
    if session is None or session.kind != "resident" or session.expires_at <= deps.clock.now():
        raise Unauthenticated("session_expired")
    resident = deps.storage.users.get(session.user_id)
    if resident is None:
        raise Unauthenticated("session_expired")
    return resident


def logout(deps, token: str) -> None:
    if token and len(token) <= MAX_TOKEN:
        deps.storage.sessions.delete(_token_hash(deps.settings.secret, token))


def _resident_for(deps, phone: str, lang: str, now: datetime) -> Resident:
    users = deps.storage.users
    resident = users.by_phone(phone)
    if resident is not None:
        return resident
    resident = Resident(id=uuid.uuid4().hex, phone=phone, language=lang, created_at=now)
    try:
        users.create(resident)
    except AlreadyExists:
        # The same phone signed up from another device at the same moment.
        return users.by_phone(phone)
    log.info("resident %s created for %s", resident.id, mask_phone(phone))
    return resident


def _count_within_limit(deps, key: str, limit: int, now: datetime) -> None:
    """Count one more request in the current clock hour; TooManyRequests beyond `limit`."""
    window_end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if deps.storage.counters.increment(key, window_end) > limit:
        raise TooManyRequests("too_many_codes", after=window_end.astimezone(deps.city.zone).strftime("%H:%M"))


def _code_hash(secret: str, phone: str, code: str) -> str:
    return _keyed_hash(secret, "code", phone, code)


def _token_hash(secret: str, token: str) -> str:
    return _keyed_hash(secret, "session", token)


def _keyed_hash(secret: str, *parts: str) -> str:
    # The purpose goes in first, so a code's hash can never pass for a session's.
    return hmac.new(secret.encode(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
