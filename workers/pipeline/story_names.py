"""Names and words of a story in a form every script reduces to: Brahmic scripts mapped onto
Devanagari, everything transliterated to Latin (anyascii), then cut to a consonant skeleton
robust to spelling ("Lương Tam Quang", "লুওং ট্যাম কোয়াং", "लुओंग टैम क्वांग" -> "lntnkn")."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import regex
from anyascii import anyascii

_INDIC_FIRST, _INDIC_LAST = 0x0980, 0x0D7F


def _indic_to_devanagari(char: str) -> str:
    """Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada and Malayalam mirror the
    Devanagari block 0x80 apart (ISCII layout): one transliteration then serves them all."""
    code = ord(char)
    if char == "ৎ":  # Bengali khanda ta; its mirror slot is another letter
        return "त"
    if _INDIC_FIRST <= code <= _INDIC_LAST:
        mirror = chr(0x0900 + (code & 0x7F))
        if unicodedata.category(char)[0] in "LM" and unicodedata.category(mirror)[0] in "LM":
            return mirror
    return char


# The mapping above as one str.translate table: applied in C to a whole word.
_TO_DEVANAGARI = {
    code: mirror
    for code in range(_INDIC_FIRST, _INDIC_LAST + 1)
    if (mirror := _indic_to_devanagari(chr(code))) != chr(code)
}


def to_latin(word: str) -> str:
    return anyascii(word.translate(_TO_DEVANAGARI))


# Consonant classes that survive transliteration between scripts; vowels, h, w, y, v, b are
# dropped because scripts disagree about them (Hindi व is v or w, Bengali writes v as ভ/ব,
# Indic transliteration omits the inherent a, aspiration is written or not).
_CLASSES = {
    **dict.fromkeys("kcqg", "k"),
    **dict.fromkeys("td", "t"),
    **dict.fromkeys("pf", "p"),
    **dict.fromkeys("szj", "s"),
    **dict.fromkeys("lr", "l"),
    **dict.fromkeys("mn", "n"),
}


def skeleton(latin: str) -> str:
    """Latin letters -> consonant classes with repeats collapsed: "Luong Tam Quang",
    "luom tyam koyam" and "luomg taim kvamg" all give "ln tn kn" word by word."""
    s = re.sub(r"[^a-z]", "", latin.lower())
    s = s.replace("ng", "n").replace("mg", "n").replace("ph", "f").replace("x", "ks")
    out: list[str] = []
    for char in s:
        cls = _CLASSES.get(char)
        if cls and (not out or out[-1] != cls):
            out.append(cls)
    return "".join(out)


_SENTENCE_END = re.compile(r"[.!?。！？:;\"“”«»\n]\s*$")
_KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff]+")
_HAN_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_UNSPACED = re.compile(r"[\u0e00-\u109f\u1780-\u17ff]")  # Thai, Lao, Tibetan, Myanmar, Khmer
MIN_NAME_SKELETON = 3


# Letters and combining marks (Indic vowel signs are marks, so a regular expression's \\w would
# cut words at them); an apostrophe followed by a letter inside a word stays in it.
_WORD = regex.compile(r"[\p{L}\p{M}]+(?:['’]\p{L}[\p{L}\p{M}]*)*")


def words_of(text: str) -> Iterable[tuple[int, str]]:
    """(offset, word) for every run of letters and combining marks (see _WORD)."""
    for match in _WORD.finditer(text):
        yield match.start(), match.group()


# News repeats its words: each distinct word is transliterated and reduced once per process.
@lru_cache(maxsize=1 << 16)
def _cased_skeleton(word: str) -> str:
    return skeleton(anyascii(word))


@lru_cache(maxsize=1 << 16)
def _caseless_skeleton(word: str) -> str:
    return skeleton(to_latin(word))


def _cased(word: str) -> bool:
    first = word[0]
    return first.lower() != first.upper()


@dataclass(frozen=True)
class NameSignals:
    names: set[str]
    runs: set[str]
    """The names that join a run of two or more capitalised words: one language's run is
    another's separate words or inflected parts, so names are compared without them."""
    weak: set[str]
    """The names seen only as a lone capitalised word, never inside a run of two or more: in
    languages that capitalise nouns most of them are nouns, and elsewhere they are the commonest
    chance matches, so they weigh less (story_links.StorySignals.weak_weight)."""
    words: tuple[str, ...]
    phrases: tuple[str, ...]


LOWERCASE_MEANS_COMMON = True
"""A capitalised word the text also writes in lowercase is a common word, not a name."""


def name_signals(text: str) -> NameSignals:
    """Names: in scripts with letter case, runs of capitalised words not at the start of a
    sentence, each run joined into one skeleton (and each word of it alone); a capitalised word
    that the text also writes in lowercase is a common word, not a name. Words: in caseless
    scripts, every word's skeleton, since a name there cannot be told from other words; katakana
    runs count as such words. Phrases: skeletons of runs of 2-3 caseless words, joined. Han text
    and scripts written without spaces (Thai) give no words: their names are not phonetic
    enough, or their words cannot be cut here. (N-grams of Han characters or Tibetan syllables
    read in pinyin find 特朗普 -> tlnp = Trump, but were measured to link fewer translations and
    as many false ones: bench/README.md.)"""
    names: set[str] = set()
    runs: set[str] = set()
    in_runs: set[str] = set()
    singles: set[str] = set()
    words: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    caseless_run: list[str] = []
    name_run: list[str] = []

    def close_name_run() -> None:
        if len(name_run) > 1:
            _add(names, "".join(name_run))
            _add(runs, "".join(name_run))
            in_runs.update(name_run)
        elif name_run:
            singles.add(name_run[0])
        for part in name_run:
            _add(names, part)
        name_run.clear()

    def close_caseless_run() -> None:
        for word in caseless_run:
            _add(words, word)
        for size in (2, 3):
            for start in range(len(caseless_run) - size + 1):
                _add(phrases, "".join(caseless_run[start:start + size]))
        caseless_run.clear()

    found = list(words_of(text))
    # Lowercase forms of cased words: a capitalised word also written so is a common word (an
    # English headline's capitals, a sentence start the rule below misses).
    lowercase = {word.casefold() for _, word in found if word[0].islower() and _cased(word)} \
        if LOWERCASE_MEANS_COMMON else set()
    headline = _headline_case_words(text, found) if TITLE_CASE_LINES else (set(), set())
    # Most texts have neither kind of script: then no word needs looking at for them.
    may_be_unspaced = _UNSPACED.search(text) is not None
    may_be_han_or_kana = _HAN_OR_KANA.search(text) is not None
    for start, word in found:
        if may_be_unspaced and _UNSPACED.search(word):
            close_name_run()
            close_caseless_run()
            continue
        if may_be_han_or_kana and _HAN_OR_KANA.search(word):
            close_name_run()
            close_caseless_run()
            for katakana in _KATAKANA.findall(word):
                for part in re.split("[・=]", katakana):
                    if len(part) >= 2:
                        _add(words, skeleton(anyascii(part)))
            continue
        contiguous = text[max(0, start - 1):start] in (" ", "\u00a0", "-", "")
        if _cased(word):
            close_caseless_run()
            sentence_start = start == 0 or bool(_SENTENCE_END.search(text[max(0, start - 3):start]))
            if word[0].isupper() and not sentence_start and word.casefold() not in lowercase \
                    and (start not in headline[0] or word in headline[1]):
                if not contiguous:
                    close_name_run()
                name_run.append(_cased_skeleton(word))
            else:
                close_name_run()
        else:
            close_name_run()
            if not contiguous:
                close_caseless_run()
            caseless_run.append(_caseless_skeleton(word))
    close_name_run()
    close_caseless_run()
    for word in words:
        phrases.pop(word, None)
    weak = {name for name in singles - in_runs if name in names}
    # A joined run that is also some word alone ("Trump" after "Trump Tower") stays a name.
    return NameSignals(names, runs - in_runs - singles, weak, _by_frequency(words),
                       _by_frequency(phrases))


_NEWLINE = re.compile("\n")
TITLE_CASE_LINES = True
TITLE_CASE_SHARE = 0.7
"""A line whose cased words are nearly all capitalised (an English headline: "Pelosi Calls
Kavanaugh Unfit to Serve") says nothing of which of them are names: there a capitalised word is
a name only if the text also capitalises it elsewhere."""


def _headline_case_words(text: str, found: list[tuple[int, str]]) -> tuple[set[int], set[str]]:
    """(offsets of the words of title-case lines, capitalised words seen outside them)."""
    line_ends = [match.start() for match in _NEWLINE.finditer(text)] + [len(text)]
    lines: dict[int, list[tuple[int, str]]] = {}
    line = 0
    for start, word in found:
        while start > line_ends[line]:
            line += 1
        if word[0].lower() != word[0].upper():  # cased
            lines.setdefault(line, []).append((start, word))
    in_headlines: set[int] = set()
    elsewhere: set[str] = set()
    for members in lines.values():
        capitalised = sum(word[0].isupper() for _, word in members)
        if len(members) >= 4 and capitalised >= TITLE_CASE_SHARE * len(members):
            in_headlines.update(start for start, _ in members)
        else:
            elsewhere.update(word for _, word in members if word[0].isupper())
    return in_headlines, elsewhere


def _add(target: set[str] | Counter[str], skeleton_text: str) -> None:
    if len(skeleton_text) < MIN_NAME_SKELETON:
        return
    if isinstance(target, Counter):
        target[skeleton_text] += 1
    else:
        target.add(skeleton_text)


def _by_frequency(counts: Counter[str]) -> tuple[str, ...]:
    return tuple(sorted(counts, key=lambda item: (-counts[item], item)))
