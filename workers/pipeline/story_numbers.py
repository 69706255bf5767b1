"""Figures of a story as every language writes them: digits of any script folded to ASCII,
separators normalised ("2,500", "2.500", "২,৫০০", "٢٬٥٠٠" -> "2500"), Chinese numerals read, Thai
Buddhist-era years given their Common Era year; and how much a shared figure says."""

from __future__ import annotations

import re
import unicodedata

from workers.pipeline.language import dominant_script
from workers.pipeline.matching import fold_digits

# Digit groups with the separators figures use: comma, dot, apostrophe, and the spaces French and
# others put in thousands (no-break, narrow no-break, thin, plain).
_ARABIC_SEPARATORS = str.maketrans({"٬": ",", "٫": "."})
_NUMBER = re.compile(r"\d+(?:[,.'’\u00a0\u202f\u2009 ]\d+)*")


def numbers_in(text: str) -> list[str]:
    """Every figure in the text in one form: "2,500", "2.500", "2 500", "২,৫০০" and "2500" are all
    "2500"; "3,6" and "3.6" are "3.6"; "1,00,000" is "100000". Chinese and Japanese numerals
    ("一千八百", "二〇二一") are read too. Integers below 10 are left out."""
    found: list[str] = []
    folded = fold_digits(unicodedata.normalize("NFKC", text)).translate(_ARABIC_SEPARATORS)
    for match in _NUMBER.finditer(folded):
        found.extend(_normalise_number(match.group()))
    found.extend(_han_numbers(text))
    return [number for number in found if _kept(number)]


def _kept(number: str) -> bool:
    return "." in number or len(number) >= 2


def _normalise_number(raw: str) -> list[str]:
    """One run of digits and separators -> the figures it holds. After a first group of 1-3
    digits, groups of exactly three digits are thousands ("2,500", "2.500", "1 200"); Indian
    grouping puts 2-digit groups before the last three ("1,00,000"); a "," or "." followed by
    another count of digits is a decimal point ("3,6"); anything else separates two figures."""
    parts = re.split(r"([,.'’\u00a0\u202f\u2009 ])", raw)
    digits, separators = parts[0::2], parts[1::2]
    figures: list[str] = []
    current, first_length, has_decimal = digits[0], len(digits[0]), False
    for index, (separator, group) in enumerate(zip(separators, digits[1:])):
        following = digits[index + 2] if index + 2 < len(digits) else None
        groupable = first_length <= 3 and not has_decimal
        if groupable and len(group) == 3:
            current += group
        elif groupable and separator == "," and len(group) == 2 and following is not None \
                and separators[index + 1] == ",":
            current += group  # Indian lakh/crore grouping
        elif separator in ",." and not has_decimal and not (first_length > 3 and len(group) == 3):
            current, has_decimal = f"{current}.{group}", True
        else:
            figures.append(current)
            current, first_length, has_decimal = group, len(group), False
    figures.append(current)
    return [_canonical_number(figure) for figure in figures]


def _canonical_number(number: str) -> str:
    if "." in number:
        whole, fraction = number.split(".", 1)
        whole = whole.lstrip("0") or "0"
        fraction = fraction.rstrip("0")
        return f"{whole}.{fraction}" if fraction else whole
    return number.lstrip("0") or "0"


_HAN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
               "六": 6, "七": 7, "八": 8, "九": 9}
_HAN_UNITS = {"十": 10, "百": 100, "千": 1000}
_HAN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_HAN_RUN = re.compile("[〇零一二两兩三四五六七八九十百千万萬亿億点點]{2,}")


def _han_numbers(text: str) -> list[str]:
    """Chinese/Japanese numerals written in characters, as digits: 一千八百 -> 1800,
    二〇二一 -> 2021, 三点六 -> 3.6. Single characters are skipped (一 is in many words)."""
    out: list[str] = []
    for match in _HAN_RUN.finditer(text):
        value = _han_value(match.group())
        if value is not None:
            out.append(value)
    return out


def _han_value(run: str) -> str | None:
    run = run.strip("点點")
    if not run:
        return None
    if "点" in run or "點" in run:
        whole, _, fraction = re.split("([点點])", run, maxsplit=1)
        whole_value = _han_value(whole) if len(whole) > 1 else _han_digit_string(whole)
        fraction_digits = _han_digit_string(fraction)
        if whole_value is None or fraction_digits is None:
            return None
        return _canonical_number(f"{whole_value}.{fraction_digits}")
    if not any(char in _HAN_UNITS or char in _HAN_BIG for char in run):
        return _han_digit_string(run)  # digit by digit, as years are written
    total, section, digit = 0, 0, None
    for char in run:
        if char in _HAN_DIGITS:
            digit = _HAN_DIGITS[char]
        elif char in _HAN_UNITS:
            section += (1 if digit is None else digit) * _HAN_UNITS[char]
            digit = None
        elif char in _HAN_BIG:
            total += (section + (digit or 0)) * _HAN_BIG[char]
            section, digit = 0, None
        else:
            return None
    return str(total + section + (digit or 0))


def _han_digit_string(run: str) -> str | None:
    if not run or any(char not in _HAN_DIGITS for char in run):
        return None
    return _canonical_number("".join(str(_HAN_DIGITS[char]) for char in run))


def with_common_era(numbers: list[str], text: str) -> list[str]:
    """Thai dates count years in the Buddhist Era (2568 = 2025): add the Common Era year."""
    if dominant_script(text) != "Thai":
        return numbers
    return numbers + [str(int(n) - 543) for n in numbers if n.isdigit() and 2400 <= int(n) <= 2700]


def number_weight(number: str) -> float:
    """How much a shared figure says: long and decimal figures are rarer than 2-digit ones and
    years; round figures (50, 100, 2000) are commoner than others of their length."""
    if "." in number:
        return 2.5
    if len(number) == 4 and 1900 <= int(number) <= 2100:
        return 1.5
    weight = {2: 1.0, 3: 2.0}.get(len(number), 3.0)
    if number.endswith("00") or (len(number) == 2 and number.endswith("0")):
        weight -= 0.5
    return weight
