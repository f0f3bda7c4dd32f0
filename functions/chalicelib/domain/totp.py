"""Time-based one-time passwords (RFC 6238): the 6-digit codes of an authenticator app.

The parameters are the ones every authenticator app assumes when a provisioning
URI names none: HMAC-SHA-1, a 30-second step, 6 digits. A code is accepted one
step early or late, for a phone's clock that drifts and a person who types slowly.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
# 160 bits, the length RFC 4226 recommends for an HMAC-SHA-1 key: 32 base32 characters.
SECRET_BYTES = 20
SECRET_LENGTH = 32


def new_secret() -> str:
    """A fresh shared secret, base32 as authenticator apps read it."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode()


def is_secret(value) -> bool:
    """Whether `value` is a secret `new_secret` could have made."""
    return isinstance(value, str) and len(value) == SECRET_LENGTH and _key(value) is not None


def code_at(secret: str, at: datetime, digits: int = DIGITS) -> str:
    """The code an authenticator app shows at `at`."""
    return _hotp(_key(secret), int(at.timestamp()) // STEP_SECONDS, digits)


def verify(secret: str, code: str, at: datetime) -> bool:
    """Whether `code` is the code of the step of `at`, or of the step before or after it."""
    return matching_step(secret, code, at) is not None


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The step (of `at`, or one before or after) whose code `code` is; None if none.
    A caller that remembers the last step used refuses a code seen already."""
    key = _key(secret)
    if key is None or not (isinstance(code, str) and len(code) == DIGITS and code.isascii() and code.isdigit()):
        return None
    step = int(at.timestamp()) // STEP_SECONDS
    # Every step is compared, in constant time: how long it takes tells nothing about which one matched.
    matches = [(step + drift) for drift in range(-DRIFT_STEPS, DRIFT_STEPS + 1)
               if hmac.compare_digest(_hotp(key, step + drift, DIGITS), code)]
    return matches[-1] if matches else None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app adds an account from (its QR code)."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS,
                       "period": STEP_SECONDS}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"


def _key(secret: str) -> bytes | None:
    try:
        return base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    except (binascii.Error, ValueError):
        return None


def _hotp(key: bytes, counter: int, digits: int) -> str:
    """RFC 4226: the HMAC of the counter, dynamically truncated to `digits` decimal digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10 ** digits:0{digits}d}"
