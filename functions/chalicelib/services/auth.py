"""Resident sign-in: by phone (a 6-digit code by SMS), by e-mail (a link), or by a
provider (services.oidc); then a session.

Each way proves an identity (domain.resident). An identity nobody holds makes a new
account, unless the caller is signed in already: then it is linked to their account,
and an identity another account holds is refused (no silent merge).

Only keyed hashes (HMAC-SHA256 with the settings' secret) of codes, link tokens and
session tokens are stored, so a copy of the database signs nobody in.
"""

import hashlib
import hmac
import logging
import re
import secrets
import uuid
from datetime import timedelta

from ..domain.errors import AlreadyExists, DomainError, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from ..domain.resident import EMAIL, PHONE, Resident, mask_email, mask_identity, mask_phone
from ..domain.session import Session, SignInCode, SignInLink
from . import email_texts, limits, sms_texts
from . import phone as phones
from .ports import EmailError, SmsError

log = logging.getLogger(__name__)

CODE_DIGITS = 6
# Longer cookie values are not tokens this service made; they are not worth hashing.
MAX_TOKEN = 100
# RFC 5321's limit on a path; an address needs one "@" and a dot in its domain, the
# mail server decides the rest (the link reaches only a working address).
MAX_EMAIL = 254
EMAIL_FORM = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


class SmsUnavailable(DomainError):
    """The SMS provider failed; the caller may try again in a while (503)."""

    code = "sms_unavailable"


def request_code(deps, raw_phone, client_id: str, lang: str) -> tuple:
    """Send a fresh code to the phone, replacing any earlier one; the phone in
    E.164 and when the code expires."""
    phone = phones.normalise(raw_phone, deps.city.allowed_country_codes)
    settings = deps.settings
    now = deps.clock.now()
    limits.count_within_limit(deps, f"codes-by-client:{client_id}", settings.codes_per_client_per_hour, now,
                              "too_many_codes")
    limits.count_within_limit(deps, f"codes-by-phone:{phone}", settings.codes_per_phone_per_hour, now,
                              "too_many_codes")
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


class EmailUnavailable(DomainError):
    """The e-mail provider failed; the caller may try again in a while (503)."""

    code = "email_unavailable"


def request_email_link(deps, raw_email, client_id: str, lang: str) -> tuple:
    """E-mail a single-use sign-in link to the address; the address as read and when
    the link expires.

    The link opens a page of the site, which posts the token: a mail scanner that
    fetches every link in a message signs nobody in and uses up nothing.
    """
    email = normalise_email(raw_email)
    settings = deps.settings
    now = deps.clock.now()
    limits.count_within_limit(deps, f"links-by-client:{client_id}", settings.codes_per_client_per_hour, now,
                        "too_many_links")
    limits.count_within_limit(deps, f"links-by-email:{email}", settings.links_per_email_per_hour, now, "too_many_links")
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(minutes=settings.link_ttl_minutes)
    deps.storage.links.put(SignInLink(token_hash=keyed_hash(settings.secret, "link", token), email=email,
                                      lang=lang, created_at=now, expires_at=expires_at))
    url = f"{settings.site_url}/{lang}/signin-email.html#token={token}"
    try:
        deps.email.send(email, *email_texts.sign_in_link(lang, deps.city, url, settings.link_ttl_minutes))
    except EmailError:
        log.warning("sign-in link to %s not sent", mask_email(email))
        raise EmailUnavailable("email_unavailable") from None
    log.info("sign-in link sent to %s", mask_email(email))
    return email, expires_at


def verify_email_link(deps, raw_token, session_token: str = "") -> tuple:
    """(resident, session token) for an e-mailed link's token, which it uses up;
    the address is linked to the account of `session_token` if it is a live one.
    A new account reads the language the link was asked for in."""
    token = raw_token if isinstance(raw_token, str) and 0 < len(raw_token) <= MAX_TOKEN else ""
    if not token:
        raise InvalidInput("bad_link", field="token")
    link = deps.storage.links.take(keyed_hash(deps.settings.secret, "link", token))
    now = deps.clock.now()
    if link is None or link.expires_at <= now:
        raise Unauthenticated("link_expired")
    resident = sign_in_or_link(deps, EMAIL, link.email, link.lang, signed_in_user_id(deps, session_token))
    return resident, open_session(deps, resident)


def normalise_email(raw) -> str:
    """' Jane.Doe@Example.ORG ' -> 'jane.doe@example.org'."""
    email = raw.strip().lower() if isinstance(raw, str) else ""
    if not email:
        raise InvalidInput("required", field="email")
    if len(email) > MAX_EMAIL or not EMAIL_FORM.fullmatch(email):
        raise InvalidInput("bad_email", field="email")
    return email


def verify_code(deps, raw_phone, raw_code, lang: str, session_token: str = "") -> tuple:
    """(resident, session token) for the phone's current code; the account is made
    on the first sign-in, in `lang`, or the phone linked to the account of
    `session_token` if it is a live one.

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
    resident = sign_in_or_link(deps, PHONE, phone, lang, signed_in_user_id(deps, session_token))
    return resident, open_session(deps, resident)


def sign_in_or_link(deps, kind: str, value: str, lang: str, link_to: str, name: str = "") -> Resident:
    """The account a proven identity signs in to: with `link_to` (the id of the
    signed-in caller), that account, the identity linked to it; else the identity's
    own, made on its first sign-in in `lang` (named `name`). AlreadyExists
    `identity_in_use` if the caller is signed in and another account holds the identity."""
    users = deps.storage.users
    if link_to:
        try:
            resident = users.link(link_to, kind, value)
        except AlreadyExists:
            raise AlreadyExists("identity_in_use") from None
        except NotFound:
            raise Unauthenticated("session_expired") from None
        log.info("resident %s linked a sign-in by %s", resident.id, kind)
        return resident
    resident = users.by_identity(kind, value)
    if resident is not None:
        return resident
    resident = Resident(id=uuid.uuid4().hex, phone=value if kind == PHONE else "", language=lang,
                        created_at=deps.clock.now(), name=name)
    try:
        users.create(resident, () if kind == PHONE else ((kind, value),))
    except AlreadyExists:
        # The same identity signed up from another device at the same moment.
        return users.by_identity(kind, value)
    log.info("resident %s created at a sign-in by %s", resident.id, kind)
    return resident


def open_session(deps, resident: Resident) -> str:
    """A new session of the resident; its token, for the cookie."""
    token = start_session(deps, resident.id, "resident", timedelta(days=deps.settings.session_days))
    log.info("resident %s signed in", resident.id)
    return token


def start_session(deps, user_id: str, kind: str, lifetime: timedelta) -> str:
    """Store a new session of this kind ("resident" or "staff"); its token."""
    now = deps.clock.now()
    token = secrets.token_urlsafe(32)
    deps.storage.sessions.put(Session(token_hash=token_hash(deps.settings.secret, token), user_id=user_id,
                                      kind=kind, created_at=now, expires_at=now + lifetime))
    return token


def live_session(deps, token: str, kind: str) -> Session:
    """The live session of this kind the token opens; Unauthenticated otherwise."""
    if not token:
        raise Unauthenticated("sign_in_required")
    session = deps.storage.sessions.get(token_hash(deps.settings.secret, token)) if len(token) <= MAX_TOKEN else None
    if session is None or session.kind != kind or session.expires_at <= deps.clock.now():
        raise Unauthenticated("session_expired")
    return session


def signed_in_user_id(deps, token: str) -> str:
    """The signed-in resident's id, or "" when the token is no live session."""
    try:
        return current_resident(deps, token).id
    except Unauthenticated:
        return ""


def linked_identities(deps, resident: Resident) -> list:
    """The ways the resident signs in, masked as an answer may show them."""
    return [{"kind": kind, "value": mask_identity(kind, value)}
            for kind, value in deps.storage.users.identities(resident.id)]


def current_resident(deps, token: str) -> Resident:
    session = live_session(deps, token, "resident")
    resident = deps.storage.users.get(session.user_id)
    # A deleted account's sessions end with it.
    if resident is None or resident.deleted:
        raise Unauthenticated("session_expired")
    return resident


def logout(deps, token: str) -> None:
    if token and len(token) <= MAX_TOKEN:
        deps.storage.sessions.delete(token_hash(deps.settings.secret, token))


def _code_hash(secret: str, phone: str, code: str) -> str:
    return keyed_hash(secret, "code", phone, code)


def token_hash(secret: str, token: str) -> str:
    return keyed_hash(secret, "session", token)


def keyed_hash(secret: str, *parts: str) -> str:
    # The purpose goes in first, so a code's hash can never pass for a session's.
    return hmac.new(secret.encode(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
