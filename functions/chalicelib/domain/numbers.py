"""Ticket numbers: a sequence number plus a Damm check digit.

Damm catches every single wrong digit and every swap of two neighbours, the two
mistakes people make reading a number out on the phone.
"""

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

# The first ticket gets sequence FIRST so every number has at least six digits.
FIRST = 10000


def check_digit(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return interim


def ticket_number(sequence: int) -> str:
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    body = str(FIRST + sequence - 1)
    return body + str(check_digit(body))


def is_valid_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) >= 6 and check_digit(text) == 0


def normalise_number(text: str) -> str:
    """Strip the spaces and dashes people type in a number read from an SMS."""
    return "".join(ch for ch in text if ch not in " -")
