"""How many SMS segments a text takes, which is what a provider bills.

A text of GSM-7 characters only (GSM 03.38: Latin letters, digits, common signs)
fits 160 in one segment; characters of the extension table (^ { } \\ [ ] ~ | €)
take two places, an escape and the character. Any other character (Cyrillic, "№",
"…") sends the whole text as UCS-2: 70 code units in one segment. A longer text is
split, and each part loses room to the header that joins them again: 153 places a
part in GSM-7, 67 in UCS-2. A part never ends between an escape and its character,
nor between the halves of a surrogate pair, so the parts are counted by filling
them one character at a time.
"""

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
# (one segment, each part of a split text), in places of the encoding.
GSM_7 = (160, 153)
UCS_2 = (70, 67)


def is_gsm(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def segments(text: str) -> int:
    """The number of segments `text` is sent in (0 for an empty text)."""
    gsm = is_gsm(text)
    single, part = GSM_7 if gsm else UCS_2
    sizes = [_places(ch, gsm) for ch in text]
    if sum(sizes) <= single:
        return 1 if sizes else 0
    count, used = 1, 0
    for size in sizes:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return count


def _places(ch: str, gsm: bool) -> int:
    if gsm:
        return 2 if ch in GSM_EXTENSION else 1
    # UCS-2 as phones send it is UTF-16: a character beyond the first plane (an emoji) is two units.
    return 2 if ord(ch) > 0xFFFF else 1
