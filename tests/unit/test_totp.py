"""TOTP (RFC 6238): the codes an authenticator app shows, checked against the RFC's own test vectors."""

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain import totp

# RFC 6238, appendix B: the SHA-1 seed "12345678901234567890" (ASCII), in base32.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


@pytest.mark.parametrize("seconds, code", RFC_VECTORS)
def test_the_eight_digit_codes_are_the_rfc_6238_test_vectors(seconds, code):
    assert totp.code_at(RFC_SECRET, at(seconds), digits=8) == code


@pytest.mark.parametrize("seconds, code", RFC_VECTORS)
def test_the_six_digit_code_is_the_last_six_digits_of_the_rfc_vector(seconds, code):
    assert totp.code_at(RFC_SECRET, at(seconds)) == code[-6:]


def test_the_code_of_the_current_step_is_accepted():
    assert totp.verify(RFC_SECRET, "005924", at(1234567890))


@pytest.mark.parametrize("drift", [-30, 30])
def test_a_code_one_step_early_or_late_is_accepted(drift):
    now = at(1234567890)
    assert totp.verify(RFC_SECRET, totp.code_at(RFC_SECRET, now + timedelta(seconds=drift)), now)


@pytest.mark.parametrize("drift", [-60, 60])
def test_a_code_two_steps_away_is_refused(drift):
    now = at(1234567890)
    code = totp.code_at(RFC_SECRET, now + timedelta(seconds=drift))
    assert code != totp.code_at(RFC_SECRET, now)
    assert not totp.verify(RFC_SECRET, code, now)


@pytest.mark.parametrize("code", ["", "00592", "0059244", "00592a", "００５９２４", None, 5924])
def test_anything_but_six_ascii_digits_is_refused(code):
    assert not totp.verify(RFC_SECRET, code, at(1234567890))


def test_a_new_secret_is_32_base32_characters_and_differs_every_time():
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert totp.is_secret(first) and len(first) == 32 and first.isupper()


@pytest.mark.parametrize("value", ["", "GEZDGNBV", RFC_SECRET + "A", "1" * 32, None, 42])
def test_a_value_no_new_secret_could_be_is_not_a_secret(value):
    assert not totp.is_secret(value)


def test_the_provisioning_uri_names_the_issuer_the_account_and_the_parameters():
    uri = urlsplit(totp.provisioning_uri(RFC_SECRET, "o.kovalenko", "citydesk"))
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/citydesk%3Ao.kovalenko")
    assert parse_qs(uri.query) == {"secret": [RFC_SECRET], "issuer": ["citydesk"], "algorithm": ["SHA1"],
                                   "digits": ["6"], "period": ["30"]}
