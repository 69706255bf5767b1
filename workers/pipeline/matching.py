"""Keys for comparing texts, never for display: two texts that read the same to a person get
the same key whatever their digits' script, case, compatibility forms or spacing."""

import unicodedata


def _digit_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code_point in range(0x110000):
        char = chr(code_point)
        if char.isdecimal() and not ("0" <= char <= "9"):
            table[code_point] = str(unicodedata.decimal(char))
    return table


DIGITS = _digit_table()


def fold_digits(text: str) -> str:
    """Every Unicode decimal digit becomes its ASCII value: `১১০`, `११०`, `110` are all "110"."""
    return text.translate(DIGITS)


def match_key(text: str) -> str:
    """NFKC, case-folded, digits folded to ASCII, every run of white space one space."""
    folded = fold_digits(unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())
