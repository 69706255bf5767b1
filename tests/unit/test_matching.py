import unicodedata

from workers.pipeline.matching import DIGITS, fold_digits, match_key

EVERY_CODE_POINT = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


def test_digits_of_every_script_fold_to_ascii():
    assert fold_digits("১১০ ११० ١١٠ 110 ๑๑๐") == "110 110 110 110 110"
    assert fold_digits("plain ascii 42") == "plain ascii 42"


def test_folding_finds_every_decimal_digit_and_nothing_else():
    # The fast path looks for digit runs with a regex; it must agree with translating every character.
    assert fold_digits(EVERY_CODE_POINT) == EVERY_CODE_POINT.translate(DIGITS)
    assert all(unicodedata.decimal(chr(c)) == int(d) for c, d in DIGITS.items())


def test_match_key_ignores_case_width_digits_and_spacing():
    assert match_key("Ｈà  Nội\n২০২৪") == match_key("hà nội 2024")
