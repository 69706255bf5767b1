"""The boilerplate vocabulary, one TOML file per language under `boilerplate/`, and the line
patterns built from it.

Supporting a new language is a data change: add `<code>.toml` with any of these keys (lists of
strings; a missing key is an empty list):

- source_labels        `Source: https://…` lines; the URL becomes the article's source
- comment_counters     `Comments (12)`, `Comments: 12`, `12 Comments`
- photo_credit_labels  a paragraph ending in `(Photo: VNA)` or `… . Photo: VNA` is a caption
- read_more            `Read more: <headline>` or the label alone
- share_lines          share-button words; a line made only of them (and share_targets) goes
- share_targets        network and button names (Facebook, Email…): two or more on a line,
                       or one per line in a run of such lines, go too

A file's language is not known before it is cleaned, so the patterns use the union of all files.
Every pattern matches a whole line: body text that merely mentions these words stays."""

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Literal

VOCABULARY_DIR = Path(__file__).with_name("boilerplate")

BoilerplateKind = Literal["comment_counter", "read_more", "share", "url"]

# Longer lines are never buttons or link lists; the limits also keep the regexes cheap.
MAX_SHARE_LINE = 160
MAX_READ_MORE_LINE = 300

# What sits between share buttons or before a "read more" label: spaces, bars, bullets, arrows.
SEPARATORS = r"[\s|·•,/:：\-–—>»›<«‹*]"
BARE_URL_LINE = re.compile(r"^[<(\[]?https?://\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class Vocabulary:
    source_labels: frozenset[str] = frozenset()
    comment_counters: frozenset[str] = frozenset()
    photo_credit_labels: frozenset[str] = frozenset()
    read_more: frozenset[str] = frozenset()
    share_lines: frozenset[str] = frozenset()
    share_targets: frozenset[str] = frozenset()


@lru_cache
def vocabulary() -> Vocabulary:
    """The union over all language files, NFC-normalised like the text it is matched against."""
    union: dict[str, set[str]] = {f.name: set() for f in fields(Vocabulary)}
    for path in sorted(VOCABULARY_DIR.glob("*.toml")):
        entry = tomllib.loads(path.read_text(encoding="utf-8"))
        unknown = set(entry) - set(union)
        if unknown:
            raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
        for key, words in entry.items():
            union[key].update(_normalise_label(word) for word in words if word.strip())
    return Vocabulary(**{key: frozenset(words) for key, words in union.items()})


def _normalise_label(label: str) -> str:
    return " ".join(unicodedata.normalize("NFC", label).split()).rstrip(":：")


def _alternation(words: frozenset[str]) -> str:
    """Longest first, so that "Comments" wins over "Comment"; a space matches any run of spaces.
    No words match nothing (an empty alternation would match everywhere)."""
    if not words:
        return "(?!)"
    ordered = sorted(words, key=lambda word: (-len(word), word))
    return "|".join(r"\s+".join(re.escape(part) for part in word.split()) for word in ordered)


@lru_cache
def source_line_pattern() -> re.Pattern[str]:
    """`সূত্র: https://…`, `Source : https://…` — a source label, a colon and one URL."""
    labels = _alternation(vocabulary().source_labels)
    return re.compile(rf"^(?:{labels})\s*[:：]\s*(?P<url>https?://\S+)$", re.IGNORECASE)


@lru_cache
def comment_counter_pattern() -> re.Pattern[str]:
    """`মন্তব্য (0)`, `评论（3）`, `Comments: 12`, `12 Comments`, in any script's digits."""
    labels = _alternation(vocabulary().comment_counters)
    return re.compile(
        rf"^(?:(?:{labels})\s*(?:[(（]\s*\d+\s*[)）]|[:：]?\s*\d+)|\d+\s*(?:{labels}))$",
        re.IGNORECASE,
    )


@lru_cache
def read_more_pattern() -> re.Pattern[str]:
    """`Read more: <headline>`, `» Xem thêm`, `আরও পড়ুন` — the label first, alone or followed by
    a separator and whatever it points at."""
    labels = _alternation(vocabulary().read_more)
    return re.compile(
        rf"^{SEPARATORS}*(?:{labels})\s*(?:(?:[:：>»›|\-–—]|\.\.\.|…)(?:.*))?$", re.IGNORECASE
    )


@lru_cache
def share_line_pattern() -> re.Pattern[str]:
    """A line made only of share words and button names, with separators between them."""
    vocab = vocabulary()
    tokens = _alternation(vocab.share_lines | vocab.share_targets)
    # Atomic and possessive: a line that is no share line fails fast instead of backtracking.
    return re.compile(rf"^{SEPARATORS}*+(?:(?>{tokens}){SEPARATORS}*+)++$", re.IGNORECASE)


@lru_cache
def _share_word_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?:{_alternation(vocabulary().share_lines)})", re.IGNORECASE)


@lru_cache
def _share_token_pattern() -> re.Pattern[str]:
    vocab = vocabulary()
    tokens = _alternation(vocab.share_lines | vocab.share_targets)
    return re.compile(rf"(?:{tokens})", re.IGNORECASE)


def _only_share_tokens(line: str) -> bool:
    return len(line) <= MAX_SHARE_LINE and share_line_pattern().match(line) is not None


def is_share_line(line: str) -> bool:
    """A share word (`Share`, `Chia sẻ`, `分享`…) or at least two button names (`Facebook Email`):
    a lone `Email` or `LINE` may be something else."""
    if not _only_share_tokens(line):
        return False
    if _share_word_pattern().search(line):
        return True
    return len(_share_token_pattern().findall(line)) >= 2


def share_button_lines(lines: Sequence[str]) -> set[int]:
    """Indices of the share lines among `lines` (stripped, NFC): each `is_share_line`, and a lone
    button name next to another share line, as pages put buttons one per line (blank lines
    between them do not count)."""
    filled = [index for index, line in enumerate(lines) if line]
    buttons = {index for index in filled if _only_share_tokens(lines[index])}
    found = {index for index in buttons if is_share_line(lines[index])}
    for before, index, after in zip([None, *filled], filled, [*filled[1:], None]):
        if index in buttons and (before in buttons or after in buttons):
            found.add(index)
    return found


@lru_cache
def photo_credit_pattern() -> re.Pattern[str]:
    """A paragraph ending in a photo credit: `… (ছবি: ভিএনএ)`, `… [Photo: Reuters]`,
    `… (Ảnh minh họa)`, or unbracketed after a sentence end or a dash: `… . Photo: VNA`."""
    labels = _alternation(vocabulary().photo_credit_labels)
    bracketed = rf"[(\[（]\s*(?:{labels})\s*(?:[:：/]\s*[^()\[\]（）]{{1,80}})?[)\]）]"
    unbracketed = (
        rf"(?:^|(?<=[.!?।॥。！？])\s*|\s[-–—|]\s)(?:{labels})\s*[:：/]\s*[^.!?।॥。！？:：()]{{1,60}}"
    )
    return re.compile(rf"(?:{bracketed}|{unbracketed})\s*$", re.IGNORECASE)


def boilerplate_kind(line: str) -> BoilerplateKind | None:
    """What kind of boilerplate a whole (stripped, NFC) line is on its own, or None when it is
    not (a lone button name is one only among others: see `share_button_lines`)."""
    if comment_counter_pattern().match(line):
        return "comment_counter"
    if len(line) <= MAX_READ_MORE_LINE and read_more_pattern().match(line):
        return "read_more"
    if is_share_line(line):
        return "share"
    if BARE_URL_LINE.match(line):
        return "url"
    return None
