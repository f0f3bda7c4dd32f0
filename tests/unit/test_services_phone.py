"""Phone numbers as people type them, to E.164, and the ones refused."""

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.services.phone import normalise

UKRAINE = (380,)


@pytest.mark.parametrize("typed", [
    "050 123 45 67", "0501234567", "(050) 123-45-67", "+380501234567", "+38 050 123 4567", "380501234567",
    " +380 50 123 45 67 ",
])
def test_the_ways_people_type_a_ukrainian_mobile_all_give_one_number(typed):
    assert normalise(typed, UKRAINE) == "+380501234567"


@pytest.mark.parametrize("typed, expected", [("067 555 01 23", "+380675550123"), ("093 000 11 22", "+380930001122")])
def test_other_operators_are_mobiles_too(typed, expected):
    assert normalise(typed, UKRAINE) == expected


@pytest.mark.parametrize("typed, message_id", [
    ("", "bad_phone"),
    ("   ", "bad_phone"),
    ("12", "bad_phone"),
    ("phone", "bad_phone"),
    ("050 123 45", "bad_phone"),
    ("+380 12 345 67 89", "bad_phone"),
    ("1" * 33, "bad_phone"),
    ("056 745 15 80", "not_mobile_phone"),
    ("+48 601 234 567", "phone_country_not_allowed"),
    ("+1 202 555 0143", "phone_country_not_allowed"),
    (380501234567, "bad_phone"),
    (None, "bad_phone"),
    (["050 123 45 67"], "bad_phone"),
])
def test_what_is_no_reachable_allowed_mobile_is_refused_with_a_reason(typed, message_id):
    with pytest.raises(InvalidInput) as refused:
        normalise(typed, UKRAINE)
    assert refused.value.message_id == message_id and refused.value.field == "phone"


def test_a_city_may_allow_more_countries_and_reads_national_numbers_in_the_first():
    assert normalise("+48 601 234 567", (380, 48)) == "+48601234567"
    assert normalise("601 234 567", (48, 380)) == "+48601234567"


def test_the_refusal_names_the_allowed_codes():
    with pytest.raises(InvalidInput) as refused:
        normalise("+48 601 234 567", (380, 373))
    assert refused.value.params["allowed"] == "+380, +373"
