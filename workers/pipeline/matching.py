"""Keys for comparing texts, never for display: two texts that read the same to a person get
the same key whatever their digits' script, case, compatibility forms or spacing."""

import re
import unicodedata


def _digit_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code_point in range(0x110000):
        char = chr(code_point)
        if char.isdecimal() and not ("0" <= char <= "9"):
            table[code_point] = str(unicodedata.decimal(char))
    return table


DIGITS = _digit_table()
# re's \d is exactly str.isdecimal for str patterns: the runs of digits DIGITS maps.
_NON_ASCII_DIGITS = re.compile(r"[^\D0-9]+")


def fold_digits(text: str) -> str:
    """Every Unicode decimal digit becomes its ASCII value: `১১০`, `११०`, `110` are all "110"."""
    if text.isascii():
        return text
    # Translating only the digit runs: str.translate over a whole non-ASCII text looks up every
    # character in DIGITS, several times slower than finding the few runs.
    return _NON_ASCII_DIGITS.sub(lambda run: run[0].translate(DIGITS), text)


def match_key(text: str) -> str:
    """NFKC, case-folded, digits folded to ASCII, every run of white space one space."""
    folded = fold_digits(unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())
