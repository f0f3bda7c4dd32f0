"""Phone numbers as people type them, normalised to E.164."""

from ..domain.errors import InvalidInput

# Longer input is not a phone number, whatever it is; phonenumbers need not parse it.
MAX_INPUT = 32


def normalise(raw, allowed_country_codes) -> str:
    """'050 123 45 67', '+38 (050) 123-45-67' -> '+380501234567'.

    National input is read in the region of the first allowed country code. A
    number SMS cannot reach (a landline) is refused like a malformed one.
    """
    # phonenumbers (with its metadata) is imported on first use, not at cold start.
    import phonenumbers
    from phonenumbers import PhoneNumberType

    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_INPUT:
        raise InvalidInput("bad_phone", field="phone")
    region = phonenumbers.region_code_for_country_code(allowed_country_codes[0])
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput("bad_phone", field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("bad_phone", field="phone")
    if number.country_code not in allowed_country_codes:
        allowed = ", ".join(f"+{code}" for code in allowed_country_codes)
        raise InvalidInput("phone_country_not_allowed", field="phone", allowed=allowed)
    if phonenumbers.number_type(number) not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise InvalidInput("not_mobile_phone", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
