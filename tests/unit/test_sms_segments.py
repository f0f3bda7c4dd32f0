"""Counting SMS segments the way providers bill them: GSM-7 160/153, UCS-2 70/67."""

import pytest

from chalicelib.domain.sms import is_gsm, segments


@pytest.mark.parametrize("length, count", [(0, 0), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_a_latin_text_takes_160_places_alone_and_153_a_part(length, count):
    assert segments("a" * length) == count


@pytest.mark.parametrize("length, count", [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_a_cyrillic_letter_makes_the_whole_text_ucs_2_with_70_and_67(length, count):
    assert segments("я" + "a" * (length - 1)) == count


def test_the_extension_characters_take_two_places_each():
    assert is_gsm("{€}") and segments("€" * 80) == 1 and segments("€" * 81) == 2


def test_an_escaped_character_is_never_split_between_two_parts():
    # 152 places, then "€" would need 153 and 154: it opens the second part.
    assert segments("a" * 152 + "€" + "a" * 152) == 3


def test_the_number_sign_and_the_ellipsis_are_not_gsm_7():
    assert not is_gsm("№") and not is_gsm("…") and is_gsm("No. 12, 'quoted' ...")


def test_an_emoji_takes_two_units_of_ucs_2():
    assert segments("🙂" * 35) == 1 and segments("🙂" * 36) == 2
