from hypothesis import given, strategies as st

from chalicelib.domain.numbers import FIRST, check_digit, is_valid_number, normalise_number, ticket_number


def test_numbers_start_at_six_digits_and_end_in_their_check_digit():
    first = ticket_number(1)
    assert first == str(FIRST) + str(check_digit(str(FIRST)))
    assert len(first) == 6 and is_valid_number(first)


@given(st.integers(min_value=1, max_value=10**9))
def test_every_issued_number_is_valid_and_distinct_from_its_neighbour(sequence):
    number = ticket_number(sequence)
    assert is_valid_number(number)
    assert ticket_number(sequence + 1) != number


@given(st.integers(min_value=1, max_value=10**9), st.data())
def test_one_misheard_digit_is_always_caught(sequence, data):
    number = ticket_number(sequence)
    i = data.draw(st.integers(min_value=0, max_value=len(number) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[i]]))
    assert not is_valid_number(number[:i] + wrong + number[i + 1:])


@given(st.integers(min_value=1, max_value=10**9), st.data())
def test_two_swapped_neighbours_are_always_caught(sequence, data):
    number = ticket_number(sequence)
    i = data.draw(st.integers(min_value=0, max_value=len(number) - 2))
    if number[i] != number[i + 1]:
        swapped = number[:i] + number[i + 1] + number[i] + number[i + 2:]
        assert not is_valid_number(swapped)


def test_numbers_typed_with_spaces_and_dashes_are_read_as_digits():
    assert normalise_number("100 00-9") == "100009"
    assert not is_valid_number("١٠٠٠٠٩")  # non-ASCII digits are not ticket numbers
    assert not is_valid_number("12")
